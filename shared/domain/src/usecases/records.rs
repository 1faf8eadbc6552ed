//! How entities become items and back. Keys come from `crate::keys`; bodies are the entities'
//! serde forms, with the item version carried outside the body.

use serde::{Deserialize, Serialize};

use crate::entities::{Account, User};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Item, Key};
use crate::values::{AccountId, UserId};

/// A uniqueness claim (email, username, Owner): the key is the claim, the body names the holder.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claim {
    pub user_id: UserId,
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
