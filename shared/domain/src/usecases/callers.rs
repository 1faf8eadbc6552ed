//! Turning verified token claims into a caller (SPEC.md §8): a verified caller whose user no
//! longer exists is unauthenticated.

use super::Roster;
use super::records;
use crate::access::Caller;
use crate::error::DomainError;
use crate::keys;
use crate::values::{AccountId, UserId};

impl Roster {
    /// The caller for the claims `account_id` and `sub` of a token already verified upstream.
    pub async fn caller(&self, account_id: &str, sub: &str) -> Result<Caller, DomainError> {
        let unauthenticated = |why: &str| DomainError::Unauthenticated(why.to_owned());
        let account = AccountId::parse(account_id)
            .map_err(|_| unauthenticated("the token's account_id claim is not an account id"))?;
        let user_id = UserId::parse(sub)
            .map_err(|_| unauthenticated("the token's sub claim is not a user id"))?;
        match self.table.get(&keys::user(&account, &user_id)).await? {
            Some(item) => {
                let user = records::user_from_item(&item)?;
                // Deactivation removes access at once (SPEC.md §1), whatever the token says.
                if user.deactivated {
                    return Err(unauthenticated("the token's user is deactivated"));
                }
                Ok(Caller { account, user })
            }
            None => Err(unauthenticated("the token's user no longer exists")),
        }
    }
}
