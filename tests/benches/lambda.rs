//! Each function binary run as Lambda runs it: a fresh process against a Lambda runtime API (the
//! stub below, on loopback), answering its first event with DynamoDB and SES on moto behind a
//! TLS terminator (scripts/lib/tls_front.sh), so the first request pays a handshake as on AWS.
//!
//! - Cold start: exec to the first completed invocation (init + one request), the median of
//!   `ROSTER_BENCH_STARTS` (20) starts of every function, beside two references measured in the
//!   same run: `hello-lambda` (the least a Rust function does: the floor) and a Python boto3
//!   handler doing create-user's DynamoDB work under AWS's Python runtime interface client.
//! - Drift check: the reconcile function's scheduled check of a 10,000-user account (five contact
//!   methods and three memberships each): wall time, the DynamoDB requests moto saw, the 1 MB
//!   pages the account's partition fills, and the process's peak resident memory.
//!
//! Run by `./scripts/bench`, which builds the release binaries and starts moto; it prints
//! markdown tables.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use roster_domain::access::Actor;
use roster_domain::reconcile::LiveAccount;
use roster_domain::usecases::NewContactInput;
use roster_domain::values::AccountId;
use roster_tests::synth::{big_roster_yaml, live_from};
use roster_tests::{Http, SES_SENDER, TestStore, events, moto, moto_endpoint};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the runtime API saw of one invocation: when the answer came, and the answer.
struct Answer {
    at: Instant,
    /// The function's result, or its error report.
    body: Value,
    failed: bool,
}

/// The Lambda runtime API, enough of it for one invocation per process: `next` hands out the
/// queued event once (and then holds the caller, as Lambda does between invocations), the
/// `response` and `error` posts are passed on.
struct RuntimeApi {
    address: String,
    queued: Arc<Mutex<Option<Value>>>,
    /// When the queued event was handed out: the end of the process's init.
    handed_out: Arc<Mutex<Option<Instant>>>,
    answers: mpsc::UnboundedReceiver<Answer>,
}

impl RuntimeApi {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let queued: Arc<Mutex<Option<Value>>> = Arc::default();
        let handed_out: Arc<Mutex<Option<Instant>>> = Arc::default();
        let (tx, answers) = mpsc::unbounded_channel();
        let shared = (Arc::clone(&queued), Arc::clone(&handed_out));
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (queued, handed_out, tx) =
                    (Arc::clone(&shared.0), Arc::clone(&shared.1), tx.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (queued, handed_out, tx) =
                            (Arc::clone(&queued), Arc::clone(&handed_out), tx.clone());
                        async move {
                            let response = runtime_api(request, &queued, &handed_out, &tx).await;
                            Ok::<_, hyper::Error>(response)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            address,
            queued,
            handed_out,
            answers,
        }
    }

    /// Starts `command`, hands it `event`, and waits for its answer: the time from exec to the
    /// answer, the answer, and the process's peak resident memory in KiB.
    async fn invoke_cold(&mut self, mut command: tokio::process::Command, event: Value) -> Run {
        *self.queued.lock().unwrap() = Some(event);
        *self.handed_out.lock().unwrap() = None;
        command
            .env("AWS_LAMBDA_RUNTIME_API", &self.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started = Instant::now();
        let mut child = command.spawn().expect("start the function");
        let answer = tokio::select! {
            answer = self.answers.recv() => answer.unwrap(),
            status = child.wait() => {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    use tokio::io::AsyncReadExt;
                    let _ = stderr.read_to_string(&mut err).await;
                }
                panic!("the function exited ({status:?}) before answering: {err}");
            }
            _ = tokio::time::sleep(Duration::from_secs(300)) => panic!("no answer in 300 s"),
        };
        let peak_kib = peak_rss_kib(child.id().unwrap());
        child.kill().await.unwrap();
        let init_done = self
            .handed_out
            .lock()
            .unwrap()
            .expect("the event was handed out");
        Run {
            init: init_done - started,
            elapsed: answer.at - started,
            body: answer.body,
            failed: answer.failed,
            peak_kib,
        }
    }
}

