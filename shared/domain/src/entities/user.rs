use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ContactMethod;
use crate::values::named::named_enum;
use crate::values::{
    Email, ExternalId, PersonName, Preferences, Reminders, Roles, UserId, UserType, Username,
};

named_enum! {
    /// `invited` until the user sets a password through the reset link, then `active`.
    pub enum UserStatus {
        Invited = ("invited", "Invited"),
        Active = ("active", "Active"),
    }
}

named_enum! {
    /// Who owns the user's definition: the API (people clicking) or the YAML roster (reconcile).
    pub enum ManagedBy {
        Api = ("api", "API"),
        Config = ("config", "Config"),
    }
}

/// A person in the account who can receive alerts (or, for `billing-admin`, manage billing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub username: Username,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub user_type: UserType,
    /// Platform roles: at least one for a `standard` user, none for the other types.
    pub roles: Roles,
    /// The escalation sequence, in order. Held on the user item: at most one per kind (nine),
    /// always read with the user, and guarded by the user's version as one unit.
    pub contact_methods: Vec<ContactMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<ExternalId>,
    #[serde(default)]
    pub preferences: Preferences,
    #[serde(default)]
    pub on_call_reminders: Reminders,
    pub status: UserStatus,
    /// A copy of the account's Owner claim, written in the same transaction as the claim.
    #[serde(default)]
    pub is_owner: bool,
    pub managed_by: ManagedBy,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The item version: increments on every change; `If-Match` compares against it.
    #[serde(skip)]
    pub version: u64,
}
