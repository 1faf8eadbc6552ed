//! `roster`: the command-line way into Roster — for operators, for the GitOps pipeline, and for
//! trying the product on a laptop with nothing but the embedded store.

mod commands;
mod context;
mod report;
mod server;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::context::Context;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Serverless user management for an on-call alerting account"
)]
struct Cli {
    #[command(flatten)]
    context: Context,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Accounts: the tenants, each with exactly one Owner.
    #[command(subcommand)]
    Account(commands::account::AccountCommand),
    /// Users of one account.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// The Owner of an account: `transfer` is the one way ownership moves.
    #[command(subcommand)]
    Owner(commands::owner::OwnerCommand),
    /// Serve the HTTP API locally (the same routes and handlers as the Lambda functions).
    Serve(commands::serve::Serve),
    /// Print a token for a user, for `roster serve`.
    Token(commands::token::Token),
    /// Print a one-time link that signs a user in to the admin console of `roster serve`.
    Console(commands::console::Console),
    /// SCIM provisioning: the tokens identity providers use.
    #[command(subcommand)]
    Scim(commands::scim::ScimCommand),
    /// The mail outbox.
    #[command(subcommand)]
    Mail(commands::mail::MailCommand),
    /// On-call reminders.
    #[command(subcommand)]
    Notify(commands::notify::NotifyCommand),
    /// The store itself.
    #[command(subcommand)]
    Store(commands::store::StoreCommand),
    /// Check a roster file: every problem, with its line and column. Exit 0 valid, 1 not.
    Validate(commands::roster::Validate),
    /// What applying a roster file would change. Exit 0 no changes, 2 changes, 1 error.
    Plan(commands::roster::PlanArgs),
    /// Make the accounts match a roster file. Exit 0 when they do, 1 on any error.
    Apply(commands::roster::ApplyArgs),
    /// Write accounts' live state as a roster file that plans to no changes.
    Dump(commands::roster::Dump),
    /// Print the JSON Schema of the roster format.
    Schema,
}

/// Parses the command line, runs the command, and turns its outcome into an exit code:
/// 0 on success, 1 with one line per problem on standard error otherwise.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let context = cli.context;
        match cli.command {
            Command::Account(command) => command.run(&context).await,
            Command::User(command) => command.run(&context).await,
            Command::Owner(command) => command.run(&context).await,
            Command::Serve(command) => command.run(&context).await,
            Command::Token(command) => command.run(&context).await,
            Command::Console(command) => command.run(&context).await,
            Command::Scim(command) => command.run(&context).await,
            Command::Mail(command) => command.run(&context).await,
            Command::Notify(command) => command.run(&context).await,
            Command::Store(command) => command.run(&context).await,
            Command::Validate(command) => command.run().await,
            Command::Plan(command) => command.run(&context).await,
            Command::Apply(command) => command.run(&context).await,
            Command::Dump(command) => command.run(&context).await,
            Command::Schema => {
                print!("{}", roster_config::schema());
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Not an error: `plan` found changes (as `terraform plan -detailed-exitcode`).
        Err(report::CliError::ChangesPresent) => ExitCode::from(2),
        Err(error) => {
            eprint!("{}", report::error(&error));
            ExitCode::FAILURE
        }
    }
}
