//! Invitations: the password-reset email every new user gets (SPEC.md §3), sent reliably through
//! a transactional outbox.
//!
//! The user and an outbox entry are written in one transaction; the email goes out after commit
//! and the entry is marked sent, after the answer where the host allows (`ports::after_answer`).
//! A failed send leaves the entry pending for a retry (the
//! `roster mail retry` sweep or `POST /users/{id}/invitations`). An entry is claimed with its
//! version before each attempt, so two retries never both send it. The email itself is never
//! stored — it carries the token — only who it is for and the hash of the token it carries; a
//! retry issues a fresh token and revokes the previous one.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Roster;
use super::delivery::{DeliveryState, EntryStatus};
use super::pushes::PushDelivery;
use super::records::{self, decode};
use crate::entities::{User, UserStatus};
use crate::error::DomainError;
use crate::keys;
use crate::ports::mailer::Message;
use crate::ports::table::{Condition, Item, Query, TableError, Write, query_all};
use crate::secrets::{ResetToken, TokenHash};
use crate::values::{AccountId, UserId, for_people};

/// How long a reset link works.
pub const TOKEN_LIFETIME: SignedDuration = SignedDuration::from_hours(72);

/// What happened to an invitation email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Not sent; the entry stays pending and a retry will send it.
    Queued {
        reason: String,
    },
}

/// What a reset email is for: the invitation every new user gets, or a reset someone asked for
/// with "Forgot password?".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Purpose {
    /// Entries written before resets existed are invitations.
    #[default]
    Invitation,
    Reset,
}

/// How long after one reset email another may go to the same person.
pub const RESET_REQUEST_INTERVAL: SignedDuration = SignedDuration::from_mins(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OutboxEntry {
    id: String,
    account: AccountId,
    user_id: UserId,
    #[serde(default)]
    purpose: Purpose,
    /// The token the latest attempt carried; revoked when a retry issues a new one.
    token_hash: TokenHash,
    #[serde(flatten)]
    state: DeliveryState,
    #[serde(skip)]
    version: u64,
}

/// The stored side of a reset token: who it resets, until when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub account: AccountId,
    pub user_id: UserId,
    /// Checked on redemption: DynamoDB's TTL removes expired items only eventually.
    pub valid_until: Timestamp,
    #[serde(skip)]
    pub version: u64,
}

/// What a retry sweep did, over every kind of outbox entry (invitations, notices, pushes): a
/// push to a device that is gone counts as cancelled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetryReport {
    pub sent: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl OutboxEntry {
    fn key(&self) -> crate::ports::table::Key {
        keys::invitation(&self.account, &self.user_id, &self.id)
    }

    fn item(&self) -> Result<Item, DomainError> {
        let item = Item::from_body(self.key(), self.version, self)?;
        Ok(self.state.place(item, &self.id))
    }

    fn from_item(item: &Item) -> Result<Self, DomainError> {
        let mut entry: Self = decode(item)?;
        entry.version = item.version;
        Ok(entry)
    }

    /// The writes that retire this entry when a newer link replaces it: its token, and the
    /// entry itself (guarded by its version), so a user's outbox holds their newest link only
    /// and a transaction stays small however often links are asked for.
    fn replaced(&self) -> [Write; 2] {
        [
            Write::delete(keys::reset_token(&self.token_hash), None),
            Write::delete(self.key(), Condition::VersionIs(self.version)),
        ]
    }

    /// The same entry at its next version, for a version-guarded write.
    fn next(&self) -> Self {
        Self {
            version: self.version + 1,
            ..self.clone()
        }
    }
}

impl Roster {
    /// A new pending invitation for `user` and the writes that store it with its token; the
    /// caller adds them to the transaction that stores the user.
    pub(crate) fn new_invitation(
        &self,
        account: &AccountId,
        user: &User,
    ) -> Result<(OutboxEntry, ResetToken, Vec<Write>), DomainError> {
        self.new_link_entry(account, user, Purpose::Invitation)
    }

    /// A new pending entry of `purpose` for `user`, and the writes that store it with its token.
    fn new_link_entry(
        &self,
        account: &AccountId,
        user: &User,
        purpose: Purpose,
    ) -> Result<(OutboxEntry, ResetToken, Vec<Write>), DomainError> {
        let now = self.clock.now();
        let token = ResetToken::generate();
        let entry = OutboxEntry {
            id: self.ids.new_id().to_string(),
            account: account.clone(),
            user_id: user.id.clone(),
            purpose,
            token_hash: token.hash(),
            // The request that creates the entry sends it; a sweep waits out its lease.
            state: DeliveryState::new(now),
            version: 1,
        };
        let writes = vec![
            Write::put(entry.item()?, Condition::MustNotExist),
            Write::put(
                self.token_item(account, &user.id, &token)?,
                Condition::MustNotExist,
            ),
        ];
        Ok((entry, token, writes))
    }

