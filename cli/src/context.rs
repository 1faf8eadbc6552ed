//! The options every command shares: where the data lives, how mail goes out, where links point.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use roster_domain::ports::mailer::Mailer;
use roster_domain::ports::push::{Push, PushNotConfigured};
use roster_domain::usecases::{Roster, Settings};
use roster_local::{KeyFile, OutboxFolder, PushFolder};
use roster_ses::SesMailer;
use roster_sns::{PlatformApplications, SnsPush};

use crate::report::CliError;
use crate::store::StoreUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MailVia {
    /// One `.eml` file per message in the `--outbox` folder.
    Outbox,
    /// Amazon SES, from `ROSTER_MAIL_FROM`, with the standard AWS environment.
    Ses,
}

#[derive(Debug, Clone, Args)]
pub struct Context {
    /// Where the data lives: a SQLite file path (the embedded default), or
    /// `dynamodb://<table>` with region, credentials and endpoint from the standard AWS
    /// environment.
    #[arg(
        long,
        global = true,
        env = "ROSTER_STORE",
        default_value = "./roster.db"
    )]
    pub store: StoreUrl,

    /// How emails (invitations) go out.
    #[arg(
        long,
        global = true,
        env = "ROSTER_MAIL",
        value_enum,
        default_value = "outbox"
    )]
    pub mail: MailVia,

    /// The folder `--mail outbox` writes to.
    #[arg(long, global = true, env = "ROSTER_OUTBOX", default_value = "./outbox")]
    pub outbox: PathBuf,

    /// The sender address of emails.
    #[arg(
        long,
        global = true,
        env = "ROSTER_MAIL_FROM",
        default_value = "roster@localhost"
    )]
    pub mail_from: String,

    /// Where the console and the API are served: reset links point at
    /// `<app-url>/console/reset-password#token=…`, and session tokens name it as their issuer.
    /// Default: `roster serve`'s own address (http://127.0.0.1:8080 for other commands).
    #[arg(long, global = true, env = "ROSTER_APP_URL")]
    pub app_url: Option<String>,

    /// The file holding the key session tokens are signed with (a P-256 key in PKCS #8 PEM,
    /// made with mode 0600 on first use). Default: beside the SQLite file
    /// (`roster.db.signing-key`), or `.roster-<table>.signing-key` for a DynamoDB table.
    #[arg(long, global = true, env = "ROSTER_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,
}

/// Where reset links point and tokens are issued from when nothing says otherwise.
pub const DEFAULT_APP_URL: &str = "http://127.0.0.1:8080";

impl Context {
    pub async fn mailer(&self) -> Result<Arc<dyn Mailer>, CliError> {
        Ok(match self.mail {
            MailVia::Outbox => Arc::new(OutboxFolder::new(&self.outbox, &self.mail_from).map_err(
                |e| {
                    CliError::Usage(format!(
                        "cannot use the outbox folder {}: {e}",
                        self.outbox.display()
                    ))
                },
            )?),
            MailVia::Ses => Arc::new(SesMailer::from_env(&self.mail_from).await),
        })
    }

    /// Pushes go where mail goes: files in `push/` beside the outbox folder, or SNS mobile push
    /// beside SES when platform applications are named (`ROSTER_PUSH_IOS_APP`,
    /// `ROSTER_PUSH_ANDROID_APP`); with SES and none named, nothing is pushed.
    pub async fn push(&self) -> Result<Arc<dyn Push>, CliError> {
        Ok(match self.mail {
            MailVia::Outbox => {
                let dir = self.outbox.join("push");
                Arc::new(PushFolder::new(&dir).map_err(|e| {
                    CliError::Usage(format!("cannot use the push folder {}: {e}", dir.display()))
                })?)
            }
            MailVia::Ses => {
                let apps = PlatformApplications::from_env();
                if apps.is_empty() {
                    Arc::new(PushNotConfigured)
                } else {
                    Arc::new(SnsPush::from_env(apps).await)
                }
            }
        })
    }

    /// The store's signing key (see `--signing-key`), made on first use.
    pub fn signing_key(&self) -> Result<KeyFile, CliError> {
        let path = match (&self.signing_key, &self.store) {
            (Some(path), _) => path.clone(),
            (None, StoreUrl::Sqlite(path)) => roster_local::signing_key_beside(path),
            (None, StoreUrl::Dynamodb { table }) => {
                PathBuf::from(format!(".roster-{table}.signing-key"))
            }
        };
        KeyFile::open_or_create(&path).map_err(CliError::Usage)
    }

    /// The use cases over the chosen store, mailer and push.
    pub async fn roster(&self) -> Result<Roster, CliError> {
        self.roster_at(self.app_url.as_deref().unwrap_or(DEFAULT_APP_URL))
            .await
    }

    /// The use cases, with links and tokens naming `app_url` (what `roster serve` uses for its
    /// own address when `--app-url` is not given).
    pub async fn roster_at(&self, app_url: &str) -> Result<Roster, CliError> {
        let settings = Settings {
            app_url: app_url.to_owned(),
        };
        Ok(
            Roster::production(self.store.open().await?, self.mailer().await?, settings)
                .with_push(self.push().await?),
        )
    }
}
