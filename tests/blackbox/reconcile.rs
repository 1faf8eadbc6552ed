//! Roster as code (SPEC.md §7) against both stores: apply and idempotence, drift made through
//! the API and repaired, an interrupted apply converging, the removal breaker, problems with
//! their positions, and planning 10,000 users.

use std::sync::Arc;

use http::Method;
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::ports::clock::{SystemClock, UlidSource};
use roster_domain::reconcile::{
    ApplyOptions, Change, DesiredRoster, Unmanaged, UserField, plan_account,
};
use roster_domain::usecases::{Roster, Settings};
use roster_domain::values::{AccountId, ContactMethodKind, Email, PersonName, Role, UserId};
use roster_tests::faults::FailingTable;
use roster_tests::synth::{big_roster_yaml, live_from};
use roster_tests::{TestServer, TestStore, for_each_store, token_for};
use serde_json::json;

use crate::ROSTER;

for_each_store!(
    apply_then_plan_is_empty_and_drift_is_found_and_repaired,
    an_interrupted_apply_converges_when_run_again,
    the_removal_breaker_refuses_and_writes_nothing,
    a_dumped_account_validates_and_plans_to_no_changes,
);

pub(crate) const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../accounts.example.yaml");

pub(crate) fn example() -> DesiredRoster {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    roster_config::load("accounts.example.yaml", &text).expect("the example is valid")
}

