//! What the API writes: the JSON shapes of `openapi.yaml`, built from domain values. Kept apart
//! from the stored form so storage can change without changing the contract. No secret has a
//! field here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use roster_domain::entities::{
    AuditEntry, ContactMethod, Cover, Group, Membership, OutOfOffice, Shift, User,
};
use roster_domain::ports::table::Cursor;
use roster_domain::usecases::{BulkOutcome, Delivery, Member, OnCall, Profile};
use roster_domain::values::{ContactMethodKind, Reminder, Role, Roles, with_offset};
use roster_domain::{DomainError, FieldError, Holes};
use serde::Serialize;

use crate::problem::{ApiError, Problem};

#[derive(Serialize)]
pub struct UserView<'a> {
    id: &'a str,
    email: &'a str,
    username: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    user_type: &'static str,
    roles: Vec<&'static str>,
    status: &'static str,
    is_owner: bool,
    managed_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    preferences: PreferencesView<'a>,
    on_call_reminders: &'a [Reminder],
    contact_methods: Vec<ContactMethodView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member_of: Option<&'a [String]>,
    /// In a list asked for them (`include=delete_blockers`): what a delete would leave without
    /// the user, by the rule the delete itself applies; empty when nothing stands in the way.
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_blockers: Option<&'a Holes>,
    version: u64,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
struct PreferencesView<'a> {
    time_zone: &'a str,
    locale: &'a str,
    theme: &'static str,
}

#[derive(Serialize)]
pub struct ContactMethodView<'a> {
    method: &'static str,
    value: &'a str,
    wait_minutes: u8,
    retries: u8,
    /// `push`: the platform of the device registered last (its token is `value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'static str>,
    /// `push`: every registered device, in the order they registered.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    devices: Vec<DeviceView<'a>>,
}

#[derive(Serialize)]
pub struct DeviceView<'a> {
    device_token: &'a str,
    platform: &'static str,
}

impl<'a> UserView<'a> {
    pub fn of(user: &'a User) -> Self {
        Self {
            id: user.id.as_str(),
            email: user.email.as_str(),
            username: user.username.as_str(),
            first_name: user.first_name.as_str(),
            last_name: user.last_name.as_str(),
            user_type: user.user_type.id(),
            roles: user.roles.iter().copied().map(Role::id).collect(),
            // Deactivation keeps the status the user will return to; it shows over it.
            status: if user.deactivated {
                "deactivated"
            } else {
                user.status.id()
            },
            is_owner: user.is_owner,
            managed_by: user.managed_by.id(),
            external_id: user.external_id.as_ref().map(|e| e.as_str()),
            preferences: PreferencesView {
                time_zone: user.preferences.time_zone.as_str(),
                locale: user.preferences.locale.as_str(),
                theme: user.preferences.theme.id(),
            },
            on_call_reminders: user.on_call_reminders.as_slice(),
            contact_methods: user
                .contact_methods
                .iter()
                .map(|m| ContactMethodView::of(m, user))
                .collect(),
            member_of: None,
            delete_blockers: None,
            version: user.version,
            created_at: user.created_at.to_string(),
            updated_at: user.updated_at.to_string(),
        }
    }

    /// The full profile `get-user` answers: the user and the groups they belong to.
    pub fn with_blockers(user: &'a User, holes: &'a Holes) -> Self {
        Self {
            delete_blockers: Some(holes),
            ..Self::of(user)
        }
    }

    pub fn profile(profile: &'a Profile) -> Self {
        Self {
            member_of: Some(&profile.member_of),
            ..Self::of(&profile.user)
        }
    }
}

impl<'a> ContactMethodView<'a> {
    pub fn of(method: &'a ContactMethod, user: &'a User) -> Self {
        if method.method == ContactMethodKind::Push {
            return Self::own(method);
        }
        Self {
            value: method.target(&user.email),
            ..Self::own(method)
        }
    }

    /// A method that carries its own value (any but `email-official`).
    pub fn own(method: &'a ContactMethod) -> Self {
        let latest = method.devices.last();
        Self {
            method: method.method.id(),
            value: method
                .value
                .as_ref()
                .or(latest.map(|d| &d.token))
                .map_or("", |v| v.as_str()),
            wait_minutes: method.wait_minutes.get(),
            retries: method.retries.get(),
            platform: latest.map(|d| d.platform.id()),
            devices: method
                .devices
                .iter()
                .map(|d| DeviceView {
                    device_token: d.token.as_str(),
                    platform: d.platform.id(),
                })
                .collect(),
        }
    }
}

