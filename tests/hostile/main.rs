//! Hostile roster files: each is refused with a clear problem at its place, in bounded memory.
//!
//! A binary of its own because the bound is enforced by the global allocator: each case runs
//! alone (one lock) with the allocator capped at what was allocated before it plus
//! [`BUDGET`]; an allocation past the cap aborts this binary, which fails the run. Time needs no
//! bound of its own here: every case returns, and the run's time is the bound.

use std::alloc::System;
use std::sync::Mutex;

use cap::Cap;
use roster_config::{MAX_FILE_BYTES, MAX_PROBLEMS, Problem};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// What reading any one file may allocate beyond the text it is given: the 128 MB of the
/// reconcile function, halved for the rest of its work.
const BUDGET: usize = 64 * 1024 * 1024;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Loads `text` under the budget; the problems, or the number of users read.
fn load_capped(text: &str) -> Result<usize, Vec<Problem>> {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    ALLOCATOR
        .set_limit(ALLOCATOR.allocated() + BUDGET)
        .expect("the cap is above what is allocated");
    let loaded = roster_config::load("roster.yaml", text);
    let counted = loaded.map(|r| r.accounts.iter().map(|a| a.users.len()).sum());
    ALLOCATOR.set_limit(usize::MAX).expect("lifting the cap");
    counted
}

/// Where the problem saying `message` is, among those of a refused file.
fn problem_saying(text: &str, message: &str) -> (usize, usize) {
    let problems = load_capped(text).expect_err("the file is refused");
    let found = problems.iter().find(|p| p.message == message);
    let p = found.unwrap_or_else(|| panic!("no problem says {message:?}: {problems:#?}"));
    (p.line, p.column)
}

/// The one problem a file has: where, and what.
fn only_problem(text: &str) -> (usize, usize, String) {
    let problems = load_capped(text).expect_err("the file is refused");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = &problems[0];
    (p.line, p.column, p.message.clone())
}

const HEAD: &str = "accounts:\n  - id: acme\n    name: Acme\n    owner: ana@acme.example\n";

#[test]
fn an_alias_bomb_is_refused_at_its_first_anchor() {
    // The billion laughs: ten levels of ten aliases each would be 10^10 strings expanded.
    let mut text = String::from("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10 {
        let prev = format!("*l{}", level - 1);
        let list = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("lol{level}: &l{level} [{list}]\n"));
    }
    text.push_str(HEAD);
    let (line, column, message) = only_problem(&text);
    // The parser marks an anchored node where its value starts, after `&l0 `.
    assert_eq!((line, column), (1, 11), "{message}");
    assert_eq!(
        message,
        "anchors and aliases are not allowed in a roster file"
    );
}

#[test]
fn an_alias_alone_is_refused_too() {
    let text = format!("{HEAD}    users:\n      - *ana\n");
    let (line, column, message) = only_problem(&text);
    assert_eq!((line, column), (6, 9), "{message}");
    assert_eq!(
        message,
        "this is not valid YAML: while parsing node, found unknown anchor"
    );
}

#[test]
fn a_file_over_the_limit_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    // Valid YAML all the way (one comment line repeated), so only the size can refuse it.
    let line = format!("# {}\n", "x".repeat(1021));
    std::fs::write(&path, line.repeat(MAX_FILE_BYTES / line.len() + 1)).unwrap();
    let problems = roster_config::load_file(&path).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        format!("the file is over {MAX_FILE_BYTES} bytes, the most a roster file may be")
    );

    let text = std::fs::read_to_string(&path).unwrap();
    let problems = load_capped(&text).unwrap_err();
    assert_eq!(
        problems[0].message,
        format!("the roster is over {MAX_FILE_BYTES} bytes")
    );
}

#[test]
fn an_endless_file_is_read_no_further_than_the_limit() {
    // /dev/zero claims a size of 0 and never ends; the reader stops one byte past the limit.
    let problems = roster_config::load_file(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(
        problems[0].message.starts_with("the file is over"),
        "{problems:?}"
    );
}

#[test]
fn deep_flow_nesting_is_refused_at_the_limit() {
    let text = format!("accounts: {}", "[".repeat(1_000_000));
    let (line, _, message) = only_problem(&text);
    assert_eq!(message, "the file nests deeper than 32 levels");
    assert_eq!(line, 1);
}

#[test]
fn deep_block_nesting_is_refused_at_the_limit() {
    let mut text = String::new();
    for depth in 0..1000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("a:\n");
    }
    // The top mapping is level 1, so the mapping on line 33 is the 33rd.
    let (line, _) = problem_saying(&text, "the file nests deeper than 32 levels");
    assert_eq!(line, 33);
}

