//! A company's first `roster apply` on DynamoDB (moto): a file of 10,000 users (five contact
//! methods and three memberships each, 40 groups) applied to an empty table, as `roster apply`
//! runs it (plan, then apply with 8 users at a time). Prints the wall time and the requests by
//! operation — counted at the port, as the DynamoDB adapter sends them. Needs moto: run through
//! `./scripts/bench first-apply`.
//!
//!   cargo bench -p roster-tests --bench first_apply [-- USERS]

use std::sync::Arc;
use std::time::Instant;

use roster_domain::ports::clock::{SystemClock, UlidSource};
use roster_domain::reconcile::ApplyOptions;
use roster_domain::usecases::{Roster, Settings};
use roster_tests::TestStore;
use roster_tests::observe::{ObservedTable, Seen};
use roster_tests::synth::big_roster_yaml;

#[tokio::main]
async fn main() {
    let users: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or(10_000, |a| a.parse().expect("USERS is a number"));
    let groups = (users / 250).max(4);
    let store = TestStore::dynamodb().await;
    let seen = Seen::default();
    let table = Arc::new(ObservedTable {
        inner: Arc::clone(&store.table),
        seen: seen.clone(),
    });
    let roster = Roster::new(
        table,
        Arc::new(store.mail.clone()),
        Arc::new(SystemClock),
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    );
    let desired = roster_config::load("first.yaml", &big_roster_yaml(users, groups))
        .expect("the synthetic roster loads");

    let started = Instant::now();
    let plan = roster.plan(&desired).await.unwrap();
    let planned = started.elapsed();
    let report = roster
        .apply(&desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        report.failures(),
        0,
        "{:?}",
        report.accounts[0].failures.first()
    );
    let (_, requests) = seen.take();
    let again = roster.plan(&desired).await.unwrap();
    assert!(!again.has_drift(), "a second plan is empty");

    let changes: usize = plan.accounts.iter().map(|a| a.changes.len()).sum();
    println!("\nFirst apply of {users} users ({groups} groups, {changes} changes) on moto\n");
    println!(
        "| users | plan (s) | plan + apply (s) | TransactWriteItems | GetItem | BatchGetItem | Query | invitations |"
    );
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|");
    println!(
        "| {users} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
        planned.as_secs_f64(),
        took.as_secs_f64(),
        requests.transact_write_items,
        requests.get_item,
        requests.batch_get_item,
        requests.query,
        store.mail.sent().len(),
    );
}
