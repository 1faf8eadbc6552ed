//! A bounded load run against a running `roster serve`: many clients at once, each creating,
//! reading, listing, adding contact methods to and deleting users of its own, and noting what
//! the server told it. Afterwards the account is read back and held against those answers: every
//! user a client was told exists is there exactly once, with the methods it was told were added;
//! every user it was told is deleted is gone; and no other user of the run is there.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use http::Method;
use serde_json::{Value, json};

use crate::{Http, TestServer, TestStore, token_for};

/// What a load run goes against: `roster serve` (the binary at `roster`) on a fresh SQLite store
/// holding one account, acme, and its Owner's token.
pub struct Target {
    pub server: TestServer,
    pub token: String,
    _store: TestStore,
}

impl Target {
    pub async fn start(roster: &str) -> Self {
        let store = TestStore::sqlite().await;
        let owner = store
            .account_with_owner("acme", "Acme", "ana@acme.example")
            .await;
        let token = token_for(
            "acme",
            owner.id.as_str(),
            jiff::SignedDuration::from_hours(1),
        );
        // At the level `roster serve` logs by default (a line a request), as its users run it:
        // debug logging, which the black-box tests keep for their failures, took a tenth of the
        // throughput (docs/benchmarks.md, Load).
        let server = TestServer::start_logging(roster, &store, &[], "info").await;
        Self {
            server,
            token,
            _store: store,
        }
    }
}

/// What a client does in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Create,
    /// A create sent again with the same `Idempotency-Key`, as a client whose answer was lost.
    Replay,
    Read,
    List,
    AddContact,
    Delete,
}

impl Op {
    pub const ALL: [Op; 6] = [
        Op::Create,
        Op::Replay,
        Op::Read,
        Op::List,
        Op::AddContact,
        Op::Delete,
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Create => "create-user",
            Op::Replay => "create-user, replayed",
            Op::Read => "get-user",
            Op::List => "list-users",
            Op::AddContact => "add-contact",
            Op::Delete => "delete-user",
        }
    }
}

/// The emails of the run's users end so, and nothing else in the account does.
const DOMAIN: &str = "@load.example";
const METHODS: [&str; 3] = ["sms-personal", "phone-personal", "email-personal"];

/// What the server told a client about one user it created.
#[derive(Debug, Clone)]
pub struct Told {
    pub email: String,
    pub methods: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub clients: usize,
    pub elapsed: Duration,
    pub latencies: BTreeMap<Op, Vec<Duration>>,
    pub statuses: BTreeMap<u16, usize>,
    /// Answers the run's rules do not allow: a 5xx, a transport failure, a status the step
    /// should never get, or a body that disagrees with an earlier answer.
    pub unexpected: Vec<String>,
    /// Users the clients were told exist at the end, by id.
    pub live: BTreeMap<String, Told>,
    /// Users the clients were told are deleted.
    pub deleted: BTreeSet<String>,
}

impl Report {
    pub fn requests(&self) -> usize {
        self.latencies.values().map(Vec::len).sum()
    }

    pub fn count(&self, op: Op) -> usize {
        self.latencies.get(&op).map_or(0, Vec::len)
    }

    pub fn server_errors(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(status, _)| **status >= 500)
            .map(|(_, n)| n)
            .sum()
    }

    fn merge(&mut self, other: Report) {
        for (op, mut times) in other.latencies {
            self.latencies.entry(op).or_default().append(&mut times);
        }
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        self.unexpected.extend(other.unexpected);
        self.live.extend(other.live);
        self.deleted.extend(other.deleted);
    }

    /// A Markdown table: requests and latency percentiles per operation, then all together.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| operation | requests | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|\n",
        );
        let mut all = Vec::new();
        for op in Op::ALL {
            let times = self.latencies.get(&op).cloned().unwrap_or_default();
            all.extend_from_slice(&times);
            out.push_str(&row(op.name(), times));
        }
        out.push_str(&row("all", all));
        let seconds = self.elapsed.as_secs_f64();
        let _ = write!(
            out,
            "\n{} clients, {:.1} s, {} requests ({:.0} a second); statuses {:?}; {} users left, {} deleted\n",
            self.clients,
            seconds,
            self.requests(),
            self.requests() as f64 / seconds,
            self.statuses,
            self.live.len(),
            self.deleted.len(),
        );
        out
    }
}

