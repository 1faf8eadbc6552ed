//! Who may call what: every route of the API × six callers, with the status each gets, as one
//! table. A route added to the route table without a row here fails
//! `the_matrix_covers_every_route`; each cell runs against a fresh target user.

use std::collections::BTreeSet;

use http::Method;
use roster_api::routes;
use roster_tests::{TestStore, for_each_store};
use serde_json::{Value, json};

use crate::world::{Person, World};

/// The callers, in column order.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Owner,
    AppAdmin,
    SystemViewer,
    /// The target user acting on themself.
    BasicSelf,
    /// Another basic user of the target's account.
    BasicOther,
    /// The Owner of another account.
    OtherAccount,
}

const CALLERS: [Caller; 6] = [
    Caller::Owner,
    Caller::AppAdmin,
    Caller::SystemViewer,
    Caller::BasicSelf,
    Caller::BasicOther,
    Caller::OtherAccount,
];

/// One row: an operation, the request that exercises it on target `{T}`, and the status each
/// caller (in `CALLERS` order) gets.
struct Row {
    operation: &'static str,
    method: Method,
    path: &'static str,
    body: fn(&str) -> Option<Value>,
    expect: [u16; 6],
}

fn none(_: &str) -> Option<Value> {
    None
}

fn matrix() -> Vec<Row> {
    vec![
        Row {
            operation: "create-user",
            method: Method::POST,
            path: "/users",
            body: |tag| {
                Some(
                    json!({"email": format!("new.{tag}@acme.example"), "first_name": "New", "last_name": "User"}),
                )
            },
            expect: [201, 201, 403, 403, 403, 201],
        },
        Row {
            operation: "list-users",
            method: Method::GET,
            path: "/users",
            body: none,
            expect: [200, 200, 200, 403, 403, 200],
        },
        Row {
            operation: "get-user",
            method: Method::GET,
            path: "/users/{T}",
            body: none,
            expect: [200, 200, 200, 200, 403, 404],
        },
        Row {
            operation: "update-user",
            method: Method::PATCH,
            path: "/users/{T}",
            body: |_| Some(json!({"first_name": "Renamed"})),
            expect: [200, 200, 403, 200, 403, 404],
        },
        Row {
            operation: "delete-user",
            method: Method::DELETE,
            path: "/users/{T}",
            body: none,
            expect: [204, 204, 403, 403, 403, 404],
        },
        Row {
            operation: "resend-invite",
            method: Method::POST,
            path: "/users/{T}/invitations",
            body: none,
            expect: [202, 202, 403, 403, 403, 404],
        },
        Row {
            // Public: the token is the credential, whoever calls. An unknown token is 422 for all.
            operation: "reset-password",
            method: Method::POST,
            path: "/password-resets",
            body: |_| Some(json!({"token": "A".repeat(43), "password": "long enough password"})),
            expect: [422, 422, 422, 422, 422, 422],
        },
        Row {
            operation: "add-contact",
            method: Method::POST,
            path: "/users/{T}/contact-methods",
            body: |_| Some(json!({"method": "sms-personal", "value": "+1 404 555 0101"})),
            expect: [201, 201, 403, 201, 403, 404],
        },
        Row {
            operation: "update-contact",
            method: Method::PATCH,
            path: "/users/{T}/contact-methods/email-official",
            body: |_| Some(json!({"wait_minutes": 5})),
            expect: [200, 200, 403, 200, 403, 404],
        },
        Row {
            operation: "remove-contact",
            method: Method::DELETE,
            path: "/users/{T}/contact-methods/email-personal",
            body: none,
            expect: [204, 204, 403, 204, 403, 404],
        },
        Row {
            operation: "reorder-contacts",
            method: Method::PUT,
            path: "/users/{T}/contact-methods/order",
            body: |_| Some(json!({"order": ["email-personal", "email-official"]})),
            expect: [200, 200, 403, 200, 403, 404],
        },
        Row {
            operation: "register-device",
            method: Method::POST,
            path: "/users/{T}/devices",
            body: |_| Some(json!({"device_token": "device-token-1", "platform": "ios"})),
            expect: [403, 403, 403, 201, 403, 404],
        },
        Row {
            operation: "assign-role",
            method: Method::POST,
            path: "/users/{T}/roles",
            body: |_| Some(json!({"role": "system-viewer"})),
            expect: [200, 200, 403, 403, 403, 404],
        },
        Row {
            // Another account's Owner may call it; the target is then a per-user 404.
            operation: "assign-role-bulk",
            method: Method::POST,
            path: "/roles/system-viewer/assignments",
            body: |_| None,
            expect: [200, 200, 403, 403, 403, 200],
        },
        Row {
            operation: "remove-role",
            method: Method::DELETE,
            path: "/users/{T}/roles/send-message",
            body: none,
            expect: [200, 200, 403, 403, 403, 404],
        },
    ]
}

#[test]
fn the_matrix_covers_every_route() {
    let rows: BTreeSet<&str> = matrix().iter().map(|r| r.operation).collect();
    let routed: BTreeSet<&str> = routes().iter().map(|r| r.operation).collect();
    assert_eq!(
        rows, routed,
        "every route needs a row (left: the matrix, right: the routes)"
    );
    for row in matrix() {
        let route = routes()
            .iter()
            .find(|r| r.operation == row.operation)
            .unwrap();
        assert_eq!(route.method, row.method, "{}", row.operation);
    }
}

for_each_store!(every_route_answers_each_caller_as_the_matrix_says);

async fn every_route_answers_each_caller_as_the_matrix_says(store: &TestStore) {
    let w = World::new(store).await;
    let mut wrong = Vec::new();
    for row in matrix() {
        for (column, caller) in CALLERS.iter().enumerate() {
            let target = w.new_target(&format!("{}-{column}", row.operation)).await;
            let who: &Person = match caller {
                Caller::Owner => &w.owner,
                Caller::AppAdmin => &w.admin,
                Caller::SystemViewer => &w.viewer,
                Caller::BasicSelf => &target,
                Caller::BasicOther => &w.basic,
                Caller::OtherAccount => &w.other_account_user,
            };
            let path = row.path.replace("{T}", &target.id);
            let tag = format!("{}-{column}-{}", row.operation, w.tag);
            let body = if row.operation == "assign-role-bulk" {
                Some(json!({"user_ids": [target.id]}))
            } else {
                (row.body)(&tag)
            };
            let reply = w
                .server
                .http
                .call(row.method.clone(), &path, Some(&who.token), body)
                .await;
            if reply.status != row.expect[column] {
                wrong.push(format!(
                    "{} as {caller:?}: expected {}, got {} {}",
                    row.operation, row.expect[column], reply.status, reply.text
                ));
            }
            if row.operation == "assign-role-bulk" && reply.status == 200 {
                let per_user = &reply.json["results"][0]["status"];
                let expected = if matches!(caller, Caller::OtherAccount) {
                    404
                } else {
                    200
                };
                if per_user != &json!(expected) {
                    wrong.push(format!(
                        "assign-role-bulk as {caller:?}: per-user {per_user}"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "cells that differ from the matrix:\n{}",
        wrong.join("\n")
    );
}
