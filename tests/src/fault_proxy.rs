//! An HTTP proxy in front of moto that fails on purpose, as AWS does at its worst: DynamoDB
//! throttling, 5xx, SES unavailable, or a connection dropped as if the service went away. The
//! real adapters and the real SDK (its retries included) talk to it as to an endpoint, so a test
//! sees what production code does with each fault, and the proxy notes every attempt it saw.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// DynamoDB's `ThrottlingException` (HTTP 400, retryable).
    Throttle,
    /// DynamoDB's `InternalServerError` (HTTP 500).
    ServerError,
    /// SES's `ServiceUnavailable` (HTTP 503, query protocol).
    SesUnavailable,
    /// The connection closes with no answer: the service is gone.
    Drop,
}

/// One request the proxy saw: the operation (`X-Amz-Target` for DynamoDB, `Action` for SES)
/// and what it answered (`None` when it dropped the connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub operation: String,
    pub status: Option<u16>,
}

#[derive(Default)]
struct State {
    /// Faults for the next requests, one each, in order.
    next: VecDeque<Fault>,
    /// Passed through before `always` applies; `None` while nothing is scheduled.
    pass_first: Option<usize>,
    /// Applied to every request (after `pass_first`) until cleared.
    always: Option<Fault>,
    attempts: Vec<Attempt>,
}

pub struct FaultProxy {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// A proxy on a free loopback port forwarding to `target` (moto's URL).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let state: Arc<Mutex<State>> = Arc::default();
        let client: Client<HttpConnector, Full<Bytes>> =
            Client::builder(TokioExecutor::new()).build_http();
        let (shared, target) = (Arc::clone(&state), target.trim_end_matches('/').to_owned());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (state, client, target) = (Arc::clone(&shared), client.clone(), target.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let (state, client, target) =
                            (Arc::clone(&state), client.clone(), target.clone());
                        async move { handle(request, &state, &client, &target).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { url, state }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next requests get these faults, one each; then requests pass again.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().next.extend(faults);
    }

    /// Every request gets `fault` until [`FaultProxy::heal`].
    pub fn fail_all(&self, fault: Fault) {
        self.fail_after(0, fault);
    }

    /// `passing` more requests pass, then every one gets `fault` until healed.
    pub fn fail_after(&self, passing: usize, fault: Fault) {
        let mut state = self.state();
        state.pass_first = Some(passing);
        state.always = Some(fault);
    }

    pub fn heal(&self) {
        let mut state = self.state();
        state.next.clear();
        state.pass_first = None;
        state.always = None;
    }

    /// Every request seen so far, and forgets them.
    pub fn take_attempts(&self) -> Vec<Attempt> {
        std::mem::take(&mut self.state().attempts)
    }
}

fn fault_for(state: &mut State) -> Option<Fault> {
    if let Some(fault) = state.next.pop_front() {
        return Some(fault);
    }
    match state.pass_first.as_mut() {
        Some(0) => state.always,
        Some(left) => {
            *left -= 1;
            None
        }
        None => None,
    }
}

async fn handle(
    request: Request<Incoming>,
    state: &Mutex<State>,
    client: &Client<HttpConnector, Full<Bytes>>,
    target: &str,
) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes();
    let operation = operation_of(&parts.headers, &body);
    let fault = fault_for(&mut state.lock().unwrap_or_else(|e| e.into_inner()));
    let note = |status: Option<u16>| {
        state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .attempts
            .push(Attempt {
                operation: operation.clone(),
                status,
            });
    };
    let (status, content_type, text) = match fault {
        Some(Fault::Drop) => {
            note(None);
            // An error from the service makes hyper close the connection unanswered.
            return Err(std::io::Error::other("the proxy dropped the connection"));
        }
        Some(Fault::Throttle) => (
            400,
            "application/x-amz-json-1.0",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput (injected)"}"#,
        ),
        Some(Fault::ServerError) => (
            500,
            "application/x-amz-json-1.0",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error (injected)"}"#,
        ),
        Some(Fault::SesUnavailable) => (
            503,
            "text/xml",
            "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>\
             <Message>Service unavailable (injected)</Message></Error></ErrorResponse>",
        ),
        None => {
            let mut forward = Request::builder()
                .method(parts.method)
                .uri(format!("{target}{}", parts.uri));
            for (name, value) in &parts.headers {
                forward = forward.header(name, value);
            }
            let forward = forward
                .body(Full::new(body))
                .map_err(std::io::Error::other)?;
            let response = client
                .request(forward)
                .await
                .map_err(std::io::Error::other)?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(std::io::Error::other)?
                .to_bytes();
            note(Some(parts.status.as_u16()));
            return Ok(Response::from_parts(parts, Full::new(body)));
        }
    };
    note(Some(status));
    Ok(Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from_static(text.as_bytes())))
        .expect("a fault response"))
}

fn operation_of(headers: &http::HeaderMap, body: &[u8]) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or(target).to_owned();
    }
    form_action(body).unwrap_or_else(|| "?".into())
}

/// SES's query protocol names the operation in the form body: `Action=SendEmail&…`.
fn form_action(body: &[u8]) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_owned)
}
