//! Out-of-office (SPEC.md §6): periods a user is away, never overlapping, each with cover —
//! one person for all groups, or a person per group. Each covering person is emailed what they
//! cover and when.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Deserialize;

use super::Roster;
use super::invitations::html_escape;
use super::records;
use super::retry::{Attempt, optimistic};
use crate::access::Actor;
use crate::entities::{Cover, CoverRef, OutOfOffice, User};
use crate::error::{DomainError, FieldErrors, InvalidValue};
use crate::ports::mailer::Message;
use crate::ports::table::{Condition, TableError, Write};
use crate::values::{AccountId, GroupId, GroupName, UserId, for_people};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutOfOfficeInput {
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub cover: Option<CoverInput>,
}

/// Exactly one of `all` (a user id) or `groups` (group id → user id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverInput {
    pub all: Option<String>,
    pub groups: Option<BTreeMap<String, String>>,
}

fn instant(raw: &str) -> Result<Timestamp, InvalidValue> {
    raw.trim()
        .parse()
        .map_err(|_| InvalidValue::new("must be an RFC 3339 date and time"))
}

impl Roster {
    /// The user's out-of-office entries: for whoever may read their profile.
    pub async fn list_out_of_office(
        &self,
        actor: &Actor,
        id: &UserId,
    ) -> Result<Vec<OutOfOffice>, DomainError> {
        let user = self.load_user(actor.account(), id).await?;
        actor.may_read_user(&user)?;
        Ok(user.out_of_office)
    }

