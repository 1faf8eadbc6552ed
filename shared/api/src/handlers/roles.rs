//! `/users/{id}/roles` and `/roles/{role}/assignments` (SPEC.md §1, §2).

use http::StatusCode;
use roster_domain::usecases::{BulkAssignInput, RoleInput};

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{BulkView, RolesView, json};

pub async fn assign(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let body: RoleInput = input.json()?;
    let roles = app.roster().assign_role(&actor, &id, &body).await?;
    Ok(json(StatusCode::OK, &RolesView::of(&roles)))
}

pub async fn remove(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let roles = app
        .roster()
        .remove_role(&actor, &id, input.param("role"))
        .await?;
    Ok(json(StatusCode::OK, &RolesView::of(&roles)))
}

pub async fn assign_bulk(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: BulkAssignInput = input.json()?;
    let outcomes = app
        .roster()
        .assign_role_bulk(&actor, input.param("role"), &body)
        .await?;
    Ok(json(StatusCode::OK, &BulkView::of(outcomes)))
}
