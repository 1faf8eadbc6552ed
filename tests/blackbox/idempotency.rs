//! `Idempotency-Key` on POST, over HTTP against `roster serve`, on both stores: a replay gets
//! the first answer and changes nothing, a reused key is `422`, keys belong to their caller, a
//! first answer that was a refusal replays as that refusal, and racing replays create once.
//! The key's lifetime (a dead request's claim taken over, an answer forgotten after its window)
//! is told by the domain's clock, so it is tested on the use cases with a clock that moves.

use std::sync::Arc;

use futures_util::future::join_all;
use http::Method;
use jiff::SignedDuration;
use roster_domain::ports::clock::FixedClock;
use roster_domain::usecases::{
    Claimed, IDEMPOTENCY_WINDOW_SECONDS, IdempotentRequest, Roster, STALE_CLAIM_SECONDS,
    StoredResponse,
};
use roster_tests::Reply;
use roster_tests::{TestStore, for_each_store};
use serde_json::{Value, json};

use crate::world::{Person, World, assert_problem};

for_each_store!(
    a_replay_gets_the_first_answer_and_changes_nothing,
    a_key_reused_for_another_request_is_422,
    keys_belong_to_their_caller,
    a_refusal_replays_as_the_same_refusal,
    racing_replays_create_one_user,
    a_malformed_key_is_400,
    a_claim_is_taken_over_when_stale_and_an_answer_forgotten_when_expired,
);

async fn post(w: &World, who: &Person, path: &str, body: Value, key: &str) -> Reply {
    w.server
        .http
        .call_with(
            Method::POST,
            path,
            Some(&who.token),
            Some(body),
            &[("idempotency-key", key)],
        )
        .await
}

fn new_user(w: &World, name: &str) -> Value {
    json!({"email": w.email(name), "first_name": name, "last_name": "Keyed"})
}

async fn users_named(w: &World, name: &str) -> usize {
    let found = w
        .call(Method::GET, &format!("/users?q={name}"), &w.owner, None)
        .await;
    found.json["users"].as_array().unwrap().len()
}

async fn a_replay_gets_the_first_answer_and_changes_nothing(store: &TestStore) {
    let w = World::new(store).await;
    let body = new_user(&w, "kira");
    let first = post(&w, &w.admin, "/users", body.clone(), "create-kira-1").await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);

    let again = post(&w, &w.admin, "/users", body, "create-kira-1").await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json, first.json);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(users_named(&w, "kira").await, 1);
    // One invitation, not two.
    assert_eq!(w.server.emails_to(&w.email("kira")).await.len(), 1);
}

async fn a_key_reused_for_another_request_is_422(store: &TestStore) {
    let w = World::new(store).await;
    let first = post(&w, &w.admin, "/users", new_user(&w, "lena"), "reused").await;
    assert_eq!(first.status, 201, "{}", first.text);
    let other = post(&w, &w.admin, "/users", new_user(&w, "mira"), "reused").await;
    assert_problem(&other, 422);
    assert_eq!(
        other.json["type"],
        json!("/problems/idempotency-key-reused")
    );
    assert_eq!(users_named(&w, "mira").await, 0);
}

async fn keys_belong_to_their_caller(store: &TestStore) {
    let w = World::new(store).await;
    let body = new_user(&w, "nora");
    let by_admin = post(&w, &w.admin, "/users", body.clone(), "shared-key").await;
    assert_eq!(by_admin.status, 201, "{}", by_admin.text);
    // The Owner's same key is the Owner's own: the request runs, and finds the email taken.
    let by_owner = post(&w, &w.owner, "/users", body, "shared-key").await;
    assert_problem(&by_owner, 409);
    assert_eq!(by_owner.header("idempotent-replayed"), None);
}

