//! One batched read of items of different kinds — shifts, users, groups — told apart by their
//! keys, for use cases that know which items they need before reading (a calendar, a delete).

use std::collections::BTreeMap;

use super::Roster;
use super::records;
use crate::entities::{Group, Shift, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Key, Query, query_all};
use crate::values::{AccountId, GroupId};

/// What one batch read brought back. Groups whose delete has begun are left out.
#[derive(Default)]
pub(crate) struct Batch {
    pub shifts: Vec<Shift>,
    pub users: Vec<User>,
    pub groups: BTreeMap<GroupId, Group>,
}

impl Roster {
    /// The items at `keys` that exist, in one BatchGetItem per 100 keys (none for no keys).
    pub(crate) async fn read_batch(&self, keys: &[Key]) -> Result<Batch, DomainError> {
        let mut batch = Batch::default();
        if keys.is_empty() {
            return Ok(batch);
        }
        for item in self.table.get_many(keys).await? {
            if keys::is_user_item(&item.key) {
                batch.users.push(records::user_from_item(&item)?);
            } else if item.key.sk.contains("#SHIFT#") {
                batch.shifts.push(records::shift_from_item(&item)?);
            } else {
                let group = records::group_from_item(&item)?;
                if !group.deleting {
                    batch.groups.insert(group.id.clone(), group);
                }
            }
        }
        Ok(batch)
    }

    /// Every user of the account, from a strongly consistent query of its partition: for the
    /// rare use case that must see them all (counting seats, finding the App Admins).
    pub(crate) async fn all_users(&self, account: &AccountId) -> Result<Vec<User>, DomainError> {
        let items = query_all(
            self.table.as_ref(),
            Query::partition(keys::account_pk(account)).prefix(keys::USER_PREFIX),
        )
        .await?;
        items
            .iter()
            .filter(|i| keys::is_user_item(&i.key))
            .map(records::user_from_item)
            .collect()
    }
}
