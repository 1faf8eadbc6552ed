//! The plan: every difference between a roster file and the live account, as ordered changes
//! (what apply will do) and blocked items (what it will not, and why), with what the file does
//! not own listed beside them. The same desired and live state always give the same plan, and
//! the work grows linearly with the account: every look-up goes through an index built once.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::change::{
    AccountField, Adoption, Change, ContactField, OwnedElsewhere, Unmanaged, UnmanagedMember,
    UserField,
};
use super::desired::{DesiredAccount, DesiredContact, DesiredGroup, DesiredUser};
use super::live::{LiveAccount, LiveItem};
use crate::entities::{Account, ContactMethod, Group, ManagedBy, MemberRoles, Shift, User};
use crate::values::{AccountId, ContactMethodKind, Email, GroupId, GroupName, UserId};

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

    /// The accounts apply refuses, with why.
    pub fn refused(&self) -> impl Iterator<Item = (&AccountId, &Refusal)> {
        self.accounts
            .iter()
            .filter_map(|a| a.refused.as_ref().map(|r| (&a.account, r)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountPlan {
    pub account: AccountId,
    pub changes: Vec<Change>,
    /// Differences apply leaves alone, each with the reason.
    pub blocked: Vec<Blocked>,
    /// Differences in what another owner holds (a SCIM user's identity): never drift.
    pub owned_elsewhere: Vec<OwnedElsewhere>,
    /// Users the file does not name and does not own: reported, never changed.
    pub unmanaged: Vec<Unmanaged>,
    /// Memberships of such users in groups the file manages: left as they are.
    pub unmanaged_members: Vec<UnmanagedMember>,
    /// Groups made through the API that the file does not name: left as they are.
    pub unmanaged_groups: Vec<GroupName>,
    /// Config-managed users missing from the file, kept because the account does not prune.
    pub kept: Vec<Email>,
    /// Config-managed groups missing from the file, kept because the account does not prune.
    pub kept_groups: Vec<GroupName>,
    /// What the API made and the file names: apply hands it to the file first.
    pub adopt: Vec<Adoption>,
    /// Why apply refuses this account (the removal breaker), if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refusal>,
}

impl AccountPlan {
    /// A plan of no changes for `account`, to be filled.
    pub fn new(account: AccountId) -> Self {
        Self {
            account,
            changes: Vec::new(),
            blocked: Vec::new(),
            owned_elsewhere: Vec::new(),
            unmanaged: Vec::new(),
            unmanaged_members: Vec::new(),
            unmanaged_groups: Vec::new(),
            kept: Vec::new(),
            kept_groups: Vec::new(),
            adopt: Vec::new(),
            refused: None,
        }
    }

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

/// The removal breaker tripped: more of the account's config-managed users would go than the
/// file's `max_removal_ratio` allows.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub removals: usize,
    pub managed: usize,
    pub max_removal_ratio: f64,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the file would delete {} of {} config-managed users, more than max_removal_ratio {} \
             allows; run apply with --allow-removals if that is meant",
            self.removals, self.managed, self.max_removal_ratio
        )
    }
}

impl Serialize for Refusal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A live user as the plan needs them once their own fields are compared: who they are and
/// who owns them. Holding this rather than the user keeps a plan's memory to the file's roster
/// and a few dozen bytes a live user.
#[derive(Debug, Clone)]
struct Seen {
    id: UserId,
    email: Email,
    managed_by: ManagedBy,
    is_owner: bool,
    /// The user's groups (by [`Parts::group_index`]) and roles in each: the user item's
    /// `member_of`, written in the same transaction as each membership item, so the plan needs
    /// neither those items nor a string per membership.
    member_of: Vec<(u32, MemberRoles)>,
}

/// What the plan keeps of the live account while its users stream past.
#[derive(Default)]
struct Parts {
    users: Vec<Seen>,
    groups: Vec<Group>,
    shifts: Vec<Shift>,
    /// Every group id seen (on a group or in a user's `member_of`), numbered in order of sight.
    group_ids: HashMap<GroupId, u32>,
}

impl Parts {
    fn group_index(&mut self, id: &GroupId) -> u32 {
        let next = self.group_ids.len() as u32;
        *self.group_ids.entry(id.clone()).or_insert(next)
    }

    fn user(&mut self, user: &User) {
        let member_of = user
            .member_of
            .iter()
            .map(|(group, roles)| (self.group_index(group), *roles))
            .collect();
        self.users.push(Seen {
            id: user.id.clone(),
            email: user.email.clone(),
            managed_by: user.managed_by,
            is_owner: user.is_owner,
            member_of,
        });
    }

    /// Leaves out what every other read leaves out: groups whose delete has begun, with their
    /// members and shifts. (A user deleted a moment ago is not read, nor are their groups.)
    fn settle(&mut self) {
        super::live::drop_deleting(&mut self.groups, &mut self.shifts);
    }
}

/// The live account indexed once, so that each question the plan asks costs a look-up.
struct Index<'a> {
    by_email: HashMap<&'a str, &'a Seen>,
    groups_by_name: HashMap<String, &'a Group>,
    group_names: HashMap<&'a GroupId, &'a GroupName>,
    members_of: HashMap<u32, BTreeMap<&'a str, MemberRoles>>,
    group_index: &'a HashMap<GroupId, u32>,
    shifts_of_user: HashMap<&'a UserId, Vec<&'a Shift>>,
    shifts_of_group: HashMap<&'a GroupId, Vec<&'a Shift>>,
}

