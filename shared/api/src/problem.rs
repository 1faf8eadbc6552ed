//! Every error becomes an `application/problem+json` body (RFC 9457) here, and only here.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use roster_domain::DomainError;
use roster_domain::ports::table::TableError;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// A rule of the domain said no.
    Domain(DomainError),
    /// The request itself is malformed: bad JSON, an oversized body, a bad header.
    BadRequest(String),
    /// No route has this path.
    NoRoute,
    /// The path exists, with other methods.
    MethodNotAllowed(Vec<http::Method>),
    /// The `Idempotency-Key` was used for a different request within its window.
    IdempotencyKeyReused,
    /// The first request with this `Idempotency-Key` is still running.
    IdempotencyKeyInProgress,
    /// A SCIM request SCIM's own rules refuse (a filter, a PATCH path): answered on `/scim/v2/`
    /// as it is (`scim_error.rs`).
    Scim(roster_scim::ScimError),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.problem();
        write!(f, "{} {}: {}", p.status, p.title, p.detail)
    }
}

impl std::error::Error for ApiError {}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}

/// The problem body. `errors` for field problems; `missing_right` for refusals.
#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<roster_domain::FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_right: Option<&'static str>,
    /// What a refused change would leave without its person, by kind (deleting a user,
    /// removing a member).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shifts: Vec<roster_domain::ShiftOnDuty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<roster_domain::GroupWithoutResponder>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covering: Vec<roster_domain::CoverHeld>,
    /// The account's seats and how many are held, when they are all held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<u64>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn problem(&self) -> Problem {
        let problem = |kind, title, status: StatusCode, detail: String| Problem {
            kind,
            title,
            status: status.as_u16(),
            detail,
            errors: Vec::new(),
            missing_right: None,
            shifts: Vec::new(),
            groups: Vec::new(),
            covering: Vec::new(),
            seats: None,
            used: None,
        };
        match self {
            Self::BadRequest(detail) => problem(
                "/problems/bad-request",
                "Bad request",
                StatusCode::BAD_REQUEST,
                detail.clone(),
            ),
            Self::NoRoute => problem(
                "/problems/not-found",
                "Not found",
                StatusCode::NOT_FOUND,
                "no such resource".into(),
            ),
            Self::MethodNotAllowed(allowed) => problem(
                "/problems/method-not-allowed",
                "Method not allowed",
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "this resource answers {}",
                    allowed
                        .iter()
                        .map(http::Method::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Self::IdempotencyKeyReused => problem(
                "/problems/idempotency-key-reused",
                "Idempotency key reused",
                StatusCode::UNPROCESSABLE_ENTITY,
                "this Idempotency-Key was used for a different request in the last 24 hours".into(),
            ),
            Self::IdempotencyKeyInProgress => problem(
                "/problems/idempotency-key-in-progress",
                "Conflict",
                StatusCode::CONFLICT,
                "the first request with this Idempotency-Key has not finished; retry shortly"
                    .into(),
            ),
            Self::Scim(e) => problem(
                "/problems/bad-request",
                "Bad request",
                StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
                e.detail.clone(),
            ),
            Self::Domain(e) => domain_problem(e),
        }
    }

    pub fn into_response(self) -> Response<Bytes> {
        let mut problem = self.problem();
        if problem.status == 500 {
            // The log has the cause; the caller gets no internals.
            tracing::error!(error = %self, "internal error");
            problem.detail = "an internal error occurred; it has been logged".into();
        } else if problem.status == 503 {
            // A dependency failed (the table after the SDK's retries, a refused TLS handshake,
            // the mail service): the caller retries, the operator needs to know which and why.
            tracing::warn!(error = %self, "service unavailable");
        }
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = Response::builder()
            .status(problem.status)
            .header(header::CONTENT_TYPE, "application/problem+json")
            .body(Bytes::from(body))
            .unwrap_or_default();
        let headers = response.headers_mut();
        match &self {
            Self::Domain(DomainError::Unauthenticated(_)) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::Domain(DomainError::Store(TableError::Conflict | TableError::Unavailable(_)))
            | Self::Domain(DomainError::ServiceUnavailable { .. })
            | Self::IdempotencyKeyInProgress => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Self::Domain(DomainError::TooManyAttempts {
                retry_after_seconds,
            }) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
            }
            Self::MethodNotAllowed(allowed) => {
                let list = allowed
                    .iter()
                    .map(http::Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(value) = HeaderValue::from_str(&list) {
                    headers.insert(header::ALLOW, value);
                }
            }
            _ => {}
        }
        response
    }
}

fn domain_problem(e: &DomainError) -> Problem {
    let base = |kind, title, status: StatusCode| Problem {
        kind,
        title,
        status: status.as_u16(),
        detail: e.to_string(),
        errors: Vec::new(),
        missing_right: None,
        shifts: Vec::new(),
        groups: Vec::new(),
        covering: Vec::new(),
        seats: None,
        used: None,
    };
    match e {
        DomainError::Validation(errors) => Problem {
            detail: "one or more fields are invalid".into(),
            errors: errors.clone(),
            ..base(
                "/problems/validation",
                "Invalid input",
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        },
        DomainError::NotFound { .. } => {
            base("/problems/not-found", "Not found", StatusCode::NOT_FOUND)
        }
        DomainError::Conflict { fields, .. } => Problem {
            errors: fields.clone(),
            ..base("/problems/conflict", "Conflict", StatusCode::CONFLICT)
        },
        DomainError::WouldLeaveHoles { holes, .. } => Problem {
            shifts: holes.shifts.clone(),
            groups: holes.groups.clone(),
            covering: holes.covering.clone(),
            ..base(
                "/problems/would-leave-holes",
                "Conflict",
                StatusCode::CONFLICT,
            )
        },
        DomainError::SeatsExhausted { seats, used } => Problem {
            seats: Some(*seats),
            used: Some(*used),
            ..base(
                "/problems/seats-exhausted",
                "Seats exhausted",
                StatusCode::CONFLICT,
            )
        },
        DomainError::PreconditionFailed { .. } => base(
            "/problems/precondition-failed",
            "Precondition failed",
            StatusCode::PRECONDITION_FAILED,
        ),
        DomainError::Unauthenticated(_) => base(
            "/problems/unauthenticated",
            "Unauthenticated",
            StatusCode::UNAUTHORIZED,
        ),
        DomainError::TooManyAttempts { .. } => base(
            "/problems/too-many-attempts",
            "Too many attempts",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        DomainError::Forbidden { right, .. } => Problem {
            missing_right: Some(right),
            ..base("/problems/forbidden", "Forbidden", StatusCode::FORBIDDEN)
        },
        DomainError::Store(TableError::Conflict | TableError::Unavailable(_))
        | DomainError::ServiceUnavailable { .. } => base(
            "/problems/unavailable",
            "Service unavailable",
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        DomainError::Store(TableError::ConditionFailed(_) | TableError::Invalid(_))
        | DomainError::Corrupt { .. } => base(
            "/problems/internal",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}
