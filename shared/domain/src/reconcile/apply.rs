//! Carrying a plan out: adoptions first, then phase by phase (account, groups, users side by
//! side with each user's steps in order, memberships group by group, deletions), every failure
//! collected (one does not stop the others), and the removal breaker checked before anything is
//! written. Each change is matched exhaustively and its domain values go to the use cases as
//! they are. The work is linear in the plan: users and groups are found through indexes, and a
//! group's new members are put in with one read of the group. Re-running converges: each step
//! is decided again from a fresh read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde::Serialize;

use super::change::{AccountField, Adoption, Change, ContactField, Phase, UserField};
use super::desired::{DesiredAccount, DesiredRoster, DesiredUser};
use super::plan::{AccountPlan, Plan, user_changes};
use crate::access::Actor;
use crate::entities::{ContactMethod, ManagedBy, MemberRoles, User};
use crate::error::DomainError;
use crate::usecases::{
    ContactPatch, NewAccount, NewUser, OWNER_DEFAULT_ROLES, ProfileChanges, Roster,
    USER_DEFAULT_ROLES,
};
use crate::values::{
    ContactMethodKind, Email, GroupId, GroupName, Role, Roles, UserId, UserType, Username,
};

/// Called after each step with (done, total).
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

#[derive(Clone)]
pub struct ApplyOptions {
    /// Apply even where the removal breaker refuses.
    pub allow_removals: bool,
    /// How many users (and groups) are worked on at once.
    pub concurrency: usize,
    pub progress: Option<Progress>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            allow_removals: false,
            concurrency: 8,
            progress: None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub accounts: Vec<AccountReport>,
}

impl ApplyReport {
    pub fn failures(&self) -> usize {
        self.accounts.iter().map(|a| a.failures.len()).sum()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountReport {
    pub account: String,
    pub applied: usize,
    pub failures: Vec<Failure>,
}

/// A step that failed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub step: Step,
    pub error: String,
}

/// What apply attempted: an adoption or one of the plan's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Step {
    Adopt(Adoption),
    Change(Change),
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Adopt(Adoption::User { email, .. }) => write!(f, "adopt user {email}"),
            Step::Adopt(Adoption::Group { group, .. }) => write!(f, "adopt group {group}"),
            Step::Change(change) => f.write_str(&super::plan::describe(change)),
        }
    }
}

/// What one account's steps share: who acts, the file's users by email, the ids learned so
/// far, and the tallies.
struct Run<'a> {
    roster: &'a Roster,
    actor: Actor,
    desired: &'a DesiredAccount,
    wanted: HashMap<&'a str, &'a DesiredUser>,
    users: Mutex<HashMap<String, UserId>>,
    groups: Mutex<HashMap<String, GroupId>>,
    applied: AtomicUsize,
    failures: Mutex<Vec<Failure>>,
    done: &'a AtomicUsize,
    total: usize,
    progress: Option<Progress>,
}

impl Roster {
    /// The plan of every account in the file, each from one read of its partition, made as the
    /// partition's pages arrive: memory holds the file's roster and a little of each live user,
    /// not the live account.
    pub async fn plan(&self, desired: &DesiredRoster) -> Result<Plan, DomainError> {
        let mut accounts = Vec::with_capacity(desired.accounts.len());
        for account in &desired.accounts {
            let mut planner = super::Planner::new(account);
            self.each_live_item(&account.id, |item| planner.add(item))
                .await?;
            accounts.push(planner.finish());
        }
        Ok(Plan { accounts })
    }

