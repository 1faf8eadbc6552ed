//! `/users/{id}/contact-methods` and `/users/{id}/devices` (SPEC.md §4).

use http::StatusCode;
use roster_domain::DomainError;
use roster_domain::usecases::{ContactOrderInput, ContactPatchInput, DeviceInput, NewContactInput};
use roster_domain::values::ContactMethodKind;

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{ContactMethodView, SequenceView, empty, json};

pub async fn add(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let body: NewContactInput = input.json()?;
    let method = app.roster().add_contact(&actor, &id, &body).await?;
    Ok(json(StatusCode::CREATED, &ContactMethodView::own(&method)))
}

pub async fn update(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let body: ContactPatchInput = input.json()?;
    let method = input.param("method");
    let user = app
        .roster()
        .update_contact(&actor, &id, method, &body)
        .await?;
    // The use case found the method by this name, so it parses and is there.
    let kind = ContactMethodKind::parse(method)
        .map_err(|_| DomainError::not_found("contact method", method))?;
    let changed = user
        .contact_methods
        .iter()
        .find(|m| m.method == kind)
        .ok_or_else(|| DomainError::not_found("contact method", method))?;
    Ok(json(StatusCode::OK, &ContactMethodView::of(changed, &user)))
}

pub async fn remove(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    app.roster()
        .remove_contact(&actor, &id, input.param("method"))
        .await?;
    Ok(empty(StatusCode::NO_CONTENT))
}

pub async fn reorder(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let body: ContactOrderInput = input.json()?;
    let user = app.roster().reorder_contacts(&actor, &id, &body).await?;
    Ok(json(StatusCode::OK, &SequenceView::of(&user)))
}

pub async fn register_device(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id = input.id("id")?;
    let body: DeviceInput = input.json()?;
    let (method, created) = app.roster().register_device(&actor, &id, &body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json(status, &ContactMethodView::own(&method)))
}
