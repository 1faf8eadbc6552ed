//! A Lambda function of Roster: its routes and handlers are in shared/api, its wiring in
//! shared/lambda. The function's name is its package name. It alone signs session tokens, with
//! the stack's KMS key.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_signing(env!("CARGO_PKG_NAME"), roster_lambda::routes::sign_in).await
}
