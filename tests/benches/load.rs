//! The load run of tests/blackbox/load.rs on the release build, for its latency figures:
//! 200 clients for 30 s against `roster serve` on SQLite over loopback. Prints a Markdown table
//! (docs/benchmarks.md keeps the last one) and fails if anything was lost or a 5xx came back.
//!
//!   cargo bench -p roster-tests --bench load [-- CLIENTS SECONDS]

use std::time::Duration;

use roster_tests::load::{self, Target};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let clients = numbers.first().copied().unwrap_or(200) as usize;
    let seconds = numbers.get(1).copied().unwrap_or(30);

    let target = Target::start(env!("CARGO_BIN_EXE_roster-under-test")).await;
    let (http, token) = (&target.server.http, target.token.as_str());

    let report = load::run(http, token, clients, Duration::from_secs(seconds)).await;
    println!("{}", report.table());
    let differences = load::differences(http, token, &report).await;
    println!(
        "5xx: {}; unexpected answers: {}; final-state differences: {}",
        report.server_errors(),
        report.unexpected.len(),
        differences.len()
    );
    assert!(report.server_errors() == 0 && report.unexpected.is_empty() && differences.is_empty());
}
