//! A reminder run over many accounts on DynamoDB (moto): 100 accounts, each with 50 weekly
//! shifts over a 20-member group (two people a shift) and everyone reminded an hour before.
//! Seeded as stored items, then two runs: one with nothing due, one when the first shift of
//! every account is an hour away (two reminders an account). Prints the wall time and the
//! requests by operation, counted at the ports. Needs moto: run through
//! `./scripts/bench reminders`.
//!
//!   cargo bench -p roster-tests --bench reminders [-- ACCOUNTS]

use std::sync::Arc;
use std::time::Instant;

use roster_domain::ports::clock::{SystemClock, UlidSource};
use roster_domain::usecases::{Roster, Settings};
use roster_domain::values::{AccountId, Reminder, ReminderUnit, Reminders};
use roster_tests::TestStore;
use roster_tests::observe::{ObservedMailer, ObservedTable, Seen};
use roster_tests::synth::{rota, seed};

const SHIFTS: usize = 50;
const MEMBERS: usize = 20;
const PER_SHIFT: usize = 2;

#[tokio::main]
async fn main() {
    let accounts: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map_or(100, |a| a.parse().expect("ACCOUNTS is a number"));
    let store = TestStore::dynamodb().await;
    let hour = Reminders::new(vec![Reminder::new(1, ReminderUnit::Hours).unwrap()]).unwrap();
    let mut users = 0;
    for n in 0..accounts {
        let mut live = rota(MEMBERS, SHIFTS, PER_SHIFT);
        let account = live.account.as_mut().expect("the synthetic account");
        account.id = AccountId::parse(&format!("acct{n:03}")).unwrap();
        for user in &mut live.users {
            user.on_call_reminders = hour.clone();
        }
        users += live.users.len();
        seed(store.table.as_ref(), &live).await;
    }
    let seen = Seen::default();
    let roster = Roster::new(
        Arc::new(ObservedTable {
            inner: Arc::clone(&store.table),
            seen: seen.clone(),
        }),
        Arc::new(ObservedMailer {
            inner: Arc::new(store.mail.clone()),
            seen: seen.clone(),
        }),
        Arc::new(SystemClock),
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    );
    println!(
        "\nA reminder run over {accounts} accounts × {SHIFTS} shifts ({users} users) on moto\n"
    );
    println!(
        "| run | shifts read | due | sent | wall (s) | Query | BatchGetItem | TransactWriteItems | GetItem | SendEmail |"
    );
    println!("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    // Shift 0 of every account starts Monday 7 December 2026, 00:00 New York (05:00 UTC): its
    // reminders fall due at 04:00 UTC. Due times are on the hour or half hour (Kolkata, Lord
    // Howe), so nothing falls due in the ten minutes before 03:45.
    for (name, at) in [
        ("nothing due", "2026-12-07T03:45:00Z"),
        ("first shifts an hour away", "2026-12-07T04:00:00Z"),
    ] {
        seen.take();
        let started = Instant::now();
        let run = roster
            .send_due_reminders(Some(at.parse().unwrap()))
            .await
            .unwrap();
        let took = started.elapsed();
        let (_, requests) = seen.take();
        println!(
            "| {name} | {} | {} | {} | {:.2} | {} | {} | {} | {} | {} |",
            run.shifts,
            run.due,
            run.sent,
            took.as_secs_f64(),
            requests.query,
            requests.batch_get_item,
            requests.transact_write_items,
            requests.get_item,
            requests.send_email,
        );
    }
}
