//! `/scim/v2/`: SCIM 2.0 for identity providers (SPEC §9). Every handler first finds the
//! provisioner from the request's SCIM token; errors are written in SCIM's schema by `App`.

pub mod discovery;
pub mod groups;
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

/// A resource with its version as the `ETag` and, when just created, its `Location`.
pub(crate) fn resource_response(
    status: StatusCode,
    resource: &Value,
    version: u64,
) -> crate::routes::Reply {
    let mut response = scim_json(status, resource);
    let headers = response.headers_mut();
    if let Ok(value) = http::HeaderValue::from_str(&user_resource::etag(version)) {
        headers.insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED {
        if let Some(Ok(location)) = resource["meta"]["location"]
            .as_str()
            .map(http::HeaderValue::from_str)
        {
            headers.insert(header::LOCATION, location);
        }
    }
    Ok(response)
}

/// The base URL of the SCIM surface as the client reached it, for `meta.location`.
pub(crate) fn base_url(input: &Input) -> Result<String, DomainError> {
    Ok(format!("{}/scim/v2", input.origin()?))
}

/// `resource` narrowed by the request's `attributes` / `excludedAttributes`.
pub(crate) fn projected(input: &Input, resource: Value) -> Value {
    roster_scim::projection::project(
        resource,
        input.query("attributes"),
        input.query("excludedAttributes"),
    )
}

/// A 1-based query number: `startIndex` below 1 counts as 1 and `count` below 0 as 0
/// (RFC 7644 §3.4.2.4); anything not a number is refused.
fn number(input: &Input, name: &str, default: usize) -> Result<usize, crate::problem::ApiError> {
    match input.query(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<i64>()
            .map(|n| usize::try_from(n.max(0)).unwrap_or(0))
            .map_err(|_| {
                crate::problem::ApiError::Scim(roster_scim::ScimError::bad_request(
                    roster_scim::ScimType::InvalidValue,
                    format!("{name} is a number"),
                ))
            }),
    }
}

/// A list request's filter and page: `filter`, `startIndex` (1-based), `count` (at most
/// `MAX_RESULTS`).
pub(crate) struct ListQuery {
    pub filter: Option<roster_scim::Filter>,
    pub start: usize,
    pub count: usize,
}

impl ListQuery {
    pub(crate) fn of(input: &Input) -> Result<Self, crate::problem::ApiError> {
        use roster_scim::discovery::MAX_RESULTS;
        let filter = input
            .query("filter")
            .map(roster_scim::Filter::parse)
            .transpose()
            .map_err(|e| {
                crate::problem::ApiError::Scim(roster_scim::ScimError::bad_request(
                    roster_scim::ScimType::InvalidFilter,
                    e.to_string(),
                ))
            })?;
        Ok(Self {
            filter,
            start: number(input, "startIndex", 1)?.max(1),
            count: number(input, "count", MAX_RESULTS)?.min(MAX_RESULTS),
        })
    }

    /// The page of `resources` (in a stable order) that match, as a `ListResponse`.
    pub(crate) fn answer(
        &self,
        input: &Input,
        schema: &roster_scim::ResourceSchema,
        resources: impl Iterator<Item = Value>,
    ) -> Response<Bytes> {
        let matching: Vec<Value> = resources
            .filter(|r| self.filter.as_ref().is_none_or(|f| f.matches(schema, r)))
            .collect();
        let total = matching.len();
        let page = matching
            .into_iter()
            .skip(self.start - 1)
            .take(self.count)
            .map(|r| projected(input, r))
            .collect();
        scim_json(
            StatusCode::OK,
            &roster_scim::discovery::list_response(page, total, self.start),
        )
    }
}
