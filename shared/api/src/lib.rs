//! Roster's HTTP contract (SPEC.md §8), independent of how requests arrive: the Lambda functions
//! (`shared/lambda`) and `roster serve` (`cli/`) both hand `http` requests to [`App`] and send
//! back what it answers.
//!
//! The caller comes from the claims (`sub`, `account_id`) of a session token that something
//! upstream has already verified with [`Verifier`] — the stack's session authorizer, or `roster
//! serve` — and put on the request as a [`Claims`] extension. SCIM routes (`/scim/v2/`) are the exception: their bearer is a SCIM
//! token, which [`App`] checks itself.

mod app;
mod handlers;
mod ics;
mod idempotency;
mod input;
mod problem;
pub mod routes;
mod scim_error;
#[cfg(feature = "session-token")]
mod session_token;
mod views;

pub use app::App;
pub use idempotency::{IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED};
pub use input::{Claims, MAX_BODY_BYTES, SourceAddress};
pub use problem::ApiError;
pub use routes::{Auth, Route, routes};
pub use scim_error::speaks_scim;
#[cfg(feature = "session-token")]
pub use session_token::Verifier;
