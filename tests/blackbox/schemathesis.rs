//! Contract tests: schemathesis derives requests from `openapi.yaml` (valid ones and, as far as
//! the schema says, invalid ones; single calls and chains that reuse what earlier answers
//! returned) and runs them against `roster serve` on SQLite. Every check it has must pass, once
//! with an admin's token and once with a basic user's: no 5xx, every status, header, content type
//! and body as the spec documents it, schema-valid input accepted, schema-invalid input refused.
//! Settings live in tests/contract/.

use std::path::{Path, PathBuf};
use std::process::Command;

use roster_tests::TestStore;

use crate::world::World;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Runs schemathesis with `token` against `base`, panicking with its report unless it passes.
fn schemathesis(base: &str, token: &str, self_id: &str) {
    let root = workspace();
    let st = root.join(".tools/schemathesis/bin/st");
    let scratch = tempfile::tempdir().unwrap();
    let run = Command::new(&st)
        .current_dir(scratch.path())
        .env("SCHEMATHESIS_HOOKS", root.join("tests/contract/hooks.py"))
        .env("ROSTER_TOKEN", token)
        .env("ROSTER_SELF_ID", self_id)
        .arg("--config-file")
        .arg(root.join("tests/contract/schemathesis.toml"))
        .arg("run")
        .arg(root.join("openapi.yaml"))
        .args(["--url", base, "--checks", "all", "--no-color"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} is needed (./scripts/test installs it): {e}",
                st.display()
            )
        });
    let report = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "schemathesis failed:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_with_an_admin_token() {
    // The store outlives the server that uses it: a temporary dropped here would delete the
    // SQLite file (and its WAL) from under `roster serve`.
    let store = TestStore::sqlite().await;
    let world = World::new(&store).await;
    let base = world.server.http.base().to_owned();
    let (token, id) = (world.admin.token.clone(), world.admin.id.clone());
    tokio::task::spawn_blocking(move || schemathesis(&base, &token, &id))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn schemathesis_with_a_basic_token() {
    // The store outlives the server that uses it: a temporary dropped here would delete the
    // SQLite file (and its WAL) from under `roster serve`.
    let store = TestStore::sqlite().await;
    let world = World::new(&store).await;
    let base = world.server.http.base().to_owned();
    let (token, id) = (world.basic.token.clone(), world.basic.id.clone());
    tokio::task::spawn_blocking(move || schemathesis(&base, &token, &id))
        .await
        .unwrap();
}
