//! The roster format, as types: what `roster schema` turns into a JSON Schema for editors, and
//! what `roster dump` writes. The loader (`load.rs`) reads the same shape key by key, so that it
//! can report every problem with its line and column; a test holds its key lists to these types.

use schemars::JsonSchema;
use serde::Serialize;

/// A roster: accounts with their Owner, groups and users (SPEC.md §7).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Roster")]
pub struct RosterFile {
    pub accounts: Vec<AccountSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// A lowercase slug: letters a-z, digits, single hyphens inside.
    #[schemars(regex(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$"), length(max = 63))]
    pub id: String,
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// The email of the Owner, one of `users`. It cannot change through the file.
    #[schemars(schema_with = "crate::schema_rules::email")]
    pub owner: String,
    /// How many standard and stakeholder users the account may hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    /// Delete config-managed users missing from the file (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
    /// Refuse to apply when more than this share of the managed users would be deleted
    /// (default 0.25).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub max_removal_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    pub users: Vec<UserSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// Unique in the account regardless of case.
    #[schemars(schema_with = "crate::schema_rules::group_name")]
    pub name: String,
    /// Names the group had before: a live group under one of them is renamed to `name` in
    /// place, keeping its id, members and shifts. None may be a group of the file, or a former
    /// name of another group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::schema_rules::previously")]
    pub previously: Vec<String>,
    /// A group with members keeps a primary or secondary member.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<MemberSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberSpec {
    /// The email of one of the account's users.
    #[schemars(schema_with = "crate::schema_rules::email")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<MemberRoleName>")]
    pub roles: Vec<MemberRoleSpec>,
}

/// A member role as the loader reads it: in any case.
#[derive(JsonSchema)]
#[schemars(transparent)]
struct MemberRoleName(
    #[schemars(schema_with = "crate::schema_rules::member_role")]
    #[allow(dead_code)]
    String,
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRoleSpec {
    Primary,
    Secondary,
    Manager,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::schema_rules::user_rules)]
pub struct UserSpec {
    /// The user's identity in the file; unique regardless of case.
    #[schemars(schema_with = "crate::schema_rules::email")]
    pub email: String,
    /// Defaults to the email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    pub first_name: String,
    pub last_name: String,
    /// `standard` (default), `stakeholder` or `billing-admin`; never changes after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema_rules::user_type")]
    pub user_type: Option<String>,
    /// Platform roles, standard users only: app-admin, basic, billing-admin,
    /// integrations-admin, send-message, system-viewer (display names are accepted too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema_rules::roles")]
    pub roles: Option<Vec<String>>,
    /// An IANA time zone, like America/New_York.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Like en-US.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The id in the HR system or identity provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// In sequence order. List `email-official` (without a value) only to place it or set its
    /// wait and retries; `push` belongs to devices and never appears here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_methods: Option<Vec<ContactSpec>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::schema_rules::contact_rules)]
pub struct ContactSpec {
    /// email-official, email-official-sms-gateway, email-personal, email-personal-sms-gateway,
    /// phone-official-mobile, phone-personal, phone-personal-mobile, sms-personal.
    #[schemars(schema_with = "crate::schema_rules::method")]
    pub method: String,
    /// An email address, or a phone number with its country code (normalised to E.164).
    /// Required for every method but email-official, which has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 60))]
    pub wait_minutes: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 10))]
    pub retries: Option<u8>,
}

/// The JSON Schema of the roster format, pretty-printed (what `roster schema` prints and
/// `roster.schema.json` holds).
pub fn schema() -> String {
    let schema = schemars::schema_for!(RosterFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
