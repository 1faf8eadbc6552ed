//! SCIM compliance, checked by a client no one here wrote: the python-scim project's
//! `scim2-tester` (pinned in `.tools/scim` by `./scripts/tools`) runs its discovery, CRUD,
//! PATCH and attribute checks against `roster serve` on a fresh account, through a SCIM token.
//! No check may end in ERROR; the counts are printed (`--nocapture`) for the record.

use std::path::Path;
use std::process::Command;

use roster_domain::access::Actor;
use roster_domain::values::{AccountId, TokenName};
use roster_tests::TestStore;

use crate::world::World;

#[tokio::test(flavor = "multi_thread")]
async fn scim2_tester_finds_no_error() {
    let store = TestStore::sqlite().await;
    let w = World::new(&store).await;
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let (_, secret) = w
        .roster
        .create_scim_token(&acme, TokenName::parse("scim2-tester").unwrap())
        .await
        .unwrap();
    let base = format!("{}/scim/v2", w.server.http.base());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    let python = root.join(".tools/scim/bin/python");
    let secret = secret.reveal().to_owned();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(root.join("tests/contract/scim_check.py"))
            .arg(&base)
            .env("ROSTER_SCIM_TOKEN", secret)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} is needed (./scripts/test installs it): {e}",
                    python.display()
                )
            })
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    println!("scim2-tester:\n{report}");
    assert!(
        run.status.success(),
        "scim2-tester found errors:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let counts: serde_json::Value =
        serde_json::from_str(report.lines().last().unwrap_or_default()).unwrap();
    assert!(counts.get("ERROR").is_none(), "{counts}");
    assert!(
        counts["SUCCESS"].as_u64().unwrap_or(0) >= 50,
        "the checker ran its checks: {counts}"
    );
}
