//! Signing in (SPEC.md §3, docs/sign-in.md), black-box on both stores: passwords open sessions
//! by email or username; every refusal is the same `401`; failures are throttled per login and
//! per address; "Forgot password?" and changing a password; users an identity provider signs
//! in; used and superseded links; and the session token as an independent JWT library sees it.

use std::sync::Arc;
use std::time::Instant;

use http::Method;
use jiff::SignedDuration;
use roster_domain::DomainError;
use roster_domain::entities::ManagedBy;
use roster_domain::ports::clock::FixedClock;
use roster_domain::usecases::{
    FAILURES_ALLOWED, NewUserInput, PasswordResetInput, Roster, SignInInput,
};
use roster_domain::values::AccountId;
use roster_tests::checker::run_python;
use roster_tests::{TestStore, for_each_store, reset_token_in, token_for};
use serde_json::{Value, json};

use crate::world::{Person, World, assert_problem};

for_each_store!(
    a_password_signs_in_by_email_or_username_and_the_token_opens_the_api,
    every_refused_sign_in_is_the_same_401_after_the_same_work,
    failures_are_throttled_per_login_and_per_address_and_a_success_forgets_the_logins,
    the_server_answers_a_run_of_failures_with_429_and_retry_after,
    forgot_password_mails_only_password_users_once_in_five_minutes,
    a_reset_link_works_once_and_a_newer_one_voids_it,
    a_password_is_changed_only_by_its_user_with_the_current_one,
    users_provisioned_over_scim_are_refused_password_requests,
    tokens_of_another_key_of_alg_none_or_expired_are_refused,
    sign_ins_and_failures_are_audited_without_the_password,
    single_sign_on_trades_the_providers_token_for_a_roster_session,
    a_user_asking_for_links_all_day_keeps_one_in_the_outbox,
    racing_failures_all_count,
    of_two_racing_password_changes_exactly_one_wins,
);

const PASSWORD: &str = "tangerine-orbit-canvas-42";

/// A user of acme with a password, made through the use cases.
async fn with_password(w: &World, name: &str) -> Person {
    let person = w.new_target(name).await;
    w.set_password(&w.email(name), PASSWORD).await;
    person
}

async fn sign_in(w: &World, login: &str, password: &str) -> roster_tests::Reply {
    let body = json!({"login": login, "password": password});
    w.server
        .http
        .call(Method::POST, "/sessions", None, Some(body))
        .await
}

async fn a_password_signs_in_by_email_or_username_and_the_token_opens_the_api(store: &TestStore) {
    let w = World::new(store).await;
    let acme = roster_domain::access::Actor::Operator(AccountId::parse("acme").unwrap());
    let username = format!("Lima-{}", w.tag);
    let input = NewUserInput {
        email: Some(w.email("lima")),
        username: Some(username.clone()),
        first_name: Some("Ana".into()),
        last_name: Some("Lima".into()),
        ..Default::default()
    };
    let (ana, _) = w
        .roster
        .create_user(&acme, &input, ManagedBy::Api)
        .await
        .unwrap();
    w.set_password(&w.email("lima"), PASSWORD).await;

    for login in [
        w.email("lima"),
        w.email("lima").to_uppercase(),
        username.to_lowercase(),
    ] {
        let reply = sign_in(&w, &login, PASSWORD).await;
        assert_eq!(reply.status, 201, "{login}: {}", reply.text);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let token = reply.json["token"].as_str().unwrap();
        let expires: jiff::Timestamp = reply.json["expires_at"].as_str().unwrap().parse().unwrap();
        let hours = expires.duration_since(jiff::Timestamp::now()).as_hours();
        assert!((7..=8).contains(&hours), "a working day: {hours} h");
        let me = w
            .server
            .http
            .call(
                Method::GET,
                &format!("/users/{}", ana.id),
                Some(token),
                None,
            )
            .await;
        assert_eq!(me.status, 200, "{}", me.text);
        assert_eq!(me.json["email"], w.email("lima"));
    }

    // PyJWT, with the keys the server publishes, agrees on who the token is for.
    let reply = sign_in(&w, &w.email("lima"), PASSWORD).await;
    let token = reply.json["token"].as_str().unwrap().to_owned();
    let run = run_python(
        "browser",
        "tests/contract/jwks_check.py",
        vec![w.server.http.base().to_owned(), token],
        vec![],
    )
    .await;
    assert!(run.succeeded(), "{}\n{}", run.stdout(), run.stderr());
    let claims = &run.summary()["claims"];
    assert_eq!(claims["sub"], ana.id.as_str());
    assert_eq!(claims["account_id"], "acme");
    assert_eq!(claims["aud"], "roster");
}

