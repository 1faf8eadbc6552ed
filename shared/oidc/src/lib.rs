//! The OpenID Connect adapter of the identity-provider port (docs/sign-in.md, "Single sign-on"):
//! a token is the provider's when its signature checks against a key the provider publishes
//! (`<issuer>/.well-known/openid-configuration` → `jwks_uri`), its `iss` is the issuer, its
//! `aud` this deployment's client, and it has not expired. The keys are fetched on first use and
//! again when a token names a key not seen yet (a provider rotating), at most once a minute.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use roster_domain::ports::identity_provider::{IdentityProvider, ProvidedIdentity, ProviderError};
use serde::Deserialize;
use tokio::sync::Mutex;

/// How a provider is named: its issuer, and the audience its tokens carry for this deployment
/// (the console's client id, unless the provider's access tokens name an API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub issuer: String,
    pub audience: String,
}

impl Provider {
    /// From `ROSTER_OIDC_ISSUER` and `ROSTER_OIDC_CLIENT_ID` (the console's settings; none when
    /// the issuer is unset or empty), with `ROSTER_OIDC_AUDIENCE` for providers whose tokens
    /// name another audience than the client.
    pub fn from_env() -> Result<Option<Self>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(issuer) = var("ROSTER_OIDC_ISSUER") else {
            return Ok(None);
        };
        let client = var("ROSTER_OIDC_CLIENT_ID")
            .ok_or("single sign-on needs ROSTER_OIDC_CLIENT_ID beside ROSTER_OIDC_ISSUER")?;
        Ok(Some(Self {
            issuer,
            audience: var("ROSTER_OIDC_AUDIENCE").unwrap_or(client),
        }))
    }
}

/// The algorithms a provider's signature may use: asymmetric only, never `none` or a shared
/// secret (which anyone who knows the client id could forge with).
const ALGORITHMS: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// A provider's keys are fetched again for an unknown `kid` at most this often.
const REFETCH_AFTER: Duration = Duration::from_secs(60);

pub struct OidcVerifier {
    provider: Provider,
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>,
    keys: Arc<Mutex<Option<(JwkSet, Instant)>>>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    account_id: String,
}

impl OidcVerifier {
    /// A verifier of `provider`'s tokens. Its issuer must be `https`, or `http` on a loopback
    /// address (a provider in a test); the platform's trust store verifies its certificate.
    pub fn new(provider: Provider) -> Result<Self, String> {
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| provider.issuer.starts_with(p));
        if !provider.issuer.starts_with("https://") && !loopback {
            return Err(format!(
                "the identity provider's issuer {:?} is not an https URL",
                provider.issuer
            ));
        }
        // ring, named: a binary that also links aws-lc (the CLI's AWS SDK) has two providers.
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("no trust store for the identity provider: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            provider,
            client: Client::builder(TokioExecutor::new()).build(https),
            keys: Arc::default(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
    ) -> Result<T, ProviderError> {
        let unavailable = |why: String| ProviderError::Unavailable(format!("{url}: {why}"));
        let uri: http::Uri = url.parse().map_err(|e| unavailable(format!("{e}")))?;
        let answer = tokio::time::timeout(Duration::from_secs(5), self.client.get(uri))
            .await
            .map_err(|_| unavailable("no answer within 5 s".into()))?
            .map_err(|e| unavailable(e.to_string()))?;
        let status = answer.status();
        let body = answer
            .into_body()
            .collect()
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .to_bytes();
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        serde_json::from_slice(&body)
            .map_err(|e| unavailable(format!("not the JSON expected: {e}")))
    }

    /// The provider's keys, fetched when there are none yet or when `kid` is not among them
    /// (and the last fetch is a minute old).
    async fn keys_for(&self, kid: Option<&str>) -> Result<JwkSet, ProviderError> {
        let mut cached = self.keys.lock().await;
        let known = |set: &JwkSet| kid.is_none_or(|k| set.find(k).is_some());
        if let Some((set, fetched)) = cached.as_ref()
            && (known(set) || fetched.elapsed() < REFETCH_AFTER)
        {
            return Ok(set.clone());
        }
        let issuer = self.provider.issuer.trim_end_matches('/');
        let discovery: Discovery = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        if discovery.issuer.trim_end_matches('/') != issuer {
            return Err(ProviderError::Unavailable(format!(
                "the provider at {issuer} says its issuer is {}",
                discovery.issuer
            )));
        }
        let set: JwkSet = self.get_json(&discovery.jwks_uri).await?;
        *cached = Some((set.clone(), Instant::now()));
        Ok(set)
    }
}

#[async_trait]
impl IdentityProvider for OidcVerifier {
    async fn verify(&self, token: &str) -> Result<ProvidedIdentity, ProviderError> {
        let refused = |why: String| ProviderError::Refused(why);
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| refused(format!("not a token of the identity provider: {e}")))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(refused(format!(
                "the identity provider's token is signed with {:?}, which Roster does not accept",
                header.alg
            )));
        }
        let keys = self.keys_for(header.kid.as_deref()).await?;
        let jwk = match header.kid.as_deref() {
            Some(kid) => keys.find(kid),
            None => keys.keys.first(),
        }
        .ok_or_else(|| {
            refused("the token names a key the identity provider does not publish".into())
        })?;
        let key = DecodingKey::from_jwk(jwk)
            .map_err(|e| refused(format!("the identity provider's key is not usable: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.provider.issuer.trim_end_matches('/')]);
        validation.set_audience(&[&self.provider.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|e| refused(format!("the identity provider's token is not valid: {e}")))?;
        Ok(ProvidedIdentity {
            sub: data.claims.sub,
            account_id: data.claims.account_id,
        })
    }
}
