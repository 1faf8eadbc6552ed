//! Shifts (SPEC.md §6): recurring on-call periods in a group, at a local wall-clock time in a
//! time zone, and who is on them. Only members of the group, and only standard users, are put
//! on a shift; each person's record lists the shifts they are on, written in the same
//! transaction as the shift.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::Roster;
use super::groups::GroupDetail;
use super::records;
use super::retry::{Attempt, optimistic};
use crate::access::Actor;
use crate::entities::{Repeat, Shift, ShiftRef, User};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, MAX_TRANSACTION_ITEMS, TableError, Write};
use crate::values::{AccountId, GroupId, ShiftId, ShiftName, TimeZoneName, UserId, parse_local};

/// A shift as typed: every field optional, so a create reports all problems at once and a
/// patch changes only what it names. A patch that changes `time_zone` alone keeps the
/// wall-clock time: a 09:00 shift moved to another zone starts at 09:00 there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShiftInput {
    pub name: Option<String>,
    pub starts_at: Option<String>,
    pub time_zone: Option<String>,
    pub duration_minutes: Option<i64>,
    pub repeat: Option<String>,
    pub user_ids: Option<Vec<String>>,
}

impl Roster {
    /// Applies `input` on top of `base` (a new shift when `None`), checking every field and
    /// every person against the group; all problems at once.
    async fn shaped(
        &self,
        account: &AccountId,
        detail: &GroupDetail,
        base: Option<&Shift>,
        input: &ShiftInput,
    ) -> Result<(Shift, Vec<User>), DomainError> {
        let mut errors = FieldErrors::new();
        let creating = base.is_none();
        let name = if creating || input.name.is_some() {
            errors.required("name", "Name", input.name.as_deref(), ShiftName::parse)
        } else {
            base.map(|b| b.name.clone())
        };
        let time_zone = match (&input.time_zone, base) {
            (Some(raw), _) => errors.parsed("time_zone", "Time zone", TimeZoneName::parse(raw)),
            (None, Some(b)) => Some(b.time_zone.clone()),
            (None, None) => Some(TimeZoneName::utc()),
        };
        let starts_local = match (&input.starts_at, &time_zone) {
            (None, _) if !creating => base.map(|b| b.starts_local),
            (raw, Some(zone)) => errors.required("starts_at", "Start", raw.as_deref(), |r| {
                parse_local(r, zone)
            }),
            // The zone is wrong, so the start cannot be read in it: only its absence is news.
            (raw, None) => {
                if raw.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    errors.push("starts_at", "Start is required");
                }
                None
            }
        };
        let repeat = match (&input.repeat, base) {
            (Some(raw), _) => errors.parsed("repeat", "Repeat", Repeat::parse(raw)),
            (None, Some(b)) => Some(b.repeat),
            (None, None) => Some(Repeat::None),
        };
        let duration = match (input.duration_minutes, base) {
            (Some(n), _) => Some(n),
            (None, Some(b)) => Some(i64::from(b.duration_minutes)),
            (None, None) => {
                errors.push("duration_minutes", "Duration is required");
                None
            }
        };
        let duration = duration.and_then(|n| {
            let limit = repeat.map_or(Shift::MAX_MINUTES, |r| r.max_minutes());
            match u32::try_from(n) {
                Ok(n) if (1..=limit).contains(&n) => Some(n),
                _ => {
                    errors.push(
                        "duration_minutes",
                        format!(
                            "Duration must be 1 to {limit} minutes for a {} shift",
                            repeat.map_or("", |r| r.id())
                        ),
                    );
                    None
                }
            }
        });
        let raw_users: Vec<String> = match (&input.user_ids, base) {
            (Some(ids), _) => ids.clone(),
            (None, Some(b)) => b.user_ids.iter().map(|u| u.to_string()).collect(),
            (None, None) => Vec::new(),
        };
        let users = self
            .shift_people(account, detail, &raw_users, &mut errors)
            .await?;
        errors.finish(|| {
            let users = users?;
            let shift = Shift {
                id: base.map_or_else(|| ShiftId::from_ulid(self.ids.new_id()), |b| b.id.clone()),
                group_id: detail.group.id.clone(),
                name: name?,
                starts_local: starts_local?,
                time_zone: time_zone?,
                duration_minutes: duration?,
                repeat: repeat?,
                user_ids: users.iter().map(|u| u.id.clone()).collect(),
                version: base.map_or(1, |b| b.version + 1),
            };
            Some((shift, users))
        })
    }

    /// The people named for a shift, each checked: a user of the account, a member of the
    /// group, a standard user; no one twice; at most `Shift::MAX_USERS`.
    async fn shift_people(
        &self,
        account: &AccountId,
        detail: &GroupDetail,
        raw: &[String],
        errors: &mut FieldErrors,
    ) -> Result<Option<Vec<User>>, DomainError> {
        if raw.len() > Shift::MAX_USERS {
            errors.push(
                "user_ids",
                format!("A shift holds at most {} people", Shift::MAX_USERS),
            );
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(raw.len());
        let mut seen = BTreeSet::new();
        for (i, text) in raw.iter().enumerate() {
            let field = format!("user_ids[{i}]");
            match UserId::parse(text) {
                Ok(id) if !seen.insert(id.clone()) => {
                    errors.push(field, format!("User {id} is named twice"))
                }
                Ok(id) => ids.push((field, id)),
                Err(_) => errors.push(field, format!("User {text} is not a user id")),
            }
        }
        let keys: Vec<_> = ids.iter().map(|(_, id)| keys::user(account, id)).collect();
        let found = self
            .table
            .get_many(&keys)
            .await?
            .iter()
            .map(records::user_from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let mut users = Vec::with_capacity(ids.len());
        let mut ok = errors.is_empty();
        for (field, id) in &ids {
            let Some(user) = found.iter().find(|u| &u.id == id) else {
                errors.push(
                    field.clone(),
                    format!("User {id} does not exist in this account"),
                );
                ok = false;
                continue;
            };
            if !detail.memberships.iter().any(|m| &m.user_id == id) {
                errors.push(
                    field.clone(),
                    format!("User {id} is not a member of group {}", detail.group.name),
                );
                ok = false;
            } else if !user.user_type.may_take_shifts() {
                errors.push(
                    field.clone(),
                    format!(
                        "User {id} is a {} user and cannot be on shifts",
                        user.user_type
                    ),
                );
                ok = false;
            } else {
                users.push(user.clone());
            }
        }
        Ok(ok.then_some(users))
    }

    /// The writes that keep people's records in step with a shift: added people get the
    /// reference (and must still be members), removed people lose it.
    fn people_writes(
        &self,
        account: &AccountId,
        shift: &Shift,
        added: &[User],
        removed: &[User],
    ) -> Result<Vec<Write>, DomainError> {
        let reference = ShiftRef {
            group_id: shift.group_id.clone(),
            shift_id: shift.id.clone(),
        };
        let mut writes = Vec::new();
        for (user, adding) in added
            .iter()
            .map(|u| (u, true))
            .chain(removed.iter().map(|u| (u, false)))
        {
            let mut next = user.clone();
            if adding {
                next.shifts.insert(reference.clone());
                writes.push(Write::check(
                    keys::membership(account, &shift.group_id, &user.id),
                    Condition::MustExist,
                ));
            } else {
                next.shifts.remove(&reference);
            }
            next.version += 1;
            next.updated_at = self.clock.now();
            writes.push(Write::put(
                records::user_item(account, &next)?,
                Condition::VersionIs(user.version),
            ));
        }
        if writes.len() + 2 > MAX_TRANSACTION_ITEMS {
            return Err(DomainError::Validation(vec![crate::FieldError::new(
                "user_ids",
                "Change fewer people on a shift at once",
            )]));
        }
        Ok(writes)
    }

    /// A group's shifts by first occurrence: for whoever may read the group.
    pub async fn list_shifts(
        &self,
        actor: &Actor,
        group: &GroupId,
    ) -> Result<Vec<Shift>, DomainError> {
        let detail = self.load_group(actor.account(), group).await?;
        actor.may_read_group(group)?;
        let mut shifts = detail.shifts;
        shifts.sort_by_key(|s| (s.starts_at(), s.id.clone()));
        Ok(shifts)
    }

    /// One shift of a group: for whoever may read the group.
    pub async fn get_shift(
        &self,
        actor: &Actor,
        group: &GroupId,
        shift: &ShiftId,
    ) -> Result<Shift, DomainError> {
        let detail = self.load_group(actor.account(), group).await?;
        actor.may_read_group(group)?;
        shift_in(&detail, shift)
    }

    pub async fn create_shift(
        &self,
        actor: &Actor,
        group: &GroupId,
        input: &ShiftInput,
    ) -> Result<Shift, DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, group).await?;
            actor.may_manage_group(group, "changing a group's shifts")?;
            let (shift, users) = self.shaped(account, &detail, None, input).await?;
            let mut writes = vec![
                Write::put(
                    records::shift_item(account, &shift)?,
                    Condition::MustNotExist,
                ),
                Write::check(keys::group(account, group), Condition::MustExist),
            ];
            writes.extend(self.people_writes(account, &shift, &users, &[])?);
            writes.push(self.audit_write(
                account,
                actor.audit_actor(),
                "create-shift",
                ("shift", shift.id.as_str()),
                None,
                Some(&shift),
            )?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(shift)),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub async fn update_shift(
        &self,
        actor: &Actor,
        group: &GroupId,
        shift_id: &ShiftId,
        input: &ShiftInput,
    ) -> Result<Shift, DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, group).await?;
            actor.may_manage_group(group, "changing a group's shifts")?;
            let before = shift_in(&detail, shift_id)?;
            let (after, users) = self.shaped(account, &detail, Some(&before), input).await?;
            if (Shift {
                version: before.version,
                ..after.clone()
            }) == before
            {
                return Ok(Attempt::Done(before));
            }
            let added: Vec<User> = users
                .into_iter()
                .filter(|u| !before.user_ids.contains(&u.id))
                .collect();
            let removed_ids: Vec<UserId> = before
                .user_ids
                .iter()
                .filter(|u| !after.user_ids.contains(u))
                .cloned()
                .collect();
            let removed = self.users(account, &removed_ids).await?;
            let mut writes = vec![Write::put(
                records::shift_item(account, &after)?,
                Condition::VersionIs(before.version),
            )];
            writes.extend(self.people_writes(account, &after, &added, &removed)?);
            writes.push(self.audit_write(
                account,
                actor.audit_actor(),
                "update-shift",
                ("shift", shift_id.as_str()),
                Some(&before),
                Some(&after),
            )?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(after)),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub async fn delete_shift(
        &self,
        actor: &Actor,
        group: &GroupId,
        shift_id: &ShiftId,
    ) -> Result<(), DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, group).await?;
            actor.may_manage_group(group, "changing a group's shifts")?;
            let before = shift_in(&detail, shift_id)?;
            let on_it = self.users(account, &before.user_ids).await?;
            let mut writes = vec![Write::delete(
                keys::shift(account, group, shift_id),
                Condition::VersionIs(before.version),
            )];
            writes.extend(self.people_writes(account, &before, &[], &on_it)?);
            writes.push(self.audit_write(
                account,
                actor.audit_actor(),
                "delete-shift",
                ("shift", shift_id.as_str()),
                Some(&before),
                None,
            )?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The users among `ids` that exist, read in one batch.
    pub(crate) async fn users(
        &self,
        account: &AccountId,
        ids: &[UserId],
    ) -> Result<Vec<User>, DomainError> {
        let keys: Vec<_> = ids.iter().map(|id| keys::user(account, id)).collect();
        self.table
            .get_many(&keys)
            .await?
            .iter()
            .map(records::user_from_item)
            .collect()
    }
}

/// The shift `id` of a group, or not found.
fn shift_in(detail: &GroupDetail, id: &ShiftId) -> Result<Shift, DomainError> {
    detail
        .shifts
        .iter()
        .find(|s| &s.id == id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("shift", id.as_str()))
}
