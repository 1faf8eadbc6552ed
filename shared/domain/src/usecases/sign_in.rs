//! Console sign-in links (SPEC.md §11): `roster console` asks for a code for one user; the
//! console trades it, once and within minutes, for a session token of the local server. Only
//! the code's hash is stored, as for reset tokens.

use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::decode;
use crate::access::Actor;
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Item, TableError, Write};
use crate::secrets::SignInCode;
use crate::values::{AccountId, UserId};

/// How long a printed link works: long enough to paste it into a browser.
pub const SIGN_IN_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

const INVALID_CODE: &str =
    "this sign-in link is invalid, used or expired; print a new one with `roster console`";

#[derive(Serialize, Deserialize)]
struct CodeRecord {
    account: AccountId,
    user_id: UserId,
    valid_until: jiff::Timestamp,
}

impl Roster {
    /// A code that signs `user` in once, within [`SIGN_IN_LIFETIME`].
    pub async fn issue_sign_in_code(
        &self,
        actor: &Actor,
        user: &UserId,
    ) -> Result<SignInCode, DomainError> {
        let account = actor.may_issue_sign_in_links()?;
        self.load_user(account, user).await?;
        let code = SignInCode::generate();
        let valid_until = self
            .clock
            .now()
            .saturating_add(SIGN_IN_LIFETIME)
            .map_err(|e| DomainError::conflict(format!("clock out of range: {e}")))?;
        let record = CodeRecord {
            account: account.clone(),
            user_id: user.clone(),
            valid_until,
        };
        let item = Item::from_body(keys::sign_in_code(&code.hash()), 1, &record)?
            .with_expiry(valid_until.as_second());
        self.table
            .transact(vec![Write::put(item, Condition::MustNotExist)])
            .await?;
        Ok(code)
    }

    /// The account and user a code signs in, spending it: a second use, an expired code or
    /// anything else is `401`.
    pub async fn redeem_sign_in_code(&self, raw: &str) -> Result<(AccountId, UserId), DomainError> {
        let invalid = || DomainError::Unauthenticated(INVALID_CODE.into());
        let code = SignInCode::parse(raw).map_err(|_| invalid())?;
        let key = keys::sign_in_code(&code.hash());
        let Some(item) = self.table.get(&key).await? else {
            return Err(invalid());
        };
        let record: CodeRecord = decode(&item)?;
        if record.valid_until <= self.clock.now() {
            return Err(invalid());
        }
        let spend = Write::delete(key, Condition::VersionIs(item.version));
        match self.table.transact(vec![spend]).await {
            Ok(()) => Ok((record.account, record.user_id)),
            // Someone else spent it first.
            Err(TableError::ConditionFailed(_)) => Err(invalid()),
            Err(e) => Err(e.into()),
        }
    }
}
