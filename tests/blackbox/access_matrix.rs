//! Who may call what: every route of the API × six callers, with the status each gets, as one
//! table. A route added to the route table without a row here fails
//! `the_matrix_covers_every_route`; each cell runs against a fresh target user.

use std::collections::BTreeSet;

use http::Method;
use roster_api::{Auth, routes};
use roster_domain::access::Actor;
use roster_domain::usecases::{CoverInput, GroupInput, MemberInput, OutOfOfficeInput, ShiftInput};
use roster_domain::values::{AccountId, UserId};
use roster_tests::{TestStore, for_each_store};
use serde_json::{Value, json};

use crate::world::{Person, World};

/// The callers, in column order.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Caller {
    Owner,
    AppAdmin,
    SystemViewer,
    /// The target user acting on themself.
    BasicSelf,
    /// Another basic user of the target's account.
    BasicOther,
    /// The Owner of another account.
    OtherAccount,
    /// A user of the target's account holding only `integrations-admin`: reads every group and
    /// its members, nothing more (`shared/domain/src/access.rs`).
    IntegrationsAdmin,
}

pub(crate) const CALLERS: [Caller; 7] = [
    Caller::Owner,
    Caller::AppAdmin,
    Caller::SystemViewer,
    Caller::BasicSelf,
    Caller::BasicOther,
    Caller::OtherAccount,
    Caller::IntegrationsAdmin,
];

impl Caller {
    /// Who calls as this caller in `w`, `target` being the cell's target user.
    pub(crate) fn who<'w>(self, w: &'w World, target: &'w Person) -> &'w Person {
        match self {
            Self::Owner => &w.owner,
            Self::AppAdmin => &w.admin,
            Self::SystemViewer => &w.viewer,
            Self::BasicSelf => target,
            Self::BasicOther => &w.basic,
            Self::OtherAccount => &w.other_account_user,
            Self::IntegrationsAdmin => &w.integrations,
        }
    }
}

/// What a cell works on: a fresh target user `{T}`, and, when the row needs them, a group
/// `{G}` with the target as primary member and an empty shift `{S}`, an out-of-office entry
/// `{E}` of the target, the target's calendar feed token `{K}`, and a SCIM token `{Z}` of the
/// target's account; `{M}` is the target's email.
pub(crate) struct Cell {
    tag: String,
    target: String,
    target_email: String,
    group: String,
    shift: String,
    entry: String,
    pub feed_token: String,
    scim_token: String,
    /// A user of the target's account who is not in `{G}` (the "basic other" caller).
    outsider: String,
    admin: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    User,
    Group,
    OutOfOffice,
    Feed,
    /// `{G}` with the target on a daily shift that started an hour ago, the target away since
    /// then for a day with the admin covering, and their feed token `{K}`: what a calendar and
    /// "who is on call now" read at their fullest.
    Schedule,
    /// A SCIM token `{Z}` of the target's account.
    ScimToken,
    /// The target has set their password, [`PASSWORD`].
    Password,
}

/// The password of a [`Needs::Password`] target.
pub(crate) const PASSWORD: &str = "matrix-password-plum-94";

/// One row: an operation, the request that exercises it, and the status each caller (in
/// `CALLERS` order) gets.
pub(crate) struct Row {
    pub operation: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub needs: Needs,
    pub body: fn(&Cell) -> Option<Value>,
    pub expect: [u16; 7],
}

fn none(_: &Cell) -> Option<Value> {
    None
}

impl Row {
    pub fn path(&self, cell: &Cell) -> String {
        self.path
            .replace("{M}", &cell.target_email)
            .replace("{T}", &cell.target)
            .replace("{G}", &cell.group)
            .replace("{S}", &cell.shift)
            .replace("{E}", &cell.entry)
            .replace("{K}", &cell.feed_token)
            .replace("{Z}", &cell.scim_token)
            .replace("{B}", &cell.outsider)
            .replace("{A}", &cell.admin)
    }
}

