use clap::{Args, Subcommand};
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{Delivery, NewAccountInput, NewUserInput};

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and its Owner (invited until they set a password).
    Create(CreateAccount),
}

#[derive(Debug, Args)]
pub struct CreateAccount {
    /// The account id: a lowercase slug such as `acme`.
    #[arg(long)]
    id: String,
    /// The account's display name.
    #[arg(long)]
    name: String,
    #[arg(long)]
    owner_email: String,
    #[arg(long)]
    owner_first_name: String,
    #[arg(long)]
    owner_last_name: String,
    /// Defaults to the Owner's email.
    #[arg(long)]
    owner_username: Option<String>,
    /// Limit on standard and stakeholder users.
    #[arg(long)]
    seats: Option<u32>,
}

impl AccountCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Create(args) => create(args, context).await,
        }
    }
}

async fn create(args: CreateAccount, context: &Context) -> Result<(), CliError> {
    let roster = context.roster().await?;
    let input = NewAccountInput {
        id: Some(args.id),
        name: Some(args.name),
        seats: args.seats,
        owner: NewUserInput {
            email: Some(args.owner_email),
            username: args.owner_username,
            first_name: Some(args.owner_first_name),
            last_name: Some(args.owner_last_name),
            ..Default::default()
        },
    };
    let (account, owner, invitation) = roster.create_account(&input, ManagedBy::Api).await?;
    println!(
        "created account {} ({}) with Owner {} <{}>, user id {}",
        account.id,
        account.name,
        format_args!("{} {}", owner.first_name, owner.last_name),
        owner.email,
        owner.id
    );
    match invitation {
        Delivery::Sent => println!("invitation sent to {}", owner.email),
        Delivery::Queued { reason } => {
            println!("invitation queued, not sent yet ({reason}); `roster mail retry` sends it")
        }
    }
    Ok(())
}
