//! Sessions (SPEC.md §3, docs/sign-in.md): Roster is the one issuer of the tokens its API
//! accepts. A password sign-in, a console sign-in link and `roster token` all end here, in an
//! ES256 JWT signed through the `Signer` port, whose public key `GET /.well-known/jwks.json`
//! publishes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Roster;
use super::records;
use super::throttle::Throttles;
use crate::entities::{AuditActor, ManagedBy, User};
use crate::error::{DomainError, FieldErrors};
use crate::keys;
use crate::ports::identity_provider::ProviderError;
use crate::ports::signer::SignerError;
use crate::ports::table::{Key, Query};
use crate::secrets::PasswordAttempt;
use crate::values::{AccountId, UserId};

/// How long a session lasts: a working day.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(8);

/// The audience every session token names, and the one verifier of session tokens expects.
pub const AUDIENCE: &str = "roster";

/// The one answer to a refused sign-in, whatever the reason: nothing in it tells a wrong
/// password from an unknown login, a user without a password or a deactivated one.
pub const SIGN_IN_REFUSED: &str = "the login or the password is not right";

/// A signed session token and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub token: String,
    pub expires_at: Timestamp,
}

/// `POST /sessions`: a login (the email or the username) and a password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInInput {
    pub login: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SignInInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInInput { … }")
    }
}

/// `POST /sessions/oidc`: a token of the identity provider, to trade for a session.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderTokenInput {
    pub token: Option<String>,
}

impl std::fmt::Debug for ProviderTokenInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProviderTokenInput { … }")
    }
}

/// What a session token says (RFC 7519 names, plus `account_id`).
#[derive(Serialize)]
struct SessionClaims<'a> {
    iss: &'a str,
    aud: &'static str,
    sub: &'a str,
    account_id: &'a str,
    iat: i64,
    exp: i64,
}

/// The longest login taken: an email's whole length.
const MAX_LOGIN_BYTES: usize = 320;

impl Roster {
    /// The issuer of session tokens: the address the console and the API are served at.
    pub fn issuer(&self) -> &str {
        self.settings.app_url.trim_end_matches('/')
    }

