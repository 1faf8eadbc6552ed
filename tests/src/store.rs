use std::sync::Arc;

use roster_domain::entities::{ManagedBy, User};
use roster_domain::ports::clock::{Clock, SystemClock, UlidSource};
use roster_domain::ports::table::Table;
use roster_domain::usecases::{NewAccountInput, NewUserInput, Roster, Settings};
use roster_dynamo::DynamoTable;
use roster_local::SqliteTable;
use tempfile::TempDir;

use crate::mail::RecordingMailer;
use crate::push::RecordingPush;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Dynamodb,
}

/// A fresh, empty store for one test.
pub struct TestStore {
    pub kind: StoreKind,
    pub table: Arc<dyn Table>,
    /// What the use cases of [`TestStore::roster`] send.
    pub mail: RecordingMailer,
    /// What they push to devices.
    pub push: RecordingPush,
    handle: Handle,
}

enum Handle {
    Sqlite(#[allow(dead_code)] TempDir, std::path::PathBuf),
    Dynamodb(DynamoTable),
}

/// The moto server the test command started. Tests that need it fail loudly without it — they
/// never skip, and they never fall through to a real AWS endpoint.
pub fn moto_endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL must point at the local moto server (got {endpoint:?}); \
         run the tests through ./scripts/test, which installs and starts moto"
    );
    endpoint
}

impl TestStore {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("roster.db");
        let table = SqliteTable::open(&path).expect("open sqlite store");
        Self {
            kind: StoreKind::Sqlite,
            table: Arc::new(table),
            mail: RecordingMailer::default(),
            push: RecordingPush::default(),
            handle: Handle::Sqlite(dir, path),
        }
    }

    /// A new table on moto, named uniquely so tests run in parallel on one server.
    pub async fn dynamodb() -> Self {
        let endpoint = moto_endpoint();
        let name = format!(
            "roster-test-{}",
            ulid::Ulid::generate().to_string().to_lowercase()
        );
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .load()
            .await;
        let client = aws_sdk_dynamodb::Client::new(&config);
        roster_dynamo::create_table(&client, &name)
            .await
            .unwrap_or_else(|e| panic!("create table {name} on moto: {e}"));
        let table = DynamoTable::new(client, name);
        Self {
            kind: StoreKind::Dynamodb,
            table: Arc::new(table.clone()),
            mail: RecordingMailer::default(),
            push: RecordingPush::default(),
            handle: Handle::Dynamodb(table),
        }
    }

    /// Another fresh, empty store of the same kind.
    pub async fn fresh(&self) -> Self {
        match self.kind {
            StoreKind::Sqlite => Self::sqlite().await,
            StoreKind::Dynamodb => Self::dynamodb().await,
        }
    }

    /// A second, independent handle on the same store: a new SQLite connection (as another
    /// process would have) or a new DynamoDB client.
    pub async fn open_another(&self) -> Arc<dyn Table> {
        match &self.handle {
            Handle::Sqlite(_, path) => Arc::new(SqliteTable::open(path).expect("reopen sqlite")),
            Handle::Dynamodb(table) => {
                let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .endpoint_url(moto_endpoint())
                    .load()
                    .await;
                let client = aws_sdk_dynamodb::Client::new(&config);
                Arc::new(DynamoTable::new(client, table.table_name()))
            }
        }
    }

    /// The use cases over this store, with the real clock and ids, sending into `self.mail` and
    /// pushing into `self.push`.
    pub fn roster(&self) -> Roster {
        self.roster_on(Arc::clone(&self.table))
    }

    /// The use cases over another handle on this store (see [`TestStore::open_another`]).
    pub fn roster_on(&self, table: Arc<dyn Table>) -> Roster {
        self.roster_with(table, Arc::new(SystemClock))
            .with_push(Arc::new(self.push.clone()))
    }

    /// The use cases over this store at the time `clock` says (a clock the test moves), sending
    /// into `self.mail`, with no push service (devices are kept and nothing is pushed).
    pub fn roster_at(&self, clock: Arc<dyn Clock>) -> Roster {
        self.roster_with(Arc::clone(&self.table), clock)
    }

    fn roster_with(&self, table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Roster {
        Roster::new(
            table,
            Arc::new(self.mail.clone()),
            clock,
            Arc::new(UlidSource::default()),
            Settings {
                app_url: "https://app.test".into(),
            },
        )
    }

    /// Creates account `id` (through the API's path) with Ana Silva at `owner_email` as its
    /// Owner, and returns the Owner.
    pub async fn account_with_owner(&self, id: &str, name: &str, owner_email: &str) -> User {
        let (_, owner, _) = self
            .roster()
            .create_account(
                &NewAccountInput {
                    id: Some(id.into()),
                    name: Some(name.into()),
                    seats: None,
                    owner: NewUserInput {
                        email: Some(owner_email.into()),
                        first_name: Some("Ana".into()),
                        last_name: Some("Silva".into()),
                        ..Default::default()
                    },
                },
                ManagedBy::Api,
            )
            .await
            .expect("create the account");
        owner
    }

    /// The DynamoDB table's name (panics on the SQLite store).
    pub fn dynamodb_table(&self) -> String {
        match &self.handle {
            Handle::Dynamodb(table) => table.table_name().to_owned(),
            Handle::Sqlite(..) => panic!("a SQLite store has no DynamoDB table"),
        }
    }

    /// The `--store` argument that reaches this store.
    pub fn url(&self) -> String {
        match &self.handle {
            Handle::Sqlite(_, path) => path.display().to_string(),
            Handle::Dynamodb(table) => format!("dynamodb://{}", table.table_name()),
        }
    }
}
