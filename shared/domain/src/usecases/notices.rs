//! Notice emails (out-of-office cover) through the same transactional outbox as invitations.
//! A notice carries no secret, so the entry stores the message itself and a retry sends exactly
//! that; like an invitation it is claimed by version before each attempt.

use serde::{Deserialize, Serialize};

use super::Roster;
use super::delivery::{DeliveryState, QueuedEntry};
use super::invitations::Delivery;
use crate::error::DomainError;
use crate::keys;
use crate::ports::mailer::Message;
use crate::ports::table::{Condition, Item, Write};
use crate::values::{AccountId, Email};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NoticeEntry {
    id: String,
    account: AccountId,
    to: Email,
    subject: String,
    text: String,
    html: String,
    #[serde(flatten)]
    state: DeliveryState,
    #[serde(skip)]
    version: u64,
}

impl QueuedEntry for NoticeEntry {
    fn state(&mut self) -> &mut DeliveryState {
        &mut self.state
    }

    fn version(&mut self) -> &mut u64 {
        &mut self.version
    }

    fn item(&self) -> Result<Item, DomainError> {
        let item = Item::from_body(keys::notice(&self.account, &self.id), self.version, self)?;
        Ok(self.state.place(item, &self.id))
    }
}

impl NoticeEntry {
    fn message(&self) -> Message {
        Message {
            to: self.to.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            html: self.html.clone(),
        }
    }
}

impl Roster {
    /// A pending notice and the write that stores it; the caller adds it to the transaction
    /// of the change the notice is about, and sends it after commit.
    pub(crate) fn new_notice(
        &self,
        account: &AccountId,
        message: Message,
    ) -> Result<(NoticeEntry, Write), DomainError> {
        let now = self.clock.now();
        let entry = NoticeEntry {
            id: self.ids.new_id().to_string(),
            account: account.clone(),
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
            state: DeliveryState::new(now),
            version: 1,
        };
        let write = Write::put(entry.item()?, Condition::MustNotExist);
        Ok((entry, write))
    }

    /// Sends a committed notice and records the outcome (one send, one write).
    pub(crate) async fn send_notice(&self, entry: NoticeEntry) -> Result<Delivery, DomainError> {
        let outcome = self.mailer.send(&entry.message()).await;
        let mut next = entry.clone();
        let delivery = next.state.record(&outcome, self.clock.now());
        if let Err(e) = &outcome {
            tracing::warn!(
                account = %entry.account, entry = %entry.id, error = %e,
                "notice email not sent; it stays queued for a retry"
            );
        }
        self.record(&mut next, entry.version).await?;
        Ok(delivery)
    }

    /// One pending notice from the retry sweep: claimed by version, then sent. `None` when it is
    /// not due yet or another attempt holds it.
    pub(crate) async fn retry_notice(&self, item: &Item) -> Result<Option<Delivery>, DomainError> {
        match self.claim_due::<NoticeEntry>(item).await? {
            Some(claimed) => Ok(Some(self.send_notice(claimed).await?)),
            None => Ok(None),
        }
    }
}
