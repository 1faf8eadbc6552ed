//! An account as it is, read with one paginated query of its partition (never item by item).

use crate::entities::{Account, Group, Membership, Shift, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Item, Query};
use crate::usecases::Roster;
use crate::usecases::records::{self, claim_item, external_id_item, group_claim_item};
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

    /// The items this state is stored as, claims included: what [`Roster::live_account`] reads
    /// back. For seeding a table with an account at a scale where creating it operation by
    /// operation would take minutes (benchmarks), and for restoring a copy of one.
    pub fn items(&self) -> Result<Vec<Item>, DomainError> {
        let Some(account) = &self.account else {
            return Ok(Vec::new());
        };
        let id = &account.id;
        let mut items = vec![
            records::account_item(account)?,
            claim_item(keys::owner_claim(id), &account.owner)?,
        ];
        for user in &self.users {
            items.push(records::user_item(id, user)?);
            items.push(claim_item(keys::email_claim(id, &user.email), &user.id)?);
            items.push(claim_item(
                keys::username_claim(id, &user.username),
                &user.id,
            )?);
            items.extend(external_id_item(id, user)?);
            items.extend(records::search_items(id, user)?);
            items.extend(records::provided_email_items(id, user)?);
            items.extend(records::login_items(id, user)?);
        }
        for group in &self.groups {
            items.push(records::group_item(id, group)?);
            items.push(group_claim_item(
                keys::group_name_claim(id, &group.name),
                &group.id,
            )?);
        }
        for membership in &self.memberships {
            items.push(records::membership_item(id, membership)?);
        }
        for shift in &self.shifts {
            items.push(records::shift_item(id, shift)?);
        }
        Ok(items)
    }
}

/// One item of an account's partition, as reconcile reads it.
#[derive(Debug, Clone)]
pub enum LiveItem {
    Account(Account),
    /// Boxed: a user is several times the size of the other items.
    User(Box<User>),
    Group(Group),
    Membership(Membership),
    Shift(Shift),
}

impl LiveItem {
    /// The item decoded, or `None` for what reconcile does not read (claims, audit entries,
    /// idempotency keys, a user's own sub-items).
    pub fn decode(account_sk: &str, item: &Item) -> Result<Option<Self>, DomainError> {
        let sk = item.key.sk.as_str();
        if sk == account_sk {
            return Ok(Some(Self::Account(records::account_from_item(item)?)));
        }
        if let Some(rest) = sk.strip_prefix(keys::USER_PREFIX) {
            if rest.contains('#') {
                return Ok(None);
            }
            return Ok(Some(Self::User(Box::new(records::user_from_item(item)?))));
        }
        let Some(rest) = sk.strip_prefix(keys::GROUP_PREFIX) else {
            return Ok(None);
        };
        Ok(Some(if rest.contains("#MEMBER#") {
            Self::Membership(records::decode(item)?)
        } else if rest.contains("#SHIFT#") {
            Self::Shift(records::shift_from_item(item)?)
        } else {
            Self::Group(records::group_from_item(item)?)
        }))
    }
}

impl Roster {
    /// Every item reconcile reads of account `id`, one at a time, from one paginated query of
    /// its partition: each page is decoded and dropped before the next is read.
    pub async fn each_live_item(
        &self,
        id: &AccountId,
        mut each: impl FnMut(LiveItem),
    ) -> Result<(), DomainError> {
        let account_sk = keys::account(id).sk;
        let mut query = Query::partition(keys::account_pk(id));
        loop {
            let page = self.table().query(&query).await?;
            for item in &page.items {
                if let Some(live) = LiveItem::decode(&account_sk, item)? {
                    each(live);
                }
            }
            match page.next {
                Some(next) => query.start_after = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// Everything reconcile compares, from the account's partition: memory holds the account,
    /// not its items.
    pub async fn live_account(&self, id: &AccountId) -> Result<LiveAccount, DomainError> {
        let mut live = LiveAccount::default();
        self.each_live_item(id, |item| live.add(item)).await?;
        Ok(live.finish())
    }
}

impl LiveAccount {
    /// The account read from the items of its partition, as [`LiveAccount::finish`] says.
    pub fn from_items(id: &AccountId, items: &[Item]) -> Result<Self, DomainError> {
        let account_sk = keys::account(id).sk;
        let mut live = LiveAccount::default();
        for item in items {
            if let Some(item) = LiveItem::decode(&account_sk, item)? {
                live.add(item);
            }
        }
        Ok(live.finish())
    }

    fn add(&mut self, item: LiveItem) {
        match item {
            LiveItem::Account(account) => self.account = Some(account),
            LiveItem::User(user) => self.users.push(*user),
            LiveItem::Group(group) => self.groups.push(group),
            LiveItem::Membership(membership) => self.memberships.push(membership),
            LiveItem::Shift(shift) => self.shifts.push(shift),
        }
    }

    /// Leaves out what every other read leaves out: memberships of users deleted a moment ago,
    /// and groups whose delete has begun (with their members and shifts).
    fn finish(mut self) -> Self {
        let users: std::collections::HashSet<_> = self.users.iter().map(|u| u.id.clone()).collect();
        let going = drop_deleting(&mut self.groups, &mut self.shifts);
        self.memberships
            .retain(|m| users.contains(&m.user_id) && !going.contains(&m.group_id));
        self
    }
}

/// Takes out the groups whose delete has begun, and their shifts: gone for every reader.
/// Answers their ids, for whatever else hangs off them.
pub(super) fn drop_deleting(
    groups: &mut Vec<Group>,
    shifts: &mut Vec<Shift>,
) -> std::collections::HashSet<crate::values::GroupId> {
    let going: std::collections::HashSet<_> = groups
        .iter()
        .filter(|g| g.deleting)
        .map(|g| g.id.clone())
        .collect();
    groups.retain(|g| !g.deleting);
    shifts.retain(|s| !going.contains(&s.group_id));
    going
}
