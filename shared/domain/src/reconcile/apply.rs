//! Carrying a plan out: bounded concurrency across users, one user's steps in order, every
//! failure collected (one does not stop the others), and the removal breaker checked before
//! anything is written. Re-running converges: each step is decided again from a fresh read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use serde::Serialize;

use super::desired::{DesiredAccount, DesiredRoster, DesiredUser};
use super::plan::{AccountPlan, Change, Plan, key, plan_account, user_changes};
use crate::access::Actor;
use crate::entities::{ContactMethod, ManagedBy, User};
use crate::error::DomainError;
use crate::usecases::{
    ContactOrderInput, ContactPatchInput, GroupInput, MemberInput, NewAccountInput,
    NewContactInput, NewUserInput, PreferencesPatch, RoleInput, Roster, UserPatchInput,
};
use crate::values::{ContactMethodKind, GroupId, UserId};

/// Called after each step with (done, total).
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

#[derive(Clone)]
pub struct ApplyOptions {
    /// Apply even where the removal breaker refuses.
    pub allow_removals: bool,
    /// How many users are worked on at once.
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

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub change: Change,
    pub error: String,
}

/// What one account's steps share: who acts, the ids learned so far, and the tallies.
struct Run<'a> {
    roster: &'a Roster,
    actor: Actor,
    desired: &'a DesiredAccount,
    users: Mutex<HashMap<String, UserId>>,
    groups: Mutex<HashMap<String, GroupId>>,
    applied: AtomicUsize,
    failures: Mutex<Vec<Failure>>,
    done: &'a AtomicUsize,
    total: usize,
    progress: Option<Progress>,
}

impl Roster {
    /// The plan of every account in the file, each from one read of its partition.
    pub async fn plan(&self, desired: &DesiredRoster) -> Result<Plan, DomainError> {
        let mut accounts = Vec::with_capacity(desired.accounts.len());
        for account in &desired.accounts {
            let live = self.live_account(&account.id).await?;
            accounts.push(plan_account(account, &live));
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
        let total = plan.accounts.iter().map(|a| a.changes.len()).sum();
        let done = AtomicUsize::new(0);
        let mut report = ApplyReport::default();
        for account_plan in &plan.accounts {
            let Some(wanted) = desired
                .accounts
                .iter()
                .find(|a| a.id.as_str() == account_plan.account)
            else {
                continue;
            };
            let run = Run {
                roster: self,
                actor: Actor::Operator(wanted.id.clone()),
                desired: wanted,
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
                account: account_plan.account.clone(),
                applied: run.applied.load(Ordering::SeqCst),
                failures: run.failures.into_inner().unwrap_or_else(|e| e.into_inner()),
            });
        }
        Ok(report)
    }
}

