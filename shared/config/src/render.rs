//! A plan for people — text with `+ ~ - !` markers for a terminal, Markdown for a pull-request
//! comment — and for tools: JSON, the plan's own serde form.

use roster_domain::entities::MemberRoles;
use roster_domain::reconcile::{
    AccountField, AccountPlan, Adoption, Change, ContactField, Plan, how_to_adopt, kinds,
    user_field_values,
};

fn roles(r: &MemberRoles) -> String {
    let mut names = Vec::new();
    if r.primary {
        names.push("primary");
    }
    if r.secondary {
        names.push("secondary");
    }
    if r.manager {
        names.push("manager");
    }
    if names.is_empty() {
        "no roles".into()
    } else {
        names.join(", ")
    }
}

/// What a change does to the total: added, changed or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Add,
    Change,
    Remove,
}

impl Marker {
    fn text(self) -> char {
        match self {
            Marker::Add => '+',
            Marker::Change => '~',
            Marker::Remove => '-',
        }
    }

    /// diff highlighting knows + and -; a change reads as both.
    fn diff(self) -> char {
        match self {
            Marker::Add => '+',
            Marker::Change => '!',
            Marker::Remove => '-',
        }
    }
}

/// The marker and the sentence for one change.
fn line(change: &Change) -> (Marker, String) {
    match change {
        Change::CreateAccount { name, owner } => {
            (Marker::Add, format!("account {name}, Owner {owner}"))
        }
        Change::UpdateAccount {
            field: AccountField::Name { from, to },
        } => (Marker::Change, format!("account name: {from} → {to}")),
        Change::UpdateAccount {
            field: AccountField::Seats { from, to },
        } => (
            Marker::Change,
            format!(
                "account seats: {} → {to}",
                from.map_or_else(|| "none".into(), |s| s.to_string())
            ),
        ),
        Change::RenameGroup { from, to, .. } => (
            Marker::Change,
            format!("group {from} renamed {to} (same group: members and shifts kept)"),
        ),
        Change::CreateGroup { group } => (Marker::Add, format!("group {group}")),
        Change::CreateUser { email } => (
            Marker::Add,
            format!("user {email} (gets a password-reset email)"),
        ),
        Change::UpdateUser { email, field, .. } => {
            let (from, to) = user_field_values(field);
            (
                Marker::Change,
                format!("user {email} {}: {from:?} → {to:?}", field.name()),
            )
        }
        Change::AddRole { email, role, .. } => {
            (Marker::Add, format!("user {email} role {}", role.id()))
        }
        Change::RemoveRole { email, role, .. } => {
            (Marker::Remove, format!("user {email} role {}", role.id()))
        }
        Change::AddContact { email, contact, .. } => (
            Marker::Add,
            format!(
                "user {email} contact {} {}",
                contact.method,
                contact.value.as_ref().map_or("", |v| v.as_str())
            ),
        ),
        Change::ChangeContact {
            email,
            method,
            field,
            ..
        } => {
            let (name, from, to) = match field {
                ContactField::Value { from, to } => {
                    ("value", from.as_str().to_owned(), to.as_str().to_owned())
                }
                ContactField::WaitMinutes { from, to } => {
                    ("wait_minutes", from.get().to_string(), to.get().to_string())
                }
                ContactField::Retries { from, to } => {
                    ("retries", from.get().to_string(), to.get().to_string())
                }
            };
            (
                Marker::Change,
                format!("user {email} contact {method} {name}: {from} → {to}"),
            )
        }
        Change::RemoveContact { email, method, .. } => {
            (Marker::Remove, format!("user {email} contact {method}"))
        }
        Change::ReorderContacts {
            email, from, to, ..
        } => (
            Marker::Change,
            format!(
                "user {email} contact order: {} → {}",
                kinds(from),
                kinds(to)
            ),
        ),
        Change::AddMember {
            group,
            email,
            roles: r,
        } => (
            Marker::Add,
            format!("member {email} of {group} ({})", roles(r)),
        ),
        Change::ChangeMember {
            group,
            email,
            from,
            to,
        } => (
            Marker::Change,
            format!("member {email} of {group}: {} → {}", roles(from), roles(to)),
        ),
        Change::RemoveMember { group, email } => {
            (Marker::Remove, format!("member {email} of {group}"))
        }
        Change::DeleteUser { email, .. } => (Marker::Remove, format!("user {email}")),
        Change::DeleteGroup { group, .. } => (
            Marker::Remove,
            format!("group {group} (not in the file; prune is on)"),
        ),
    }
}

