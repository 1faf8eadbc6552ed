use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::values::{AccountId, AccountName, UserId};

/// A tenant. Every user, group and shift belongs to exactly one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: AccountName,
    /// The one Owner: every admin right, never deleted, moved only by an operator.
    pub owner: UserId,
    /// How many `standard` and `stakeholder` users the account may hold, if limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    pub created_at: Timestamp,
    #[serde(skip)]
    pub version: u64,
}
