//! Deactivation (SPEC.md §1): `{"active": false}` switches a user off — they keep their profile,
//! memberships and shifts, receive nothing, cover nobody, hold no seat, and the on-call resolver
//! lists them as unreachable. It is always allowed (access must be removable at once), never
//! for the Owner. When it leaves a shift or a group with nobody who can be paged, every manager
//! of that group — or, for a group without one, the account's App Admins and Owner — is
//! emailed what is uncovered, through the outbox, in the transaction that deactivates.
//! `{"active": true}` restores the user as they were, if a seat is free.

use std::collections::{BTreeMap, BTreeSet};

use super::Roster;
use super::groups::GroupDetail;
use super::invitations::html_escape;
use crate::access::Actor;
use crate::entities::{AuditActor, User};
use crate::error::DomainError;
use crate::ports::mailer::Message;
use crate::values::{AccountId, Role, UserId};

/// What one group is left without when a user is deactivated.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Uncovered {
    pub group: String,
    /// Shifts of the group with nobody on them who can be paged.
    pub shifts: Vec<String>,
    /// The group has members but no primary or secondary who can be paged.
    pub no_responder: bool,
    /// Who is told: the group's managers who can be reached.
    pub managers: Vec<User>,
}

/// What deactivating `user` leaves uncovered in one group, given its members as they are now
/// (`members`: the users of its memberships that exist). Only holes the deactivation makes
/// count: a shift or a group that had someone reachable besides the user is not uncovered.
pub(crate) fn uncovered(user: &User, detail: &GroupDetail, members: &[User]) -> Option<Uncovered> {
    let reachable =
        |id: &UserId| id != &user.id && members.iter().any(|m| &m.id == id && !m.deactivated);
    let shifts: Vec<String> = detail
        .shifts
        .iter()
        .filter(|s| s.user_ids.contains(&user.id))
        .filter(|s| !s.user_ids.iter().any(&reachable))
        .map(|s| format!("{} ({})", s.name, s.schedule()))
        .collect();
    let escalated = detail
        .memberships
        .iter()
        .any(|m| m.user_id == user.id && m.roles.escalates());
    let others = detail.memberships.iter().any(|m| m.user_id != user.id);
    let no_responder = escalated
        && others
        && !detail
            .memberships
            .iter()
            .any(|m| m.roles.escalates() && reachable(&m.user_id));
    if shifts.is_empty() && !no_responder {
        return None;
    }
    let managers = detail
        .memberships
        .iter()
        .filter(|m| m.roles.manager && reachable(&m.user_id))
        .filter_map(|m| members.iter().find(|u| u.id == m.user_id))
        .cloned()
        .collect();
    Some(Uncovered {
        group: detail.group.name.to_string(),
        shifts,
        no_responder,
        managers,
    })
}

impl Roster {
    /// The notices deactivating `user` calls for: one message per person told, listing every
    /// hole they are told about. Reads each of the user's groups (one query each) and its
    /// members (in batches of 100); the App Admins only when a group has no manager to tell.
    pub(crate) async fn hole_notices(
        &self,
        actor: &Actor,
        user: &User,
    ) -> Result<Vec<Message>, DomainError> {
        let account = actor.account();
        let mut holes = Vec::new();
        for group in user.member_of.keys() {
            let Ok(detail) = self.load_group(account, group).await else {
                continue;
            };
            let ids: Vec<UserId> = detail
                .memberships
                .iter()
                .map(|m| m.user_id.clone())
                .collect();
            let members = self.users(account, &ids).await?;
            holes.extend(uncovered(user, &detail, &members));
        }
        if holes.is_empty() {
            return Ok(Vec::new());
        }
        let admins = if holes.iter().any(|h| h.managers.is_empty()) {
            self.reachable_admins(account, &user.id).await?
        } else {
            Vec::new()
        };
        let mut told: BTreeMap<UserId, (User, Vec<&Uncovered>)> = BTreeMap::new();
        for hole in &holes {
            let people = if hole.managers.is_empty() {
                &admins
            } else {
                &hole.managers
            };
            for person in people {
                told.entry(person.id.clone())
                    .or_insert_with(|| (person.clone(), Vec::new()))
                    .1
                    .push(hole);
            }
        }
        let by = match actor.audit_actor() {
            AuditActor::User { email, .. } => format!("by {email}"),
            AuditActor::Operator => "by an operator".to_owned(),
            AuditActor::Scim { name, .. } => {
                format!("by the identity provider (SCIM token {name})")
            }
        };
        Ok(told
            .into_values()
            .map(|(person, holes)| hole_message(&person, user, &by, &holes))
            .collect())
    }

    /// The account's Owner and App Admins who can be reached, but `except`.
    async fn reachable_admins(
        &self,
        account: &AccountId,
        except: &UserId,
    ) -> Result<Vec<User>, DomainError> {
        let mut admins = self.all_users(account).await?;
        admins.retain(|user| {
            let admin = user.is_owner || user.roles.contains(&Role::AppAdmin);
            admin && !user.deactivated && &user.id != except
        });
        Ok(admins)
    }
}

