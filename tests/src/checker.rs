//! Checkers no one here wrote, run as they are: a Python script in one of the pinned
//! environments `./scripts/tools` installs under `.tools/`, off the async threads. The script's
//! last line of standard output is its JSON summary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_owned()
}

/// What a checker printed and how it ended.
pub struct Checked {
    pub output: Output,
}

impl Checked {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn succeeded(&self) -> bool {
        self.output.status.success()
    }

    /// The last line of standard output, as JSON.
    pub fn summary(&self) -> serde_json::Value {
        let stdout = self.stdout();
        serde_json::from_str(stdout.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("no JSON summary ({e}) in:\n{stdout}\n{}", self.stderr()))
    }
}

/// Runs `.tools/<environment>/bin/python <script> <args…>` with `env` added.
pub async fn run_python(
    environment: &str,
    script: &str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
) -> Checked {
    let root = root();
    let python = root.join(".tools").join(environment).join("bin/python");
    let script = root.join(script);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .arg(script)
            .args(args)
            .envs(env)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} is needed (./scripts/test installs it): {e}",
                    python.display()
                )
            })
    })
    .await
    .expect("the checker's thread");
    Checked { output }
}
