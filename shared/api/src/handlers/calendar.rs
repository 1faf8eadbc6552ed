//! Calendar export (SPEC.md §6): `schedule.ics` for a signed-in reader, and the secret feed URL
//! calendar apps subscribe to without a login.

use http::{StatusCode, header};
use roster_domain::DomainError;

use super::users::user_id;
use crate::app::App;
use crate::ics;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{CalendarFeedView, calendar, empty, json};

pub async fn schedule(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let schedule = app.roster().schedule(&actor, &user_id(&input)?).await?;
    Ok(calendar(ics::render(&schedule)))
}

pub async fn feed(app: &App, input: Input) -> Reply {
    let schedule = app.roster().schedule_by_token(input.param("token")).await?;
    Ok(calendar(ics::render(&schedule)))
}

pub async fn issue_token(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let token = app
        .roster()
        .issue_calendar_token(&actor, &user_id(&input)?)
        .await?;
    let path = format!("/calendars/{}.ics", token.reveal());
    let host = input
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| {
            DomainError::conflict("the request has no Host header to build the URL from")
        })?;
    let local =
        host.starts_with("127.0.0.1") || host.starts_with("localhost") || host.starts_with("[::1]");
    let scheme = if local { "http" } else { "https" };
    let view = CalendarFeedView {
        url: format!("{scheme}://{host}{path}"),
        webcal_url: format!("webcal://{host}{path}"),
        path,
    };
    Ok(json(StatusCode::CREATED, &view))
}

pub async fn revoke_token(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster()
        .revoke_calendar_token(&actor, &user_id(&input)?)
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
