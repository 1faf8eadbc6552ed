//! `/users/{id}/out-of-office` (SPEC.md §6).

use http::StatusCode;
use roster_domain::usecases::OutOfOfficeInput;

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{OutOfOfficeListView, OutOfOfficeView, empty, json};

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let entries = app
        .roster()
        .list_out_of_office(&actor, &input.id("id")?)
        .await?;
    let view = OutOfOfficeListView {
        out_of_office: entries.iter().map(OutOfOfficeView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn add(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: OutOfOfficeInput = input.json()?;
    let entry = app
        .roster()
        .add_out_of_office(&actor, &input.id("id")?, &body)
        .await?;
    Ok(json(StatusCode::CREATED, &OutOfOfficeView::of(&entry)))
}

pub async fn remove(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    app.roster()
        .remove_out_of_office(&actor, &input.id("id")?, input.param("entry_id"))
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
