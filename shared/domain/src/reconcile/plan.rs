//! The plan: every difference between a roster file and the live account, as ordered changes
//! (what apply will do) and blocked items (what it will not, and why). The same desired and live
//! state always give the same plan.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::desired::{DesiredAccount, DesiredContact, DesiredUser};
use super::live::LiveAccount;
use crate::entities::{ContactMethod, ManagedBy, MemberRoles, User};
use crate::values::{ContactMethodKind, Email, GroupId, UserId};

/// The removal breaker's default: refuse to delete more than a quarter of managed users at once.
pub const DEFAULT_MAX_REMOVAL_RATIO: f64 = 0.25;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub accounts: Vec<AccountPlan>,
}

impl Plan {
    /// Whether anything differs (changes to make, or differences apply will not touch).
    pub fn has_drift(&self) -> bool {
        self.accounts.iter().any(|a| a.drift() > 0)
    }

    pub fn refused(&self) -> impl Iterator<Item = (&str, &str)> {
        self.accounts
            .iter()
            .filter_map(|a| a.refused.as_deref().map(|r| (a.account.as_str(), r)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountPlan {
    pub account: String,
    pub changes: Vec<Change>,
    /// Differences apply leaves alone, each with the reason.
    pub blocked: Vec<Blocked>,
    /// Users created through the API and not named in the file: reported, never changed.
    pub unmanaged: Vec<String>,
    /// Config-managed users missing from the file, kept because the account does not prune.
    pub kept: Vec<String>,
    /// API-created users the file names: apply hands them to the file (`managed_by: config`).
    /// Bookkeeping, not drift: a freshly dumped account plans to no changes.
    pub adopt: Vec<String>,
    /// Why apply refuses this account (the removal breaker), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl AccountPlan {
    /// The drifted items: what apply would change plus what it cannot.
    pub fn drift(&self) -> usize {
        self.changes.len() + self.blocked.len()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Blocked {
    pub subject: String,
    pub reason: String,
}

/// One change, in the order apply makes them. Users are named by email (the file's key) and,
/// when they exist, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Change {
    CreateAccount {
        name: String,
        owner: String,
    },
    UpdateAccount {
        field: String,
        from: String,
        to: String,
    },
    CreateGroup {
        group: String,
    },
    CreateUser {
        email: String,
    },
    UpdateUser {
        email: String,
        user_id: String,
        field: String,
        from: String,
        to: String,
    },
    AddRole {
        email: String,
        user_id: String,
        role: String,
    },
    RemoveRole {
        email: String,
        user_id: String,
        role: String,
    },
    AddContact {
        email: String,
        user_id: String,
        method: String,
        value: String,
    },
    ChangeContact {
        email: String,
        user_id: String,
        method: String,
        field: String,
        from: String,
        to: String,
    },
    RemoveContact {
        email: String,
        user_id: String,
        method: String,
    },
    ReorderContacts {
        email: String,
        user_id: String,
        from: Vec<String>,
        to: Vec<String>,
    },
    AddMember {
        group: String,
        email: String,
        roles: MemberRoles,
    },
    ChangeMember {
        group: String,
        email: String,
        from: MemberRoles,
        to: MemberRoles,
    },
    RemoveMember {
        group: String,
        email: String,
    },
    DeleteUser {
        email: String,
        user_id: String,
    },
}

impl Change {
    /// The user a change is about, when it is about one.
    pub fn email(&self) -> Option<&str> {
        match self {
            Change::CreateUser { email }
            | Change::UpdateUser { email, .. }
            | Change::AddRole { email, .. }
            | Change::RemoveRole { email, .. }
            | Change::AddContact { email, .. }
            | Change::ChangeContact { email, .. }
            | Change::RemoveContact { email, .. }
            | Change::ReorderContacts { email, .. }
            | Change::AddMember { email, .. }
            | Change::ChangeMember { email, .. }
            | Change::RemoveMember { email, .. }
            | Change::DeleteUser { email, .. } => Some(email),
            Change::CreateAccount { .. }
            | Change::UpdateAccount { .. }
            | Change::CreateGroup { .. } => None,
        }
    }
}

fn names(methods: &[ContactMethod]) -> Vec<String> {
    methods.iter().map(|m| m.method.id().to_owned()).collect()
}

/// The account's plan against its live state.
pub fn plan_account(desired: &DesiredAccount, live: &LiveAccount) -> AccountPlan {
    let mut plan = AccountPlan {
        account: desired.id.to_string(),
        changes: Vec::new(),
        blocked: Vec::new(),
        unmanaged: Vec::new(),
        kept: Vec::new(),
        adopt: Vec::new(),
        refused: None,
    };
    let Some(account) = &live.account else {
        plan_new_account(desired, &mut plan);
        return plan;
    };
    if account.name != desired.name {
        plan.changes.push(Change::UpdateAccount {
            field: "name".into(),
            from: account.name.to_string(),
            to: desired.name.to_string(),
        });
    }
    if desired.seats.is_some() && account.seats != desired.seats {
        plan.changes.push(Change::UpdateAccount {
            field: "seats".into(),
            from: account
                .seats
                .map_or_else(|| "none".into(), |s| s.to_string()),
            to: desired
                .seats
                .map_or_else(|| "none".into(), |s| s.to_string()),
        });
    }
    let by_email: BTreeMap<&str, &User> = live.users.iter().map(|u| (u.email.key(), u)).collect();
    if let Some(owner) = live.users.iter().find(|u| u.is_owner) {
        if owner.email != desired.owner {
            plan.blocked.push(Blocked {
                subject: format!("owner {}", desired.owner),
                reason: format!(
                    "the account's Owner is {}; ownership moves only with `roster owner transfer --account {} --to {} --confirm`",
                    owner.email,
                    desired.id,
                    desired.owner
                ),
            });
        }
    }

    // Users: created, adopted, updated.
    for wanted in &desired.users {
        match by_email.get(wanted.email.key()) {
            None => plan.changes.push(Change::CreateUser {
                email: wanted.email.to_string(),
            }),
            Some(user) if user.is_owner => {
                for change in user_changes(wanted, user) {
                    plan.blocked.push(Blocked {
                        subject: describe(&change),
                        reason: "the Owner is never changed by reconcile".into(),
                    });
                }
            }
            Some(user) => {
                if user.managed_by == ManagedBy::Api {
                    plan.adopt.push(user.email.to_string());
                }
                if let (Some(want), false) =
                    (wanted.user_type, wanted.user_type == Some(user.user_type))
                {
                    plan.blocked.push(Blocked {
                        subject: format!("{} user_type", user.email),
                        reason: format!(
                            "{} is a {} user; a user type never changes (delete and recreate to make them {want})",
                            user.email, user.user_type
                        ),
                    });
                }
                plan.changes.extend(user_changes(wanted, user));
            }
        }
    }

    // Users the file does not name.
    let named: BTreeSet<&str> = desired.users.iter().map(|u| u.email.key()).collect();
    let mut deleting = BTreeSet::new();
    for user in &live.users {
        if named.contains(user.email.key()) || user.is_owner {
            continue;
        }
        match user.managed_by {
            ManagedBy::Api => plan.unmanaged.push(user.email.to_string()),
            ManagedBy::Config if !desired.prune => plan.kept.push(user.email.to_string()),
            ManagedBy::Config => {
                let on = shifts_of(live, user, None);
                if on.is_empty() {
                    deleting.insert(user.email.key().to_owned());
                    plan.changes.push(Change::DeleteUser {
                        email: user.email.to_string(),
                        user_id: user.id.to_string(),
                    });
                } else {
                    plan.blocked.push(Blocked {
                        subject: format!("delete {}", user.email),
                        reason: format!("on shifts: {}", on.join(", ")),
                    });
                }
            }
        }
    }

    // Groups and memberships, each membership's user looked up once (a scan per membership
    // made a 10,000-user plan quadratic).
    let by_id: HashMap<&UserId, &User> = live.users.iter().map(|u| (&u.id, u)).collect();
    let mut members_of: HashMap<&GroupId, BTreeMap<&str, MemberRoles>> = HashMap::new();
    for m in &live.memberships {
        if let Some(user) = by_id.get(&m.user_id) {
            members_of
                .entry(&m.group_id)
                .or_default()
                .insert(user.email.key(), m.roles);
        }
    }
    for group in &desired.groups {
        let existing = live
            .groups
            .iter()
            .find(|g| g.name.as_str().to_lowercase() == group.name.as_str().to_lowercase());
        let Some(existing) = existing else {
            plan.changes.push(Change::CreateGroup {
                group: group.name.to_string(),
            });
            for member in &group.members {
                plan.changes.push(Change::AddMember {
                    group: group.name.to_string(),
                    email: member.email.to_string(),
                    roles: member.roles,
                });
            }
            continue;
        };
        let none = BTreeMap::new();
        let current = members_of.get(&existing.id).unwrap_or(&none);
        for member in &group.members {
            match current.get(member.email.key()) {
                None => plan.changes.push(Change::AddMember {
                    group: group.name.to_string(),
                    email: member.email.to_string(),
                    roles: member.roles,
                }),
                Some(roles) if *roles != member.roles => plan.changes.push(Change::ChangeMember {
                    group: group.name.to_string(),
                    email: member.email.to_string(),
                    from: *roles,
                    to: member.roles,
                }),
                Some(_) => {}
            }
        }
        let listed: BTreeSet<&str> = group.members.iter().map(|m| m.email.key()).collect();
        for (email, _) in current.iter().filter(|(e, _)| !listed.contains(*e)) {
            let Some(user) = by_email.get(email) else {
                continue;
            };
            // Only the file's own users leave groups; the API's are only reported.
            if user.managed_by != ManagedBy::Config && !named.contains(email) {
                continue;
            }
            if deleting.contains(*email) {
                continue;
            }
            let on = shifts_of(live, user, Some(&existing.id));
            if on.is_empty() {
                plan.changes.push(Change::RemoveMember {
                    group: group.name.to_string(),
                    email: user.email.to_string(),
                });
            } else {
                plan.blocked.push(Blocked {
                    subject: format!("remove {} from {}", user.email, group.name),
                    reason: format!("on shifts: {}", on.join(", ")),
                });
            }
        }
    }

    // The removal breaker, decided before anything is written.
    let managed = live
        .users
        .iter()
        .filter(|u| u.managed_by == ManagedBy::Config && !u.is_owner)
        .count();
    let removals = plan
        .changes
        .iter()
        .filter(|c| matches!(c, Change::DeleteUser { .. }))
        .count();
    if managed > 0 && removals as f64 / managed as f64 > desired.max_removal_ratio {
        plan.refused = Some(format!(
            "the file would delete {removals} of {managed} config-managed users, more than \
             max_removal_ratio {} allows; run apply with --allow-removals if that is meant",
            desired.max_removal_ratio
        ));
    }
    sort_changes(&mut plan.changes);
    plan
}

/// A new account: created with its Owner (whose whole entry apply completes), then everyone
/// and everything else.
fn plan_new_account(desired: &DesiredAccount, plan: &mut AccountPlan) {
    plan.changes.push(Change::CreateAccount {
        name: desired.name.to_string(),
        owner: desired.owner.to_string(),
    });
    for user in desired.users.iter().filter(|u| u.email != desired.owner) {
        plan.changes.push(Change::CreateUser {
            email: user.email.to_string(),
        });
    }
    for group in &desired.groups {
        plan.changes.push(Change::CreateGroup {
            group: group.name.to_string(),
        });
        for member in &group.members {
            plan.changes.push(Change::AddMember {
                group: group.name.to_string(),
                email: member.email.to_string(),
                roles: member.roles,
            });
        }
    }
    sort_changes(&mut plan.changes);
}

/// Account and groups first, then each user's changes, memberships, and deletions last; within
/// a kind, by user (file order is kept for a user's own steps).
fn sort_changes(changes: &mut [Change]) {
    let rank = |c: &Change| match c {
        Change::CreateAccount { .. } => 0,
        Change::UpdateAccount { .. } => 1,
        Change::CreateGroup { .. } => 2,
        Change::CreateUser { .. }
        | Change::UpdateUser { .. }
        | Change::AddRole { .. }
        | Change::RemoveRole { .. }
        | Change::AddContact { .. }
        | Change::ChangeContact { .. }
        | Change::RemoveContact { .. }
        | Change::ReorderContacts { .. } => 3,
        Change::AddMember { .. } | Change::ChangeMember { .. } | Change::RemoveMember { .. } => 4,
        Change::DeleteUser { .. } => 5,
    };
    changes.sort_by_cached_key(|c| (rank(c), c.email().map(str::to_lowercase)));
}

fn shifts_of(
    live: &LiveAccount,
    user: &User,
    group: Option<&crate::values::GroupId>,
) -> Vec<String> {
    let mut on: Vec<String> = live
        .shifts
        .iter()
        .filter(|s| s.user_ids.contains(&user.id) && group.is_none_or(|g| &s.group_id == g))
        .map(|s| {
            let group = live
                .groups
                .iter()
                .find(|g| g.id == s.group_id)
                .map_or_else(|| s.group_id.to_string(), |g| g.name.to_string());
            format!("{group}/{} ({})", s.name, s.schedule())
        })
        .collect();
    on.sort();
    on
}

pub(crate) fn describe(change: &Change) -> String {
    match change {
        Change::UpdateUser {
            email, field, to, ..
        } => format!("{email} {field} → {to}"),
        Change::AddRole { email, role, .. } => format!("{email} add role {role}"),
        Change::RemoveRole { email, role, .. } => format!("{email} remove role {role}"),
        Change::AddContact { email, method, .. } => format!("{email} add {method}"),
        Change::ChangeContact {
            email,
            method,
            field,
            to,
            ..
        } => format!("{email} {method} {field} → {to}"),
        Change::RemoveContact { email, method, .. } => format!("{email} remove {method}"),
        Change::ReorderContacts { email, to, .. } => format!("{email} order {}", to.join(", ")),
        other => format!("{other:?}"),
    }
}

/// A user's differences from their entry in the file: only what the file sets counts.
pub(crate) fn user_changes(wanted: &DesiredUser, user: &User) -> Vec<Change> {
    let email = user.email.to_string();
    let id = user.id.to_string();
    let mut changes = Vec::new();
    let mut field = |name: &str, from: String, to: String| {
        if from != to {
            changes.push(Change::UpdateUser {
                email: email.clone(),
                user_id: id.clone(),
                field: name.into(),
                from,
                to,
            });
        }
    };
    field(
        "first_name",
        user.first_name.to_string(),
        wanted.first_name.to_string(),
    );
    field(
        "last_name",
        user.last_name.to_string(),
        wanted.last_name.to_string(),
    );
    if let Some(username) = &wanted.username {
        field("username", user.username.to_string(), username.to_string());
    }
    if let Some(tz) = &wanted.time_zone {
        field(
            "time_zone",
            user.preferences.time_zone.to_string(),
            tz.to_string(),
        );
    }
    if let Some(locale) = &wanted.locale {
        field(
            "locale",
            user.preferences.locale.to_string(),
            locale.to_string(),
        );
    }
    if let Some(external) = &wanted.external_id {
        let current = user
            .external_id
            .as_ref()
            .map_or_else(String::new, |e| e.to_string());
        field("external_id", current, external.to_string());
    }
    if let (Some(roles), true) = (&wanted.roles, user.user_type.holds_roles()) {
        for role in roles.difference(&user.roles) {
            changes.push(Change::AddRole {
                email: email.clone(),
                user_id: id.clone(),
                role: role.id().into(),
            });
        }
        for role in user.roles.difference(roles) {
            changes.push(Change::RemoveRole {
                email: email.clone(),
                user_id: id.clone(),
                role: role.id().into(),
            });
        }
    }
    if let (Some(wanted), true) = (&wanted.contact_methods, user.user_type.receives_alerts()) {
        changes.extend(contact_changes(wanted, user));
    }
    changes
}

/// The file's contact methods are the user's addable ones, in that relative order; `push` and
/// `email-official` are never added or removed, and `push` stays last.
fn contact_changes(wanted: &[DesiredContact], user: &User) -> Vec<Change> {
    let email = user.email.to_string();
    let id = user.id.to_string();
    let mut changes = Vec::new();
    let mut after: Vec<ContactMethod> = user.contact_methods.clone();
    for want in wanted {
        match user
            .contact_methods
            .iter()
            .find(|m| m.method == want.method)
        {
            None => {
                let value = want
                    .value
                    .as_ref()
                    .map_or_else(String::new, |v| v.as_str().to_owned());
                changes.push(Change::AddContact {
                    email: email.clone(),
                    user_id: id.clone(),
                    method: want.method.id().into(),
                    value,
                });
                after.push(ContactMethod {
                    method: want.method,
                    value: want.value.clone(),
                    wait_minutes: want.wait_minutes.unwrap_or_default(),
                    retries: want.retries.unwrap_or_default(),
                    platform: None,
                });
            }
            Some(have) => {
                let mut field = |name: &str, from: String, to: String| {
                    if from != to {
                        changes.push(Change::ChangeContact {
                            email: email.clone(),
                            user_id: id.clone(),
                            method: want.method.id().into(),
                            field: name.into(),
                            from,
                            to,
                        });
                    }
                };
                if let (Some(value), Some(current)) = (&want.value, &have.value) {
                    field("value", current.as_str().into(), value.as_str().into());
                }
                if let Some(wait) = want.wait_minutes {
                    field(
                        "wait_minutes",
                        have.wait_minutes.get().to_string(),
                        wait.get().to_string(),
                    );
                }
                if let Some(retries) = want.retries {
                    field(
                        "retries",
                        have.retries.get().to_string(),
                        retries.get().to_string(),
                    );
                }
            }
        }
    }
    let listed: Vec<ContactMethodKind> = wanted.iter().map(|w| w.method).collect();
    for have in &user.contact_methods {
        if have.method.is_addable() && !listed.contains(&have.method) {
            changes.push(Change::RemoveContact {
                email: email.clone(),
                user_id: id.clone(),
                method: have.method.id().into(),
            });
            after.retain(|m| m.method != have.method);
        }
    }
    // The listed methods take the slots listed methods hold, in the file's order; the others
    // (email-official when unlisted) keep theirs; push goes last.
    let relative: Vec<ContactMethodKind> = after
        .iter()
        .map(|m| m.method)
        .filter(|k| listed.contains(k))
        .collect();
    if relative != listed {
        let mut queue = listed.iter();
        let mut order: Vec<ContactMethodKind> = after
            .iter()
            .map(|m| {
                if listed.contains(&m.method) {
                    *queue.next().unwrap_or(&m.method)
                } else {
                    m.method
                }
            })
            .filter(|k| *k != ContactMethodKind::Push)
            .collect();
        if after.iter().any(|m| m.method == ContactMethodKind::Push) {
            order.push(ContactMethodKind::Push);
        }
        changes.push(Change::ReorderContacts {
            email,
            user_id: id,
            from: names(&after),
            to: order.iter().map(|k| k.id().to_owned()).collect(),
        });
    }
    changes
}

/// The email key of a user the plan names.
pub(crate) fn key(email: &str) -> String {
    Email::parse(email)
        .map(|e| e.key().to_owned())
        .unwrap_or_else(|_| email.to_lowercase())
}
