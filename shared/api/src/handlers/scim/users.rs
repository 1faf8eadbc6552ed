//! `/scim/v2/Users`: create, read and list (with `filter`, `startIndex`, `count`).

use http::{HeaderValue, StatusCode, header};
use roster_domain::usecases::{NewUser, UserPatchInput};
use roster_domain::values::{UserId, Username};
use roster_scim::discovery::{MAX_RESULTS, list_response};
use roster_scim::{Filter, PatchRequest, ScimType, USER};
use serde_json::Value;

use super::user_resource::{ScimUserBody, etag, from_scim, to_scim};
use super::{base_url, scim_json};
use crate::app::App;
use crate::input::Input;
use crate::problem::ApiError;
use crate::routes::Reply;

/// A user resource with its `ETag` and, on create, its `Location`.
fn answer(status: StatusCode, resource: &Value, version: u64) -> Reply {
    let mut response = scim_json(status, resource);
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        headers.insert(header::ETAG, value);
    }
    if status == StatusCode::CREATED {
        if let Some(Ok(location)) = resource["meta"]["location"]
            .as_str()
            .map(HeaderValue::from_str)
        {
            headers.insert(header::LOCATION, location);
        }
    }
    Ok(response)
}

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let body: Value = input.json()?;
    let read = from_scim(&body).map_err(ApiError::Scim)?;
    let new = NewUser::parse(&read.input)?;
    let roster = app.roster();
    let mut user = roster.create_provisioned_user(&actor, new).await?;
    if !read.active {
        let off = UserPatchInput {
            active: Some(false),
            ..Default::default()
        };
        user = roster.update_user(&actor, &user.id, &off, None).await?;
    }
    answer(
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
    answer(
        StatusCode::OK,
        &to_scim(user, &base_url(&input)?),
        user.version,
    )
}

/// A 1-based query number: `startIndex` below 1 counts as 1 and `count` below 0 as 0
/// (RFC 7644 §3.4.2.4); anything not a number is refused.
fn number(input: &Input, name: &str, default: usize) -> Result<i64, ApiError> {
    match input.query(name) {
        None => Ok(default as i64),
        Some(raw) => raw.trim().parse::<i64>().map_err(|_| {
            ApiError::Scim(roster_scim::ScimError::bad_request(
                ScimType::InvalidValue,
                format!("{name} is a number"),
            ))
        }),
    }
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let base = base_url(&input)?;
    let start = usize::try_from(number(&input, "startIndex", 1)?.max(1)).unwrap_or(1);
    let count = usize::try_from(number(&input, "count", MAX_RESULTS)?.max(0))
        .unwrap_or(0)
        .min(MAX_RESULTS);
    let filter = input
        .query("filter")
        .map(Filter::parse)
        .transpose()
        .map_err(|e| {
            ApiError::Scim(roster_scim::ScimError::bad_request(
                ScimType::InvalidFilter,
                e.to_string(),
            ))
        })?;
    let roster = app.roster();
    // `userName eq "…"`, what identity providers send before each create: one claim read.
    let mut users = match filter.as_ref().and_then(|f| f.equality_on("userName")) {
        Some(name) => match Username::parse(name) {
            Ok(name) => roster
                .user_by_username(&actor, &name)
                .await?
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        },
        None => roster.every_user(&actor).await?,
    };
    // Ids are ULIDs: creation order, stable from page to page.
    users.sort_by(|a, b| a.id.cmp(&b.id));
    let resources: Vec<Value> = users
        .iter()
        .map(|user| to_scim(user, &base))
        .filter(|resource| filter.as_ref().is_none_or(|f| f.matches(&USER, resource)))
        .collect();
    let total = resources.len();
    let page: Vec<Value> = resources.into_iter().skip(start - 1).take(count).collect();
    Ok(scim_json(
        StatusCode::OK,
        &list_response(page, total, start),
    ))
}

/// Makes the user what a whole SCIM `User` says (`PUT`, and `PATCH` once applied): identity
/// fields, external id (absent clears it) and `active`, through the API's own update, so the
/// same rules hold (the Owner is never deactivated; a deactivation tells who is uncovered).
async fn replace_with(app: &App, input: &Input, id: &UserId, body: ScimUserBody) -> Reply {
    let actor = app.provisioner(input).await?;
    let ScimUserBody {
        input: wanted,
        active,
    } = body;
    let patch = UserPatchInput {
        first_name: Some(wanted.first_name),
        last_name: Some(wanted.last_name),
        username: Some(wanted.username),
        email: Some(wanted.email),
        external_id: Some(wanted.external_id),
        active: Some(active),
        ..Default::default()
    };
    let user = app
        .roster()
        .update_user(&actor, id, &patch, input.if_match()?)
        .await?;
    answer(
        StatusCode::OK,
        &to_scim(&user, &base_url(input)?),
        user.version,
    )
}

pub async fn replace(app: &App, input: Input) -> Reply {
    let id: UserId = input.id("id")?;
    let body: Value = input.json()?;
    let read = from_scim(&body).map_err(ApiError::Scim)?;
    replace_with(app, &input, &id, read).await
}

pub async fn patch(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    let body: Value = input.json()?;
    let request = PatchRequest::parse(&body).map_err(ApiError::Scim)?;
    let current = app.roster().get_user(&actor, &id).await?.user;
    let mut resource = to_scim(&current, &base_url(&input)?);
    request
        .apply(&USER, &mut resource)
        .map_err(ApiError::Scim)?;
    let read = from_scim(&resource).map_err(ApiError::Scim)?;
    replace_with(app, &input, &id, read).await
}

pub async fn delete(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: UserId = input.id("id")?;
    app.roster().delete_user(&actor, &id, None).await?;
    Ok(crate::views::empty(StatusCode::NO_CONTENT))
}