#[test]
fn a_duplicate_key_is_refused_where_it_is_repeated() {
    let text = format!(
        "{HEAD}    users:\n      - email: ana@acme.example\n        first_name: Ana\n        \
         last_name: Silva\n        email: eve@acme.example\n"
    );
    let (line, column, message) = only_problem(&text);
    assert_eq!((line, column), (9, 9));
    assert_eq!(message, "duplicate key `email`");
}

#[test]
fn a_duplicate_key_in_a_wide_mapping_is_found_too() {
    // Past a few keys the check switches from a scan to a set; both must see the repeat.
    let keys: String = (0..40).map(|k| format!("        k{k}: v\n")).collect();
    let text =
        format!("{HEAD}    users:\n      - email: ana@acme.example\n{keys}        k7: again\n");
    let (line, column, message) = only_problem(&text);
    assert_eq!((line, column), (47, 9));
    assert_eq!(message, "duplicate key `k7`");
}

#[test]
fn a_file_that_is_not_utf8_says_where_the_first_bad_byte_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    let mut bytes = HEAD.as_bytes().to_vec();
    let offset = bytes.len() + "    users:\n      - email: jos".len();
    bytes.extend_from_slice(b"    users:\n      - email: jos\xe9@acme.example\n");
    std::fs::write(&path, &bytes).unwrap();
    let problems = roster_config::load_file(&path).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].message,
        format!("the file is not UTF-8 (first bad byte at offset {offset})")
    );
}

#[test]
fn a_user_of_a_million_values_is_refused_not_held() {
    let roles = vec!["basic"; 1_000_000].join(",");
    let text = format!(
        "{HEAD}    users:\n      - email: ana@acme.example\n        first_name: Ana\n        \
         last_name: Silva\n        roles: [{roles}]\n"
    );
    let (line, column, message) = only_problem(&text);
    assert_eq!((line, column), (6, 9));
    assert_eq!(
        message,
        "this holds more than 250000 values; a user or a group holds far fewer"
    );
}

#[test]
fn a_flood_of_mistakes_reports_the_first_thousand_and_counts_the_rest() {
    let users = "      - 1\n".repeat(500_000);
    let text = format!("{HEAD}    users:\n{users}");
    let problems = load_capped(&text).unwrap_err();
    assert_eq!(problems.len(), MAX_PROBLEMS + 1);
    assert_eq!(problems[0].message, "a user must be a mapping");
    assert_eq!((problems[0].line, problems[0].column), (6, 9));
    assert_eq!(
        problems[MAX_PROBLEMS].message,
        format!("and {} more problems not shown", 500_000 - MAX_PROBLEMS)
    );
}

#[test]
fn a_second_document_is_refused() {
    let first = "accounts:\n  - id: acme\n    name: Acme\n    owner: ana@acme.example\n    users:\n      - { email: ana@acme.example, first_name: Ana, last_name: Silva }\n";
    let text = format!("{first}---\n{HEAD}");
    let (line, _, message) = only_problem(&text);
    assert_eq!(line, 7);
    assert_eq!(
        message,
        "a roster file holds one YAML document; this is a second"
    );
}

#[test]
fn tags_are_refused() {
    let text = format!("{HEAD}    seats: !!int 5\n    users: []\n");
    let (line, column, message) = only_problem(&text);
    // The parser marks a tagged node where its value starts, after `!!int `.
    assert_eq!((line, column), (5, 18));
    assert_eq!(message, "YAML tags are not allowed in a roster file");
}

#[test]
fn a_lone_carriage_return_is_a_line_break() {
    // Found by the roster_file fuzz target (whose own line count was wrong): YAML, like old Mac
    // editors, ends a line at CR alone, so the problem is on line 3.
    let (line, column, message) = only_problem("!\r\rJ");
    assert_eq!((line, column), (3, 1));
    assert_eq!(message, "YAML tags are not allowed in a roster file");
}

#[test]
fn ten_thousand_users_load_within_the_budget() {
    let text = roster_tests::synth::big_roster_yaml(10_000, 40);
    assert_eq!(load_capped(&text), Ok(10_000));
}