    /// Carries `plan` (made from `desired`) out. Refused whole, before any write, where the
    /// removal breaker trips and `allow_removals` is off.
    pub async fn apply(
        &self,
        desired: &DesiredRoster,
        plan: &Plan,
        options: &ApplyOptions,
    ) -> Result<ApplyReport, DomainError> {
        if !options.allow_removals {
            if let Some((account, why)) = plan.refused().next() {
                return Err(DomainError::conflict(format!("account {account}: {why}")));
            }
        }
        let total = plan
            .accounts
            .iter()
            .map(|a| a.changes.len() + a.adopt.len())
            .sum();
        let done = AtomicUsize::new(0);
        let mut report = ApplyReport::default();
        let by_id: HashMap<&str, &DesiredAccount> = desired
            .accounts
            .iter()
            .map(|a| (a.id.as_str(), a))
            .collect();
        for account_plan in &plan.accounts {
            let Some(wanted) = by_id.get(account_plan.account.as_str()) else {
                continue;
            };
            let run = Run {
                roster: self,
                actor: Actor::Operator(wanted.id.clone()),
                desired: wanted,
                wanted: wanted.users_by_email(),
                users: Mutex::new(HashMap::new()),
                groups: Mutex::new(HashMap::new()),
                applied: AtomicUsize::new(0),
                failures: Mutex::new(Vec::new()),
                done: &done,
                total,
                progress: options.progress.clone(),
            };
            run.account(account_plan, options.concurrency.max(1))
                .await?;
            report.accounts.push(AccountReport {
                account: account_plan.account.to_string(),
                applied: run.applied.load(Ordering::SeqCst),
                failures: run.failures.into_inner().unwrap_or_else(|e| e.into_inner()),
            });
        }
        Ok(report)
    }
}

/// Each key's items in the order the keys first appear, grouped in one pass.
fn grouped<K: std::hash::Hash + Eq, T>(items: impl Iterator<Item = (K, T)>) -> Vec<Vec<T>> {
    let mut at: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<Vec<T>> = Vec::new();
    for (key, item) in items {
        let slot = *at.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[slot].push(item);
    }
    groups
}

