//! The `roster` binary as a person runs it: exit codes, messages, and the default store.

use std::path::Path;
use std::process::{Command, Output};

/// `roster` run as a person runs it, in `dir`, on the default store and outbox there.
pub(crate) fn roster(dir: &Path, args: &[&str]) -> Output {
    Command::new(crate::ROSTER)
        .args(args)
        .current_dir(dir)
        // The defaults (./roster.db, ./outbox/) are in the working folder; nothing overrides them.
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_MAIL")
        .env_remove("ROSTER_OUTBOX")
        .output()
        .expect("run roster")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) const CREATE_ACME: &[&str] = &[
    "account",
    "create",
    "--id",
    "acme",
    "--name",
    "Acme Corp",
    "--owner-email",
    "ana@acme.example",
    "--owner-first-name",
    "Ana",
    "--owner-last-name",
    "Silva",
];

#[test]
fn account_create_then_user_list_shows_the_owner_on_the_default_store() {
    let dir = tempfile::tempdir().unwrap();
    let created = roster(dir.path(), CREATE_ACME);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).contains("created account acme"));
    assert!(
        dir.path().join("roster.db").exists(),
        "the embedded store is ./roster.db"
    );

    let listed = roster(dir.path(), &["user", "list", "--account", "acme"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let out = text(&listed.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("NAME"));
    assert!(lines[1].contains("Ana Silva (Owner)"), "{out}");
    assert!(lines[1].contains("ana@acme.example"));
    assert!(lines[1].contains("app-admin"));
}

#[test]
fn a_second_account_with_the_same_id_fails_with_a_clear_message_and_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    assert!(roster(dir.path(), CREATE_ACME).status.success());
    let again = roster(dir.path(), CREATE_ACME);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(text(&again.stderr), "error: account acme already exists\n");
    assert!(again.stdout.is_empty());
}

#[test]
fn every_invalid_field_is_reported_and_the_exit_code_is_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = roster(
        dir.path(),
        &[
            "account",
            "create",
            "--id",
            "Acme!",
            "--name",
            " ",
            "--owner-email",
            "not-an-email",
            "--owner-first-name",
            "Ana",
            "--owner-last-name",
            "",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for field in ["id:", "name:", "owner.email:", "owner.last_name:"] {
        assert!(err.contains(field), "{field} missing from:\n{err}");
    }
    assert!(!err.contains("owner.first_name"), "{err}");
}

#[test]
fn listing_an_unknown_account_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = roster(dir.path(), &["user", "list", "--account", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "error: account nope not found\n");
}

#[test]
fn reindexing_counts_an_accounts_entries_and_refuses_an_unknown_account() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../accounts.example.yaml");
    let applied = roster(dir.path(), &["apply", example]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let index = |account: &str| roster(dir.path(), &["store", "reindex", "--account", account]);
    let done = index("acme");
    assert!(done.status.success(), "{}", text(&done.stderr));
    // Seven users, each found by "first last", last name and email (their username too), and
    // Ana also by her own username, "ana".
    assert_eq!(
        text(&done.stdout),
        "acme: 1 user with an external id listed under it; 22 search entries for `q=`; 0 \
         provided-email entries for `emails.value eq`; 0 shifts on the all-shifts index (0 \
         added)\n"
    );
    let unknown = index("nope");
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(text(&unknown.stderr), "error: account nope not found\n");
}

#[test]
fn a_reminder_run_reports_what_it_did_and_refuses_an_instant_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    assert!(roster(dir.path(), CREATE_ACME).status.success());
    let run = roster(
        dir.path(),
        &["notify", "run", "--at", "2027-03-13T08:00:00Z"],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "0 due: 0 sent, 0 queued for the mail retry, 0 already sent (0 shifts in 0 accounts); \
         pushes: 0 sent, 0 queued, 0 to devices gone\n"
    );
    let bad = roster(dir.path(), &["notify", "run", "--at", "tomorrow"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stderr).starts_with("error: --at \"tomorrow\" is not an RFC 3339 instant"),
        "{}",
        text(&bad.stderr)
    );
}

/// Locally, a reminder's email lands in `outbox/` and its push, as JSON, in `outbox/push/`.
#[tokio::test]
async fn a_reminder_run_writes_the_email_and_the_push_beside_the_outbox() {
    use roster_domain::access::Actor;
    use roster_domain::usecases::{DeviceInput, Roster, Settings};
    use roster_domain::values::{AccountId, Email};

    let dir = tempfile::tempdir().unwrap();
    assert!(roster(dir.path(), CREATE_ACME).status.success());
    // Ana's device and shift, set up as `roster serve` would, on the same store and folders.
    let table =
        std::sync::Arc::new(roster_local::SqliteTable::open(dir.path().join("roster.db")).unwrap());
    let outbox = dir.path().join("outbox");
    let app = Roster::production(
        table,
        std::sync::Arc::new(roster_local::OutboxFolder::new(&outbox, "roster@localhost").unwrap()),
        Settings {
            app_url: "http://127.0.0.1:8080".into(),
        },
    )
    .with_push(std::sync::Arc::new(
        roster_local::PushFolder::new(outbox.join("push")).unwrap(),
    ));
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let ana = app
        .user_id_by_email(acme.account(), &Email::parse("ana@acme.example").unwrap())
        .await
        .unwrap();
    use crate::reminders::{daily_shift_through, remind_through};
    remind_through(&app, &acme, &ana, &[(1, "hours")], "UTC", "en-US").await;
    let device = DeviceInput {
        device_token: Some("ana-phone".into()),
        platform: Some("android".into()),
    };
    app.register_device(&acme, &ana, &device).await.unwrap();
    daily_shift_through(
        &app,
        &acme,
        "Payments",
        std::slice::from_ref(&ana),
        "2027-03-12T09:00",
        "UTC",
    )
    .await;

    let run = roster(
        dir.path(),
        &["notify", "run", "--at", "2027-03-13T08:00:00Z"],
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "1 due: 1 sent, 0 queued for the mail retry, 0 already sent (1 shift in 1 account); \
         pushes: 1 sent, 0 queued, 0 to devices gone\n"
    );
    let pushes: Vec<serde_json::Value> = std::fs::read_dir(outbox.join("push"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    assert_eq!(
        pushes,
        [serde_json::json!({
            "endpoint": "local:android:ana-phone",
            "title": "On call in 1 hour",
            "body": "Payments (Days) from Sat, Mar 13, 2027, 9:00 AM UTC",
        })]
    );
    let emails = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|eml| eml.contains("On call in 1 hour: Payments, Days"))
        .count();
    assert_eq!(emails, 1);
}

#[test]
fn the_same_commands_work_on_dynamodb() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "AWS_ENDPOINT_URL must point at the local moto server; run ./scripts/test"
    );
    let dir = tempfile::tempdir().unwrap();
    let table = format!("roster-cli-{}", std::process::id());
    let store = format!("dynamodb://{table}");
    let with_store = |args: &[&str]| {
        let mut all = vec!["--store", store.as_str()];
        all.extend_from_slice(args);
        roster(dir.path(), &all)
    };
    let init = with_store(&["store", "init"]);
    assert!(init.status.success(), "{}", text(&init.stderr));
    assert!(with_store(CREATE_ACME).status.success());
    let listed = with_store(&["user", "list", "--account", "acme"]);
    assert!(text(&listed.stdout).contains("Ana Silva (Owner)"));
    let again = with_store(CREATE_ACME);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(text(&again.stderr), "error: account acme already exists\n");
    assert!(
        !dir.path().join("roster.db").exists(),
        "nothing went to the embedded store"
    );
}
