//! moto's side doors: what SES "sent", verifying a sender, and a KMS signing key.

use serde_json::Value;

use crate::http::Http;
use crate::store::moto_endpoint;

pub async fn ses_client() -> aws_sdk_ses::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .load()
        .await;
    aws_sdk_ses::Client::new(&config)
}

/// An SNS client on moto.
pub async fn sns_client() -> aws_sdk_sns::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .load()
        .await;
    aws_sdk_sns::Client::new(&config)
}

/// A new P-256 signing key in moto's KMS, as the stack's `SigningKey` is; returns its id.
pub async fn signing_key() -> String {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .load()
        .await;
    aws_sdk_kms::Client::new(&config)
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .expect("create a signing key on moto")
        .key_metadata()
        .expect("the key's metadata")
        .key_id()
        .to_owned()
}

/// Makes an SNS platform application on moto (`platform`: `APNS`, `GCM`) and returns its ARN.
pub async fn platform_application(name: &str, platform: &str) -> String {
    sns_client()
        .await
        .create_platform_application()
        .name(name)
        .platform(platform)
        .attributes("PlatformCredential", "test-credential")
        .attributes("PlatformPrincipal", "test-principal")
        .send()
        .await
        .expect("create a platform application on moto")
        .platform_application_arn()
        .expect("an application ARN")
        .to_owned()
}

/// Makes `address` a verified SES sender (moto verifies at once).
pub async fn verify_sender(address: &str) {
    ses_client()
        .await
        .verify_email_identity()
        .email_address(address)
        .send()
        .await
        .expect("verify the sender on moto");
}

/// The bodies of every message moto's SES accepted for `recipient` (HTML when both were sent).
pub async fn ses_messages_to(recipient: &str) -> Vec<String> {
    let reply = Http::new(moto_endpoint())
        .raw(http::Method::GET, "/moto-api/data.json", &[], "")
        .await;
    let messages = reply.json["ses"]["Message"].clone();
    let mut bodies = Vec::new();
    // moto nests messages by account and region in some versions; walk whatever is there.
    collect_messages(&messages, recipient, &mut bodies);
    bodies
}

fn collect_messages(node: &Value, recipient: &str, out: &mut Vec<String>) {
    match node {
        Value::Array(list) => list
            .iter()
            .for_each(|n| collect_messages(n, recipient, out)),
        Value::Object(map) if map.contains_key("destinations") => {
            let to_recipient = map["destinations"]
                .to_string()
                .to_lowercase()
                .contains(&recipient.to_lowercase());
            if to_recipient {
                out.push(map["body"].as_str().unwrap_or_default().to_owned());
            }
        }
        Value::Object(map) => map
            .values()
            .for_each(|n| collect_messages(n, recipient, out)),
        _ => {}
    }
}
