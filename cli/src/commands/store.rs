use clap::Subcommand;

use crate::context::Context;
use crate::report::CliError;
use crate::store::StoreUrl;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store: the SQLite file with its schema, or the DynamoDB table with its index
    /// and TTL (for local endpoints and scratch accounts; production tables come from
    /// infra/template.yaml).
    Init,
}

impl StoreCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Init => init(&context.store).await,
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
