//! SCIM compliance, checked by a client no one here wrote: the python-scim project's
//! `scim2-tester` (pinned in `.tools/scim` by `./scripts/tools`) runs its discovery, CRUD,
//! PATCH and attribute checks against `roster serve` on a fresh account, through a SCIM token.
//! No check may end in ERROR, CRITICAL or DEVIATION; the counts are printed (`--nocapture`) for
//! the record.

use roster_domain::access::Actor;
use roster_domain::values::{AccountId, TokenName};
use roster_tests::TestStore;
use roster_tests::checker::run_python;

use crate::world::World;

#[tokio::test(flavor = "multi_thread")]
async fn scim2_tester_finds_no_error_critical_result_or_deviation() {
    let store = TestStore::sqlite().await;
    let w = World::new(&store).await;
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let (_, secret) = w
        .roster
        .create_scim_token(&acme, TokenName::parse("scim2-tester").unwrap())
        .await
        .unwrap();
    let base = format!("{}/scim/v2", w.server.http.base());
    let run = run_python(
        "scim",
        "tests/contract/scim_check.py",
        vec![base],
        vec![("ROSTER_SCIM_TOKEN", secret.reveal().to_owned())],
    )
    .await;
    let report = run.stdout();
    println!("scim2-tester:\n{report}");
    assert!(
        run.succeeded(),
        "scim2-tester found failures:\n{report}\n{}",
        run.stderr()
    );
    let counts = run.summary();
    for failing in ["ERROR", "CRITICAL", "DEVIATION"] {
        assert!(counts.get(failing).is_none(), "{failing}: {counts}");
    }
    assert!(
        counts["SUCCESS"].as_u64().unwrap_or(0) >= 50,
        "the checker ran its checks: {counts}"
    );
}
