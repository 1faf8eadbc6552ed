//! The `console` function: the admin console's static files behind `GET /console/{proxy+}`,
//! signing in with the identity provider the stack's `Console*` parameters name. It builds no AWS
//! client: nothing of the SDK is linked, so it starts as fast as a function can.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use roster_api::ApiError;
use roster_console::{Console, OIDC_VARIABLES, Oidc, SignIn};

use crate::event::{api_request, lambda_response};

pub async fn run_console() -> Result<(), Error> {
    crate::logging::init_logging();
    // Deployed, the console signs in with the identity provider only: no sign-in links.
    let oidc = Oidc::from_env()?.ok_or_else(|| {
        format!(
            "the console function needs {} (the stack's Console* parameters)",
            OIDC_VARIABLES.join(", ")
        )
    })?;
    let console = Console::new(&SignIn::Oidc(oidc));
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let console = console.clone();
            async move {
                let response = match api_request(event.payload) {
                    Ok(request) => {
                        console.answer(request.method(), request.uri().path(), request.headers())
                    }
                    Err(reason) => ApiError::BadRequest(reason).into_response(),
                };
                tracing::info!(status = response.status().as_u16(), "console");
                Ok::<_, Error>(lambda_response(response))
            }
        },
    ))
    .await
}
