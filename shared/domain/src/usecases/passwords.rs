//! Redeeming a reset token: the user chooses a password and becomes `active` (SPEC.md §3).

use serde::{Deserialize, Serialize};

use super::Roster;
use super::records;
use super::retry::{Attempt, optimistic};
use super::transaction::{Guard, Refused, Transaction};
use crate::entities::{AuditActor, UserStatus};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, Item, Write};
use crate::secrets::{NewPassword, ResetToken};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetInput {
    pub token: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for PasswordResetInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordResetInput { … }")
    }
}

/// The stored password: a PHC string only.
#[derive(Serialize, Deserialize)]
struct Credential {
    hash: String,
    set_at: jiff::Timestamp,
}

const INVALID_TOKEN: &str = "Token is invalid, used or expired; ask for a new invitation";

impl Roster {
    /// Sets the password of the token's user and activates them. The token works once: it is
    /// deleted in the same transaction, guarded by its version.
    pub async fn reset_password(&self, input: &PasswordResetInput) -> Result<(), DomainError> {
        let mut errors = FieldErrors::new();
        let token = errors.required("token", "Token", input.token.as_deref(), ResetToken::parse);
        let password = errors.required(
            "password",
            "Password",
            input.password.as_deref(),
            NewPassword::parse,
        );
        let (token, password) = errors.finish(|| Some((token?, password?)))?;
        let hash = tokio::task::spawn_blocking(move || password.hash())
            .await
            .map_err(|e| DomainError::conflict(format!("password hashing stopped: {e}")))?
            .map_err(|e| DomainError::conflict(format!("password hashing failed: {e}")))?;
        let invalid =
            || DomainError::Validation(vec![crate::FieldError::new("token", INVALID_TOKEN)]);

        optimistic(|| async {
            let Some(record) = self.live_token(&token).await? else {
                return Err(invalid());
            };
            let Some(item) = self
                .table
                .get(&keys::user(&record.account, &record.user_id))
                .await?
            else {
                return Err(invalid());
            };
            let user = records::user_from_item(&item)?;
            let mut active = user.clone();
            active.status = UserStatus::Active;
            active.version += 1;
            active.updated_at = self.clock.now();
            let credential = Credential {
                hash: hash.clone(),
                set_at: active.updated_at,
            };
            let mut tx = Transaction::new();
            tx.push(
                Guard::Token,
                Write::delete(
                    keys::reset_token(&token.hash()),
                    Condition::VersionIs(record.version),
                ),
            );
            tx.push(
                Guard::Stale,
                Write::put(
                    Item::from_body(keys::credential(&record.account, &user.id), 1, &credential)?,
                    None,
                ),
            );
            tx.push(
                Guard::Stale,
                Write::put(
                    records::user_item(&record.account, &active)?,
                    Condition::VersionIs(user.version),
                ),
            );
            // The person who holds the token acts: the user themself.
            tx.push(
                Guard::Stale,
                self.audit_write(
                    &record.account,
                    AuditActor::User {
                        id: user.id.to_string(),
                        email: user.email.to_string(),
                    },
                    "reset-password",
                    ("user", user.id.as_str()),
                    Some(&user),
                    Some(&active),
                )?,
            );
            match tx.commit(self.table.as_ref()).await {
                Ok(()) => Ok(Attempt::Done(())),
                // Someone else redeemed the token first.
                Err(refused) if refused.by(Guard::Token) => Err(invalid()),
                Err(Refused::Guards(_)) => Ok(Attempt::Raced),
                Err(Refused::Store(e)) => Err(e.into()),
            }
        })
        .await
    }
}
