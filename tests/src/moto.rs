//! moto's side doors: what SES "sent", and verifying a sender.

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