    /// Adds an entry; refused if it overlaps another. Each covering person's record notes the
    /// entry (so their calendar shows it) and they are emailed — all in one transaction with
    /// the entry, the emails sent after it.
    pub async fn add_out_of_office(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &OutOfOfficeInput,
    ) -> Result<OutOfOffice, DomainError> {
        let account = actor.account();
        let entry_id = self.ids.new_id().to_string();
        let (added, notices) = optimistic(|| async {
            let target = self.load_user(account, id).await?;
            actor.may_manage_out_of_office(&target)?;
            let (entry, covering, names) = self
                .checked_entry(account, &target, input, &entry_id)
                .await?;
            actor.may_set_cover(&target, &entry.cover)?;
            if let Some(clash) = target.out_of_office.iter().find(|o| o.overlaps(&entry)) {
                return Err(DomainError::conflict(format!(
                    "the period overlaps out-of-office entry {} ({} to {})",
                    clash.id, clash.starts_at, clash.ends_at
                )));
            }
            let next = self.bumped(&target, |u| {
                u.out_of_office.push(entry.clone());
                u.out_of_office.sort_by_key(|o| o.starts_at);
            });
            let reference = CoverRef {
                user_id: target.id.clone(),
                entry_id: entry.id.clone(),
            };
            let mut writes = self.cover_writes(account, &covering, |c| {
                c.covering.insert(reference.clone());
            })?;
            let mut notices = Vec::with_capacity(covering.len());
            for person in &covering {
                let (notice, write) =
                    self.new_notice(account, cover_message(&target, person, &entry, &names))?;
                notices.push(notice);
                writes.push(write);
            }
            writes.extend(self.entry_writes(actor, "add-out-of-office", &target, &next)?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done((entry, notices))),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        for notice in notices {
            self.send_notice(notice).await?;
        }
        Ok(added)
    }

    /// Removes an entry, and its note from each covering person's record.
    pub async fn remove_out_of_office(
        &self,
        actor: &Actor,
        id: &UserId,
        entry: &str,
    ) -> Result<(), DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let target = self.load_user(account, id).await?;
            actor.may_manage_out_of_office(&target)?;
            let Some(at) = target.out_of_office.iter().position(|o| o.id == entry) else {
                return Err(DomainError::not_found("out-of-office entry", entry));
            };
            actor.may_set_cover(&target, &target.out_of_office[at].cover)?;
            let next = self.bumped(&target, |u| {
                u.out_of_office.remove(at);
            });
            let reference = CoverRef {
                user_id: target.id.clone(),
                entry_id: entry.to_owned(),
            };
            let ids: Vec<UserId> = target.out_of_office[at]
                .covering_users()
                .into_iter()
                .cloned()
                .collect();
            let covering = self.users(account, &ids).await?;
            let mut writes = self.cover_writes(account, &covering, |c| {
                c.covering.remove(&reference);
            })?;
            writes.extend(self.entry_writes(actor, "remove-out-of-office", &target, &next)?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// `user` changed by `change`, as the next version.
    fn bumped(&self, user: &User, change: impl FnOnce(&mut User)) -> User {
        let mut next = user.clone();
        change(&mut next);
        next.version = user.version + 1;
        next.updated_at = self.clock.now();
        next
    }

    /// Each covering person's record changed by `change`, guarded by the version read.
    fn cover_writes(
        &self,
        account: &AccountId,
        covering: &[User],
        change: impl Fn(&mut User),
    ) -> Result<Vec<Write>, DomainError> {
        covering
            .iter()
            .map(|c| {
                let next = self.bumped(c, &change);
                Ok(Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(c.version),
                ))
            })
            .collect()
    }

    /// The away user's new record, and the audit entry of the change.
    fn entry_writes(
        &self,
        actor: &Actor,
        action: &str,
        before: &User,
        after: &User,
    ) -> Result<[Write; 2], DomainError> {
        let account = actor.account();
        Ok([
            Write::put(
                records::user_item(account, after)?,
                Condition::VersionIs(before.version),
            ),
            self.audit_write(
                account,
                actor.audit_actor(),
                action,
                ("user", before.id.as_str()),
                Some(before),
                Some(after),
            )?,
        ])
    }

    /// The entry `input` describes, checked against the user and the account, with the people
    /// who cover.
    async fn checked_entry(
        &self,
        account: &AccountId,
        target: &User,
        input: &OutOfOfficeInput,
        entry_id: &str,
    ) -> Result<(OutOfOffice, Vec<User>, GroupNames), DomainError> {
        let mut errors = FieldErrors::new();
        let starts = errors.required("starts_at", "Start", input.starts_at.as_deref(), instant);
        let ends = errors.required("ends_at", "End", input.ends_at.as_deref(), instant);
        if let (Some(s), Some(e)) = (starts, ends) {
            if s >= e {
                errors.push("ends_at", "End must be after the start");
            } else if e <= self.clock.now() {
                errors.push("ends_at", "End must be in the future");
            }
        }
        let cover = match &input.cover {
            Some(CoverInput {
                all: Some(user),
                groups: None,
            }) => errors
                .parsed("cover.all", "Covering user", UserId::parse(user))
                .map(Cover::All),
            Some(CoverInput {
                all: None,
                groups: Some(groups),
            }) if !groups.is_empty() => {
                let mut by_group = BTreeMap::new();
                for (group, user) in groups {
                    let field = format!("cover.groups.{group}");
                    let group_id = errors.parsed(&field, "Group", GroupId::parse(group));
                    let user_id = errors.parsed(&field, "Covering user", UserId::parse(user));
                    match (group_id, user_id) {
                        (Some(g), Some(_)) if !target.member_of.contains_key(&g) => {
                            errors
                                .push(field, format!("Group {g} is not one of the user's groups"));
                        }
                        (Some(g), Some(u)) => {
                            by_group.insert(g, u);
                        }
                        _ => {}
                    }
                }
                Some(Cover::Groups(by_group))
            }
            _ => {
                errors.push(
                    "cover",
                    "Cover needs exactly one of `all` (a user) or `groups` (group to user)",
                );
                None
            }
        };
        let entry = errors.finish(|| {
            Some(OutOfOffice {
                id: entry_id.to_owned(),
                starts_at: starts?,
                ends_at: ends?,
                cover: cover?,
            })
        })?;
        let ids: Vec<UserId> = entry.covering_users().into_iter().cloned().collect();
        let found = self.users(account, &ids).await?;
        let mut errors = FieldErrors::new();
        for id in &ids {
            match found.iter().find(|u| &u.id == id) {
                None => errors.push(
                    "cover",
                    format!("Covering user {id} does not exist in this account"),
                ),
                Some(u) if u.id == target.id => errors.push("cover", "Nobody covers for themself"),
                Some(u) if !u.user_type.may_take_shifts() => errors.push(
                    "cover",
                    format!(
                        "Covering user {id} is a {} user and cannot take alerts",
                        u.user_type
                    ),
                ),
                Some(u) if u.deactivated => errors.push(
                    "cover",
                    format!("Covering user {id} is deactivated and covers nobody"),
                ),
                Some(_) => {}
            }
        }
        let names = match &entry.cover {
            Cover::All(_) => GroupNames::new(),
            Cover::Groups(by_group) => self
                .group_names(account, by_group.keys())
                .await?
                .into_iter()
                .collect(),
        };
        errors.finish(|| Some((entry, found, names)))
    }
}

/// Group names by id, for messages.
type GroupNames = BTreeMap<GroupId, GroupName>;

fn cover_message(away: &User, covering: &User, entry: &OutOfOffice, names: &GroupNames) -> Message {
    let when = |t: Timestamp| for_people(t, &covering.preferences.time_zone);
    let what = match &entry.cover {
        Cover::All(_) => "all of their groups".to_owned(),
        Cover::Groups(by_group) => {
            let mut names: Vec<String> = by_group
                .iter()
                .filter(|(_, user)| **user == covering.id)
                .map(|(group, _)| {
                    names
                        .get(group)
                        .map_or_else(|| group.to_string(), |name| name.to_string())
                })
                .collect();
            names.sort();
            names.join(", ")
        }
    };
    let away_name = format!("{} {}", away.first_name, away.last_name);
    let (from, to) = (when(entry.starts_at), when(entry.ends_at));
    Message {
        to: covering.email.clone(),
        subject: format!("You cover for {away_name} from {from}"),
        text: format!(
            "Hello {},\n\n{away_name} is out of office from {from} to {to}.\n\
             You cover them for: {what}.\nAlerts for them in that time come to you.\n",
            covering.first_name
        ),
        html: format!(
            "<p>Hello {},</p><p>{} is out of office from {from} to {to}.</p>\
             <p>You cover them for: {}.</p><p>Alerts for them in that time come to you.</p>",
            html_escape(covering.first_name.as_str()),
            html_escape(&away_name),
            html_escape(&what),
        ),
    }
}