/// A user's escalation sequence.
#[derive(Serialize)]
pub struct SequenceView<'a> {
    contact_methods: Vec<ContactMethodView<'a>>,
}

impl<'a> SequenceView<'a> {
    pub fn of(user: &'a User) -> Self {
        Self {
            contact_methods: user
                .contact_methods
                .iter()
                .map(|m| ContactMethodView::of(m, user))
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct RolesView {
    roles: Vec<&'static str>,
}

impl RolesView {
    pub fn of(roles: &Roles) -> Self {
        Self {
            roles: roles.iter().copied().map(Role::id).collect(),
        }
    }
}

/// Per-user results of a bulk role assignment: each with its own status, and the roles or the
/// problem.
#[derive(Serialize)]
pub struct BulkView {
    results: Vec<BulkResultView>,
}

#[derive(Serialize)]
struct BulkResultView {
    user_id: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    roles: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<Problem>,
}

impl BulkView {
    pub fn of(outcomes: Vec<BulkOutcome>) -> Self {
        let results = outcomes
            .into_iter()
            .map(|outcome| match outcome.result {
                Ok(roles) => BulkResultView {
                    user_id: outcome.user_id,
                    status: 200,
                    roles: Some(RolesView::of(&roles).roles),
                    problem: None,
                },
                Err(e) => {
                    let problem = ApiError::Domain(e).problem();
                    BulkResultView {
                        user_id: outcome.user_id,
                        status: problem.status,
                        roles: None,
                        problem: Some(problem),
                    }
                }
            })
            .collect();
        Self { results }
    }
}

#[derive(Serialize)]
pub struct UserListView<'a> {
    pub users: Vec<UserView<'a>>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize)]
pub struct DeliveryView {
    invitation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl DeliveryView {
    pub fn of(delivery: Delivery) -> Self {
        match delivery {
            Delivery::Sent => Self {
                invitation: "sent",
                reason: None,
            },
            Delivery::Queued { reason } => Self {
                invitation: "queued",
                reason: Some(reason),
            },
        }
    }
}

/// Cursors travel as opaque base64url text.
pub fn encode_cursor(cursor: &Cursor) -> String {
    encode_json_cursor(cursor)
}

pub fn decode_cursor(text: &str) -> Result<Cursor, ApiError> {
    decode_json_cursor(text)
}

/// A JSON response.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response<Bytes> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Bytes::from(bytes))
        .unwrap_or_default()
}

/// A response with no body.
pub fn empty(status: StatusCode) -> Response<Bytes> {
    Response::builder()
        .status(status)
        .body(Bytes::new())
        .unwrap_or_default()
}

/// Adds `ETag: "<version>"`, what `If-Match` sends back.
pub fn with_etag(mut response: Response<Bytes>, version: u64) -> Response<Bytes> {
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[derive(Serialize)]
pub struct GroupView<'a> {
    id: &'a str,
    name: &'a str,
    created_at: String,
}

impl<'a> GroupView<'a> {
    pub fn of(group: &'a Group) -> Self {
        Self {
            id: group.id.as_str(),
            name: group.name.as_str(),
            created_at: group.created_at.to_string(),
        }
    }
}

#[derive(Serialize)]
pub struct GroupListView<'a> {
    pub groups: Vec<GroupView<'a>>,
}

/// A member as the group's member list shows them: who, and their roles in the group.
#[derive(Serialize)]
pub struct MemberView<'a> {
    user_id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    primary: bool,
    secondary: bool,
    manager: bool,
}

impl<'a> MemberView<'a> {
    pub fn of(member: &'a Member) -> Self {
        Self {
            user_id: member.user.id.as_str(),
            first_name: member.user.first_name.as_str(),
            last_name: member.user.last_name.as_str(),
            email: member.user.email.as_str(),
            primary: member.roles.primary,
            secondary: member.roles.secondary,
            manager: member.roles.manager,
        }
    }
}

#[derive(Serialize)]
pub struct MembershipView<'a> {
    group_id: &'a str,
    user_id: &'a str,
    primary: bool,
    secondary: bool,
    manager: bool,
}

impl<'a> MembershipView<'a> {
    pub fn of(membership: &'a Membership) -> Self {
        Self {
            group_id: membership.group_id.as_str(),
            user_id: membership.user_id.as_str(),
            primary: membership.roles.primary,
            secondary: membership.roles.secondary,
            manager: membership.roles.manager,
        }
    }
}

