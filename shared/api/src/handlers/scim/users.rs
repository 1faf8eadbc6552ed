//! `/scim/v2/Users`: create, read and list (with `filter`, `startIndex`, `count`).

use http::StatusCode;
use roster_domain::access::Actor;
use roster_domain::entities::User;
use roster_domain::usecases::{NewUser, UserPatchInput};
use roster_domain::values::{ExternalId, UserId, Username};
use roster_scim::{Filter, PatchRequest, USER};
use serde_json::Value;

use super::user_resource::{from_scim, patched, to_scim};
use super::{ListQuery, base_url, projected, resource_response};
use crate::app::App;
use crate::input::Input;
use crate::problem::ApiError;
use crate::routes::Reply;

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let body: Value = input.json()?;
    let read = from_scim(&body).map_err(ApiError::Scim)?;
    let new = NewUser::parse(&read.input)?;
    let roster = app.roster();
    let mut user = roster
        .create_provisioned_user(&actor, new, read.provided.clone())
        .await?;
    if !read.active {
        let off = UserPatchInput {
            active: Some(false),
            ..Default::default()
        };
        user = roster.update_user(&actor, &user.id, &off, None).await?;
    }
    resource_response(
        StatusCode::CREATED,
        &to_scim(&user, &base_url(&input)?),
        user.version,
    )
}

pub async fn get(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    let profile = app.roster().get_user(&actor, &id).await?;
    let user = &profile.user;
    resource_response(
        StatusCode::OK,
        &projected(&input, to_scim(user, &base_url(&input)?)),
        user.version,
    )
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let base = base_url(&input)?;
    let query = ListQuery::of(&input)?;
    let mut users = candidates(app, &actor, query.filter.as_ref()).await?;
    // Ids are ULIDs: creation order, stable from page to page.
    users.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(query.answer(&input, &USER, users.iter().map(|u| to_scim(u, &base))))
}

/// The users a list's filter is evaluated on: for `userName eq` and `externalId eq`, what
/// identity providers send before each create, and for a filter that requires an
/// `emails.value`, the few an index points to (no match when the value could not be stored);
/// for any other filter, every user.
async fn candidates(
    app: &App,
    actor: &Actor,
    filter: Option<&Filter>,
) -> Result<Vec<User>, ApiError> {
    let roster = app.roster();
    if let Some(name) = filter.and_then(|f| f.equality_on("userName")) {
        return Ok(match Username::parse(name) {
            Ok(name) => roster
                .user_by_username(actor, &name)
                .await?
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        });
    }
    if let Some(external) = filter.and_then(|f| f.equality_on("externalId")) {
        return Ok(match ExternalId::parse(external) {
            Ok(external) => roster.users_by_external_id(actor, &external).await?,
            Err(_) => Vec::new(),
        });
    }
    if let Some(email) = filter.and_then(|f| f.value_required_in("emails")) {
        return Ok(roster.users_by_email_value(actor, email).await?);
    }
    Ok(roster.every_user(actor).await?)
}

/// Makes the user what a whole SCIM `User` says (SPEC §9): identity fields, external id
/// (absent clears it), `active`, the emails and phone numbers as sent and the mobile number,
/// through the API's own update, so the same rules hold (the Owner is never deactivated; a
/// deactivation tells who is uncovered).
pub async fn replace(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    let body: Value = input.json()?;
    let update = from_scim(&body).map_err(ApiError::Scim)?.into_update();
    let user = app
        .roster()
        .update_provisioned_user(&actor, &id, &update, input.if_match()?)
        .await?;
    answer(&input, &user)
}

/// Applies the operations to the user as read, and writes the result only while that version
/// is still current; a concurrent change is read again and the operations applied again
/// (`Roster::edit_provisioned_user`), so identity providers' concurrent PATCHes lose nothing.
pub async fn patch(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    let body: Value = input.json()?;
    let request = PatchRequest::parse(&body).map_err(ApiError::Scim)?;
    let base = base_url(&input)?;
    let user = app
        .roster()
        .edit_provisioned_user(&actor, &id, input.if_match()?, |current| {
            patched(current, &base, &request).map_err(ApiError::Scim)
        })
        .await?;
    answer(&input, &user)
}

fn answer(input: &Input, user: &User) -> Reply {
    resource_response(
        StatusCode::OK,
        &to_scim(user, &base_url(input)?),
        user.version,
    )
}

pub async fn delete(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    app.roster().delete_user(&actor, &id, None).await?;
    Ok(crate::views::empty(StatusCode::NO_CONTENT))
}
