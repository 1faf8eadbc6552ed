//! Calendar export (SPEC.md §6): `schedule.ics` for a signed-in reader, and the secret feed URL
//! calendar apps subscribe to without a login.

use http::StatusCode;
use roster_domain::usecases::ScheduleWindow;
use roster_domain::values::parse_date;
use roster_domain::{DomainError, FieldError};

use crate::app::App;
use crate::ics;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{CalendarFeedView, calendar, empty, json};

/// `?from=&to=` as dates (`2027-03-01`), both optional; every malformed one named at once.
fn window(input: &Input) -> Result<ScheduleWindow, DomainError> {
    let mut errors = Vec::new();
    let mut date = |field: &str, label: &str| match parse_date(input.query(field)?) {
        Ok(date) => Some(date),
        Err(reason) => {
            errors.push(FieldError::new(field, format!("{label} {reason}")));
            None
        }
    };
    let window = ScheduleWindow {
        from: date("from", "From"),
        to: date("to", "To"),
    };
    if errors.is_empty() {
        Ok(window)
    } else {
        Err(DomainError::Validation(errors))
    }
}

pub async fn schedule(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let schedule = app
        .roster()
        .schedule(&actor, &input.id("id")?, window(&input)?)
        .await?;
    Ok(calendar(ics::render(&schedule)))
}

pub async fn feed(app: &App, input: Input) -> Reply {
    let schedule = app
        .roster()
        .schedule_by_token(input.param("token"), window(&input)?)
        .await?;
    Ok(calendar(ics::render(&schedule)))
}

pub async fn issue_token(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let token = app
        .roster()
        .issue_calendar_token(&actor, &input.id("id")?)
        .await?;
    let path = format!("/calendars/{}.ics", token.reveal());
    let origin = input.origin()?;
    let host = origin.split_once("://").map_or("", |(_, host)| host);
    let view = CalendarFeedView {
        url: format!("{origin}{path}"),
        webcal_url: format!("webcal://{host}{path}"),
        path,
    };
    Ok(json(StatusCode::CREATED, &view))
}

pub async fn revoke_token(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster()
        .revoke_calendar_token(&actor, &input.id("id")?)
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
