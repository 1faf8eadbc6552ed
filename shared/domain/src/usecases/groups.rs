//! Groups and their members (SPEC.md §6). A group has members, each with any of the group-member
//! roles primary / secondary / manager; a group with members keeps a primary or secondary.
//! Membership lives twice, written together: the membership item under the group (the group's
//! member list) and the roles in the user's `member_of` (their rights). Group names live on the
//! group alone, so a rename is one write whatever the group's size; deleting a group of any
//! size marks it deleted first (gone for every reader) and then removes its members in batches,
//! so an interrupted delete is finished by the next.

use serde::Deserialize;

use super::Roster;
use super::records::{self, decode};
use super::retry::{Attempt, optimistic};
use super::transaction::{Guard, Transaction};
use crate::access::Actor;
use crate::entities::{Group, ManagedBy, MemberRoles, Membership, Shift, User};
use crate::error::{DomainError, FieldError, FieldErrors, Holes, ShiftOnDuty};
use crate::keys;
use crate::ports::table::{Condition, MAX_TRANSACTION_ITEMS, Query, TableError, Write, query_all};
use crate::values::{AccountId, GroupId, GroupName, UserId};

/// Members leaving a group being deleted, per transaction: a membership delete and a profile
/// write each, within DynamoDB's 100 items.
const LEAVERS_PER_TRANSACTION: usize = MAX_TRANSACTION_ITEMS / 2;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub name: Option<String>,
}

/// The roles to give a member; an absent one is off (the whole set is replaced).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub primary: Option<bool>,
    pub secondary: Option<bool>,
    pub manager: Option<bool>,
}

/// A group with everything under it, read in one query.
#[derive(Debug, Clone)]
pub struct GroupDetail {
    pub group: Group,
    pub memberships: Vec<Membership>,
    pub shifts: Vec<Shift>,
}

/// A member as a group's member list shows them.
#[derive(Debug, Clone)]
pub struct Member {
    pub user: User,
    pub roles: MemberRoles,
}

fn parse_name(input: &GroupInput) -> Result<GroupName, DomainError> {
    let mut errors = FieldErrors::new();
    let name = errors.required("name", "Name", input.name.as_deref(), GroupName::parse);
    errors.finish(|| name)
}

fn name_taken(name: &GroupName) -> DomainError {
    DomainError::Conflict {
        message: format!("a group named {name} already exists"),
        fields: vec![FieldError::new(
            "name",
            format!("Name {name} is already taken in this account"),
        )],
    }
}

/// Whether members with these roles satisfy "a group with members keeps a primary or
/// secondary".
fn keeps_escalation<'a>(mut roles: impl Iterator<Item = &'a MemberRoles>) -> bool {
    let mut any = false;
    let escalates = roles.any(|r| {
        any = true;
        r.escalates()
    });
    escalates || !any
}

impl Roster {
    /// A group with its memberships and shifts, in one partition query; not found once a delete
    /// has begun.
    pub(crate) async fn load_group(
        &self,
        account: &AccountId,
        id: &GroupId,
    ) -> Result<GroupDetail, DomainError> {
        match self.load_group_even_deleting(account, id).await? {
            detail if detail.group.deleting => Err(DomainError::not_found("group", id.as_str())),
            detail => Ok(detail),
        }
    }

    async fn load_group_even_deleting(
        &self,
        account: &AccountId,
        id: &GroupId,
    ) -> Result<GroupDetail, DomainError> {
        let items = query_all(
            self.table.as_ref(),
            Query::partition(keys::account_pk(account)).prefix(keys::group(account, id).sk),
        )
        .await?;
        let mut group = None;
        let mut memberships = Vec::new();
        let mut shifts = Vec::new();
        let members = keys::members_prefix(id);
        let shift_prefix = keys::shifts_prefix(id);
        for item in &items {
            if item.key.sk.starts_with(&members) {
                memberships.push(decode::<Membership>(item)?);
            } else if item.key.sk.starts_with(&shift_prefix) {
                shifts.push(records::shift_from_item(item)?);
            } else {
                group = Some(records::group_from_item(item)?);
            }
        }
        let group = group.ok_or_else(|| DomainError::not_found("group", id.as_str()))?;
        Ok(GroupDetail {
            group,
            memberships,
            shifts,
        })
    }