struct Run {
    /// Exec to the first `next` call: the process's init.
    init: Duration,
    /// Exec to the first answer: init and one invocation.
    elapsed: Duration,
    body: Value,
    failed: bool,
    peak_kib: u64,
}

async fn runtime_api(
    request: Request<Incoming>,
    queued: &Mutex<Option<Value>>,
    handed_out: &Mutex<Option<Instant>>,
    answers: &mpsc::UnboundedSender<Answer>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    if method == Method::GET && path == "/2018-06-01/runtime/invocation/next" {
        let event = queued.lock().unwrap().take();
        let Some(event) = event else {
            // Between invocations Lambda freezes the process; here the call just waits.
            std::future::pending::<()>().await;
            unreachable!();
        };
        *handed_out.lock().unwrap() = Some(Instant::now());
        let deadline = jiff::Timestamp::now().as_millisecond() + 300_000;
        return Response::builder()
            .header(
                "lambda-runtime-aws-request-id",
                ulid::Ulid::generate().to_string(),
            )
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:bench",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000",
            )
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(event.to_string())))
            .unwrap();
    }
    let failed = path.ends_with("/error");
    if method == Method::POST && (path.ends_with("/response") || failed) {
        let _ = answers.send(Answer {
            at: Instant::now(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            failed,
        });
        return Response::builder()
            .status(202)
            .body(Full::new(Bytes::from_static(b"{}")))
            .unwrap();
    }
    Response::builder()
        .status(404)
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// The process's high-water mark of resident memory (VmHWM), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The TLS terminator in front of moto (scripts/lib/tls_front.sh): the functions' endpoint, so
/// their first request pays a handshake as on AWS. The benchmark's own set-up uses moto's plain
/// endpoint.
fn tls_endpoint() -> String {
    std::env::var("ROSTER_TLS_ENDPOINT")
        .expect("ROSTER_TLS_ENDPOINT: the TLS front of moto (scripts/lib/tls_front.sh starts it)")
}

/// SES's endpoint behind the TLS front: a port and name of its own, as SES is another host than
/// DynamoDB on AWS (a function pays a handshake to each).
fn tls_ses_endpoint() -> String {
    std::env::var("ROSTER_TLS_SES_ENDPOINT")
        .expect("ROSTER_TLS_SES_ENDPOINT: SES's TLS front (scripts/lib/tls_front.sh starts it)")
}

/// The test CA that signed the TLS front's certificate: the one root a function is given besides
/// its own, through `SSL_CERT_FILE` (Rust) or `AWS_CA_BUNDLE` (boto3).
fn test_ca() -> String {
    std::env::var("ROSTER_TLS_TEST_CA")
        .expect("ROSTER_TLS_TEST_CA: the TLS front's test CA (scripts/lib/tls_front.sh makes it)")
}

/// What Lambda's environment gives a function, and Roster's configuration, on moto behind TLS.
fn lambda_command(program: &Path, name: &str, table: &str) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(program);
    command
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", tls_endpoint())
        .env("AWS_ENDPOINT_URL_SES", tls_ses_endpoint())
        .env("SSL_CERT_FILE", test_ca())
        .env("ROSTER_TABLE", table)
        .env("ROSTER_MAIL_FROM", SES_SENDER)
        .env("ROSTER_APP_URL", "https://app.test");
    command
}

