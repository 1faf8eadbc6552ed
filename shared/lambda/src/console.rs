//! The `console` function: the admin console's static files behind `GET /console/{proxy+}`,
//! signing in with a password, and with the identity provider the stack's `Console*` parameters
//! name where they name one. It builds no AWS client: nothing of the SDK is linked, so it starts
//! as fast as a function can.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use roster_api::ApiError;
use roster_console::{Console, Oidc, SignIn};

use crate::event::{api_request, lambda_response};

pub async fn run_console() -> Result<(), Error> {
    crate::logging::init_logging();
    // Deployed, no sign-in links: those are printed at the machine holding a local store.
    let console = Console::new(&SignIn::deployed(Oidc::from_env()?));
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
