//! A `roster serve` process per test, on a free loopback port, over the test's store. SQLite
//! stores mail into an outbox folder; DynamoDB stores mail through SES on moto.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::http::Http;
use crate::moto;
use crate::store::{StoreKind, TestStore};

/// The secret the test servers sign tokens with (≥ 32 bytes).
pub const TEST_JWT_SECRET: &str = "roster-tests-jwt-secret-0123456789abcdef";

/// Where a test server's email goes.
enum MailSink {
    Outbox(PathBuf),
    Ses,
}

pub struct TestServer {
    pub http: Http,
    child: Child,
    logs: Arc<Mutex<String>>,
    mail: MailSink,
    _dir: tempfile::TempDir,
}

/// A verified SES sender on moto, for DynamoDB-backed servers.
pub const SES_SENDER: &str = "roster@acme.example";

impl TestServer {
    /// `roster serve` on the store, with its usual mail for the kind of store. `roster` is the
    /// binary to run (an integration test's `CARGO_BIN_EXE_roster-under-test`).
    pub async fn start(roster: &str, store: &TestStore) -> Self {
        match store.kind {
            StoreKind::Sqlite => Self::start_with(roster, store, &[]).await,
            StoreKind::Dynamodb => {
                moto::verify_sender(SES_SENDER).await;
                Self::start_with(roster, store, &["--mail", "ses", "--mail-from", SES_SENDER]).await
            }
        }
    }

    /// `roster serve` on the store with extra options (which may override the mail settings),
    /// logging at debug level so a failing test shows what the server did.
    pub async fn start_with(roster: &str, store: &TestStore, extra: &[&str]) -> Self {
        Self::start_logging(roster, store, extra, "debug").await
    }

    /// `roster serve` on the store with extra options, its `RUST_LOG` set to `log`.
    pub async fn start_logging(roster: &str, store: &TestStore, extra: &[&str], log: &str) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let outbox = dir.path().join("outbox");
        let store_url = store.url();
        // The options are global, so they all go before the subcommand.
        let mut args: Vec<&str> = vec![
            "--store",
            &store_url,
            "--outbox",
            outbox.to_str().expect("utf-8 path"),
            "--app-url",
            "https://app.test",
        ];
        args.extend_from_slice(extra);
        args.extend(["serve", "--listen", "127.0.0.1:0"]);
        let mut command = Command::new(roster);
        command
            .args(&args)
            .current_dir(dir.path())
            .env("ROSTER_DEV_JWT_SECRET", TEST_JWT_SECRET)
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_MAIL")
            .env("RUST_LOG", log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start roster serve");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut logs = sink.lock().unwrap();
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let url = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok).unwrap_or_default();
            // Keep draining so the process never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            first
        });
        let first = tokio::time::timeout(Duration::from_secs(30), url)
            .await
            .expect("roster serve printed its address in time")
            .expect("read stdout");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line from roster serve: {first:?}; logs: {}",
                    logs.lock().unwrap()
                )
            })
            .to_owned();
        let mail = if extra.windows(2).any(|w| w == ["--mail", "ses"]) {
            MailSink::Ses
        } else {
            MailSink::Outbox(outbox)
        };
        Self {
            http: Http::new(url),
            child,
            logs,
            mail,
            _dir: dir,
        }
    }

    /// Everything the server has logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The bodies of the emails the server sent to `recipient`, oldest first.
    pub async fn emails_to(&self, recipient: &str) -> Vec<String> {
        match &self.mail {
            MailSink::Ses => moto::ses_messages_to(recipient).await,
            MailSink::Outbox(dir) => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                    .unwrap_or_default();
                files.sort();
                let mut bodies = Vec::new();
                for path in files
                    .iter()
                    .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                {
                    let raw = std::fs::read(path).expect("read .eml");
                    let message = mail_parser::MessageParser::default()
                        .parse(&raw)
                        .unwrap_or_else(|| panic!("{} is not a MIME message", path.display()));
                    let to_recipient = message
                        .to()
                        .and_then(|to| to.first())
                        .and_then(|a| a.address())
                        .is_some_and(|a| a.eq_ignore_ascii_case(recipient));
                    if to_recipient {
                        let text = message.body_text(0).expect("a text part").into_owned();
                        let html = message.body_html(0).expect("an HTML part").into_owned();
                        // An invitation's HTML part carries the link its text part does.
                        assert!(
                            !text.contains("/reset-password?token=")
                                || html.contains("reset-password"),
                            "the HTML part has the link"
                        );
                        bodies.push(text);
                    }
                }
                bodies
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reset token in an email body (the `token=` of its link).
pub fn reset_token_in(body: &str) -> Option<String> {
    let start = body.find("token=")? + "token=".len();
    let token: String = body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (token.len() >= 43).then_some(token)
}
