//! Read-modify-write of one user item, the shape of every change to a user's roles, contact
//! methods and devices: load, let the change decide (rights included), write guarded by the
//! version read, and on a lost race start over from a fresh read.

use super::Roster;
use super::records;
use super::retry::{Attempt, optimistic};
use crate::access::Actor;
use crate::entities::User;
use crate::error::DomainError;
use crate::ports::table::{Condition, TableError, Write};
use crate::values::UserId;

/// What a change decided.
pub(crate) enum Change<T> {
    /// Store this user (its version and `updated_at` are set here) and answer `T`.
    Write(Box<User>, T),
    /// Nothing to store (an idempotent repeat); answer `T`.
    Keep(T),
}

impl Roster {
    /// Applies `change` to the stored user `id` of the actor's account, and logs it as `action`
    /// in the same transaction. `change` is called again after a lost race, on the fresh state.
    pub(crate) async fn change_user<T>(
        &self,
        actor: &Actor,
        action: &str,
        id: &UserId,
        change: impl Fn(&User) -> Result<Change<T>, DomainError>,
    ) -> Result<T, DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let user = self.load_user(account, id).await?;
            let (mut next, answer) = match change(&user)? {
                Change::Keep(answer) => return Ok(Attempt::Done(answer)),
                Change::Write(next, answer) => (*next, answer),
            };
            next.version = user.version + 1;
            next.updated_at = self.clock.now();
            let writes = vec![
                Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(user.version),
                ),
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    action,
                    ("user", id.as_str()),
                    Some(&user),
                    Some(&next),
                )?,
            ];
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(answer)),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }
}
