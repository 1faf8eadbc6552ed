//! The admin console in a real browser (SPEC.md §11): Debian's Chromium, driven by Playwright for
//! Python (both installed by `./scripts/test`), against `roster serve` on SQLite. The account is
//! seeded here; `roster console` prints the sign-in links, as a person would run it; the flows
//! themselves are in `tests/console/console_check.py`. What the browser changed is read back
//! past the API afterwards.
//!
//! Screenshots go to `target/console-screenshots/`; `ROSTER_CONSOLE_SCREENSHOTS=docs/console
//! ./scripts/test console` writes the README's.

use std::process::Command;

use http::Method;
use roster_domain::access::Actor;
use roster_domain::usecases::{NewContactInput, ShiftInput};
use roster_domain::values::{AccountId, Email, GroupId, UserId};
use roster_tests::TestStore;
use roster_tests::checker::{root, run_python};
use serde_json::{Value, json};

use crate::ROSTER;
use crate::world::{Person, World};

/// A one-time sign-in link for `email`, printed by `roster console`.
fn sign_in_link(store: &TestStore, base: &str, email: &str) -> String {
    let out = Command::new(ROSTER)
        .args([
            "--store",
            &store.url(),
            "console",
            "--account",
            "acme",
            "--user",
            email,
        ])
        .args(["--url", base])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        link.starts_with(&format!("{base}/console/#sign-in=")),
        "{link}"
    );
    link
}

async fn email_of(w: &World, who: &Person) -> String {
    let me = w.get_user(who, who).await;
    me.json["email"].as_str().unwrap().to_owned()
}

fn named(w: &World, person: &Person, first: &str, last: &str, email_name: &str) -> Value {
    json!({"id": person.id, "name": format!("{first} {last}"), "email": w.email(email_name)})
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_flows_pass_in_chromium() {
    let store = TestStore::sqlite().await;
    // As a person runs it: the invitations' links open this very server's console.
    let w = World::at_its_own_address(&store).await;
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let (dan, eve, fay, rita) = (
        w.new_target("dan").await,
        w.new_target("eve").await,
        w.new_target("fay").await,
        w.new_target("rita").await,
    );
    // Dan is the only primary of Payments, which Eve manages, and on its shift right now.
    let group = w
        .group(
            "Payments",
            &[
                (&dan, json!({"primary": true})),
                (&eve, json!({"manager": true})),
            ],
        )
        .await;
    let started = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let shift = ShiftInput {
        name: Some("Nights".into()),
        starts_at: Some(started.strftime("%Y-%m-%dT%H:%M").to_string()),
        duration_minutes: Some(600),
        repeat: Some("daily".into()),
        user_ids: Some(vec![dan.id.clone()]),
        ..Default::default()
    };
    let group_id = GroupId::parse(&group).unwrap();
    w.roster
        .create_shift(&acme, &group_id, &shift)
        .await
        .unwrap();
    // Rita has methods enough to reorder.
    let rita_id = UserId::parse(&rita.id).unwrap();
    for (method, value) in [
        ("sms-personal", "+1 404 555 0101"),
        ("phone-personal", "+1 404 555 0102"),
    ] {
        let contact = NewContactInput {
            method: Some(method.into()),
            value: Some(value.into()),
            ..Default::default()
        };
        w.roster
            .add_contact(&acme, &rita_id, &contact)
            .await
            .unwrap();
    }
    let rita_methods = w.stored(&rita).await.contact_methods.len();

    let base = w.server.http.base().to_owned();
    let owner_email = email_of(&w, &w.owner).await;
    let basic_email = email_of(&w, &w.basic).await;
    let new_emails = [w.email("nadia"), w.email("omar")];
    let shots = std::env::var("ROSTER_CONSOLE_SCREENSHOTS")
        .map(|dir| root().join(dir))
        .unwrap_or_else(|_| root().join("target/console-screenshots"));
    let fixture = json!({
        "base": base,
        "chromium": std::env::var("ROSTER_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
        "axe": root().join(".tools/axe/node_modules/axe-core/axe.min.js"),
        "screenshots": shots,
        "links": {
            "owner": sign_in_link(&store, &base, &owner_email),
            "axe": sign_in_link(&store, &base, &owner_email),
            "basic": sign_in_link(&store, &base, &basic_email),
        },
        "owner": {"name": "Owner acme", "id": w.owner.id},
        "roster": ROSTER,
        "store": store.url(),
        "signing_key": roster_tests::TEST_SIGNING_KEY,
        "kid": roster_local::KeyFile::from_pem(roster_tests::TEST_SIGNING_KEY).unwrap().public().kid,
        "on_shift": named(&w, &dan, "dan", "Target", "dan"),
        "manager": named(&w, &eve, "eve", "Target", "eve"),
        "free": named(&w, &fay, "fay", "Target", "fay"),
        "reorder": {"id": rita.id, "methods": rita_methods},
        "group": group,
        "new_emails": new_emails,
        "outbox": w.server.outbox().expect("roster serve on SQLite mails into a folder"),
    });

    let run = run_python(
        "browser",
        "tests/console/console_check.py",
        vec![fixture.to_string()],
        Vec::new(),
    )
    .await;
    let report = run.stdout();
    println!("{report}");
    assert!(
        run.succeeded(),
        "the console's flows failed in Chromium:\n{}\n{report}",
        run.stderr()
    );
    let summary = run.summary();
    assert_eq!(summary["flows"].as_array().unwrap().len(), 18, "{summary}");

    // The first load of the Users page: at most 3 API calls, under 150 KB.
    let load = &summary["users_page"];
    assert!(load["api_calls"].as_u64().unwrap() <= 3, "{load}");
    assert!(load["bytes"].as_u64().unwrap() < 150 * 1024, "{load}");
    assert_eq!(
        summary["axe"].as_object().unwrap().len(),
        11,
        "every page was checked (the sign-in, forgot-password and set-password pages too)"
    );
    for (page, found) in summary["axe"].as_object().unwrap() {
        assert!(
            found["passes"].as_u64().unwrap() > 10,
            "axe ran on {page}: {found}"
        );
        for violation in found["violations"].as_array().unwrap() {
            assert!(
                !["serious", "critical"].contains(&violation["impact"].as_str().unwrap()),
                "{page}: {violation}"
            );
        }
    }

    // What the browser did is what is stored.
    for email in &new_emails {
        w.roster
            .user_id_by_email(
                &AccountId::parse("acme").unwrap(),
                &Email::parse(email).unwrap(),
            )
            .await
            .unwrap_or_else(|e| panic!("{email} was added through the console: {e}"));
    }
    assert_eq!(
        w.get_user(&fay, &w.admin).await.status,
        404,
        "Fay was deleted"
    );
    assert_eq!(w.get_user(&dan, &w.admin).await.status, 200, "Dan was not");
    let order: Vec<String> = w
        .stored(&rita)
        .await
        .contact_methods
        .iter()
        .map(|m| m.method.id().to_owned())
        .collect();
    assert_eq!(json!(order), summary["order_after_reload"]);
    let roles = w.stored(&rita).await.roles;
    assert_eq!(roles.len(), 1, "Rita kept only Basic: {roles:?}");
    let members = w
        .call(Method::GET, &format!("/groups/{group}"), &w.admin, None)
        .await;
    let dan_there = members.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(dan.id))
        .unwrap();
    assert_eq!(
        dan_there["primary"],
        json!(true),
        "the refused change left Dan primary"
    );
    let shifts: Vec<&str> = members.json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(shifts.contains(&"Weekend"), "{shifts:?}");
}
