//! `/scim-tokens`: the bearer tokens identity providers use on `/scim/v2/` (SPEC §9).

use http::StatusCode;
use roster_domain::entities::{AuditActor, ScimToken};
use roster_domain::values::{ScimTokenId, TokenName};
use roster_domain::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;
use crate::views::{empty, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    name: String,
}

#[derive(Serialize)]
pub struct ScimTokenView<'a> {
    id: &'a str,
    name: &'a str,
    created_at: String,
    /// Who made it: a user's email, `operator`, or another token's name.
    created_by: String,
}

impl<'a> ScimTokenView<'a> {
    pub fn of(token: &'a ScimToken) -> Self {
        Self {
            id: token.id.as_str(),
            name: token.name.as_str(),
            created_at: token.created_at.to_string(),
            created_by: match &token.created_by {
                AuditActor::User { email, .. } => email.clone(),
                AuditActor::Operator => "operator".to_owned(),
                AuditActor::Scim { name, .. } => name.clone(),
            },
        }
    }
}

/// The answer to a create: the token, and its secret — shown this once.
#[derive(Serialize)]
struct CreatedView<'a> {
    #[serde(flatten)]
    token: ScimTokenView<'a>,
    secret: &'a str,
}

#[derive(Serialize)]
struct ListView<'a> {
    items: Vec<ScimTokenView<'a>>,
}

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let body: NewToken = input.json()?;
    let name = TokenName::parse(&body.name).map_err(|e| {
        DomainError::Validation(vec![FieldError::new("name", format!("name {}", e.0))])
    })?;
    let (token, secret) = app.roster().create_scim_token(&actor, name).await?;
    let view = CreatedView {
        token: ScimTokenView::of(&token),
        secret: secret.reveal(),
    };
    Ok(json(StatusCode::CREATED, &view))
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let tokens = app.roster().list_scim_tokens(&actor).await?;
    let view = ListView {
        items: tokens.iter().map(ScimTokenView::of).collect(),
    };
    Ok(json(StatusCode::OK, &view))
}

pub async fn revoke(app: &App, input: Input) -> Reply {
    let actor = app.actor(&input).await?;
    let id: ScimTokenId = input.id("id")?;
    app.roster().revoke_scim_token(&actor, &id).await?;
    Ok(empty(StatusCode::NO_CONTENT))
}
