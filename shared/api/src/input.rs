//! What a handler gets: path parameters, query, headers, body, and the verified claims.

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;
use roster_domain::values::{GroupId, ScimTokenId, ShiftId, UserId};
use roster_domain::{DomainError, FieldError};

/// An id a path may carry. One that does not parse names nothing: `404`, as another account's
/// id would be.
pub trait PathId: Sized {
    const ENTITY: &'static str;
    fn parse_path(raw: &str) -> Option<Self>;
}

macro_rules! path_id {
    ($ty:ty, $entity:literal) => {
        impl PathId for $ty {
            const ENTITY: &'static str = $entity;
            fn parse_path(raw: &str) -> Option<Self> {
                <$ty>::parse(raw).ok()
            }
        }
    };
}

path_id!(UserId, "user");
path_id!(GroupId, "group");
path_id!(ShiftId, "shift");
path_id!(ScimTokenId, "SCIM token");

/// Bodies over this are refused with `400` before they are parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The claims of a token verified upstream; absent when the request carried no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub account_id: String,
}

/// The address a request came from (API Gateway's `sourceIp`, the peer of `roster serve`), put
/// on the request as an extension: failed sign-ins are counted per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceAddress(pub std::net::IpAddr);

pub struct Input {
    pub params: crate::routes::Params,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub claims: Option<Claims>,
    pub source: Option<SourceAddress>,
}

impl Input {
    /// A path parameter the route declares (present whenever the route matched).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The path parameter `name` as an id: parsed at the edge, so use cases take typed ids.
    pub fn id<T: PathId>(&self, name: &str) -> Result<T, DomainError> {
        let raw = self.param(name);
        T::parse_path(raw).ok_or_else(|| DomainError::not_found(T::ENTITY, raw))
    }

    /// `scheme://host` as the client reached the API, for URLs it is given back: `http` for a
    /// loopback host (`roster serve`), `https` otherwise (API Gateway).
    pub fn origin(&self) -> Result<String, DomainError> {
        let host = self
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| {
                DomainError::conflict("the request has no Host header to build the URL from")
            })?;
        let local = host.starts_with("127.0.0.1")
            || host.starts_with("localhost")
            || host.starts_with("[::1]");
        let scheme = if local { "http" } else { "https" };
        Ok(format!("{scheme}://{host}"))
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as `T`: `400` for malformed JSON, `422` naming the field for a wrong type or an
    /// unknown field.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ApiError::BadRequest(format!(
                "the request body is over {} KiB",
                MAX_BODY_BYTES / 1024
            )));
        }
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_data() {
                let field = if path == "." { String::new() } else { path };
                ApiError::Domain(DomainError::Validation(vec![FieldError::new(
                    field,
                    inner.to_string(),
                )]))
            } else {
                malformed(&inner)
            }
        })?;
        de.end().map_err(|e| malformed(&e))?;
        Ok(value)
    }

    /// The `limit` query parameter of a list: 1..=1000, `default` when absent.
    pub fn limit(&self, default: u32) -> Result<u32, ApiError> {
        match self.query("limit") {
            None => Ok(default),
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    ApiError::Domain(DomainError::Validation(vec![FieldError::new(
                        "limit",
                        "Limit must be a whole number from 1 to 1000",
                    )]))
                }),
        }
    }

    /// `If-Match: "<version>"` as a version; `None` when absent or `*`.
    pub fn if_match(&self) -> Result<Option<u64>, ApiError> {
        let Some(value) = self.headers.get(http::header::IF_MATCH) else {
            return Ok(None);
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(None);
        }
        let bare = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
        bare.parse().map(Some).map_err(|_| {
            ApiError::BadRequest(format!(
                "If-Match must be a version from an ETag, like \"3\", not {text:?}"
            ))
        })
    }
}

fn malformed(e: &serde_json::Error) -> ApiError {
    ApiError::BadRequest(format!("the request body is not valid JSON: {e}"))
}
