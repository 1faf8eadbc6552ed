//! A Roster user as a SCIM `User` resource (SPEC §9), and a SCIM `User` body read back into
//! the API's input: `userName` ↔ username, `name.givenName`/`familyName` ↔ first and last
//! name, the primary (else work, else first) email ↔ email, `externalId`, `active` ↔ not
//! deactivated, the `phone-official-mobile` method as the mobile number; `groups` read-only.

use roster_domain::entities::User;
use roster_domain::usecases::{NewUserInput, ProvisionedUpdate, UserPatchInput};
use roster_domain::values::{ContactMethodKind, Provided, ProvidedValue};
use roster_scim::schema::USER_SCHEMA;
use roster_scim::{PatchRequest, ScimError, ScimType, USER};
use serde_json::{Value, json};

/// `W/"<version>"`: the user's version as its weak ETag (`meta.version`, `If-Match`).
pub(crate) fn etag(version: u64) -> String {
    format!("W/\"{version}\"")
}

pub(crate) fn to_scim(user: &User, base: &str) -> Value {
    let mut resource = json!({
        "schemas": [USER_SCHEMA],
        "id": user.id.as_str(),
        "userName": user.username.as_str(),
        "name": {
            "givenName": user.first_name.as_str(),
            "familyName": user.last_name.as_str(),
        },
        "displayName": format!("{} {}", user.first_name, user.last_name),
        "active": !user.deactivated,
        "emails": if user.provided.emails.is_empty() {
            json!([{"value": user.email.as_str(), "type": "work", "primary": true}])
        } else {
            as_sent(&user.provided.emails)
        },
        "groups": user.member_of.keys().map(|id| json!({"value": id.as_str(), "$ref": format!("{base}/Groups/{id}")})).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "User",
            "created": user.created_at.to_string(),
            "lastModified": user.updated_at.to_string(),
            "version": etag(user.version),
            "location": format!("{base}/Users/{}", user.id),
        },
    });
    if let Some(external_id) = &user.external_id {
        resource["externalId"] = json!(external_id.as_str());
    }
    let mobile = user
        .contact_methods
        .iter()
        .find(|m| m.method == ContactMethodKind::PhoneOfficialMobile)
        .and_then(|m| m.value.as_ref());
    if !user.provided.phone_numbers.is_empty() {
        resource["phoneNumbers"] = as_sent(&user.provided.phone_numbers);
    } else if let Some(number) = mobile {
        resource["phoneNumbers"] = json!([{"value": number.as_str(), "type": "mobile"}]);
    }
    resource
}

/// The update a PATCH makes of `current`: its operations applied to the user as SCIM shows
/// them. `emails` and `phoneNumbers` the operations left alone stay as the provider sent them,
/// so what SCIM merely shows (the account email, a mobile number the account set) never
/// becomes the provider's.
pub(crate) fn patched(
    current: &User,
    base: &str,
    request: &PatchRequest,
) -> Result<ProvisionedUpdate, ScimError> {
    let shown = to_scim(current, base);
    let mut resource = shown.clone();
    request.apply(&USER, &mut resource)?;
    let mut update = from_scim(&resource)?.into_update();
    if resource.get("emails") == shown.get("emails") {
        update.provided.emails = current.provided.emails.clone();
    }
    if resource.get("phoneNumbers") == shown.get("phoneNumbers") {
        update.provided.phone_numbers = current.provided.phone_numbers.clone();
    }
    Ok(update)
}

/// Values as the identity provider sent them.
fn as_sent(values: &[ProvidedValue]) -> Value {
    values
        .iter()
        .map(|v| {
            let mut out = json!({"value": v.value()});
            if let Some(kind) = v.kind() {
                out["type"] = json!(kind);
            }
            if let Some(primary) = v.primary() {
                out["primary"] = json!(primary);
            }
            if let Some(display) = v.display() {
                out["display"] = json!(display);
            }
            out
        })
        .collect::<Vec<_>>()
        .into()
}

/// A multi-valued `emails` or `phoneNumbers` as sent, checked.
fn provided_values(body: &Value, name: &str) -> Result<Vec<ProvidedValue>, ScimError> {
    let items = match roster_scim::filter::lookup(body, name) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                format!("{name} is a list"),
            ));
        }
    };
    items
        .iter()
        .map(|item| {
            let primary = match roster_scim::filter::lookup(item, "primary") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(Value::String(s)) => roster_scim::dialect::boolean(s),
                Some(_) => None,
            };
            ProvidedValue::parse(
                text(item, &["value"]).unwrap_or_default(),
                text(item, &["type"]),
                primary,
                text(item, &["display"]),
            )
            .map_err(|e| ScimError::bad_request(ScimType::InvalidValue, format!("{name}: {}", e.0)))
        })
        .collect()
}

/// What a SCIM `User` body says, in the API's terms.
#[derive(Debug)]
pub(crate) struct ScimUserBody {
    pub input: NewUserInput,
    pub active: bool,
    /// The emails and phone numbers as sent (the mobile one becomes the
    /// `phone-official-mobile` method).
    pub provided: Provided,
}

