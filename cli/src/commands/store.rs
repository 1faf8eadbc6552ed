use clap::Subcommand;

use roster_domain::values::AccountId;

use crate::context::Context;
use crate::report::CliError;
use crate::store::StoreUrl;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store: the SQLite file with its schema, or the DynamoDB table with its index
    /// and TTL (for local endpoints and scratch accounts; production tables come from
    /// infra/template.yaml).
    Init,
    /// Write the look-up entries of users' external ids (SCIM's `externalId eq`) for one
    /// account, for users whose external id was set before the entries were kept. Safe to
    /// repeat.
    IndexExternalIds {
        #[arg(long)]
        account: String,
    },
}

impl StoreCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Init => init(&context.store).await,
            Self::IndexExternalIds { account } => index_external_ids(&account, context).await,
        }
    }
}

async fn init(store: &StoreUrl) -> Result<(), CliError> {
    match store {
        StoreUrl::Sqlite(path) => {
            roster_local::SqliteTable::open(path)?;
            println!("store ready: {}", path.display());
        }
        StoreUrl::Dynamodb { table } => {
            let dynamo = roster_dynamo::DynamoTable::from_env(table.clone()).await;
            roster_dynamo::create_table(dynamo.client(), table).await?;
            println!("table ready: {table}");
        }
    }
    Ok(())
}

async fn index_external_ids(account: &str, context: &Context) -> Result<(), CliError> {
    let account =
        AccountId::parse(account).map_err(|e| CliError::Usage(format!("--account {e}")))?;
    let indexed = context.roster().await?.index_external_ids(&account).await?;
    let users = if indexed == 1 { "user" } else { "users" };
    println!("{account}: external-id entries written for {indexed} {users}");
    Ok(())
}
