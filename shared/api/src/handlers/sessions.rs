//! Signing in (SPEC.md §3, docs/sign-in.md): password sessions, "Forgot password?", changing
//! one's own password, and the issuer's published keys.

use http::{HeaderValue, StatusCode, header};
use roster_domain::usecases::{
    PasswordChangeInput, ProviderTokenInput, ResetRequestInput, SignInInput,
};
use roster_domain::values::UserId;

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{empty, json};

/// `POST /sessions`: `201 {token, expires_at}`, never cached.
pub async fn create(app: &App, input: Input) -> Reply {
    let body: SignInInput = input.json()?;
    let source = input.source.map(|s| s.0.to_string());
    let session = app.roster().sign_in(&body, source.as_deref()).await?;
    let mut response = json(StatusCode::CREATED, &session);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /sessions/oidc`: the identity provider's token traded for a session, `201`.
pub async fn exchange(app: &App, input: Input) -> Reply {
    let body: ProviderTokenInput = input.json()?;
    let session = app.roster().exchange_provider_token(&body).await?;
    let mut response = json(StatusCode::CREATED, &session);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /password-resets/requests`: `202` whoever the email belongs to, or nobody.
pub async fn request_reset(app: &App, input: Input) -> Reply {
    let body: ResetRequestInput = input.json()?;
    app.roster().request_password_reset(&body).await?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// `POST /users/{id}/password`: `204` once the current password is proven and the new one set.
pub async fn change_password(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id: UserId = input.id("id")?;
    let body: PasswordChangeInput = input.json()?;
    app.roster().change_password(&actor, &id, &body).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

/// `GET /.well-known/jwks.json`: the key session tokens are signed with. Verifiers may keep it
/// for five minutes.
pub async fn jwks(app: &App, _: Input) -> Reply {
    let keys = app.roster().signing_keys().await?;
    Ok(public(json(StatusCode::OK, &keys)))
}

/// `GET /.well-known/openid-configuration`: the issuer and where its keys are.
pub async fn openid_configuration(app: &App, _: Input) -> Reply {
    Ok(public(json(
        StatusCode::OK,
        &app.roster().openid_configuration(),
    )))
}

fn public(mut response: http::Response<bytes::Bytes>) -> http::Response<bytes::Bytes> {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}