async fn every_refused_sign_in_is_the_same_401_after_the_same_work(store: &TestStore) {
    let w = World::new(store).await;
    let known = with_password(&w, "known").await;
    let invited = w.new_target("invited").await;
    let away = with_password(&w, "away").await;
    let off = w
        .call(
            Method::PATCH,
            &format!("/users/{}", away.id),
            &w.admin,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let _ = (known, invited);

    // Five refusals, one per reason: the most one address may have before it waits.
    let started = Instant::now();
    let wrong = sign_in(&w, &w.email("known"), "not-the-password-at-all").await;
    let wrong_took = started.elapsed();
    let started = Instant::now();
    let unknown = sign_in(&w, &w.email("nobody"), PASSWORD).await;
    let unknown_took = started.elapsed();
    let refusals = [
        wrong,
        unknown,
        sign_in(&w, &w.email("invited"), PASSWORD).await,
        // The right password, but the user is deactivated.
        sign_in(&w, &w.email("away"), PASSWORD).await,
        sign_in(&w, "not an email or a username anyone has", PASSWORD).await,
    ];
    for reply in &refusals {
        assert_problem(reply, 401);
        assert_eq!(
            reply.json, refusals[0].json,
            "the same body for every reason"
        );
    }
    assert_eq!(
        refusals[0].json["detail"],
        roster_domain::usecases::SIGN_IN_REFUSED
    );
    // An unknown login pays for a password check too (against a hash of nothing): without it,
    // it would answer in a fraction of the time a wrong password takes.
    assert!(
        unknown_took * 4 >= wrong_took,
        "unknown login {unknown_took:?} vs wrong password {wrong_took:?}"
    );
}

/// The use cases at a clock the test moves, signing with the test key.
fn roster_at(store: &TestStore, clock: &Arc<FixedClock>) -> Roster {
    let key = roster_local::KeyFile::from_pem(roster_tests::TEST_SIGNING_KEY).unwrap();
    store
        .roster_at(Arc::clone(clock) as _)
        .with_signer(Arc::new(key))
}

async fn attempt(
    roster: &Roster,
    login: &str,
    password: &str,
    source: &str,
) -> Result<(), DomainError> {
    let input = SignInInput {
        login: Some(login.into()),
        password: Some(password.into()),
    };
    roster.sign_in(&input, Some(source)).await.map(|_| ())
}

fn waits(result: Result<(), DomainError>) -> u64 {
    match result {
        Err(DomainError::TooManyAttempts {
            retry_after_seconds,
        }) => retry_after_seconds,
        other => panic!("expected 429, got {other:?}"),
    }
}

fn refused(result: Result<(), DomainError>) -> bool {
    matches!(result, Err(DomainError::Unauthenticated(_)))
}

async fn failures_are_throttled_per_login_and_per_address_and_a_success_forgets_the_logins(
    store: &TestStore,
) {
    let owner = store
        .account_with_owner("throttled", "Throttled", "ana@throttled.example")
        .await;
    let token = reset_token_in(&store.mail.sent_to("ana@throttled.example")[0].text).unwrap();
    store
        .roster()
        .reset_password(&PasswordResetInput {
            token: Some(token),
            password: Some(PASSWORD.into()),
        })
        .await
        .unwrap();
    let _ = owner;
    let clock = Arc::new(FixedClock::new(jiff::Timestamp::now()));
    let roster = roster_at(store, &clock);
    let ana = "ana@throttled.example";

    // Four failures from four addresses, a success: the login's count is forgotten, so four
    // more failures are still refusals, not waits.
    for n in 0..4 {
        assert!(refused(
            attempt(&roster, ana, "wrong", &format!("198.51.100.{n}")).await
        ));
    }
    attempt(&roster, ana, PASSWORD, "198.51.100.9")
        .await
        .unwrap();
    for n in 10..14 {
        assert!(refused(
            attempt(&roster, ana, "wrong", &format!("198.51.100.{n}")).await
        ));
    }
    // The fifth failure in a row for the login blocks it for a minute, from any address, even
    // with the right password.
    assert!(refused(
        attempt(&roster, ana, "wrong", "198.51.100.20").await
    ));
    assert_eq!(
        waits(attempt(&roster, ana, PASSWORD, "198.51.100.21").await),
        60
    );
    clock.advance(SignedDuration::from_secs(30));
    assert_eq!(
        waits(attempt(&roster, ana, PASSWORD, "198.51.100.22").await),
        30
    );
    // Then each further failure doubles the wait.
    clock.advance(SignedDuration::from_secs(30));
    assert!(refused(
        attempt(&roster, ana, "wrong", "198.51.100.23").await
    ));
    assert_eq!(
        waits(attempt(&roster, ana, PASSWORD, "198.51.100.24").await),
        120
    );
    // Never for good: the wait runs out, and the right password works.
    clock.advance(SignedDuration::from_secs(120));
    attempt(&roster, ana, PASSWORD, "198.51.100.25")
        .await
        .unwrap();

    // One address failing for many logins waits too, whoever it names next.
    for n in 0..FAILURES_ALLOWED {
        assert!(refused(
            attempt(
                &roster,
                &format!("guess{n}@throttled.example"),
                "x",
                "203.0.113.7"
            )
            .await
        ));
    }
    assert_eq!(
        waits(attempt(&roster, ana, PASSWORD, "203.0.113.7").await),
        60
    );
    attempt(&roster, ana, PASSWORD, "203.0.113.8")
        .await
        .unwrap();
    // Its count goes on past the wait (the next failure waits two minutes)...
    clock.advance(SignedDuration::from_secs(61));
    assert!(refused(
        attempt(&roster, "guess@throttled.example", "x", "203.0.113.7").await
    ));
    assert_eq!(
        waits(attempt(&roster, ana, PASSWORD, "203.0.113.7").await),
        120
    );
    // ...until a quiet quarter of an hour forgets it: one failure then is the first again.
    clock.advance(SignedDuration::from_mins(16));
    assert!(refused(
        attempt(&roster, "guess@throttled.example", "x", "203.0.113.7").await
    ));
    attempt(&roster, ana, PASSWORD, "203.0.113.7")
        .await
        .unwrap();
}

async fn the_server_answers_a_run_of_failures_with_429_and_retry_after(store: &TestStore) {
    let w = World::new(store).await;
    with_password(&w, "target").await;
    for _ in 0..FAILURES_ALLOWED {
        assert_problem(&sign_in(&w, &w.email("target"), "wrong guess").await, 401);
    }
    let blocked = sign_in(&w, &w.email("target"), PASSWORD).await;
    assert_problem(&blocked, 429);
    assert_eq!(blocked.json["type"], "/problems/too-many-attempts");
    let wait: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

async fn forgot_password_mails_only_password_users_once_in_five_minutes(store: &TestStore) {
    let w = World::new(store).await;
    let target = with_password(&w, "forgetful").await;
    let scim = scim_user(&w, "provisioned").await;
    let _ = scim;
    let ask = |email: String| {
        let http = &w.server.http;
        async move {
            http.call(
                Method::POST,
                "/password-resets/requests",
                None,
                Some(json!({ "email": email })),
            )
            .await
        }
    };
    for email in [
        w.email("forgetful"),
        w.email("forgetful").to_uppercase(),
        w.email("nobody"),
        w.email("provisioned"),
    ] {
        let reply = ask(email).await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        assert!(reply.text.is_empty());
    }
    let sent = w.server.emails_to(&w.email("forgetful")).await;
    assert_eq!(sent.len(), 1, "one link in five minutes: {sent:?}");
    assert!(
        sent[0].contains("https://app.test/console/reset-password#token="),
        "{}",
        sent[0]
    );
    assert!(w.server.emails_to(&w.email("nobody")).await.is_empty());
    assert!(w.server.emails_to(&w.email("provisioned")).await.is_empty());

    // The link sets a new password; the old one no longer signs in.
    let token = reset_token_in(&sent[0]).unwrap();
    let reset = w.reset(&token, "new-marmalade-harbor-77").await;
    assert_eq!(reset.status, 204, "{}", reset.text);
    assert_eq!(
        sign_in(&w, &w.email("forgetful"), "new-marmalade-harbor-77")
            .await
            .status,
        201
    );
    assert_problem(&sign_in(&w, &w.email("forgetful"), PASSWORD).await, 401);
    let _ = target;
}

async fn a_reset_link_works_once_and_a_newer_one_voids_it(store: &TestStore) {
    let w = World::new(store).await;
    w.new_target("newcomer").await;
    let invitation = reset_token_in(&w.mail.sent_to(&w.email("newcomer"))[0].text).unwrap();
    // "Forgot password?" before ever using the invitation: the invitation stops working.
    let asked = w
        .server
        .http
        .call(
            Method::POST,
            "/password-resets/requests",
            None,
            Some(json!({"email": w.email("newcomer")})),
        )
        .await;
    assert_eq!(asked.status, 202);
    let superseded = w.reset(&invitation, PASSWORD).await;
    assert_problem(&superseded, 422);
    assert_eq!(superseded.json["errors"][0]["field"], "token");
    let newer = reset_token_in(&w.server.emails_to(&w.email("newcomer")).await[0]).unwrap();
    // A weak password is refused with the reason, and the link still works after.
    let weak = w.reset(&newer, "password1234").await;
    assert_problem(&weak, 422);
    assert_eq!(weak.json["errors"][0]["field"], "password");
    let reason = weak.json["errors"][0]["message"].as_str().unwrap();
    assert!(reason.contains("too easy to guess"), "{reason}");
    assert_eq!(w.reset(&newer, PASSWORD).await.status, 204);
    let used = w.reset(&newer, "another-fine-passphrase-9").await;
    assert_problem(&used, 422);
    assert_eq!(used.json["errors"][0]["field"], "token");
    assert_eq!(
        sign_in(&w, &w.email("newcomer"), PASSWORD).await.status,
        201
    );
}

async fn a_password_is_changed_only_by_its_user_with_the_current_one(store: &TestStore) {
    let w = World::new(store).await;
    let target = with_password(&w, "changer").await;
    let path = format!("/users/{}/password", target.id);
    let change = async |who: &Person, current: &str, new: &str| {
        let body = json!({"current": current, "new": new});
        w.call(Method::POST, &path, who, Some(body)).await
    };
    let wrong = change(&target, "not-my-password", "fresh-lantern-meadow-5").await;
    assert_problem(&wrong, 422);
    assert_eq!(wrong.json["errors"][0]["field"], "current");
    let weak = change(&target, PASSWORD, "changer").await;
    assert_problem(&weak, 422);
    assert_eq!(weak.json["errors"][0]["field"], "new");
    let by_admin = change(&w.admin, PASSWORD, "fresh-lantern-meadow-5").await;
    assert_problem(&by_admin, 403);
    let by_owner = change(&w.owner, PASSWORD, "fresh-lantern-meadow-5").await;
    assert_problem(&by_owner, 403);
    let changed = change(&target, PASSWORD, "fresh-lantern-meadow-5").await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    assert_eq!(
        sign_in(&w, &w.email("changer"), "fresh-lantern-meadow-5")
            .await
            .status,
        201
    );
    assert_problem(&sign_in(&w, &w.email("changer"), PASSWORD).await, 401);
    // Someone who never set a password has none to change.
    let invited = w.new_target("invited").await;
    let none = w
        .call(
            Method::POST,
            &format!("/users/{}/password", invited.id),
            &invited,
            Some(json!({"current": "anything-at-all", "new": "fresh-lantern-meadow-5"})),
        )
        .await;
    assert_problem(&none, 409);
}

/// A user an identity provider provisioned, with a session as SSO would give them.
async fn scim_user(w: &World, name: &str) -> Person {
    let acme = roster_domain::access::Actor::Operator(AccountId::parse("acme").unwrap());
    let input = NewUserInput {
        email: Some(w.email(name)),
        first_name: Some(name.into()),
        last_name: Some("Provisioned".into()),
        ..Default::default()
    };
    let (user, _) = w
        .roster
        .create_user(&acme, &input, ManagedBy::Scim)
        .await
        .unwrap();
    Person {
        id: user.id.to_string(),
        token: token_for("acme", user.id.as_str(), SignedDuration::from_hours(1)),
        account: "acme",
    }
}

async fn users_provisioned_over_scim_are_refused_password_requests(store: &TestStore) {
    let w = World::new(store).await;
    let sso = scim_user(&w, "sso").await;
    let change = w
        .call(
            Method::POST,
            &format!("/users/{}/password", sso.id),
            &sso,
            Some(json!({"current": "anything-at-all", "new": "fresh-lantern-meadow-5"})),
        )
        .await;
    assert_problem(&change, 409);
    let detail = change.json["detail"].as_str().unwrap();
    assert!(detail.contains("identity provider"), "{detail}");
    // Signing in with a password is refused as any other refusal is: nothing tells them apart.
    assert_problem(&sign_in(&w, &w.email("sso"), PASSWORD).await, 401);
}

async fn tokens_of_another_key_of_alg_none_or_expired_are_refused(store: &TestStore) {
    let w = World::new(store).await;
    let target = with_password(&w, "holder").await;
    let good = sign_in(&w, &w.email("holder"), PASSWORD).await.json["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |token: String| {
        let path = format!("/users/{}", target.id);
        let http = &w.server.http;
        async move { http.call(Method::GET, &path, Some(&token), None).await }
    };
    assert_eq!(get(good.clone()).await.status, 200);
    // The same claims, unsigned: `alg: none`.
    let parts: Vec<&str> = good.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let none_header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    // The claims changed, the signature kept: tampering.
    let mut claims: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["account_id"] = json!("globex");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    let other_key = roster_tests::token_signed_with(
        roster_tests::OTHER_SIGNING_KEY,
        "acme",
        &target.id,
        SignedDuration::from_hours(1),
    );
    let expired = token_for("acme", &target.id, SignedDuration::from_mins(-10));
    for (what, token) in [
        ("alg none", unsigned),
        ("tampered", tampered),
        ("another key", other_key),
        ("expired", expired),
    ] {
        let reply = get(token).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.text);
    }
}

async fn sign_ins_and_failures_are_audited_without_the_password(store: &TestStore) {
    let w = World::new(store).await;
    let target = with_password(&w, "audited").await;
    assert_eq!(sign_in(&w, &w.email("audited"), PASSWORD).await.status, 201);
    assert_problem(
        &sign_in(&w, &w.email("audited"), "secret-wrong-guess").await,
        401,
    );
    let changed = w
        .call(
            Method::POST,
            &format!("/users/{}/password", target.id),
            &target,
            Some(json!({"current": PASSWORD, "new": "fresh-lantern-meadow-5"})),
        )
        .await;
    assert_eq!(changed.status, 204);
    let audit = w.call(Method::GET, "/audit", &w.admin, None).await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    let actions: Vec<&str> = audit.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"]["id"] == target.id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "reset-password",
        "sign-in",
        "sign-in-failed",
        "change-password",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    for secret in [PASSWORD, "secret-wrong-guess", "fresh-lantern-meadow-5"] {
        assert!(
            !audit.text.contains(secret),
            "the audit never holds a password"
        );
        assert!(!w.server.logs().contains(secret), "nor the log");
    }
}

/// A stand-in OpenID Connect provider on a loopback port: its discovery document and its keys
/// (one P-256 key of its own, `idp-key-1`), as roster serve fetches them.
async fn identity_provider() -> String {
    use http_body_util::Full;
    use hyper::service::service_fn;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let mut jwk = roster_local::KeyFile::from_pem(roster_tests::OTHER_SIGNING_KEY)
        .unwrap()
        .public()
        .jwk();
    jwk["kid"] = json!("idp-key-1");
    let discovery = json!({"issuer": issuer, "jwks_uri": format!("{issuer}/jwks")}).to_string();
    let jwks = json!({ "keys": [jwk] }).to_string();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (discovery, jwks) = (discovery.clone(), jwks.clone());
            tokio::spawn(async move {
                let service = service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let body = match request.uri().path() {
                        "/.well-known/openid-configuration" => discovery.clone(),
                        "/jwks" => jwks.clone(),
                        _ => String::new(),
                    };
                    async move {
                        Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(
                            bytes::Bytes::from(body),
                        )))
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    issuer
}

/// A token as the provider would issue it, signed with `pem` under the provider's key id.
fn provider_token(pem: &str, claims: &Value) -> String {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("idp-key-1".into());
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_ec_der(&der),
    )
    .unwrap()
}

async fn single_sign_on_trades_the_providers_token_for_a_roster_session(store: &TestStore) {
    let issuer = identity_provider().await;
    let w = World::new(store).await;
    let server = roster_tests::TestServer::start_with_provider(
        crate::ROSTER,
        store,
        &issuer,
        "roster-console",
    )
    .await;
    let now = jiff::Timestamp::now().as_second();
    let claims = |sub: &str| {
        json!({"iss": issuer, "aud": "roster-console", "sub": sub, "account_id": "acme",
               "iat": now, "exp": now + 600})
    };
    let trade = async |token: String| {
        server
            .http
            .call(
                Method::POST,
                "/sessions/oidc",
                None,
                Some(json!({ "token": token })),
            )
            .await
    };
    let idp = roster_tests::OTHER_SIGNING_KEY;
    let traded = trade(provider_token(idp, &claims(&w.admin.id))).await;
    assert_eq!(traded.status, 201, "{}", traded.text);
    let session = traded.json["token"].as_str().unwrap().to_owned();
    let me = server
        .http
        .call(
            Method::GET,
            &format!("/users/{}", w.admin.id),
            Some(&session),
            None,
        )
        .await;
    assert_eq!(me.status, 200, "a Roster session: {}", me.text);
    let audit = w.call(Method::GET, "/audit", &w.owner, None).await;
    let signed_in = audit.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "sign-in" && e["target"]["id"] == w.admin.id.as_str())
        .unwrap_or_else(|| panic!("the sign-in is audited: {}", audit.text));
    assert_eq!(signed_in["after"]["via"], "single sign-on");
    // The provider's own token opens nothing: the API trusts one issuer, Roster.
    let provider_own = provider_token(idp, &claims(&w.admin.id));
    let refused = server
        .http
        .call(Method::GET, "/users", Some(&provider_own), None)
        .await;
    assert_problem(&refused, 401);

    let mut wrong_audience = claims(&w.admin.id);
    wrong_audience["aud"] = json!("another-client");
    let mut wrong_issuer = claims(&w.admin.id);
    wrong_issuer["iss"] = json!("https://idp.elsewhere.example");
    let mut expired = claims(&w.admin.id);
    expired["exp"] = json!(now - 3600);
    let away = w.new_target("away").await;
    let off = w
        .call(
            Method::PATCH,
            &format!("/users/{}", away.id),
            &w.admin,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status, 200);
    for (what, token) in [
        ("another audience", provider_token(idp, &wrong_audience)),
        ("another issuer", provider_token(idp, &wrong_issuer)),
        ("expired", provider_token(idp, &expired)),
        (
            "signed with another key",
            provider_token(roster_tests::TEST_SIGNING_KEY, &claims(&w.admin.id)),
        ),
        (
            "nobody",
            provider_token(idp, &claims("01J0000000000000000000000Z")),
        ),
        ("deactivated", provider_token(idp, &claims(&away.id))),
        ("not a token", "not-a-token".to_owned()),
    ] {
        let reply = trade(token).await;
        assert_problem(&reply, 401);
        assert!(reply.json["detail"].is_string(), "{what}");
    }
    // Without a provider set up, every token is refused, saying so.
    let reply = w
        .server
        .http
        .call(
            Method::POST,
            "/sessions/oidc",
            None,
            Some(json!({"token": provider_token(idp, &claims(&w.admin.id))})),
        )
        .await;
    assert_problem(&reply, 401);
    let detail = reply.json["detail"].as_str().unwrap();
    assert!(detail.contains("not set up"), "{detail}");
}