struct Subject {
    name: String,
    command: Box<dyn Fn() -> tokio::process::Command>,
    event: Box<dyn Fn() -> Value>,
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The answer's HTTP status (API events), or what the drift check reported.
fn outcome(run: &Run) -> String {
    if run.failed {
        return format!("error: {}", run.body);
    }
    match run.body.get("statusCode") {
        Some(status) => status.to_string(),
        None => "ok".into(),
    }
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter word runs only the part it names.
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wants = |part: &str| only.as_deref().is_none_or(|o| part.contains(o));
    let bins = PathBuf::from(std::env::var("ROSTER_BENCH_BIN_DIR").expect(
        "ROSTER_BENCH_BIN_DIR: cargo-lambda's output folder, <name>/bootstrap (run ./scripts/bench)",
    ));
    let mut api = RuntimeApi::start().await;
    moto::verify_sender(SES_SENDER).await;
    if wants("cold-start") {
        cold_start(&mut api, &bins).await;
    }
    if wants("drift") {
        drift_check(&mut api, &bins).await;
    }
}

async fn cold_start(api: &mut RuntimeApi, bins: &Path) {
    let starts: usize = std::env::var("ROSTER_BENCH_STARTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let python = PathBuf::from(
        std::env::var("ROSTER_BENCH_PYTHON")
            .expect("ROSTER_BENCH_PYTHON: a Python with awslambdaric and boto3 (./scripts/bench)"),
    );
    let store = TestStore::dynamodb().await;
    let table = store.dynamodb_table();
    let owner = store
        .account_with_owner("bench", "Bench Co", "owner@bench.example")
        .await;
    // An Owner as on-call admins are: reachable by SMS and phone. Every function that reads them
    // reads their numbers back.
    let operator = Actor::Operator(AccountId::parse("bench").unwrap());
    for (method, value) in [
        ("sms-personal", "+1 404 555 0101"),
        ("phone-personal", "+44 20 7946 0018"),
    ] {
        let contact = NewContactInput {
            method: Some(method.into()),
            value: Some(value.into()),
            ..Default::default()
        };
        store
            .roster()
            .add_contact(&operator, &owner.id, &contact)
            .await
            .expect("the Owner's phone numbers");
    }
    let owner = owner.id.to_string();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../accounts.example.yaml");

    // One request per function: its first route, on the Owner (a new user for create-user).
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let new_user = {
        let counter = Arc::clone(&counter);
        move || {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            json!({"email": format!("new{n}@bench.example"), "first_name": "New", "last_name": "User"})
        }
    };
    let mut subjects: Vec<Subject> = Vec::new();
    let mut functions: Vec<&'static str> =
        roster_api::routes().iter().map(|r| r.function).collect();
    functions.sort();
    functions.dedup();
    // ROSTER_BENCH_FUNCTIONS=get-user,create-user: only those (empty: none, for an ablation run).
    let only = std::env::var("ROSTER_BENCH_FUNCTIONS").ok();
    let wanted = |f: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|o| o.trim() == f))
    };
    functions.retain(|f| wanted(f));
    for function in functions {
        let route = roster_api::routes()
            .iter()
            .find(|r| r.function == function)
            .unwrap();
        let path = route
            .path
            .replace("{id}", &owner)
            .replace("{method}", "email-official")
            .replace("{role}", "basic")
            .replace("{token}", "0000000000000000000000000000000000000000000");
        let method = route.method.to_string();
        let public = route.auth == roster_api::Auth::Public;
        let (program, table, owner, new_user) = (
            bins.join(function).join("bootstrap"),
            table.clone(),
            owner.clone(),
            new_user.clone(),
        );
        subjects.push(Subject {
            name: function.to_owned(),
            command: Box::new(move || lambda_command(&program, function, &table)),
            event: Box::new(move || {
                let body = match (function, method.as_str()) {
                    ("create-user", _) => Some(new_user()),
                    (_, "POST" | "PUT" | "PATCH") => Some(json!({})),
                    _ => None,
                };
                let claims = (!public).then_some((owner.as_str(), "bench"));
                events::http_api(&method, &path, claims, body)
            }),
        });
    }
    ablation_subjects(&mut subjects, &table, &owner);
    if wanted("reconcile") {
        let (program, t) = (bins.join("reconcile").join("bootstrap"), table.clone());
        subjects.push(Subject {
            name: "reconcile".into(),
            command: Box::new(move || {
                let mut command = lambda_command(&program, "reconcile", &t);
                command.env("ROSTER_FILE", example);
                command
            }),
            event: Box::new(events::scheduled),
        });
    }
    let (program, t) = (bins.join("hello-lambda").join("bootstrap"), table.clone());
    subjects.push(Subject {
        name: "hello-lambda (floor)".into(),
        command: Box::new(move || lambda_command(&program, "hello-lambda", &t)),
        event: Box::new(events::scheduled),
    });
    let (t, o, n) = (table.clone(), owner.clone(), new_user.clone());
    subjects.push(Subject {
        name: "python boto3 create-user".into(),
        command: Box::new(move || {
            let handler_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python");
            let mut command = lambda_command(&python, "python-create-user", &t);
            command
                .args(["-m", "awslambdaric", "handler.handler"])
                .current_dir(handler_dir)
                .env("LAMBDA_TASK_ROOT", handler_dir)
                .env("_HANDLER", "handler.handler")
                .env("AWS_CA_BUNDLE", test_ca())
                .env("PYTHONDONTWRITEBYTECODE", "1");
            command
        }),
        event: Box::new(move || {
            events::http_api("POST", "/users", Some((o.as_str(), "bench")), Some(n()))
        }),
    });

    // Rounds, each starting every subject once, so drift in the machine's load hits all alike.
    let mut inits: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); subjects.len()];
    let mut last: Vec<(String, u64)> = vec![(String::new(), 0); subjects.len()];
    for _ in 0..starts {
        for (i, subject) in subjects.iter().enumerate() {
            let run = api
                .invoke_cold((subject.command)(), (subject.event)())
                .await;
            assert!(!run.failed, "{}: {}", subject.name, run.body);
            inits[i].push(run.init);
            times[i].push(run.elapsed);
            last[i] = (outcome(&run), run.peak_kib);
        }
    }
    let inits: Vec<Duration> = inits.into_iter().map(median).collect();
    let times: Vec<Duration> = times.into_iter().map(median).collect();
    // The two references are the last subjects: the floor, then Python.
    let (floor, python) = (subjects.len() - 2, subjects.len() - 1);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "\nCold start, median of {starts} starts: exec to the end of init (the first `next`), and"
    );
    println!("exec to the first answer (init and one request on moto)\n");
    println!(
        "| function | init (ms) | init × hello-lambda | first answer (ms) | first answer × hello-lambda | Python ÷ this | answer | peak RSS (MiB) |"
    );
    println!("|---|--:|--:|--:|--:|--:|---|--:|");
    for (i, subject) in subjects.iter().enumerate() {
        println!(
            "| {} | {:.1} | {:.2} | {:.1} | {:.2} | {:.1} | {} | {:.1} |",
            subject.name,
            ms(inits[i]),
            ratio(inits[i], inits[floor]),
            ms(times[i]),
            ratio(times[i], times[floor]),
            ratio(times[python], times[i]),
            last[i].0,
            last[i].1 as f64 / 1024.0
        );
    }
}

