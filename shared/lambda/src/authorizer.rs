//! The `authorizer` function: API Gateway's Lambda authorizer (payload 2.0, simple responses)
//! for every route that needs a caller. It verifies the bearer session token with the same
//! `Verifier` `roster serve` runs, against the public half of the stack's KMS signing key
//! (fetched once per process), and hands `sub` and `account_id` on as the authorizer's context.
//!
//! Why not API Gateway's JWT authorizer: it needs the issuer's URL when the API is defined, and
//! the issuer is the API itself (`/.well-known/` is one of its routes), which a template cannot
//! name inside its own definition. docs/deploy.md says more.

use aws_lambda_events::apigw::{
    ApiGatewayV2CustomAuthorizerSimpleResponse, ApiGatewayV2CustomAuthorizerV2Request,
};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use roster_api::Verifier;
use roster_domain::ports::signer::Signer;
use roster_kms::KmsSigner;
use serde_json::json;

use crate::function::required_env;

pub async fn run_authorizer() -> Result<(), Error> {
    crate::logging::init_logging();
    let config = crate::aws::sdk_config()?;
    let signer = KmsSigner::from_config(
        &crate::aws::for_service(&config, "KMS"),
        required_env("ROSTER_SIGNING_KEY_ID")?,
    );
    let key = signer.public_key().await?;
    let verifier = Verifier::for_key(&key)?;
    let verifier = &verifier;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2CustomAuthorizerV2Request>| async move {
            Ok::<_, Error>(decide(verifier, &event.payload))
        },
    ))
    .await
}

/// Allowed with the token's claims as context, or refused (API Gateway answers `401`).
pub fn decide(
    verifier: &Verifier,
    request: &ApiGatewayV2CustomAuthorizerV2Request,
) -> ApiGatewayV2CustomAuthorizerSimpleResponse {
    let token = request
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let mut response = ApiGatewayV2CustomAuthorizerSimpleResponse::default();
    match token.map(|t| verifier.verify(t)) {
        Some(Ok(claims)) => {
            response.is_authorized = true;
            response.context = json!({"sub": claims.sub, "account_id": claims.account_id});
        }
        Some(Err(why)) => {
            // The reason, never the token.
            tracing::info!(reason = %why, "token refused");
        }
        None => tracing::info!("no bearer token"),
    }
    response
}