impl Run<'_> {
    async fn account(&self, plan: &AccountPlan, concurrency: usize) -> Result<(), DomainError> {
        // Ids of what exists already, from one read of the partition.
        let live = self.roster.live_account(&self.desired.id).await?;
        {
            let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
            for user in &live.users {
                users.insert(user.email.key().to_owned(), user.id.clone());
            }
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            for group in &live.groups {
                groups.insert(group.name.as_str().to_lowercase(), group.id.clone());
            }
        }
        // Users the file names are the file's from now on; that first, so a failure later
        // cannot leave a user half adopted.
        for email in &plan.adopt {
            let outcome = match self.user_id(email) {
                Ok(id) => self.roster.adopt_user(&self.actor, &id).await.map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                self.failures
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Failure {
                        change: Change::UpdateUser {
                            email: email.clone(),
                            user_id: String::new(),
                            field: "managed_by".into(),
                            from: "api".into(),
                            to: "config".into(),
                        },
                        error: e.to_string(),
                    });
            }
        }
        let phase = |rank: fn(&Change) -> bool| plan.changes.iter().filter(move |c| rank(c));
        for change in phase(|c| {
            matches!(
                c,
                Change::CreateAccount { .. }
                    | Change::UpdateAccount { .. }
                    | Change::CreateGroup { .. }
            )
        }) {
            self.step(change).await;
        }
        // Each user's steps in order; users side by side.
        let mut per_user: Vec<(String, Vec<&Change>)> = Vec::new();
        for change in phase(is_user_step) {
            let email = key(change.email().unwrap_or_default());
            match per_user.iter_mut().find(|(e, _)| *e == email) {
                Some((_, steps)) => steps.push(change),
                None => per_user.push((email, vec![change])),
            }
        }
        futures_util::stream::iter(per_user)
            .for_each_concurrent(concurrency, |(_, steps)| async move {
                for change in steps {
                    if !self.step(change).await && matches!(change, Change::CreateUser { .. }) {
                        break;
                    }
                }
            })
            .await;
        // Memberships group by group (a group's changes are serialised anyway); groups side by side.
        let mut per_group: Vec<(String, Vec<&Change>)> = Vec::new();
        for change in phase(|c| {
            matches!(
                c,
                Change::AddMember { .. }
                    | Change::ChangeMember { .. }
                    | Change::RemoveMember { .. }
            )
        }) {
            let group = match change {
                Change::AddMember { group, .. }
                | Change::ChangeMember { group, .. }
                | Change::RemoveMember { group, .. } => group.to_lowercase(),
                _ => continue,
            };
            match per_group.iter_mut().find(|(g, _)| *g == group) {
                Some((_, steps)) => steps.push(change),
                None => per_group.push((group, vec![change])),
            }
        }
        // Within a group: whoever will escalate joins first, removals go last, so the group never
        // passes through "members but no primary or secondary".
        for (_, steps) in &mut per_group {
            steps.sort_by_key(|change| match change {
                Change::AddMember { roles, .. } | Change::ChangeMember { to: roles, .. }
                    if roles.escalates() =>
                {
                    0
                }
                Change::RemoveMember { .. } => 2,
                _ => 1,
            });
        }
        futures_util::stream::iter(per_group)
            .for_each_concurrent(concurrency, |(_, steps)| async move {
                for change in steps {
                    self.step(change).await;
                }
            })
            .await;
        futures_util::stream::iter(phase(|c| matches!(c, Change::DeleteUser { .. })))
            .for_each_concurrent(concurrency, |change| async move {
                self.step(change).await;
            })
            .await;
        Ok(())
    }

    /// One step; a failure is recorded and the run goes on. `true` when it succeeded.
    async fn step(&self, change: &Change) -> bool {
        let outcome = self.execute(change).await;
        let ok = outcome.is_ok();
        match outcome {
            Ok(()) => {
                self.applied.fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => self
                .failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Failure {
                    change: change.clone(),
                    error: e.to_string(),
                }),
        }
        let done = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(progress) = &self.progress {
            progress(done, self.total);
        }
        ok
    }

    fn user_id(&self, email: &str) -> Result<UserId, DomainError> {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key(email))
            .cloned()
            .ok_or_else(|| DomainError::not_found("user", email))
    }

    fn group_id(&self, name: &str) -> Result<GroupId, DomainError> {
        self.groups
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&name.to_lowercase())
            .cloned()
            .ok_or_else(|| DomainError::not_found("group", name))
    }

    fn wanted(&self, email: &str) -> Result<&DesiredUser, DomainError> {
        self.desired
            .users
            .iter()
            .find(|u| u.email.key() == key(email))
            .ok_or_else(|| DomainError::not_found("user in the file", email))
    }

    async fn execute(&self, change: &Change) -> Result<(), DomainError> {
        let (roster, actor) = (self.roster, &self.actor);
        match change {
            Change::CreateAccount { .. } => {
                let owner = self.wanted(self.desired.owner.as_str())?;
                let input = NewAccountInput {
                    id: Some(self.desired.id.to_string()),
                    name: Some(self.desired.name.to_string()),
                    seats: self.desired.seats,
                    owner: new_user_input(owner),
                };
                // The Owner is written whole, in the account's own transaction: reconcile never
                // changes an Owner afterwards, so there must be nothing left to finish.
                let (_, created, _) = roster
                    .create_account_shaped(&input, ManagedBy::Config, |user| shape(owner, user))
                    .await?;
                self.remember(owner, &created.id);
                Ok(())
            }
            Change::UpdateAccount { field, .. } => {
                let (name, seats) = match field.as_str() {
                    "name" => (Some(self.desired.name.clone()), None),
                    _ => (None, self.desired.seats),
                };
                roster.update_account(actor, name, seats).await.map(|_| ())
            }
            Change::CreateGroup { group } => {
                let created = roster
                    .create_group(
                        actor,
                        &GroupInput {
                            name: Some(group.clone()),
                        },
                    )
                    .await?;
                self.groups
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(group.to_lowercase(), created.id);
                Ok(())
            }
            Change::CreateUser { email } => {
                let wanted = self.wanted(email)?;
                let (created, _) = roster
                    .create_user_shaped(actor, &new_user_input(wanted), ManagedBy::Config, |user| {
                        shape(wanted, user)
                    })
                    .await?;
                self.remember(wanted, &created.id);
                // Created whole; anything the file says that creating could not set (none
                // today) follows as ordinary changes.
                for follow_up in user_changes(wanted, &created) {
                    Box::pin(self.execute(&follow_up)).await?;
                }
                Ok(())
            }
            Change::UpdateUser {
                email, field, to, ..
            } => {
                let mut patch = UserPatchInput::default();
                let value = Some(Some(to.clone()));
                match field.as_str() {
                    "first_name" => patch.first_name = value,
                    "last_name" => patch.last_name = value,
                    "username" => patch.username = value,
                    "external_id" => patch.external_id = value,
                    "time_zone" => {
                        patch.preferences = Some(PreferencesPatch {
                            time_zone: Some(to.clone()),
                            ..Default::default()
                        })
                    }
                    "locale" => {
                        patch.preferences = Some(PreferencesPatch {
                            locale: Some(to.clone()),
                            ..Default::default()
                        })
                    }
                    other => {
                        return Err(DomainError::conflict(format!(
                            "reconcile does not change {other}"
                        )));
                    }
                }
                roster
                    .update_user(actor, &self.user_id(email)?, &patch, None)
                    .await
                    .map(|_| ())
            }
            Change::AddRole { email, role, .. } => roster
                .assign_role(
                    actor,
                    &self.user_id(email)?,
                    &RoleInput {
                        role: Some(role.clone()),
                    },
                )
                .await
                .map(|_| ()),
            Change::RemoveRole { email, role, .. } => roster
                .remove_role(actor, &self.user_id(email)?, role)
                .await
                .map(|_| ()),
            Change::AddContact {
                email,
                method,
                value,
                ..
            } => {
                let declared = self
                    .wanted(email)?
                    .contact_methods
                    .iter()
                    .flatten()
                    .find(|c| c.method.id() == method);
                let input = NewContactInput {
                    method: Some(method.clone()),
                    value: Some(value.clone()),
                    wait_minutes: declared
                        .and_then(|c| c.wait_minutes)
                        .map(|w| i64::from(w.get())),
                    retries: declared.and_then(|c| c.retries).map(|r| i64::from(r.get())),
                };
                roster
                    .add_contact(actor, &self.user_id(email)?, &input)
                    .await
                    .map(|_| ())
            }
            Change::ChangeContact {
                email,
                method,
                field,
                to,
                ..
            } => {
                let mut patch = ContactPatchInput::default();
                match field.as_str() {
                    "value" => patch.value = Some(to.clone()),
                    "wait_minutes" => patch.wait_minutes = to.parse().ok(),
                    _ => patch.retries = to.parse().ok(),
                }
                roster
                    .update_contact(actor, &self.user_id(email)?, method, &patch)
                    .await
                    .map(|_| ())
            }
            Change::RemoveContact { email, method, .. } => {
                roster
                    .remove_contact(actor, &self.user_id(email)?, method)
                    .await
            }
            Change::ReorderContacts { email, to, .. } => roster
                .reorder_contacts(
                    actor,
                    &self.user_id(email)?,
                    &ContactOrderInput {
                        order: Some(to.clone()),
                    },
                )
                .await
                .map(|_| ()),
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
                let input = MemberInput {
                    primary: Some(roles.primary),
                    secondary: Some(roles.secondary),
                    manager: Some(roles.manager),
                };
                let (group, user) = (self.group_id(group)?, self.user_id(email)?);
                roster
                    .put_member(actor, &group, &user, &input)
                    .await
                    .map(|_| ())
            }
            Change::RemoveMember { group, email } => {
                let (group, user) = (self.group_id(group)?, self.user_id(email)?);
                roster.remove_member(actor, &group, &user).await
            }
            Change::DeleteUser { email, .. } => {
                roster.delete_user(actor, &self.user_id(email)?, None).await
            }
        }
    }

    fn remember(&self, user: &DesiredUser, id: &UserId) {
        self.users
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.email.key().to_owned(), id.clone());
    }
}

fn is_user_step(change: &Change) -> bool {
    matches!(
        change,
        Change::CreateUser { .. }
            | Change::UpdateUser { .. }
            | Change::AddRole { .. }
            | Change::RemoveRole { .. }
            | Change::AddContact { .. }
            | Change::ChangeContact { .. }
            | Change::RemoveContact { .. }
            | Change::ReorderContacts { .. }
    )
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
            platform: None,
        });
    }
    user.contact_methods = methods;
}

/// A user as the create use cases take them, from the file's entry.
fn new_user_input(user: &DesiredUser) -> NewUserInput {
    NewUserInput {
        email: Some(user.email.to_string()),
        username: user.username.as_ref().map(|u| u.to_string()),
        first_name: Some(user.first_name.to_string()),
        last_name: Some(user.last_name.to_string()),
        user_type: user.user_type.map(|t| t.id().to_owned()),
        roles: user
            .roles
            .as_ref()
            .filter(|_| user.user_type.is_none_or(|t| t.holds_roles()))
            .map(|roles| roles.iter().map(|r| r.id().to_owned()).collect()),
        external_id: user.external_id.as_ref().map(|e| e.to_string()),
    }
}
