//! The notifier function: the on-call reminders due and the mail retry, on a five-minute
//! schedule. The logic is in shared/lambda and shared/domain.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_notifier().await
}
