//! `/users` and `/password-resets`: the user life cycle (SPEC.md §3, §5, §8).

use http::{HeaderValue, StatusCode, header};
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{NewUserInput, PasswordResetInput, UserFilter, UserPatchInput};
use roster_domain::values::UserId;
use roster_domain::{DomainError, FieldError};

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{
    DeliveryView, UserListView, UserView, decode_cursor, empty, encode_cursor, json, with_etag,
};

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: NewUserInput = input.json()?;
    let (user, delivery) = app
        .roster()
        .create_user(&actor, &body, ManagedBy::Api)
        .await?;
    if let roster_domain::usecases::Delivery::Queued { reason } = &delivery {
        tracing::warn!(user_id = %user.id, reason, "user created; invitation queued for retry");
    }
    let mut response = with_etag(
        json(StatusCode::CREATED, &UserView::of(&user)),
        user.version,
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/users/{}", user.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn get(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let profile = app.roster().get_user(&actor, &input.id("id")?).await?;
    Ok(with_etag(
        json(StatusCode::OK, &UserView::profile(&profile)),
        profile.user.version,
    ))
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let limit = input.limit(50)?;
    let after = input.query("cursor").map(decode_cursor).transpose()?;
    let filter = UserFilter {
        q: input.query("q").map(str::to_owned),
    };
    let with_blockers = include_delete_blockers(&input)?;
    let page = app
        .roster()
        .list_users(&actor, &filter, limit, after)
        .await?;
    let next_cursor = page.next.as_ref().map(encode_cursor);
    if !with_blockers {
        let users = page.users.iter().map(UserView::of).collect();
        return Ok(json(StatusCode::OK, &UserListView { users, next_cursor }));
    }
    let blockers = app.roster().delete_blockers(&actor, &page.users).await?;
    let users = page
        .users
        .iter()
        .zip(&blockers)
        .map(|(user, holes)| UserView::with_blockers(user, holes))
        .collect();
    Ok(json(StatusCode::OK, &UserListView { users, next_cursor }))
}

/// `include=delete_blockers`: the one extra a list can carry, for the console's trash icons.
fn include_delete_blockers(input: &Input) -> Result<bool, DomainError> {
    match input.query("include") {
        None => Ok(false),
        Some("delete_blockers") => Ok(true),
        Some(other) => Err(DomainError::Validation(vec![FieldError::new(
            "include",
            format!("Include {other:?} is not known; the one choice is delete_blockers"),
        )])),
    }
}

pub async fn update(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let if_match = input.if_match()?;
    let patch: UserPatchInput = input.json()?;
    let user = app
        .roster()
        .update_user(&actor, &id, &patch, if_match)
        .await?;
    Ok(with_etag(
        json(StatusCode::OK, &UserView::of(&user)),
        user.version,
    ))
}

pub async fn delete(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let replacement = input
        .query("replacement")
        .map(|raw| {
            UserId::parse(raw).map_err(|_| {
                DomainError::Validation(vec![FieldError::new(
                    "replacement",
                    format!("Replacement {raw} is not a user id"),
                )])
            })
        })
        .transpose()?;
    app.roster()
        .delete_user(&actor, &input.id("id")?, replacement.as_ref())
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub async fn resend_invite(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let delivery = app
        .roster()
        .resend_invitation(&actor, &input.id("id")?)
        .await?;
    Ok(json(StatusCode::ACCEPTED, &DeliveryView::of(delivery)))
}

pub async fn reset_password(app: &App, input: Input) -> Reply {
    let body: PasswordResetInput = input.json()?;
    app.roster().reset_password(&body).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