/// Runs of an operation beyond its row of the matrix, down the paths that call more of the
/// store (request budgets and IAM policies must cover them too), each with its label.
pub(crate) fn variants() -> Vec<(&'static str, Row)> {
    vec![
        (
            "update-user (deactivating someone on a shift)",
            Row {
                operation: "update-user",
                method: Method::PATCH,
                path: "/users/{T}",
                needs: Needs::Schedule,
                body: |_| Some(json!({"active": false})),
                expect: [200, 200, 403, 403, 403, 404, 403],
            },
        ),
        (
            "list-users (searching)",
            Row {
                operation: "list-users",
                method: Method::GET,
                path: "/users?q={M}",
                needs: Needs::User,
                body: none,
                expect: [200, 200, 200, 403, 403, 200, 403],
            },
        ),
        (
            // Searched by the target's email, so the page holds exactly the user on a shift.
            "list-users (with delete blockers)",
            Row {
                operation: "list-users",
                method: Method::GET,
                path: "/users?include=delete_blockers&q={M}",
                needs: Needs::Schedule,
                body: none,
                expect: [200, 200, 200, 403, 403, 200, 403],
            },
        ),
        (
            "delete-user (with a replacement)",
            Row {
                operation: "delete-user",
                method: Method::DELETE,
                path: "/users/{T}?replacement={A}",
                needs: Needs::Schedule,
                body: none,
                expect: [204, 204, 403, 403, 403, 404, 403],
            },
        ),
    ]
}

/// A period from `days` days ahead, one day long.
fn days_ahead(days: i64) -> (String, String) {
    let start = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
    let end = start + jiff::SignedDuration::from_hours(24);
    (start.to_string(), end.to_string())
}