/// get-user as built at each step of the ablation (scripts/bench-ablation): every folder of
/// `ROSTER_BENCH_ABLATION_DIR`, in name order, holds a `bootstrap` and an `env` file of the
/// variables that step runs with (`KEY=VALUE` lines: a build that reads the platform's trust store
/// is given the system bundle with the test CA added, and the certificate folder, as the platform
/// probe finds them).
fn ablation_subjects(subjects: &mut Vec<Subject>, table: &str, owner: &str) {
    let Ok(dir) = std::env::var("ROSTER_BENCH_ABLATION_DIR") else {
        return;
    };
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("ROSTER_BENCH_ABLATION_DIR {dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("bootstrap").is_file())
        .collect();
    steps.sort();
    for step in steps {
        let env: Vec<(String, String)> = std::fs::read_to_string(step.join("env"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let name = step.file_name().unwrap().to_string_lossy().into_owned();
        let (program, t) = (step.join("bootstrap"), table.to_owned());
        let (path, o) = (format!("/users/{owner}"), owner.to_owned());
        subjects.push(Subject {
            name: format!("get-user, {name}"),
            command: Box::new(move || {
                let mut command = lambda_command(&program, "get-user", &t);
                command.envs(env.iter().map(|(k, v)| (k, v)));
                command
            }),
            event: Box::new(move || {
                events::http_api("GET", &path, Some((o.as_str(), "bench")), None)
            }),
        });
    }
}

async fn drift_check(api: &mut RuntimeApi, bins: &Path) {
    const USERS: usize = 10_000;
    let store = TestStore::dynamodb().await;
    let table = store.dynamodb_table();
    let yaml = big_roster_yaml(USERS, 40);
    let desired = roster_config::load("big.yaml", &yaml).unwrap();
    let live = live_from(&desired.accounts[0]);
    let seeding = Instant::now();
    let items = seed_in_batches(&table, &live).await;
    eprintln!(
        "seeded {items} items of {USERS} users in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );
    let (partition_bytes, _) = partition_size(&table, "ACCOUNT#bigco").await;
    let pages = partition_bytes.div_ceil(1 << 20);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, &yaml).unwrap();

    println!(
        "\nDrift check of {USERS} users ({items} items; the account's partition: {:.1} MiB, {pages} pages of 1 MB)\n",
        partition_bytes as f64 / (1 << 20) as f64
    );
    println!("| run | wall (ms) | DynamoDB requests | peak RSS (MiB) | drift |");
    println!("|---|--:|--:|--:|--:|");
    for run_no in 1..=3 {
        let before = dynamodb_requests().await;
        let mut command = lambda_command(
            &bins.join("reconcile").join("bootstrap"),
            "reconcile",
            &table,
        );
        command.env("ROSTER_FILE", &file);
        let run = api.invoke_cold(command, events::scheduled()).await;
        assert!(!run.failed, "{}", run.body);
        let requests = dynamodb_requests().await - before;
        println!(
            "| {run_no} | {:.0} | {requests} | {:.1} | {} |",
            ms(run.elapsed),
            run.peak_kib as f64 / 1024.0,
            run.body["accounts"][0]["drift"]
        );
    }
}

/// Writes `live`'s items with BatchWriteItem, 25 to a request. Seeding through the port's
/// transactions would cost moto a copy of the whole table per transaction (its rollback
/// snapshot), which at 60,000 items exhausts memory.
async fn seed_in_batches(table: &str, live: &LiveAccount) -> usize {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    let client = dynamodb_client().await;
    let items = live.items().unwrap();
    for chunk in items.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|item| {
                let put = PutRequest::builder()
                    .set_item(Some(roster_dynamo::item_attributes(item).unwrap()))
                    .build()
                    .unwrap();
                WriteRequest::builder().put_request(put).build()
            })
            .collect();
        while !requests.is_empty() {
            let output = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .unwrap();
            requests = output
                .unprocessed_items
                .and_then(|mut u| u.remove(table))
                .unwrap_or_default();
        }
    }
    items.len()
}

async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .load()
        .await;
    aws_sdk_dynamodb::Client::new(&config)
}

