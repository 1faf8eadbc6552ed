//! Every operation run once, in-process, against a table and a mailer that note what they are
//! asked: the IAM policies of `infra` and the request budgets of `budgets` both read it.

use std::collections::BTreeSet;
use std::sync::Arc;

use bytes::Bytes;
use roster_api::{App, Auth, Claims, SourceAddress, routes};
use roster_domain::ports::clock::{SystemClock, UlidSource};
use roster_domain::ports::identity_provider::{IdentityProvider, ProvidedIdentity, ProviderError};
use roster_domain::reconcile::ApplyOptions;
use roster_domain::usecases::{Roster, Settings};
use roster_dynamo::iam::Access;
use roster_tests::observe::{
    ObservedMailer, ObservedPush, ObservedSigner, ObservedTable, Requests, Seen,
};
use roster_tests::{TestStore, reset_token_in};

use crate::access_matrix::{CALLERS, Caller, Row, matrix, prepare, variants};
use crate::world::World;

/// What one run of an operation touched.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// The operation id; `resend-invite` also runs as `resend-invite (first send failed)`.
    pub operation: String,
    /// The Lambda function that serves it.
    pub function: &'static str,
    pub accesses: BTreeSet<Access>,
    pub requests: Requests,
    /// The SNS actions it called.
    pub sns_actions: BTreeSet<&'static str>,
    /// The KMS actions its signer called.
    pub kms_actions: BTreeSet<&'static str>,
}

/// A token the in-process identity provider of [`observed_roster`] takes as naming `user` of
/// acme (single sign-on's exchange is run like every other route; the test servers have no
/// provider, and `sign_in.rs` trades a real provider's tokens).
pub(crate) fn provider_token(user: &str) -> String {
    format!("{PROVIDER_TOKEN}{user}")
}

const PROVIDER_TOKEN: &str = "observed-provider-token-for:";

struct ObservedProvider;

#[async_trait::async_trait]
impl IdentityProvider for ObservedProvider {
    async fn verify(&self, token: &str) -> Result<ProvidedIdentity, ProviderError> {
        match token.strip_prefix(PROVIDER_TOKEN) {
            Some(user) => Ok(ProvidedIdentity {
                sub: user.to_owned(),
                account_id: "acme".into(),
            }),
            None => Err(ProviderError::Refused("not the observed provider's".into())),
        }
    }
}

pub(crate) fn observed_roster(store: &TestStore, seen: &Seen) -> Roster {
    Roster::new(
        Arc::new(ObservedTable {
            inner: Arc::clone(&store.table),
            seen: seen.clone(),
        }),
        Arc::new(ObservedMailer {
            inner: Arc::new(store.mail.clone()),
            seen: seen.clone(),
        }),
        Arc::new(SystemClock),
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    )
    .with_push(Arc::new(ObservedPush {
        inner: Arc::new(store.push.clone()),
        seen: seen.clone(),
    }))
    .with_identity_provider(Arc::new(ObservedProvider))
    .with_signer(Arc::new(ObservedSigner {
        inner: Arc::new(
            roster_local::KeyFile::from_pem(roster_tests::TEST_SIGNING_KEY).expect("the test key"),
        ),
        seen: seen.clone(),
    }))
}