impl Run<'_> {
    async fn account(&self, plan: &AccountPlan, concurrency: usize) -> Result<(), DomainError> {
        // Ids of what exists already, from one read of the partition.
        let live = self.roster.live_account(&self.desired.id).await?;
        {
            let mut users = self.lock_users();
            for user in &live.users {
                users.insert(user.email.key().to_owned(), user.id.clone());
            }
            let mut groups = self.lock_groups();
            for group in &live.groups {
                groups.insert(group_key(&group.name), group.id.clone());
            }
        }
        // What the file names is the file's from now on; that first, so a failure later
        // cannot leave anything half adopted.
        for adoption in &plan.adopt {
            let outcome = match adoption {
                Adoption::User { user_id, .. } => {
                    self.roster.adopt_user(&self.actor, user_id).await.map(drop)
                }
                Adoption::Group { group_id, .. } => self
                    .roster
                    .adopt_group(&self.actor, group_id)
                    .await
                    .map(drop),
            };
            self.record(Step::Adopt(adoption.clone()), outcome);
        }
        let phase = |phase: Phase| plan.changes.iter().filter(move |c| c.phase() == phase);
        for change in phase(Phase::Account).chain(phase(Phase::Groups)) {
            self.step(change).await;
        }
        // Each user's steps in order; users side by side. A user whose creation failed has
        // nothing to change.
        let per_user = grouped(phase(Phase::Users).map(|c| (c.email().map(Email::key), c)));
        futures_util::stream::iter(per_user)
            .for_each_concurrent(concurrency, |steps| async move {
                for change in steps {
                    if !self.step(change).await && matches!(change, Change::CreateUser { .. }) {
                        break;
                    }
                }
            })
            .await;
        let per_group = grouped(
            phase(Phase::Members)
                .filter_map(MemberStep::of)
                .map(|step| (step.group(), step)),
        );
        futures_util::stream::iter(per_group)
            .for_each_concurrent(concurrency, |steps| self.members(steps))
            .await;
        let (users, groups): (Vec<&Change>, Vec<&Change>) =
            phase(Phase::Deletions).partition(|c| matches!(c, Change::DeleteUser { .. }));
        futures_util::stream::iter(users)
            .for_each_concurrent(concurrency, |change| async move {
                self.step(change).await;
            })
            .await;
        for change in groups {
            self.step(change).await;
        }
        Ok(())
    }

    /// One group's membership changes: whoever will escalate joins first and removals go last,
    /// so the group never passes through "members but no primary or secondary"; the joins are
    /// put in with one read of the group.
    async fn members(&self, mut steps: Vec<MemberStep<'_>>) {
        steps.sort_by_key(|step| match step {
            MemberStep::Put { roles, .. } if roles.escalates() => 0,
            MemberStep::Put { .. } => 1,
            MemberStep::Remove { .. } => 2,
        });
        let mut members = Vec::with_capacity(steps.len());
        let mut asked = Vec::with_capacity(steps.len());
        let mut removals = Vec::new();
        for step in steps {
            match step {
                MemberStep::Put {
                    change,
                    group,
                    email,
                    roles,
                } => match (self.group_id(group), self.user_id(email)) {
                    (Ok(group), Ok(user)) => {
                        members.push((user, roles));
                        asked.push((change, group));
                    }
                    (Err(e), _) | (_, Err(e)) => self.record(Step::Change(change.clone()), Err(e)),
                },
                MemberStep::Remove { change, .. } => removals.push(change),
            }
        }
        if let Some((_, group)) = asked.first() {
            let outcomes = self.roster.put_members(&self.actor, group, &members).await;
            for ((change, _), outcome) in asked.into_iter().zip(outcomes) {
                self.record(Step::Change(change.clone()), outcome);
            }
        }
        for change in removals {
            self.step(change).await;
        }
    }

    /// One step; a failure is recorded and the run goes on. `true` when it succeeded.
    async fn step(&self, change: &Change) -> bool {
        let outcome = self.execute(change).await;
        let ok = outcome.is_ok();
        self.record(Step::Change(change.clone()), outcome);
        ok
    }

    fn record(&self, step: Step, outcome: Result<(), DomainError>) {
        match outcome {
            Ok(()) => {
                self.applied.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => self
                .failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Failure {
                    step,
                    error: e.to_string(),
                }),
        }
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(progress) = &self.progress {
            progress(done, self.total);
        }
    }

    fn lock_users(&self) -> std::sync::MutexGuard<'_, HashMap<String, UserId>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_groups(&self) -> std::sync::MutexGuard<'_, HashMap<String, GroupId>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn user_id(&self, email: &Email) -> Result<UserId, DomainError> {
        self.lock_users()
            .get(email.key())
            .cloned()
            .ok_or_else(|| DomainError::not_found("user", email.as_str()))
    }

    fn group_id(&self, name: &GroupName) -> Result<GroupId, DomainError> {
        self.lock_groups()
            .get(&group_key(name))
            .cloned()
            .ok_or_else(|| DomainError::not_found("group", name.as_str()))
    }

    fn wanted(&self, email: &Email) -> Result<&DesiredUser, DomainError> {
        self.wanted
            .get(email.key())
            .copied()
            .ok_or_else(|| DomainError::not_found("user in the file", email.as_str()))
    }

    async fn execute(&self, change: &Change) -> Result<(), DomainError> {
        let (roster, actor) = (self.roster, &self.actor);
        match change {
            Change::CreateAccount { .. } => {
                let owner = self.wanted(&self.desired.owner)?;
                let new = NewAccount {
                    id: self.desired.id.clone(),
                    name: self.desired.name.clone(),
                    seats: self.desired.seats,
                    owner: new_user(owner, OWNER_DEFAULT_ROLES),
                };
                // The Owner is written whole, in the account's own transaction: reconcile never
                // changes an Owner afterwards, so there must be nothing left to finish.
                let (_, created, _) = roster
                    .create_new_account(new, ManagedBy::Config, |user| shape(owner, user))
                    .await?;
                self.remember(owner, &created.id);
                Ok(())
            }
            Change::UpdateAccount { field } => {
                let (name, seats) = match field {
                    AccountField::Name { to, .. } => (Some(to.clone()), None),
                    AccountField::Seats { to, .. } => (None, Some(*to)),
                };
                roster.update_account(actor, name, seats).await.map(drop)
            }
            Change::RenameGroup { group_id, from, to } => {
                roster.rename_group_to(actor, group_id, to).await?;
                let mut groups = self.lock_groups();
                groups.remove(&group_key(from));
                groups.insert(group_key(to), group_id.clone());
                Ok(())
            }
            Change::CreateGroup { group } => {
                let created = roster
                    .create_named_group(actor, group.clone(), ManagedBy::Config)
                    .await?;
                self.lock_groups().insert(group_key(group), created.id);
                Ok(())
            }
            Change::CreateUser { email } => {
                let wanted = self.wanted(email)?;
                let (created, _) = roster
                    .create_new_user(
                        actor,
                        new_user(wanted, USER_DEFAULT_ROLES),
                        ManagedBy::Config,
                        |user| shape(wanted, user),
                    )
                    .await?;
                self.remember(wanted, &created.id);
                // Created whole; anything the file says that creating could not set (none
                // today) follows as ordinary changes.
                for follow_up in user_changes(wanted, &created) {
                    Box::pin(self.execute(&follow_up)).await?;
                }
                Ok(())
            }
            Change::UpdateUser { user_id, field, .. } => roster
                .change_profile(actor, user_id, &profile_change(field))
                .await
                .map(drop),
            Change::AddRole { user_id, role, .. } => {
                roster.grant_role(actor, user_id, *role).await.map(drop)
            }
            Change::RemoveRole { user_id, role, .. } => {
                roster.revoke_role(actor, user_id, *role).await.map(drop)
            }
            Change::AddContact {
                user_id, contact, ..
            } => roster
                .add_contact_method(actor, user_id, contact.clone())
                .await
                .map(drop),
            Change::ChangeContact {
                user_id,
                method,
                field,
                ..
            } => roster
                .change_contact_method(actor, user_id, *method, &contact_patch(field))
                .await
                .map(drop),
            Change::RemoveContact {
                user_id, method, ..
            } => roster.remove_contact_method(actor, user_id, *method).await,
            Change::ReorderContacts { user_id, to, .. } => roster
                .reorder_contact_methods(actor, user_id, to)
                .await
                .map(drop),
            Change::AddMember {
                group,
                email,
                roles,
            }
            | Change::ChangeMember {
                group,
                email,
                to: roles,
                ..
            } => {
                let (group, user, roles) = (self.group_id(group)?, self.user_id(email)?, *roles);
                let mut outcomes = roster.put_members(actor, &group, &[(user, roles)]).await;
                outcomes.pop().unwrap_or(Ok(()))
            }
            Change::RemoveMember { group, email } => {
                let (group, user) = (self.group_id(group)?, self.user_id(email)?);
                roster.remove_member(actor, &group, &user).await
            }
            Change::DeleteUser { user_id, .. } => roster.delete_user(actor, user_id, None).await,
            Change::DeleteGroup { group_id, .. } => roster.delete_group(actor, group_id).await,
        }
    }

    fn remember(&self, user: &DesiredUser, id: &UserId) {
        self.lock_users()
            .insert(user.email.key().to_owned(), id.clone());
    }
}