impl<'a> Index<'a> {
    fn new(live: &'a Parts) -> Self {
        let mut members_of: HashMap<u32, BTreeMap<&str, MemberRoles>> = HashMap::new();
        for user in &live.users {
            for (group, roles) in &user.member_of {
                members_of
                    .entry(*group)
                    .or_default()
                    .insert(user.email.key(), *roles);
            }
        }
        let mut shifts_of_user: HashMap<&UserId, Vec<&Shift>> = HashMap::new();
        let mut shifts_of_group: HashMap<&GroupId, Vec<&Shift>> = HashMap::new();
        for shift in &live.shifts {
            shifts_of_group
                .entry(&shift.group_id)
                .or_default()
                .push(shift);
            for user in &shift.user_ids {
                shifts_of_user.entry(user).or_default().push(shift);
            }
        }
        Self {
            by_email: live.users.iter().map(|u| (u.email.key(), u)).collect(),
            groups_by_name: live.groups.iter().map(|g| (name_key(&g.name), g)).collect(),
            group_names: live.groups.iter().map(|g| (&g.id, &g.name)).collect(),
            members_of,
            group_index: &live.group_ids,
            shifts_of_user,
            shifts_of_group,
        }
    }

    /// The shifts `user` is on (in `group` only, when given), named for people.
    fn shifts_of(&self, user: &Seen, group: Option<&GroupId>) -> Vec<String> {
        let mut on: Vec<String> = self
            .shifts_of_user
            .get(&user.id)
            .into_iter()
            .flatten()
            .filter(|s| group.is_none_or(|g| &s.group_id == g))
            .map(|s| self.describe_shift(s))
            .collect();
        on.sort();
        on
    }

    fn describe_shift(&self, shift: &Shift) -> String {
        let group = self
            .group_names
            .get(&shift.group_id)
            .map_or_else(|| shift.group_id.to_string(), |g| g.to_string());
        format!("{group}/{} ({})", shift.name, shift.schedule())
    }
}

fn name_key(name: &GroupName) -> String {
    name.as_str().to_lowercase()
}

/// The account's plan against its live state held whole.
pub fn plan_account(desired: &DesiredAccount, live: &LiveAccount) -> AccountPlan {
    let mut planner = Planner::new(desired);
    if let Some(account) = &live.account {
        planner.add(LiveItem::Account(account.clone()));
    }
    for group in &live.groups {
        planner.add(LiveItem::Group(group.clone()));
    }
    for user in &live.users {
        planner.user(user);
    }
    planner.live.shifts.extend(live.shifts.iter().cloned());
    planner.finish()
}

/// An account's plan made as its live items stream past: each user is compared with their
/// entry in the file when read, then only what the rest of the plan needs of them is kept.
pub struct Planner<'d> {
    desired: &'d DesiredAccount,
    wanted: HashMap<&'d str, &'d DesiredUser>,
    plan: AccountPlan,
    account: Option<Account>,
    live: Parts,
}