fn row(name: &str, mut times: Vec<Duration>) -> String {
    times.sort_unstable();
    let at = |q: f64| -> String {
        if times.is_empty() {
            return "–".into();
        }
        let i = ((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1;
        format!("{:.1}", times[i].as_secs_f64() * 1000.0)
    };
    format!(
        "| {name} | {} | {} | {} | {} | {} |\n",
        times.len(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    )
}

/// Runs `clients` clients against `http` for `duration`, each acting with `token`.
pub async fn run(http: &Http, token: &str, clients: usize, duration: Duration) -> Report {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|index| {
            let client = Client::new(http.clone(), token.to_owned(), index);
            tokio::spawn(client.run(deadline))
        })
        .collect();
    let mut report = Report {
        clients,
        ..Report::default()
    };
    for task in tasks {
        report.merge(task.await.expect("a client task"));
    }
    report.elapsed = start.elapsed();
    report
}

/// One client: its own users, its own random choices (seeded by its index, so a run's mix of
/// steps is the same each time).
struct Client {
    http: Http,
    bearer: String,
    index: usize,
    rng: u64,
    made: usize,
    mine: Vec<String>,
    report: Report,
}

impl Client {
    fn new(http: Http, token: String, index: usize) -> Self {
        Self {
            http,
            bearer: format!("Bearer {token}"),
            index,
            rng: 0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            made: 0,
            mine: Vec::new(),
            report: Report::default(),
        }
    }

    /// xorshift64*: enough to pick steps; no crate needed.
    fn below(&mut self, n: usize) -> usize {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    async fn run(mut self, deadline: Instant) -> Report {
        while Instant::now() < deadline {
            let roll = self.below(100);
            match roll {
                _ if self.mine.is_empty() => self.create().await,
                0..30 => self.create().await,
                30..55 => self.read().await,
                55..65 => self.list().await,
                65..85 => self.add_contact().await,
                _ => self.delete().await,
            }
        }
        self.report
    }

    async fn send(
        &mut self,
        op: Op,
        method: Method,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
    ) -> Option<crate::Reply> {
        let mut headers = vec![
            ("authorization", self.bearer.as_str()),
            ("content-type", "application/json"),
        ];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let started = Instant::now();
        let reply = self.http.try_raw(method, path, &headers, body).await;
        self.report
            .latencies
            .entry(op)
            .or_default()
            .push(started.elapsed());
        match reply {
            Ok(reply) => {
                *self.report.statuses.entry(reply.status).or_default() += 1;
                Some(reply)
            }
            Err(e) => {
                self.unexpected(op, path, &e);
                None
            }
        }
    }

    fn unexpected(&mut self, op: Op, path: &str, what: &str) {
        let what: String = what.chars().take(300).collect();
        self.report.unexpected.push(format!(
            "client {} {} {path}: {what}",
            self.index,
            op.name()
        ));
    }

    /// True when `reply` has `status`; otherwise notes it.
    fn expect(&mut self, op: Op, path: &str, reply: &crate::Reply, status: u16) -> bool {
        if reply.status == status {
            return true;
        }
        let what = format!("{} (expected {status}): {}", reply.status, reply.text);
        self.unexpected(op, path, &what);
        false
    }

    fn pick(&mut self) -> String {
        let at = self.below(self.mine.len());
        self.mine[at].clone()
    }

    async fn create(&mut self) {
        self.made += 1;
        let email = format!("load{}-{}{DOMAIN}", self.index, self.made);
        let key = format!("load-{}-{}", self.index, self.made);
        let body = json!({
            "email": email,
            "first_name": "Load",
            "last_name": format!("Client {}", self.index),
        });
        let Some(reply) = self
            .send(
                Op::Create,
                Method::POST,
                "/users",
                Some(body.clone()),
                Some(&key),
            )
            .await
        else {
            return;
        };
        if !self.expect(Op::Create, "/users", &reply, 201) {
            return;
        }
        let id = reply.json["id"].as_str().unwrap_or_default().to_owned();
        // One create in five is sent again, as by a client that never saw the answer: the same
        // user must come back, and no second one be made.
        if self.below(5) == 0 {
            if let Some(again) = self
                .send(Op::Replay, Method::POST, "/users", Some(body), Some(&key))
                .await
            {
                if self.expect(Op::Replay, "/users", &again, 201)
                    && (again.json["id"] != json!(id)
                        || again.header("idempotent-replayed") != Some("true"))
                {
                    let what = format!("replay answered {} for {id}", again.text);
                    self.unexpected(Op::Replay, "/users", &what);
                }
            }
        }
        self.report.live.insert(
            id.clone(),
            Told {
                email,
                methods: BTreeSet::new(),
            },
        );
        self.mine.push(id);
    }

    async fn read(&mut self) {
        let id = self.pick();
        let path = format!("/users/{id}");
        let Some(reply) = self.send(Op::Read, Method::GET, &path, None, None).await else {
            return;
        };
        if self.expect(Op::Read, &path, &reply, 200) {
            let told = &self.report.live[&id];
            let methods = methods_of(&reply.json);
            if reply.json["email"] != json!(told.email) || methods != told.methods {
                let what = format!("read back {} but was told {told:?}", reply.text);
                self.unexpected(Op::Read, &path, &what);
            }
        }
    }

    async fn list(&mut self) {
        let path = format!("/users?limit=50&q=load{}-", self.index);
        if let Some(reply) = self.send(Op::List, Method::GET, &path, None, None).await {
            self.expect(Op::List, &path, &reply, 200);
        }
    }

    async fn add_contact(&mut self) {
        let id = self.pick();
        let told = &self.report.live[&id].methods;
        let Some(method) = METHODS.iter().find(|m| !told.contains(**m)).copied() else {
            return self.read().await;
        };
        let value = if method.starts_with("email") {
            format!("home.{}{DOMAIN}", id.to_lowercase())
        } else {
            format!("+1 404 555 {:04}", self.below(10_000))
        };
        let path = format!("/users/{id}/contact-methods");
        let body = json!({"method": method, "value": value, "wait_minutes": 1});
        let Some(reply) = self
            .send(Op::AddContact, Method::POST, &path, Some(body), None)
            .await
        else {
            return;
        };
        if self.expect(Op::AddContact, &path, &reply, 201) {
            let told = self
                .report
                .live
                .get_mut(&id)
                .expect("a user of this client");
            told.methods.insert(method.to_owned());
        }
    }

    async fn delete(&mut self) {
        let at = self.below(self.mine.len());
        let id = self.mine[at].clone();
        let path = format!("/users/{id}");
        let Some(reply) = self
            .send(Op::Delete, Method::DELETE, &path, None, None)
            .await
        else {
            return;
        };
        if self.expect(Op::Delete, &path, &reply, 204) {
            self.mine.swap_remove(at);
            self.report.live.remove(&id);
            self.report.deleted.insert(id);
        }
    }
}

/// The contact methods a user has beyond `email-official`, which every user has.
fn methods_of(user: &Value) -> BTreeSet<String> {
    user["contact_methods"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["method"].as_str())
        .filter(|m| *m != "email-official")
        .map(str::to_owned)
        .collect()
}

/// Reads every user of the account back and returns each way it differs from what the clients
/// were told (empty when nothing was lost, duplicated or left behind).
pub async fn differences(http: &Http, token: &str, report: &Report) -> Vec<String> {
    let mut found: BTreeMap<String, Value> = BTreeMap::new();
    let mut emails: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?limit=1000&cursor={c}"),
            None => "/users?limit=1000".to_owned(),
        };
        let page = http.call(Method::GET, &path, Some(token), None).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for user in page.json["users"].as_array().into_iter().flatten() {
            let email = user["email"].as_str().unwrap_or_default().to_owned();
            if !email.ends_with(DOMAIN) {
                continue;
            }
            *emails.entry(email).or_default() += 1;
            let id = user["id"].as_str().unwrap_or_default().to_owned();
            if found.insert(id.clone(), user.clone()).is_some() {
                problems.push(format!("user {id} listed twice"));
            }
        }
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    for (email, n) in emails.iter().filter(|(_, n)| **n > 1) {
        problems.push(format!("{n} users hold {email}"));
    }
    for (id, told) in &report.live {
        match found.get(id) {
            None => problems.push(format!(
                "lost: {id} ({}) was created, never deleted",
                told.email
            )),
            Some(user) => {
                if user["email"] != json!(told.email) {
                    problems.push(format!(
                        "{id} has email {}, told {}",
                        user["email"], told.email
                    ));
                }
                let methods = methods_of(user);
                if methods != told.methods {
                    problems.push(format!(
                        "{id} has methods {methods:?}, told {:?}",
                        told.methods
                    ));
                }
            }
        }
    }
    for id in found.keys() {
        if report.deleted.contains(id) {
            problems.push(format!("{id} was deleted (204) but is still there"));
        } else if !report.live.contains_key(id) {
            problems.push(format!(
                "{id} exists, but no client was told it was created"
            ));
        }
    }
    problems
}
