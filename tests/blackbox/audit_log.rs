//! The audit log (SPEC.md §8): every mutating route leaves an entry naming its operation, in the
//! same transaction as the change; no entry carries a secret.

use http::Method;
use roster_domain::access::Actor;
use roster_domain::values::AccountId;
use roster_tests::{TestStore, for_each_store, reset_token_in};
use serde_json::{Value, json};

use crate::access_matrix::{CALLERS, matrix, prepare};
use crate::world::World;

for_each_store!(
    every_mutating_route_leaves_an_audit_entry_without_secrets,
    an_entry_names_who_did_what_to_whom_with_before_and_after,
);

async fn every_mutating_route_leaves_an_audit_entry_without_secrets(store: &TestStore) {
    let w = World::new(store).await;
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let mut expected = Vec::new();
    let mut secrets: Vec<String> = vec![w.owner.token.clone(), w.admin.token.clone()];
    // Single sign-on's trade needs an identity provider, which the test servers have none of:
    // sign_in.rs checks its audit entry where it runs.
    let mutating = matrix()
        .into_iter()
        .filter(|r| r.method != Method::GET && r.operation != "sign-in-with-provider");
    for row in mutating {
        let name = format!("audit-{}", row.operation);
        let target = w.new_target(&name).await;
        let cell = prepare(&w, &acme, &row, &target, &name).await;
        secrets.push(target.token.clone());
        if !cell.feed_token.is_empty() {
            secrets.push(cell.feed_token.clone());
        }
        // The first caller the matrix lets through; a reset needs the target's real token.
        let column = row.expect.iter().position(|s| (200..300).contains(s));
        let reply = match (row.operation, column) {
            ("reset-password", _) => {
                // Targets are created through the use cases, so their invitation is in the
                // store's recording mailer.
                let mail = store.mail.sent_to(&w.email(&name));
                let token = reset_token_in(&mail[0].text).expect("the target's invitation");
                secrets.push(token.clone());
                let password = "audit trail passphrase";
                secrets.push(password.to_owned());
                w.reset(&token, password).await
            }
            (_, Some(column)) => {
                let who = CALLERS[column].who(&w, &target);
                w.server
                    .http
                    .call(
                        row.method.clone(),
                        &row.path(&cell),
                        Some(&who.token),
                        (row.body)(&cell),
                    )
                    .await
            }
            (_, None) => panic!("{} has no caller that succeeds", row.operation),
        };
        assert!(
            (200..300).contains(&reply.status),
            "{}: {} {}",
            row.operation,
            reply.status,
            reply.text
        );
        if let Some(url) = reply.json["url"].as_str() {
            secrets.push(
                url.rsplit('/')
                    .next()
                    .unwrap()
                    .trim_end_matches(".ics")
                    .to_owned(),
            );
        }
        expected.push(row.operation);
    }

    let mut entries: Vec<Value> = Vec::new();
    let mut path = "/audit?limit=200".to_owned();
    loop {
        let page = w.call(Method::GET, &path, &w.owner, None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        entries.extend(page.json["entries"].as_array().unwrap().iter().cloned());
        match page.json["next_cursor"].as_str() {
            Some(cursor) => path = format!("/audit?limit=200&cursor={cursor}"),
            None => break,
        }
    }
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for operation in &expected {
        assert!(
            actions.contains(operation),
            "no audit entry for {operation}; have {actions:?}"
        );
    }
    // Newest first, to the millisecond: entries are keyed by ULID, whose time is in
    // milliseconds, and this test writes from two processes (itself and `roster serve`), whose
    // ids within one millisecond come in no set order — as Lambda's many processes' do.
    let millis = |e: &Value| {
        let at: jiff::Timestamp = e["at"].as_str().unwrap().parse().unwrap();
        at.as_millisecond()
    };
    let newest_first: Vec<i64> = entries.iter().map(millis).collect();
    let mut sorted = newest_first.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(newest_first, sorted, "newest first");
    let first = &entries[entries.len() - 1];
    assert_eq!(
        first["action"],
        json!("create-account"),
        "the oldest entry is the account's creation"
    );

    let all = serde_json::to_string(&entries).unwrap();
    for secret in &secrets {
        assert!(
            !all.contains(secret.as_str()),
            "a secret is in the audit log: {secret}"
        );
    }
    assert!(
        !all.contains("$argon2"),
        "a password hash is in the audit log"
    );
}

/// One entry read whole: the caller as actor (a user by id and email; an identity provider by
/// its token), the operation, the target, and the state before and after.
async fn an_entry_names_who_did_what_to_whom_with_before_and_after(store: &TestStore) {
    let w = World::new(store).await;
    let target = w.new_target("audited").await;
    let renamed = w
        .patch_user(&target, &w.admin, json!({"first_name": "Renamed"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let page = w.call(Method::GET, "/audit?limit=5", &w.owner, None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let entry = page.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "update-user")
        .unwrap_or_else(|| panic!("no update-user entry: {}", page.text))
        .clone();
    let admin = w.stored(&w.admin).await;
    assert_eq!(
        entry["actor"],
        json!({"kind": "user", "id": w.admin.id, "email": admin.email.as_str()})
    );
    assert_eq!(entry["target"], json!({"kind": "user", "id": target.id}));
    assert_eq!(entry["before"]["first_name"], "audited");
    assert_eq!(entry["after"]["first_name"], "Renamed");
    assert_eq!(
        entry["after"]["version"].as_u64(),
        entry["before"]["version"].as_u64().map(|v| v + 1)
    );
    let deleted = w
        .call(
            Method::DELETE,
            &format!("/users/{}", target.id),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let page = w.call(Method::GET, "/audit?limit=1", &w.owner, None).await;
    let entry = &page.json["entries"][0];
    assert_eq!(entry["action"], "delete-user", "{}", page.text);
    assert_eq!(entry["before"]["id"], json!(target.id));
    assert_eq!(
        entry["after"],
        Value::Null,
        "nothing after a delete: {}",
        page.text
    );
}
