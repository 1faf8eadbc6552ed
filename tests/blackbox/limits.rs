//! Values at openapi.yaml's limits, in the widest UTF-8 they can take, through every field that
//! becomes part of a key, a claim or an index entry: each answers the same on both stores
//! (SQLite takes keys of any length; DynamoDB refuses a sort key past 1,024 bytes).

use http::Method;
use roster_tests::{TestStore, for_each_store};
use serde_json::json;

use crate::world::World;

for_each_store!(values_at_their_limits_in_four_byte_characters_are_taken_by_every_claim);

/// `n` characters of four bytes each, the first one `first` (each test has a store of its own).
fn widest(first: char, n: usize) -> String {
    std::iter::once(first)
        .chain(std::iter::repeat_n('🦀', n - 1))
        .collect()
}

/// An email of exactly 254 bytes, the most Roster takes.
fn longest_email() -> String {
    let local = "a".repeat(64);
    // Labels of at most 63 characters; the last one fills the address to its limit.
    let fill = 254 - local.len() - "@".len() - 2 * (63 + 1) - ".example".len();
    let domain = format!(
        "{}.{}.{}.example",
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(fill)
    );
    let email = format!("{local}@{domain}");
    assert_eq!(email.len(), 254);
    email
}

async fn values_at_their_limits_in_four_byte_characters_are_taken_by_every_claim(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let username = widest('🐙', 254);
    assert_eq!(username.len(), 1016);
    let (first, last) = (widest('🐙', 100), widest('🦑', 100));
    let made = w
        .call(
            Method::POST,
            "/users",
            &w.admin,
            Some(json!({
                "email": longest_email(),
                "username": username,
                "first_name": first,
                "last_name": last,
                "external_id": widest('🐙', 256),
            })),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.json["username"], json!(username));
    let id = made.json["id"].as_str().unwrap().to_owned();

    // The claims hold: the same username in another case, or the same email, is a conflict.
    let again = w
        .call(
            Method::POST,
            "/users",
            &w.admin,
            Some(json!({
                "email": w.email("other"),
                "username": username.to_uppercase(),
                "first_name": "Other",
                "last_name": "Person",
            })),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(
        again.json["errors"][0]["field"], "username",
        "{}",
        again.text
    );

    // Found by its longest text.
    let found = w
        .call(
            Method::GET,
            &format!(
                "/users?q={}",
                percent_encoding::utf8_percent_encode(&first, percent_encoding::NON_ALPHANUMERIC)
            ),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(found.json["users"][0]["id"], json!(id), "{}", found.text);

    // A move to another username of the same width frees the first for someone else.
    let renamed = widest('🦑', 254);
    let moved = w
        .call(
            Method::PATCH,
            &format!("/users/{id}"),
            &w.admin,
            Some(json!({"username": renamed, "external_id": widest('🦑', 256)})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let reused = w
        .call(
            Method::POST,
            "/users",
            &w.admin,
            Some(json!({
                "email": w.email("reuser"),
                "username": username,
                "first_name": "Re",
                "last_name": "User",
            })),
        )
        .await;
    assert_eq!(reused.status, 201, "{}", reused.text);

    // A group's name is claimed and indexed: 100 characters of four bytes each.
    let name = widest('🐙', 100);
    let group = w
        .call(
            Method::POST,
            "/groups",
            &w.admin,
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(group.status, 201, "{}", group.text);
    let twin = w
        .call(
            Method::POST,
            "/groups",
            &w.admin,
            Some(json!({"name": name.to_uppercase()})),
        )
        .await;
    assert_eq!(twin.status, 409, "{}", twin.text);
    let listed = w.call(Method::GET, "/groups", &w.admin, None).await;
    assert!(
        listed.json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == json!(name)),
        "{}",
        listed.text
    );
}
