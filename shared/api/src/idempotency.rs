//! `Idempotency-Key` on POST: the request runs once; a replay within 24 hours gets the first
//! answer (with `Idempotent-Replayed: true`), the key reused for another request is `422`, and a
//! replay while the first still runs is `409` with `Retry-After`. The rules are the domain's
//! (`roster_domain::usecases::idempotency`); this is their HTTP face.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Response, header};
use roster_domain::DomainError;
use roster_domain::usecases::{Claimed, IdempotentRequest, StoredResponse};

use crate::app::App;
use crate::input::Input;
use crate::problem::ApiError;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The headers a replay repeats; the rest describe the transport, not the answer.
const KEPT_HEADERS: [HeaderName; 3] = [header::CONTENT_TYPE, header::LOCATION, header::ETAG];

/// The request's key, if it is a POST that carries one.
pub(crate) fn request(
    method: &Method,
    path: &str,
    input: &Input,
) -> Result<Option<IdempotentRequest>, ApiError> {
    if method != Method::POST {
        return Ok(None);
    }
    let Some(value) = input.headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let invalid = |message: String| ApiError::BadRequest(format!("Idempotency-Key {message}"));
    let key = value
        .to_str()
        .map_err(|_| invalid("must be visible ASCII characters".into()))?;
    // A key is the caller's own: two users (or the public) may pick the same one.
    let scope = input.claims.as_ref().map_or_else(
        || "public".to_owned(),
        |c| format!("{}#{}", c.account_id, c.sub),
    );
    IdempotentRequest::new(&scope, key, method.as_str(), path, &input.body)
        .map(Some)
        .map_err(|e| invalid(e.0))
}

/// Runs `run` under the key: once, then the same answer.
pub(crate) async fn once<F>(
    app: &App,
    request: IdempotentRequest,
    run: F,
) -> Result<Response<Bytes>, ApiError>
where
    F: Future<Output = Response<Bytes>>,
{
    let claim = match app.roster().claim_idempotency_key(&request).await? {
        Claimed::Fresh(claim) => claim,
        Claimed::Replay(stored) => return Ok(replay(stored)),
        Claimed::Mismatch => return Err(ApiError::IdempotencyKeyReused),
        Claimed::InProgress => return Err(ApiError::IdempotencyKeyInProgress),
    };
    let response = run.await;
    let stored = stored(&response);
    // A server-side failure is not an answer to keep: the key is freed so a retry runs again.
    let kept = match stored {
        Some(stored) if response.status().as_u16() < 500 => {
            app.roster().complete_idempotency_key(claim, stored).await
        }
        _ => app.roster().release_idempotency_key(claim).await,
    };
    if let Err(e) = kept {
        // The answer stands; a replay will find the claim and, once it is stale, run again.
        tracing::warn!(error = %e, "could not record the answer to an idempotent request");
    }
    Ok(response)
}

fn stored(response: &Response<Bytes>) -> Option<StoredResponse> {
    let headers = KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = response.headers().get(name)?.to_str().ok()?;
            Some((name.as_str().to_owned(), value.to_owned()))
        })
        .collect();
    Some(StoredResponse {
        status: response.status().as_u16(),
        headers,
        body: String::from_utf8(response.body().to_vec()).ok()?,
    })
}

fn replay(stored: StoredResponse) -> Response<Bytes> {
    let mut builder = Response::builder()
        .status(stored.status)
        .header(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    for (name, value) in &stored.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Bytes::from(stored.body)).unwrap_or_else(|e| {
        ApiError::Domain(DomainError::Corrupt {
            key: "an idempotency record".into(),
            reason: e.to_string(),
        })
        .into_response()
    })
}
