//! The Push port: mobile push to one device, through a platform endpoint made once per device
//! (SNS mobile push in production; files beside the outbox locally).

use async_trait::async_trait;

use crate::values::Platform;

/// Where pushes to one device go: an SNS platform endpoint ARN, or a local adapter's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Endpoint(pub String);

impl Endpoint {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One notification: what the device shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushMessage {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The endpoint is disabled or deleted (the app was removed, the token expired): sending to
    /// it again will not help. The endpoint is forgotten; the next registration makes a new one.
    #[error("the device can no longer be reached: {0}")]
    Gone(String),
    /// No platform application is configured for this platform: nothing can be sent to it.
    #[error("push is not set up for {0}")]
    NotConfigured(Platform),
    /// The push service refused the request for a reason a retry will not change.
    #[error("the push was rejected: {0}")]
    Rejected(String),
    /// The push service could not be reached or failed; a retry may succeed.
    #[error("the push service is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Push: Send + Sync {
    /// The endpoint for a device token, made on first use (the same token gives the same
    /// endpoint again).
    async fn endpoint(&self, platform: Platform, device_token: &str)
    -> Result<Endpoint, PushError>;

    async fn send(&self, endpoint: &Endpoint, message: &PushMessage) -> Result<(), PushError>;

    /// Deletes an endpoint no device answers any more.
    async fn forget(&self, endpoint: &Endpoint) -> Result<(), PushError>;
}

/// A deployment with no platform application for any platform: devices are registered (their
/// tokens kept) but nothing is pushed. Said, never pretended: every call is `NotConfigured`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushNotConfigured;

#[async_trait]
impl Push for PushNotConfigured {
    async fn endpoint(&self, platform: Platform, _: &str) -> Result<Endpoint, PushError> {
        Err(PushError::NotConfigured(platform))
    }

    /// A push queued by a process that has the push service waits for one that has it: this
    /// process cannot tell whether the device is still there, so it never drops one.
    async fn send(&self, endpoint: &Endpoint, _: &PushMessage) -> Result<(), PushError> {
        Err(PushError::Unavailable(format!(
            "this process has no push service to reach {}",
            endpoint.as_str()
        )))
    }

    async fn forget(&self, _: &Endpoint) -> Result<(), PushError> {
        Ok(())
    }
}