impl<'d> Planner<'d> {
    pub fn new(desired: &'d DesiredAccount) -> Self {
        Self {
            desired,
            wanted: desired.users_by_email(),
            plan: AccountPlan::new(desired.id.clone()),
            account: None,
            live: Parts::default(),
        }
    }

    /// One item of the account's partition, in any order.
    pub fn add(&mut self, item: LiveItem) {
        match item {
            LiveItem::Account(account) => self.account = Some(account),
            LiveItem::User(user) => self.user(&user),
            LiveItem::Group(group) => {
                self.live.group_index(&group.id);
                self.live.groups.push(group);
            }
            // The users' `member_of` says the same (see [`Seen::member_of`]).
            LiveItem::Membership(_) => {}
            LiveItem::Shift(shift) => self.live.shifts.push(shift),
        }
    }

    fn user(&mut self, user: &User) {
        if let Some(wanted) = self.wanted.get(user.email.key()) {
            plan_user(wanted, user, &mut self.plan);
        }
        self.live.user(user);
    }

    pub fn finish(self) -> AccountPlan {
        let Planner {
            desired,
            mut plan,
            account,
            mut live,
            ..
        } = self;
        let Some(account) = account else {
            let mut plan = AccountPlan::new(desired.id.clone());
            plan_new_account(desired, &mut plan);
            return plan;
        };
        live.settle();
        if account.name != desired.name {
            plan.changes.push(Change::UpdateAccount {
                field: AccountField::Name {
                    from: account.name.clone(),
                    to: desired.name.clone(),
                },
            });
        }
        if let Some(seats) = desired.seats.filter(|s| account.seats != Some(*s)) {
            plan.changes.push(Change::UpdateAccount {
                field: AccountField::Seats {
                    from: account.seats,
                    to: seats,
                },
            });
        }
        let index = Index::new(&live);
        if let Some(owner) = live.users.iter().find(|u| u.is_owner) {
            if owner.email != desired.owner {
                plan.blocked.push(Blocked {
                    subject: format!("owner {}", desired.owner),
                    reason: format!(
                        "the account's Owner is {}; ownership moves only with `roster owner transfer --account {} --to {} --confirm`",
                        owner.email, desired.id, desired.owner
                    ),
                });
            }
        }
        for wanted in &desired.users {
            if !index.by_email.contains_key(wanted.email.key()) {
                plan.changes.push(Change::CreateUser {
                    email: wanted.email.clone(),
                });
            }
        }
        let named: HashSet<&str> = desired.users.iter().map(|u| u.email.key()).collect();
        let deleting = plan_unnamed_users(desired, &live, &index, &named, &mut plan);
        plan_groups(desired, &live, &index, &named, &deleting, &mut plan);
        plan.refused = removal_breaker(desired, &live, &plan.changes);
        sort_changes(&mut plan.changes);
        plan
    }
}

/// One live user the file names: adopted, or changed field by field. The Owner is never
/// changed, and an identity provider's users keep the identity it gave them.
fn plan_user(wanted: &DesiredUser, user: &User, plan: &mut AccountPlan) {
    if user.is_owner {
        for change in user_changes(wanted, user) {
            plan.blocked.push(Blocked {
                subject: describe(&change),
                reason: "the Owner is never changed by reconcile".into(),
            });
        }
        return;
    }
    match user.managed_by {
        ManagedBy::Api => plan.adopt.push(Adoption::User {
            email: user.email.clone(),
            user_id: user.id.clone(),
        }),
        ManagedBy::Config | ManagedBy::Scim => {}
    }
    if let Some(want) = wanted.user_type.filter(|t| *t != user.user_type) {
        plan.blocked.push(Blocked {
            subject: format!("{} user_type", user.email),
            reason: format!(
                "{} is a {} user; a user type never changes (delete and recreate to make them {want})",
                user.email, user.user_type
            ),
        });
    }
    for change in user_changes(wanted, user) {
        match change {
            Change::UpdateUser {
                email,
                user_id,
                field,
            } if user.managed_by == ManagedBy::Scim && field.is_identity() => {
                plan.owned_elsewhere.push(OwnedElsewhere {
                    email,
                    user_id,
                    owner: ManagedBy::Scim,
                    field,
                })
            }
            change => plan.changes.push(change),
        }
    }
}