fn group_key(name: &GroupName) -> String {
    name.as_str().to_lowercase()
}

/// A membership change, as the members phase works on it.
enum MemberStep<'c> {
    Put {
        change: &'c Change,
        group: &'c GroupName,
        email: &'c Email,
        roles: MemberRoles,
    },
    Remove {
        change: &'c Change,
        group: &'c GroupName,
    },
}

impl<'c> MemberStep<'c> {
    fn of(change: &'c Change) -> Option<Self> {
        match change {
            Change::AddMember {
                group,
                email,
                roles,
            }
            | Change::ChangeMember {
                group,
                email,
                to: roles,
                ..
            } => Some(MemberStep::Put {
                change,
                group,
                email,
                roles: *roles,
            }),
            Change::RemoveMember { group, .. } => Some(MemberStep::Remove { change, group }),
            Change::CreateAccount { .. }
            | Change::UpdateAccount { .. }
            | Change::RenameGroup { .. }
            | Change::CreateGroup { .. }
            | Change::CreateUser { .. }
            | Change::UpdateUser { .. }
            | Change::AddRole { .. }
            | Change::RemoveRole { .. }
            | Change::AddContact { .. }
            | Change::ChangeContact { .. }
            | Change::RemoveContact { .. }
            | Change::ReorderContacts { .. }
            | Change::DeleteUser { .. }
            | Change::DeleteGroup { .. } => None,
        }
    }

