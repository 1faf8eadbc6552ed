use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use std::collections::{BTreeMap, BTreeSet};

use super::{ContactMethod, CoverRef, MemberRoles, OutOfOffice, ShiftRef};
use crate::values::named::named_enum;
use crate::values::{
    Email, ExternalId, GroupId, PersonName, Preferences, Provided, Reminders, Roles, UserId,
    UserType, Username,
};

named_enum! {
    /// `invited` until the user sets a password through the reset link, then `active`.
    pub enum UserStatus {
        Invited = ("invited", "Invited"),
        Active = ("active", "Active"),
    }
}

named_enum! {
    /// Who owns a user's or a group's definition: the API (people clicking), the YAML roster
    /// (reconcile), or an identity provider over SCIM (a user's identity fields).
    pub enum ManagedBy {
        Api = ("api", "API"),
        Config = ("config", "Config"),
        Scim = ("scim", "SCIM"),
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
    /// The groups the user belongs to, with their roles in each: written in the same transaction
    /// as each membership item, so the rights they imply need no extra read. Group names are not
    /// copied here (a rename would have to rewrite every member); a profile reads them.
    /// (Records written before kept a `name` beside the roles; it is ignored.)
    #[serde(default)]
    pub member_of: BTreeMap<GroupId, MemberRoles>,
    /// The shifts the user is on, written in the same transaction as each shift: the delete
    /// guard and the calendar read them from here.
    #[serde(default)]
    pub shifts: BTreeSet<ShiftRef>,
    /// Periods away, never overlapping, oldest first.
    #[serde(default)]
    pub out_of_office: Vec<OutOfOffice>,
    /// Other users' out-of-office entries in which this user is a cover.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub covering: BTreeSet<CoverRef>,
    /// Switched off (SPEC.md §1): keeps everything, receives nothing, covers nobody, and the
    /// on-call resolver lists them as unreachable.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deactivated: bool,
    /// A copy of the account's Owner claim, written in the same transaction as the claim.
    #[serde(default)]
    pub is_owner: bool,
    pub managed_by: ManagedBy,
    /// For a user an identity provider provisioned: its emails and phone numbers as sent.
    #[serde(default, skip_serializing_if = "Provided::is_empty")]
    pub provided: Provided,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The item version: increments on every change; `If-Match` compares against it.
    #[serde(skip)]
    pub version: u64,
}

impl User {
    /// The push endpoints of the user's registered devices.
    pub fn device_endpoints(&self) -> Vec<crate::ports::push::Endpoint> {
        self.contact_methods
            .iter()
            .flat_map(|m| &m.devices)
            .filter_map(|d| d.endpoint.clone())
            .collect()
    }
}
