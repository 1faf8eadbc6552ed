//! The caller's identity on the way in: an API Gateway HTTP API event, whatever its shape,
//! becomes a request whose claims are exactly the session authorizer's `sub` and `account_id`
//! (its context, or none), or is refused with a reason — never a panic, never claims from anywhere else.

#![no_main]

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use libfuzzer_sys::fuzz_target;
use roster_api::Claims;

fuzz_target!(|input: &str| {
    let Ok(event) = serde_json::from_str::<ApiGatewayV2httpRequest>(input) else {
        return;
    };
    // A generic reading of the same text, to say what the claims are; it refuses numbers the
    // event's own fields never hold (1e800), which the event skips as unknown fields.
    let Ok(json) = serde_json::from_str::<serde_json::Value>(input) else {
        return;
    };
    let claims = &json["requestContext"]["authorizer"]["lambda"];
    let expected = claims["sub"]
        .as_str()
        .zip(claims["account_id"].as_str())
        .map(|(sub, account)| (sub.to_owned(), account.to_owned()));
    if let Ok(request) = roster_lambda::api_request(event) {
        let found = request
            .extensions()
            .get::<Claims>()
            .map(|c| (c.sub.clone(), c.account_id.clone()));
        assert_eq!(found, expected);
    }
});