pub(crate) fn matrix() -> Vec<Row> {
    vec![
        Row {
            operation: "create-user",
            method: Method::POST,
            path: "/users",
            needs: Needs::User,
            body: |c| {
                let email = format!("new.{}@acme.example", c.tag);
                Some(json!({"email": email, "first_name": "New", "last_name": "User"}))
            },
            expect: [201, 201, 403, 403, 403, 201, 403],
        },
        Row {
            operation: "list-users",
            method: Method::GET,
            path: "/users",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 403, 403, 200, 403],
        },
        Row {
            operation: "get-user",
            method: Method::GET,
            path: "/users/{T}",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 403],
        },
        Row {
            operation: "update-user",
            method: Method::PATCH,
            path: "/users/{T}",
            needs: Needs::User,
            body: |_| Some(json!({"first_name": "Renamed"})),
            expect: [200, 200, 403, 200, 403, 404, 403],
        },
        Row {
            operation: "delete-user",
            method: Method::DELETE,
            path: "/users/{T}",
            needs: Needs::User,
            body: none,
            expect: [204, 204, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "resend-invite",
            method: Method::POST,
            path: "/users/{T}/invitations",
            needs: Needs::User,
            body: none,
            expect: [202, 202, 403, 403, 403, 404, 403],
        },
        Row {
            // Public: the token is the credential, whoever calls. An unknown token is 422 for all.
            operation: "reset-password",
            method: Method::POST,
            path: "/password-resets",
            needs: Needs::User,
            body: |_| Some(json!({"token": "A".repeat(43), "password": "long enough password"})),
            expect: [422, 422, 422, 422, 422, 422, 422],
        },
        Row {
            // Only one's own, proving the current one; nobody sets another person's.
            operation: "change-password",
            method: Method::POST,
            path: "/users/{T}/password",
            needs: Needs::Password,
            body: |_| Some(json!({"current": PASSWORD, "new": "another-password-orbit-27"})),
            expect: [403, 403, 403, 204, 403, 404, 403],
        },
        Row {
            // Public, like every sign-in page: the password is the credential.
            operation: "sign-in",
            method: Method::POST,
            path: "/sessions",
            needs: Needs::Password,
            body: |cell| Some(json!({"login": cell.target_email, "password": PASSWORD})),
            expect: [201, 201, 201, 201, 201, 201, 201],
        },
        Row {
            // Public: the provider's token is the credential. No provider is set up for the
            // test servers, so every token is refused (sign_in.rs trades real ones).
            operation: "sign-in-with-provider",
            method: Method::POST,
            path: "/sessions/oidc",
            needs: Needs::User,
            body: |cell| Some(json!({"token": crate::observed::provider_token(&cell.target)})),
            expect: [401, 401, 401, 401, 401, 401, 401],
        },
        Row {
            // Public, and the same answer whoever the email belongs to.
            operation: "request-password-reset",
            method: Method::POST,
            path: "/password-resets/requests",
            needs: Needs::Password,
            body: |cell| Some(json!({"email": cell.target_email})),
            expect: [202, 202, 202, 202, 202, 202, 202],
        },
        Row {
            operation: "jwks",
            method: Method::GET,
            path: "/.well-known/jwks.json",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            operation: "openid-configuration",
            method: Method::GET,
            path: "/.well-known/openid-configuration",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            operation: "add-contact",
            method: Method::POST,
            path: "/users/{T}/contact-methods",
            needs: Needs::User,
            body: |_| Some(json!({"method": "sms-personal", "value": "+1 404 555 0101"})),
            expect: [201, 201, 403, 201, 403, 404, 403],
        },
        Row {
            operation: "update-contact",
            method: Method::PATCH,
            path: "/users/{T}/contact-methods/email-official",
            needs: Needs::User,
            body: |_| Some(json!({"wait_minutes": 5})),
            expect: [200, 200, 403, 200, 403, 404, 403],
        },
        Row {
            operation: "remove-contact",
            method: Method::DELETE,
            path: "/users/{T}/contact-methods/email-personal",
            needs: Needs::User,
            body: none,
            expect: [204, 204, 403, 204, 403, 404, 403],
        },
        Row {
            operation: "reorder-contacts",
            method: Method::PUT,
            path: "/users/{T}/contact-methods/order",
            needs: Needs::User,
            body: |_| Some(json!({"order": ["email-personal", "email-official"]})),
            expect: [200, 200, 403, 200, 403, 404, 403],
        },
        Row {
            operation: "register-device",
            method: Method::POST,
            path: "/users/{T}/devices",
            needs: Needs::User,
            body: |_| Some(json!({"device_token": "device-token-1", "platform": "ios"})),
            expect: [403, 403, 403, 201, 403, 404, 403],
        },
        Row {
            operation: "assign-role",
            method: Method::POST,
            path: "/users/{T}/roles",
            needs: Needs::User,
            body: |_| Some(json!({"role": "system-viewer"})),
            expect: [200, 200, 403, 403, 403, 404, 403],
        },
        Row {
            // Another account's Owner may call it; the target is then a per-user 404.
            operation: "assign-role-bulk",
            method: Method::POST,
            path: "/roles/system-viewer/assignments",
            needs: Needs::User,
            body: |c| Some(json!({"user_ids": [c.target]})),
            expect: [200, 200, 403, 403, 403, 200, 403],
        },
        Row {
            operation: "remove-role",
            method: Method::DELETE,
            path: "/users/{T}/roles/send-message",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "create-group",
            method: Method::POST,
            path: "/groups",
            needs: Needs::User,
            body: |c| Some(json!({"name": format!("New {}", c.tag)})),
            expect: [201, 201, 403, 403, 403, 201, 403],
        },
        // Everyone lists groups: all of them, or (a basic user) their own.
        Row {
            operation: "list-groups",
            method: Method::GET,
            path: "/groups",
            needs: Needs::Group,
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            operation: "get-group",
            method: Method::GET,
            path: "/groups/{G}",
            needs: Needs::Group,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 200],
        },
        Row {
            operation: "rename-group",
            method: Method::PATCH,
            path: "/groups/{G}",
            needs: Needs::Group,
            body: |c| Some(json!({"name": format!("Renamed {}", c.tag)})),
            expect: [200, 200, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "delete-group",
            method: Method::DELETE,
            path: "/groups/{G}",
            needs: Needs::Group,
            body: none,
            expect: [204, 204, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "list-members",
            method: Method::GET,
            path: "/groups/{G}/members",
            needs: Needs::Group,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 200],
        },
        Row {
            operation: "put-member",
            method: Method::PUT,
            path: "/groups/{G}/members/{B}",
            needs: Needs::Group,
            body: |_| Some(json!({"secondary": true})),
            expect: [201, 201, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "remove-member",
            method: Method::DELETE,
            path: "/groups/{G}/members/{T}",
            needs: Needs::Group,
            body: none,
            expect: [204, 204, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "list-shifts",
            method: Method::GET,
            path: "/groups/{G}/shifts",
            needs: Needs::Group,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 200],
        },
        Row {
            operation: "create-shift",
            method: Method::POST,
            path: "/groups/{G}/shifts",
            needs: Needs::Group,
            body: |c| {
                Some(
                    json!({"name": "Nights", "starts_at": days_ahead(1).0, "duration_minutes": 480, "repeat": "daily", "user_ids": [c.target]}),
                )
            },
            expect: [201, 201, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "get-shift",
            method: Method::GET,
            path: "/groups/{G}/shifts/{S}",
            needs: Needs::Group,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 200],
        },
        Row {
            operation: "update-shift",
            method: Method::PATCH,
            path: "/groups/{G}/shifts/{S}",
            needs: Needs::Group,
            body: |_| Some(json!({"name": "Renamed"})),
            expect: [200, 200, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "delete-shift",
            method: Method::DELETE,
            path: "/groups/{G}/shifts/{S}",
            needs: Needs::Group,
            body: none,
            expect: [204, 204, 403, 403, 403, 404, 403],
        },
        Row {
            operation: "on-call",
            method: Method::GET,
            path: "/groups/{G}/on-call",
            needs: Needs::Schedule,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 200],
        },
        Row {
            operation: "list-out-of-office",
            method: Method::GET,
            path: "/users/{T}/out-of-office",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 403],
        },
        Row {
            operation: "add-out-of-office",
            method: Method::POST,
            path: "/users/{T}/out-of-office",
            needs: Needs::User,
            body: |c| {
                let (starts_at, ends_at) = days_ahead(10);
                Some(json!({"starts_at": starts_at, "ends_at": ends_at, "cover": {"all": c.admin}}))
            },
            expect: [201, 201, 403, 201, 403, 404, 403],
        },
        Row {
            operation: "remove-out-of-office",
            method: Method::DELETE,
            path: "/users/{T}/out-of-office/{E}",
            needs: Needs::OutOfOffice,
            body: none,
            expect: [204, 204, 403, 204, 403, 404, 403],
        },
        Row {
            operation: "user-schedule",
            method: Method::GET,
            path: "/users/{T}/schedule.ics",
            needs: Needs::Schedule,
            body: none,
            expect: [200, 200, 200, 200, 403, 404, 403],
        },
        Row {
            operation: "issue-calendar-token",
            method: Method::POST,
            path: "/users/{T}/calendar-token",
            needs: Needs::User,
            body: none,
            expect: [201, 201, 403, 201, 403, 404, 403],
        },
        Row {
            operation: "revoke-calendar-token",
            method: Method::DELETE,
            path: "/users/{T}/calendar-token",
            needs: Needs::Feed,
            body: none,
            expect: [204, 204, 403, 204, 403, 404, 403],
        },
        // Public: the token in the path is the credential, whoever calls.
        Row {
            operation: "calendar-feed",
            method: Method::GET,
            path: "/calendars/{K}.ics",
            needs: Needs::Schedule,
            body: none,
            expect: [200, 200, 200, 200, 200, 200, 200],
        },
        Row {
            operation: "list-audit",
            method: Method::GET,
            path: "/audit",
            needs: Needs::User,
            body: none,
            expect: [200, 200, 200, 403, 403, 200, 403],
        },
        // The Owner and App Admins manage their own account's SCIM tokens.
        Row {
            operation: "create-scim-token",
            method: Method::POST,
            path: "/scim-tokens",
            needs: Needs::User,
            body: |c| Some(json!({"name": format!("okta {}", c.tag)})),
            expect: [201, 201, 403, 403, 403, 201, 403],
        },
        Row {
            operation: "list-scim-tokens",
            method: Method::GET,
            path: "/scim-tokens",
            needs: Needs::ScimToken,
            body: none,
            expect: [200, 200, 403, 403, 403, 200, 403],
        },
        Row {
            operation: "revoke-scim-token",
            method: Method::DELETE,
            path: "/scim-tokens/{Z}",
            needs: Needs::ScimToken,
            body: none,
            expect: [204, 204, 403, 403, 403, 404, 403],
        },
    ]
}

