use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response};
use roster_domain::DomainError;
use roster_domain::access::Actor;
use roster_domain::usecases::Roster;

use crate::idempotency;
use crate::input::{Claims, Input, SourceAddress};
use crate::problem::ApiError;
use crate::routes::{self, Auth, Route, routes};
use crate::scim_error::speaks_scim;

/// The API over one `Roster`. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct App {
    roster: Roster,
}

impl App {
    pub fn new(roster: Roster) -> Self {
        Self { roster }
    }

    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// Answers `request` with whichever route matches: what `roster serve` does.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.dispatch(routes().iter(), request).await
    }

    /// Answers `request` with `routes` only (a Lambda function's own, from
    /// [`crate::routes::of`]); any other path is `404`, as it would be behind an API Gateway
    /// that never sends it there.
    pub async fn handle_routes(
        &self,
        routes: &[Route],
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        self.dispatch(routes.iter(), request).await
    }

    /// Answers `request` only with the routes of one Lambda function, picked from the whole
    /// table by name: what the tests run in-process.
    pub async fn handle_function(
        &self,
        function: &str,
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        self.dispatch(routes().iter().filter(|r| r.function == function), request)
            .await
    }

    async fn dispatch<'r>(
        &self,
        candidates: impl Iterator<Item = &'r Route>,
        request: Request<Bytes>,
    ) -> Response<Bytes> {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let claims = parts.extensions.get::<Claims>().cloned();
        let source = parts.extensions.get::<SourceAddress>().copied();
        let found = routes::find(candidates, &parts.method, parts.uri.path());
        let operation = found.as_ref().map_or("-", |(route, _)| route.operation);
        let result = match found {
            Ok((route, _)) if route.auth == Auth::Jwt && claims.is_none() => Err(ApiError::Domain(
                DomainError::Unauthenticated("this route needs a bearer token".into()),
            )),
            Ok((route, params)) => {
                let input = Input {
                    params,
                    query: parts
                        .uri
                        .query()
                        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                        .unwrap_or_default(),
                    headers: parts.headers,
                    body,
                    claims,
                    source,
                };
                match idempotency::request(&parts.method, parts.uri.path(), &input) {
                    Ok(None) => Ok(answer(route, self, input).await),
                    Ok(Some(key)) => idempotency::once(self, key, answer(route, self, input)).await,
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        let response = result.unwrap_or_else(|e| render(e, speaks_scim(parts.uri.path())));
        // The operation, not the path: paths can carry secrets (calendar tokens). Never bodies.
        tracing::info!(
            method = %parts.method,
            operation,
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request"
        );
        response
    }

    /// The verified caller, as an actor of the use cases.
    pub(crate) async fn actor(&self, input: &Input) -> Result<Actor, ApiError> {
        let claims = input.claims.as_ref().ok_or_else(|| {
            ApiError::Domain(DomainError::Unauthenticated(
                "this route needs a bearer token".into(),
            ))
        })?;
        let caller = self.roster.caller(&claims.account_id, &claims.sub).await?;
        Ok(Actor::User(Box::new(caller)))
    }

    /// The identity provider behind a SCIM request, from its bearer SCIM token.
    pub(crate) async fn provisioner(&self, input: &Input) -> Result<Actor, ApiError> {
        let secret = input
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, secret)| secret.trim())
            .ok_or_else(|| {
                DomainError::Unauthenticated(
                    "a SCIM request needs `Authorization: Bearer <SCIM token>`".into(),
                )
            })?;
        Ok(self.roster.scim_actor(secret).await?)
    }
}

/// The route's answer, success or problem (in SCIM's schema on SCIM routes).
async fn answer(route: &Route, app: &App, input: Input) -> Response<Bytes> {
    (route.handler)(app, input)
        .await
        .unwrap_or_else(|e| render(e, route.auth == Auth::Scim))
}

fn render(error: ApiError, scim: bool) -> Response<Bytes> {
    if scim {
        error.into_scim_response()
    } else {
        error.into_response()
    }
}
