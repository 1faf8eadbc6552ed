//! Moving ownership of an account (SPEC.md §1): only through an operator command run with the
//! store's credentials (the "email support" path), never through the API or a roster file. The
//! new Owner is an existing standard user of the account who is not deactivated; the previous
//! Owner stays a user holding `app-admin`. The Owner claim, the account, both users and the
//! audit entry (actor: the operator) change in one transaction.

use super::Roster;
use super::records::{self, claim_item};
use super::retry::{Attempt, optimistic};
use crate::access::Actor;
use crate::entities::{Account, AuditActor, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, TableError, Write};
use crate::values::{AccountId, Email, Role, UserType};

/// An ownership move, as it would be or was made.
#[derive(Debug, Clone)]
pub struct OwnershipMove {
    pub account: Account,
    pub from: User,
    pub to: User,
}

impl Roster {
    /// What moving ownership of `account` to the user holding `to` would do, checked; nothing
    /// is written.
    pub async fn ownership_move(
        &self,
        actor: &Actor,
        to: &Email,
    ) -> Result<OwnershipMove, DomainError> {
        let Actor::Operator(account) = actor else {
            return Err(DomainError::Forbidden {
                right: "operator",
                message: "ownership moves only through `roster owner transfer`, with the \
                          store's credentials"
                    .into(),
            });
        };
        let record = self.get_account(account).await?;
        let owner = self
            .claim_holder_at(&keys::owner_claim(account))
            .await?
            .ok_or_else(|| DomainError::not_found("Owner of account", account.as_str()))?;
        let from = self.load_user(account, &owner).await?;
        let to_id = self.user_id_by_email(account, to).await?;
        let to = self.load_user(account, &to_id).await?;
        let refuse = |why: String| Err(DomainError::conflict(why));
        if to.id == from.id {
            return refuse(format!("{} is already the Owner of {account}", to.email));
        }
        if to.user_type != UserType::Standard {
            return refuse(format!(
                "{} is a {} user; the Owner is a standard user",
                to.email, to.user_type
            ));
        }
        if to.deactivated {
            return refuse(format!(
                "{} is deactivated; reactivate them before they take ownership",
                to.email
            ));
        }
        Ok(OwnershipMove {
            account: record,
            from,
            to,
        })
    }

    /// Moves ownership of the actor's account to the user holding `to`.
    pub async fn transfer_ownership(
        &self,
        actor: &Actor,
        to: &Email,
    ) -> Result<OwnershipMove, DomainError> {
        optimistic(|| async {
            let planned = self.ownership_move(actor, to).await?;
            let account: &AccountId = &planned.account.id;
            let claim_key = keys::owner_claim(account);
            let claim_version = self
                .table
                .get(&claim_key)
                .await?
                .map_or(0, |item| item.version);
            let now = self.clock.now();
            let mut from = planned.from.clone();
            from.is_owner = false;
            from.roles.insert(Role::AppAdmin);
            from.version += 1;
            from.updated_at = now;
            let mut to = planned.to.clone();
            to.is_owner = true;
            to.version += 1;
            to.updated_at = now;
            let mut record = planned.account.clone();
            record.owner = to.id.clone();
            record.version += 1;
            let mut claim = claim_item(claim_key, &to.id)?;
            claim.version = claim_version + 1;
            let writes = vec![
                Write::put(claim, Condition::VersionIs(claim_version)),
                Write::put(
                    records::account_item(&record)?,
                    Condition::VersionIs(planned.account.version),
                ),
                Write::put(
                    records::user_item(account, &from)?,
                    Condition::VersionIs(planned.from.version),
                ),
                Write::put(
                    records::user_item(account, &to)?,
                    Condition::VersionIs(planned.to.version),
                ),
                self.audit_write(
                    account,
                    AuditActor::Operator,
                    "transfer-ownership",
                    ("account", account.as_str()),
                    Some(&planned.account),
                    Some(&record),
                )?,
            ];
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(OwnershipMove {
                    account: record,
                    from,
                    to,
                })),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }
}
