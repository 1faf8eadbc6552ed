//! Runs one function of the route table as an AWS Lambda function behind API Gateway's HTTP API.
//! A function's `main` is one call: `roster_lambda::run("create-user")`.
//!
//! Configuration comes from the function's environment:
//! `ROSTER_TABLE` (the DynamoDB table), `ROSTER_MAIL_FROM` (the verified SES sender),
//! `ROSTER_APP_URL` (where reset links point), and the standard AWS variables.

mod reconcile;

use std::sync::Arc;

use bytes::Bytes;
pub use lambda_http::Error;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response, service_fn};
use roster_api::{App, Claims};
use roster_domain::usecases::{Roster, Settings};
use roster_dynamo::DynamoTable;
use roster_ses::SesMailer;

pub use reconcile::{DeployedRoster, run_reconcile};

/// The functions that answer events rather than HTTP requests (the route table names the rest).
pub const EVENT_FUNCTIONS: &[&str] = &["reconcile"];

/// Builds the adapters once (warm invocations reuse the clients) and serves `function`'s routes
/// until the Lambda runtime stops the process.
pub async fn run(function: &'static str) -> Result<(), Error> {
    init_logging();
    let app = App::new(roster_from_env().await?);
    lambda_http::run(service_fn(move |event: Request| {
        let app = app.clone();
        async move {
            let request = into_api_request(event);
            let response = app.handle_function(function, request).await;
            Ok::<_, Error>(into_lambda_response(response))
        }
    }))
    .await
}

/// JSON lines on stdout, which Lambda sends to CloudWatch Logs; level from `RUST_LOG`.
pub(crate) fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .with_ansi(false)
        .init();
}

pub(crate) fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("the function needs the environment variable {name}").into())
}

pub(crate) async fn roster_from_env() -> Result<Roster, Error> {
    // One configuration for both clients: the credentials chain and the HTTPS client (whose
    // trust store is most of a cold start's init) are built once.
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let table = DynamoTable::from_config(&config, required_env("ROSTER_TABLE")?);
    let mailer = SesMailer::from_config(&config, required_env("ROSTER_MAIL_FROM")?);
    let settings = Settings {
        app_url: required_env("ROSTER_APP_URL")?,
    };
    Ok(Roster::production(
        Arc::new(table),
        Arc::new(mailer),
        settings,
    ))
}

/// The HTTP request with the JWT authorizer's verified claims as a [`Claims`] extension.
fn into_api_request(event: Request) -> http::Request<Bytes> {
    let claims = match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .authorizer
            .as_ref()
            .and_then(|a| a.jwt.as_ref())
            .and_then(|jwt| {
                Some(Claims {
                    sub: jwt.claims.get("sub")?.clone(),
                    account_id: jwt.claims.get("account_id")?.clone(),
                })
            }),
        _ => None,
    };
    let (mut parts, body) = event.into_parts();
    if let Some(claims) = claims {
        parts.extensions.insert(claims);
    }
    http::Request::from_parts(parts, Bytes::copy_from_slice(body.as_ref()))
}

fn into_lambda_response(response: http::Response<Bytes>) -> Response<Body> {
    let (parts, bytes) = response.into_parts();
    let body = if bytes.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(e) => Body::Binary(e.into_bytes()),
        }
    };
    Response::from_parts(parts, body)
}