fn hole_message(person: &User, away: &User, by: &str, holes: &[&Uncovered]) -> Message {
    let name = format!("{} {}", away.first_name, away.last_name);
    let mut lines = Vec::new();
    for hole in holes {
        for shift in &hole.shifts {
            lines.push(format!(
                "{}: shift {shift} has nobody who can be paged",
                hole.group
            ));
        }
        if hole.no_responder {
            lines.push(format!(
                "{}: no primary or secondary member can be paged",
                hole.group
            ));
        }
    }
    let groups: BTreeSet<&str> = holes.iter().map(|h| h.group.as_str()).collect();
    let list: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    let html_list: String = lines
        .iter()
        .map(|l| format!("<li>{}</li>", html_escape(l)))
        .collect();
    Message {
        to: person.email.clone(),
        subject: format!(
            "Uncovered on-call in {}: {name} was deactivated",
            groups.into_iter().collect::<Vec<_>>().join(", ")
        ),
        text: format!(
            "Hello {},\n\n{name} was deactivated ({by}) and receives no alerts. That leaves:\n\n\
             {list}\nPut someone reachable on these, or reactivate {name}.\n",
            person.first_name
        ),
        html: format!(
            "<p>Hello {},</p><p>{} was deactivated ({}) and receives no alerts. That leaves:</p>\
             <ul>{html_list}</ul><p>Put someone reachable on these, or reactivate {}.</p>",
            html_escape(person.first_name.as_str()),
            html_escape(&name),
            html_escape(by),
            html_escape(&name),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{Group, MemberRoles, Membership, Repeat, Shift};
    use crate::values::{GroupId, ShiftId, ShiftName, TimeZoneName};

    fn user(n: u128, name: &str) -> User {
        let mut u: User = serde_json::from_value(serde_json::json!({
            "id": UserId::from_ulid(ulid::Ulid::from_parts(1, n)),
            "email": format!("{name}@acme.example"), "username": format!("{name}@acme.example"),
            "first_name": name, "last_name": "T", "user_type": "standard", "roles": ["basic"],
            "contact_methods": [], "status": "active", "managed_by": "api",
            "created_at": "2027-01-01T00:00:00Z", "updated_at": "2027-01-01T00:00:00Z",
        }))
        .unwrap();
        u.version = 1;
        u
    }

    fn member(group: &GroupId, u: &User, primary: bool, manager: bool) -> Membership {
        Membership {
            group_id: group.clone(),
            user_id: u.id.clone(),
            roles: MemberRoles {
                primary,
                secondary: false,
                manager,
            },
        }
    }

    fn detail(memberships: Vec<Membership>, on_shift: &[&User]) -> GroupDetail {
        let id = GroupId::from_ulid(ulid::Ulid::from_parts(2, 1));
        GroupDetail {
            group: Group {
                id: id.clone(),
                name: crate::values::GroupName::parse("Payments").unwrap(),
                created_at: "2027-01-01T00:00:00Z".parse().unwrap(),
                deleting: false,
                managed_by: crate::entities::ManagedBy::Api,
                external_id: None,
                version: 1,
            },
            memberships,
            shifts: vec![Shift {
                id: ShiftId::from_ulid(ulid::Ulid::from_parts(3, 1)),
                group_id: id,
                name: ShiftName::parse("Nights").unwrap(),
                starts_local: "2027-01-01T22:00".parse().unwrap(),
                time_zone: TimeZoneName::utc(),
                duration_minutes: 600,
                repeat: Repeat::Daily,
                user_ids: on_shift.iter().map(|u| u.id.clone()).collect(),
                version: 1,
            }],
        }
    }

    #[test]
    fn only_holes_the_deactivation_makes_are_uncovered() {
        let (ana, bo, cy) = (user(1, "ana"), user(2, "bo"), user(3, "cy"));
        let g = GroupId::from_ulid(ulid::Ulid::from_parts(2, 1));
        let members = vec![ana.clone(), bo.clone(), cy.clone()];
        // Ana alone on the shift and the only primary; Cy manages.
        let d = detail(
            vec![
                member(&g, &ana, true, false),
                member(&g, &bo, false, false),
                member(&g, &cy, false, true),
            ],
            &[&ana],
        );
        let hole = uncovered(&ana, &d, &members).unwrap();
        assert_eq!(hole.shifts, ["Nights (daily at 22:00 UTC for 10 h)"]);
        assert!(hole.no_responder);
        assert_eq!(hole.managers, std::slice::from_ref(&cy));
        // Bo on the shift too, and primary: nothing is uncovered by Ana going.
        let d = detail(
            vec![
                member(&g, &ana, true, false),
                member(&g, &bo, true, false),
                member(&g, &cy, false, true),
            ],
            &[&ana, &bo],
        );
        assert_eq!(uncovered(&ana, &d, &members), None);
        // ...unless Bo is deactivated already; and a deactivated manager is not told.
        let mut off = members.clone();
        off[1].deactivated = true;
        off[2].deactivated = true;
        let hole = uncovered(&ana, &d, &off).unwrap();
        assert!(hole.no_responder && hole.shifts.len() == 1);
        assert!(hole.managers.is_empty(), "the admins are told instead");
    }
}
