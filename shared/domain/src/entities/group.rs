use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::values::named::named_enum;
use crate::values::{GroupId, GroupName, ShiftId, ShiftName, UserId};

/// A group of users with shared on-call shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: GroupName,
    #[serde(skip)]
    pub version: u64,
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub group_id: GroupId,
    pub user_id: UserId,
    #[serde(flatten)]
    pub roles: MemberRoles,
}

named_enum! {
    pub enum Repeat {
        None = ("none", "None"),
        Daily = ("daily", "Daily"),
        Weekly = ("weekly", "Weekly"),
    }
}

/// A recurring on-call period in a group, and who is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: ShiftId,
    pub group_id: GroupId,
    pub name: ShiftName,
    /// The first occurrence.
    pub starts_at: Timestamp,
    pub duration_minutes: u32,
    pub repeat: Repeat,
    pub user_ids: Vec<UserId>,
    #[serde(skip)]
    pub version: u64,
}
