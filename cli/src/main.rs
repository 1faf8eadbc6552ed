//! `roster`: the command-line way into Roster — for operators, for the GitOps pipeline, and for
//! trying the product on a laptop with nothing but the embedded store.

mod commands;
mod report;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::store::StoreUrl;

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Serverless user management for an on-call alerting account"
)]
struct Cli {
    /// Where the data lives: a SQLite file path (the embedded default), or
    /// `dynamodb://<table>` with region, credentials and endpoint from the standard AWS
    /// environment.
    #[arg(
        long,
        global = true,
        env = "ROSTER_STORE",
        default_value = "./roster.db"
    )]
    store: StoreUrl,

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
    /// The store itself.
    #[command(subcommand)]
    Store(commands::store::StoreCommand),
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Account(command) => command.run(&cli.store).await,
        Command::User(command) => command.run(&cli.store).await,
        Command::Store(command) => command.run(&cli.store).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprint!("{}", report::error(&error));
            ExitCode::FAILURE
        }
    }
}
