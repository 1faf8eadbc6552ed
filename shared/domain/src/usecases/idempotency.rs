//! Idempotency keys: a request that carries one is done at most once. A replay within 24 hours
//! gets the first answer and changes nothing; the same key with a different request is refused;
//! a replay while the first is still running is told so rather than run twice.
//!
//! A key is claimed with one conditional put before the request runs (its record is read only
//! when the put finds one there) and completed with the answer after: two transactions on top
//! of the request's own. The record lives outside the account partition, per caller, and
//! expires with DynamoDB TTL.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Roster;
use crate::error::{DomainError, InvalidValue};
use crate::ports::table::{Condition, Item, Key, TableError, Write};
use crate::usecases::records;

/// How long a key is remembered.
pub const IDEMPOTENCY_WINDOW_SECONDS: i64 = 24 * 60 * 60;
/// A claim older than this whose request never finished (its process died) may be taken over:
/// longer than any function's timeout.
pub const STALE_CLAIM_SECONDS: i64 = 5 * 60;
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so no two different lists of parts hash alike.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One request under an idempotency key: who sent it, the key, and what it asked.
#[derive(Debug, Clone)]
pub struct IdempotentRequest {
    record: Key,
    fingerprint: String,
}

impl IdempotentRequest {
    /// `scope` is whoever the key belongs to (an account's user, or the public); `key` is the
    /// header's text: 1 to 255 visible ASCII characters. The request is its method, path and
    /// body.
    pub fn new(
        scope: &str,
        key: &str,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<Self, InvalidValue> {
        if key.is_empty()
            || key.len() > MAX_IDEMPOTENCY_KEY_LEN
            || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(InvalidValue::new(format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters"
            )));
        }
        Ok(Self {
            record: Key::new(
                format!("IDEMPOTENCY#{}", hex_sha256(&[scope.as_bytes()])),
                format!("KEY#{}", hex_sha256(&[key.as_bytes()])),
            ),
            fingerprint: hex_sha256(&[method.as_bytes(), path.as_bytes(), body]),
        })
    }
}

/// A response as it is replayed: status, the headers that matter, body (the API's answers to
/// POSTs are JSON or empty, so text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    /// Epoch seconds of the claim.
    claimed_at: i64,
    /// Absent while the first request runs.
    response: Option<StoredResponse>,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claimed {
    /// The key is new (or its record expired): run the request, then complete or release it.
    Fresh(Claim),
    /// The request was done before: this is its answer.
    Replay(StoredResponse),
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key has not finished.
    InProgress,
}

/// A key held by the request now running.
#[derive(Debug)]
pub struct Claim {
    request: IdempotentRequest,
    version: u64,
    claimed_at: i64,
}

impl Roster {
    /// Claims the key for `request`, or says why it cannot run. A new key (the common case) is
    /// one conditional put; the record is read only when one is already there.
    pub async fn claim_idempotency_key(
        &self,
        request: &IdempotentRequest,
    ) -> Result<Claimed, DomainError> {
        let now = self.clock.now().as_second();
        let (mut condition, mut version) = (Condition::MustNotExist, 1);
        // Three puts at most: a record that expired (or was released) between a failed put and
        // the read is claimed as new, and one that changed again is read again.
        for _ in 0..3 {
            let record = Record {
                fingerprint: request.fingerprint.clone(),
                claimed_at: now,
                response: None,
            };
            let item = Item::from_body(request.record.clone(), version, &record)?
                .with_expiry(now + IDEMPOTENCY_WINDOW_SECONDS);
            match self.table.transact(vec![Write::put(item, condition)]).await {
                Ok(()) => {
                    return Ok(Claimed::Fresh(Claim {
                        request: request.clone(),
                        version,
                        claimed_at: now,
                    }));
                }
                // The key has a record, or had one a moment ago: read what it holds.
                Err(TableError::ConditionFailed(_) | TableError::Conflict) => {}
                Err(e) => return Err(e.into()),
            }
            (condition, version) = match self.table.get(&request.record).await? {
                None => (Condition::MustNotExist, 1),
                Some(item) => {
                    let record = records::decode::<Record>(&item)?;
                    let expired = item.expires_at.is_some_and(|at| at <= now);
                    if !expired {
                        if record.fingerprint != request.fingerprint {
                            return Ok(Claimed::Mismatch);
                        }
                        if let Some(response) = record.response {
                            return Ok(Claimed::Replay(response));
                        }
                        if record.claimed_at + STALE_CLAIM_SECONDS > now {
                            return Ok(Claimed::InProgress);
                        }
                    }
                    // Expired, or a claim whose request died: taken over.
                    (Condition::VersionIs(item.version), item.version + 1)
                }
            };
        }
        Ok(Claimed::InProgress)
    }

    /// Keeps `response` as the answer to every replay of the claimed key.
    pub async fn complete_idempotency_key(
        &self,
        claim: Claim,
        response: StoredResponse,
    ) -> Result<(), DomainError> {
        let record = Record {
            fingerprint: claim.request.fingerprint,
            claimed_at: claim.claimed_at,
            response: Some(response),
        };
        let item = Item::from_body(claim.request.record, claim.version + 1, &record)?
            .with_expiry(claim.claimed_at + IDEMPOTENCY_WINDOW_SECONDS);
        self.table
            .transact(vec![Write::put(item, Condition::VersionIs(claim.version))])
            .await?;
        Ok(())
    }

    /// Lets the key be used again: the request failed in a way a retry may fix.
    pub async fn release_idempotency_key(&self, claim: Claim) -> Result<(), DomainError> {
        self.table
            .transact(vec![Write::delete(
                claim.request.record,
                Condition::VersionIs(claim.version),
            )])
            .await?;
        Ok(())
    }
}
