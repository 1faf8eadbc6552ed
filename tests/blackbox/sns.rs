//! The SNS adapter of the push port against moto's SNS, through the real AWS SDK: a device's
//! endpoint is made once per token, pushed to, reported gone once disabled, and deleted.

use roster_domain::ports::push::{Push, PushError, PushMessage};
use roster_domain::values::Platform;
use roster_sns::{PlatformApplications, SnsPush};
use roster_tests::moto;

fn message() -> PushMessage {
    PushMessage {
        title: "On call in 1 hour".into(),
        body: "Payments (Days) from Mon 15 Mar 2027 09:00 UTC".into(),
    }
}

#[tokio::test]
async fn a_device_endpoint_is_made_once_pushed_to_reported_gone_and_deleted() {
    let tag = ulid::Ulid::generate().to_string().to_lowercase();
    let ios = moto::platform_application(&format!("roster-ios-{tag}"), "APNS").await;
    let push = SnsPush::new(
        moto::sns_client().await,
        PlatformApplications {
            ios: Some(ios.clone()),
            android: None,
        },
    );
    let token = format!("device-{tag}");
    let endpoint = push.endpoint(Platform::Ios, &token).await.unwrap();
    assert!(
        endpoint.as_str().contains(":endpoint/APNS/"),
        "{}",
        endpoint.as_str()
    );
    assert_eq!(
        push.endpoint(Platform::Ios, &token).await.unwrap(),
        endpoint,
        "the same token, the same endpoint"
    );
    assert_eq!(
        push.endpoint(Platform::Android, &token).await,
        Err(PushError::NotConfigured(Platform::Android))
    );
    push.send(&endpoint, &message()).await.unwrap();

    // The platform says the app is gone: SNS disables the endpoint.
    push.client()
        .set_endpoint_attributes()
        .endpoint_arn(endpoint.as_str())
        .attributes("Enabled", "false")
        .send()
        .await
        .unwrap();
    assert!(
        matches!(
            push.send(&endpoint, &message()).await,
            Err(PushError::Gone(_))
        ),
        "a disabled endpoint is gone"
    );
    push.forget(&endpoint).await.unwrap();
    let read = push
        .client()
        .get_endpoint_attributes()
        .endpoint_arn(endpoint.as_str())
        .send()
        .await;
    assert!(read.is_err(), "the endpoint was deleted: {read:?}");
}
