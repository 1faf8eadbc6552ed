//! Passwords (SPEC.md §3): redeeming a reset token (the user chooses a password and becomes
//! `active`), asking for a reset link ("Forgot password?"), and changing one's own password.

use serde::{Deserialize, Serialize};

use super::Roster;
use super::records;
use super::retry::{Attempt, optimistic};
use super::throttle::Throttles;
use super::transaction::{Guard, Refused, Transaction};
use crate::access::Actor;
use crate::entities::{AuditActor, ManagedBy, User, UserStatus};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, Item, Write};
use crate::secrets::{NewPassword, PasswordAttempt, ResetToken};
use crate::values::{Email, UserId};

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

/// `POST /password-resets/requests`: the email a reset link should go to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRequestInput {
    pub email: Option<String>,
}

/// `POST /users/{id}/password`: the current password and the new one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeInput {
    pub current: Option<String>,
    pub new: Option<String>,
}

impl std::fmt::Debug for PasswordChangeInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChangeInput { … }")
    }
}

/// The stored password: a PHC string only.
#[derive(Serialize, Deserialize)]
pub(crate) struct Credential {
    pub(crate) hash: String,
    set_at: jiff::Timestamp,
}

/// A user an identity provider provisions signs in through it: Roster keeps no password for
/// them (SPEC.md §3, §9).
fn refuse_provisioned(user: &User) -> Result<(), DomainError> {
    if user.managed_by == ManagedBy::Scim {
        return Err(DomainError::conflict(format!(
            "user {} signs in through their identity provider, which provisions them over SCIM; \
             Roster keeps no password for them",
            user.id
        )));
    }
    Ok(())
}

/// Whether the new password is strong enough for this person: what zxcvbn knows of them is
/// their names, email and username. A refusal is on the field `password`.
fn strong_for(password: &NewPassword, user: &User) -> Result<(), DomainError> {
    password
        .check_strength(&[
            user.first_name.as_str(),
            user.last_name.as_str(),
            user.email.as_str(),
            user.username.as_str(),
        ])
        .map_err(|e| {
            DomainError::Validation(vec![crate::FieldError::new(
                "password",
                format!("Password {e}"),
            )])
        })
}

/// Any text but the empty one, as it came (whitespace included: it answers like an unknown
/// email, not as a malformed request).
pub(crate) fn non_empty(raw: &str) -> Result<String, crate::error::InvalidValue> {
    if raw.is_empty() {
        return Err(crate::error::InvalidValue::new("is required"));
    }
    Ok(raw.to_owned())
}

/// Hashes off the async threads: Argon2id is slow by design.
async fn hash_of(password: &NewPassword) -> Result<String, DomainError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(|e| DomainError::conflict(format!("password hashing stopped: {e}")))?
        .map_err(|e| DomainError::conflict(format!("password hashing failed: {e}")))
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
        let invalid =
            || DomainError::Validation(vec![crate::FieldError::new("token", INVALID_TOKEN)]);
        let hash = hash_of(&password).await?;

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
            // Whose password it becomes decides whether it may be set and how strong it must be.
            refuse_provisioned(&user)?;
            strong_for(&password, &user)?;
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

    /// `POST /password-resets/requests`: mails a reset link to the user of `email` in every
    /// account that has one who signs in with a password (not provisioned over SCIM, not
    /// deactivated), at most once per [`super::invitations::RESET_REQUEST_INTERVAL`]. Whether
    /// anyone has that email is never told: the caller gets the same answer either way.
    pub async fn request_password_reset(
        &self,
        input: &ResetRequestInput,
    ) -> Result<(), DomainError> {
        let mut errors = FieldErrors::new();
        let raw = errors.given("email", "Email", input.email.as_deref(), non_empty);
        let raw = errors.finish(|| raw)?;
        // Anything that is no email names nobody: the same answer as an unknown one.
        let Ok(email) = Email::parse(&raw) else {
            return Ok(());
        };
        for (account, user) in self.users_named(email.key()).await? {
            if user.email.key() != email.key()
                || user.deactivated
                || user.managed_by == ManagedBy::Scim
            {
                continue;
            }
            let audit = self.audit_write(
                &account,
                AuditActor::User {
                    id: user.id.to_string(),
                    email: user.email.to_string(),
                },
                "request-password-reset",
                ("user", user.id.as_str()),
                None::<&User>,
                None,
            )?;
            self.deliver_reset(&account, &user, audit).await?;
        }
        Ok(())
    }

    /// `POST /users/{id}/password`: a signed-in user changes their own password, proving the
    /// current one. Wrong guesses count against the login as failed sign-ins do.
    pub async fn change_password(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &PasswordChangeInput,
    ) -> Result<(), DomainError> {
        let account = actor.account().clone();
        let user = self.load_user(&account, id).await?;
        actor.may_change_own_password(&user)?;
        refuse_provisioned(&user)?;
        let mut errors = FieldErrors::new();
        let current = errors.given(
            "current",
            "Current password",
            input.current.as_deref(),
            PasswordAttempt::parse,
        );
        let new = errors.required(
            "new",
            "New password",
            input.new.as_deref(),
            NewPassword::parse,
        );
        let (current, new) = errors.finish(|| Some((current?, new?)))?;
        strong_for(&new, &user).map_err(|e| match e {
            DomainError::Validation(errors) => DomainError::Validation(
                errors
                    .into_iter()
                    .map(|e| {
                        let message = e.message.replacen("Password", "New password", 1);
                        crate::FieldError::new("new", message)
                    })
                    .collect(),
            ),
            other => other,
        })?;
        let throttles = Throttles::new(user.email.key(), None);
        let counted = self.refuse_while_throttled(&throttles).await?;
        let key = keys::credential(&account, &user.id);
        let Some(item) = self.table.get(&key).await? else {
            return Err(DomainError::conflict(
                "you have no password yet: set one with the link \"Forgot password?\" sends",
            ));
        };
        let stored: Credential = records::decode(&item)?;
        let matched = tokio::task::spawn_blocking(move || current.matches(&stored.hash))
            .await
            .map_err(|e| DomainError::conflict(format!("password check stopped: {e}")))?;
        if !matched {
            self.count_failure(&throttles).await?;
            return Err(DomainError::Validation(vec![crate::FieldError::new(
                "current",
                "Current password is not right",
            )]));
        }
        let hash = hash_of(&new).await?;
        let credential = Credential {
            hash,
            set_at: self.clock.now(),
        };
        let mut tx = Transaction::new();
        tx.push(
            Guard::Stale,
            Write::put(
                Item::from_body(key, item.version + 1, &credential)?,
                Condition::VersionIs(item.version),
            ),
        );
        tx.push(
            Guard::Stale,
            self.audit_write(
                &account,
                actor.audit_actor(),
                "change-password",
                ("user", user.id.as_str()),
                None::<&User>,
                None,
            )?,
        );
        match tx.commit(self.table.as_ref()).await {
            Ok(()) => self.forget_failures(&throttles, counted).await,
            Err(Refused::Guards(_)) => Err(DomainError::conflict(
                "the password changed while this request ran; try again with the current one",
            )),
            Err(Refused::Store(e)) => Err(e.into()),
        }
    }
}