    /// A session token for `user` of `account`, good for `lifetime`.
    pub async fn issue_session(
        &self,
        account: &AccountId,
        user: &UserId,
        lifetime: SignedDuration,
    ) -> Result<Session, DomainError> {
        let unavailable = |e: SignerError| DomainError::ServiceUnavailable {
            service: "the signing key",
            reason: e.to_string(),
        };
        let key = self.signer.public_key().await.map_err(unavailable)?;
        let now = self.clock.now();
        let expires_at = now
            .saturating_add(lifetime)
            .map_err(|e| DomainError::conflict(format!("clock out of range: {e}")))?;
        let header = serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": key.kid});
        let claims = SessionClaims {
            iss: self.issuer(),
            aud: AUDIENCE,
            sub: user.as_str(),
            account_id: account.as_str(),
            iat: now.as_second(),
            exp: expires_at.as_second(),
        };
        let signing_input = format!("{}.{}", base64_json(&header)?, base64_json(&claims)?);
        let signature = self
            .signer
            .sign(signing_input.as_bytes())
            .await
            .map_err(unavailable)?;
        Ok(Session {
            token: format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)),
            expires_at,
        })
    }

    /// `GET /.well-known/jwks.json`: the key session tokens are signed with.
    pub async fn signing_keys(&self) -> Result<serde_json::Value, DomainError> {
        let key = self
            .signer
            .public_key()
            .await
            .map_err(|e| DomainError::ServiceUnavailable {
                service: "the signing key",
                reason: e.to_string(),
            })?;
        Ok(serde_json::json!({ "keys": [key.jwk()] }))
    }

    /// `GET /.well-known/openid-configuration`: the issuer and where its keys are, for any JWT
    /// library that verifies Roster's tokens.
    pub fn openid_configuration(&self) -> serde_json::Value {
        let issuer = self.issuer();
        serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["ES256"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "claims_supported": ["sub", "account_id", "iss", "aud", "exp", "iat"],
        })
    }

    /// `POST /sessions`: a session for the person whose login and password these are. Every
    /// refusal is the same `401` after the same work (a hash is checked even when there is no
    /// user); failures are counted per login and per source address (`source`), which a run of
    /// them turns into `429` for a while.
    pub async fn sign_in(
        &self,
        input: &SignInInput,
        source: Option<&str>,
    ) -> Result<Session, DomainError> {
        let mut errors = FieldErrors::new();
        let login = errors.required("login", "Login", input.login.as_deref(), parse_login);
        let password = errors.given(
            "password",
            "Password",
            input.password.as_deref(),
            PasswordAttempt::parse,
        );
        let (login, password) = errors.finish(|| Some((login?, password?)))?;
        let throttles = Throttles::new(&login, source);
        let counted = self.refuse_while_throttled(&throttles).await?;
        let candidates = self.users_signing_in_as(&login).await?;
        let named: Vec<(AccountId, User)> = candidates
            .iter()
            .map(|(account, user, _)| (account.clone(), user.clone()))
            .collect();
        let checked = tokio::task::spawn_blocking(move || {
            let mut found = None;
            let mut checked = false;
            for (account, user, hash) in candidates {
                let Some(hash) = hash else { continue };
                checked = true;
                if found.is_none() && password.matches(&hash) {
                    found = Some((account, user));
                }
            }
            if !checked {
                password.match_nothing();
            }
            found
        })
        .await
        .map_err(|e| DomainError::conflict(format!("password check stopped: {e}")))?;
        let audit_detail = serde_json::json!({ "source": source });
        match checked.filter(|(_, user)| may_sign_in_with_password(user)) {
            Some((account, user)) => {
                self.forget_failures(&throttles, counted).await?;
                self.audit_sign_in(&account, &user, "sign-in", &audit_detail)
                    .await?;
                self.issue_session(&account, &user.id, SESSION_LIFETIME)
                    .await
            }
            None => {
                self.count_failure(&throttles).await?;
                for (account, user) in named {
                    self.audit_sign_in(&account, &user, "sign-in-failed", &audit_detail)
                        .await?;
                }
                Err(DomainError::Unauthenticated(SIGN_IN_REFUSED.into()))
            }
        }
    }

    /// `POST /sessions/oidc`: single sign-on. A token the identity provider issued for this
    /// deployment (checked by the IdentityProvider port against its published keys) is traded
    /// for a Roster session of the user it names, who must exist and not be deactivated.
    pub async fn exchange_provider_token(
        &self,
        input: &ProviderTokenInput,
    ) -> Result<Session, DomainError> {
        let mut errors = FieldErrors::new();
        let token = errors.given(
            "token",
            "Token",
            input.token.as_deref(),
            super::passwords::non_empty,
        );
        let token = errors.finish(|| token)?;
        let identity = self
            .identity_provider
            .verify(&token)
            .await
            .map_err(|e| match e {
                ProviderError::Refused(why) => DomainError::Unauthenticated(why),
                ProviderError::Unavailable(why) => DomainError::ServiceUnavailable {
                    service: "the identity provider",
                    reason: why,
                },
            })?;
        let nobody = || {
            DomainError::Unauthenticated(
                "the identity provider's token names no user of Roster who may sign in".into(),
            )
        };
        let account = AccountId::parse(&identity.account_id).map_err(|_| nobody())?;
        let id = UserId::parse(&identity.sub).map_err(|_| nobody())?;
        let user = self.load_user(&account, &id).await.map_err(|_| nobody())?;
        if user.deactivated {
            return Err(nobody());
        }
        let via = serde_json::json!({ "via": "single sign-on" });
        self.audit_sign_in(&account, &user, "sign-in", &via).await?;
        self.issue_session(&account, &user.id, SESSION_LIFETIME)
            .await
    }

    /// The users `login` names across accounts, with their stored password hash (none before
    /// they set one): one query of the login's entries, one batch read of the users and their
    /// credentials. An entry left behind by an earlier email or username names nobody.
    async fn users_signing_in_as(
        &self,
        login: &str,
    ) -> Result<Vec<(AccountId, User, Option<String>)>, DomainError> {
        let named = self.login_entries(login).await?;
        let keys: Vec<Key> = named
            .iter()
            .flat_map(|(account, id)| [keys::user(account, id), keys::credential(account, id)])
            .collect();
        let items = if keys.is_empty() {
            Vec::new()
        } else {
            self.table.get_many(&keys).await?
        };
        let find = |key: &Key| items.iter().find(|item| &item.key == key);
        let mut found = Vec::new();
        for (account, id) in named {
            let Some(item) = find(&keys::user(&account, &id)) else {
                continue;
            };
            let user = records::user_from_item(item)?;
            if user.email.key() != login && user.username.key() != login {
                continue;
            }
            let hash = match find(&keys::credential(&account, &id)) {
                Some(item) => Some(records::decode::<super::passwords::Credential>(item)?.hash),
                None => None,
            };
            found.push((account, user, hash));
        }
        Ok(found)
    }

    /// The account and user of each entry under `login` (some may be left behind by an
    /// earlier email or username: the reader checks).
    async fn login_entries(&self, login: &str) -> Result<Vec<(AccountId, UserId)>, DomainError> {
        let page = self
            .table
            .query(&Query::partition(keys::login_partition(login)))
            .await?;
        Ok(page
            .items
            .iter()
            .filter_map(|entry| keys::login_entry_names(&entry.key.sk))
            .collect())
    }

    /// The users whose email or username is `login`, in every account.
    pub(crate) async fn users_named(
        &self,
        login: &str,
    ) -> Result<Vec<(AccountId, User)>, DomainError> {
        Ok(self
            .users_signing_in_as(login)
            .await?
            .into_iter()
            .map(|(account, user, _)| (account, user))
            .collect())
    }

    async fn audit_sign_in(
        &self,
        account: &AccountId,
        user: &User,
        action: &str,
        detail: &serde_json::Value,
    ) -> Result<(), DomainError> {
        let write = self.audit_write(
            account,
            AuditActor::User {
                id: user.id.to_string(),
                email: user.email.to_string(),
            },
            action,
            ("user", user.id.as_str()),
            None,
            Some(detail),
        )?;
        self.table.transact(vec![write]).await?;
        Ok(())
    }
}

/// Whether `user` signs in with a password here: not while deactivated, and never a user an
/// identity provider provisions (they sign in through it).
fn may_sign_in_with_password(user: &User) -> bool {
    !user.deactivated && user.managed_by != ManagedBy::Scim
}

/// A login as typed, case-folded as emails and usernames are compared.
fn parse_login(raw: &str) -> Result<String, crate::error::InvalidValue> {
    let login = raw.trim();
    if login.is_empty() {
        return Err(crate::error::InvalidValue::new("is required"));
    }
    if login.len() > MAX_LOGIN_BYTES {
        return Err(crate::error::InvalidValue::new(format!(
            "must be at most {MAX_LOGIN_BYTES} bytes"
        )));
    }
    Ok(login.to_lowercase())
}

/// A token part: the value's JSON in unpadded base64url.
fn base64_json(value: &impl Serialize) -> Result<String, DomainError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| DomainError::conflict(format!("a token part does not serialise: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}
