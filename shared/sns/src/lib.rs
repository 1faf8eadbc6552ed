//! The SNS mobile push adapter of the push port: one platform application per platform (APNs
//! for iOS, FCM for Android, named by ARN), a platform endpoint per device
//! (`CreatePlatformEndpoint`, which gives the same endpoint for the same token), `Publish` to it,
//! and `DeleteEndpoint` once it is disabled or gone.

use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use roster_domain::ports::push::{Endpoint, Push, PushError, PushMessage};
use roster_domain::values::Platform;
use serde_json::json;

/// The IAM action of each call, for the SAM template's policies (the tests note which a
/// function was seen to make).
pub const CREATE_ENDPOINT_ACTION: &str = "sns:CreatePlatformEndpoint";
pub const PUBLISH_ACTION: &str = "sns:Publish";
pub const DELETE_ENDPOINT_ACTION: &str = "sns:DeleteEndpoint";

/// The platform applications devices register with; a platform without one is not set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformApplications {
    pub ios: Option<String>,
    pub android: Option<String>,
}

impl PlatformApplications {
    /// From `ROSTER_PUSH_IOS_APP` and `ROSTER_PUSH_ANDROID_APP` (ARNs; empty or unset: none).
    pub fn from_env() -> Self {
        let arn = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            ios: arn("ROSTER_PUSH_IOS_APP"),
            android: arn("ROSTER_PUSH_ANDROID_APP"),
        }
    }

    fn of(&self, platform: Platform) -> Option<&str> {
        match platform {
            Platform::Ios => self.ios.as_deref(),
            Platform::Android => self.android.as_deref(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ios.is_none() && self.android.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct SnsPush {
    client: Client,
    apps: PlatformApplications,
}

impl SnsPush {
    pub fn new(client: Client, apps: PlatformApplications) -> Self {
        Self { client, apps }
    }

    /// A client from the standard AWS environment.
    /// The binary must turn on aws-config's `default-https-client` (the CLI does); the Lambda
    /// functions build their configuration themselves and call `from_config`.
    pub async fn from_env(apps: PlatformApplications) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        Self::from_config(&config, apps)
    }

    /// A client on an already loaded configuration (see `DynamoTable::from_config`), with the
    /// SDK's standard retries: a push that still fails stays queued in the outbox.
    pub fn from_config(config: &aws_config::SdkConfig, apps: PlatformApplications) -> Self {
        Self::new(Client::new(config), apps)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// What each platform shows: the title and body in APNs' and FCM's own shapes, and a plain
/// text for anything else.
fn payload(message: &PushMessage) -> String {
    let apns = json!({"aps": {"alert": {"title": message.title, "body": message.body}, "sound": "default"}});
    let fcm = json!({"notification": {"title": message.title, "body": message.body}});
    json!({
        "default": format!("{}: {}", message.title, message.body),
        "APNS": apns.to_string(),
        "APNS_SANDBOX": apns.to_string(),
        "GCM": fcm.to_string(),
    })
    .to_string()
}

fn described<E: ProvideErrorMetadata>(e: &E) -> String {
    format!(
        "{}: {}",
        e.code().unwrap_or("Unknown"),
        e.message().unwrap_or_default()
    )
}

#[async_trait]
impl Push for SnsPush {
    async fn endpoint(&self, platform: Platform, token: &str) -> Result<Endpoint, PushError> {
        let app = self
            .apps
            .of(platform)
            .ok_or(PushError::NotConfigured(platform))?;
        let made = self
            .client
            .create_platform_endpoint()
            .platform_application_arn(app)
            .token(token)
            .send()
            .await
            .map_err(|err| match &err {
                SdkError::ServiceError(service) => {
                    let e = service.err();
                    if e.is_invalid_parameter_exception() {
                        PushError::Rejected(described(e))
                    } else if e.is_not_found_exception() {
                        PushError::NotConfigured(platform)
                    } else {
                        PushError::Unavailable(described(e))
                    }
                }
                other => PushError::Unavailable(other.to_string()),
            })?;
        made.endpoint_arn()
            .map(|arn| Endpoint(arn.to_owned()))
            .ok_or_else(|| PushError::Unavailable("SNS made an endpoint without an ARN".into()))
    }

    async fn send(&self, endpoint: &Endpoint, message: &PushMessage) -> Result<(), PushError> {
        self.client
            .publish()
            .target_arn(endpoint.as_str())
            .message_structure("json")
            .message(payload(message))
            .send()
            .await
            .map(|_| ())
            .map_err(|err| match &err {
                SdkError::ServiceError(service) => {
                    let e = service.err();
                    if e.is_endpoint_disabled_exception() || e.is_not_found_exception() {
                        PushError::Gone(described(e))
                    } else if e.is_invalid_parameter_exception()
                        || e.is_invalid_parameter_value_exception()
                        || e.is_platform_application_disabled_exception()
                    {
                        PushError::Rejected(described(e))
                    } else {
                        PushError::Unavailable(described(e))
                    }
                }
                other => PushError::Unavailable(other.to_string()),
            })
    }

    async fn forget(&self, endpoint: &Endpoint) -> Result<(), PushError> {
        self.client
            .delete_endpoint()
            .endpoint_arn(endpoint.as_str())
            .send()
            .await
            .map(|_| ())
            .map_err(|err| match &err {
                SdkError::ServiceError(service) => PushError::Unavailable(described(service.err())),
                other => PushError::Unavailable(other.to_string()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_platform_gets_the_title_and_body_in_its_own_shape() {
        let message = PushMessage {
            title: "On call in 1 hour".into(),
            body: "Payments (Days) from Mon 15 Mar 2027 09:00 UTC".into(),
        };
        let sent: serde_json::Value = serde_json::from_str(&payload(&message)).unwrap();
        let apns: serde_json::Value = serde_json::from_str(sent["APNS"].as_str().unwrap()).unwrap();
        assert_eq!(apns["aps"]["alert"]["title"], "On call in 1 hour");
        let fcm: serde_json::Value = serde_json::from_str(sent["GCM"].as_str().unwrap()).unwrap();
        assert_eq!(
            fcm["notification"]["body"],
            "Payments (Days) from Mon 15 Mar 2027 09:00 UTC"
        );
        assert_eq!(
            sent["default"],
            "On call in 1 hour: Payments (Days) from Mon 15 Mar 2027 09:00 UTC"
        );
    }
}