/// Users the file does not name: the API's and the identity provider's are listed, the file's
/// own are kept or (pruning) deleted unless they are on a shift. Answers who is being deleted.
fn plan_unnamed_users<'a>(
    desired: &DesiredAccount,
    live: &'a Parts,
    index: &Index<'a>,
    named: &HashSet<&str>,
    plan: &mut AccountPlan,
) -> HashSet<&'a str> {
    let mut deleting = HashSet::new();
    for user in &live.users {
        if named.contains(user.email.key()) || user.is_owner {
            continue;
        }
        match user.managed_by {
            ManagedBy::Api | ManagedBy::Scim => plan.unmanaged.push(Unmanaged {
                email: user.email.clone(),
                managed_by: user.managed_by,
            }),
            ManagedBy::Config if !desired.prune => plan.kept.push(user.email.clone()),
            ManagedBy::Config => {
                let on = index.shifts_of(user, None);
                if on.is_empty() {
                    deleting.insert(user.email.key());
                    plan.changes.push(Change::DeleteUser {
                        email: user.email.clone(),
                        user_id: user.id.clone(),
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
    deleting
}

/// Which live group a group of the file is: the one with its name, else the one with a former
/// name (renamed in place). `None` with a reason when the file cannot say which.
enum Found<'a> {
    Same(&'a Group),
    Renamed(&'a Group),
    Missing,
    Ambiguous(String),
}

fn find_group<'a>(
    group: &DesiredGroup,
    index: &Index<'a>,
    claimed: &mut HashSet<GroupId>,
) -> Found<'a> {
    let current = index.groups_by_name.get(&name_key(&group.name)).copied();
    let former: Vec<&Group> = group
        .previously
        .iter()
        .filter_map(|n| index.groups_by_name.get(&name_key(n)).copied())
        .collect();
    claimed.extend(current.iter().chain(&former).map(|g| g.id.clone()));
    match (current, former.as_slice()) {
        (Some(g), []) => Found::Same(g),
        (None, []) => Found::Missing,
        (None, [g]) => Found::Renamed(g),
        (Some(g), former) => Found::Ambiguous(format!(
            "{} exists, and so does its former name {}: rename or delete one of them",
            g.name,
            join_names(former)
        )),
        (None, former) => Found::Ambiguous(format!(
            "several of its former names exist ({}): rename or delete all but one",
            join_names(former)
        )),
    }
}

fn join_names(groups: &[&Group]) -> String {
    groups
        .iter()
        .map(|g| g.name.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Groups: renamed, created, adopted, deleted (pruning, never with shifts), and their
/// memberships as the file lists them. Members the file does not manage are listed, not moved.
fn plan_groups<'a>(
    desired: &DesiredAccount,
    live: &'a Parts,
    index: &Index<'a>,
    named: &HashSet<&str>,
    deleting: &HashSet<&str>,
    plan: &mut AccountPlan,
) {
    let mut claimed = HashSet::new();
    for group in &desired.groups {
        let existing = match find_group(group, index, &mut claimed) {
            Found::Same(g) => g,
            Found::Renamed(g) => g,
            Found::Missing => {
                plan_new_group(group, plan);
                continue;
            }
            Found::Ambiguous(reason) => {
                plan.blocked.push(Blocked {
                    subject: format!("group {}", group.name),
                    reason,
                });
                continue;
            }
        };
        if existing.name.as_str() != group.name.as_str() {
            plan.changes.push(Change::RenameGroup {
                group_id: existing.id.clone(),
                from: existing.name.clone(),
                to: group.name.clone(),
            });
        }
        match existing.managed_by {
            ManagedBy::Api | ManagedBy::Scim => plan.adopt.push(Adoption::Group {
                group: group.name.clone(),
                group_id: existing.id.clone(),
            }),
            ManagedBy::Config => {}
        }
        plan_members(group, existing, index, named, deleting, plan);
    }
    for group in live.groups.iter().filter(|g| !claimed.contains(&g.id)) {
        match group.managed_by {
            ManagedBy::Api | ManagedBy::Scim => plan.unmanaged_groups.push(group.name.clone()),
            ManagedBy::Config if !desired.prune => plan.kept_groups.push(group.name.clone()),
            ManagedBy::Config => {
                let shifts = index
                    .shifts_of_group
                    .get(&group.id)
                    .map_or(&[][..], Vec::as_slice);
                if shifts.is_empty() {
                    plan.changes.push(Change::DeleteGroup {
                        group: group.name.clone(),
                        group_id: group.id.clone(),
                    });
                } else {
                    let mut on: Vec<String> =
                        shifts.iter().map(|s| index.describe_shift(s)).collect();
                    on.sort();
                    plan.blocked.push(Blocked {
                        subject: format!("delete group {}", group.name),
                        reason: format!(
                            "it has shifts: {}; delete them first or keep the group in the file",
                            on.join(", ")
                        ),
                    });
                }
            }
        }
    }
    plan.unmanaged_groups.sort_by_key(name_key);
    plan.kept_groups.sort_by_key(name_key);
}

/// One live group's memberships against the file's list of its members.
fn plan_members(
    group: &DesiredGroup,
    existing: &Group,
    index: &Index<'_>,
    named: &HashSet<&str>,
    deleting: &HashSet<&str>,
    plan: &mut AccountPlan,
) {
    let none = BTreeMap::new();
    let current = index
        .group_index
        .get(&existing.id)
        .and_then(|i| index.members_of.get(i))
        .unwrap_or(&none);
    for member in &group.members {
        match current.get(member.email.key()) {
            None => plan.changes.push(Change::AddMember {
                group: group.name.clone(),
                email: member.email.clone(),
                roles: member.roles,
            }),
            Some(roles) if *roles != member.roles => plan.changes.push(Change::ChangeMember {
                group: group.name.clone(),
                email: member.email.clone(),
                from: *roles,
                to: member.roles,
            }),
            Some(_) => {}
        }
    }
    let listed: HashSet<&str> = group.members.iter().map(|m| m.email.key()).collect();
    for (email, roles) in current.iter().filter(|(e, _)| !listed.contains(*e)) {
        let Some(user) = index.by_email.get(email) else {
            continue;
        };
        if deleting.contains(email) {
            continue;
        }
        // The file manages the memberships of the users it names and of its own users.
        let managed = named.contains(email) || user.managed_by == ManagedBy::Config;
        if !managed {
            plan.unmanaged_members.push(UnmanagedMember {
                group: group.name.clone(),
                email: user.email.clone(),
                managed_by: user.managed_by,
                roles: *roles,
            });
            continue;
        }
        let on = index.shifts_of(user, Some(&existing.id));
        if on.is_empty() {
            plan.changes.push(Change::RemoveMember {
                group: group.name.clone(),
                email: user.email.clone(),
            });
        } else {
            plan.blocked.push(Blocked {
                subject: format!("remove {} from {}", user.email, group.name),
                reason: format!("on shifts: {}", on.join(", ")),
            });
        }
    }
}

/// The removal breaker, decided before anything is written.
fn removal_breaker(desired: &DesiredAccount, live: &Parts, changes: &[Change]) -> Option<Refusal> {
    let managed = live
        .users
        .iter()
        .filter(|u| u.managed_by == ManagedBy::Config && !u.is_owner)
        .count();
    let removals = changes
        .iter()
        .filter(|c| matches!(c, Change::DeleteUser { .. }))
        .count();
    (managed > 0 && removals as f64 / managed as f64 > desired.max_removal_ratio).then_some(
        Refusal {
            removals,
            managed,
            max_removal_ratio: desired.max_removal_ratio,
        },
    )
}

/// A new account: created with its Owner (whose whole entry apply completes), then everyone
/// and everything else.
fn plan_new_account(desired: &DesiredAccount, plan: &mut AccountPlan) {
    plan.changes.push(Change::CreateAccount {
        name: desired.name.clone(),
        owner: desired.owner.clone(),
    });
    for user in desired.users.iter().filter(|u| u.email != desired.owner) {
        plan.changes.push(Change::CreateUser {
            email: user.email.clone(),
        });
    }
    for group in &desired.groups {
        plan_new_group(group, plan);
    }
    sort_changes(&mut plan.changes);
}

/// A group the account does not have: created, with each of its members.
fn plan_new_group(group: &DesiredGroup, plan: &mut AccountPlan) {
    plan.changes.push(Change::CreateGroup {
        group: group.name.clone(),
    });
    for member in &group.members {
        plan.changes.push(Change::AddMember {
            group: group.name.clone(),
            email: member.email.clone(),
            roles: member.roles,
        });
    }
}

/// By phase (account, groups — renames before creates, so a name a rename frees can be taken —,
/// users, memberships, deletions), then by user; a user's own steps keep the order they were
/// planned in.
fn sort_changes(changes: &mut [Change]) {
    changes.sort_by_cached_key(|c| {
        let creates_group = matches!(c, Change::CreateGroup { .. });
        (
            c.phase(),
            creates_group,
            c.email().map(|e| e.key().to_owned()),
        )
    });
}

/// A change as the blocked list names it.
pub(crate) fn describe(change: &Change) -> String {
    match change {
        Change::UpdateUser { email, field, .. } => {
            format!("{email} {} → {}", field.name(), user_field_to(field))
        }
        Change::AddRole { email, role, .. } => format!("{email} add role {}", role.id()),
        Change::RemoveRole { email, role, .. } => format!("{email} remove role {}", role.id()),
        Change::AddContact { email, contact, .. } => format!("{email} add {}", contact.method),
        Change::ChangeContact {
            email,
            method,
            field,
            ..
        } => {
            let (name, to) = match field {
                ContactField::Value { to, .. } => ("value", to.as_str().to_owned()),
                ContactField::WaitMinutes { to, .. } => ("wait_minutes", to.get().to_string()),
                ContactField::Retries { to, .. } => ("retries", to.get().to_string()),
            };
            format!("{email} {method} {name} → {to}")
        }
        Change::RemoveContact { email, method, .. } => format!("{email} remove {method}"),
        Change::ReorderContacts { email, to, .. } => format!("{email} order {}", kinds(to)),
        Change::CreateAccount { name, .. } => format!("create account {name}"),
        Change::UpdateAccount { .. } => "the account".into(),
        Change::RenameGroup { from, to, .. } => format!("rename group {from} → {to}"),
        Change::CreateGroup { group } => format!("create group {group}"),
        Change::CreateUser { email } => format!("create {email}"),
        Change::AddMember { group, email, .. } => format!("add {email} to {group}"),
        Change::ChangeMember { group, email, .. } => format!("{email} in {group}"),
        Change::RemoveMember { group, email } => format!("remove {email} from {group}"),
        Change::DeleteUser { email, .. } => format!("delete {email}"),
        Change::DeleteGroup { group, .. } => format!("delete group {group}"),
    }
}

/// The value a user field change sets, as text.
pub fn user_field_to(field: &UserField) -> String {
    user_field_values(field).1
}

/// A user field change's values before and after, as text.
pub fn user_field_values(field: &UserField) -> (String, String) {
    match field {
        UserField::FirstName { from, to } | UserField::LastName { from, to } => {
            (from.to_string(), to.to_string())
        }
        UserField::Username { from, to } => (from.to_string(), to.to_string()),
        UserField::ExternalId { from, to } => (
            from.as_ref().map_or_else(String::new, |e| e.to_string()),
            to.to_string(),
        ),
        UserField::TimeZone { from, to } => (from.to_string(), to.to_string()),
        UserField::Locale { from, to } => (from.to_string(), to.to_string()),
    }
}

/// Method names, comma-separated.
pub fn kinds(list: &[ContactMethodKind]) -> String {
    list.iter().map(|k| k.id()).collect::<Vec<_>>().join(", ")
}

/// A user's differences from their entry in the file: only what the file sets counts.
pub(crate) fn user_changes(wanted: &DesiredUser, user: &User) -> Vec<Change> {
    let mut fields = Vec::new();
    if user.first_name.as_str() != wanted.first_name.as_str() {
        fields.push(UserField::FirstName {
            from: user.first_name.clone(),
            to: wanted.first_name.clone(),
        });
    }
    if user.last_name.as_str() != wanted.last_name.as_str() {
        fields.push(UserField::LastName {
            from: user.last_name.clone(),
            to: wanted.last_name.clone(),
        });
    }
    if let Some(username) = wanted
        .username
        .as_ref()
        .filter(|u| u.as_str() != user.username.as_str())
    {
        fields.push(UserField::Username {
            from: user.username.clone(),
            to: username.clone(),
        });
    }
    if let Some(tz) = wanted
        .time_zone
        .as_ref()
        .filter(|tz| tz.to_string() != user.preferences.time_zone.to_string())
    {
        fields.push(UserField::TimeZone {
            from: user.preferences.time_zone.clone(),
            to: tz.clone(),
        });
    }
    if let Some(locale) = wanted
        .locale
        .as_ref()
        .filter(|l| **l != user.preferences.locale)
    {
        fields.push(UserField::Locale {
            from: user.preferences.locale.clone(),
            to: locale.clone(),
        });
    }
    if let Some(external) = wanted
        .external_id
        .as_ref()
        .filter(|e| user.external_id.as_ref() != Some(*e))
    {
        fields.push(UserField::ExternalId {
            from: user.external_id.clone(),
            to: external.clone(),
        });
    }
    let mut changes: Vec<Change> = fields
        .into_iter()
        .map(|field| Change::UpdateUser {
            email: user.email.clone(),
            user_id: user.id.clone(),
            field,
        })
        .collect();
    if let (Some(roles), true) = (&wanted.roles, user.user_type.holds_roles()) {
        for role in roles.difference(&user.roles) {
            changes.push(Change::AddRole {
                email: user.email.clone(),
                user_id: user.id.clone(),
                role: *role,
            });
        }
        for role in user.roles.difference(roles) {
            changes.push(Change::RemoveRole {
                email: user.email.clone(),
                user_id: user.id.clone(),
                role: *role,
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
    let (email, id) = (&user.email, &user.id);
    let mut changes = Vec::new();
    let mut after: Vec<ContactMethod> = user.contact_methods.clone();
    for want in wanted {
        let have = user
            .contact_methods
            .iter()
            .find(|m| m.method == want.method);
        let Some(have) = have else {
            // Every alerted user holds `email-official`; only addable methods can be missing.
            if want.method.is_addable() {
                let contact = ContactMethod {
                    method: want.method,
                    value: want.value.clone(),
                    wait_minutes: want.wait_minutes.unwrap_or_default(),
                    retries: want.retries.unwrap_or_default(),
                    devices: Vec::new(),
                };
                after.push(contact.clone());
                changes.push(Change::AddContact {
                    email: email.clone(),
                    user_id: id.clone(),
                    contact,
                });
            }
            continue;
        };
        let mut field = |field: ContactField| {
            changes.push(Change::ChangeContact {
                email: email.clone(),
                user_id: id.clone(),
                method: want.method,
                field,
            })
        };
        if let (Some(to), Some(from)) = (&want.value, &have.value) {
            if to.as_str() != from.as_str() {
                field(ContactField::Value {
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
        if let Some(to) = want.wait_minutes.filter(|w| *w != have.wait_minutes) {
            field(ContactField::WaitMinutes {
                from: have.wait_minutes,
                to,
            });
        }
        if let Some(to) = want.retries.filter(|r| *r != have.retries) {
            field(ContactField::Retries {
                from: have.retries,
                to,
            });
        }
    }
    let listed: Vec<ContactMethodKind> = wanted.iter().map(|w| w.method).collect();
    for have in &user.contact_methods {
        if have.method.is_addable() && !listed.contains(&have.method) {
            changes.push(Change::RemoveContact {
                email: email.clone(),
                user_id: id.clone(),
                method: have.method,
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
            email: email.clone(),
            user_id: id.clone(),
            from: after.iter().map(|m| m.method).collect(),
            to: order,
        });
    }
    changes
}