/// "Forgot password?" asked every five minutes for a day (someone else typing a victim's email,
/// say): each new link replaces the last, entry and token, so the user's outbox holds one link and
/// every transaction stays small; only the newest link works.
async fn a_user_asking_for_links_all_day_keeps_one_in_the_outbox(store: &TestStore) {
    store
        .account_with_owner("asked", "Asked", "ana@asked.example")
        .await;
    let clock = Arc::new(FixedClock::new(jiff::Timestamp::now()));
    let roster = roster_at(store, &clock);
    let ask = roster_domain::usecases::ResetRequestInput {
        email: Some("ana@asked.example".into()),
    };
    for _ in 0..288 {
        roster.request_password_reset(&ask).await.unwrap();
        clock.advance(SignedDuration::from_secs(5 * 60 + 1));
    }
    let sent = store.mail.sent_to("ana@asked.example");
    assert_eq!(
        sent.len(),
        1 + 288,
        "the invitation, then a link every five minutes"
    );
    let account = AccountId::parse("asked").unwrap();
    let owner = roster
        .user_id_by_email(
            &account,
            &roster_domain::values::Email::parse("ana@asked.example").unwrap(),
        )
        .await
        .unwrap();
    let entries = store
        .table
        .query(
            &roster_domain::ports::table::Query::partition(roster_domain::keys::outbox_pk(
                &account,
            ))
            .prefix(roster_domain::keys::invitation_prefix(&owner)),
        )
        .await
        .unwrap();
    assert_eq!(entries.items.len(), 1, "{:?}", entries.items);
    let reset = |token: String| PasswordResetInput {
        token: Some(token),
        password: Some(PASSWORD.into()),
    };
    let older = reset_token_in(&sent[sent.len() - 2].text).unwrap();
    assert!(roster.reset_password(&reset(older)).await.is_err());
    let newest = reset_token_in(&sent[sent.len() - 1].text).unwrap();
    roster.reset_password(&reset(newest)).await.unwrap();
}

