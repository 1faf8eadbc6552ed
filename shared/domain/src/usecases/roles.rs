//! Platform roles (SPEC.md §1, §2): assigned by App Admins and the Owner, several per standard
//! user, never to oneself, and never none.

use serde::Deserialize;

use super::Roster;
use super::changes::Change;
use crate::access::Actor;
use crate::entities::User;
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::values::{Role, Roles, UserId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkAssignInput {
    pub user_ids: Option<Vec<String>>,
}

/// How one user of a bulk assignment fared: each user's change is its own transaction.
#[derive(Debug)]
pub struct BulkOutcome {
    pub user_id: String,
    pub result: Result<Roles, DomainError>,
}

/// At most this many users per bulk request.
pub const MAX_BULK_USERS: usize = 100;

fn holds_roles(user: &User) -> Result<(), DomainError> {
    if user.user_type.holds_roles() {
        return Ok(());
    }
    Err(DomainError::Validation(vec![FieldError::new(
        "role",
        format!(
            "Only standard users hold platform roles; this is a {} user",
            user.user_type
        ),
    )]))
}

/// The rule of adding a role, whoever asks.
fn grant(actor: &Actor, user: &User, role: Role) -> Result<Change<Roles>, DomainError> {
    actor.may_change_roles(user, true)?;
    holds_roles(user)?;
    self::add(user, role)
}

impl Roster {
    /// Adds `input.role` to the user's roles; adding one they hold already changes nothing.
    pub async fn assign_role(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &RoleInput,
    ) -> Result<Roles, DomainError> {
        self.change_user(actor, "assign-role", id, |user| {
            actor.may_change_roles(user, true)?;
            let mut errors = FieldErrors::new();
            let role = errors.required("role", "Role", input.role.as_deref(), Role::parse);
            grant(actor, user, errors.finish(|| role)?)
        })
        .await
    }

    /// Adds `role` to the user's roles; holding it already changes nothing.
    pub async fn grant_role(
        &self,
        actor: &Actor,
        id: &UserId,
        role: Role,
    ) -> Result<Roles, DomainError> {
        self.change_user(actor, "assign-role", id, |user| grant(actor, user, role))
            .await
    }

    /// Removes `role` from the user's roles; a standard user keeps at least one.
    pub async fn remove_role(
        &self,
        actor: &Actor,
        id: &UserId,
        role: &str,
    ) -> Result<Roles, DomainError> {
        let role = Role::parse(role).map_err(|_| DomainError::not_found("role", role))?;
        self.revoke_role(actor, id, role).await
    }

    /// As [`Roster::remove_role`], with the role already known.
    pub async fn revoke_role(
        &self,
        actor: &Actor,
        id: &UserId,
        role: Role,
    ) -> Result<Roles, DomainError> {
        self.change_user(actor, "remove-role", id, |user| {
            actor.may_change_roles(user, false)?;
            holds_roles(user)?;
            if !user.roles.contains(&role) {
                return Ok(Change::Keep(user.roles.clone()));
            }
            if user.roles.len() == 1 {
                return Err(DomainError::conflict(format!(
                    "{role} is the user's last role; a standard user keeps at least one"
                )));
            }
            let mut next = user.clone();
            next.roles.remove(&role);
            let roles = next.roles.clone();
            Ok(Change::Write(Box::new(next), roles))
        })
        .await
    }

    /// Assigns `role` to many users ("Assign User" on a role). Each user succeeds or fails on
    /// their own, and the answer says how each fared.
    pub async fn assign_role_bulk(
        &self,
        actor: &Actor,
        role: &str,
        input: &BulkAssignInput,
    ) -> Result<Vec<BulkOutcome>, DomainError> {
        let role = Role::parse(role).map_err(|_| DomainError::not_found("role", role))?;
        actor.may_manage_users("changing roles")?;
        let ids = match input.user_ids.as_deref() {
            None | Some([]) => {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "user_ids",
                    "User ids must name at least one user",
                )]));
            }
            Some(ids) if ids.len() > MAX_BULK_USERS => {
                return Err(DomainError::Validation(vec![FieldError::new(
                    "user_ids",
                    format!("User ids may name at most {MAX_BULK_USERS} users per request"),
                )]));
            }
            Some(ids) => ids,
        };
        // An unknown id is that user's own 404 below; a blank one is a malformed request.
        let blank: Vec<FieldError> = ids
            .iter()
            .enumerate()
            .filter(|(_, raw)| raw.trim().is_empty())
            .map(|(at, _)| FieldError::new(format!("user_ids[{at}]"), "User id must not be blank"))
            .collect();
        if !blank.is_empty() {
            return Err(DomainError::Validation(blank));
        }
        let mut seen = std::collections::HashSet::new();
        let mut outcomes = Vec::with_capacity(ids.len());
        for raw in ids.iter().filter(|raw| seen.insert(raw.as_str())) {
            let result = match UserId::parse(raw) {
                Err(_) => Err(DomainError::not_found("user", raw.as_str())),
                Ok(id) => {
                    self.change_user(actor, "assign-role-bulk", &id, |user| {
                        actor.may_change_roles(user, true)?;
                        holds_roles(user)?;
                        add(user, role)
                    })
                    .await
                }
            };
            outcomes.push(BulkOutcome {
                user_id: raw.clone(),
                result,
            });
        }
        Ok(outcomes)
    }
}

fn add(user: &User, role: Role) -> Result<Change<Roles>, DomainError> {
    if user.roles.contains(&role) {
        return Ok(Change::Keep(user.roles.clone()));
    }
    let mut next = user.clone();
    next.roles.insert(role);
    let roles = next.roles.clone();
    Ok(Change::Write(Box::new(next), roles))
}
