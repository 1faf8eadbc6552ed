//! The IdentityProvider port: single sign-on's side of signing in (docs/sign-in.md). The console
//! gets a token from the company's OpenID Connect provider and trades it for a Roster session;
//! this port says whether the provider really issued it, for this deployment, and whom it names.
//! The adapter (`shared/oidc`) checks it against the provider's published keys.

use async_trait::async_trait;

/// Whom a verified token of the provider names: the Roster user id (`sub`) and their account
/// (`account_id`), the claims the provider is set up to carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvidedIdentity {
    pub sub: String,
    pub account_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Not a token of the provider for this deployment (signature, issuer, audience, expiry,
    /// claims), or no provider is set up: the caller gets `401`.
    #[error("{0}")]
    Refused(String),
    /// The provider's keys could not be fetched; a retry may succeed.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait IdentityProvider: Send + Sync {
    async fn verify(&self, token: &str) -> Result<ProvidedIdentity, ProviderError>;
}

/// A deployment without single sign-on: every token is refused, saying so.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoIdentityProvider;

#[async_trait]
impl IdentityProvider for NoIdentityProvider {
    async fn verify(&self, _: &str) -> Result<ProvidedIdentity, ProviderError> {
        Err(ProviderError::Refused(
            "single sign-on is not set up here; sign in with a password".into(),
        ))
    }
}