#[derive(Serialize)]
pub struct MemberListView<'a> {
    pub members: Vec<MemberView<'a>>,
}

#[derive(Serialize)]
pub struct ShiftView<'a> {
    id: &'a str,
    group_id: &'a str,
    name: &'a str,
    /// The first occurrence, with the offset of `time_zone` at that instant.
    starts_at: String,
    time_zone: &'a str,
    duration_minutes: u32,
    repeat: &'static str,
    user_ids: Vec<&'a str>,
}

impl<'a> ShiftView<'a> {
    pub fn of(shift: &'a Shift) -> Self {
        Self {
            id: shift.id.as_str(),
            group_id: shift.group_id.as_str(),
            name: shift.name.as_str(),
            starts_at: with_offset(shift.starts_at(), &shift.time_zone),
            time_zone: shift.time_zone.as_str(),
            duration_minutes: shift.duration_minutes,
            repeat: shift.repeat.id(),
            user_ids: shift.user_ids.iter().map(|u| u.as_str()).collect(),
        }
    }
}

#[derive(Serialize)]
pub struct ShiftListView<'a> {
    pub shifts: Vec<ShiftView<'a>>,
}

/// A group with its members and shifts.
#[derive(Serialize)]
pub struct GroupDetailView<'a> {
    #[serde(flatten)]
    pub group: GroupView<'a>,
    pub members: Vec<MemberView<'a>>,
    pub shifts: Vec<ShiftView<'a>>,
}

/// Who answers a page for a group at an instant, in escalation order.
#[derive(Serialize)]
pub struct OnCallView<'a> {
    at: String,
    responders: Vec<ResponderView<'a>>,
}

#[derive(Serialize)]
struct ResponderView<'a> {
    user_id: &'a str,
    name: &'a str,
    via: &'static str,
    shift_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    covering_for: Option<&'a str>,
    reachable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

impl<'a> OnCallView<'a> {
    pub fn of(on_call: &'a OnCall) -> Self {
        Self {
            at: on_call.at.to_string(),
            responders: on_call
                .responders
                .iter()
                .map(|r| ResponderView {
                    user_id: r.user_id.as_str(),
                    name: &r.name,
                    via: r.via.id(),
                    shift_id: r.shift_id.as_ref().map(|s| s.as_str()),
                    covering_for: r.covering_for.as_ref().map(|u| u.as_str()),
                    reachable: r.reachable(),
                    reason: r.unreachable.map(|u| u.id()),
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
pub struct OutOfOfficeView<'a> {
    id: &'a str,
    starts_at: String,
    ends_at: String,
    cover: CoverView<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum CoverView<'a> {
    All(&'a str),
    Groups(std::collections::BTreeMap<&'a str, &'a str>),
}

impl<'a> OutOfOfficeView<'a> {
    pub fn of(entry: &'a OutOfOffice) -> Self {
        Self {
            id: &entry.id,
            starts_at: entry.starts_at.to_string(),
            ends_at: entry.ends_at.to_string(),
            cover: match &entry.cover {
                Cover::All(user) => CoverView::All(user.as_str()),
                Cover::Groups(by_group) => CoverView::Groups(
                    by_group
                        .iter()
                        .map(|(g, u)| (g.as_str(), u.as_str()))
                        .collect(),
                ),
            },
        }
    }
}

#[derive(Serialize)]
pub struct OutOfOfficeListView<'a> {
    pub out_of_office: Vec<OutOfOfficeView<'a>>,
}

#[derive(Serialize)]
pub struct AuditListView<'a> {
    pub entries: &'a [AuditEntry],
    pub next_cursor: Option<String>,
}

/// The secret feed URL, shown once.
#[derive(Serialize)]
pub struct CalendarFeedView {
    pub path: String,
    pub url: String,
    pub webcal_url: String,
}

/// Cursors of the audit log travel like the others: opaque base64url text.
pub fn encode_json_cursor(value: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
}

pub fn decode_json_cursor<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            ApiError::Domain(DomainError::Validation(vec![FieldError::new(
                "cursor",
                "Cursor is not one this API gave out",
            )]))
        })
}

/// An iCalendar response.
pub fn calendar(body: String) -> Response<Bytes> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/calendar; charset=utf-8")
        .header(header::CACHE_CONTROL, "private, max-age=300")
        .body(Bytes::from(body))
        .unwrap_or_default()
}
