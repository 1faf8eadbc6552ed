//! The mailer port as a folder: every message becomes one `.eml` file (RFC 5322 with a text and
//! an HTML part) that any mail client opens. The embedded default, so a laptop needs no SES.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use mail_builder::MessageBuilder;
use roster_domain::ports::mailer::{MailError, Mailer, Message};

#[derive(Debug, Clone)]
pub struct OutboxFolder {
    dir: PathBuf,
    from: String,
}

impl OutboxFolder {
    /// Writes into `dir` (created if missing) as sender `from`.
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            from: from.into(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for OutboxFolder {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let id = ulid::Ulid::generate();
        let now = jiff::Timestamp::now();
        let eml = MessageBuilder::new()
            .message_id(format!("{id}@roster.local"))
            .date(now.as_second())
            .from(self.from.as_str())
            .to(message.to.as_str())
            .subject(message.subject.as_str())
            .text_body(message.text.as_str())
            .html_body(message.html.as_str())
            .write_to_string()
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        // Sortable by time; written whole, then renamed, so a reader never sees half a message.
        let name = format!("{}-{id}.eml", now.strftime("%Y%m%dT%H%M%SZ"));
        let path = self.dir.join(&name);
        let partial = self.dir.join(format!(".{name}.partial"));
        tokio::task::spawn_blocking(move || {
            std::fs::write(&partial, eml)?;
            std::fs::rename(&partial, &path)
        })
        .await
        .map_err(|e| MailError::Unavailable(e.to_string()))?
        .map_err(|e| MailError::Unavailable(format!("cannot write to the outbox folder: {e}")))
    }
}
