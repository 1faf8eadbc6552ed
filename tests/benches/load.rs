//! The load run of tests/blackbox/load.rs on the release build, for its latency figures:
//! 200 clients for 30 s against `roster serve` on SQLite over loopback. Prints a Markdown table
//! (docs/benchmarks.md keeps the last one) and fails if anything was lost or a 5xx came back.
//!
//!   cargo bench -p roster-tests --bench load [-- CLIENTS SECONDS]

use std::time::Duration;

use roster_cli::Jwt;
use roster_tests::{TEST_JWT_SECRET, TestServer, TestStore, load};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = numbers.first().copied().unwrap_or(200) as usize;
    let seconds = numbers.get(1).copied().unwrap_or(30);

    let store = TestStore::sqlite().await;
    let owner = store
        .account_with_owner("acme", "Acme", "ana@acme.example")
        .await;
    let token = Jwt::from_secret(TEST_JWT_SECRET.as_bytes())
        .issue(
            "acme",
            owner.id.as_str(),
            jiff::SignedDuration::from_hours(1),
        )
        .unwrap();
    let server = TestServer::start(env!("CARGO_BIN_EXE_roster-under-test"), &store).await;

    let report = load::run(&server.http, &token, clients, Duration::from_secs(seconds)).await;
    println!("{}", report.table());
    let differences = load::differences(&server.http, &token, &report).await;
    println!(
        "5xx: {}; unexpected answers: {}; final-state differences: {}",
        report.server_errors(),
        report.unexpected.len(),
        differences.len()
    );
    assert!(report.server_errors() == 0 && report.unexpected.is_empty() && differences.is_empty());
}
