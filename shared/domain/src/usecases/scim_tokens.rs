//! SCIM tokens (SPEC §9): an Owner or App Admin makes one per identity provider; the secret is
//! returned once and only its hash is stored; a request with it acts in its own account only.

use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::decode;
use crate::access::Actor;
use crate::entities::ScimToken;
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Item, Query, Write};
use crate::secrets::{ScimSecret, TokenHash};
use crate::values::{AccountId, ScimTokenId, TokenName};

/// The listed item: the token and the hash that finds its secret item, so revoking deletes both.
#[derive(Serialize, Deserialize)]
struct TokenRecord {
    #[serde(flatten)]
    token: ScimToken,
    hash: TokenHash,
}

/// The item found by a secret's hash.
#[derive(Serialize, Deserialize)]
struct SecretRecord {
    account: AccountId,
    token_id: ScimTokenId,
    name: TokenName,
}

impl Roster {
    /// Makes a token named `name`; the secret in the answer is the only copy there will be.
    pub async fn create_scim_token(
        &self,
        actor: &Actor,
        name: TokenName,
    ) -> Result<(ScimToken, ScimSecret), DomainError> {
        actor.may_manage_scim_tokens()?;
        let account = actor.account();
        self.get_account(account).await?;
        let token = ScimToken {
            id: ScimTokenId::from_ulid(self.ids.new_id()),
            name,
            created_at: self.clock.now(),
            created_by: actor.audit_actor(),
        };
        let secret = ScimSecret::generate();
        let record = TokenRecord {
            token: token.clone(),
            hash: secret.hash(),
        };
        let pointer = SecretRecord {
            account: account.clone(),
            token_id: token.id.clone(),
            name: token.name.clone(),
        };
        self.table
            .transact(vec![
                Write::put(
                    Item::from_body(keys::scim_token(account, &token.id), 1, &record)?,
                    Condition::MustNotExist,
                ),
                Write::put(
                    Item::from_body(keys::scim_secret(&record.hash), 1, &pointer)?,
                    Condition::MustNotExist,
                ),
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "create-scim-token",
                    ("scim-token", token.id.as_str()),
                    None::<&ScimToken>,
                    Some(&token),
                )?,
            ])
            .await?;
        Ok((token, secret))
    }

    /// The account's tokens, oldest first (never their secrets).
    pub async fn list_scim_tokens(&self, actor: &Actor) -> Result<Vec<ScimToken>, DomainError> {
        actor.may_manage_scim_tokens()?;
        let mut query =
            Query::partition(keys::account_pk(actor.account())).prefix(keys::SCIM_TOKEN_PREFIX);
        let mut tokens = Vec::new();
        loop {
            let page = self.table.query(&query).await?;
            for item in &page.items {
                tokens.push(decode::<TokenRecord>(item)?.token);
            }
            match page.next {
                Some(next) => query.start_after = Some(next),
                None => return Ok(tokens),
            }
        }
    }

    /// Revokes a token: requests with its secret are refused from now on.
    pub async fn revoke_scim_token(
        &self,
        actor: &Actor,
        id: &ScimTokenId,
    ) -> Result<(), DomainError> {
        actor.may_manage_scim_tokens()?;
        let account = actor.account();
        let key = keys::scim_token(account, id);
        let item = self
            .table
            .get(&key)
            .await?
            .ok_or_else(|| DomainError::not_found("SCIM token", id.as_str()))?;
        let record: TokenRecord = decode(&item)?;
        self.table
            .transact(vec![
                Write::delete(key, Condition::VersionIs(item.version)),
                Write::delete(keys::scim_secret(&record.hash), None),
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "revoke-scim-token",
                    ("scim-token", id.as_str()),
                    Some(&record.token),
                    None::<&ScimToken>,
                )?,
            ])
            .await?;
        Ok(())
    }

    /// Who a SCIM request acts as, from its bearer secret: one read. An unknown, malformed or
    /// revoked secret is unauthenticated.
    pub async fn scim_actor(&self, secret: &str) -> Result<Actor, DomainError> {
        let refused = || DomainError::Unauthenticated("the SCIM token is not valid".into());
        let secret = ScimSecret::parse(secret).map_err(|_| refused())?;
        let item = self
            .table
            .get(&keys::scim_secret(&secret.hash()))
            .await?
            .ok_or_else(refused)?;
        let found: SecretRecord = decode(&item)?;
        Ok(Actor::Provisioner {
            account: found.account,
            token: found.token_id,
            name: found.name,
        })
    }
}
