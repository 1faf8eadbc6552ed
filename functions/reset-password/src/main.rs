//! A Lambda function of Roster: its routes and handlers are in shared/api, its wiring in
//! shared/lambda. The function's name is its package name.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run(
        env!("CARGO_PKG_NAME"),
        roster_lambda::routes::reset_password,
    )
    .await
}
