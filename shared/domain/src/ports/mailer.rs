//! The Mailer port: send one message. Adapters: SES (production) and an outbox folder of `.eml`
//! files (the embedded default).

use async_trait::async_trait;

use crate::values::Email;

/// One email, with a plain-text and an HTML body saying the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: Email,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The mail service refused this message (unverified sender, bad address): retrying the same
    /// message will not help until something changes.
    #[error("the message was rejected: {0}")]
    Rejected(String),
    /// The mail service could not be reached or failed; a retry may succeed.
    #[error("the mail service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: &Message) -> Result<(), MailError>;
}
