//! The SCIM error writer: the same `ApiError`s as the rest of the API, answered in SCIM's
//! error schema (`application/scim+json`, `status`, `scimType`, `detail`) on `/scim/v2/`.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use roster_domain::DomainError;
use roster_scim::{ScimError, ScimType};

use crate::problem::ApiError;

pub const SCIM_JSON: &str = "application/scim+json";

/// Whether a path is answered in SCIM's dialect (errors included, even for a path no route has).
pub fn speaks_scim(path: &str) -> bool {
    path.starts_with("/scim/v2/") || path == "/scim/v2"
}

impl ApiError {
    /// What SCIM calls this error. Field problems are `400 invalidValue` (SCIM has no 422);
    /// a taken email or username is `409 uniqueness`.
    fn scim_error(&self) -> ScimError {
        let problem = self.problem();
        match self {
            Self::Scim(e) => e.clone(),
            Self::BadRequest(detail) => ScimError::bad_request(ScimType::InvalidSyntax, detail),
            Self::Domain(DomainError::Validation(errors)) => ScimError::bad_request(
                ScimType::InvalidValue,
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Self::Domain(DomainError::Conflict { fields, message })
                if fields
                    .iter()
                    .any(|f| f.field == "email" || f.field == "username" || f.field == "name") =>
            {
                ScimError::new(409, Some(ScimType::Uniqueness), message)
            }
            Self::Domain(_)
            | Self::NoRoute
            | Self::MethodNotAllowed(_)
            | Self::IdempotencyKeyReused
            | Self::IdempotencyKeyInProgress => {
                ScimError::new(problem.status, None, problem.detail)
            }
        }
    }

    /// The response in SCIM's error schema, with the headers the problem response would carry
    /// (`WWW-Authenticate`, `Retry-After`, `Allow`).
    pub fn into_scim_response(self) -> Response<Bytes> {
        let mut error = self.scim_error();
        if error.status == 500 {
            error.detail = "an internal error occurred; it has been logged".into();
        }
        let mut response = self.into_response();
        *response.status_mut() =
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        *response.body_mut() = Bytes::from(error.body().to_string());
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        response
    }
}

#[cfg(test)]
mod tests {
    use roster_domain::FieldError;
    use serde_json::{Value, json};

    use super::*;

    fn body(error: ApiError) -> (u16, Value, String) {
        let response = error.into_scim_response();
        let kind = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let body = serde_json::from_slice(response.body()).unwrap();
        (response.status().as_u16(), body, kind)
    }

    #[test]
    fn field_problems_are_400_invalid_value_and_taken_names_409_uniqueness() {
        let (status, json, kind) = body(ApiError::Domain(DomainError::Validation(vec![
            FieldError::new("email", "email is not a valid email address"),
        ])));
        assert_eq!((status, kind.as_str()), (400, SCIM_JSON));
        assert_eq!(
            json,
            json!({
                "schemas": [roster_scim::error::ERROR_SCHEMA],
                "status": "400",
                "scimType": "invalidValue",
                "detail": "email is not a valid email address",
            })
        );
        let taken = DomainError::Conflict {
            message: "email a@b.example is taken".into(),
            fields: vec![FieldError::new("email", "taken")],
        };
        let (status, json, _) = body(ApiError::Domain(taken));
        assert_eq!((status, &json["scimType"]), (409, &json!("uniqueness")));
    }

    #[test]
    fn an_unknown_token_is_401_with_a_challenge_and_no_scim_type() {
        let response = ApiError::Domain(DomainError::Unauthenticated(
            "the SCIM token is not valid".into(),
        ))
        .into_scim_response();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let json: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(json["detail"], "the SCIM token is not valid");
        assert!(json.get("scimType").is_none());
    }

    #[test]
    fn paths_under_scim_v2_speak_scim() {
        assert!(speaks_scim("/scim/v2/Users"));
        assert!(!speaks_scim("/scim-tokens"));
        assert!(!speaks_scim("/scim/v20/Users"));
    }
}
