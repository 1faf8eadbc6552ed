//! How entities become items and back. Keys come from `crate::keys`; bodies are the entities'
//! serde forms, with the item version carried outside the body.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::entities::{Account, Group, Membership, Shift, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Item, Key};
use crate::values::{AccountId, GroupId, UserId};

/// A uniqueness claim (email, username, Owner): the key is the claim, the body names the holder.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claim {
    pub user_id: UserId,
}

/// The user a claim, or an entry that points like one (search, external id, provided email),
/// names.
pub(crate) fn claim_holder(item: &Item) -> Result<UserId, DomainError> {
    Ok(decode::<Claim>(item)?.user_id)
}

pub(crate) fn claim_item(key: Key, user_id: &UserId) -> Result<Item, DomainError> {
    Ok(Item::from_body(
        key,
        1,
        &Claim {
            user_id: user_id.clone(),
        },
    )?)
}

/// A user's entry under its external id (see [`keys::external_id_entry`]), when it has one.
pub(crate) fn external_id_item(
    account: &AccountId,
    user: &User,
) -> Result<Option<Item>, DomainError> {
    user.external_id
        .as_ref()
        .map(|external| {
            claim_item(
                keys::external_id_entry(account, external, &user.id),
                &user.id,
            )
        })
        .transpose()
}

/// The texts a user is found by with `q=`, case-folded: "first last" (which a first name's
/// prefix also starts), the last name, the email and the username. The one rule of what a
/// search matches: the filter and the entries both come from here.
pub(crate) fn search_texts(user: &User) -> BTreeSet<String> {
    [
        format!("{} {}", user.first_name.as_str(), user.last_name.as_str()),
        user.last_name.as_str().to_owned(),
        user.email.key().to_owned(),
        user.username.key().to_owned(),
    ]
    .into_iter()
    .map(|text| text.to_lowercase())
    .collect()
}

/// The keys of a user's search entries, one per distinct text (after [`keys::search_term`]).
pub(crate) fn search_keys(account: &AccountId, user: &User) -> BTreeSet<Key> {
    search_texts(user)
        .iter()
        .map(|text| keys::search_entry(account, text, &user.last_name, &user.first_name, &user.id))
        .collect()
}

/// A user's search entries, each holding the user id.
pub(crate) fn search_items(account: &AccountId, user: &User) -> Result<Vec<Item>, DomainError> {
    search_keys(account, user)
        .into_iter()
        .map(|key| claim_item(key, &user.id))
        .collect()
}

/// The keys of a user's entries under the emails an identity provider sent for them (see
/// [`keys::provided_email_entry`]), one per distinct value.
pub(crate) fn provided_email_keys(account: &AccountId, user: &User) -> BTreeSet<Key> {
    user.provided
        .emails
        .iter()
        .map(|email| keys::provided_email_entry(account, email.value(), &user.id))
        .collect()
}

/// Every entry that points at a user besides its claims and its external id: its search
/// entries, its provided-email entries and its sign-in entries, each holding the user id.
pub(crate) fn entry_keys(account: &AccountId, user: &User) -> BTreeSet<Key> {
    let mut keys = search_keys(account, user);
    keys.extend(provided_email_keys(account, user));
    keys.extend(login_keys(account, user));
    keys
}

/// The keys a user is found by at sign-in (see [`keys::login_entry`]): their email and their
/// username, one entry when the two are the same.
pub(crate) fn login_keys(account: &AccountId, user: &User) -> BTreeSet<Key> {
    [user.email.key(), user.username.key()]
        .into_iter()
        .map(|login| keys::login_entry(login, account, &user.id))
        .collect()
}

/// A user's sign-in entries, each holding the user id.
pub(crate) fn login_items(account: &AccountId, user: &User) -> Result<Vec<Item>, DomainError> {
    login_keys(account, user)
        .into_iter()
        .map(|key| claim_item(key, &user.id))
        .collect()
}

/// A user's provided-email entries, each holding the user id.
pub(crate) fn provided_email_items(
    account: &AccountId,
    user: &User,
) -> Result<Vec<Item>, DomainError> {
    provided_email_keys(account, user)
        .into_iter()
        .map(|key| claim_item(key, &user.id))
        .collect()
}

pub(crate) fn user_item(account: &AccountId, user: &User) -> Result<Item, DomainError> {
    let sort = keys::user_name_sort_key(&user.last_name, &user.first_name, &user.id);
    Ok(
        Item::from_body(keys::user(account, &user.id), user.version, user)?
            .with_index(keys::users_by_name(account), sort),
    )
}

pub(crate) fn user_from_item(item: &Item) -> Result<User, DomainError> {
    let mut user: User = decode(item)?;
    user.version = item.version;
    Ok(user)
}

pub(crate) fn account_item(account: &Account) -> Result<Item, DomainError> {
    Ok(Item::from_body(
        keys::account(&account.id),
        account.version,
        account,
    )?)
}

pub(crate) fn account_from_item(item: &Item) -> Result<Account, DomainError> {
    let mut account: Account = decode(item)?;
    account.version = item.version;
    Ok(account)
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(item: &Item) -> Result<T, DomainError> {
    item.body().map_err(|e| DomainError::Corrupt {
        key: item.key.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn shift_item(account: &AccountId, shift: &Shift) -> Result<Item, DomainError> {
    Ok(Item::from_body(
        keys::shift(account, &shift.group_id, &shift.id),
        shift.version,
        shift,
    )?
    .with_index(
        keys::ALL_SHIFTS,
        keys::all_shifts_sort_key(account, &shift.id),
    ))
}

pub(crate) fn shift_from_item(item: &Item) -> Result<Shift, DomainError> {
    let mut shift: Shift = decode(item)?;
    shift.version = item.version;
    Ok(shift)
}

pub(crate) fn group_item(account: &AccountId, group: &Group) -> Result<Item, DomainError> {
    Ok(
        Item::from_body(keys::group(account, &group.id), group.version, group)?.with_index(
            keys::groups_by_name(account),
            keys::group_name_sort_key(&group.name, &group.id),
        ),
    )
}

pub(crate) fn group_from_item(item: &Item) -> Result<Group, DomainError> {
    let mut group: Group = decode(item)?;
    group.version = item.version;
    Ok(group)
}

pub(crate) fn membership_item(
    account: &AccountId,
    membership: &Membership,
) -> Result<Item, DomainError> {
    Ok(Item::from_body(
        keys::membership(account, &membership.group_id, &membership.user_id),
        1,
        membership,
    )?)
}

/// The claim on a group's name: the key is the name, the body names the group.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct GroupClaim {
    pub group_id: GroupId,
}

pub(crate) fn group_claim_item(key: Key, group_id: &GroupId) -> Result<Item, DomainError> {
    Ok(Item::from_body(
        key,
        1,
        &GroupClaim {
            group_id: group_id.clone(),
        },
    )?)
}
