//! `roster notify run [--at <RFC 3339>]`: one on-call reminder run (SPEC §10), the use case the
//! scheduled `notifier` function runs every five minutes.

use clap::{Args, Subcommand};
use jiff::Timestamp;

use crate::context::Context;
use crate::report::{CliError, count};

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send the on-call reminders due now (or at `--at`): what the scheduled run does.
    Run(Run),
}

#[derive(Debug, Args)]
pub struct Run {
    /// The run's instant, RFC 3339 (`2027-03-10T08:00:00Z`); now when absent.
    #[arg(long)]
    at: Option<String>,
}

impl NotifyCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let Self::Run(args) = self;
        let at = args
            .at
            .map(|raw| {
                raw.parse::<Timestamp>().map_err(|e| {
                    CliError::Usage(format!("--at {raw:?} is not an RFC 3339 instant: {e}"))
                })
            })
            .transpose()?;
        let run = context.roster().await?.send_due_reminders(at).await?;
        println!(
            "{} due: {} sent, {} queued for the mail retry, {} already sent ({} in {}); \
             pushes: {} sent, {} queued, {} to devices gone",
            run.due,
            run.sent,
            run.queued,
            run.already_sent,
            count(run.shifts, "shift"),
            count(run.accounts, "account"),
            run.pushes_sent,
            run.pushes_queued,
            run.pushes_dropped,
        );
        if run.failed_accounts > 0 {
            return Err(CliError::Usage(format!(
                "the reminders of {} could not be sent; the log says why",
                count(run.failed_accounts, "account")
            )));
        }
        Ok(())
    }
}
