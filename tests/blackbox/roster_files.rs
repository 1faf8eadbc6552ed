//! The roster files of `tests/rosters/`: each refused file says, in its header, the one problem
//! `roster validate` reports (line, column and message) and whether the JSON Schema can say it
//! too. Every meaning check of the loader has a file; an independent validator (Python's
//! `jsonschema`, installed by ./scripts/test) must refuse every file whose reason JSON Schema
//! can express, and accept every file whose reason it cannot — and every valid roster.
//! Also: `roster validate|plan|apply|dump` as processes, with their exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use roster_tests::synth::{big_roster_yaml, live_from};

use crate::cli::roster;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// What the schema does with a refused file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    Refuses,
    /// The reason is beyond JSON Schema (uniqueness, references, counts, a country's numbers).
    CannotSay,
}

struct Refused {
    path: PathBuf,
    text: String,
    /// `line:column: message`, as `roster validate` prints it after the file name.
    loader: String,
    schema: Schema,
}

fn refused() -> Vec<Refused> {
    let dir = workspace().join("tests/rosters/refused");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let header = |key: &str| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                    .unwrap_or_else(|| panic!("{} has no `# {key}:` line", path.display()))
                    .to_owned()
            };
            let schema = match header("schema") {
                s if s == "refuses" => Schema::Refuses,
                s if s.starts_with("cannot say (") => Schema::CannotSay,
                other => panic!("{}: `# schema: {other}`", path.display()),
            };
            Refused {
                loader: header("loader"),
                schema,
                text,
                path,
            }
        })
        .collect()
}

#[test]
fn every_meaning_check_refuses_its_file_at_the_line_and_column_of_the_mistake() {
    let cases = refused();
    for stem in [
        "duplicate-email",
        "duplicate-username",
        "owner-not-a-user",
        "owner-not-standard",
        "member-not-a-user",
        "billing-admin-in-a-group",
        "push-method",
        "seats-exceeded",
        "previously-is-a-group",
        "previously-of-two-groups",
        "group-declared-twice",
        "member-listed-twice",
        "method-listed-twice",
        "account-declared-twice",
        "group-without-a-primary-or-secondary",
        "roles-for-a-stakeholder",
        "contacts-for-a-billing-admin",
    ] {
        assert!(
            cases.iter().any(|c| c.path.file_stem().unwrap() == stem),
            "tests/rosters/refused/{stem}.yaml is missing"
        );
    }
    for case in &cases {
        let problems = roster_config::load("roster.yaml", &case.text)
            .expect_err(&format!("{} is refused", case.path.display()));
        let said: Vec<String> = problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.line, p.column, p.message))
            .collect();
        assert_eq!(
            said,
            std::slice::from_ref(&case.loader),
            "{}",
            case.path.display()
        );
    }
}

