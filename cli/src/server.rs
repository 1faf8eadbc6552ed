//! `roster serve`'s HTTP server: reads the body (at most 64 KiB and one byte), verifies a bearer
//! token as API Gateway's JWT authorizer would, and hands the request to the same `App` the
//! Lambda functions run.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use roster_api::{ApiError, App, MAX_BODY_BYTES};
use roster_domain::DomainError;
use tokio::net::TcpListener;

use crate::jwt::Jwt;

pub async fn run(app: App, jwt: Jwt, listener: TcpListener) -> std::io::Result<()> {
    let shared = Arc::new((app, jwt));
    loop {
        let (stream, _) = listener.accept().await?;
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(handle(&shared.0, &shared.1, request).await) }
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

async fn handle(app: &App, jwt: &Jwt, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (mut parts, body) = request.into_parts();
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
            Some(token) => jwt.verify(token.trim()),
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
