//! The load run: 200 clients for 30 s against `roster serve` on SQLite over loopback, each
//! creating (one create in five replayed with its Idempotency-Key), reading, listing, adding
//! contact methods to and deleting users of its own. No 5xx, no answer the step should not get,
//! and the account read back afterwards holds exactly what the clients were told. Latency
//! figures come from the release build: `cargo bench -p roster-tests --bench load`.

use std::time::Duration;

use roster_tests::load::{self, Op, Target};

use crate::ROSTER;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_clients_for_thirty_seconds_lose_nothing() {
    let target = Target::start(ROSTER).await;
    let (http, token) = (&target.server.http, target.token.as_str());

    let report = load::run(http, token, 200, Duration::from_secs(30)).await;
    eprintln!("{}", report.table());

    assert_eq!(report.server_errors(), 0, "{:?}", report.statuses);
    assert!(
        report.unexpected.is_empty(),
        "{} unexpected answers, the first: {:#?}",
        report.unexpected.len(),
        &report.unexpected[..report.unexpected.len().min(10)]
    );
    for op in Op::ALL {
        assert!(report.count(op) > 0, "the run did no {op:?}");
    }
    let differences = load::differences(http, token, &report).await;
    assert!(differences.is_empty(), "{differences:#?}");
}