/// Runs every route once through its own function's handler, as a caller it succeeds for (and
/// a resend of an invitation whose first send failed), on a fresh SQLite store.
/// With `keyed`, every POST carries an `Idempotency-Key`, as a client that retries sends it.
pub(crate) async fn every_route(keyed: bool) -> Vec<Observation> {
    let store = TestStore::sqlite().await;
    let w = World::new(&store).await;
    let acme = roster_domain::access::Actor::Operator(
        roster_domain::values::AccountId::parse("acme").unwrap(),
    );
    let seen = Seen::default();
    let app = App::new(observed_roster(&store, &seen));
    let mut observations = Vec::new();
    // Every row once; a resend whose first send failed; and the variants of the matrix.
    let mut runs: Vec<(String, Row, bool)> = matrix()
        .into_iter()
        .map(|r| (r.operation.to_owned(), r, false))
        .collect();
    let resend = matrix()
        .into_iter()
        .find(|r| r.operation == "resend-invite")
        .unwrap();
    runs.push(("resend-invite (first send failed)".into(), resend, true));
    runs.extend(
        variants()
            .into_iter()
            .map(|(label, row)| (label.to_owned(), row, false)),
    );
    for (label, row, queued_first) in runs {
        let operation = row.operation;
        let route = routes().iter().find(|r| r.operation == operation).unwrap();
        let name = format!("observed-{}", label.replace([' ', '(', ')'], "-"));
        store.mail.fail(queued_first);
        let target = w.new_target(&name).await;
        store.mail.fail(false);
        let cell = prepare(&w, &acme, &row, &target, &name).await;
        let column = row.expect.iter().position(|s| (200..300).contains(s));
        let caller = column.map_or(Caller::Owner, |c| CALLERS[c]);
        let who = caller.who(&w, &target);
        let account = who.account;
        let body = if operation == "reset-password" {
            let token = reset_token_in(&store.mail.sent_to(&w.email(&name))[0].text).unwrap();
            Some(serde_json::json!({"token": token, "password": "a long enough password"}))
        } else {
            (row.body)(&cell)
        };
        // From an address, as API Gateway's sourceIp and `roster serve`'s peer give every request.
        let mut request = http::Request::builder()
            .method(row.method.clone())
            .uri(row.path(&cell))
            .header("host", "api.roster.test")
            .extension(SourceAddress([192, 0, 2, 1].into()));
        if keyed && row.method == http::Method::POST {
            request = request.header("idempotency-key", format!("observed-{name}"));
        }
        if route.auth == Auth::Jwt {
            request = request.extension(Claims {
                sub: who.id.clone(),
                account_id: account.into(),
            });
        }
        seen.take();
        seen.take_sns_actions();
        seen.take_kms_actions();
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let response = app
            .handle_function(route.function, request.body(body).unwrap())
            .await;
        assert!(
            response.status().is_success(),
            "{operation}: {:?}",
            response
        );
        let (accesses, requests) = seen.take();
        observations.push(Observation {
            operation: label,
            function: route.function,
            accesses,
            requests,
            sns_actions: seen.take_sns_actions(),
            kms_actions: seen.take_kms_actions(),
        });
    }
    observations
}

/// The reconcile function's work, all of it: apply the example roster, then prune a user with
/// mail failing, twice over.
pub(crate) async fn reconcile() -> Observation {
    let store = TestStore::sqlite().await;
    let seen = Seen::default();
    let roster = observed_roster(&store, &seen);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../accounts.example.yaml"
    ))
    .unwrap();
    let desired = roster_config::load("accounts.example.yaml", &text).unwrap();
    for _ in 0..2 {
        let plan = roster.plan(&desired).await.unwrap();
        roster
            .apply(&desired, &plan, &ApplyOptions::default())
            .await
            .unwrap();
        store.mail.fail(true);
        // Pruning a member of a group: the delete reads the user's groups (a BatchGetItem the
        // policy must allow) and leaves them.
        let mut pruned = desired.clone();
        pruned.accounts[0].prune = true;
        let leaving = "erin.lee@acme.example";
        pruned.accounts[0]
            .users
            .retain(|u| u.email.as_str() != leaving);
        for group in &mut pruned.accounts[0].groups {
            group.members.retain(|m| m.email.as_str() != leaving);
        }
        let plan = roster.plan(&pruned).await.unwrap();
        roster
            .apply(&pruned, &plan, &ApplyOptions::default())
            .await
            .unwrap();
        store.mail.fail(false);
    }
    let (accesses, requests) = seen.take();
    Observation {
        operation: "reconcile".into(),
        function: "reconcile",
        accesses,
        requests,
        sns_actions: seen.take_sns_actions(),
        kms_actions: seen.take_kms_actions(),
    }
}

