//! The HTTP contract (SPEC.md §2, §3, §5, §8) against `roster serve`, on both stores: SQLite with
//! the outbox folder, and DynamoDB with SES, both on moto.

use http::Method;
use roster_tests::{
    OTHER_SIGNING_KEY, TestServer, TestStore, for_each_store, moto, reset_token_in, token_for,
    token_signed_with,
};
use serde_json::json;

use crate::ROSTER;
use crate::world::{World, assert_problem};

for_each_store!(
    every_route_answers_its_success,
    malformed_and_oversized_bodies_are_400,
    missing_forged_expired_and_orphaned_tokens_are_401,
    refusals_are_403_and_name_the_missing_right,
    another_accounts_ids_are_404,
    a_taken_email_in_another_case_and_the_owner_are_409,
    a_stale_if_match_is_412,
    all_missing_fields_are_422_together,
    no_secret_appears_in_any_body_or_log_line,
    display_names_work_in_paths_percent_encoded,
);

/// Path parameters are percent-decoded (SPEC.md §8): a role and a contact method named by
/// their display names, spaces and all.
async fn display_names_work_in_paths_percent_encoded(store: &TestStore) {
    let w = World::new(store).await;
    let target = w.new_target("pat").await;
    let roles = format!("/users/{}/roles", target.id);
    let added = w
        .call(
            Method::POST,
            &roles,
            &w.admin,
            Some(json!({"role": "App Admin"})),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    let removed = w
        .call(
            Method::DELETE,
            &format!("{roles}/App%20Admin"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.json["roles"], json!(["basic", "send-message"]));
    let bulk = w
        .call(
            Method::POST,
            "/roles/Send%20Message/assignments",
            &w.admin,
            Some(json!({"user_ids": [w.viewer.id]})),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.text);
    let methods = format!("/users/{}/contact-methods", target.id);
    let body = json!({"method": "Email-Official-SMS Gateway", "value": "4045550101@sms.example"});
    let made = w.call(Method::POST, &methods, &w.admin, Some(body)).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let path = format!("{methods}/Email-Official-SMS%20Gateway");
    let changed = w
        .call(
            Method::PATCH,
            &path,
            &w.admin,
            Some(json!({"wait_minutes": 3})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json["method"], json!("email-official-sms-gateway"));
    assert_eq!(changed.json["wait_minutes"], json!(3));
    let gone = w.call(Method::DELETE, &path, &w.admin, None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
}

async fn every_route_answers_its_success(store: &TestStore) {
    let w = World::new(store).await;
    let created = w.create(&w.admin, "dora").await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created.header("location"),
        Some(format!("/users/{id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.json["roles"], json!(["basic"]));
    assert_eq!(created.json["status"], json!("invited"));
    assert_eq!(
        created.json["contact_methods"][0]["method"],
        json!("email-official")
    );

    let got = w
        .call(Method::GET, &format!("/users/{id}"), &w.viewer, None)
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.json["member_of"], json!([]));
    assert_eq!(got.json["is_owner"], json!(false));
    assert_eq!(got.header("etag"), Some("\"1\""));

    let listed = w.call(Method::GET, "/users?limit=2", &w.owner, None).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.json["users"].as_array().unwrap().len(), 2);
    let cursor = listed.json["next_cursor"]
        .as_str()
        .expect("more than one page");
    let next = w
        .call(
            Method::GET,
            &format!("/users?limit=2&cursor={cursor}"),
            &w.owner,
            None,
        )
        .await;
    assert_eq!(next.status, 200, "{}", next.text);
    let found = w.call(Method::GET, "/users?q=dora", &w.viewer, None).await;
    assert_eq!(found.json["users"][0]["id"], json!(id), "{}", found.text);

    let patched = w
        .server
        .http
        .call_with(
            Method::PATCH,
            &format!("/users/{id}"),
            Some(&w.admin.token),
            Some(json!({"first_name": "Dorothy", "preferences": {"time_zone": "Europe/Lisbon"}})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["first_name"], json!("Dorothy"));
    assert_eq!(
        patched.json["preferences"]["time_zone"],
        json!("Europe/Lisbon")
    );
    assert_eq!(patched.header("etag"), Some("\"2\""));

    let resent = w
        .call(
            Method::POST,
            &format!("/users/{id}/invitations"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(resent.status, 202, "{}", resent.text);
    assert_eq!(resent.json["invitation"], json!("sent"));
    let emails = w.server.emails_to(&w.email("dora")).await;
    assert_eq!(emails.len(), 2, "the invitation and its resend");
    let token = reset_token_in(emails.last().unwrap()).expect("token in the resent email");
    let reset = w.reset(&token, "correct horse battery staple").await;
    assert_eq!(reset.status, 204, "{}", reset.text);
    let active = w
        .call(Method::GET, &format!("/users/{id}"), &w.admin, None)
        .await;
    assert_eq!(active.json["status"], json!("active"));

    let deleted = w
        .call(Method::DELETE, &format!("/users/{id}"), &w.admin, None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert!(deleted.text.is_empty());
    let gone = w
        .call(Method::GET, &format!("/users/{id}"), &w.admin, None)
        .await;
    assert_problem(&gone, 404);
    // The email is free at once.
    assert_eq!(w.create(&w.admin, "dora").await.status, 201);
}

async fn malformed_and_oversized_bodies_are_400(store: &TestStore) {
    let w = World::new(store).await;
    let bearer = format!("Bearer {}", w.admin.token);
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let broken = w
        .server
        .http
        .raw(Method::POST, "/users", &headers, "{\"email\": ")
        .await;
    assert_problem(&broken, 400);
    let trailing = w
        .server
        .http
        .raw(Method::POST, "/users", &headers, "{} {}")
        .await;
    assert_problem(&trailing, 400);
    let huge = format!("{{\"email\": \"{}\"}}", "a".repeat(70 * 1024));
    let oversized = w
        .server
        .http
        .raw(Method::POST, "/users", &headers, huge)
        .await;
    assert_problem(&oversized, 400);
    assert!(
        oversized.json["detail"]
            .as_str()
            .unwrap()
            .contains("64 KiB")
    );
    let reset = w
        .server
        .http
        .raw(Method::POST, "/password-resets", &[], "not json")
        .await;
    assert_problem(&reset, 400);
}

async fn missing_forged_expired_and_orphaned_tokens_are_401(store: &TestStore) {
    let w = World::new(store).await;
    let none = w.server.http.call(Method::GET, "/users", None, None).await;
    assert_problem(&none, 401);
    assert_eq!(none.header("www-authenticate"), Some("Bearer"));

    let forged = token_signed_with(
        OTHER_SIGNING_KEY,
        "acme",
        &w.owner.id,
        jiff::SignedDuration::from_hours(1),
    );
    let reply = w
        .server
        .http
        .call(Method::GET, "/users", Some(&forged), None)
        .await;
    assert_problem(&reply, 401);
    assert!(reply.json["detail"].as_str().unwrap().contains("signature"));

    let expired = token_for("acme", &w.owner.id, jiff::SignedDuration::from_mins(-10));
    let reply = w
        .server
        .http
        .call(Method::GET, "/users", Some(&expired), None)
        .await;
    assert_problem(&reply, 401);
    assert!(reply.json["detail"].as_str().unwrap().contains("expired"));

    // A valid token whose user has since been deleted.
    let deleted = w
        .call(
            Method::DELETE,
            &format!("/users/{}", w.basic.id),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    let reply = w
        .call(
            Method::GET,
            &format!("/users/{}", w.basic.id),
            &w.basic,
            None,
        )
        .await;
    assert_problem(&reply, 401);
}

async fn refusals_are_403_and_name_the_missing_right(store: &TestStore) {
    let w = World::new(store).await;
    let reply = w.create(&w.basic, "eve").await;
    assert_problem(&reply, 403);
    assert_eq!(reply.json["missing_right"], json!("app-admin"));
    assert!(w.server.emails_to(&w.email("eve")).await.is_empty());

    let edit = json!({"first_name": "Hacked"});
    assert_problem(&w.patch_user(&w.admin, &w.basic, edit.clone()).await, 403);
    // A system viewer reads everyone but changes nothing of others.
    assert_eq!(w.get_user(&w.admin, &w.viewer).await.status, 200);
    assert_problem(&w.patch_user(&w.admin, &w.viewer, edit.clone()).await, 403);
    // A basic user reads only themself; an admin edits others but not the Owner.
    assert_problem(&w.get_user(&w.admin, &w.basic).await, 403);
    assert_problem(&w.patch_user(&w.owner, &w.admin, edit.clone()).await, 403);
    // One's own names are one's own; one's own email is an admin's business.
    let own = w
        .patch_user(&w.basic, &w.basic, json!({"last_name": "Own"}))
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    let email = json!({"email": w.email("carl-new")});
    assert_problem(&w.patch_user(&w.basic, &w.basic, email).await, 403);
    let admin = w.get_user(&w.admin, &w.owner).await;
    assert_eq!(
        admin.json["first_name"],
        json!("bob"),
        "nothing was changed by a refusal"
    );
}

async fn another_accounts_ids_are_404(store: &TestStore) {
    let w = World::new(store).await;
    let theirs = format!("/users/{}", w.other_account_user.id);
    assert_problem(&w.call(Method::GET, &theirs, &w.owner, None).await, 404);
    let patch = Some(json!({"first_name": "X"}));
    assert_problem(&w.call(Method::PATCH, &theirs, &w.owner, patch).await, 404);
    assert_problem(&w.call(Method::DELETE, &theirs, &w.owner, None).await, 404);
    assert_problem(
        &w.call(Method::GET, "/users/not-an-id", &w.owner, None)
            .await,
        404,
    );
    let still = w
        .call(Method::GET, &theirs, &w.other_account_user, None)
        .await;
    assert_eq!(still.status, 200, "untouched in its own account");
    assert_problem(&w.call(Method::GET, "/nowhere", &w.owner, None).await, 404);
    assert_problem(&w.call(Method::PUT, "/users", &w.owner, None).await, 405);
}

async fn a_taken_email_in_another_case_and_the_owner_are_409(store: &TestStore) {
    let w = World::new(store).await;
    let body = json!({"email": w.email("bob").to_uppercase(), "username": "someone", "first_name": "B", "last_name": "C"});
    let reply = w.call(Method::POST, "/users", &w.admin, Some(body)).await;
    assert_problem(&reply, 409);
    assert_eq!(reply.json["errors"][0]["field"], json!("email"));
    let reply = w
        .call(
            Method::DELETE,
            &format!("/users/{}", w.owner.id),
            &w.admin,
            None,
        )
        .await;
    assert_problem(&reply, 409);
    assert!(reply.json["detail"].as_str().unwrap().contains("Owner"));
}

async fn a_stale_if_match_is_412(store: &TestStore) {
    let w = World::new(store).await;
    let path = format!("/users/{}", w.basic.id);
    let first = w
        .server
        .http
        .call_with(
            Method::PATCH,
            &path,
            Some(&w.admin.token),
            Some(json!({"first_name": "One"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let stale = w
        .server
        .http
        .call_with(
            Method::PATCH,
            &path,
            Some(&w.admin.token),
            Some(json!({"first_name": "Two"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_problem(&stale, 412);
    let now = w.call(Method::GET, &path, &w.admin, None).await;
    assert_eq!(now.json["first_name"], json!("One"));
}

async fn all_missing_fields_are_422_together(store: &TestStore) {
    let w = World::new(store).await;
    let reply = w
        .call(Method::POST, "/users", &w.admin, Some(json!({})))
        .await;
    assert_problem(&reply, 422);
    let fields: Vec<&str> = reply.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "first_name", "last_name"]);
    assert_eq!(
        reply.json["errors"][0]["message"],
        json!("Email is required")
    );
    let unknown = w
        .call(
            Method::POST,
            "/users",
            &w.admin,
            Some(json!({"email": "x@acme.example", "password": "p"})),
        )
        .await;
    assert_problem(&unknown, 422);
    let patch = w
        .call(
            Method::PATCH,
            &format!("/users/{}", w.basic.id),
            &w.admin,
            Some(json!({"user_type": "stakeholder"})),
        )
        .await;
    assert_problem(&patch, 422);
    assert_eq!(patch.json["errors"][0]["field"], json!("user_type"));
}

async fn no_secret_appears_in_any_body_or_log_line(store: &TestStore) {
    let w = World::new(store).await;
    let password = "a long and secret passphrase";
    let created = w.create(&w.admin, "sam").await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let token = reset_token_in(&w.server.emails_to(&w.email("sam")).await[0]).unwrap();
    let replies = [
        created,
        w.reset(&token, "short").await,
        w.reset(&token, password).await,
        w.reset(&token, password).await,
        w.call(Method::GET, &format!("/users/{id}"), &w.admin, None)
            .await,
        w.call(Method::GET, "/users", &w.admin, None).await,
    ];
    assert_eq!(replies[2].status, 204, "{}", replies[2].text);
    assert_eq!(replies[3].status, 422, "a used token: {}", replies[3].text);
    let logs = w.server.logs();
    assert!(
        logs.contains("operation=\"reset-password\""),
        "requests are logged: {logs}"
    );
    for text in replies
        .iter()
        .map(|r| r.text.as_str())
        .chain([logs.as_str()])
    {
        assert!(!text.contains(&token), "a reset token leaked: {text}");
        assert!(!text.contains(password), "a password leaked: {text}");
        assert!(!text.contains("$argon2"), "a password hash leaked: {text}");
        assert!(
            !text.contains(&w.admin.token),
            "a bearer token leaked: {text}"
        );
    }
}

/// SES refuses the sender (unverified on moto): the user is still created, the invitation stays
/// queued, and once the sender is verified a resend delivers exactly one email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_failure_keeps_the_user_and_a_resend_delivers_exactly_one_email() {
    let store = TestStore::dynamodb().await;
    let w = World::new(&store).await;
    let sender = format!("unverified.{}@acme.example", w.tag);
    let server =
        TestServer::start_with(ROSTER, &store, &["--mail", "ses", "--mail-from", &sender]).await;
    let body = json!({"email": w.email("ivy"), "first_name": "Ivy", "last_name": "Queued"});
    let created = server
        .http
        .call(Method::POST, "/users", Some(&w.admin.token), Some(body))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert!(
        moto::ses_messages_to(&w.email("ivy")).await.is_empty(),
        "SES refused it"
    );
    assert!(
        server.logs().contains("invitation queued"),
        "{}",
        server.logs()
    );

    moto::verify_sender(&sender).await;
    let resent = server
        .http
        .call(
            Method::POST,
            &format!("/users/{id}/invitations"),
            Some(&w.admin.token),
            None,
        )
        .await;
    assert_eq!(resent.status, 202, "{}", resent.text);
    assert_eq!(resent.json["invitation"], json!("sent"));
    assert_eq!(
        moto::ses_messages_to(&w.email("ivy")).await.len(),
        1,
        "exactly one email"
    );

    // Nothing is left for the scheduled retry to send twice.
    let retry = std::process::Command::new(ROSTER)
        .args([
            "--store",
            &store.url(),
            "--mail",
            "ses",
            "--mail-from",
            &sender,
            "mail",
            "retry",
        ])
        .output()
        .unwrap();
    assert!(
        retry.status.success(),
        "{}",
        String::from_utf8_lossy(&retry.stderr)
    );
    assert_eq!(
        moto::ses_messages_to(&w.email("ivy")).await.len(),
        1,
        "still exactly one"
    );
}