async fn a_refusal_replays_as_the_same_refusal(store: &TestStore) {
    let w = World::new(store).await;
    let body = new_user(&w, "olga");
    let refused = post(&w, &w.viewer, "/users", body.clone(), "viewer-try").await;
    assert_problem(&refused, 403);
    let again = post(&w, &w.viewer, "/users", body, "viewer-try").await;
    assert_problem(&again, 403);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json, refused.json);
}

async fn racing_replays_create_one_user(store: &TestStore) {
    let w = World::new(store).await;
    let body = new_user(&w, "petra");
    let replies =
        join_all((0..10).map(|_| post(&w, &w.admin, "/users", body.clone(), "race-petra"))).await;
    let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    let fresh = created
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(fresh, 1, "exactly one request ran");
    for reply in &replies {
        match reply.status {
            201 => assert_eq!(reply.json, created[0].json),
            // Still running when this one came: told to retry, nothing done.
            409 => {
                assert_eq!(
                    reply.json["type"],
                    json!("/problems/idempotency-key-in-progress")
                );
                assert_eq!(reply.header("retry-after"), Some("1"));
            }
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    assert_eq!(users_named(&w, "petra").await, 1);
}

async fn a_malformed_key_is_400(store: &TestStore) {
    let w = World::new(store).await;
    let long = "k".repeat(256);
    for key in [long.as_str(), "has space"] {
        let reply = post(&w, &w.admin, "/users", new_user(&w, "rosa"), key).await;
        assert_problem(&reply, 400);
        assert!(
            reply.json["detail"]
                .as_str()
                .unwrap()
                .starts_with("Idempotency-Key must be"),
            "{}",
            reply.text
        );
    }
    assert_eq!(users_named(&w, "rosa").await, 0);
}

async fn a_claim_is_taken_over_when_stale_and_an_answer_forgotten_when_expired(store: &TestStore) {
    let clock = Arc::new(FixedClock::new("2026-12-01T09:00:00Z".parse().unwrap()));
    let roster = store.roster_at(Arc::clone(&clock) as _);
    let request = |body: &str| {
        IdempotentRequest::new("acme#ana", "key-1", "POST", "/users", body.as_bytes()).unwrap()
    };
    let (a, b) = (request("a"), request("b"));
    let answer = StoredResponse {
        status: 201,
        headers: vec![("location".into(), "/users/01J".into())],
        body: "{}".into(),
    };

    let Claimed::Fresh(dead) = claimed(&roster, &a).await else {
        panic!("a new key is claimed")
    };
    assert!(matches!(claimed(&roster, &a).await, Claimed::InProgress));
    clock.advance(SignedDuration::from_secs(STALE_CLAIM_SECONDS - 1));
    assert!(matches!(claimed(&roster, &a).await, Claimed::InProgress));

    // Its request died: once the claim is stale, the next request runs in its place, and the
    // dead one can no longer complete the key.
    clock.advance(SignedDuration::from_secs(1));
    let Claimed::Fresh(live) = claimed(&roster, &a).await else {
        panic!("a stale claim is taken over")
    };
    assert!(
        roster
            .complete_idempotency_key(dead, answer.clone())
            .await
            .is_err()
    );
    roster
        .complete_idempotency_key(live, answer.clone())
        .await
        .unwrap();
    match claimed(&roster, &a).await {
        Claimed::Replay(stored) => assert_eq!(stored, answer),
        other => panic!("the kept answer is replayed, not {other:?}"),
    }
    assert!(matches!(claimed(&roster, &b).await, Claimed::Mismatch));

    // The window is counted from the claim that ran (the take-over); past it the key is new
    // again, for any request.
    clock.advance(SignedDuration::from_secs(IDEMPOTENCY_WINDOW_SECONDS - 1));
    assert!(matches!(claimed(&roster, &b).await, Claimed::Mismatch));
    clock.advance(SignedDuration::from_secs(1));
    assert!(matches!(claimed(&roster, &b).await, Claimed::Fresh(_)));
}

async fn claimed(roster: &Roster, request: &IdempotentRequest) -> Claimed {
    roster.claim_idempotency_key(request).await.unwrap()
}