    fn token_item(
        &self,
        account: &AccountId,
        user: &UserId,
        token: &ResetToken,
    ) -> Result<Item, DomainError> {
        let expires_at = self
            .clock
            .now()
            .saturating_add(TOKEN_LIFETIME)
            .map_err(|e| DomainError::conflict(format!("clock out of range: {e}")))?;
        let record = TokenRecord {
            account: account.clone(),
            user_id: user.clone(),
            valid_until: expires_at,
            version: 1,
        };
        Ok(
            Item::from_body(keys::reset_token(&token.hash()), 1, &record)?
                .with_expiry(expires_at.as_second()),
        )
    }

    /// Sends the invitation of a committed entry and records the outcome: one send, one write.
    pub(crate) async fn send_invitation(
        &self,
        entry: OutboxEntry,
        user: &User,
        token: &ResetToken,
    ) -> Result<Delivery, DomainError> {
        let message = match entry.purpose {
            Purpose::Invitation => self.invitation_message(user, token),
            Purpose::Reset => self.reset_message(user, token),
        };
        let outcome = self.mailer.send(&message).await;
        let mut next = entry.next();
        let delivery = next.state.record(&outcome, self.clock.now());
        if let Err(e) = &outcome {
            tracing::warn!(
                account = %entry.account, user_id = %entry.user_id, entry = %entry.id,
                error = %e, "invitation email not sent; it stays queued for a retry"
            );
        }
        // The record changes nothing the caller is told, so the answer need not wait for it. Left
        // unwritten (the store failing, the process gone), the entry stays pending and a retry
        // sends it again once the lease has run out: the one way an invitation goes twice, as
        // before when the process died between the send and the record.
        let table = Arc::clone(&self.table);
        let put = Write::put(next.item()?, Condition::VersionIs(entry.version));
        self.after_answer(Box::pin(async move {
            match table.transact(vec![put]).await {
                // Ours, or another attempt's that took the entry over after our lease ran out.
                Ok(()) | Err(TableError::ConditionFailed(_)) => {}
                Err(e) => tracing::warn!(
                    account = %entry.account, entry = %entry.id, error = %e,
                    "invitation sent but not recorded; a retry may send it again"
                ),
            }
        }))
        .await;
        Ok(delivery)
    }

    /// The console's set-password page for `token`: the token rides in the fragment, so it never
    /// reaches a server's log or a Referer, and the login beside it lets the page sign the
    /// person in once the password is set.
    pub(crate) fn set_password_link(&self, user: &User, token: &ResetToken) -> String {
        let login: String =
            form_urlencoded::byte_serialize(user.email.as_str().as_bytes()).collect();
        format!(
            "{}/console/reset-password#token={}&login={login}",
            self.settings.app_url.trim_end_matches('/'),
            token.reveal()
        )
    }

    /// "in 72 hours (Mon 4 Jan 2027, 09:00 EST)": the deadline in the reader's own zone.
    fn link_deadline(&self, user: &User) -> String {
        self.clock
            .now()
            .checked_add(TOKEN_LIFETIME)
            .map(|t| format!(" ({})", for_people(t, &user.preferences.time_zone)))
            .unwrap_or_default()
    }

    fn invitation_message(&self, user: &User, token: &ResetToken) -> Message {
        self.password_message(
            user,
            token,
            "Set your password for on-call alerts",
            "An on-call alerting account was set up for you",
            "Choose your password",
            "If you did not expect this email, you can ignore it.",
        )
    }

    fn reset_message(&self, user: &User, token: &ResetToken) -> Message {
        self.password_message(
            user,
            token,
            "Reset your password for on-call alerts",
            "Someone asked to reset the password of your on-call alerting account",
            "Choose a new password",
            "If it was not you, ignore this email: your password stays as it is.",
        )
    }

    fn password_message(
        &self,
        user: &User,
        token: &ResetToken,
        subject: &str,
        what: &str,
        action: &str,
        otherwise: &str,
    ) -> Message {
        let link = self.set_password_link(user, token);
        let name = user.first_name.as_str();
        let until = self.link_deadline(user);
        let text = format!(
            "Hello {name},\n\n\
             {what} ({email}).\n\
             {action} here:\n\n{link}\n\n\
             The link works once and expires in 72 hours{until}. {otherwise}\n",
            email = user.email,
        );
        let html = format!(
            "<p>Hello {name},</p>\
             <p>{what} ({email}).</p>\
             <p><a href=\"{link}\">{action}</a></p>\
             <p>The link works once and expires in 72 hours{until}. {otherwise}</p>",
            name = html_escape(name),
            email = html_escape(user.email.as_str()),
            link = html_escape(&link),
            until = html_escape(&until),
        );
        Message {
            to: user.email.clone(),
            subject: subject.into(),
            text,
            html,
        }
    }

