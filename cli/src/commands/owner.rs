//! `roster owner transfer`: the one way ownership of an account moves (SPEC.md §1), run by an
//! operator with the store's credentials. Without `--confirm` it only says what it would do,
//! and exits 1 so that a script that forgot the flag stops.

use clap::{Args, Subcommand};
use roster_domain::access::Actor;
use roster_domain::usecases::OwnershipMove;
use roster_domain::values::{AccountId, Email};

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Make another standard user of the account its Owner; the Owner before keeps app-admin.
    Transfer(Transfer),
}

#[derive(Debug, Args)]
pub struct Transfer {
    #[arg(long)]
    account: String,
    /// The email of the new Owner: an existing standard user who is not deactivated.
    #[arg(long)]
    to: String,
    /// Make the change; without it, print what it would be and exit 1.
    #[arg(long)]
    confirm: bool,
}

impl OwnerCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Transfer(args) => transfer(args, context).await,
        }
    }
}

fn describe(change: &OwnershipMove) -> String {
    format!(
        "ownership of {} from {} {} <{}> to {} {} <{}>",
        change.account.id,
        change.from.first_name,
        change.from.last_name,
        change.from.email,
        change.to.first_name,
        change.to.last_name,
        change.to.email
    )
}

async fn transfer(args: Transfer, context: &Context) -> Result<(), CliError> {
    let account =
        AccountId::parse(&args.account).map_err(|e| CliError::Usage(format!("--account {e}")))?;
    let to = Email::parse(&args.to).map_err(|e| CliError::Usage(format!("--to {e}")))?;
    let roster = context.roster().await?;
    let operator = Actor::Operator(account);
    if !args.confirm {
        let change = roster.ownership_move(&operator, &to).await?;
        println!("would move {}", describe(&change));
        println!("the previous Owner keeps app-admin; run again with --confirm to make the change");
        return Err(CliError::NotConfirmed);
    }
    let change = roster.transfer_ownership(&operator, &to).await?;
    println!("moved {}", describe(&change));
    Ok(())
}
