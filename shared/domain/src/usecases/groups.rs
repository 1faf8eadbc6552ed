//! Groups and their members (SPEC.md §6). A group has members, each with any of the group-member
//! roles primary / secondary / manager; a group with members keeps a primary or secondary.
//! Membership lives twice, written together: the membership item under the group (the group's
//! member list) and the entry in the user's `member_of` (their profile and rights).

use serde::Deserialize;

use super::Roster;
use super::records::{self, decode};
use super::retry::{Attempt, optimistic};
use crate::access::Actor;
use crate::entities::{Group, GroupRef, MemberRoles, Membership, Shift, User};
use crate::error::{DomainError, FieldError, FieldErrors, ShiftOnDuty};
use crate::keys;
use crate::ports::table::{Condition, Query, TableError, Write, query_all};
use crate::values::{AccountId, GroupId, GroupName, UserId};

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

fn path_group(raw: &str) -> Result<GroupId, DomainError> {
    GroupId::parse(raw).map_err(|_| DomainError::not_found("group", raw))
}

fn path_user(raw: &str) -> Result<UserId, DomainError> {
    UserId::parse(raw).map_err(|_| DomainError::not_found("user", raw))
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
    /// A group with its memberships and shifts, in one partition query.
    pub(crate) async fn load_group(
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

    pub async fn create_group(
        &self,
        actor: &Actor,
        input: &GroupInput,
    ) -> Result<Group, DomainError> {
        actor.may_manage_groups("creating groups")?;
        let account = actor.account();
        let name = parse_name(input)?;
        let group = Group {
            id: GroupId::from_ulid(self.ids.new_id()),
            name,
            created_at: self.clock.now(),
            version: 1,
        };
        let writes = vec![
            Write::check(keys::account(account), Condition::MustExist),
            Write::put(
                records::group_item(account, &group)?,
                Condition::MustNotExist,
            ),
            Write::put(
                records::group_claim_item(keys::group_name_claim(account, &group.name), &group.id)?,
                Condition::MustNotExist,
            ),
            self.audit_write(
                account,
                actor.audit_actor(),
                "create-group",
                ("group", group.id.as_str()),
                None,
                Some(&group),
            )?,
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(group),
            Err(TableError::ConditionFailed(failed)) if failed.contains(&0) => {
                Err(DomainError::not_found("account", account.as_str()))
            }
            Err(TableError::ConditionFailed(failed)) if failed.contains(&2) => {
                Err(name_taken(&group.name))
            }
            Err(e) => Err(e.into()),
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
            .collect::<Result<Vec<_>, _>>()?;
        groups.sort_by_key(|g| (g.name.as_str().to_lowercase(), g.id.clone()));
        Ok(groups)
    }

    /// A group, its members (with their roles in it) and its shifts.
    pub async fn get_group(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(GroupDetail, Vec<Member>), DomainError> {
        let id = path_group(id)?;
        let detail = self.load_group(actor.account(), &id).await?;
        actor.may_read_group(&id)?;
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
        let keys: Vec<_> = detail
            .memberships
            .iter()
            .map(|m| keys::user(account, &m.user_id))
            .collect();
        let mut members: Vec<Member> = self
            .table
            .get_many(&keys)
            .await?
            .iter()
            .map(records::user_from_item)
            .collect::<Result<Vec<_>, _>>()?
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

    /// Renames a group; its members' profiles follow.
    pub async fn rename_group(
        &self,
        actor: &Actor,
        id: &str,
        input: &GroupInput,
    ) -> Result<Group, DomainError> {
        let id = path_group(id)?;
        let account = actor.account();
        let (group, members) = optimistic(|| async {
            let detail = self.load_group(account, &id).await?;
            actor.may_manage_groups("renaming groups")?;
            let name = parse_name(input)?;
            let before = detail.group.clone();
            if name == before.name {
                return Ok(Attempt::Done((before, Vec::new())));
            }
            let mut group = before.clone();
            group.name = name;
            group.version += 1;
            let mut writes = vec![Write::put(
                records::group_item(account, &group)?,
                Condition::VersionIs(before.version),
            )];
            let same_claim =
                before.name.as_str().to_lowercase() == group.name.as_str().to_lowercase();
            if !same_claim {
                writes.push(Write::delete(
                    keys::group_name_claim(account, &before.name),
                    None,
                ));
                writes.push(Write::put(
                    records::group_claim_item(
                        keys::group_name_claim(account, &group.name),
                        &group.id,
                    )?,
                    Condition::MustNotExist,
                ));
            }
            writes.push(self.audit_write(
                account,
                actor.audit_actor(),
                "rename-group",
                ("group", id.as_str()),
                Some(&before),
                Some(&group),
            )?);
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done((group, detail.memberships))),
                Err(TableError::ConditionFailed(failed)) if failed.contains(&0) => {
                    Ok(Attempt::Raced)
                }
                Err(TableError::ConditionFailed(_)) => Err(name_taken(&group.name)),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
        // Members' profiles carry the name: bring each up to date (its own version guards it).
        for membership in members {
            self.refresh_group_ref(account, &group, &membership.user_id)
                .await?;
        }
        Ok(group)
    }

    async fn refresh_group_ref(
        &self,
        account: &AccountId,
        group: &Group,
        user: &UserId,
    ) -> Result<(), DomainError> {
        optimistic(|| async {
            let Some(item) = self.table.get(&keys::user(account, user)).await? else {
                return Ok(Attempt::Done(()));
            };
            let current = records::user_from_item(&item)?;
            let mut next = current.clone();
            match next.member_of.get_mut(&group.id) {
                Some(entry) if entry.name != group.name => entry.name = group.name.clone(),
                _ => return Ok(Attempt::Done(())),
            }
            next.version += 1;
            let write = Write::put(
                records::user_item(account, &next)?,
                Condition::VersionIs(current.version),
            );
            match self.table.transact(vec![write]).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Deletes a group: refused while any of its shifts has people on it. Members leave one
    /// by one (each leave is whole: membership and profile together), then the group goes with
    /// its name and empty shifts in one transaction.
    pub async fn delete_group(&self, actor: &Actor, id: &str) -> Result<(), DomainError> {
        let id = path_group(id)?;
        let account = actor.account();
        optimistic(|| async {
            let detail = self.load_group(account, &id).await?;
            actor.may_manage_groups("deleting groups")?;
            let staffed: Vec<ShiftOnDuty> = detail
                .shifts
                .iter()
                .filter(|s| !s.user_ids.is_empty())
                .map(|s| ShiftOnDuty {
                    group_id: id.to_string(),
                    group: detail.group.name.to_string(),
                    shift_id: s.id.to_string(),
                    shift: s.name.to_string(),
                })
                .collect();
            if !staffed.is_empty() {
                return Err(DomainError::Conflict {
                    message: format!(
                        "group {} has {} shift(s) with people on them; empty or delete them first",
                        detail.group.name,
                        staffed.len()
                    ),
                    fields: Vec::new(),
                });
            }
            if let Some(membership) = detail.memberships.first() {
                self.leave(account, &detail.group, &membership.user_id)
                    .await?;
                return Ok(Attempt::Raced);
            }
            let mut writes = vec![
                Write::delete(
                    keys::group(account, &id),
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
            writes.extend(
                detail
                    .shifts
                    .iter()
                    .map(|s| Write::delete(keys::shift(account, &id, &s.id), None)),
            );
            match self.table.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(())),
                Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// One member leaves a group being deleted: membership item and profile entry together, the
    /// group's version bumped so a concurrent change to its members is noticed.
    async fn leave(
        &self,
        account: &AccountId,
        group: &Group,
        user: &UserId,
    ) -> Result<(), DomainError> {
        let mut writes = vec![
            Write::delete(keys::membership(account, &group.id, user), None),
            Write::put(
                records::group_item(
                    account,
                    &Group {
                        version: group.version + 1,
                        ..group.clone()
                    },
                )?,
                Condition::VersionIs(group.version),
            ),
        ];
        if let Some(item) = self.table.get(&keys::user(account, user)).await? {
            let current = records::user_from_item(&item)?;
            let mut next = current.clone();
            next.member_of.remove(&group.id);
            next.version += 1;
            writes.push(Write::put(
                records::user_item(account, &next)?,
                Condition::VersionIs(current.version),
            ));
        }
        match self.table.transact(writes).await {
            Ok(()) | Err(TableError::ConditionFailed(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The members of a group, with their roles in it.
    pub async fn list_members(
        &self,
        actor: &Actor,
        group: &str,
    ) -> Result<Vec<Member>, DomainError> {
        Ok(self.get_group(actor, group).await?.1)
    }

    /// Makes `user` a member of `group` with exactly `input`'s roles (`true`: a new member).
    pub async fn put_member(
        &self,
        actor: &Actor,
        group: &str,
        user: &str,
        input: &MemberInput,
    ) -> Result<(Membership, bool), DomainError> {
        let group_id = path_group(group)?;
        let user_id = path_user(user)?;
        let account = actor.account();
        let roles = MemberRoles {
            primary: input.primary.unwrap_or(false),
            secondary: input.secondary.unwrap_or(false),
            manager: input.manager.unwrap_or(false),
        };
        optimistic(|| async {
            let detail = self.load_group(account, &group_id).await?;
            actor.may_manage_group(&group_id, "changing a group's members")?;
            let user = self.load_user(account, &user_id).await?;
            if !user.user_type.receives_alerts() {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "user_id",
                    format!("{} users belong to no groups", user.user_type),
                )]));
            }
            let existing = detail.memberships.iter().find(|m| m.user_id == user_id);
            if existing.is_some_and(|m| m.roles == roles) {
                let unchanged = Membership {
                    group_id: group_id.clone(),
                    user_id: user_id.clone(),
                    roles,
                };
                return Ok(Attempt::Done((unchanged, false)));
            }
            let after = detail
                .memberships
                .iter()
                .filter(|m| m.user_id != user_id)
                .map(|m| &m.roles)
                .chain(std::iter::once(&roles));
            if !keeps_escalation(after) {
                return Err(DomainError::conflict(format!(
                    "group {} would have members but no primary or secondary member",
                    detail.group.name
                )));
            }
            let membership = Membership {
                group_id: group_id.clone(),
                user_id: user_id.clone(),
                roles,
            };
            let mut next_user = user.clone();
            next_user.member_of.insert(
                group_id.clone(),
                GroupRef {
                    name: detail.group.name.clone(),
                    roles,
                },
            );
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
        })
        .await
    }

    /// Removes `user` from `group`: refused while they are on one of its shifts, and when it
    /// would leave members without a primary or secondary.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        group: &str,
        user: &str,
    ) -> Result<(), DomainError> {
        let group_id = path_group(group)?;
        let user_id = path_user(user)?;
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
                return Err(DomainError::OnShifts {
                    user: user_id.to_string(),
                    shifts: on_duty,
                });
            }
            let remaining = detail
                .memberships
                .iter()
                .filter(|m| m.user_id != user_id)
                .map(|m| &m.roles);
            if !keeps_escalation(remaining) {
                return Err(DomainError::conflict(format!(
                    "removing {user_id} would leave group {} with members but no primary or \\
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
