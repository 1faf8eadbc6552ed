//! The Lambda path: the real function binaries under cargo-lambda's runtime emulator
//! (`cargo lambda watch`), invoked with API Gateway HTTP API v2 events carrying what the session
//! authorizer passes on, over DynamoDB, SES and KMS on moto. A user is created, reads back, gets
//! the invitation email, redeems its token through reset-password, is active, signs in through
//! sign-in (a token KMS signed), and that token passes the authorizer function.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Method;
use roster_domain::keys;
use roster_domain::ports::table::Query;
use roster_domain::values::UserId;
use roster_tests::{Http, SES_SENDER, TestStore, events, moto, moto_endpoint, reset_token_in};
use serde_json::{Value, json};

const FUNCTIONS: [&str; 8] = [
    "authorizer",
    "console",
    "create-user",
    "get-user",
    "reset-password",
    "reconcile",
    "notifier",
    "sign-in",
];

/// `cargo lambda watch` on a free port, killed (with the functions it started) on drop.
struct Emulator {
    http: Http,
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Emulator {
    async fn start(env: &[(&str, String)]) -> Self {
        let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        // Build the functions first, with the same feature set `cargo run --bin` will use, so
        // the invocations below do not wait on a compiler.
        let built = Command::new(env!("CARGO"))
            .current_dir(workspace)
            .arg("build")
            .args(FUNCTIONS.iter().flat_map(|f| ["-p", f]))
            .output()
            .expect("run cargo build for the functions");
        assert!(
            built.status.success(),
            "{}",
            String::from_utf8_lossy(&built.stderr)
        );

        let port = free_port();
        let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut command = Command::new(env!("CARGO"));
        command
            .current_dir(workspace)
            .args(["lambda", "watch", "--ignore-changes", "-A", "127.0.0.1"])
            .args(["-P", &port.to_string()])
            .args(vars.iter().flat_map(|v| ["--env-var", v.as_str()]))
            // The functions' trust store is what a test gives them, not what this machine's
            // environment happens to name (the functions inherit the emulator's environment).
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so dropping the emulator also stops the functions it runs.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!("cargo lambda is needed (./scripts/test installs it into .tools/): {e}")
        });
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let sink = Arc::clone(&output);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut out = sink.lock().unwrap();
                    out.push_str(&line);
                    out.push('\n');
                }
            });
        }
        let address = format!("127.0.0.1:{port}");
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return Self {
                    http: Http::new(format!("http://{address}")),
                    child,
                    output,
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "cargo lambda watch exited ({status}): {}",
                    output.lock().unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "cargo lambda watch did not listen: {}",
            output.lock().unwrap()
        );
    }

    /// Invokes `function` with an API Gateway HTTP API v2 event; returns (status, headers, body).
    async fn invoke(
        &self,
        function: &str,
        method: &str,
        path: &str,
        claims: Option<(&str, &str)>,
        body: Option<Value>,
    ) -> (u16, Value, Value) {
        let event = events::http_api(method, path, claims, body);
        let reply = self
            .http
            .raw(
                Method::POST,
                &format!("/2015-03-31/functions/{function}/invocations"),
                &[("content-type", "application/json")],
                event.to_string(),
            )
            .await;
        assert_eq!(
            reply.status, 200,
            "the emulator invoked {function}: {}",
            reply.text
        );
        let response = reply.json;
        let status = response["statusCode"].as_u64().expect("statusCode") as u16;
        let body = response["body"]
            .as_str()
            .map(|b| serde_json::from_str(b).unwrap_or(Value::Null))
            .unwrap_or(Value::Null);
        (status, response["headers"].clone(), body)
    }

    /// Invokes `function` with `event` as it is; the emulator's reply (the function's result,
    /// or its error).
    async fn invoke_raw(&self, function: &str, event: &Value) -> roster_tests::Reply {
        self.http
            .raw(
                Method::POST,
                &format!("/2015-03-31/functions/{function}/invocations"),
                &[("content-type", "application/json")],
                event.to_string(),
            )
            .await
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The output once it holds a line `wanted` accepts, or as it is after 5 s: the reader
    /// threads pass lines on after the invocation that wrote them may have answered.
    async fn output_when(&self, wanted: impl Fn(&str) -> bool) -> String {
        for _ in 0..50 {
            let output = self.output();
            if output.lines().any(&wanted) {
                return output;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.output()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_is_created_read_invited_and_activated_through_the_functions() {
    let store = TestStore::dynamodb().await;
    moto::verify_sender(SES_SENDER).await;
    let tag = ulid::Ulid::generate().to_string().to_lowercase()[18..].to_owned();
    let owner_email = format!("ana.{tag}@acme.example");
    let owner = store
        .account_with_owner("acme", "Acme Corp", &owner_email)
        .await;
    let table = store.dynamodb_table();
    let emulator = Emulator::start(&[
        ("ROSTER_TABLE", table),
        ("ROSTER_MAIL_FROM", SES_SENDER.to_owned()),
        ("ROSTER_APP_URL", "https://app.test".to_owned()),
        ("ROSTER_SIGNING_KEY_ID", moto::signing_key().await),
        ("AWS_ENDPOINT_URL", moto_endpoint()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
    ])
    .await;
    let owner_claims = Some((owner.id.as_str(), "acme"));

    let email = format!("zed.{tag}@acme.example");
    let new_user = json!({"email": email, "first_name": "Zed", "last_name": "Lambda"});
    let (status, headers, created) = emulator
        .invoke(
            "create-user",
            "POST",
            "/users",
            owner_claims,
            Some(new_user),
        )
        .await;
    assert_eq!(status, 201, "{created} {}", emulator.output());
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(headers["location"], json!(format!("/users/{id}")));

    let (status, _, got) = emulator
        .invoke(
            "get-user",
            "GET",
            &format!("/users/{id}"),
            owner_claims,
            None,
        )
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["status"], json!("invited"));

    // HTTP APIs hand a function its path percent-decoded, REST APIs and function URLs encoded:
    // a display name in the path works either way (SPEC.md §8).
    for path in [
        "/roles/Send Message/assignments",
        "/roles/Send%20Message/assignments",
    ] {
        let body = json!({"user_ids": [id]});
        let (status, _, assigned) = emulator
            .invoke("assign-role", "POST", path, owner_claims, Some(body))
            .await;
        assert_eq!(status, 200, "{path}: {assigned} {}", emulator.output());
        assert_eq!(
            assigned["results"][0]["roles"],
            json!(["basic", "send-message"]),
            "{path}"
        );
    }

    // A function serves only its own routes, and only for a verified caller.
    let (status, _, _) = emulator
        .invoke("get-user", "POST", "/users", owner_claims, Some(json!({})))
        .await;
    assert_eq!(status, 404);
    let (status, _, _) = emulator
        .invoke("get-user", "GET", &format!("/users/{id}"), None, None)
        .await;
    assert_eq!(status, 401);

    let mail = moto::ses_messages_to(&email).await;
    assert_eq!(mail.len(), 1, "one invitation through SES");
    // create-user recorded the send after its answer, before its next event: no entry is left
    // pending for a retry to send again.
    let pending = store
        .roster()
        .table()
        .query(&Query::index(keys::PENDING_MAIL))
        .await
        .unwrap();
    let invitation = keys::invitation_prefix(&UserId::parse(&id).unwrap());
    assert!(
        !pending
            .items
            .iter()
            .any(|i| i.key.sk.starts_with(&invitation)),
        "the invitation is still pending: {:?}",
        pending.items
    );
    let token = reset_token_in(&mail[0]).expect("a reset link");
    let password = "a long and secret passphrase";
    let reset = json!({"token": token, "password": password});
    let (status, _, body) = emulator
        .invoke(
            "reset-password",
            "POST",
            "/password-resets",
            None,
            Some(reset.clone()),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _, _) = emulator
        .invoke(
            "reset-password",
            "POST",
            "/password-resets",
            None,
            Some(reset),
        )
        .await;
    assert_eq!(status, 422, "a token works once");

    let (_, _, active) = emulator
        .invoke(
            "get-user",
            "GET",
            &format!("/users/{id}"),
            owner_claims,
            None,
        )
        .await;
    assert_eq!(active["status"], json!("active"));

    // Signing in: sign-in answers a session token KMS signed; the authorizer verifies it
    // against the key's public half and passes its claims on; get-user serves that caller.
    let (status, headers, session) = emulator
        .invoke(
            "sign-in",
            "POST",
            "/sessions",
            None,
            Some(json!({"login": email, "password": password})),
        )
        .await;
    assert_eq!(status, 201, "{session} {}", emulator.output());
    assert_eq!(headers["cache-control"], "no-store");
    let session_token = session["token"].as_str().unwrap().to_owned();
    let (status, _, jwks) = emulator
        .invoke("sign-in", "GET", "/.well-known/jwks.json", None, None)
        .await;
    assert_eq!(status, 200, "{jwks}");
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    let authorize = |authorization: Option<String>| {
        let event = events::authorizer_request(authorization.as_deref());
        let emulator = &emulator;
        async move { emulator.invoke_raw("authorizer", &event).await }
    };
    let allowed = authorize(Some(format!("Bearer {session_token}"))).await;
    assert_eq!(
        allowed.status,
        200,
        "{} {}",
        allowed.text,
        emulator.output()
    );
    assert_eq!(allowed.json["isAuthorized"], true, "{}", allowed.text);
    assert_eq!(allowed.json["context"]["sub"], id.as_str());
    assert_eq!(allowed.json["context"]["account_id"], "acme");
    let forged = roster_tests::token_for("acme", &id, jiff::SignedDuration::from_hours(1));
    for refused in [
        Some(format!("Bearer {forged}")),
        Some("Basic abc".into()),
        None,
    ] {
        let answer = authorize(refused.clone()).await;
        assert_eq!(
            answer.json["isAuthorized"], false,
            "{refused:?}: {}",
            answer.text
        );
    }
    let context = &allowed.json["context"];
    let caller = Some((
        context["sub"].as_str().unwrap(),
        context["account_id"].as_str().unwrap(),
    ));
    let (status, _, me) = emulator
        .invoke("get-user", "GET", &format!("/users/{id}"), caller, None)
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], json!(email));

    let logs = emulator.output();
    assert!(
        logs.contains("\"operation\":\"reset-password\""),
        "JSON request logs: {logs}"
    );
    assert!(
        !logs.contains(&session_token),
        "the session token leaked into the logs"
    );
    assert!(
        !logs.contains(&token),
        "the reset token leaked into the logs"
    );
    assert!(
        !logs.contains(password),
        "the password leaked into the logs"
    );
    assert!(
        !logs.contains("$argon2"),
        "a password hash leaked into the logs"
    );
}

/// The drift check: a scheduled event makes the reconcile function compare the roster file with
/// the live accounts, change nothing, and publish each account's drift as an EMF line; an
/// invalid roster file fails the invocation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_drift_check_publishes_each_accounts_drift() {
    use roster_domain::reconcile::ApplyOptions;
    use roster_domain::usecases::UserPatchInput;
    use roster_domain::values::{AccountId, Email};

    let store = TestStore::dynamodb().await;
    moto::verify_sender(SES_SENDER).await;
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../accounts.example.yaml"
    ))
    .unwrap();
    let desired = roster_config::load("accounts.example.yaml", &example).unwrap();
    let roster = store.roster();
    let plan = roster.plan(&desired).await.unwrap();
    roster
        .apply(&desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    // Two drifts in acme, none in globex.
    let acme = roster_domain::access::Actor::Operator(AccountId::parse("acme").unwrap());
    let id = |email: &str| {
        let (roster, acme) = (roster.clone(), acme.clone());
        let email = Email::parse(email).unwrap();
        async move {
            roster
                .user_id_by_email(acme.account(), &email)
                .await
                .unwrap()
        }
    };
    let rename = UserPatchInput {
        first_name: Some(Some("Bruninho".into())),
        ..Default::default()
    };
    roster
        .update_user(&acme, &id("bruno.costa@acme.example").await, &rename, None)
        .await
        .unwrap();
    roster
        .remove_role(
            &acme,
            &id("chidi.okafor@acme.example").await,
            "integrations-admin",
        )
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accounts.yaml");
    std::fs::write(&file, &example).unwrap();
    let table = store.dynamodb_table();
    let emulator = Emulator::start(&[
        ("ROSTER_TABLE", table),
        ("ROSTER_MAIL_FROM", SES_SENDER.to_owned()),
        ("ROSTER_APP_URL", "https://app.test".to_owned()),
        ("ROSTER_FILE", file.display().to_string()),
        ("AWS_ENDPOINT_URL", moto_endpoint()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
    ])
    .await;
    let scheduled = events::scheduled();
    let reply = emulator.invoke_raw("reconcile", &scheduled).await;
    assert_eq!(reply.status, 200, "{} {}", reply.text, emulator.output());
    assert_eq!(reply.json["mode"], json!("check"));
    assert_eq!(
        reply.json["accounts"],
        json!([{"account": "acme", "drift": 2}, {"account": "globex", "drift": 0}])
    );
    // The function's stdout reaches the test through the emulator's pipe and a reader thread,
    // which may lag behind the invocation's reply: wait for both records, briefly.
    let emf = || -> Vec<Value> {
        emulator
            .output()
            .lines()
            .filter_map(|line| line.find('{').map(|at| &line[at..]))
            .filter_map(|json| serde_json::from_str::<Value>(json).ok())
            .filter(|record| record.get("_aws").is_some())
            .collect()
    };
    let mut metrics = emf();
    for _ in 0..50 {
        if metrics.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        metrics = emf();
    }
    let drift = |account: &str| {
        metrics
            .iter()
            .find(|m| m["Account"] == json!(account))
            .unwrap_or_else(|| panic!("no EMF record for {account}: {metrics:?}"))["Drift"]
            .clone()
    };
    assert_eq!(drift("acme"), json!(2));
    assert_eq!(drift("globex"), json!(0));
    assert_eq!(
        metrics[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
        json!("Drift")
    );
    assert!(
        roster.plan(&desired).await.unwrap().has_drift(),
        "a check changes nothing"
    );

    // Asked to apply, it repairs.
    let reply = emulator
        .invoke_raw("reconcile", &json!({"mode": "apply"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(
        !roster.plan(&desired).await.unwrap().has_drift(),
        "apply repaired the drift"
    );

    // A file that drops most of acme's users trips the removal breaker, which only an apply
    // request that lifts it gets past.
    let mut pruned: serde_norway::Value = serde_norway::from_str(&example).unwrap();
    let acme_file = &mut pruned["accounts"][0];
    acme_file["prune"] = true.into();
    acme_file["groups"] = serde_norway::Value::Sequence(Vec::new());
    acme_file["users"].as_sequence_mut().unwrap().truncate(2); // the Owner and one more
    std::fs::write(&file, serde_norway::to_string(&pruned).unwrap()).unwrap();
    let acme_users = || async {
        let live = roster.live_account(acme.account()).await.unwrap();
        live.users.len()
    };
    let before = acme_users().await;
    let reply = emulator
        .invoke_raw("reconcile", &json!({"mode": "apply"}))
        .await;
    assert!(
        reply.json.get("errorMessage").is_some(),
        "the breaker must refuse: {}",
        reply.text
    );
    assert_eq!(
        acme_users().await,
        before,
        "a refused apply changes nothing"
    );
    let reply = emulator
        .invoke_raw(
            "reconcile",
            &json!({"mode": "apply", "allow_removals": true}),
        )
        .await;
    assert_eq!(reply.status, 200, "{} {}", reply.text, emulator.output());
    assert!(reply.json.get("errorMessage").is_none(), "{}", reply.text);
    assert_eq!(acme_users().await, 2, "the two users the file keeps");

    // A broken roster file fails loudly, never as "no drift".
    std::fs::write(&file, "accounts:\n  - id: acme\n    nonsense: [\n").unwrap();
    let reply = emulator.invoke_raw("reconcile", &scheduled).await;
    let failed = reply.status != 200
        || reply.json.get("errorMessage").is_some()
        || reply.json.get("errorType").is_some();
    assert!(
        failed,
        "an invalid roster file must fail the invocation: {} {}",
        reply.status, reply.text
    );
    assert!(reply.text.contains("problem"), "{}", reply.text);
}

/// The notifier on its schedule: a reminder due now goes out through SES once; the next run,
/// which sees it again, sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_notifier_run_mails_a_due_reminder_once() {
    use roster_domain::access::Actor;
    use roster_domain::entities::ManagedBy;
    use roster_domain::usecases::{NewAccountInput, NewUserInput};

    let store = TestStore::dynamodb().await;
    moto::verify_sender(SES_SENDER).await;
    let roster = store.roster();
    let tag = ulid::Ulid::generate().to_string().to_lowercase();
    let email = format!("rita.{tag}@acme.example");
    let account = NewAccountInput {
        id: Some("acme".into()),
        name: Some("Acme".into()),
        seats: None,
        owner: NewUserInput {
            email: Some(email.clone()),
            first_name: Some("Rita".into()),
            last_name: Some("Reyes".into()),
            ..Default::default()
        },
    };
    let (account, rita, _) = roster
        .create_account(&account, ManagedBy::Api)
        .await
        .unwrap();
    let acme = Actor::Operator(account.id.clone());
    // Starting in 59 minutes: the one-hour reminder fell due a minute ago.
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(59);
    crate::reminders::remind_through(&roster, &acme, &rita.id, &[(1, "hours")], "UTC", "en-US")
        .await;
    crate::reminders::daily_shift_through(
        &roster,
        &acme,
        "Payments",
        std::slice::from_ref(&rita.id),
        &start.to_string(),
        "UTC",
    )
    .await;

    let emulator = Emulator::start(&[
        ("ROSTER_TABLE", store.dynamodb_table()),
        ("ROSTER_MAIL_FROM", SES_SENDER.to_owned()),
        ("ROSTER_APP_URL", "https://app.test".to_owned()),
        ("AWS_ENDPOINT_URL", moto_endpoint()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
    ])
    .await;
    let scheduled = events::scheduled();
    let first = emulator.invoke_raw("notifier", &scheduled).await;
    assert_eq!(first.status, 200, "{} {}", first.text, emulator.output());
    assert_eq!(first.json["reminders"]["sent"], json!(1), "{}", first.text);
    let again = emulator.invoke_raw("notifier", &scheduled).await;
    assert_eq!(again.status, 200, "{} {}", again.text, emulator.output());
    assert_eq!(
        (
            again.json["reminders"]["sent"].clone(),
            again.json["reminders"]["already_sent"].clone()
        ),
        (json!(0), json!(1)),
        "{}",
        again.text
    );
    let reminders: Vec<String> = moto::ses_messages_to(&email)
        .await
        .into_iter()
        .filter(|body| body.contains("You are on call for Payments (Days)"))
        .collect();
    assert_eq!(reminders.len(), 1, "{reminders:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_function_serves_the_pages_and_signs_in_with_the_identity_provider() {
    let emulator = Emulator::start(&[
        (
            "ROSTER_OIDC_ISSUER",
            "https://idp.example/oauth2".to_owned(),
        ),
        ("ROSTER_OIDC_CLIENT_ID", "roster-console".to_owned()),
        (
            "ROSTER_OIDC_AUTHORIZATION_ENDPOINT",
            "https://idp.example/oauth2/authorize".to_owned(),
        ),
        (
            "ROSTER_OIDC_TOKEN_ENDPOINT",
            "https://idp.example/oauth2/token".to_owned(),
        ),
    ])
    .await;
    let page = |path: &str| events::http_api("GET", path, None, None);
    let index = emulator
        .invoke_raw(
            "console",
            &page("/console/users/edit/01J0000000000000000000000A"),
        )
        .await;
    assert_eq!(index.status, 200, "{} {}", index.text, emulator.output());
    assert_eq!(index.json["statusCode"], 200, "{}", index.text);
    assert!(
        index.json["body"]
            .as_str()
            .unwrap()
            .contains("src=\"/console/app.js\""),
        "{}",
        index.text
    );
    let policy = index.json["headers"]["content-security-policy"]
        .as_str()
        .unwrap();
    assert!(
        policy.contains("connect-src 'self' https://idp.example;"),
        "{policy}"
    );
    let config = emulator
        .invoke_raw("console", &page("/console/config.json"))
        .await;
    let config: Value = serde_json::from_str(config.json["body"].as_str().unwrap()).unwrap();
    assert_eq!(config["sign_in"]["links"], false);
    assert_eq!(config["sign_in"]["oidc"]["client_id"], "roster-console");
    let missing = emulator
        .invoke_raw("console", &page("/console/missing.js"))
        .await;
    assert_eq!(missing.json["statusCode"], 404, "{}", missing.text);
}

/// The functions' TLS trust: the Amazon Trust Services roots compiled in, and the roots
/// `SSL_CERT_FILE` adds, nothing else. Through a TLS terminator in front of moto whose
/// certificate a test CA signed (scripts/lib/tls_front.sh), get-user answers when
/// `SSL_CERT_FILE` names that CA, and cannot reach the table with the compiled-in roots alone.
/// And a service's own endpoint variable moves that service alone: with `AWS_ENDPOINT_URL_SES`
/// naming a port where nothing listens, create-user still stores the user and queues the
/// invitation it could not send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_reach_dynamodb_over_tls_trusting_only_their_roots_and_ssl_cert_file() {
    let endpoint = std::env::var("ROSTER_TLS_ENDPOINT")
        .expect("ROSTER_TLS_ENDPOINT: moto's TLS front (./scripts/test starts it)");
    let test_ca = std::env::var("ROSTER_TLS_TEST_CA")
        .expect("ROSTER_TLS_TEST_CA: the TLS front's test CA (./scripts/test makes it)");
    assert!(endpoint.starts_with("https://localhost:"), "{endpoint}");
    let store = TestStore::dynamodb().await;
    moto::verify_sender(SES_SENDER).await;
    let owner = store
        .account_with_owner("tls", "TLS Co", "owner@tls.example")
        .await;
    let path = format!("/users/{}", owner.id);
    let claims = Some((owner.id.as_str(), "tls"));
    let over_tls = |extra_roots: Option<&str>| {
        let mut env = vec![
            ("ROSTER_TABLE", store.dynamodb_table()),
            ("ROSTER_MAIL_FROM", SES_SENDER.to_owned()),
            ("ROSTER_APP_URL", "https://app.test".to_owned()),
            ("AWS_ENDPOINT_URL", endpoint.clone()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ];
        env.extend(extra_roots.map(|file| ("SSL_CERT_FILE", file.to_owned())));
        env
    };

    let mut env = over_tls(Some(&test_ca));
    env.push((
        "AWS_ENDPOINT_URL_SES",
        format!("https://127.0.0.1:{}", free_port()),
    ));
    let trusted = Emulator::start(&env).await;
    let (status, _, body) = trusted.invoke("get-user", "GET", &path, claims, None).await;
    assert_eq!(status, 200, "{body} {}", trusted.output());
    assert_eq!(body["email"], json!("owner@tls.example"));
    let new_user = json!({"email": "new@tls.example", "first_name": "New", "last_name": "User"});
    let (status, _, body) = trusted
        .invoke("create-user", "POST", "/users", claims, Some(new_user))
        .await;
    assert_eq!(status, 201, "{body} {}", trusted.output());
    assert_eq!(body["email"], json!("new@tls.example"));
    let queued = |line: &str| line.contains("invitation queued for retry");
    let logs = trusted.output_when(queued).await;
    assert!(
        logs.lines().any(queued),
        "SES was not at its own endpoint: {logs}"
    );
    // The sender is verified: what failed is reaching SES, not SES refusing the mail.
    assert!(logs.contains("dispatch failure"), "{logs}");
    drop(trusted);

    let untrusted = Emulator::start(&over_tls(None)).await;
    let (status, _, body) = untrusted
        .invoke("get-user", "GET", &path, claims, None)
        .await;
    assert_eq!(status, 503, "{body} {}", untrusted.output());
    assert_eq!(body["title"], json!("Service unavailable"));
    let refused =
        |line: &str| line.contains("UnknownIssuer") || line.contains("invalid peer certificate");
    let logs = untrusted.output_when(refused).await;
    assert!(
        logs.lines().any(refused),
        "the handshake is refused for the certificate's issuer: {logs}"
    );
}
