use clap::{Args, Subcommand};
use roster_domain::access::Actor;
use roster_domain::entities::User;
use roster_domain::usecases::UserFilter;
use roster_domain::values::AccountId;

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List an account's users, sorted by last name, then first name.
    List(ListUsers),
}

#[derive(Debug, Args)]
pub struct ListUsers {
    #[arg(long)]
    account: String,
}

impl UserCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::List(args) => list(args, context).await,
        }
    }
}

async fn list(args: ListUsers, context: &Context) -> Result<(), CliError> {
    let account =
        AccountId::parse(&args.account).map_err(|e| CliError::Usage(format!("--account {e}")))?;
    let roster = context.roster().await?;
    // An unknown account is an error, not an empty list.
    roster.get_account(&account).await?;
    let operator = Actor::Operator(account.clone());
    let mut users = Vec::new();
    let mut after = None;
    loop {
        let page = roster
            .list_users(&operator, &UserFilter::default(), 1000, after)
            .await?;
        users.extend(page.users);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    print!("{}", table(&users));
    Ok(())
}

/// Users as an aligned text table, one per line, the Owner marked.
fn table(users: &[User]) -> String {
    let header = ["NAME", "EMAIL", "TYPE", "ROLES", "STATUS", "ID"].map(String::from);
    let rows: Vec<[String; 6]> = users
        .iter()
        .map(|u| {
            let owner = if u.is_owner { " (Owner)" } else { "" };
            let roles: Vec<&str> = u.roles.iter().map(|r| r.id()).collect();
            [
                format!("{} {}{owner}", u.first_name, u.last_name),
                u.email.to_string(),
                u.user_type.to_string(),
                if roles.is_empty() {
                    "-".into()
                } else {
                    roles.join(",")
                },
                u.status.to_string(),
                u.id.to_string(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