    /// The names of `groups` that exist (and are not being deleted), in one batch per 100.
    pub(crate) async fn group_names<'g>(
        &self,
        account: &AccountId,
        groups: impl IntoIterator<Item = &'g GroupId>,
    ) -> Result<Vec<(GroupId, GroupName)>, DomainError> {
        let keys: Vec<_> = groups
            .into_iter()
            .map(|id| keys::group(account, id))
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut names = Vec::with_capacity(keys.len());
        for item in self.table.get_many(&keys).await? {
            let group = records::group_from_item(&item)?;
            if !group.deleting {
                names.push((group.id, group.name));
            }
        }
        Ok(names)
    }

    pub async fn create_group(
        &self,
        actor: &Actor,
        input: &GroupInput,
    ) -> Result<Group, DomainError> {
        actor.may_manage_groups("creating groups")?;
        let name = parse_name(input)?;
        self.create_named_group(actor, name, ManagedBy::Api).await
    }

    /// As [`Roster::create_group`], with the name already checked and its owner said.
    pub async fn create_named_group(
        &self,
        actor: &Actor,
        name: GroupName,
        managed_by: ManagedBy,
    ) -> Result<Group, DomainError> {
        actor.may_manage_groups("creating groups")?;
        let account = actor.account();
        let group = Group {
            id: GroupId::from_ulid(self.ids.new_id()),
            name,
            created_at: self.clock.now(),
            deleting: false,
            managed_by,
            external_id: None,
            version: 1,
        };
        let mut tx = Transaction::new();
        tx.push(
            Guard::Account,
            Write::check(keys::account(account), Condition::MustExist),
        );
        tx.push(
            Guard::Stale,
            Write::put(
                records::group_item(account, &group)?,
                Condition::MustNotExist,
            ),
        );
        tx.push(Guard::GroupName, claim_name(account, &group)?);
        tx.push(
            Guard::Stale,
            self.audit_write(
                account,
                actor.audit_actor(),
                "create-group",
                ("group", group.id.as_str()),
                None,
                Some(&group),
            )?,
        );
        match tx.commit(self.table.as_ref()).await {
            Ok(()) => Ok(group),
            Err(refused) if refused.by(Guard::Account) => {
                Err(DomainError::not_found("account", account.as_str()))
            }
            Err(refused) if refused.by(Guard::GroupName) => Err(name_taken(&group.name)),
            Err(refused) => Err(refused.into()),
        }
    }

    /// Groups in name order: all of them for those who read every group, else one's own.
    pub async fn list_groups(&self, actor: &Actor) -> Result<Vec<Group>, DomainError> {
        let account = actor.account();
        let items = if actor.sees_every_group() {
            query_all(
                self.table.as_ref(),
                Query::index(keys::groups_by_name(account)),
            )
            .await?
        } else {
            let Actor::User(caller) = actor else {
                return Ok(Vec::new());
            };
            let keys: Vec<_> = caller
                .user
                .member_of
                .keys()
                .map(|id| keys::group(account, id))
                .collect();
            self.table.get_many(&keys).await?
        };
        let mut groups = items
            .iter()
            .map(records::group_from_item)
            .filter(|g| match g {
                Ok(g) => !g.deleting && actor.may_read_group(&g.id).is_ok(),
                Err(_) => true,
            })
            .collect::<Result<Vec<_>, _>>()?;
        groups.sort_by_key(|g| (g.name.as_str().to_lowercase(), g.id.clone()));
        Ok(groups)
    }

    /// A group, its members (with their roles in it) and its shifts.
    pub async fn get_group(
        &self,
        actor: &Actor,
        id: &GroupId,
    ) -> Result<(GroupDetail, Vec<Member>), DomainError> {
        let detail = self.load_group(actor.account(), id).await?;
        actor.may_read_group(id)?;
        let members = self.members_of(actor.account(), &detail).await?;
        Ok((detail, members))
    }

    /// The members of a group that exist, in name order. A membership whose user was just
    /// deleted (and is being cleaned up) is not shown.
    async fn members_of(
        &self,
        account: &AccountId,
        detail: &GroupDetail,
    ) -> Result<Vec<Member>, DomainError> {
        let ids: Vec<UserId> = detail
            .memberships
            .iter()
            .map(|m| m.user_id.clone())
            .collect();
        let mut members: Vec<Member> = self
            .users(account, &ids)
            .await?
            .into_iter()
            .filter_map(|user| {
                let roles = detail
                    .memberships
                    .iter()
                    .find(|m| m.user_id == user.id)?
                    .roles;
                Some(Member { user, roles })
            })
            .collect();
        members.sort_by_key(|m| {
            (
                m.user.last_name.as_str().to_lowercase(),
                m.user.first_name.as_str().to_lowercase(),
                m.user.id.clone(),
            )
        });
        Ok(members)
    }

    /// Renames a group: one write of the group and its name claim, whatever its size (members'
    /// profiles read the name from the group).
    pub async fn rename_group(
        &self,
        actor: &Actor,
        id: &GroupId,
        input: &GroupInput,
    ) -> Result<Group, DomainError> {
        self.edit_group(actor, id, "rename-group", "renaming groups", |before| {
            let name = parse_name(input)?;
            Ok(Group {
                name,
                ..before.clone()
            })
        })
        .await
    }

    /// As [`Roster::rename_group`], with the name already checked.
    pub async fn rename_group_to(
        &self,
        actor: &Actor,
        id: &GroupId,
        name: &GroupName,
    ) -> Result<Group, DomainError> {
        self.edit_group(actor, id, "rename-group", "renaming groups", |before| {
            Ok(Group {
                name: name.clone(),
                ..before.clone()
            })
        })
        .await
    }

    /// Hands a group over to the roster file (reconcile adopting an API-created group).
    pub async fn adopt_group(&self, actor: &Actor, id: &GroupId) -> Result<Group, DomainError> {
        self.edit_group(actor, id, "adopt-group", "adopting groups", |before| {
            Ok(Group {
                managed_by: ManagedBy::Config,
                ..before.clone()
            })
        })
        .await
    }

    /// One change to the group item (its name, its owner), written with its name claim when the
    /// name moves, guarded by the version read; nothing is written when nothing changes.
    async fn edit_group(
        &self,
        actor: &Actor,
        id: &GroupId,
        action: &str,
        doing: &str,
        edit: impl Fn(&Group) -> Result<Group, DomainError>,
    ) -> Result<Group, DomainError> {
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, id).await?;
            actor.may_manage_groups(doing)?;
            let edited = edit(&detail.group)?;
            self.write_group(actor, &detail.group, edited, action).await
        })
        .await
    }

    /// Writes `edited` over `before` (as read) with its name claim when the name moves, guarded
    /// by `before`'s version: `Raced` when another writer changed the group since.
    pub(super) async fn write_group(
        &self,
        actor: &Actor,
        before: &Group,
        edited: Group,
        action: &str,
    ) -> Result<Attempt<Group>, DomainError> {
        let account = actor.account();
        if edited == *before {
            return Ok(Attempt::Done(edited));
        }
        let group = Group {
            version: before.version + 1,
            ..edited
        };
        let mut tx = Transaction::new();
        tx.push(
            Guard::Stale,
            Write::put(
                records::group_item(account, &group)?,
                Condition::VersionIs(before.version),
            ),
        );
        if before.name.as_str().to_lowercase() != group.name.as_str().to_lowercase() {
            tx.push(
                Guard::Stale,
                Write::delete(keys::group_name_claim(account, &before.name), None),
            );
            tx.push(Guard::GroupName, claim_name(account, &group)?);
        }
        tx.push(
            Guard::Stale,
            self.audit_write(
                account,
                actor.audit_actor(),
                action,
                ("group", group.id.as_str()),
                Some(before),
                Some(&group),
            )?,
        );
        match tx.commit(self.table.as_ref()).await {
            Ok(()) => Ok(Attempt::Done(group)),
            Err(refused) if refused.by(Guard::Stale) => Ok(Attempt::Raced),
            Err(refused) if refused.by(Guard::GroupName) => Err(name_taken(&group.name)),
            Err(refused) => Err(refused.into()),
        }
    }

    /// Deletes a group of any size: refused while any of its shifts has people on it. The group
    /// is first marked deleted (its name freed, gone for every reader, the audit entry written),
    /// then its members leave in batches — a membership and a profile each, many to a
    /// transaction — and last the group goes with its shifts. Each step is safe to repeat, so a
    /// retry after an interruption at any point finishes the delete.
    pub async fn delete_group(&self, actor: &Actor, id: &GroupId) -> Result<(), DomainError> {
        let account = actor.account();
        let detail = optimistic(|| async {
            let detail = self.load_group_even_deleting(account, id).await?;
            actor.may_manage_groups("deleting groups")?;
            if detail.group.deleting {
                return Ok(Attempt::Done(detail));
            }
            refuse_staffed(&detail)?;
            let marked = Group {
                deleting: true,
                version: detail.group.version + 1,
                ..detail.group.clone()
            };
            let writes = vec![
                Write::put(
                    records::group_item(account, &marked)?,
                    Condition::VersionIs(detail.group.version),
                ),
                Write::delete(keys::group_name_claim(account, &detail.group.name), None),
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "delete-group",
                    ("group", id.as_str()),
                    Some(&detail.group),
                    None,
                )?,
            ];
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(GroupDetail {
                    group: marked,
                    ..detail
                })),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        for batch in detail.memberships.chunks(LEAVERS_PER_TRANSACTION) {
            self.leave_in_batch(account, id, batch).await?;
        }
        let mut rest: Vec<Write> = detail
            .shifts
            .iter()
            .map(|s| Write::delete(keys::shift(account, id, &s.id), None))
            .collect();
        while rest.len() >= MAX_TRANSACTION_ITEMS {
            let batch: Vec<Write> = rest.drain(..MAX_TRANSACTION_ITEMS - 1).collect();
            self.table.transact(batch).await?;
        }
        rest.push(Write::delete(
            keys::group(account, id),
            Condition::VersionIs(detail.group.version),
        ));
        match self.table.transact(rest).await {
            // Another delete of the same group finished first.
            Ok(()) | Err(TableError::ConditionFailed(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Members leaving a group being deleted, in one transaction: each membership item goes
    /// with the entry in its user's profile (the version read guards it). A profile changed
    /// meanwhile makes the batch read again; a user already gone leaves only the membership.
    async fn leave_in_batch(
        &self,
        account: &AccountId,
        group: &GroupId,
        batch: &[Membership],
    ) -> Result<(), DomainError> {
        let ids: Vec<UserId> = batch.iter().map(|m| m.user_id.clone()).collect();
        optimistic(|| async {
            let mut writes: Vec<Write> = batch
                .iter()
                .map(|m| Write::delete(keys::membership(account, group, &m.user_id), None))
                .collect();
            for user in self.users(account, &ids).await? {
                if !user.member_of.contains_key(group) {
                    continue;
                }
                let mut next = user.clone();
                next.member_of.remove(group);
                next.version += 1;
                next.updated_at = self.clock.now();
                writes.push(Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(user.version),
                ));
            }
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// The members of a group, with their roles in it.
    pub async fn list_members(
        &self,
        actor: &Actor,
        group: &GroupId,
    ) -> Result<Vec<Member>, DomainError> {
        Ok(self.get_group(actor, group).await?.1)
    }

    /// Makes `user` a member of `group` with exactly `input`'s roles (`true`: a new member).
    pub async fn put_member(
        &self,
        actor: &Actor,
        group: &GroupId,
        user: &UserId,
        input: &MemberInput,
    ) -> Result<(Membership, bool), DomainError> {
        let roles = MemberRoles {
            primary: input.primary.unwrap_or(false),
            secondary: input.secondary.unwrap_or(false),
            manager: input.manager.unwrap_or(false),
        };
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, group).await?;
            self.put_member_in(actor, &detail, user, roles).await
        })
        .await
    }

    /// Puts many members into one group (reconcile), each as [`Roster::put_member`] would, in
    /// order, reading the group once rather than once per member: a member's outcome does not
    /// stop the next. The group is read again only after another writer changed it.
    pub async fn put_members(
        &self,
        actor: &Actor,
        group: &GroupId,
        members: &[(UserId, MemberRoles)],
    ) -> Vec<Result<(), DomainError>> {
        let account = actor.account();
        // The group as this call last saw it; emptied when a write finds it stale.
        let known = std::sync::Mutex::new(None::<GroupDetail>);
        let mut outcomes = Vec::with_capacity(members.len());
        for (user, roles) in members {
            let outcome = optimistic(|| async {
                let cached = known.lock().unwrap_or_else(|e| e.into_inner()).take();
                let mut detail = match cached {
                    Some(detail) => detail,
                    None => self.load_group(account, group).await?,
                };
                let unchanged = detail
                    .memberships
                    .iter()
                    .any(|m| &m.user_id == user && m.roles == *roles);
                let attempt = self.put_member_in(actor, &detail, user, *roles).await?;
                if let Attempt::Done((membership, _)) = &attempt {
                    if !unchanged {
                        detail
                            .memberships
                            .retain(|m| m.user_id != membership.user_id);
                        detail.memberships.push(membership.clone());
                        detail.group.version += 1;
                    }
                    *known.lock().unwrap_or_else(|e| e.into_inner()) = Some(detail);
                }
                Ok(attempt)
            })
            .await;
            outcomes.push(outcome.map(|_| ()));
        }
        outcomes
    }

    /// One attempt at giving `user_id` exactly `roles` in the group `detail` shows: the group's
    /// rule (members keep a primary or secondary) checked on those members, written guarded by
    /// the group's and the user's versions. An unchanged membership writes nothing (and the
    /// group's version stays: callers that track it add one only for a write).
    async fn put_member_in(
        &self,
        actor: &Actor,
        detail: &GroupDetail,
        user_id: &UserId,
        roles: MemberRoles,
    ) -> Result<Attempt<(Membership, bool)>, DomainError> {
        let account = actor.account();
        let group_id = &detail.group.id;
        actor.may_manage_group(group_id, "changing a group's members")?;
        let user = self.load_user(account, user_id).await?;
        if !user.user_type.receives_alerts() {
            return Err(DomainError::Validation(vec![FieldError::new(
                "user_id",
                format!("{} users belong to no groups", user.user_type),
            )]));
        }
        let membership = Membership {
            group_id: group_id.clone(),
            user_id: user_id.clone(),
            roles,
        };
        let existing = detail.memberships.iter().find(|m| &m.user_id == user_id);
        if existing.is_some_and(|m| m.roles == roles) {
            return Ok(Attempt::Done((membership, false)));
        }
        let after = detail
            .memberships
            .iter()
            .filter(|m| &m.user_id != user_id)
            .map(|m| &m.roles)
            .chain(std::iter::once(&roles));
        if !keeps_escalation(after) {
            return Err(DomainError::conflict(format!(
                "group {} would have members but no primary or secondary member",
                detail.group.name
            )));
        }
        let mut next_user = user.clone();
        next_user.member_of.insert(group_id.clone(), roles);
        next_user.version += 1;
        next_user.updated_at = self.clock.now();
        let writes = vec![
            Write::put(records::membership_item(account, &membership)?, None),
            Write::put(
                records::user_item(account, &next_user)?,
                Condition::VersionIs(user.version),
            ),
            Write::put(
                records::group_item(
                    account,
                    &Group {
                        version: detail.group.version + 1,
                        ..detail.group.clone()
                    },
                )?,
                Condition::VersionIs(detail.group.version),
            ),
            self.audit_write(
                account,
                actor.audit_actor(),
                "put-member",
                ("membership", &format!("{group_id}/{user_id}")),
                existing,
                Some(&membership),
            )?,
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(Attempt::Done((membership, existing.is_none()))),
            Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `user` from `group`: refused while they are on one of its shifts, and when it
    /// would leave members without a primary or secondary.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        group: &GroupId,
        user: &UserId,
    ) -> Result<(), DomainError> {
        let (group_id, user_id) = (group.clone(), user.clone());
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, &group_id).await?;
            actor.may_manage_group(&group_id, "changing a group's members")?;
            let Some(existing) = detail.memberships.iter().find(|m| m.user_id == user_id) else {
                return Err(DomainError::not_found("member", user_id.as_str()));
            };
            let user = self.load_user(account, &user_id).await?;
            let on_duty: Vec<ShiftOnDuty> = detail
                .shifts
                .iter()
                .filter(|s| s.user_ids.contains(&user_id))
                .map(|s| ShiftOnDuty {
                    group_id: group_id.to_string(),
                    group: detail.group.name.to_string(),
                    shift_id: s.id.to_string(),
                    shift: s.name.to_string(),
                })
                .collect();
            if !on_duty.is_empty() {
                return Err(DomainError::WouldLeaveHoles {
                    action: format!("removing {user_id} from group {}", detail.group.name),
                    holes: Holes {
                        shifts: on_duty,
                        ..Holes::default()
                    },
                });
            }
            let remaining = detail
                .memberships
                .iter()
                .filter(|m| m.user_id != user_id)
                .map(|m| &m.roles);
            if !keeps_escalation(remaining) {
                return Err(DomainError::conflict(format!(
                    "removing {user_id} would leave group {} with members but no primary or \
                     secondary member",
                    detail.group.name
                )));
            }
            let mut next_user = user.clone();
            next_user.member_of.remove(&group_id);
            next_user.version += 1;
            next_user.updated_at = self.clock.now();
            let writes = vec![
                Write::delete(
                    keys::membership(account, &group_id, &user_id),
                    Condition::MustExist,
                ),
                Write::put(
                    records::user_item(account, &next_user)?,
                    Condition::VersionIs(user.version),
                ),
                Write::put(
                    records::group_item(
                        account,
                        &Group {
                            version: detail.group.version + 1,
                            ..detail.group.clone()
                        },
                    )?,
                    Condition::VersionIs(detail.group.version),
                ),
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "remove-member",
                    ("membership", &format!("{group_id}/{user_id}")),
                    Some(existing),
                    None,
                )?,
            ];
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }
}

/// The claim on `group`'s name, which no other group may hold.
fn claim_name(account: &AccountId, group: &Group) -> Result<Write, DomainError> {
    Ok(Write::put(
        records::group_claim_item(keys::group_name_claim(account, &group.name), &group.id)?,
        Condition::MustNotExist,
    ))
}

/// A group whose shifts have people on them is not deleted: every such shift is named.
fn refuse_staffed(detail: &GroupDetail) -> Result<(), DomainError> {
    let staffed: Vec<ShiftOnDuty> = detail
        .shifts
        .iter()
        .filter(|s| !s.user_ids.is_empty())
        .map(|s| ShiftOnDuty {
            group_id: detail.group.id.to_string(),
            group: detail.group.name.to_string(),
            shift_id: s.id.to_string(),
            shift: s.name.to_string(),
        })
        .collect();
    if staffed.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = staffed.iter().map(|s| s.shift.as_str()).collect();
    Err(DomainError::conflict(format!(
        "group {} has shifts with people on them ({}); empty or delete them first",
        detail.group.name,
        names.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_a_primary_or_secondary() {
        let primary = MemberRoles {
            primary: true,
            ..Default::default()
        };
        let manager = MemberRoles {
            manager: true,
            ..Default::default()
        };
        assert!(keeps_escalation([].iter()));
        assert!(keeps_escalation([primary, manager].iter()));
        assert!(!keeps_escalation([manager].iter()));
    }
}