impl ScimUserBody {
    /// The whole body as an update of the user (`PUT`, and `PATCH` once applied): every field
    /// it carries, and `externalId` cleared when absent.
    pub(crate) fn into_update(self) -> ProvisionedUpdate {
        let Self {
            input: wanted,
            active,
            provided,
        } = self;
        ProvisionedUpdate {
            input: UserPatchInput {
                first_name: Some(wanted.first_name),
                last_name: Some(wanted.last_name),
                username: Some(wanted.username),
                email: Some(wanted.email),
                external_id: Some(wanted.external_id),
                active: Some(active),
                ..Default::default()
            },
            provided,
        }
    }
}

fn text<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut at = value;
    for name in path {
        at = roster_scim::filter::lookup(at, name)?;
    }
    at.as_str()
}

/// The email a SCIM body means: the primary one, else the work one, else the first; else
/// `userName` when it is an address (Okta's default mapping).
fn email_of(body: &Value) -> Option<String> {
    let emails: Vec<&Value> = roster_scim::filter::lookup(body, "emails")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let is = |e: &&Value, name: &str, want: &Value| {
        roster_scim::filter::lookup(e, name).is_some_and(|v| {
            v == want
                || v.as_str()
                    .zip(want.as_str())
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
                || want.as_bool().is_some_and(|want| {
                    v.as_str().and_then(roster_scim::dialect::boolean) == Some(want)
                })
        })
    };
    emails
        .iter()
        .find(|e| is(e, "primary", &json!(true)))
        .or_else(|| emails.iter().find(|e| is(e, "type", &json!("work"))))
        .or_else(|| emails.first())
        .and_then(|e| text(e, &["value"]))
        .or_else(|| text(body, &["userName"]).filter(|u| u.contains('@')))
        .map(str::to_owned)
}

pub(crate) fn from_scim(body: &Value) -> Result<ScimUserBody, ScimError> {
    if !body.is_object() {
        return Err(ScimError::bad_request(
            ScimType::InvalidSyntax,
            "a User is a JSON object",
        ));
    }
    let active = match roster_scim::filter::lookup(body, "active") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => roster_scim::dialect::boolean(s).ok_or_else(|| {
            ScimError::bad_request(ScimType::InvalidValue, "active is true or false")
        })?,
        Some(_) => {
            return Err(ScimError::bad_request(
                ScimType::InvalidValue,
                "active is true or false",
            ));
        }
    };
    let input = NewUserInput {
        email: email_of(body),
        username: text(body, &["userName"]).map(str::to_owned),
        first_name: text(body, &["name", "givenName"]).map(str::to_owned),
        last_name: text(body, &["name", "familyName"]).map(str::to_owned),
        user_type: None,
        roles: None,
        external_id: text(body, &["externalId"]).map(str::to_owned),
    };
    if input.username.is_none() {
        return Err(ScimError::bad_request(
            ScimType::InvalidValue,
            "userName is required",
        ));
    }
    let provided = Provided::new(
        provided_values(body, "emails")?,
        provided_values(body, "phoneNumbers")?,
    )
    .map_err(|e| ScimError::bad_request(ScimType::InvalidValue, e.0))?;
    if let Err(e) = provided.mobile_number() {
        let sent = provided.mobile().map(|m| m.value()).unwrap_or_default();
        return Err(ScimError::bad_request(
            ScimType::InvalidValue,
            format!("phoneNumbers: the mobile number {sent} {}", e.0),
        ));
    }
    Ok(ScimUserBody {
        input,
        active,
        provided,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_primary_email_wins_then_work_then_the_first_then_an_address_username() {
        let body = json!({"userName": "ana", "emails": [
            {"value": "home@x.example", "type": "home"},
            {"value": "work@x.example", "type": "work"},
            {"value": "main@x.example", "primary": "True"},
        ]});
        assert_eq!(email_of(&body).as_deref(), Some("main@x.example"));
        let body = json!({"userName": "ana", "emails": [
            {"value": "home@x.example", "type": "home"},
            {"value": "work@x.example", "type": "Work"},
        ]});
        assert_eq!(email_of(&body).as_deref(), Some("work@x.example"));
        let body = json!({"userName": "ana@x.example"});
        assert_eq!(email_of(&body).as_deref(), Some("ana@x.example"));
        assert_eq!(email_of(&json!({"userName": "ana"})), None);
    }

    #[test]
    fn attribute_names_are_read_in_any_case_and_active_as_a_string() {
        let body = json!({"USERNAME": "ana", "Name": {"GivenName": "Ana", "familyname": "Silva"},
                          "externalid": "00u1", "active": "False"});
        let read = from_scim(&body).unwrap();
        assert_eq!(read.input.username.as_deref(), Some("ana"));
        assert_eq!(read.input.first_name.as_deref(), Some("Ana"));
        assert_eq!(read.input.last_name.as_deref(), Some("Silva"));
        assert_eq!(read.input.external_id.as_deref(), Some("00u1"));
        assert!(!read.active);
        let error = from_scim(&json!({"name": {}})).unwrap_err();
        assert_eq!(
            (error.status, error.detail.as_str()),
            (400, "userName is required")
        );
    }
}