    fn group(&self) -> String {
        match self {
            MemberStep::Put { group, .. } | MemberStep::Remove { group, .. } => group_key(group),
        }
    }
}

/// The profile change that sets one field.
fn profile_change(field: &UserField) -> ProfileChanges {
    let mut changes = ProfileChanges::default();
    match field {
        UserField::FirstName { to, .. } => changes.first_name = Some(to.clone()),
        UserField::LastName { to, .. } => changes.last_name = Some(to.clone()),
        UserField::Username { to, .. } => changes.username = Some(Some(to.clone())),
        UserField::ExternalId { to, .. } => changes.external_id = Some(Some(to.clone())),
        UserField::TimeZone { to, .. } => changes.time_zone = Some(to.clone()),
        UserField::Locale { to, .. } => changes.locale = Some(to.clone()),
    }
    changes
}

/// The contact change that sets one field.
fn contact_patch(field: &ContactField) -> ContactPatch {
    let mut patch = ContactPatch::default();
    match field {
        ContactField::Value { to, .. } => patch.value = Some(to.clone()),
        ContactField::WaitMinutes { to, .. } => patch.wait_minutes = Some(*to),
        ContactField::Retries { to, .. } => patch.retries = Some(*to),
    }
    patch
}

/// Gives a new user what their entry declares beyond what creating takes: preferences and the
/// contact sequence (`email-official` where listed, first otherwise).
fn shape(wanted: &DesiredUser, user: &mut User) {
    if let Some(tz) = &wanted.time_zone {
        user.preferences.time_zone = tz.clone();
    }
    if let Some(locale) = &wanted.locale {
        user.preferences.locale = locale.clone();
    }
    let Some(declared) = &wanted.contact_methods else {
        return;
    };
    if !user.user_type.receives_alerts() {
        return;
    }
    let mut methods = Vec::with_capacity(declared.len() + 1);
    if !declared
        .iter()
        .any(|c| c.method == ContactMethodKind::EmailOfficial)
    {
        methods.push(ContactMethod::email_official());
    }
    for contact in declared {
        methods.push(ContactMethod {
            method: contact.method,
            value: contact.value.clone(),
            wait_minutes: contact.wait_minutes.unwrap_or_default(),
            retries: contact.retries.unwrap_or_default(),
            devices: Vec::new(),
        });
    }
    user.contact_methods = methods;
}

/// A user as the create use cases take them, from the file's checked entry: a standard user
/// the file gives no roles holds `default_roles`, as one created through the API would.
fn new_user(user: &DesiredUser, default_roles: &[Role]) -> NewUser {
    let user_type = user.user_type.unwrap_or(UserType::Standard);
    let roles = match (&user.roles, user_type.holds_roles()) {
        (_, false) => Roles::new(),
        (Some(roles), true) => roles.clone(),
        (None, true) => default_roles.iter().copied().collect(),
    };
    NewUser {
        email: user.email.clone(),
        username: user
            .username
            .clone()
            .unwrap_or_else(|| Username::from(&user.email)),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        user_type,
        roles,
        external_id: user.external_id.clone(),
    }
}