/// The notifier function's invocations (the reminders due, then the mail retry), one of each
/// shape: nothing due, a reminder due, the same reminder seen again by the next run.
pub(crate) async fn notifier() -> Vec<Observation> {
    let store = TestStore::sqlite().await;
    let w = World::new(&store).await;
    let rita = w.new_target("rita").await;
    crate::reminders::remind(&w, &rita, &[(1, "hours")], "UTC", "en-US").await;
    crate::reminders::daily_shift(&w, "Payments", &[&rita], "2027-03-12T09:00", "UTC").await;
    let device = roster_domain::usecases::DeviceInput {
        device_token: Some("rita-phone".into()),
        platform: Some("ios".into()),
    };
    let rita_id = roster_domain::values::UserId::parse(&rita.id).unwrap();
    w.roster
        .register_device(&acme_operator(), &rita_id, &device)
        .await
        .unwrap();
    let seen = Seen::default();
    let roster = observed_roster(&store, &seen);
    let mut observations = Vec::new();
    for (operation, at) in [
        ("notifier (nothing due)", "2027-03-13T07:00:00Z"),
        ("notifier (a reminder due)", "2027-03-13T08:00:00Z"),
        ("notifier (the reminder seen again)", "2027-03-13T08:05:00Z"),
        (
            "notifier (an invitation to send again)",
            "2027-03-13T08:10:00Z",
        ),
        (
            "notifier (a reminder due, the device gone)",
            "2027-03-14T08:00:00Z",
        ),
    ] {
        if operation.contains("gone") {
            let endpoint = roster_domain::ports::push::Endpoint("test:ios:rita-phone".into());
            store.push.make_gone(&endpoint);
        }
        if operation.contains("invitation") {
            // A user created while SES was down: their invitation waits in the outbox.
            store.mail.fail(true);
            w.new_target("sam").await;
            store.mail.fail(false);
            seen.take();
            seen.take_sns_actions();
        }
        roster
            .send_due_reminders(Some(at.parse().unwrap()))
            .await
            .unwrap();
        roster.retry_pending_mail().await.unwrap();
        let (accesses, requests) = seen.take();
        observations.push(Observation {
            operation: operation.into(),
            function: "notifier",
            accesses,
            requests,
            sns_actions: seen.take_sns_actions(),
            kms_actions: seen.take_kms_actions(),
        });
    }
    observations
}

fn acme_operator() -> roster_domain::access::Actor {
    roster_domain::access::Actor::Operator(roster_domain::values::AccountId::parse("acme").unwrap())
}

