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

/// The key the test servers sign session tokens with (P-256, PKCS #8 PEM), so a test can mint
/// the tokens a server accepts ([`token_for`]).
pub const TEST_SIGNING_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgEelHeRJIIii71ZJH
vXVyu0SyUdnTcNWS8/FQGbFWM1ahRANCAATF31kIEZnPjU/AHNJ4IFKBdVg0onzq
SVEcGbDqpBKai7RKmeqTncR8Dg7mmcn/uz4oGdYz6uEJLWoDBfAlO3oF
-----END PRIVATE KEY-----";

/// Another P-256 key: tokens signed with it are forgeries to every test server.
pub const OTHER_SIGNING_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgucrBV5JSVSflnvbi
+iqz4+LeDddk2PrJMZOFdCVK4omhRANCAARNBWrEINCkppGLIKGHupHNOUvf75CB
UU18n7yVgZYW68IDRLi5+yYHanADdeCkMlEmOLRc5zdILJJO5l7sJT7n
-----END PRIVATE KEY-----";

/// A session token of `user` in `account`, valid for `lifetime` (negative: already expired),
/// signed with the test servers' key: what `POST /sessions` would give them.
pub fn token_for(account: &str, user: &str, lifetime: jiff::SignedDuration) -> String {
    token_signed_with(TEST_SIGNING_KEY, account, user, lifetime)
}

/// The same token signed with `pem`, named as the test servers' key (a forgery when `pem` is
/// another key).
pub fn token_signed_with(
    pem: &str,
    account: &str,
    user: &str,
    lifetime: jiff::SignedDuration,
) -> String {
    let kid = roster_local::KeyFile::from_pem(TEST_SIGNING_KEY)
        .expect("the test key")
        .public()
        .kid
        .clone();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(kid);
    let now = jiff::Timestamp::now().as_second();
    let claims = serde_json::json!({
        "iss": "https://app.test",
        "aud": roster_domain::usecases::AUDIENCE,
        "sub": user,
        "account_id": account,
        "iat": now,
        "exp": now + lifetime.as_secs(),
    });
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("a PEM's base64 body");
    let key = jsonwebtoken::EncodingKey::from_ec_der(&der);
    jsonwebtoken::encode(&header, &claims, &key).expect("a signed token")
}

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
        Self::launch(roster, store, extra, log, Some("https://app.test"), &[]).await
    }

    /// `roster serve` with no `--app-url`, as a person runs it: its links (an invitation's
    /// set-password page) and tokens name the address it listens on.
    pub async fn start_at_its_own_address(roster: &str, store: &TestStore) -> Self {
        Self::launch(roster, store, &[], "debug", None, &[]).await
    }

    /// `roster serve` with single sign-on through the OpenID Connect provider `issuer`, for the
    /// client `client_id` (`ROSTER_OIDC_*`, as the deployed stack sets them).
    pub async fn start_with_provider(
        roster: &str,
        store: &TestStore,
        issuer: &str,
        client_id: &str,
    ) -> Self {
        let (authorize, token) = (format!("{issuer}/authorize"), format!("{issuer}/token"));
        let env = [
            ("ROSTER_OIDC_ISSUER", issuer),
            ("ROSTER_OIDC_CLIENT_ID", client_id),
            ("ROSTER_OIDC_AUTHORIZATION_ENDPOINT", authorize.as_str()),
            ("ROSTER_OIDC_TOKEN_ENDPOINT", token.as_str()),
        ];
        Self::launch(roster, store, &[], "debug", Some("https://app.test"), &env).await
    }

    async fn launch(
        roster: &str,
        store: &TestStore,
        extra: &[&str],
        log: &str,
        app_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let outbox = dir.path().join("outbox");
        let store_url = store.url();
        let key_file = dir.path().join("signing-key.pem");
        std::fs::write(&key_file, TEST_SIGNING_KEY).expect("write the test signing key");
        // The options are global, so they all go before the subcommand.
        let mut args: Vec<&str> = vec![
            "--store",
            &store_url,
            "--outbox",
            outbox.to_str().expect("utf-8 path"),
        ];
        if let Some(app_url) = app_url {
            args.extend(["--app-url", app_url]);
        }
        args.extend_from_slice(extra);
        args.extend(["serve", "--listen", "127.0.0.1:0"]);
        let mut command = Command::new(roster);
        command
            .args(&args)
            .current_dir(dir.path())
            .env("ROSTER_SIGNING_KEY", &key_file)
            .envs(env.iter().copied())
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

    /// The folder the server writes its mail into, with `--mail outbox`.
    pub fn outbox(&self) -> Option<&std::path::Path> {
        match &self.mail {
            MailSink::Outbox(dir) => Some(dir),
            MailSink::Ses => None,
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
                            !text.contains("/console/reset-password#token=")
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
