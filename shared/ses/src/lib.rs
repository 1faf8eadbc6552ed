//! The SES adapter of the mailer port: `SendEmail` with a text and an HTML body, from the
//! verified sender `ROSTER_MAIL_FROM`.

use async_trait::async_trait;
use aws_sdk_ses::Client;
use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ses::types::{Body, Content, Destination, Message as SesMessage};
use roster_domain::ports::mailer::{MailError, Mailer, Message};

/// The IAM action `send` needs (SES v1 `SendEmail`, authorised on the sender's identity); the
/// SAM template's policies name it from here.
pub const SEND_ACTION: &str = "ses:SendEmail";

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
    from: String,
}

impl SesMailer {
    pub fn new(client: Client, from: impl Into<String>) -> Self {
        Self {
            client,
            from: from.into(),
        }
    }

    /// A client from the standard AWS environment, sending as `from`.
    /// The binary must turn on aws-config's `default-https-client` (the CLI does); the Lambda
    /// functions build their configuration themselves and call `from_config`.
    pub async fn from_env(from: impl Into<String>) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        Self::from_config(&config, from)
    }

    /// A client on an already loaded configuration (see `DynamoTable::from_config`), retrying
    /// as [`retry_policy`] says.
    pub fn from_config(config: &aws_config::SdkConfig, from: impl Into<String>) -> Self {
        let config = aws_sdk_ses::config::Builder::from(config)
            .retry_config(retry_policy())
            .build();
        Self::new(Client::from_conf(config), from)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn content(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(|e| MailError::Rejected(e.to_string()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        let body = Body::builder()
            .text(content(&message.text)?)
            .html(content(&message.html)?)
            .build();
        let ses_message = SesMessage::builder()
            .subject(content(&message.subject)?)
            .body(body)
            .build();
        self.client
            .send_email()
            .source(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(message.to.as_str())
                    .build(),
            )
            .message(ses_message)
            .send()
            .await
            .map(|_| ())
            .map_err(|err| match &err {
                SdkError::ServiceError(service) => {
                    let e = service.err();
                    let code = e.code().unwrap_or("Unknown");
                    let text = format!("{code}: {}", e.message().unwrap_or_default());
                    if e.is_message_rejected()
                        || e.is_mail_from_domain_not_verified_exception()
                        || code == "InvalidParameterValue"
                    {
                        MailError::Rejected(text)
                    } else {
                        MailError::Unavailable(text)
                    }
                }
                other => MailError::Unavailable(other.to_string()),
            })
    }
}

/// How a send retries: throttling, 5xx and connection failures are tried twice in all, after a
/// random wait of up to 200 ms (the SDK's standard mode: exponential backoff, full jitter). Fewer
/// and shorter than the table's: a send that still fails leaves its mail queued in the outbox,
/// where the retry sweep delivers it later, so the request that queued it need not wait.
pub fn retry_policy() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(std::time::Duration::from_millis(200))
}
