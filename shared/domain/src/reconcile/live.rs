//! An account as it is, read with one paginated query of its partition (never item by item).

use crate::entities::{Account, Group, Membership, Shift, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Query, query_all};
use crate::usecases::Roster;
use crate::usecases::records;
use crate::values::AccountId;

#[derive(Debug, Clone, Default)]
pub struct LiveAccount {
    pub account: Option<Account>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub memberships: Vec<Membership>,
    pub shifts: Vec<Shift>,
}

impl LiveAccount {
    pub fn exists(&self) -> bool {
        self.account.is_some()
    }
}

impl Roster {
    /// Everything reconcile compares, from the account's partition. Items of a user deleted a
    /// moment ago and not yet cleaned up (memberships) are left out, as every read leaves them.
    pub async fn live_account(&self, id: &AccountId) -> Result<LiveAccount, DomainError> {
        let items = query_all(self.table(), Query::partition(keys::account_pk(id))).await?;
        let mut live = LiveAccount::default();
        for item in &items {
            let sk = item.key.sk.as_str();
            if sk == keys::account(id).sk {
                live.account = Some(records::account_from_item(item)?);
            } else if let Some(rest) = sk.strip_prefix(keys::USER_PREFIX) {
                if !rest.contains('#') {
                    live.users.push(records::user_from_item(item)?);
                }
            } else if let Some(rest) = sk.strip_prefix(keys::GROUP_PREFIX) {
                if rest.contains("#MEMBER#") {
                    live.memberships.push(records::decode(item)?);
                } else if rest.contains("#SHIFT#") {
                    live.shifts.push(records::shift_from_item(item)?);
                } else {
                    live.groups.push(records::group_from_item(item)?);
                }
            }
        }
        let users: std::collections::HashSet<_> = live.users.iter().map(|u| u.id.clone()).collect();
        live.memberships.retain(|m| users.contains(&m.user_id));
        Ok(live)
    }
}
