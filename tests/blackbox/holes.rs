//! No silent holes (SPEC.md §1, §5): a delete is refused with every hole it would leave, by
//! kind, or made with a replacement who steps into each place; deactivation keeps everything,
//! pages nobody and tells whoever must know what is uncovered; seats are counted on every path
//! and never overshoot; ownership moves only through the operator command. Over HTTP against
//! `roster serve` (and the `roster` command), on both stores.

use std::process::Command;

use http::Method;
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{NewAccountInput, NewUserInput};
use roster_domain::values::AccountId;
use roster_tests::{TestServer, TestStore, for_each_store, reset_token_in, token_for};
use serde_json::{Value, json};

use crate::ROSTER;
use crate::world::{Person, World, assert_problem};

for_each_store!(
    deleting_the_last_responder_who_covers_someone_is_refused_then_made_with_a_replacement,
    deactivation_keeps_everything_pages_nobody_and_tells_whoever_must_know,
    seats_are_counted_on_every_path_and_twenty_racing_creates_never_overshoot,
    ownership_moves_only_through_the_operator_command,
    rights_are_as_section_two_says_for_fellow_members_and_managers,
    an_account_from_before_seats_were_counted_is_counted_when_first_needed,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

async fn shift(w: &World, group: &str, people: &[&Person]) -> String {
    let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
    let body = json!({"name": "Nights", "starts_at": "2027-01-01T22:00", "duration_minutes": 600,
                      "repeat": "daily", "user_ids": ids});
    let made = w
        .call(
            Method::POST,
            &format!("/groups/{group}/shifts"),
            &w.admin,
            Some(body),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.json["id"].as_str().unwrap().to_owned()
}

/// `away` is out of office through February 2027, covered by `cover` for all groups.
async fn away(w: &World, away: &Person, cover: &Person) -> String {
    let body = json!({"starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-03-01T00:00:00Z",
                      "cover": {"all": cover.id}});
    let made = w
        .call(
            Method::POST,
            &format!("/users/{}/out-of-office", away.id),
            &w.admin,
            Some(body),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.json["id"].as_str().unwrap().to_owned()
}

async fn members(w: &World, group: &str) -> Value {
    let got = w
        .call(Method::GET, &format!("/groups/{group}"), &w.admin, None)
        .await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.json["members"].clone()
}

async fn deleting_the_last_responder_who_covers_someone_is_refused_then_made_with_a_replacement(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (dan, eve, fay, rex) = (
        w.new_target("dan").await,
        w.new_target("eve").await,
        w.new_target("fay").await,
        w.new_target("rex").await,
    );
    // Dan is the only primary of Payments (Eve manages it), alone on its shift, and Fay's cover.
    let g = w
        .group(
            "Payments",
            &[
                (&dan, json!({"primary": true})),
                (&eve, json!({"manager": true})),
            ],
        )
        .await;
    let s = shift(&w, &g, &[&dan]).await;
    let entry = away(&w, &fay, &dan).await;

    let refused = w
        .call(
            Method::DELETE,
            &format!("/users/{}", dan.id),
            &w.admin,
            None,
        )
        .await;
    assert_problem(&refused, 409);
    assert_eq!(refused.json["type"], "/problems/would-leave-holes");
    let name = format!("Payments {}", w.tag);
    assert_eq!(
        refused.json["shifts"],
        json!([{"group_id": g, "group": name, "shift_id": s, "shift": "Nights"}])
    );
    assert_eq!(
        refused.json["groups"],
        json!([{"group_id": g, "group": name}])
    );
    assert_eq!(
        refused.json["covering"],
        json!([{"user_id": fay.id, "user": "fay Target", "entry_id": entry,
                "starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-03-01T00:00:00Z"}])
    );
    assert_eq!(
        w.get_user(&dan, &w.admin).await.status,
        200,
        "nothing happened"
    );
    // The users list names the same blockers beside Dan, so the console can grey out his trash
    // icon; Eve only manages and Rex is in nothing, so nothing stands in their way.
    let listed = w
        .call(
            Method::GET,
            "/users?limit=1000&include=delete_blockers",
            &w.admin,
            None,
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let row = |who: &Person| {
        listed.json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == json!(who.id))
            .expect("listed")["delete_blockers"]
            .clone()
    };
    let dans = row(&dan);
    for kind in ["shifts", "groups", "covering"] {
        assert_eq!(dans[kind], refused.json[kind], "{kind}");
    }
    let nothing = json!({"shifts": [], "groups": [], "covering": []});
    assert_eq!(row(&eve), nothing);
    assert_eq!(row(&rex), nothing);
    let plain = w.call(Method::GET, "/users?limit=5", &w.admin, None).await;
    assert!(plain.json["users"][0].get("delete_blockers").is_none());
    let unknown = w
        .call(Method::GET, "/users?include=everything", &w.admin, None)
        .await;
    assert_problem(&unknown, 422);
    assert_eq!(unknown.json["errors"][0]["field"], "include");

    // A replacement steps into every place, and Dan goes: no hole anywhere.
    let path = format!("/users/{}?replacement={}", dan.id, rex.id);
    let deleted = w.call(Method::DELETE, &path, &w.admin, None).await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(w.get_user(&dan, &w.admin).await.status, 404);
    let roster = members(&w, &g).await;
    let rex_there = roster
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(rex.id))
        .expect("the replacement joined the group");
    assert_eq!(rex_there["primary"], json!(true), "with Dan's roles");
    assert!(
        roster
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["user_id"] != json!(dan.id))
    );
    let on_shift = w
        .call(
            Method::GET,
            &format!("/groups/{g}/shifts/{s}"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(on_shift.json["user_ids"], json!([rex.id]));
    let entries = w
        .call(
            Method::GET,
            &format!("/users/{}/out-of-office", fay.id),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(
        entries.json["out_of_office"][0]["cover"],
        json!({"all": rex.id})
    );
    let rex_record = w.stored(&rex).await;
    assert_eq!(rex_record.shifts.len(), 1);
    assert_eq!(rex_record.covering.len(), 1, "Rex's record notes the cover");
    // Dan's email is free at once, and his invitation link no longer works.
    let invitation = &store.mail.sent_to(&w.email("dan"))[0];
    let token = reset_token_in(&invitation.text).expect("dan's invitation");
    let redeem = w.reset(&token, "a long enough password").await;
    assert_eq!(redeem.status, 422, "{}", redeem.text);
    let again = w.create(&w.admin, "dan").await;
    assert_eq!(again.status, 201, "{}", again.text);
}

async fn deactivation_keeps_everything_pages_nobody_and_tells_whoever_must_know(store: &TestStore) {
    let w = World::new(store).await;
    let (dan, eve, gus) = (
        w.new_target("dan").await,
        w.new_target("eve").await,
        w.new_target("gus").await,
    );
    let managed = w
        .group(
            "Payments",
            &[
                (&dan, json!({"primary": true})),
                (&eve, json!({"manager": true})),
            ],
        )
        .await;
    let unmanaged = w
        .group(
            "Search",
            &[
                (&dan, json!({"primary": true})),
                (&gus, json!({"secondary": false})),
            ],
        )
        .await;
    let s = shift(&w, &managed, &[&dan]).await;

    // Not for basic users, never for the Owner.
    let by_basic = w.patch_user(&dan, &w.basic, json!({"active": false})).await;
    assert_problem(&by_basic, 403);
    let owner = w
        .patch_user(&w.owner, &w.admin, json!({"active": false}))
        .await;
    assert_problem(&owner, 409);

    let off = w.patch_user(&dan, &w.admin, json!({"active": false})).await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.json["status"], "deactivated");
    // Everything kept: the memberships, the shift.
    let record = w.stored(&dan).await;
    assert_eq!(record.member_of.len(), 2);
    assert_eq!(record.shifts.len(), 1);
    // Access is gone at once.
    let own = w.get_user(&dan, &dan).await;
    assert_problem(&own, 401);
    // The resolver lists Dan, unreachable.
    let on_call = w
        .call(
            Method::GET,
            &format!("/groups/{managed}/on-call?at=2027-01-10T23:00:00Z"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(
        on_call.json["responders"],
        json!([{"user_id": dan.id, "name": "dan Target", "via": "shift", "shift_id": s,
                "reachable": false, "reason": "deactivated"}])
    );
    // Eve manages Payments: one email about it. Search has no manager: the admins are told.
    let to_eve = w.server.emails_to(&w.email("eve")).await;
    assert_eq!(to_eve.len(), 1, "{to_eve:?}");
    assert!(to_eve[0].contains("Nights (daily at 22:00 UTC for 10 h) has nobody"));
    assert!(to_eve[0].contains("no primary or secondary member can be paged"));
    assert!(!to_eve[0].contains("Search"), "only what Eve manages");
    let admin_email = w.stored(&w.admin).await.email;
    let to_admin = w.server.emails_to(admin_email.as_str()).await;
    assert_eq!(to_admin.len(), 1, "{to_admin:?}");
    assert!(to_admin[0].contains(&format!("Search {}", w.tag)));
    assert!(w.server.emails_to(&w.email("gus")).await.is_empty());

    // Nobody covers with a deactivated user.
    let cover = json!({"starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-03-01T00:00:00Z",
                       "cover": {"all": dan.id}});
    let refused = w
        .call(
            Method::POST,
            &format!("/users/{}/out-of-office", eve.id),
            &w.admin,
            Some(cover),
        )
        .await;
    assert_problem(&refused, 422);

    // Back on: as before.
    let on = w.patch_user(&dan, &w.admin, json!({"active": true})).await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(on.json["status"], "invited");
    assert_eq!(w.get_user(&dan, &dan).await.status, 200);
    let _ = unmanaged;
}

async fn seats_are_counted_on_every_path_and_twenty_racing_creates_never_overshoot(
    store: &TestStore,
) {
    let roster = store.roster();
    let owner = NewUserInput {
        email: Some("ana@seated.example".into()),
        first_name: Some("Ana".into()),
        last_name: Some("Silva".into()),
        ..Default::default()
    };
    let account = NewAccountInput {
        id: Some("seated".into()),
        name: Some("Seated".into()),
        seats: Some(5),
        owner,
    };
    let (_, ana, _) = roster
        .create_account(&account, ManagedBy::Api)
        .await
        .unwrap();
    let server = TestServer::start(ROSTER, store).await;
    let token = token_for(
        "seated",
        ana.id.as_str(),
        jiff::SignedDuration::from_hours(1),
    );
    let create = |n: usize, kind: &str| {
        let body = json!({"email": format!("u{n}@seated.example"), "first_name": "U",
                          "last_name": format!("{n}"), "user_type": kind});
        let (server, token) = (&server, &token);
        async move {
            server
                .http
                .call(Method::POST, "/users", Some(token), Some(body))
                .await
        }
    };
    // The Owner holds one of five seats: of twenty racing creates, four win.
    let replies = futures_util::future::join_all((0..20).map(|n| {
        create(
            n,
            if n % 2 == 0 {
                "standard"
            } else {
                "stakeholder"
            },
        )
    }))
    .await;
    let won: Vec<&roster_tests::Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(
        won.len(),
        4,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for refused in replies.iter().filter(|r| r.status != 201) {
        assert_problem(refused, 409);
        assert_eq!(refused.json["type"], "/problems/seats-exhausted");
        assert_eq!(
            (refused.json["seats"].clone(), refused.json["used"].clone()),
            (json!(5), json!(5))
        );
    }
    // A billing admin holds no seat.
    assert_eq!(create(100, "billing-admin").await.status, 201);
    // A deactivated user gives theirs back; reactivating needs one free.
    let first = won[0].json["id"].as_str().unwrap();
    let path = format!("/users/{first}");
    let off = server
        .http
        .call(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(create(101, "standard").await.status, 201);
    let on = server
        .http
        .call(
            Method::PATCH,
            &path,
            Some(&token),
            Some(json!({"active": true})),
        )
        .await;
    assert_problem(&on, 409);
    assert_eq!(on.json["type"], "/problems/seats-exhausted");
    // An account changed (by reconcile or an operator) to fewer seats than are held: refused.
    let fewer = roster
        .update_account(
            &Actor::Operator(AccountId::parse("seated").unwrap()),
            None,
            Some(3),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&fewer, roster_domain::DomainError::Validation(e) if e[0].field == "seats"),
        "{fewer:?}"
    );
    // Deleting a deactivated user frees nothing; deleting one who holds a seat frees it.
    let gone = server
        .http
        .call(Method::DELETE, &path, Some(&token), None)
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(create(102, "standard").await.status, 409);
    let second = format!("/users/{}", won[1].json["id"].as_str().unwrap());
    let gone = server
        .http
        .call(Method::DELETE, &second, Some(&token), None)
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(create(103, "standard").await.status, 201);
}

async fn ownership_moves_only_through_the_operator_command(store: &TestStore) {
    let w = World::new(store).await;
    let run = |args: &[&str]| {
        let output = Command::new(ROSTER)
            .args(["--store", &store.url()])
            .args(args)
            .env_remove("ROSTER_STORE")
            .output()
            .expect("run roster");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let to = w.stored(&w.admin).await.email;
    let transfer = [
        "owner",
        "transfer",
        "--account",
        "acme",
        "--to",
        to.as_str(),
    ];
    // Without --confirm: what it would do, exit 1, nothing changed.
    let (code, out, _) = run(&transfer);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("would move ownership of acme"), "{out}");
    assert!(w.stored(&w.owner).await.is_owner);
    // A user who cannot be the Owner: a clear error, exit 1.
    let viewer = w.stored(&w.viewer).await.email;
    let (code, _, err) = run(&[
        "owner",
        "transfer",
        "--account",
        "acme",
        "--to",
        "nobody@acme.example",
        "--confirm",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not found"), "{err}");
    w.patch_user(&w.viewer, &w.admin, json!({"active": false}))
        .await;
    let (code, _, err) = run(&[
        "owner",
        "transfer",
        "--account",
        "acme",
        "--to",
        viewer.as_str(),
        "--confirm",
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("deactivated"), "{err}");
    // With --confirm: moved; the Owner before keeps app-admin; the audit log names the operator.
    let mut confirmed = transfer.to_vec();
    confirmed.push("--confirm");
    let (code, out, err) = run(&confirmed);
    assert_eq!(code, Some(0), "{out}{err}");
    let (before, after) = (w.stored(&w.owner).await, w.stored(&w.admin).await);
    assert!(!before.is_owner && after.is_owner);
    assert!(
        before
            .roles
            .contains(&roster_domain::values::Role::AppAdmin)
    );
    let audit = w.roster.list_audit(&acme(), 5, None).await.unwrap();
    let moved = audit
        .entries
        .iter()
        .find(|e| e.action == "transfer-ownership")
        .expect("audited");
    assert_eq!(moved.actor, roster_domain::entities::AuditActor::Operator);
    // The new Owner cannot be deleted; the API cannot move ownership back.
    let refused = w
        .call(
            Method::DELETE,
            &format!("/users/{}", w.admin.id),
            &w.owner,
            None,
        )
        .await;
    assert_problem(&refused, 409);
}

async fn reads_group(w: &World, group: &str, who: &Person) -> u16 {
    w.call(Method::GET, &format!("/groups/{group}"), who, None)
        .await
        .status
}

async fn listed_groups(w: &World, who: &Person) -> Vec<String> {
    let reply = w.call(Method::GET, "/groups", who, None).await;
    reply.json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Sharing a group lets a `basic` member read the group and their fellow members, and grants
/// `send-message` users and stakeholders nothing; a group's manager reads it whatever their
/// role, and sets only the cover for their own group in a member's out-of-office entry.
async fn rights_are_as_section_two_says_for_fellow_members_and_managers(store: &TestStore) {
    let w = World::new(store).await;
    let carl = &w.basic;
    let sam = w.person("sam", "standard", &["send-message"]).await;
    let kim = w.person("kim", "stakeholder", &[]).await;
    let max = w.person("max", "standard", &["send-message"]).await;
    let g = w
        .group(
            "Payments",
            &[
                (carl, json!({"primary": true})),
                (&sam, json!({"secondary": true})),
                (&kim, json!({})),
                (&max, json!({"manager": true})),
            ],
        )
        .await;
    let h = w.group("Search", &[(&sam, json!({"primary": true}))]).await;
    let status = |reply: roster_tests::Reply| reply.status;
    assert_eq!(
        status(w.get_user(&sam, carl).await),
        200,
        "basic reads a fellow member"
    );
    assert_eq!(
        status(w.get_user(carl, &sam).await),
        403,
        "send-message reads nobody"
    );
    assert_eq!(
        status(w.get_user(carl, &kim).await),
        403,
        "a stakeholder reads nobody"
    );
    assert_eq!(
        status(w.get_user(carl, &max).await),
        200,
        "the manager reads their members"
    );
    assert_eq!(reads_group(&w, &g, carl).await, 200);
    assert_eq!(reads_group(&w, &g, &sam).await, 403);
    assert_eq!(reads_group(&w, &g, &kim).await, 403);
    assert_eq!(reads_group(&w, &g, &max).await, 200);
    assert_eq!(
        listed_groups(&w, carl).await,
        std::slice::from_ref(&g),
        "a basic user lists only their groups"
    );
    assert!(
        listed_groups(&w, &sam).await.is_empty(),
        "send-message lists none, even their own"
    );
    assert_eq!(listed_groups(&w, &max).await, std::slice::from_ref(&g));
    let mut all = listed_groups(&w, &w.viewer).await;
    all.sort();
    let mut both = vec![g.clone(), h.clone()];
    both.sort();
    assert_eq!(all, both);

    // Max may set Carl's cover for Payments, not for all of Carl's groups.
    let entry = |cover: Value| {
        json!({"starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-03-01T00:00:00Z",
               "cover": cover})
    };
    let path = format!("/users/{}/out-of-office", carl.id);
    let mine = w
        .call(
            Method::POST,
            &path,
            &max,
            Some(entry(json!({"groups": {g.clone(): sam.id}}))),
        )
        .await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    let removed = w
        .call(
            Method::DELETE,
            &format!("{path}/{}", mine.json["id"].as_str().unwrap()),
            &max,
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.text);
    let all_groups = w
        .call(
            Method::POST,
            &path,
            &max,
            Some(entry(json!({"all": sam.id}))),
        )
        .await;
    assert_problem(&all_groups, 403);
    let by_admin = w
        .call(
            Method::POST,
            &path,
            &w.admin,
            Some(entry(json!({"all": sam.id}))),
        )
        .await;
    assert_eq!(by_admin.status, 201, "{}", by_admin.text);
    let not_theirs = w
        .call(
            Method::DELETE,
            &format!("{path}/{}", by_admin.json["id"].as_str().unwrap()),
            &max,
            None,
        )
        .await;
    assert_problem(&not_theirs, 403);
}

/// Accounts stored before seats were counted have no counter: the first change that needs one
/// counts the account's users and makes it, on every path — the API and reconcile alike.
async fn an_account_from_before_seats_were_counted_is_counted_when_first_needed(store: &TestStore) {
    let w = World::new(store).await;
    let account = AccountId::parse("acme").unwrap();
    let seats = roster_domain::keys::seats(&account);
    store
        .table
        .transact(vec![roster_domain::ports::table::Write::delete(
            seats.clone(),
            None,
        )])
        .await
        .unwrap();
    // Owner, admin, basic, viewer and integrations admin hold a seat each.
    let made = w.create(&w.admin, "newcomer").await;
    assert_eq!(made.status, 201, "{}", made.text);
    let counter = store.table.get(&seats).await.unwrap().expect("counted");
    assert_eq!(counter.attrs["count"], json!(6));
    // Seats for exactly those six: reconcile's next create is refused, with the reason.
    w.roster
        .update_account(&acme(), None, Some(6))
        .await
        .unwrap();
    let refused = w.create(&w.admin, "one-too-many").await;
    assert_problem(&refused, 409);
    assert_eq!(refused.json["type"], "/problems/seats-exhausted");
    // Counted afresh when already full, the answer is the same.
    store
        .table
        .transact(vec![roster_domain::ports::table::Write::delete(
            seats.clone(),
            None,
        )])
        .await
        .unwrap();
    let refused = w.create(&w.admin, "one-too-many").await;
    assert_problem(&refused, 409);
    assert_eq!(refused.json["used"], json!(6));
    let file = format!(
        "accounts:\n  - id: acme\n    name: acme corp\n    owner: {}\n    seats: 7\n    users:\n      - {{ email: {}, first_name: Owner, last_name: acme }}\n      - {{ email: extra@acme.example, first_name: Ex, last_name: Tra }}\n      - {{ email: more@acme.example, first_name: Mo, last_name: Re }}\n",
        w.stored(&w.owner).await.email,
        w.stored(&w.owner).await.email,
    );
    let desired = roster_config::load("acme.yaml", &file).unwrap();
    let plan = w.roster.plan(&desired).await.unwrap();
    let report = w
        .roster
        .apply(&desired, &plan, &Default::default())
        .await
        .unwrap();
    let failures: Vec<String> = report.accounts[0]
        .failures
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    assert_eq!(
        failures.len(),
        1,
        "one create fits the seventh seat: {failures:?}"
    );
    assert!(failures[0].contains("seats"), "{failures:?}");
}
