//! Push notifications through the same transactional outbox as emails: an entry per device,
//! written with the change it is about (a reminder's claim), sent after commit, claimed by
//! version before each retry. An endpoint the push service says is gone is never tried again:
//! the entry is cancelled, the endpoint deleted and taken off the device's method (the next
//! registration of the device makes a new one).

use serde::{Deserialize, Serialize};

use super::Roster;
use super::changes::Change;
use super::delivery::{DeliveryState, EntryStatus, QueuedEntry};
use crate::access::Actor;
use crate::entities::{Device, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::push::{Endpoint, PushError, PushMessage};
use crate::ports::table::{Condition, Item, Write};
use crate::values::{AccountId, ContactMethodKind, UserId};

/// How one push went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PushDelivery {
    Sent,
    /// Not sent; the entry stays pending and a retry will send it.
    Queued,
    /// The device cannot be reached any more: cancelled, never retried.
    Dropped,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PushEntry {
    id: String,
    account: AccountId,
    user_id: UserId,
    endpoint: Endpoint,
    message: PushMessage,
    #[serde(flatten)]
    state: DeliveryState,
    #[serde(skip)]
    version: u64,
}

impl QueuedEntry for PushEntry {
    fn state(&mut self) -> &mut DeliveryState {
        &mut self.state
    }

    fn version(&mut self) -> &mut u64 {
        &mut self.version
    }

    fn item(&self) -> Result<Item, DomainError> {
        let item = Item::from_body(keys::push(&self.account, &self.id), self.version, self)?;
        Ok(self.state.place(item, &self.id))
    }
}

impl Roster {
    /// A pending push to each of `user`'s devices that has an endpoint, and the writes that
    /// store them; the caller commits them with its change and sends them after.
    pub(crate) fn new_pushes(
        &self,
        account: &AccountId,
        user: &User,
        message: &PushMessage,
    ) -> Result<(Vec<PushEntry>, Vec<Write>), DomainError> {
        let now = self.clock.now();
        let mut entries = Vec::new();
        let mut writes = Vec::new();
        let devices = user
            .contact_methods
            .iter()
            .filter(|m| m.method == ContactMethodKind::Push)
            .flat_map(|m| &m.devices)
            .filter_map(|d| d.endpoint.clone());
        for endpoint in devices {
            let entry = PushEntry {
                id: self.ids.new_id().to_string(),
                account: account.clone(),
                user_id: user.id.clone(),
                endpoint,
                message: message.clone(),
                state: DeliveryState::new(now),
                version: 1,
            };
            writes.push(Write::put(entry.item()?, Condition::MustNotExist));
            entries.push(entry);
        }
        Ok((entries, writes))
    }

    /// Sends a committed push and records the outcome (one push, one write; a gone device is
    /// also forgotten).
    pub(crate) async fn send_push(&self, entry: PushEntry) -> Result<PushDelivery, DomainError> {
        let outcome = self.push.send(&entry.endpoint, &entry.message).await;
        let now = self.clock.now();
        let mut next = entry.clone();
        let delivery = match &outcome {
            Ok(()) => {
                next.state.status = EntryStatus::Sent;
                next.state.sent_at = Some(now);
                next.state.last_error = None;
                PushDelivery::Sent
            }
            Err(PushError::Unavailable(reason)) => {
                tracing::warn!(
                    account = %entry.account, entry = %entry.id, error = %reason,
                    "push not sent; it stays queued for a retry"
                );
                next.state.last_error = Some(reason.clone());
                next.state.lease_until = now;
                PushDelivery::Queued
            }
            Err(
                e @ (PushError::Gone(_) | PushError::NotConfigured(_) | PushError::Rejected(_)),
            ) => {
                tracing::info!(
                    account = %entry.account, entry = %entry.id, error = %e,
                    "push dropped: the device cannot be reached"
                );
                next.state.status = EntryStatus::Cancelled;
                next.state.last_error = Some(e.to_string());
                PushDelivery::Dropped
            }
        };
        self.record(&mut next, entry.version).await?;
        if let Err(PushError::Gone(_)) = outcome {
            self.forget_device(&entry).await?;
        }
        Ok(delivery)
    }

    /// Drops the device whose endpoint is gone (if it is still registered; the others stay, and
    /// the `push` method goes with its last device) and deletes the endpoint from the push
    /// service.
    async fn forget_device(&self, entry: &PushEntry) -> Result<(), DomainError> {
        let operator = Actor::Operator(entry.account.clone());
        let gone = &entry.endpoint;
        let cleared = self
            .change_user(
                &operator,
                "forget-device",
                &entry.user_id,
                |user| match without_device(user, |d| d.endpoint.as_ref() == Some(gone)) {
                    Some(next) => Ok(Change::Write(Box::new(next), ())),
                    None => Ok(Change::Keep(())),
                },
            )
            .await;
        match cleared {
            Ok(()) | Err(DomainError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
        self.forget_endpoints(std::slice::from_ref(gone)).await;
        Ok(())
    }

    /// Deletes endpoints no registered device uses any more. A failure leaves one behind in the
    /// push service, which is logged; nothing is ever sent to it again.
    pub(crate) async fn forget_endpoints(&self, endpoints: &[Endpoint]) {
        for endpoint in endpoints {
            if let Err(e) = self.push.forget(endpoint).await {
                tracing::warn!(endpoint = %endpoint.as_str(), error = %e, "an endpoint was not deleted");
            }
        }
    }

    /// One pending push from the retry sweep: claimed by version, then sent. `None` when it is
    /// not due yet or another attempt holds it.
    pub(crate) async fn retry_push(
        &self,
        item: &Item,
    ) -> Result<Option<PushDelivery>, DomainError> {
        match self.claim_due::<PushEntry>(item).await? {
            Some(claimed) => Ok(Some(self.send_push(claimed).await?)),
            None => Ok(None),
        }
    }
}

/// `user` without the devices `drop` picks (`None` when it picks none); the `push` method goes
/// with its last device.
pub(crate) fn without_device(user: &User, drop: impl Fn(&Device) -> bool) -> Option<User> {
    let mut next = user.clone();
    let at = next
        .contact_methods
        .iter()
        .position(|m| m.method == ContactMethodKind::Push)?;
    let push = &mut next.contact_methods[at];
    let before = push.devices.len();
    push.devices.retain(|d| !drop(d));
    if push.devices.len() == before {
        return None;
    }
    if push.devices.is_empty() {
        next.contact_methods.remove(at);
    }
    Some(next)
}
