//! Calendar export (SPEC.md §6): a user's on-call time over a window of dates — from today for
//! 90 days unless asked, at most 366 — for the signed-in `schedule.ics` and for a secret,
//! revocable feed URL that calendar apps poll without a login. What "on call" means comes from
//! the on-call resolver (`crate::oncall::duties`): the user's own shift occurrences, less the
//! stretches a cover takes while they are away, plus the stretches they cover for others.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::{self, decode};
use crate::access::Actor;
use crate::entities::{Cover, User};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::oncall::{self, Unreachable, Via};
use crate::ports::table::{Condition, Item, Key, Write};
use crate::secrets::{ResetToken, TokenHash};
use crate::values::{AccountId, GroupId, UserId};

/// How far ahead a calendar looks unless asked otherwise, in days.
pub const SCHEDULE_DAYS: i64 = 90;
/// The longest window a calendar may ask for, in days.
pub const MAX_SCHEDULE_DAYS: i64 = 366;

/// The dates a calendar is asked for, both included, in the user's time zone. Either may be left
/// out: `from` is then today, `to` the 90th day from `from`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleWindow {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One stretch of on-call time of the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledShift {
    /// Stable across exports: the shift, the occurrence, the stretch and whose place it is.
    pub uid: String,
    pub group: String,
    pub shift: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// The name of the person the user covers for in this stretch.
    pub covering_for: Option<String>,
    /// Set when the user is scheduled but cannot be paged (deactivated, or away uncovered).
    pub unreachable: Option<Unreachable>,
}

/// What a calendar shows: whose it is (their time zone included), the window, the stretches.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub user: User,
    pub generated_at: Timestamp,
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

impl ScheduleWindow {
    /// The window as instants: from the start of `from` to the end of `to` in `user`'s zone.
    fn instants(&self, user: &User, now: Timestamp) -> Result<(Timestamp, Timestamp), DomainError> {
        let tz = user.preferences.time_zone.time_zone();
        let from = self.from.unwrap_or_else(|| tz.to_datetime(now).date());
        let mut errors = FieldErrors::new();
        let to = match self.to {
            Some(to) => to,
            None => from
                .checked_add(jiff::SignedDuration::from_hours(24 * (SCHEDULE_DAYS - 1)))
                .unwrap_or(from),
        };
        let days = from.duration_until(to).as_hours() / 24 + 1;
        if days < 1 {
            errors.push("to", "To must be on or after from");
        } else if days > MAX_SCHEDULE_DAYS {
            errors.push(
                "to",
                format!("A calendar covers at most {MAX_SCHEDULE_DAYS} days; this asks for {days}"),
            );
        }
        let start = |date: Date| tz.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()));
        let bounds = start(from)
            .ok()
            .zip(to.tomorrow().ok().and_then(|d| start(d).ok()));
        if bounds.is_none() {
            errors.push("to", "The window is outside the supported range of dates");
        }
        errors.finish(|| bounds)
    }
}

impl Roster {
    /// The user's on-call time over `window`: one's own, or a profile one may read.
    pub async fn schedule(
        &self,
        actor: &Actor,
        id: &UserId,
        window: ScheduleWindow,
    ) -> Result<Schedule, DomainError> {
        let user = self.load_user(actor.account(), id).await?;
        actor.may_read_user(&user)?;
        self.schedule_of(actor.account(), user, window).await
    }