fn summary(account: &AccountPlan) -> String {
    let count = |marker: Marker| {
        account
            .changes
            .iter()
            .filter(|c| line(c).0 == marker)
            .count()
    };
    format!(
        "{} to add, {} to change, {} to remove, {} blocked",
        count(Marker::Add),
        count(Marker::Change),
        count(Marker::Remove),
        account.blocked.len()
    )
}

/// What the plan lists beside its changes — none of it drift — each under a title, one line
/// per entry.
fn notes(account: &AccountPlan) -> Vec<(&'static str, Vec<String>)> {
    let adopt = account
        .adopt
        .iter()
        .map(|a| match a {
            Adoption::User { email, .. } => {
                format!("user {email} (created through the API, named in the file)")
            }
            Adoption::Group { group, .. } => {
                format!("group {group} (created through the API, named in the file)")
            }
        })
        .collect();
    let owned = account
        .owned_elsewhere
        .iter()
        .map(|o| {
            let (from, to) = user_field_values(&o.field);
            format!(
                "user {} {}: {from:?} (file says {to:?}) owned by {}; not applied",
                o.email,
                o.field.name(),
                o.owner.id()
            )
        })
        .collect();
    let unmanaged = account
        .unmanaged
        .iter()
        .map(|u| {
            format!(
                "user {} (managed by {}; left alone): {}",
                u.email,
                u.managed_by.id(),
                how_to_adopt(u.managed_by)
            )
        })
        .collect();
    let members = account
        .unmanaged_members
        .iter()
        .map(|m| {
            format!(
                "member {} of {} ({}; managed by {}, left alone): {}",
                m.email,
                m.group,
                roles(&m.roles),
                m.managed_by.id(),
                how_to_adopt(m.managed_by)
            )
        })
        .collect();
    let groups = account
        .unmanaged_groups
        .iter()
        .map(|g| format!("group {g} (created through the API; left alone): name it under `groups` to adopt it"))
        .collect();
    let kept = account
        .kept
        .iter()
        .map(|e| format!("user {e} (not in the file; prune is off)"))
        .chain(
            account
                .kept_groups
                .iter()
                .map(|g| format!("group {g} (not in the file; prune is off)")),
        )
        .collect();
    vec![
        ("adopts", adopt),
        ("owned elsewhere", owned),
        ("unmanaged", unmanaged),
        ("unmanaged", members),
        ("unmanaged", groups),
        ("kept", kept),
    ]
}

/// The plan as JSON, pretty-printed, with a final line break.
pub fn json(plan: &Plan) -> String {
    let mut json = serde_json::to_string_pretty(plan).unwrap_or_default();
    json.push('\n');
    json
}

pub fn text(plan: &Plan) -> String {
    let mut out = String::new();
    for account in &plan.accounts {
        out.push_str(&format!(
            "account {}: {}\n",
            account.account,
            summary(account)
        ));
        for change in &account.changes {
            let (marker, sentence) = line(change);
            out.push_str(&format!("  {} {sentence}\n", marker.text()));
        }
        for blocked in &account.blocked {
            out.push_str(&format!("  ! {}: {}\n", blocked.subject, blocked.reason));
        }
        for (title, lines) in notes(account) {
            for line in lines {
                out.push_str(&format!("    {title} {line}\n"));
            }
        }
        if let Some(why) = &account.refused {
            out.push_str(&format!("  ! refused: {why}\n"));
        }
    }
    if !plan.has_drift() {
        out.push_str("No changes: the accounts match the file.\n");
    }
    out
}

pub fn markdown(plan: &Plan) -> String {
    let mut out = String::from("### Roster plan\n\n");
    if !plan.has_drift() {
        out.push_str("No changes: the accounts match the file.\n");
    }
    for account in &plan.accounts {
        out.push_str(&format!(
            "#### `{}` — {}\n\n",
            account.account,
            summary(account)
        ));
        if let Some(why) = &account.refused {
            out.push_str(&format!("> **Refused:** {why}\n\n"));
        }
        if !account.changes.is_empty() || !account.blocked.is_empty() {
            out.push_str("```diff\n");
            for change in &account.changes {
                let (marker, sentence) = line(change);
                out.push_str(&format!("{} {sentence}\n", marker.diff()));
            }
            for blocked in &account.blocked {
                out.push_str(&format!(
                    "# blocked: {}: {}\n",
                    blocked.subject, blocked.reason
                ));
            }
            out.push_str("```\n\n");
        }
        for (title, lines) in notes(account) {
            for line in lines {
                out.push_str(&format!("- _{title}_ {line}\n"));
            }
        }
        if notes(account).iter().any(|(_, lines)| !lines.is_empty()) {
            out.push('\n');
        }
    }
    out
}
