//! `roster serve`'s HTTP server: reads the body (at most 64 KiB and one byte), verifies a bearer
//! session token as the stack's session authorizer does, and hands the request to the same `App` the
//! Lambda functions run. It also serves the admin console under `/console/`, as the `console`
//! function does in the stack, and trades `roster console`'s sign-in codes for session tokens
//! (`POST /console/sign-in`), which only the local server does. Every token it accepts is one
//! Roster issued (docs/sign-in.md).

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use roster_api::{ApiError, App, MAX_BODY_BYTES, SourceAddress, Verifier};
use roster_console::Console;
use roster_domain::DomainError;
use roster_domain::usecases::SESSION_LIFETIME;
use tokio::net::TcpListener;

/// What the local server answers with.
pub struct Local {
    pub app: App,
    pub verifier: Verifier,
    pub console: Console,
}

pub async fn run(local: Local, listener: TcpListener) -> std::io::Result<()> {
    let shared = Arc::new(local);
    loop {
        let (stream, peer) = listener.accept().await?;
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |mut request: Request<Incoming>| {
                let shared = Arc::clone(&shared);
                // Failed sign-ins are counted per source address, as API Gateway's sourceIp.
                request.extensions_mut().insert(SourceAddress(peer.ip()));
                async move { Ok::<_, Infallible>(handle(&shared, request).await) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
}

async fn handle(local: &Local, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (app, verifier) = (&local.app, &local.verifier);
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path();
    if path == SIGN_IN && parts.method == http::Method::POST {
        // Falls through to reading the body below.
    } else if roster_console::is_console_path(path) {
        return local
            .console
            .answer(&parts.method, path, &parts.headers)
            .map(Full::new);
    }
    let bytes = match Limited::new(body, MAX_BODY_BYTES + 1).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            let why = if e.is::<http_body_util::LengthLimitError>() {
                format!("the request body is over {} KiB", MAX_BODY_BYTES / 1024)
            } else {
                format!("the request body could not be read: {e}")
            };
            return ApiError::BadRequest(why).into_response().map(Full::new);
        }
    };
    if parts.uri.path() == SIGN_IN {
        return sign_in(local, &bytes).await.map(Full::new);
    }
    // A SCIM request's bearer is a SCIM token, which the app checks; anything else is a JWT.
    let jwt_bearer = !roster_api::speaks_scim(parts.uri.path());
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .filter(|_| jwt_bearer)
    {
        let token = value.to_str().ok().and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
        let verified = match token {
            Some(token) => verifier.verify(token.trim()),
            None => Err("the Authorization header must be `Bearer <token>`".into()),
        };
        match verified {
            Ok(claims) => {
                parts.extensions.insert(claims);
            }
            Err(why) => {
                tracing::info!(method = %parts.method, status = 401, reason = %why, "request");
                return ApiError::Domain(DomainError::Unauthenticated(why))
                    .into_response()
                    .map(Full::new);
            }
        }
    }
    app.handle(Request::from_parts(parts, bytes))
        .await
        .map(Full::new)
}

const SIGN_IN: &str = "/console/sign-in";

/// `POST /console/sign-in` `{"code": …}`: a code of `roster console`, spent, for a session token.
async fn sign_in(local: &Local, body: &[u8]) -> Response<Bytes> {
    #[derive(serde::Deserialize)]
    struct Code {
        code: String,
    }
    let answer = async {
        let code: Code = serde_json::from_slice(body)
            .map_err(|e| ApiError::BadRequest(format!("the body must be {{\"code\": …}}: {e}")))?;
        let roster = local.app.roster();
        let (account, user) = roster.redeem_sign_in_code(&code.code).await?;
        let session = roster
            .issue_session(&account, &user, SESSION_LIFETIME)
            .await?;
        let body = serde_json::json!({"token": session.token, "expires_at": session.expires_at});
        let mut response = Response::new(Bytes::from(body.to_string()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        Ok::<_, ApiError>(response)
    };
    let response = answer.await.unwrap_or_else(ApiError::into_response);
    tracing::info!(
        method = "POST",
        operation = "console-sign-in",
        status = response.status().as_u16(),
        "request"
    );
    response
}
