//! The admin console's Lambda function: `web/`, compiled in by shared/console, served under
//! `/console/` (wiring in shared/lambda).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_console().await
}