    /// Claims a pending entry for one more attempt: a fresh token replaces the last one, and the
    /// version guard makes the claim exclusive.
    async fn claim(
        &self,
        entry: &OutboxEntry,
        audit: Option<Write>,
    ) -> Result<Option<(OutboxEntry, ResetToken)>, DomainError> {
        let now = self.clock.now();
        let token = ResetToken::generate();
        let mut claimed = entry.next();
        claimed.state.claim(now);
        claimed.token_hash = token.hash();
        let mut writes = vec![
            Write::put(claimed.item()?, Condition::VersionIs(entry.version)),
            Write::delete(keys::reset_token(&entry.token_hash), None),
            Write::put(
                self.token_item(&entry.account, &entry.user_id, &token)?,
                Condition::MustNotExist,
            ),
        ];
        writes.extend(audit);
        match self.table.transact(writes).await {
            Ok(()) => Ok(Some((claimed, token))),
            Err(TableError::ConditionFailed(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn cancel(&self, entry: &OutboxEntry) -> Result<(), DomainError> {
        let mut cancelled = entry.next();
        cancelled.state.status = EntryStatus::Cancelled;
        let writes = vec![
            Write::put(cancelled.item()?, Condition::VersionIs(entry.version)),
            Write::delete(keys::reset_token(&entry.token_hash), None),
        ];
        match self.table.transact(writes).await {
            Ok(()) | Err(TableError::ConditionFailed(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Deleting every invitation of `user` with the reset token it carries, so no link of theirs
    /// works once they are gone (SPEC.md §5). Only invited users have any that matter.
    pub(crate) async fn invitation_deletes(
        &self,
        account: &AccountId,
        user: &User,
    ) -> Result<Vec<Write>, DomainError> {
        if user.status != UserStatus::Invited {
            return Ok(Vec::new());
        }
        let items = query_all(
            self.table.as_ref(),
            Query::partition(keys::outbox_pk(account)).prefix(keys::invitation_prefix(&user.id)),
        )
        .await?;
        let mut writes = Vec::with_capacity(items.len() * 2);
        for item in &items {
            let entry = OutboxEntry::from_item(item)?;
            writes.push(Write::delete(keys::reset_token(&entry.token_hash), None));
            writes.push(Write::delete(entry.key(), None));
        }
        Ok(writes)
    }

    /// The user's pending invitations, and every other link entry of theirs.
    async fn pending_invitations(
        &self,
        account: &AccountId,
        user: &UserId,
    ) -> Result<(Vec<OutboxEntry>, Vec<OutboxEntry>), DomainError> {
        let items = query_all(
            self.table.as_ref(),
            Query::partition(keys::outbox_pk(account)).prefix(keys::invitation_prefix(user)),
        )
        .await?;
        let mut pending = Vec::new();
        let mut others = Vec::new();
        for item in &items {
            let entry = OutboxEntry::from_item(item)?;
            if entry.state.status == EntryStatus::Pending && entry.purpose == Purpose::Invitation {
                pending.push(entry);
            } else {
                others.push(entry);
            }
        }
        Ok((pending, others))
    }

    /// Sends `user` their invitation: the pending one if an earlier send failed (so a resend
    /// after an outage delivers exactly one email), else a new one. Only for invited users.
    /// `audit` is written with the claim or the new entry: the resend is logged exactly when it
    /// happens.
    pub(crate) async fn deliver_invitation(
        &self,
        account: &AccountId,
        user: &User,
        audit: Write,
    ) -> Result<Delivery, DomainError> {
        if user.status != UserStatus::Invited {
            return Err(DomainError::conflict(format!(
                "user {} has already set a password",
                user.id
            )));
        }
        if user.deactivated {
            return Err(DomainError::conflict(format!(
                "user {} is deactivated and receives nothing; reactivate them first",
                user.id
            )));
        }
        let now = self.clock.now();
        let (pending, earlier) = self.pending_invitations(account, &user.id).await?;
        if let Some((oldest, rest)) = pending.split_first() {
            for superseded in rest {
                self.cancel(superseded).await?;
            }
            if !oldest.state.is_due(now) {
                return Ok(Delivery::Queued {
                    reason: "another attempt is sending this invitation right now".into(),
                });
            }
            return match self.claim(oldest, Some(audit)).await? {
                Some((claimed, token)) => self.send_invitation(claimed, user, &token).await,
                None => Ok(Delivery::Queued {
                    reason: "another attempt is sending this invitation right now".into(),
                }),
            };
        }
        // A new link makes every earlier one stop working (SPEC.md §3).
        let (entry, token, mut writes) = self.new_invitation(account, user)?;
        writes.extend(earlier.iter().flat_map(OutboxEntry::replaced));
        writes.push(audit);
        match self.table.transact(writes).await {
            Ok(()) => {}
            Err(TableError::ConditionFailed(_)) => {
                return Err(DomainError::conflict(
                    "an earlier invitation changed while this one was made; try again",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        self.send_invitation(entry, user, &token).await
    }

    /// Sends `user` a reset link they asked for ("Forgot password?"), unless one went out less
    /// than [`RESET_REQUEST_INTERVAL`] ago. Every earlier link of theirs stops working: their
    /// entries and tokens are deleted in the transaction that stores the new one (guarded by
    /// their versions, so of two requests at once only one sends).
    pub(crate) async fn deliver_reset(
        &self,
        account: &AccountId,
        user: &User,
        audit: Write,
    ) -> Result<Option<Delivery>, DomainError> {
        let now = self.clock.now();
        let earlier = query_all(
            self.table.as_ref(),
            Query::partition(keys::outbox_pk(account)).prefix(keys::invitation_prefix(&user.id)),
        )
        .await?;
        let mut writes = Vec::new();
        for item in &earlier {
            let entry = OutboxEntry::from_item(item)?;
            if entry.purpose == Purpose::Reset
                && now.duration_since(entry.state.created_at) < RESET_REQUEST_INTERVAL
            {
                return Ok(None);
            }
            writes.extend(entry.replaced());
        }
        let (entry, token, new) = self.new_link_entry(account, user, Purpose::Reset)?;
        writes.extend(new);
        writes.push(audit);
        match self.table.transact(writes).await {
            Ok(()) => {}
            // Another request for the same person got there first: theirs is the one sent.
            Err(TableError::ConditionFailed(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        self.send_invitation(entry, user, &token).await.map(Some)
    }

    /// Sends every pending outbox entry — invitations, notices, pushes — whose lease has run
    /// out, oldest first, across accounts:
    /// the scheduled retry. Entries of users deleted or activated since are cancelled.
    pub async fn retry_pending_mail(&self) -> Result<RetryReport, DomainError> {
        let now = self.clock.now();
        let mut report = RetryReport::default();
        let items = query_all(self.table.as_ref(), Query::index(keys::PENDING_MAIL)).await?;
        for item in &items {
            if item.key.sk.starts_with(keys::PUSH_PREFIX) {
                match self.retry_push(item).await? {
                    Some(PushDelivery::Sent) => report.sent += 1,
                    Some(PushDelivery::Queued) => report.failed += 1,
                    Some(PushDelivery::Dropped) => report.cancelled += 1,
                    None => {}
                }
                continue;
            }
            if item.key.sk.starts_with(keys::NOTICE_PREFIX) {
                match self.retry_notice(item).await? {
                    Some(Delivery::Sent) => report.sent += 1,
                    Some(Delivery::Queued { .. }) => report.failed += 1,
                    None => {}
                }
                continue;
            }
            let entry = OutboxEntry::from_item(item)?;
            if !entry.state.is_due(now) {
                continue;
            }
            let user = match self
                .table
                .get(&keys::user(&entry.account, &entry.user_id))
                .await?
            {
                Some(item) => Some(records::user_from_item(&item)?),
                None => None,
            };
            let wanted = |u: &User| match entry.purpose {
                Purpose::Invitation => u.status == UserStatus::Invited,
                Purpose::Reset => true,
            };
            let Some(user) = user.filter(wanted) else {
                self.cancel(&entry).await?;
                report.cancelled += 1;
                continue;
            };
            // A deactivated user receives nothing; the invitation waits for their return.
            if user.deactivated {
                continue;
            }
            if let Some((claimed, token)) = self.claim(&entry, None).await? {
                match self.send_invitation(claimed, &user, &token).await? {
                    Delivery::Sent => report.sent += 1,
                    Delivery::Queued { .. } => report.failed += 1,
                }
            }
        }
        Ok(report)
    }

    /// The token's record, if it exists and has not expired.
    pub(crate) async fn live_token(
        &self,
        token: &ResetToken,
    ) -> Result<Option<TokenRecord>, DomainError> {
        let Some(item) = self.table.get(&keys::reset_token(&token.hash())).await? else {
            return Ok(None);
        };
        let mut record: TokenRecord = decode(&item)?;
        record.version = item.version;
        Ok((record.valid_until > self.clock.now()).then_some(record))
    }
}

pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