#[test]
fn the_matrix_covers_every_route() {
    let rows: BTreeSet<&str> = matrix().iter().map(|r| r.operation).collect();
    // SCIM routes answer an identity provider's token, not a person's: `scim.rs` tests them.
    let routed: BTreeSet<&str> = routes()
        .iter()
        .filter(|r| r.auth != Auth::Scim)
        .map(|r| r.operation)
        .collect();
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
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let mut wrong = Vec::new();
    let rows = matrix()
        .into_iter()
        .chain(variants().into_iter().map(|(_, row)| row));
    for row in rows {
        // A world per row keeps each table small: moto copies a whole table per transaction.
        let store = store.fresh().await;
        let w = World::new(&store).await;
        for (column, caller) in CALLERS.iter().enumerate() {
            let name = format!("{}-{column}", row.operation);
            let target = w.new_target(&name).await;
            let cell = prepare(&w, &acme, &row, &target, &name).await;
            let who = caller.who(&w, &target);
            let reply = w
                .server
                .http
                .call(
                    row.method.clone(),
                    &row.path(&cell),
                    Some(&who.token),
                    (row.body)(&cell),
                )
                .await;
            if reply.status != row.expect[column] {
                wrong.push(format!(
                    "{} as {caller:?}: expected {}, got {} {}",
                    row.operation, row.expect[column], reply.status, reply.text
                ));
            } else if reply.status == 200 {
                if let Err(why) = sees(&row, &cell, *caller, &reply.json) {
                    wrong.push(format!(
                        "{} as {caller:?}: {why}: {}",
                        row.operation, reply.text
                    ));
                }
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

/// What a caller who may read something sees of it: the list holds what the caller may see
/// and nothing they may not (SPEC.md §2), the item is the one asked for.
fn sees(row: &Row, cell: &Cell, caller: Caller, body: &Value) -> Result<(), String> {
    let ids = |list: &str, key: &str| -> Vec<String> {
        body[list]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x[key].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_owned()) };
    let in_acme = !matches!(caller, Caller::OtherAccount);
    match row.operation {
        "list-users" => check(
            ids("users", "id").contains(&cell.target) == in_acme,
            "the target is listed exactly to callers of its account",
        ),
        "get-user" => check(body["id"] == json!(cell.target), "the target's profile"),
        "list-groups" => {
            let groups = ids("groups", "id");
            let readers = matches!(
                caller,
                Caller::Owner
                    | Caller::AppAdmin
                    | Caller::SystemViewer
                    | Caller::BasicSelf
                    | Caller::IntegrationsAdmin
            );
            check(
                groups.contains(&cell.group) == readers,
                "the group is listed exactly to those who may read it",
            )?;
            match caller {
                Caller::BasicSelf => check(groups == [cell.group.clone()], "only their group"),
                Caller::BasicOther => check(groups.is_empty(), "no group: they are in none"),
                _ => Ok(()),
            }
        }
        "get-group" => {
            check(body["id"] == json!(cell.group), "the group")?;
            check(
                ids("members", "user_id").contains(&cell.target),
                "its members, the target among them",
            )
        }
        "list-members" => check(
            ids("members", "user_id") == [cell.target.clone()],
            "its one member",
        ),
        "list-shifts" => check(ids("shifts", "id") == [cell.shift.clone()], "its shift"),
        "get-shift" => check(body["id"] == json!(cell.shift), "the shift"),
        "list-scim-tokens" => check(
            ids("items", "id").contains(&cell.scim_token) == in_acme,
            "the account's token is listed exactly to its own admins",
        ),
        "on-call" => check(
            body["responders"]
                == json!([{"user_id": cell.admin, "name": "bob Tester", "via": "cover",
                           "shift_id": cell.shift, "covering_for": cell.target,
                           "reachable": true}]),
            "the admin, covering for the target on its shift",
        ),
        _ => Ok(()),
    }
}

/// A fresh group of the cell, with the target as its primary member.
async fn group_of(
    w: &World,
    acme: &Actor,
    cell: &Cell,
    target: &Person,
) -> roster_domain::entities::Group {
    let group = w
        .roster
        .create_group(
            acme,
            &GroupInput {
                name: Some(format!("Group {}", cell.tag)),
            },
        )
        .await
        .unwrap();
    let primary = MemberInput {
        primary: Some(true),
        ..Default::default()
    };
    w.roster
        .put_member(
            acme,
            &group.id,
            &UserId::parse(&target.id).unwrap(),
            &primary,
        )
        .await
        .unwrap();
    group
}

/// Creates what `row` needs around `target`, through the use cases (as an operator).
pub(crate) async fn prepare(
    w: &World,
    acme: &Actor,
    row: &Row,
    target: &Person,
    name: &str,
) -> Cell {
    let roster = &w.roster;
    let target_id = UserId::parse(&target.id).unwrap();
    let mut cell = Cell {
        tag: format!("{name}-{}", w.tag),
        target: target.id.clone(),
        target_email: w.email(name),
        group: String::new(),
        shift: String::new(),
        entry: String::new(),
        feed_token: String::new(),
        scim_token: String::new(),
        outsider: w.basic.id.clone(),
        admin: w.admin.id.clone(),
    };
    match row.needs {
        Needs::User => {}
        Needs::Password => w.set_password(&cell.target_email, PASSWORD).await,
        Needs::Group => {
            let group = group_of(w, acme, &cell, target).await;
            let shift = ShiftInput {
                name: Some("Days".into()),
                starts_at: Some(days_ahead(1).0),
                duration_minutes: Some(480),
                ..Default::default()
            };
            let shift = roster.create_shift(acme, &group.id, &shift).await.unwrap();
            cell.group = group.id.to_string();
            cell.shift = shift.id.to_string();
        }
        Needs::OutOfOffice => {
            let (starts_at, ends_at) = days_ahead(3);
            let input = OutOfOfficeInput {
                starts_at: Some(starts_at),
                ends_at: Some(ends_at),
                cover: Some(CoverInput {
                    all: Some(w.admin.id.clone()),
                    groups: None,
                }),
            };
            let entry = roster
                .add_out_of_office(acme, &target_id, &input)
                .await
                .unwrap();
            cell.entry = entry.id;
        }
        Needs::Feed => {
            let token = roster.issue_calendar_token(acme, &target_id).await.unwrap();
            cell.feed_token = token.reveal().to_owned();
        }
        Needs::ScimToken => {
            let name = roster_domain::values::TokenName::parse(&cell.tag).unwrap();
            let (token, _) = roster.create_scim_token(acme, name).await.unwrap();
            cell.scim_token = token.id.to_string();
        }
        Needs::Schedule => {
            let group = group_of(w, acme, &cell, target).await;
            let an_hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
            let shift = ShiftInput {
                name: Some("Days".into()),
                starts_at: Some(an_hour_ago.to_string()),
                duration_minutes: Some(480),
                repeat: Some("daily".into()),
                user_ids: Some(vec![target.id.clone()]),
                ..Default::default()
            };
            let shift = roster.create_shift(acme, &group.id, &shift).await.unwrap();
            let away = OutOfOfficeInput {
                starts_at: Some(an_hour_ago.to_string()),
                ends_at: Some((an_hour_ago + jiff::SignedDuration::from_hours(24)).to_string()),
                cover: Some(CoverInput {
                    all: Some(w.admin.id.clone()),
                    groups: None,
                }),
            };
            roster
                .add_out_of_office(acme, &target_id, &away)
                .await
                .unwrap();
            let token = roster.issue_calendar_token(acme, &target_id).await.unwrap();
            cell.group = group.id.to_string();
            cell.shift = shift.id.to_string();
            cell.feed_token = token.reveal().to_owned();
        }
    }
    cell
}
