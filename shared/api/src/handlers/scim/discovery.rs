//! `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas` (RFC 7644 §4). They need the SCIM
//! token like every SCIM route: what Roster serves is no secret, but an endpoint that answers
//! without a token tells a scanner it found one.

use http::StatusCode;
use roster_domain::DomainError;
use roster_scim::discovery::{self, RESOURCES};

use super::{base_url, scim_json};
use crate::app::App;
use crate::input::Input;
use crate::routes::Reply;

pub async fn service_provider_config(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    let body = discovery::service_provider_config(&base_url(&input)?);
    Ok(scim_json(StatusCode::OK, &body))
}

pub async fn resource_types(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    let base = base_url(&input)?;
    let all: Vec<_> = RESOURCES
        .iter()
        .map(|schema| discovery::resource_type(schema, &base))
        .collect();
    let total = all.len();
    Ok(scim_json(
        StatusCode::OK,
        &discovery::list_response(all, total, 1),
    ))
}

pub async fn resource_type(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    let name = input.param("name");
    let schema = discovery::find_resource_type(name)
        .ok_or_else(|| DomainError::not_found("resource type", name))?;
    let body = discovery::resource_type(schema, &base_url(&input)?);
    Ok(scim_json(StatusCode::OK, &body))
}

pub async fn schemas(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    let base = base_url(&input)?;
    let all: Vec<_> = RESOURCES
        .iter()
        .map(|schema| schema.to_json(&base))
        .collect();
    let total = all.len();
    Ok(scim_json(
        StatusCode::OK,
        &discovery::list_response(all, total, 1),
    ))
}

pub async fn schema(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    let id = input.param("id");
    let schema = discovery::find_schema(id).ok_or_else(|| DomainError::not_found("schema", id))?;
    Ok(scim_json(
        StatusCode::OK,
        &schema.to_json(&base_url(&input)?),
    ))
}

/// `POST /.search` across resource types (RFC 7644 §3.4.3) is not offered: `501`, as the RFC
/// says, pointing at the per-type lists.
pub async fn search_everything(app: &App, input: Input) -> Reply {
    app.provisioner(&input).await?;
    Err(crate::problem::ApiError::Scim(roster_scim::ScimError::new(
        501,
        None,
        "searching several resource types at once is not supported; \
         use GET /Users or GET /Groups with a filter",
    )))
}
