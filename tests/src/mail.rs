use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use roster_domain::ports::mailer::{MailError, Mailer, Message};

/// A mailer that keeps what it is given, and can be told to fail like an SES outage.
#[derive(Clone, Default)]
pub struct RecordingMailer {
    sent: Arc<Mutex<Vec<Message>>>,
    failing: Arc<AtomicBool>,
}

impl RecordingMailer {
    pub fn sent(&self) -> Vec<Message> {
        self.sent.lock().unwrap().clone()
    }

    pub fn sent_to(&self, address: &str) -> Vec<Message> {
        self.sent()
            .into_iter()
            .filter(|m| m.to.key() == address.to_lowercase())
            .collect()
    }

    pub fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(MailError::Unavailable(
                "the test made the mailer fail".into(),
            ));
        }
        self.sent.lock().unwrap().push(message.clone());
        Ok(())
    }
}
