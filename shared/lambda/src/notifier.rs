//! The notifier function (SPEC §10): on its five-minute schedule, sends the on-call reminders
//! due, then every outbox email whose lease has run out (a reminder whose send failed or whose
//! run died after queueing it, and invitations and notices alike). Logs what it did as one JSON
//! line; a store failure fails the invocation (and its alarm) — after the accounts it did not
//! touch were reminded —, a failed send does not: it stays queued for the next run.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use roster_domain::usecases::Roster;
use serde_json::{Value, json};

pub async fn run_notifier() -> Result<(), Error> {
    crate::logging::init_logging();
    let roster = crate::function::roster_from_env().await?;
    let roster = &roster;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        handle(roster).await
    }))
    .await
}

async fn handle(roster: &Roster) -> Result<Value, Error> {
    let reminders = roster.send_due_reminders(None).await?;
    let mail = roster.retry_pending_mail().await?;
    let report = json!({
        "reminders": reminders,
        "mail_retry": {"sent": mail.sent, "failed": mail.failed, "cancelled": mail.cancelled},
    });
    println!(
        "{}",
        json!({"level": "INFO", "message": "notifier run", "report": report})
    );
    // The other accounts were reminded; failing the invocation raises the function's alarm.
    if reminders.failed_accounts > 0 {
        return Err(format!(
            "the reminders of {} account(s) failed; see the log",
            reminders.failed_accounts
        )
        .into());
    }
    Ok(report)
}
