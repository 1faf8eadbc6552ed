//! `/scim/v2/`: SCIM 2.0 for identity providers (SPEC §9). Every handler first finds the
//! provisioner from the request's SCIM token; errors are written in SCIM's schema by `App`.

pub mod discovery;
mod user_resource;
pub mod users;

use bytes::Bytes;
use http::{Response, StatusCode, header};
use serde_json::Value;

use crate::input::Input;
use crate::scim_error::SCIM_JSON;
use roster_domain::DomainError;

/// A SCIM answer: `application/scim+json`.
pub(crate) fn scim_json(status: StatusCode, body: &Value) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, SCIM_JSON)
        .body(Bytes::from(body.to_string()))
        .unwrap_or_default()
}

/// The base URL of the SCIM surface as the client reached it, for `meta.location`.
pub(crate) fn base_url(input: &Input) -> Result<String, DomainError> {
    Ok(format!("{}/scim/v2", input.origin()?))
}
