//! The bookkeeping every outbox entry shares, invitations and notices alike: pending until sent,
//! claimed by one attempt at a time (a lease, so a crashed sender's entry is taken over later),
//! the last error kept, and kept a while after it is sent.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Roster;
use super::invitations::Delivery;
use super::records::decode;
use crate::error::DomainError;
use crate::keys;
use crate::ports::mailer::MailError;
use crate::ports::table::{Condition, Item, TableError, Write};

/// How long one attempt owns an entry before a retry may take it over (a crashed sender).
pub(crate) const LEASE: SignedDuration = SignedDuration::from_mins(2);
/// How long a sent entry is kept (for support questions) before TTL removes it.
pub(crate) const SENT_RETENTION: SignedDuration = SignedDuration::from_hours(30 * 24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum EntryStatus {
    Pending,
    Sent,
    /// The email no longer has anyone to go to (the user was deleted or activated).
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeliveryState {
    pub status: EntryStatus,
    pub attempts: u32,
    pub lease_until: Timestamp,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl DeliveryState {
    /// A pending entry whose first attempt (the request that creates it) holds the lease.
    pub fn new(now: Timestamp) -> Self {
        Self {
            status: EntryStatus::Pending,
            attempts: 1,
            lease_until: now.saturating_add(LEASE).unwrap_or(now),
            created_at: now,
            sent_at: None,
            last_error: None,
        }
    }

    /// Whether a retry may take the entry now.
    pub fn is_due(&self, now: Timestamp) -> bool {
        self.status == EntryStatus::Pending && self.lease_until <= now
    }

    /// One more attempt, holding the lease.
    pub fn claim(&mut self, now: Timestamp) {
        self.attempts += 1;
        self.lease_until = now.saturating_add(LEASE).unwrap_or(now);
    }

    /// Records how a send went; a failure frees the entry for the next retry at once.
    pub fn record(&mut self, outcome: &Result<(), MailError>, now: Timestamp) -> Delivery {
        match outcome {
            Ok(()) => {
                self.status = EntryStatus::Sent;
                self.sent_at = Some(now);
                self.last_error = None;
                Delivery::Sent
            }
            Err(e) => {
                self.last_error = Some(e.to_string());
                self.lease_until = now;
                Delivery::Queued {
                    reason: e.to_string(),
                }
            }
        }
    }

    /// A pending entry sits on the sparse index the retry sweep reads; a finished one leaves it
    /// and expires.
    pub fn place(&self, item: Item, id: &str) -> Item {
        match self.status {
            EntryStatus::Pending => item.with_index(keys::PENDING_MAIL, id),
            EntryStatus::Sent | EntryStatus::Cancelled => item.with_expiry(
                self.sent_at
                    .unwrap_or(self.created_at)
                    .saturating_add(SENT_RETENTION)
                    .map_or(i64::MAX, |t| t.as_second()),
            ),
        }
    }
}

/// An outbox entry that carries what it sends (a notice, a push): stored with its delivery
/// state, claimed and recorded by version.
pub(crate) trait QueuedEntry: Clone + serde::de::DeserializeOwned {
    fn state(&mut self) -> &mut DeliveryState;
    fn version(&mut self) -> &mut u64;
    fn item(&self) -> Result<Item, crate::error::DomainError>;
}

impl Roster {
    /// A pending entry from the retry sweep, claimed by version for one more attempt: `None`
    /// when it is not due yet or another attempt holds it.
    pub(crate) async fn claim_due<E: QueuedEntry>(
        &self,
        item: &Item,
    ) -> Result<Option<E>, DomainError> {
        let mut entry: E = decode(item)?;
        *entry.version() = item.version;
        let now = self.clock.now();
        if !entry.state().is_due(now) {
            return Ok(None);
        }
        let mut claimed = entry.clone();
        claimed.state().claim(now);
        match self.record(&mut claimed, item.version).await? {
            true => Ok(Some(claimed)),
            false => Ok(None),
        }
    }

    /// Writes `entry` as the next version after `current`; `false` when another attempt wrote
    /// first (it then holds or has recorded the entry).
    pub(crate) async fn record<E: QueuedEntry>(
        &self,
        entry: &mut E,
        current: u64,
    ) -> Result<bool, DomainError> {
        *entry.version() = current + 1;
        let put = Write::put(entry.item()?, Condition::VersionIs(current));
        match self.table.transact(vec![put]).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