pub(crate) async fn apply(roster: &Roster, desired: &DesiredRoster) {
    let plan = roster.plan(desired).await.unwrap();
    let report = roster
        .apply(desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!(report.failures(), 0, "{report:?}");
}

async fn apply_then_plan_is_empty_and_drift_is_found_and_repaired(store: &TestStore) {
    let roster = store.roster();
    let desired = example();
    apply(&roster, &desired).await;
    let plan = roster.plan(&desired).await.unwrap();
    assert!(!plan.has_drift(), "a second plan is empty: {plan:#?}");

    // Drift, through the HTTP API, as the Owner.
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let id_of = |email: &str| {
        let roster = roster.clone();
        let acme = acme.clone();
        let email = roster_domain::values::Email::parse(email).unwrap();
        async move {
            roster
                .user_id_by_email(acme.account(), &email)
                .await
                .unwrap()
                .to_string()
        }
    };
    let owner = id_of("ana.silva@acme.example").await;
    let token = token_for("acme", &owner, jiff::SignedDuration::from_hours(1));
    let server = TestServer::start_with(ROSTER, store, &[]).await;
    let http = &server.http;
    let bruno = id_of("bruno.costa@acme.example").await;
    let dana = id_of("dana.whitfield@acme.example").await;
    let chidi = id_of("chidi.okafor@acme.example").await;
    let edits = [
        (
            Method::PATCH,
            format!("/users/{bruno}"),
            json!({"first_name": "Bruninho"}),
        ),
        (
            Method::POST,
            format!("/users/{dana}/contact-methods"),
            json!({"method": "email-personal", "value": "dana@home.example"}),
        ),
    ];
    for (method, path, body) in edits {
        let reply = http.call(method, &path, Some(&token), Some(body)).await;
        assert!(reply.status < 300, "{}", reply.text);
    }
    let reply = http
        .call(
            Method::DELETE,
            &format!("/users/{chidi}/roles/integrations-admin"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = http
        .call(
            Method::POST,
            "/users",
            Some(&token),
            Some(json!({"email": "walk.in@acme.example", "first_name": "Walk", "last_name": "In"})),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);

    let plan = roster.plan(&desired).await.unwrap();
    let acme_plan = &plan.accounts[0];
    let email = |e: &str| Email::parse(e).unwrap();
    let id = |i: &str| UserId::parse(i).unwrap();
    let expected = vec![
        Change::UpdateUser {
            email: email("bruno.costa@acme.example"),
            user_id: id(&bruno),
            field: UserField::FirstName {
                from: PersonName::parse("Bruninho").unwrap(),
                to: PersonName::parse("Bruno").unwrap(),
            },
        },
        Change::AddRole {
            email: email("chidi.okafor@acme.example"),
            user_id: id(&chidi),
            role: Role::IntegrationsAdmin,
        },
        Change::RemoveContact {
            email: email("dana.whitfield@acme.example"),
            user_id: id(&dana),
            method: ContactMethodKind::EmailPersonal,
        },
    ];
    assert_eq!(acme_plan.changes, expected, "exactly the three drifts");
    assert!(acme_plan.blocked.is_empty());
    let walk_in = Unmanaged {
        email: email("walk.in@acme.example"),
        managed_by: ManagedBy::Api,
    };
    assert_eq!(acme_plan.unmanaged, std::slice::from_ref(&walk_in));
    assert_eq!(plan.accounts[1].drift(), 0, "globex untouched");

    let report = roster
        .apply(&desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    assert_eq!(report.failures(), 0);
    let after = roster.plan(&desired).await.unwrap();
    assert!(!after.has_drift(), "repaired: {after:#?}");
    assert_eq!(
        after.accounts[0].unmanaged,
        [walk_in],
        "the API's user is only reported"
    );
}

async fn an_interrupted_apply_converges_when_run_again(store: &TestStore) {
    let desired = example();
    let failing = Arc::new(FailingTable::every(Arc::clone(&store.table), 7));
    let flaky = Roster::new(
        failing.clone(),
        Arc::new(store.mail.clone()),
        Arc::new(SystemClock),
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    );
    let plan = flaky.plan(&desired).await.unwrap();
    let report = flaky
        .apply(&desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    assert!(
        report.failures() > 0 && failing.failed() > 0,
        "the store failed some writes"
    );
    let roster = store.roster();
    let halfway = roster.plan(&desired).await.unwrap();
    assert!(halfway.has_drift(), "the first run did not finish");
    apply(&roster, &desired).await;
    let plan = roster.plan(&desired).await.unwrap();
    assert!(!plan.has_drift(), "a second run converges: {plan:#?}");
}

async fn the_removal_breaker_refuses_and_writes_nothing(store: &TestStore) {
    let roster = store.roster();
    let desired = example();
    apply(&roster, &desired).await;
    // acme has six config-managed users besides the Owner; dropping two is 33% > 25%.
    let mut pruned = desired.clone();
    let acme = &mut pruned.accounts[0];
    acme.prune = true;
    acme.users.retain(|u| {
        !["frank.moreau@acme.example", "grace.kim@acme.example"].contains(&u.email.as_str())
    });
    let plan = roster.plan(&pruned).await.unwrap();
    let refused = plan.accounts[0]
        .refused
        .as_ref()
        .expect("the breaker trips");
    assert_eq!((refused.removals, refused.managed), (2, 6), "{refused}");
    assert!(refused.to_string().contains("2 of 6"), "{refused}");
    let audit_before = roster
        .list_audit(
            &Actor::Operator(AccountId::parse("acme").unwrap()),
            1000,
            None,
        )
        .await
        .unwrap()
        .entries
        .len();
    let err = roster
        .apply(&pruned, &plan, &ApplyOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("max_removal_ratio"), "{err}");
    let audit_after = roster
        .list_audit(
            &Actor::Operator(AccountId::parse("acme").unwrap()),
            1000,
            None,
        )
        .await
        .unwrap()
        .entries
        .len();
    assert_eq!(audit_before, audit_after, "nothing was written");
    assert!(
        !roster.plan(&desired).await.unwrap().has_drift(),
        "the account is as it was"
    );
    // Allowed for this run, the removals happen.
    let options = ApplyOptions {
        allow_removals: true,
        ..Default::default()
    };
    let report = roster.apply(&pruned, &plan, &options).await.unwrap();
    assert_eq!(report.failures(), 0);
    assert!(!roster.plan(&pruned).await.unwrap().has_drift());
}

async fn a_dumped_account_validates_and_plans_to_no_changes(store: &TestStore) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    let mut accounts = Vec::new();
    for id in ["acme", "globex"] {
        accounts.push(
            roster
                .live_account(&AccountId::parse(id).unwrap())
                .await
                .unwrap(),
        );
    }
    let yaml = roster_config::dump(&accounts).unwrap();
    let dumped =
        roster_config::load("dumped.yaml", &yaml).unwrap_or_else(|p| panic!("{p:?}\n{yaml}"));
    let plan = roster.plan(&dumped).await.unwrap();
    assert!(!plan.has_drift(), "{plan:#?}");
    assert!(
        plan.accounts
            .iter()
            .all(|a| a.adopt.is_empty() && a.unmanaged.is_empty())
    );
}

#[test]
fn every_problem_is_reported_with_its_line_and_column() {
    let text = "\
accounts:
  - id: acme
    name: Acme
    owner: ana@acme.example
    colour: blue
    users:
      - email: ana@acme.example
        first_name: Ana
        last_name: Silva
        roles: [App Admin, Wizard]
        contact_methods:
          - { method: sms-personal, value: \"not a phone\" }
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.yaml");
    std::fs::write(&path, text).unwrap();
    let out = std::process::Command::new(ROSTER)
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("roster.yaml:"))
        .collect();
    let file = path.display().to_string();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(
        lines[0].starts_with(&format!("{file}:5:5: unknown key `colour`")),
        "{}",
        lines[0]
    );
    // Columns count from 1: `Wizard` starts at 28, the quoted value at 44.
    assert!(
        lines[1].starts_with(&format!("{file}:10:28: role \"Wizard\"")),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("{file}:12:44: `value` ")),
        "{}",
        lines[2]
    );
}

#[test]
fn ten_thousand_users_validate_and_plan_to_no_changes() {
    let yaml = big_roster_yaml(10_000, 40);
    let desired = roster_config::load("big.yaml", &yaml)
        .unwrap_or_else(|p| panic!("{:?}", &p[..p.len().min(5)]));
    let account = &desired.accounts[0];
    assert_eq!(account.users.len(), 10_000);
    let live = live_from(account);
    let plan = plan_account(account, &live);
    assert_eq!(
        plan.drift(),
        0,
        "{:?}",
        &plan.changes[..plan.changes.len().min(5)]
    );
    assert!(plan.unmanaged.is_empty() && plan.kept.is_empty());
}

#[test]
fn the_committed_schema_is_the_one_the_types_make() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../roster.schema.json"))
        .expect("roster.schema.json at the project root; write it with `roster schema > roster.schema.json`");
    assert_eq!(
        committed,
        roster_config::schema(),
        "run `roster schema > roster.schema.json`"
    );
}
