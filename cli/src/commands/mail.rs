use clap::Subcommand;

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Send every outbox email and push whose earlier send failed (what the notifier function
    /// does every five minutes).
    Retry,
}

impl MailCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            Self::Retry => {
                let report = context.roster().await?.retry_pending_mail().await?;
                println!(
                    "sent {}, still failing {}, cancelled {}",
                    report.sent, report.failed, report.cancelled
                );
                if report.failed > 0 {
                    return Err(CliError::Usage(format!(
                        "{} email(s) or push(es) could not be sent; they stay queued",
                        report.failed
                    )));
                }
                Ok(())
            }
        }
    }
}
