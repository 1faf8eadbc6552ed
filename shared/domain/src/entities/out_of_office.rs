use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::values::{GroupId, UserId};

/// A period a user is away, and who covers for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfOffice {
    pub id: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub cover: Cover,
}

/// Who is paged instead: one person for every group, or a person per group (groups left out
/// still page the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    All(UserId),
    Groups(BTreeMap<GroupId, UserId>),
}

/// Another user's out-of-office entry in which this user covers: what the cover's record keeps,
/// written in the same transaction as the entry, so their calendar finds what they cover
/// without a scan of the account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CoverRef {
    pub user_id: UserId,
    pub entry_id: String,
}

impl OutOfOffice {
    pub fn overlaps(&self, other: &Self) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }

    /// Everyone who covers in this entry.
    pub fn covering_users(&self) -> Vec<&UserId> {
        let mut users: Vec<&UserId> = match &self.cover {
            Cover::All(user) => vec![user],
            Cover::Groups(by_group) => by_group.values().collect(),
        };
        users.sort();
        users.dedup();
        users
    }
}
