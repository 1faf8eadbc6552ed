//! The Lambda authorizer of the stack's HTTP API: it verifies session tokens (shared/lambda's
//! `authorizer.rs`).

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_authorizer().await
}
