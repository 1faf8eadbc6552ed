//! A plan for people: text with `+ ~ - !` markers for a terminal, Markdown for a pull-request
//! comment. (JSON, for tools, is the plan's own serde form.)

use roster_domain::entities::MemberRoles;
use roster_domain::reconcile::{AccountPlan, Change, Plan};

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

/// The marker and the sentence for one change.
fn line(change: &Change) -> (char, String) {
    match change {
        Change::CreateAccount { name, owner } => ('+', format!("account {name}, Owner {owner}")),
        Change::UpdateAccount { field, from, to } => {
            ('~', format!("account {field}: {from} → {to}"))
        }
        Change::CreateGroup { group } => ('+', format!("group {group}")),
        Change::CreateUser { email } => {
            ('+', format!("user {email} (gets a password-reset email)"))
        }
        Change::UpdateUser {
            email,
            field,
            from,
            to,
            ..
        } => ('~', format!("user {email} {field}: {from:?} → {to:?}")),
        Change::AddRole { email, role, .. } => ('+', format!("user {email} role {role}")),
        Change::RemoveRole { email, role, .. } => ('-', format!("user {email} role {role}")),
        Change::AddContact {
            email,
            method,
            value,
            ..
        } => ('+', format!("user {email} contact {method} {value}")),
        Change::ChangeContact {
            email,
            method,
            field,
            from,
            to,
            ..
        } => (
            '~',
            format!("user {email} contact {method} {field}: {from} → {to}"),
        ),
        Change::RemoveContact { email, method, .. } => {
            ('-', format!("user {email} contact {method}"))
        }
        Change::ReorderContacts {
            email, from, to, ..
        } => (
            '~',
            format!(
                "user {email} contact order: {} → {}",
                from.join(", "),
                to.join(", ")
            ),
        ),
        Change::AddMember {
            group,
            email,
            roles: r,
        } => ('+', format!("member {email} of {group} ({})", roles(r))),
        Change::ChangeMember {
            group,
            email,
            from,
            to,
        } => (
            '~',
            format!("member {email} of {group}: {} → {}", roles(from), roles(to)),
        ),
        Change::RemoveMember { group, email } => ('-', format!("member {email} of {group}")),
        Change::DeleteUser { email, .. } => ('-', format!("user {email}")),
    }
}

fn summary(account: &AccountPlan) -> String {
    let count = |marker: char| {
        account
            .changes
            .iter()
            .filter(|c| line(c).0 == marker)
            .count()
    };
    format!(
        "{} to add, {} to change, {} to remove, {} blocked",
        count('+'),
        count('~'),
        count('-'),
        account.blocked.len()
    )
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
            out.push_str(&format!("  {marker} {sentence}\n"));
        }
        for blocked in &account.blocked {
            out.push_str(&format!("  ! {}: {}\n", blocked.subject, blocked.reason));
        }
        for email in &account.adopt {
            out.push_str(&format!(
                "    adopts {email} (created through the API, named in the file)\n"
            ));
        }
        for email in &account.unmanaged {
            out.push_str(&format!(
                "    unmanaged {email} (created through the API; left alone)\n"
            ));
        }
        for email in &account.kept {
            out.push_str(&format!(
                "    kept {email} (not in the file; prune is off)\n"
            ));
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
                // diff highlighting knows + and -; a change reads as both.
                let marker = if marker == '~' { '!' } else { marker };
                out.push_str(&format!("{marker} {sentence}\n"));
            }
            for blocked in &account.blocked {
                out.push_str(&format!(
                    "# blocked: {}: {}\n",
                    blocked.subject, blocked.reason
                ));
            }
            out.push_str("```\n\n");
        }
        let lists = [
            ("Adopted from the API", &account.adopt),
            ("Unmanaged (left alone)", &account.unmanaged),
            ("Kept (prune is off)", &account.kept),
        ];
        for (title, emails) in lists {
            if !emails.is_empty() {
                out.push_str(&format!(
                    "{title}: {}\n\n",
                    emails
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    out
}
