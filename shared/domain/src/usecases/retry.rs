//! Optimistic concurrency: read, decide, write with a version condition; when another writer got
//! there first, read again and decide again.

use std::future::Future;
use std::time::Duration;

use crate::error::DomainError;
use crate::ports::table::TableError;

/// The outcome of one optimistic attempt.
pub(crate) enum Attempt<T> {
    Done(T),
    /// Another writer changed what this attempt read; try again from a fresh read.
    Raced,
}

const ATTEMPTS: u32 = 8;

/// Runs `attempt` until it is not raced, up to a bound, backing off with jitter between tries so
/// that racing writers spread out.
pub(crate) async fn optimistic<T, F, Fut>(attempt: F) -> Result<T, DomainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, DomainError>>,
{
    optimistic_or(attempt).await
}

/// As [`optimistic`], for an attempt whose refusals are the caller's own error type (an edge's
/// error, when the edge derives the change from what was read).
pub(crate) async fn optimistic_or<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    E: From<DomainError>,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Attempt<T>, E>>,
{
    for n in 0..ATTEMPTS {
        match attempt().await? {
            Attempt::Done(value) => return Ok(value),
            Attempt::Raced => {
                let ceiling_ms = 5u64 << n.min(6);
                tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=ceiling_ms))).await;
            }
        }
    }
    Err(DomainError::Store(TableError::Conflict).into())
}
