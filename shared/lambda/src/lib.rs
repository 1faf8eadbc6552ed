//! Runs one function of the route table as an AWS Lambda function behind API Gateway's HTTP API.
//! A function's `main` is one call:
//! `roster_lambda::run(env!("CARGO_PKG_NAME"), roster_lambda::routes::create_user)`, or
//! `run_signing` for the `sign-in` function, the one that signs session tokens.
//!
//! Configuration comes from the function's environment:
//! `ROSTER_TABLE` (the DynamoDB table), `ROSTER_MAIL_FROM` (the verified SES sender),
//! `ROSTER_APP_URL` (where reset links point, and the issuer of session tokens),
//! `ROSTER_SIGNING_KEY_ID` (the KMS key, `sign-in` only), and the standard AWS variables. HTTPS trusts the
//! Amazon Trust Services roots compiled in (`aws.rs`), and the roots `SSL_CERT_FILE` names.

#[cfg(feature = "aws")]
mod after_answer;
#[cfg(feature = "aws")]
mod authorizer;
#[cfg(feature = "aws")]
mod aws;
#[cfg(feature = "console")]
mod console;
mod event;
#[cfg(feature = "aws")]
mod function;
#[cfg(any(feature = "aws", feature = "console"))]
mod logging;
#[cfg(feature = "aws")]
mod notifier;
#[cfg(feature = "aws")]
mod reconcile;

#[cfg(feature = "aws")]
pub use authorizer::{decide as authorize, run_authorizer};
#[cfg(feature = "console")]
pub use console::run_console;
pub use event::api_request;
#[cfg(feature = "aws")]
pub use function::{run, run_signing};
pub use lambda_runtime::Error;
#[cfg(feature = "aws")]
pub use notifier::run_notifier;
#[cfg(feature = "aws")]
pub use reconcile::{DeployedRoster, run_reconcile};
/// Each function's own routes, for [`run`].
pub use roster_api::routes::of as routes;

/// The functions that answer events rather than HTTP requests (the route table names the rest).
pub const EVENT_FUNCTIONS: &[&str] = &["notifier", "reconcile", AUTHORIZER_FUNCTION];

/// The Lambda authorizer API Gateway asks about every route that needs a caller (`authorizer.rs`).
pub const AUTHORIZER_FUNCTION: &str = "authorizer";

/// The function that serves the admin console's static files (`run_console`), outside the
/// route table.
pub const CONSOLE_FUNCTION: &str = "console";
