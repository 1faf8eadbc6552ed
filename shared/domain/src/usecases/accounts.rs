//! Creating an account with its Owner (SPEC.md §1).

use serde::Deserialize;

use super::Roster;
use super::invitations::Delivery;
use super::records::{self, claim_item};
use super::retry::{Attempt, optimistic};
use super::seats::{SeatRefusal, Seats, holds_seat};
use super::transaction::{Guard, Transaction};
use super::users::{NewUser, NewUserInput, claim_conflict, store_new_user};
use crate::access::Actor;
use crate::entities::{Account, AuditActor, ManagedBy, User};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, Tally, Write};
use crate::values::{AccountId, AccountName, Role, UserType};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountInput {
    pub id: Option<String>,
    pub name: Option<String>,
    pub seats: Option<u32>,
    pub owner: NewUserInput,
}

/// What an Owner holds when created without roles.
pub const OWNER_DEFAULT_ROLES: &[Role] = &[Role::AppAdmin];

#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub id: AccountId,
    pub name: AccountName,
    pub seats: Option<u32>,
    /// A standard user; holds `app-admin` unless other roles are given.
    pub owner: NewUser,
}

impl NewAccount {
    pub fn parse(input: &NewAccountInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let id = errors.required("id", "Account id", input.id.as_deref(), AccountId::parse);
        let name = errors.required(
            "name",
            "Account name",
            input.name.as_deref(),
            AccountName::parse,
        );
        let owner =
            match NewUser::parse_with_default_roles(&input.owner, "owner.", OWNER_DEFAULT_ROLES) {
                Ok(owner) if owner.user_type != UserType::Standard => {
                    errors.push("owner.user_type", "The Owner must be a standard user");
                    None
                }
                Ok(owner) => Some(owner),
                Err(DomainError::Validation(owner_errors)) => {
                    for e in owner_errors {
                        errors.push(e.field, e.message);
                    }
                    None
                }
                Err(other) => return Err(other),
            };
        errors.finish(|| {
            Some(Self {
                id: id?,
                name: name?,
                seats: input.seats,
                owner: owner?,
            })
        })
    }
}

impl Roster {
    /// Creates the account, its Owner, the Owner claim and the Owner's invitation in one
    /// transaction, then sends the invitation. An account id that exists already is a
    /// conflict, and nothing is written. An operator action: there is no caller yet to ask.
    pub async fn create_account(
        &self,
        input: &NewAccountInput,
        managed_by: ManagedBy,
    ) -> Result<(Account, User, Delivery), DomainError> {
        let new = NewAccount::parse(input)?;
        self.create_new_account(new, managed_by, |_| {}).await
    }

    /// As [`Roster::create_account`], from a checked account, with `shape` finishing the Owner
    /// (preferences, contact methods) before the one transaction is written: reconcile creates
    /// an Owner exactly as the file declares them, so no interruption can leave one half made.
    pub(crate) async fn create_new_account(
        &self,
        new: NewAccount,
        managed_by: ManagedBy,
        shape: impl FnOnce(&mut User),
    ) -> Result<(Account, User, Delivery), DomainError> {
        let mut owner = self.build_user(new.owner, managed_by, true);
        shape(&mut owner);
        let account = Account {
            id: new.id,
            name: new.name,
            owner: owner.id.clone(),
            seats: new.seats,
            created_at: owner.created_at,
            version: 1,
        };
        let seats = Seats {
            count: u64::from(holds_seat(&owner)),
            limit: account.seats.map(u64::from),
        };
        if seats.limit.is_some_and(|limit| seats.count > limit) {
            return Err(DomainError::Validation(vec![crate::FieldError::new(
                "seats",
                "Seats must leave one for the Owner",
            )]));
        }
        let mut tx = Transaction::new();
        tx.push(
            Guard::AccountTaken,
            Write::put(records::account_item(&account)?, Condition::MustNotExist),
        );
        tx.push(
            Guard::AccountTaken,
            Write::put(seats.item(&account.id)?, Condition::MustNotExist),
        );
        tx.push(
            Guard::Owner,
            Write::put(
                claim_item(keys::owner_claim(&account.id), &owner.id)?,
                Condition::MustNotExist,
            ),
        );
        store_new_user(&mut tx, &account.id, &owner)?;
        let (entry, token, invitation) = self.new_invitation(&account.id, &owner)?;
        tx.extend(Guard::Stale, invitation);
        tx.push(
            Guard::Stale,
            self.audit_write(
                &account.id,
                AuditActor::Operator,
                "create-account",
                ("account", account.id.as_str()),
                None,
                Some(&account),
            )?,
        );
        match tx.commit(self.table.as_ref()).await {
            Ok(()) => {
                let delivery = self.send_invitation(entry, &owner, &token).await?;
                Ok((account, owner, delivery))
            }
            Err(refused) if refused.by(Guard::AccountTaken) => Err(DomainError::conflict(format!(
                "account {} already exists",
                account.id
            ))),
            Err(refused) if refused.by(Guard::Owner) => Err(DomainError::conflict(format!(
                "account {} already has an Owner",
                account.id
            ))),
            Err(refused) => Err(claim_conflict(&owner, refused)),
        }
    }

