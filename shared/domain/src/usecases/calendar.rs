//! Calendar export (SPEC.md §6): a user's shifts for the next 90 days, for the signed-in
//! `schedule.ics` and for a secret, revocable feed URL that calendar apps poll without a login.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::{self, decode};
use crate::access::Actor;
use crate::entities::User;
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Item, Write};
use crate::secrets::{ResetToken, TokenHash};
use crate::values::{AccountId, UserId};

/// How far ahead a calendar looks.
pub const SCHEDULE_DAYS: i64 = 90;

/// One occurrence of a shift the user is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledShift {
    /// Stable across exports: the shift and the occurrence's start.
    pub uid: String,
    pub group: String,
    pub shift: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// What a calendar shows: whose it is (their time zone included) and the occurrences.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub user: User,
    pub from: Timestamp,
    pub to: Timestamp,
    pub shifts: Vec<ScheduledShift>,
}

#[derive(Serialize, Deserialize)]
struct FeedPointer {
    hash: TokenHash,
}

#[derive(Serialize, Deserialize)]
struct FeedToken {
    account: AccountId,
    user_id: UserId,
}

impl Roster {
    /// The user's shifts from now for 90 days: one's own, or a profile one may read.
    pub async fn schedule(&self, actor: &Actor, id: &UserId) -> Result<Schedule, DomainError> {
        let user = self.load_user(actor.account(), id).await?;
        actor.may_read_user(&user)?;
        self.schedule_of(actor.account(), user).await
    }

    async fn schedule_of(&self, account: &AccountId, user: User) -> Result<Schedule, DomainError> {
        let from = self.clock.now();
        let to = from
            .checked_add(SignedDuration::from_hours(24 * SCHEDULE_DAYS))
            .unwrap_or(from);
        let mut shifts = Vec::new();
        for shift in self.shifts_of(account, &user).await? {
            let group = user
                .member_of
                .get(&shift.group_id)
                .map_or_else(|| shift.group_id.to_string(), |g| g.name.to_string());
            for (starts_at, ends_at) in shift.occurrences(from, to) {
                shifts.push(ScheduledShift {
                    uid: format!("{}-{}@roster", shift.id, starts_at.as_second()),
                    group: group.clone(),
                    shift: shift.name.to_string(),
                    starts_at,
                    ends_at,
                });
            }
        }
        shifts.sort_by_key(|s| (s.starts_at, s.uid.clone()));
        Ok(Schedule {
            user,
            from,
            to,
            shifts,
        })
    }

    /// Issues the user's feed token, revoking any earlier one. The token is returned once and
    /// stored only as a hash.
    pub async fn issue_calendar_token(
        &self,
        actor: &Actor,
        id: &UserId,
    ) -> Result<ResetToken, DomainError> {
        let account = actor.account();
        let user = self.load_user(account, id).await?;
        actor.may_manage_calendar(&user)?;
        let token = ResetToken::generate();
        let mut writes = self.calendar_feed_deletes(account, id).await?;
        writes.retain(|w| w.key() != &keys::calendar_pointer(account, id));
        writes.push(Write::put(
            Item::from_body(
                keys::calendar_pointer(account, id),
                1,
                &FeedPointer { hash: token.hash() },
            )?,
            None,
        ));
        writes.push(Write::put(
            Item::from_body(
                keys::calendar_token(&token.hash()),
                1,
                &FeedToken {
                    account: account.clone(),
                    user_id: id.clone(),
                },
            )?,
            Condition::MustNotExist,
        ));
        writes.push(self.audit_write(
            account,
            actor.audit_actor(),
            "issue-calendar-token",
            ("user", id.as_str()),
            None::<&User>,
            None,
        )?);
        self.table.transact(writes).await?;
        Ok(token)
    }

    /// Revokes the user's feed token: its URL stops working at once. With no feed there is
    /// nothing to revoke, and nothing is written: a retried revoke succeeds as the first did.
    pub async fn revoke_calendar_token(
        &self,
        actor: &Actor,
        id: &UserId,
    ) -> Result<(), DomainError> {
        let account = actor.account();
        let user = self.load_user(account, id).await?;
        actor.may_manage_calendar(&user)?;
        let mut writes = self.calendar_feed_deletes(account, id).await?;
        if writes.is_empty() {
            return Ok(());
        }
        writes.push(self.audit_write(
            account,
            actor.audit_actor(),
            "revoke-calendar-token",
            ("user", id.as_str()),
            None::<&User>,
            None,
        )?);
        self.table.transact(writes).await?;
        Ok(())
    }

    /// The schedule behind a feed token (no login: the token is the secret). An unknown or
    /// revoked token, or a deleted user, is not found.
    pub async fn schedule_by_token(&self, raw: &str) -> Result<Schedule, DomainError> {
        let not_found = || DomainError::not_found("calendar", "feed");
        let token = ResetToken::parse(raw).map_err(|_| not_found())?;
        let item = self
            .table
            .get(&keys::calendar_token(&token.hash()))
            .await?
            .ok_or_else(not_found)?;
        let feed: FeedToken = decode(&item)?;
        let user = match self
            .table
            .get(&keys::user(&feed.account, &feed.user_id))
            .await?
        {
            Some(item) => records::user_from_item(&item)?,
            None => return Err(not_found()),
        };
        self.schedule_of(&feed.account, user).await
    }

    /// Deleting the user's feed: its pointer and token items, if there are any.
    pub(crate) async fn calendar_feed_deletes(
        &self,
        account: &AccountId,
        id: &UserId,
    ) -> Result<Vec<Write>, DomainError> {
        let pointer = keys::calendar_pointer(account, id);
        let Some(item) = self.table.get(&pointer).await? else {
            return Ok(Vec::new());
        };
        let feed: FeedPointer = decode(&item)?;
        Ok(vec![
            Write::delete(pointer, None),
            Write::delete(keys::calendar_token(&feed.hash), None),
        ])
    }
}
