use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ManagedBy;
use crate::values::{ExternalId, GroupId, GroupName, UserId};

/// A group of users with shared on-call shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: GroupName,
    pub created_at: Timestamp,
    /// Set when a delete has begun: the group is gone for every reader, and a retried delete
    /// finishes what an interrupted one started (members leave in batches).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleting: bool,
    /// Who owns the group's definition. Groups stored before this was recorded were made
    /// through the API (or by a reconcile that did not yet say so): never pruned by a file.
    #[serde(default = "made_through_the_api")]
    pub managed_by: ManagedBy,
    /// The identity provider's id for the group (SCIM's `externalId`), kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<ExternalId>,
    /// Bumped by every membership change, so the group's rules (a primary or secondary while it
    /// has members) are checked against one consistent set of members.
    #[serde(skip)]
    pub version: u64,
}

fn made_through_the_api() -> ManagedBy {
    ManagedBy::Api
}

/// Where a member sits in a group's escalation order: primary first, then secondary, then
/// manager. Any combination, including none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberRoles {
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub secondary: bool,
    #[serde(default)]
    pub manager: bool,
}

impl MemberRoles {
    /// Whether this member counts toward a group's escalation (primary or secondary).
    pub const fn escalates(self) -> bool {
        self.primary || self.secondary
    }
}

/// A user's place in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub group_id: GroupId,
    pub user_id: UserId,
    #[serde(flatten)]
    pub roles: MemberRoles,
}
