use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use roster_domain::ports::push::{Endpoint, Push, PushError, PushMessage};
use roster_domain::values::Platform;

/// A push service that keeps what it is given, and can be told a device is gone (as SNS says
/// of a disabled endpoint). Endpoints are `test:<platform>:<token>`.
#[derive(Clone, Default)]
pub struct RecordingPush {
    sent: Arc<Mutex<Vec<(Endpoint, PushMessage)>>>,
    gone: Arc<Mutex<BTreeSet<String>>>,
    forgotten: Arc<Mutex<Vec<Endpoint>>>,
}

impl RecordingPush {
    pub fn sent(&self) -> Vec<(Endpoint, PushMessage)> {
        self.sent.lock().unwrap().clone()
    }

    pub fn forgotten(&self) -> Vec<Endpoint> {
        self.forgotten.lock().unwrap().clone()
    }

    /// From now on, sends to `endpoint` fail as gone.
    pub fn make_gone(&self, endpoint: &Endpoint) {
        self.gone.lock().unwrap().insert(endpoint.0.clone());
    }
}

#[async_trait]
impl Push for RecordingPush {
    async fn endpoint(&self, platform: Platform, token: &str) -> Result<Endpoint, PushError> {
        Ok(Endpoint(format!("test:{}:{token}", platform.id())))
    }

    async fn send(&self, endpoint: &Endpoint, message: &PushMessage) -> Result<(), PushError> {
        if self.gone.lock().unwrap().contains(&endpoint.0) {
            return Err(PushError::Gone("the test disabled the endpoint".into()));
        }
        self.sent
            .lock()
            .unwrap()
            .push((endpoint.clone(), message.clone()));
        Ok(())
    }

    async fn forget(&self, endpoint: &Endpoint) -> Result<(), PushError> {
        self.forgotten.lock().unwrap().push(endpoint.clone());
        Ok(())
    }
}
