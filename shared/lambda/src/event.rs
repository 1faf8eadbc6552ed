//! API Gateway HTTP API (payload 2.0) events to `http` requests and back: the one place a
//! Lambda event's shape is read, with no AWS client in sight (the `claims` fuzz target builds it
//! alone). An event that cannot be a request — a path or query that is no URI, a body that is
//! not the base64 it claims — is answered 400, never a panic: a panic aborts the function.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use base64::Engine as _;
use bytes::Bytes;
use roster_api::{Claims, SourceAddress};

/// The request the event carries, with the session authorizer's verified claims as a [`Claims`]
/// extension and API Gateway's `sourceIp` as a [`SourceAddress`]; or why the event is not a
/// request.
pub fn api_request(event: ApiGatewayV2httpRequest) -> Result<http::Request<Bytes>, String> {
    // The stack's session authorizer passes the claims it verified on as its context
    // (authorizer.rs); a request without them is one of the public routes'.
    let claims = event.request_context.authorizer.as_ref().and_then(|a| {
        let claim = |name: &str| a.fields.get(name)?.as_str().map(str::to_owned);
        Some(Claims {
            sub: claim("sub")?,
            account_id: claim("account_id")?,
        })
    });
    let source_address = event
        .request_context
        .http
        .source_ip
        .as_deref()
        .and_then(|ip| ip.parse().ok());
    let mut target = event
        .raw_path
        .filter(|p| !p.is_empty())
        .map_or_else(|| "/".into(), |p| encoded_path(&p));
    if let Some(query) = event.raw_query_string.filter(|q| !q.is_empty()) {
        target.push('?');
        target.push_str(&query);
    }
    let uri: http::Uri = target
        .parse()
        .map_err(|e| format!("the request's path and query are not a valid URI: {e}"))?;
    let body = match event.body {
        None => Bytes::new(),
        Some(text) if event.is_base64_encoded => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(Bytes::from)
            .map_err(|e| format!("the body is marked base64 but is not: {e}"))?,
        Some(text) => Bytes::from(text),
    };
    let mut request = http::Request::new(body);
    *request.method_mut() = event.request_context.http.method;
    *request.uri_mut() = uri;
    *request.headers_mut() = event.headers;
    if let Some(claims) = claims {
        request.extensions_mut().insert(claims);
    }
    // Failed sign-ins are counted per source address (SPEC.md §3): API Gateway's, not a header
    // a client could set.
    if let Some(address) = source_address {
        request.extensions_mut().insert(SourceAddress(address));
    }
    Ok(request)
}

/// Characters a URI path may not hold as they are (RFC 3986 `pchar` and `/` are the rest).
const NOT_IN_A_PATH: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The path as a URI holds it. HTTP APIs hand functions `rawPath` percent-*decoded*
/// (`/users/01J/roles/App Admin`), where REST APIs and function URLs keep it encoded: escape what
/// a path cannot hold, and a `%` that starts no escape, and leave escapes as they are, so either
/// form becomes the same URI and the route table decodes its parameters once.
fn encoded_path(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('%') {
        out.extend(percent_encoding::utf8_percent_encode(
            &rest[..at],
            NOT_IN_A_PATH,
        ));
        let offset = raw.len() - rest.len() + at;
        let escape = bytes
            .get(offset + 1..offset + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        out.push_str(if escape { "%" } else { "%25" });
        rest = &rest[at + 1..];
    }
    out.extend(percent_encoding::utf8_percent_encode(rest, NOT_IN_A_PATH));
    out
}

/// The response as API Gateway takes it: text bodies as text, others base64.
#[cfg_attr(not(any(feature = "aws", feature = "console")), allow(dead_code))]
pub(crate) fn lambda_response(response: http::Response<Bytes>) -> ApiGatewayV2httpResponse {
    let (parts, bytes) = response.into_parts();
    let mut out = ApiGatewayV2httpResponse::default();
    out.status_code = i64::from(parts.status.as_u16());
    out.headers = parts.headers;
    if !bytes.is_empty() {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => out.body = Some(Body::Text(text)),
            Err(e) => {
                out.body = Some(Body::Binary(e.into_bytes()));
                out.is_base64_encoded = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(raw_query: &str, claims: bool) -> ApiGatewayV2httpRequest {
        let authorizer = if claims {
            r#","authorizer":{"lambda":{"sub":"01J","account_id":"acme"}}"#
        } else {
            ""
        };
        let text = format!(
            r#"{{"version":"2.0","routeKey":"GET /users","rawPath":"/users","rawQueryString":{raw_query:?},
               "headers":{{"accept":"application/json"}},
               "requestContext":{{"http":{{"method":"GET","path":"/users","protocol":"HTTP/1.1",
               "sourceIp":"127.0.0.1","userAgent":"t"}},"stage":"$default"{authorizer}}},
               "isBase64Encoded":false}}"#
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_claims_are_the_authorizers_and_only_theirs() {
        let request = api_request(event("q=ana&limit=2", true)).unwrap();
        let claims = request.extensions().get::<Claims>().unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.account_id.as_str()),
            ("01J", "acme")
        );
        assert_eq!(request.uri(), "/users?q=ana&limit=2");
        assert_eq!(request.method(), http::Method::GET);
        assert!(
            api_request(event("", false))
                .unwrap()
                .extensions()
                .get::<Claims>()
                .is_none()
        );
    }

    #[test]
    fn a_decoded_path_and_an_encoded_one_become_the_same_uri() {
        for (raw, uri) in [
            (
                "/roles/App Admin/assignments",
                "/roles/App%20Admin/assignments",
            ),
            (
                "/roles/App%20Admin/assignments",
                "/roles/App%20Admin/assignments",
            ),
            ("/users/Zoë?x#y", "/users/Zo%C3%AB%3Fx%23y"),
            ("/users/100%", "/users/100%25"),
            ("/users/%zz", "/users/%25zz"),
        ] {
            assert_eq!(encoded_path(raw), uri, "{raw}");
            assert!(uri.parse::<http::Uri>().is_ok());
        }
    }

    #[test]
    fn a_query_no_uri_can_hold_is_refused_not_a_panic() {
        // Found by the `claims` fuzz target: lambda_http 1.3.2 panicked on this event.
        let refused = api_request(event("q=<b>", true)).unwrap_err();
        assert!(
            refused.starts_with("the request's path and query are not a valid URI"),
            "{refused}"
        );
    }
}