/// Every DynamoDB request moto has answered so far (scripts/moto_server.py counts them).
async fn dynamodb_requests() -> u64 {
    let reply = Http::new(moto_endpoint())
        .raw(http::Method::GET, "/roster-bench/requests", &[], "")
        .await;
    reply
        .json
        .as_object()
        .expect("moto started by scripts/moto_server.py counts requests")
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum()
}

/// The partition's size as DynamoDB counts item sizes (names and values), read page by page.
async fn partition_size(table: &str, pk: &str) -> (usize, usize) {
    let client = dynamodb_client().await;
    let (mut bytes, mut count) = (0, 0);
    let mut pages = client
        .query()
        .table_name(table)
        .key_condition_expression("pk = :pk")
        .expression_attribute_values(":pk", AttributeValue::S(pk.into()))
        .into_paginator()
        .items()
        .send();
    while let Some(item) = pages.next().await {
        let item = item.unwrap();
        bytes += item
            .iter()
            .map(|(k, v)| k.len() + value_size(v))
            .sum::<usize>();
        count += 1;
    }
    (bytes, count)
}

/// DynamoDB's item size rules: strings and binaries by length, numbers about one byte per two
/// digits plus one, maps and lists three bytes plus their elements.
fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.len().div_ceil(2) + 1,
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| n.len().div_ceil(2) + 1).sum(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        _ => 0,
    }
}
