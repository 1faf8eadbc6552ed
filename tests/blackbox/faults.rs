//! Faults at the AWS boundary: the real DynamoDB and SES adapters, with the retry policy they
//! ship with, talking to moto through a proxy that throttles, fails with 5xx, answers SES
//! unavailable or drops connections (`roster_tests::fault_proxy`).

use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use roster_api::{App, Claims};
use roster_domain::entities::User;
use roster_domain::reconcile::{ApplyOptions, Change, DesiredRoster};
use roster_domain::usecases::{Roster, Settings};
use roster_domain::values::UserId;
use roster_dynamo::DynamoTable;
use roster_ses::SesMailer;
use roster_tests::fault_proxy::{Attempt, Fault, FaultProxy};
use roster_tests::{SES_SENDER, TestStore, moto, moto_endpoint};
use serde_json::{Value, json};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../accounts.example.yaml");

/// A table on moto, and the use cases over it with DynamoDB behind one proxy and SES behind
/// another, so each service can fail alone.
struct Faulty {
    store: TestStore,
    dynamodb: FaultProxy,
    ses: FaultProxy,
    roster: Roster,
}

impl Faulty {
    async fn new() -> Self {
        let store = TestStore::dynamodb().await;
        let dynamodb = FaultProxy::start(&moto_endpoint()).await;
        let ses = FaultProxy::start(&moto_endpoint()).await;
        moto::verify_sender(SES_SENDER).await;
        let config = |url: String| async move {
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .endpoint_url(url)
                .load()
                .await
        };
        let table = DynamoTable::from_config(
            &config(dynamodb.url().to_owned()).await,
            store.dynamodb_table(),
        );
        let mailer = SesMailer::from_config(&config(ses.url().to_owned()).await, SES_SENDER);
        let roster = Roster::production(
            Arc::new(table),
            Arc::new(mailer),
            Settings {
                app_url: "https://app.test".into(),
            },
        );
        Self {
            store,
            dynamodb,
            ses,
            roster,
        }
    }

    async fn call(&self, method: Method, path: &str, owner: &UserId, body: Option<Value>) -> Reply {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .extension(Claims {
                sub: owner.to_string(),
                account_id: "acme".into(),
            })
            .body(body.map(|b| Bytes::from(b.to_string())).unwrap_or_default())
            .unwrap();
        let response = App::new(self.roster.clone()).handle(request).await;
        Reply {
            status: response.status().as_u16(),
            retry_after: response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned()),
            json: serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        }
    }
}

impl Faulty {
    /// Account `acme` with Ana Silva as its Owner, made on moto directly (no faults).
    async fn owner(&self) -> User {
        self.store
            .account_with_owner("acme", "Acme", "ana@acme.example")
            .await
    }

    /// `GET /users/{id}` of `user` by themself: the caller's read, then the profile's.
    async fn read_self(&self, user: &User) -> Reply {
        let path = format!("/users/{}", user.id);
        self.call(Method::GET, &path, &user.id, None).await
    }
}

struct Reply {
    status: u16,
    retry_after: Option<String>,
    json: Value,
}

fn statuses(attempts: &[Attempt], operation: &str) -> Vec<Option<u16>> {
    attempts
        .iter()
        .filter(|a| a.operation == operation)
        .map(|a| a.status)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried_until_the_request_succeeds() {
    let f = Faulty::new().await;
    let owner = f.owner().await;
    f.dynamodb.inject([Fault::Throttle, Fault::ServerError]);
    let got = f.read_self(&owner).await;
    assert_eq!(got.status, 200, "{}", got.json);
    assert_eq!(got.json["email"], json!("ana@acme.example"));
    let attempts = f.dynamodb.take_attempts();
    // The caller's read: throttled, then a 500, then answered; the rest of the request as usual.
    assert_eq!(
        statuses(&attempts, "GetItem")[..3],
        [Some(400), Some(500), Some(200)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_that_does_not_stop_is_a_503_after_three_attempts() {
    let f = Faulty::new().await;
    let owner = f.owner().await;
    f.dynamodb.fail_all(Fault::Throttle);
    let got = f.read_self(&owner).await;
    assert_eq!(got.status, 503, "{}", got.json);
    assert_eq!(got.retry_after.as_deref(), Some("1"));
    let detail = got.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("ThrottlingException"),
        "the problem says why: {detail}"
    );
    assert_eq!(
        f.dynamodb.take_attempts(),
        vec![
            Attempt {
                operation: "GetItem".into(),
                status: Some(400)
            };
            3
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_goes_away_mid_apply_leaves_nothing_half_written_and_a_rerun_converges() {
    let f = Faulty::new().await;
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    let desired: DesiredRoster = roster_config::load("accounts.example.yaml", &text).unwrap();
    let plan = f.roster.plan(&desired).await.unwrap();
    // Some writes land, then every connection drops, as if moto were stopped.
    f.dynamodb.fail_after(12, Fault::Drop);
    let applied = f
        .roster
        .apply(&desired, &plan, &ApplyOptions::default())
        .await;
    match &applied {
        Ok(report) => assert!(report.failures() > 0, "the outage failed some steps"),
        Err(e) => assert!(e.to_string().contains("unavailable"), "a clear error: {e}"),
    }
    assert!(
        f.dynamodb
            .take_attempts()
            .iter()
            .any(|a| a.status.is_none()),
        "connections were dropped"
    );

    f.dynamodb.heal();
    let halfway = f.roster.plan(&desired).await.unwrap();
    assert!(halfway.has_drift(), "the first run did not finish");
    // Users and accounts are written whole or not at all: what is left is to create them and
    // to fill the groups, never to mend a half-made user.
    for account in &halfway.accounts {
        for change in &account.changes {
            assert!(
                matches!(
                    change,
                    Change::CreateAccount { .. }
                        | Change::CreateGroup { .. }
                        | Change::CreateUser { .. }
                        | Change::AddMember { .. }
                ),
                "half-written: {change:?}"
            );
        }
    }
    let report = f
        .roster
        .apply(&desired, &halfway, &ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!(report.failures(), 0);
    let plan = f.roster.plan(&desired).await.unwrap();
    assert!(!plan.has_drift(), "a second run converges: {plan:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ses_down_users_are_created_and_each_is_mailed_exactly_once_later() {
    let f = Faulty::new().await;
    let owner = f.owner().await;
    let tag = ulid::Ulid::generate().to_string().to_lowercase();
    let emails: Vec<String> = (0..3)
        .map(|i| format!("down{i}.{tag}@acme.example"))
        .collect();
    f.ses.fail_all(Fault::SesUnavailable);
    for email in &emails {
        let body = json!({"email": email, "first_name": "Out", "last_name": "Age"});
        let created = f.call(Method::POST, "/users", &owner.id, Some(body)).await;
        assert_eq!(created.status, 201, "{}", created.json);
    }
    let attempts = f.ses.take_attempts();
    // Two attempts a send (the mailer's policy), all refused; nothing reached moto.
    assert_eq!(statuses(&attempts, "SendEmail"), vec![Some(503); 6]);
    for email in &emails {
        assert!(moto::ses_messages_to(email).await.is_empty());
    }

    f.ses.heal();
    let first = f.roster.retry_pending_mail().await.unwrap();
    assert_eq!(first.sent, 3, "{first:?}");
    let again = f.roster.retry_pending_mail().await.unwrap();
    assert_eq!(again.sent, 0, "{again:?}");
    for email in &emails {
        assert_eq!(moto::ses_messages_to(email).await.len(), 1, "{email}");
    }
}
