//! The options every command shares: where the data lives, how mail goes out, where links point.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use roster_domain::ports::mailer::Mailer;
use roster_domain::ports::push::{Push, PushNotConfigured};
use roster_domain::usecases::{Roster, Settings};
use roster_local::{OutboxFolder, PushFolder};
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

    /// The web app's base URL: reset links point at `<app-url>/reset-password?token=…`.
    #[arg(
        long,
        global = true,
        env = "ROSTER_APP_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub app_url: String,
}

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

    /// The use cases over the chosen store, mailer and push.
    pub async fn roster(&self) -> Result<Roster, CliError> {
        let settings = Settings {
            app_url: self.app_url.clone(),
        };
        Ok(
            Roster::production(self.store.open().await?, self.mailer().await?, settings)
                .with_push(self.push().await?),
        )
    }
}
