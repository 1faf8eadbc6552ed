//! `cargo xtask generate` (an alias in `.cargo/config.toml`): writes the files the code
//! generates and the tests compare — `infra/template.yaml`, which needs the black-box harness to
//! observe what each function calls, and the plan renderings under
//! `shared/config/tests/snapshots/`. (`roster.schema.json` has its own writer, `roster schema`.) A test target without the test harness and left out of `cargo test`
//! (`test = false`), so that it may use the harness's modules and `roster-under-test`.

// The black-box binary's own modules, here for the observation code they hold: the tests in
// them are not compiled (no test harness), so much of them is unused here.
#![allow(dead_code, unused_imports)]

#[path = "access_matrix.rs"]
mod access_matrix;
#[path = "../../shared/config/tests/common/every_change.rs"]
mod every_change;
#[path = "observed.rs"]
mod observed;
#[path = "reminders.rs"]
mod reminders;
#[path = "template.rs"]
mod template;
#[path = "world.rs"]
mod world;

/// The `roster` binary the harness's servers run.
const ROSTER: &str = env!("CARGO_BIN_EXE_roster-under-test");

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    match std::env::args().nth(1).as_deref() {
        Some("generate") => {
            let text = template::generated().await;
            std::fs::write(template::TEMPLATE, text).expect("write infra/template.yaml");
            println!("wrote infra/template.yaml");
            let snapshots = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/config/tests/snapshots"
            );
            for (name, text) in every_change::snapshots() {
                let path = format!("{snapshots}/{name}");
                std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {path}: {e}"));
                println!("wrote shared/config/tests/snapshots/{name}");
            }
            std::process::ExitCode::SUCCESS
        }
        other => {
            eprintln!("usage: cargo xtask generate (got {other:?})");
            std::process::ExitCode::from(2)
        }
    }
}