/// The independent validator's complaints about each file, by path.
fn schema_verdicts(files: &[PathBuf]) -> serde_json::Map<String, serde_json::Value> {
    let root = workspace();
    let python = root.join(".tools/venv/bin/python");
    let out = Command::new(&python)
        .arg(root.join("tests/rosters/check_schema.py"))
        .arg(root.join("roster.schema.json"))
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} with jsonschema is needed (./scripts/test installs it): {e}",
                python.display()
            )
        });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_schema_refuses_what_the_loader_refuses_wherever_json_schema_can_say_it() {
    let cases = refused();
    // Valid rosters too: the example, a 1,000-user roster, and that roster as `dump` writes it.
    let scratch = tempfile::tempdir().unwrap();
    let big = scratch.path().join("big.yaml");
    let yaml = big_roster_yaml(1_000, 4);
    std::fs::write(&big, &yaml).unwrap();
    let loaded = roster_config::load("big.yaml", &yaml).unwrap();
    let dumped = scratch.path().join("dumped.yaml");
    std::fs::write(
        &dumped,
        roster_config::dump(&[live_from(&loaded.accounts[0])]).unwrap(),
    )
    .unwrap();
    let valid = [workspace().join("accounts.example.yaml"), big, dumped];
    let mut files: Vec<PathBuf> = cases.iter().map(|c| c.path.clone()).collect();
    files.extend(valid.iter().cloned());
    let verdicts = schema_verdicts(&files);
    let complaints = |path: &Path| -> Vec<String> {
        verdicts[path.to_str().unwrap()]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for path in &valid {
        assert_eq!(complaints(path), Vec::<String>::new(), "{}", path.display());
    }
    for case in &cases {
        let said = complaints(&case.path);
        match case.schema {
            Schema::Refuses => assert!(
                !said.is_empty(),
                "the loader refuses {} ({}) and the schema should too",
                case.path.display(),
                case.loader
            ),
            Schema::CannotSay => assert!(
                said.is_empty(),
                "the schema refuses {} for a reason it was not expected to say: {said:?}",
                case.path.display()
            ),
        }
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn validate_plan_apply_and_dump_exit_0_1_or_2_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(workspace().join("accounts.example.yaml")).unwrap();
    std::fs::write(dir.path().join("roster.yaml"), &example).unwrap();
    let broken = refused().remove(0);
    std::fs::write(dir.path().join("broken.yaml"), &broken.text).unwrap();
    // Half pruned: acme prunes and drops two of its six config-managed users (33% > 25%).
    let half = example.replacen("prune: false", "prune: true", 1).replacen(
        "      - email: frank.moreau@acme.example
        first_name: Frank
        last_name: Moreau
        user_type: stakeholder
        external_id: HR-10442
      - email: grace.kim@acme.example
        first_name: Grace
        last_name: Kim
        user_type: billing-admin
",
        "",
        1,
    );
    assert_ne!(half, example.replacen("prune: false", "prune: true", 1));
    std::fs::write(dir.path().join("half.yaml"), &half).unwrap();
    let d = dir.path();

    assert_eq!(code(&roster(d, &["validate", "roster.yaml"])), 0);
    assert_eq!(code(&roster(d, &["validate", "broken.yaml"])), 1);
    assert_eq!(code(&roster(d, &["plan", "broken.yaml"])), 1);
    assert_eq!(code(&roster(d, &["apply", "broken.yaml"])), 1);
    assert_eq!(
        code(&roster(d, &["plan", "roster.yaml"])),
        2,
        "changes present"
    );
    let applied = roster(d, &["apply", "roster.yaml"]);
    assert_eq!(
        code(&applied),
        0,
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert_eq!(code(&roster(d, &["plan", "roster.yaml"])), 0, "no changes");

    // What apply would refuse, plan says in every rendering, and exits 1.
    for (output, refusal) in [
        (
            "text",
            "  ! refused: the file would delete 2 of 6 config-managed users",
        ),
        (
            "json",
            "\"refused\": \"the file would delete 2 of 6 config-managed users",
        ),
        (
            "markdown",
            "> **Refused:** the file would delete 2 of 6 config-managed users",
        ),
    ] {
        let planned = roster(d, &["plan", "half.yaml", "--output", output]);
        assert_eq!(code(&planned), 1, "{output}");
        assert!(
            stdout(&planned).contains(refusal),
            "{output}:\n{}",
            stdout(&planned)
        );
    }
    let refused = roster(d, &["apply", "half.yaml"]);
    assert_eq!(code(&refused), 1);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("max_removal_ratio"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(
        code(&roster(d, &["plan", "roster.yaml"])),
        0,
        "the refused apply changed nothing"
    );

    let dump = roster(d, &["dump", "dumped.yaml", "--account", "acme"]);
    assert_eq!(code(&dump), 0, "{}", String::from_utf8_lossy(&dump.stderr));
    assert_eq!(code(&roster(d, &["validate", "dumped.yaml"])), 0);
    assert_eq!(code(&roster(d, &["plan", "dumped.yaml"])), 0);
    assert_eq!(code(&roster(d, &["dump", "--account", "nope"])), 1);
}