/// Every SCIM route once, in the order an identity provider would call them, with an
/// account's SCIM token (the `Auth::Scim` routes are not in the matrix: no person calls them).
pub(crate) async fn scim() -> Vec<Observation> {
    use http::Method;
    use serde_json::json;
    let store = TestStore::sqlite().await;
    let w = World::new(&store).await;
    let acme = roster_domain::access::Actor::Operator(
        roster_domain::values::AccountId::parse("acme").unwrap(),
    );
    let name = roster_domain::values::TokenName::parse("okta").unwrap();
    let (_, secret) = w.roster.create_scim_token(&acme, name).await.unwrap();
    let bearer = format!("Bearer {}", secret.reveal());
    let seen = Seen::default();
    let app = App::new(observed_roster(&store, &seen));
    let user = |name: &str| {
        json!({"userName": w.email(name), "name": {"givenName": name, "familyName": "Scim"},
               "emails": [{"value": w.email(name), "primary": true}], "externalId": name})
    };
    let patch = |operations: serde_json::Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    // Someone on a shift now, whom deactivating leaves a hole to tell the admins about: the
    // function sends mail too.
    let on_shift = w.new_target("scim-on-shift").await;
    w.on_a_shift(&on_shift.id, "On call").await;
    let mut observations = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let steps: Vec<(&str, Method, String, Option<serde_json::Value>)> = vec![
        (
            "scim-service-provider-config",
            Method::GET,
            "/scim/v2/ServiceProviderConfig".into(),
            None,
        ),
        (
            "scim-resource-types",
            Method::GET,
            "/scim/v2/ResourceTypes".into(),
            None,
        ),
        (
            "scim-resource-type",
            Method::GET,
            "/scim/v2/ResourceTypes/User".into(),
            None,
        ),
        ("scim-schemas", Method::GET, "/scim/v2/Schemas".into(), None),
        (
            "scim-schema",
            Method::GET,
            "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User".into(),
            None,
        ),
        (
            "scim-create-user",
            Method::POST,
            "/scim/v2/Users".into(),
            Some(user("sara")),
        ),
        (
            "scim-create-user",
            Method::POST,
            "/scim/v2/Users".into(),
            Some(user("tom")),
        ),
        (
            "scim-list-users (userName eq)",
            Method::GET,
            format!(
                "/scim/v2/Users?filter=userName%20eq%20%22{}%22",
                w.email("sara")
            ),
            None,
        ),
        (
            "scim-list-users (externalId eq)",
            Method::GET,
            "/scim/v2/Users?filter=externalId%20eq%20%22sara%22".into(),
            None,
        ),
        (
            "scim-list-users (emails.value eq)",
            Method::GET,
            format!(
                "/scim/v2/Users?filter=emails.value%20eq%20%22{}%22",
                w.email("sara")
            ),
            None,
        ),
        (
            "scim-list-users",
            Method::GET,
            "/scim/v2/Users?startIndex=1&count=10".into(),
            None,
        ),
        (
            "scim-get-user",
            Method::GET,
            "/scim/v2/Users/{0}".into(),
            None,
        ),
        (
            "scim-replace-user",
            Method::PUT,
            "/scim/v2/Users/{0}".into(),
            Some(user("sara")),
        ),
        (
            "scim-create-group",
            Method::POST,
            "/scim/v2/Groups".into(),
            Some(json!({"displayName": "Pushed", "members": [{"value": "{0}"}]})),
        ),
        (
            "scim-list-groups",
            Method::GET,
            "/scim/v2/Groups?excludedAttributes=members".into(),
            None,
        ),
        (
            "scim-get-group",
            Method::GET,
            "/scim/v2/Groups/{2}".into(),
            None,
        ),
        (
            "scim-patch-group",
            Method::PATCH,
            "/scim/v2/Groups/{2}".into(),
            Some(patch(
                json!([{"op": "add", "path": "members", "value": [{"value": "{1}"}]}]),
            )),
        ),
        (
            "scim-replace-group",
            Method::PUT,
            "/scim/v2/Groups/{2}".into(),
            Some(json!({"displayName": "Pushed again", "members": [{"value": "{0}"}]})),
        ),
        (
            "scim-patch-user (deactivating a member)",
            Method::PATCH,
            "/scim/v2/Users/{0}".into(),
            Some(patch(
                json!([{"op": "replace", "value": {"active": false}}]),
            )),
        ),
        (
            "scim-patch-user (deactivating someone on a shift)",
            Method::PATCH,
            format!("/scim/v2/Users/{}", on_shift.id),
            Some(patch(
                json!([{"op": "Replace", "path": "active", "value": "False"}]),
            )),
        ),
        (
            "scim-delete-group",
            Method::DELETE,
            "/scim/v2/Groups/{2}".into(),
            None,
        ),
        (
            "scim-delete-user",
            Method::DELETE,
            "/scim/v2/Users/{1}".into(),
            None,
        ),
    ];
    let fill = |text: &str, ids: &[String]| {
        ids.iter().enumerate().fold(text.to_owned(), |t, (i, id)| {
            t.replace(&format!("{{{i}}}"), id)
        })
    };
    for (label, method, path, body) in steps {
        let route = routes()
            .iter()
            .find(|r| r.operation == label.split(" (").next().unwrap())
            .unwrap();
        let request = http::Request::builder()
            .method(method)
            .uri(fill(&path, &ids))
            .header("host", "api.roster.test")
            .header("authorization", &bearer)
            .body(Bytes::from(
                body.map(|b| fill(&b.to_string(), &ids)).unwrap_or_default(),
            ))
            .unwrap();
        seen.take();
        seen.take_sns_actions();
        seen.take_kms_actions();
        let response = app.handle_function(route.function, request).await;
        assert!(response.status().is_success(), "{label}: {response:?}");
        let (accesses, requests) = seen.take();
        if let Ok(created) = serde_json::from_slice::<serde_json::Value>(response.body()) {
            if label.starts_with("scim-create") {
                ids.push(created["id"].as_str().unwrap().to_owned());
            }
        }
        observations.push(Observation {
            operation: label.to_owned(),
            function: route.function,
            accesses,
            requests,
            sns_actions: seen.take_sns_actions(),
            kms_actions: seen.take_kms_actions(),
        });
    }
    observations
}
