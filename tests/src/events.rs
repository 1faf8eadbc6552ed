//! The events Lambda hands Roster's functions: API Gateway HTTP API (v2) requests carrying what
//! the stack's session authorizer passed on, the authorizer's own request, and EventBridge's
//! scheduled event.

use serde_json::{Value, json};

/// An HTTP API v2 request event; `claims` are `(sub, account_id)` as the session authorizer
/// passes them on (its simple response's context), absent on the public routes.
pub fn http_api(
    method: &str,
    path: &str,
    claims: Option<(&str, &str)>,
    body: Option<Value>,
) -> Value {
    let mut context = json!({
        "accountId": "123456789012",
        "apiId": "roster",
        "domainName": "api.roster.test",
        "domainPrefix": "api",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                 "sourceIp": "127.0.0.1", "userAgent": "roster-tests"},
        "requestId": ulid::Ulid::generate().to_string(),
        "routeKey": format!("{method} {path}"),
        "stage": "$default",
        "time": "28/Nov/2026:08:00:00 +0000",
        "timeEpoch": 1_795_852_800_000_i64,
    });
    if let Some((sub, account_id)) = claims {
        context["authorizer"] = json!({"lambda": {"sub": sub, "account_id": account_id}});
    }
    json!({
        "version": "2.0",
        "routeKey": format!("{method} {path}"),
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": context,
        "body": body.map(|b| b.to_string()),
        "isBase64Encoded": false,
    })
}

/// What API Gateway asks the session authorizer (payload 2.0) about a request carrying
/// `authorization` (the whole header value), absent when the request has none.
pub fn authorizer_request(authorization: Option<&str>) -> Value {
    let mut headers = json!({"content-type": "application/json"});
    if let Some(value) = authorization {
        headers["authorization"] = json!(value);
    }
    json!({
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": "arn:aws:execute-api:us-east-1:123456789012:roster/$default/GET/users/{id}",
        "identitySource": authorization.map(|a| vec![a]),
        "routeKey": "GET /users/{id}",
        "rawPath": "/users/01J0000000000000000000000A",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "roster",
            "domainName": "api.roster.test",
            "domainPrefix": "api",
            "http": {"method": "GET", "path": "/users/01J0000000000000000000000A",
                     "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "roster-tests"},
            "requestId": ulid::Ulid::generate().to_string(),
            "routeKey": "GET /users/{id}",
            "stage": "$default",
            "time": "28/Nov/2026:08:00:00 +0000",
            "timeEpoch": 1_795_852_800_000_i64,
        },
    })
}

/// The event of the EventBridge schedule that runs the drift check.
pub fn scheduled() -> Value {
    json!({
        "version": "0",
        "id": "5c8e7c5a-0000-4000-8000-000000000000",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-28T08:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/roster-drift-check"],
        "detail": {}
    })
}