    /// Changes an account's name and seat limit (an operator action: reconcile).
    pub async fn update_account(
        &self,
        actor: &Actor,
        name: Option<AccountName>,
        seats: Option<u32>,
    ) -> Result<Account, DomainError> {
        actor.may_manage_users("changing the account")?;
        let id = actor.account();
        optimistic(|| async {
            let before = self.get_account(id).await?;
            let mut after = before.clone();
            if let Some(name) = &name {
                after.name = name.clone();
            }
            if seats.is_some() {
                after.seats = seats;
            }
            if after == before {
                return Ok(Attempt::Done(before));
            }
            after.version += 1;
            let mut tx = Transaction::new();
            tx.push(
                Guard::Stale,
                Write::put(
                    records::account_item(&after)?,
                    Condition::VersionIs(before.version),
                ),
            );
            if after.seats != before.seats {
                let limit = after.seats.map(u64::from);
                tx.push(
                    Guard::Seats,
                    Write::tally(keys::seats(id), Tally::Limit(limit)),
                );
            }
            tx.push(
                Guard::Stale,
                self.audit_write(
                    id,
                    actor.audit_actor(),
                    "update-account",
                    ("account", id.as_str()),
                    Some(&before),
                    Some(&after),
                )?,
            );
            match tx.commit(self.table.as_ref()).await {
                Ok(()) => Ok(Attempt::Done(after)),
                Err(refused) if refused.by(Guard::Stale) => Ok(Attempt::Raced),
                Err(refused) if refused.by(Guard::Seats) => match self.seat_refusal(id).await? {
                    SeatRefusal::Counted => Ok(Attempt::Raced),
                    SeatRefusal::Full(DomainError::SeatsExhausted { used, .. }) => {
                        Err(DomainError::Validation(vec![crate::FieldError::new(
                            "seats",
                            format!(
                                "Seats {} is below the {used} seats in use",
                                after.seats.unwrap_or_default()
                            ),
                        )]))
                    }
                    SeatRefusal::Full(other) => Err(other),
                },
                Err(refused) => Err(refused.into()),
            }
        })
        .await
    }

    pub async fn get_account(&self, id: &AccountId) -> Result<Account, DomainError> {
        match self.table.get(&keys::account(id)).await? {
            Some(item) => records::account_from_item(&item),
            None => Err(DomainError::not_found("account", id.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_fields_are_reported_under_owner_and_default_to_app_admin() {
        let err = NewAccount::parse(&NewAccountInput::default()).unwrap_err();
        let DomainError::Validation(errors) = err else {
            panic!()
        };
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "name",
                "owner.email",
                "owner.first_name",
                "owner.last_name"
            ]
        );

        let input = NewAccountInput {
            id: Some("acme".into()),
            name: Some("Acme".into()),
            seats: None,
            owner: NewUserInput {
                email: Some("ana@acme.example".into()),
                first_name: Some("Ana".into()),
                last_name: Some("Silva".into()),
                ..Default::default()
            },
        };
        let account = NewAccount::parse(&input).unwrap();
        assert_eq!(account.owner.roles, [Role::AppAdmin].into());

        let mut stakeholder = input.clone();
        stakeholder.owner.user_type = Some("stakeholder".into());
        let DomainError::Validation(errors) = NewAccount::parse(&stakeholder).unwrap_err() else {
            panic!()
        };
        assert_eq!(errors[0].field, "owner.user_type");
    }
}
