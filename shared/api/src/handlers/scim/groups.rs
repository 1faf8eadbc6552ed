//! `/scim/v2/Groups`: Roster groups by `displayName` (SPEC §9). A member added over SCIM joins
//! as `secondary` (a responder); SCIM never changes an existing member's roles; a removal the
//! group's rules refuse (a member on a shift, the last responder) is a `409`.

use http::StatusCode;
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{GroupDetail, Member, ProvisionedGroup};
use roster_domain::values::{ExternalId, GroupId, GroupName, UserId};
use roster_domain::{DomainError, FieldError};
use roster_scim::projection::leaves_out;
use roster_scim::schema::GROUP_SCHEMA;
use roster_scim::{GROUP, PatchRequest, ScimError, ScimType};
use serde_json::{Value, json};

use super::user_resource::etag;
use super::{ListQuery, base_url, projected, resource_response};
use crate::app::App;
use crate::input::Input;
use crate::problem::ApiError;
use crate::routes::Reply;

fn to_scim(detail: &GroupDetail, members: Option<&[Member]>, base: &str) -> Value {
    let group = &detail.group;
    let mut resource = json!({
        "schemas": [GROUP_SCHEMA],
        "id": group.id.as_str(),
        "displayName": group.name.as_str(),
        "meta": {
            "resourceType": "Group",
            "created": group.created_at.to_string(),
            "version": etag(group.version),
            "location": format!("{base}/Groups/{}", group.id),
        },
    });
    if let Some(external_id) = &group.external_id {
        resource["externalId"] = json!(external_id.as_str());
    }
    if let Some(members) = members {
        resource["members"] = members
            .iter()
            .map(|m| {
                json!({
                    "value": m.user.id.as_str(),
                    "$ref": format!("{base}/Users/{}", m.user.id),
                })
            })
            .collect::<Vec<_>>()
            .into();
    }
    resource
}

fn invalid(detail: String) -> ApiError {
    ApiError::Scim(ScimError::bad_request(ScimType::InvalidValue, detail))
}

/// What a SCIM `Group` body asks for: its name, its external id and its members' user ids.
fn wanted(body: &Value) -> Result<ProvisionedGroup, ApiError> {
    let lookup = roster_scim::filter::lookup;
    let name = lookup(body, "displayName")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("displayName is required".into()))?;
    let name = GroupName::parse(name).map_err(|e| invalid(format!("displayName {}", e.0)))?;
    let external_id = match lookup(body, "externalId") {
        None | Some(Value::Null) => None,
        Some(Value::String(raw)) => {
            Some(ExternalId::parse(raw).map_err(|e| invalid(format!("externalId {}", e.0)))?)
        }
        Some(_) => return Err(invalid("externalId is a string".into())),
    };
    let mut members = Vec::new();
    let listed = match lookup(body, "members") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(items)) => items.as_slice(),
        Some(_) => return Err(invalid("members is a list".into())),
    };
    for member in listed {
        let raw = lookup(member, "value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let id = UserId::parse(raw)
            .map_err(|_| invalid(format!("members: {raw:?} is not a user id of this account")))?;
        if !members.contains(&id) {
            members.push(id);
        }
    }
    Ok(ProvisionedGroup {
        name,
        external_id,
        members,
    })
}

/// Reads the group as the client will see it next.
async fn answer(
    app: &App,
    input: &Input,
    actor: &Actor,
    id: &GroupId,
    status: StatusCode,
) -> Reply {
    let (detail, members) = app.roster().get_group(actor, id).await?;
    let resource = projected(input, to_scim(&detail, Some(&members), &base_url(input)?));
    resource_response(status, &resource, detail.group.version)
}

pub async fn create(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let body: Value = input.json()?;
    let wanted = wanted(&body)?;
    let roster = app.roster();
    let group = roster
        .create_named_group(&actor, wanted.name.clone(), ManagedBy::Scim)
        .await
        .map_err(|e| match e {
            DomainError::Conflict { message, .. } => DomainError::Conflict {
                message,
                fields: vec![FieldError::new("name", "taken")],
            },
            other => other,
        })?;
    roster
        .edit_provisioned_group(&actor, &group.id, None, |_, _| {
            Ok::<_, DomainError>(wanted.clone())
        })
        .await?;
    answer(app, &input, &actor, &group.id, StatusCode::CREATED).await
}

pub async fn get(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: GroupId = input.id("id")?;
    answer(app, &input, &actor, &id, StatusCode::OK).await
}

pub async fn list(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let base = base_url(&input)?;
    let query = ListQuery::of(&input)?;
    let roster = app.roster();
    let mut groups = roster.list_groups(&actor).await?;
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    // Members are read only when the answer shows them (Okta and Entra exclude them).
    let without = leaves_out(
        "members",
        input.query("attributes"),
        input.query("excludedAttributes"),
    );
    let filter_needs_members = query.filter.as_ref().is_some_and(|f| f.mentions("members"));
    let mut resources = Vec::with_capacity(groups.len());
    for group in &groups {
        if without && !filter_needs_members {
            let detail = GroupDetail {
                group: group.clone(),
                memberships: Vec::new(),
                shifts: Vec::new(),
            };
            resources.push(to_scim(&detail, None, &base));
        } else {
            let (detail, members) = roster.get_group(&actor, &group.id).await?;
            resources.push(to_scim(&detail, Some(&members), &base));
        }
    }
    Ok(query.answer(&input, &GROUP, resources.into_iter()))
}

/// The group made what the whole body says (SPEC §9): its members are the ones listed.
pub async fn replace(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: GroupId = input.id("id")?;
    let body: Value = input.json()?;
    let wanted = wanted(&body)?;
    app.roster()
        .edit_provisioned_group(&actor, &id, input.if_match()?, |_, _| {
            Ok::<_, DomainError>(wanted.clone())
        })
        .await?;
    answer(app, &input, &actor, &id, StatusCode::OK).await
}

/// The operations applied to the group as read (`Roster::edit_provisioned_group` reads again
/// and applies them again after a concurrent change).
pub async fn patch(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: GroupId = input.id("id")?;
    let body: Value = input.json()?;
    let request = PatchRequest::parse(&body).map_err(ApiError::Scim)?;
    let base = base_url(&input)?;
    app.roster()
        .edit_provisioned_group(&actor, &id, input.if_match()?, |detail, members| {
            let mut resource = to_scim(detail, Some(members), &base);
            request
                .apply(&GROUP, &mut resource)
                .map_err(ApiError::Scim)?;
            wanted(&resource)
        })
        .await?;
    answer(app, &input, &actor, &id, StatusCode::OK).await
}

pub async fn delete(app: &App, input: Input) -> Reply {
    let actor = app.provisioner(&input).await?;
    let id: GroupId = input.id("id")?;
    app.roster().delete_group(&actor, &id).await?;
    Ok(crate::views::empty(StatusCode::NO_CONTENT))
}