/// Failed sign-ins counted at once for one login lose none: four racing failures and one more
/// make five, which blocks the login (a lost count would leave it open), in each of five rounds.
async fn racing_failures_all_count(store: &TestStore) {
    store
        .account_with_owner("racing", "Racing", "ana@racing.example")
        .await;
    let clock = Arc::new(FixedClock::new(jiff::Timestamp::now()));
    let roster = roster_at(store, &clock);
    for round in 0..5 {
        let login = format!("guess{round}@racing.example");
        let racing = (0..4).map(|n| {
            let (roster, login) = (&roster, &login);
            async move { attempt(roster, login, "x", &format!("198.51.{round}.{n}")).await }
        });
        for result in futures_util::future::join_all(racing).await {
            assert!(refused(result), "round {round}");
        }
        assert!(refused(
            attempt(&roster, &login, "x", &format!("198.51.{round}.9")).await
        ));
        let wait = waits(attempt(&roster, &login, "x", &format!("198.51.{round}.10")).await);
        assert_eq!(wait, 60, "round {round}: five failures counted");
    }
}

/// Two changes of one password at once, both with the right current one: exactly one is
/// applied, the other refused, and only the winner's new password signs in.
async fn of_two_racing_password_changes_exactly_one_wins(store: &TestStore) {
    let w = World::new(store).await;
    let target = with_password(&w, "racer").await;
    let path = format!("/users/{}/password", target.id);
    let change = |new: &'static str| {
        let (w, path, target) = (&w, &path, &target);
        async move {
            let body = json!({"current": PASSWORD, "new": new});
            (new, w.call(Method::POST, path, target, Some(body)).await)
        }
    };
    let (a, b) = tokio::join!(
        change("first-racer-lantern-31"),
        change("second-racer-meadow-47")
    );
    let statuses = [a.1.status, b.1.status];
    let winners: Vec<&str> = [&a, &b]
        .iter()
        .filter(|(_, reply)| reply.status == 204)
        .map(|(new, _)| *new)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one change applies: {statuses:?}");
    for (new, reply) in [&a, &b] {
        if reply.status != 204 {
            assert!([409, 422].contains(&reply.status), "{}", reply.text);
            assert_problem(&sign_in(&w, &w.email("racer"), new).await, 401);
        }
    }
    assert_eq!(sign_in(&w, &w.email("racer"), winners[0]).await.status, 201);
}