    /// Reads what the user's calendar can involve — their shifts, their covers, the people they
    /// cover for and those people's shifts in the covered groups — in at most two batches, and
    /// asks the resolver.
    async fn schedule_of(
        &self,
        account: &AccountId,
        user: User,
        window: ScheduleWindow,
    ) -> Result<Schedule, DomainError> {
        let now = self.clock.now();
        let (from, to) = window.instants(&user, now)?;
        let overlaps = |o: &crate::entities::OutOfOffice| o.starts_at < to && from < o.ends_at;
        let mut wanted: Vec<Key> = user
            .shifts
            .iter()
            .map(|r| keys::shift(account, &r.group_id, &r.shift_id))
            .collect();
        let own_groups: BTreeSet<&GroupId> = user.shifts.iter().map(|r| &r.group_id).collect();
        wanted.extend(own_groups.iter().map(|g| keys::group(account, g)));
        let people_ids: BTreeSet<&UserId> = user
            .out_of_office
            .iter()
            .filter(|o| overlaps(o))
            .flat_map(|o| o.covering_users())
            .chain(user.covering.iter().map(|c| &c.user_id))
            .filter(|id| **id != user.id)
            .collect();
        wanted.extend(people_ids.iter().map(|id| keys::user(account, id)));
        let mut read = self.read_batch(&wanted).await?;

        // The shifts of the people the user covers for, in the groups they cover, and those
        // groups' names.
        let covered_groups = covered_groups(&user, &read.users, &overlaps);
        let known: BTreeSet<(GroupId, crate::values::ShiftId)> = read
            .shifts
            .iter()
            .map(|s| (s.group_id.clone(), s.id.clone()))
            .collect();
        let covered: BTreeSet<&UserId> = user.covering.iter().map(|c| &c.user_id).collect();
        let mut more: BTreeSet<Key> = read
            .users
            .iter()
            .filter(|o| covered.contains(&o.id))
            .flat_map(|o| o.shifts.iter())
            .filter(|r| covered_groups.contains(&r.group_id))
            .filter(|r| !known.contains(&(r.group_id.clone(), r.shift_id.clone())))
            .map(|r| keys::shift(account, &r.group_id, &r.shift_id))
            .collect();
        more.extend(
            covered_groups
                .iter()
                .filter(|g| !own_groups.contains(g))
                .map(|g| keys::group(account, g)),
        );
        let second = self
            .read_batch(&more.into_iter().collect::<Vec<_>>())
            .await?;
        read.shifts.extend(second.shifts);
        read.groups.extend(second.groups);
        let (shifts, others) = (read.shifts, read.users);
        let group_names: BTreeMap<GroupId, String> = read
            .groups
            .into_iter()
            .map(|(id, g)| (id, g.name.to_string()))
            .collect();
        let names: BTreeMap<&UserId, String> = others
            .iter()
            .map(|u| (&u.id, format!("{} {}", u.first_name, u.last_name)))
            .collect();
        let people = oncall::people(others.iter().chain(std::iter::once(&user)));
        let mut out: Vec<ScheduledShift> = oncall::duties(&shifts, &people, from, to)
            .into_iter()
            .filter(|d| d.responder.user_id == user.id)
            .map(|d| ScheduledShift {
                uid: format!(
                    "{}-{}-{}-{}@roster",
                    d.shift.id,
                    d.occurrence.start.as_second(),
                    d.start.as_second(),
                    d.scheduled
                ),
                group: group_names
                    .get(&d.shift.group_id)
                    .cloned()
                    .unwrap_or_else(|| d.shift.group_id.to_string()),
                shift: d.shift.name.to_string(),
                starts_at: d.start,
                ends_at: d.end,
                covering_for: match d.responder.via {
                    Via::Cover => d
                        .responder
                        .covering_for
                        .as_ref()
                        .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string())),
                    Via::Shift | Via::Member => None,
                },
                unreachable: d.responder.unreachable,
            })
            .collect();
        out.sort_by(|a, b| (a.starts_at, &a.uid).cmp(&(b.starts_at, &b.uid)));
        Ok(Schedule {
            user,
            generated_at: now,
            from,
            to,
            shifts: out,
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
    pub async fn schedule_by_token(
        &self,
        raw: &str,
        window: ScheduleWindow,
    ) -> Result<Schedule, DomainError> {
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
        self.schedule_of(&feed.account, user, window).await
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

/// The groups in which `user` covers, during the window, for one of `others`.
fn covered_groups(
    user: &User,
    others: &[User],
    overlaps: &dyn Fn(&crate::entities::OutOfOffice) -> bool,
) -> BTreeSet<GroupId> {
    let mut groups = BTreeSet::new();
    for other in others {
        let entries = user
            .covering
            .iter()
            .filter(|c| c.user_id == other.id)
            .filter_map(|c| other.out_of_office.iter().find(|o| o.id == c.entry_id))
            .filter(|o| overlaps(o));
        for entry in entries {
            match &entry.cover {
                Cover::All(cover) if *cover == user.id => {
                    groups.extend(other.member_of.keys().cloned());
                }
                Cover::All(_) => {}
                Cover::Groups(by_group) => groups.extend(
                    by_group
                        .iter()
                        .filter(|(_, cover)| **cover == user.id)
                        .map(|(group, _)| group.clone()),
                ),
            }
        }
    }
    groups
}
