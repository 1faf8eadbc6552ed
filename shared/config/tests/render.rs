//! The plan of every kind of change (`common/every_change.rs`) rendered as text, JSON and
//! Markdown and compared with `tests/snapshots/plan.*`. The snapshots are written by
//! `cargo xtask generate`; this test only compares.

#[path = "common/every_change.rs"]
mod every_change;

use every_change::{KINDS, every_kind_of_change, kind, snapshots};

/// The snapshot `name` as the code renders it, against the committed file.
fn compare(name: &str) {
    let rendered = snapshots()
        .into_iter()
        .find(|(file, _)| *file == name)
        .expect("a snapshot of that name")
        .1;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; write it with `cargo xtask generate`",
            path.display()
        )
    });
    assert_eq!(
        committed, rendered,
        "{name} differs; if the change is meant, `cargo xtask generate` writes it"
    );
}

#[test]
fn the_plan_shows_every_kind_of_change() {
    let plan = every_kind_of_change();
    let mut seen = [false; KINDS];
    for change in plan.accounts.iter().flat_map(|a| &a.changes) {
        seen[kind(change)] = true;
    }
    assert!(seen.iter().all(|s| *s), "kinds shown: {seen:?}");
}

#[test]
fn text_rendering_matches_its_snapshot() {
    compare("plan.txt");
}

#[test]
fn json_rendering_matches_its_snapshot() {
    compare("plan.json");
}

#[test]
fn markdown_rendering_matches_its_snapshot() {
    compare("plan.md");
}
