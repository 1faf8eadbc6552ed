//! An identity provider's change to a group (SCIM `PUT`, and `PATCH` once applied; docs/scim.md):
//! what the group should be is derived from the group as read, and applied as its differences —
//! the name and external id written under the version read, then each member who joins (as
//! secondary) and each who leaves in a guarded write of their own, joins first so the group never
//! passes through "members but no responder". A concurrent change to the group makes the attempt
//! read it again and derive again, so no acknowledged change of another writer is lost.

use std::collections::HashSet;

use super::Roster;
use super::groups::{GroupDetail, Member};
use super::retry::{Attempt, optimistic_or};
use crate::access::Actor;
use crate::entities::{Group, MemberRoles};
use crate::error::{DomainError, FieldError};
use crate::values::{ExternalId, GroupId, GroupName, UserId};

/// What an identity provider asks a group to be: its name, its external id and its members.
#[derive(Debug, Clone)]
pub struct ProvisionedGroup {
    pub name: GroupName,
    pub external_id: Option<ExternalId>,
    pub members: Vec<UserId>,
}

impl Roster {
    /// Makes group `id` what `derive` says of it as read. With `if_match`, refused unless the
    /// group is at that version (`412`). A member the account does not have is a field error.
    pub async fn edit_provisioned_group<E: From<DomainError>>(
        &self,
        actor: &Actor,
        id: &GroupId,
        if_match: Option<u64>,
        derive: impl Fn(&GroupDetail, &[Member]) -> Result<ProvisionedGroup, E>,
    ) -> Result<(), E> {
        optimistic_or::<_, E, _, _>(|| async {
            let (detail, members) = self.get_group(actor, id).await?;
            if let Some(expected) = if_match {
                if expected != detail.group.version {
                    return Err(DomainError::PreconditionFailed {
                        entity: "group",
                        id: id.to_string(),
                        expected,
                        actual: detail.group.version,
                    }
                    .into());
                }
            }
            let wanted = derive(&detail, &members)?;
            let renamed = Group {
                name: wanted.name.clone(),
                external_id: wanted.external_id.clone(),
                ..detail.group.clone()
            };
            if renamed != detail.group {
                actor.may_manage_groups("changing groups")?;
                if let Attempt::Raced = self
                    .write_group(actor, &detail.group, renamed, "update-group")
                    .await?
                {
                    return Ok(Attempt::Raced);
                }
            }
            self.provision_members(actor, &detail, &wanted.members)
                .await?;
            Ok(Attempt::Done(()))
        })
        .await
    }

    /// The members `wanted` names join as secondary (an existing member's roles are never
    /// changed), then those it leaves out leave.
    async fn provision_members(
        &self,
        actor: &Actor,
        detail: &GroupDetail,
        wanted: &[UserId],
    ) -> Result<(), DomainError> {
        let id = &detail.group.id;
        let now: HashSet<&UserId> = detail.memberships.iter().map(|m| &m.user_id).collect();
        let joining: Vec<(UserId, MemberRoles)> = wanted
            .iter()
            .filter(|u| !now.contains(u))
            .map(|u| {
                let roles = MemberRoles {
                    secondary: true,
                    ..MemberRoles::default()
                };
                (u.clone(), roles)
            })
            .collect();
        if !joining.is_empty() {
            for outcome in self.put_members(actor, id, &joining).await {
                outcome.map_err(|e| match e {
                    DomainError::NotFound {
                        entity: "user",
                        id: user,
                    } => DomainError::Validation(vec![FieldError::new(
                        "members",
                        format!("members: {user} is not a user id of this account"),
                    )]),
                    other => other,
                })?;
            }
        }
        let keep: HashSet<&UserId> = wanted.iter().collect();
        for leaving in detail
            .memberships
            .iter()
            .filter(|m| !keep.contains(&m.user_id))
        {
            match self.remove_member(actor, id, &leaving.user_id).await {
                // Gone already: another writer took them out since the read.
                Ok(())
                | Err(DomainError::NotFound {
                    entity: "member", ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
