use clap::Subcommand;

use roster_domain::values::AccountId;

use crate::context::Context;
use crate::report::{CliError, count};
use crate::store::StoreUrl;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store: the SQLite file with its schema, or the DynamoDB table with its index
    /// and TTL (for local endpoints and scratch accounts; production tables come from
    /// infra/template.yaml).
    Init,
    /// Write the entries a release started keeping for items stored before it (users under
    /// their external id, shifts on the all-shifts index), for one account. Run once per
    /// account after upgrading; safe to repeat.
    Reindex {
        #[arg(long)]
        account: String,
    },
}

impl StoreCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Init => init(&context.store).await,
            Self::Reindex { account } => reindex(&account, context).await,
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

async fn reindex(account: &str, context: &Context) -> Result<(), CliError> {
    let account =
        AccountId::parse(account).map_err(|e| CliError::Usage(format!("--account {e}")))?;
    let done = context.roster().await?.reindex(&account).await?;
    println!(
        "{account}: {} with an external id listed under it; {} for `q=`; {} for \
         `emails.value eq`; {} on the all-shifts index ({} added)",
        count(done.external_ids, "user"),
        match done.search_entries {
            1 => "1 search entry".to_owned(),
            n => format!("{n} search entries"),
        },
        match done.provided_emails {
            1 => "1 provided-email entry".to_owned(),
            n => format!("{n} provided-email entries"),
        },
        count(done.shifts, "shift"),
        done.shifts_added
    );
    Ok(())
}
