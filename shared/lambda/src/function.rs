//! One function of the route table, or the reconcile function, wired to DynamoDB and SES from
//! the environment.

use std::sync::Arc;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, Runtime, layers, service_fn};
use roster_api::routes::{Route, RouteList};
use roster_api::{ApiError, App};
use roster_domain::usecases::{Roster, Settings};
use roster_dynamo::DynamoTable;
use roster_kms::KmsSigner;
use roster_oidc::{OidcVerifier, Provider};
use roster_ses::SesMailer;
use roster_sns::{PlatformApplications, SnsPush};

use crate::after_answer::AfterInvocation;
use crate::event::{api_request, lambda_response};

/// Builds the adapters once (warm invocations reuse the clients) and serves `routes`, the
/// function's own list (`roster_lambda::routes::<function>`), until the Lambda runtime stops the
/// process. Naming the list, not looking it up by name, is what keeps every other handler out
/// of the binary.
pub async fn run(function: &'static str, routes: RouteList) -> Result<(), Error> {
    crate::logging::init_logging();
    let config = crate::aws::sdk_config()?;
    serve(function, routes, roster_from_config(&config)?).await
}

/// As [`run`], for the one function that signs session tokens (`sign-in`): its use cases sign
/// with the KMS key `ROSTER_SIGNING_KEY_ID` names, which no other function's role may use, and
/// trade the tokens of the identity provider `ROSTER_OIDC_ISSUER` names (when it names one) for
/// sessions. Only this function links the KMS and OIDC clients.
pub async fn run_signing(function: &'static str, routes: RouteList) -> Result<(), Error> {
    crate::logging::init_logging();
    let config = crate::aws::sdk_config()?;
    let signer = KmsSigner::from_config(
        &crate::aws::for_service(&config, "KMS"),
        required_env("ROSTER_SIGNING_KEY_ID")?,
    );
    let mut roster = roster_from_config(&config)?.with_signer(Arc::new(signer));
    // Single sign-on, where the stack names a provider: its tokens are traded for sessions.
    if let Some(provider) = Provider::from_env()? {
        roster = roster.with_identity_provider(Arc::new(OidcVerifier::new(provider)?));
    }
    serve(function, routes, roster).await
}

async fn serve(function: &'static str, routes: RouteList, roster: Roster) -> Result<(), Error> {
    let routes: &'static [Route] = routes().leak();
    if let Some(stray) = routes.iter().find(|r| r.function != function) {
        return Err(format!("{function} was given {}'s route {stray:?}", stray.function).into());
    }
    let after_answer = AfterInvocation::default();
    let roster = roster.with_after_answer(Arc::new(after_answer.clone()));
    let app = App::new(roster);
    let handler = service_fn(move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
        let app = app.clone();
        async move {
            let response = match api_request(event.payload) {
                Ok(request) => app.handle_routes(routes, request).await,
                Err(reason) => ApiError::BadRequest(reason).into_response(),
            };
            Ok::<_, Error>(lambda_response(response))
        }
    });
    // As `lambda_runtime::run`, with the work a request left for after its answer run before
    // the next event is asked for (inside the tracing layer, so its logs name the request).
    Runtime::new(handler)
        .layer(after_answer)
        .layer(layers::TracingLayer::new())
        .run()
        .await
}

pub(crate) fn required_env(name: &str) -> Result<String, Error> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("the function needs the environment variable {name}").into())
}

pub(crate) async fn roster_from_env() -> Result<Roster, Error> {
    roster_from_config(&crate::aws::sdk_config()?)
}

/// The use cases over DynamoDB, SES and SNS on one configuration: the credentials and the HTTPS
/// client are built once for every client.
fn roster_from_config(config: &aws_types::SdkConfig) -> Result<Roster, Error> {
    let service = |name| crate::aws::for_service(config, name);
    let table = DynamoTable::from_config(&service("DYNAMODB"), required_env("ROSTER_TABLE")?);
    let mailer = SesMailer::from_config(&service("SES"), required_env("ROSTER_MAIL_FROM")?);
    let settings = Settings {
        app_url: required_env("ROSTER_APP_URL")?,
    };
    let roster = Roster::production(Arc::new(table), Arc::new(mailer), settings);
    // Push is set up per platform by its application's ARN; with none, devices are kept and
    // nothing is pushed.
    let apps = PlatformApplications::from_env();
    Ok(if apps.is_empty() {
        roster
    } else {
        roster.with_push(Arc::new(SnsPush::from_config(&service("SNS"), apps)))
    })
}
