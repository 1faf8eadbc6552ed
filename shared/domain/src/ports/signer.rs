//! The Signer port: the one key Roster signs its session tokens with (docs/sign-in.md). The
//! domain composes the token and never holds key material: a key file beside the store for
//! `roster serve` (`shared/local`), an AWS KMS key deployed (`shared/kms`).

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The public half of a P-256 key, as JWKS publishes it (RFC 7518 §6.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The key's id, the `kid` of every token it signs.
    pub kid: String,
    pub x: [u8; 32],
    pub y: [u8; 32],
}

impl PublicKey {
    /// The JWK of the key: `kty` EC, `crv` P-256, `alg` ES256, `use` sig.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "alg": "ES256",
            "use": "sig",
            "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(self.x),
            "y": URL_SAFE_NO_PAD.encode(self.y),
        })
    }

    /// A key id that names the key's public half (the SHA-256 of its point, in base64url): the
    /// same key always gets the same id, a new key a new one.
    pub fn kid_of(x: &[u8; 32], y: &[u8; 32]) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(x);
        hasher.update(y);
        URL_SAFE_NO_PAD.encode(&hasher.finalize()[..16])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// The key or the service holding it could not be used; a retry may succeed.
    #[error("the signing key is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Signer: Send + Sync {
    /// The key's public half and id.
    async fn public_key(&self) -> Result<PublicKey, SignerError>;

    /// An ES256 signature (ECDSA P-256 with SHA-256) of `message`, as JWS puts it: `r` then `s`,
    /// 32 bytes each (RFC 7518 §3.4).
    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError>;
}

/// A host that issues no tokens (a function that does not sign people in): every call says so.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoSigner;

#[async_trait]
impl Signer for NoSigner {
    async fn public_key(&self) -> Result<PublicKey, SignerError> {
        Err(SignerError::Unavailable(
            "this host has no signing key".into(),
        ))
    }

    async fn sign(&self, _: &[u8]) -> Result<[u8; 64], SignerError> {
        Err(SignerError::Unavailable(
            "this host has no signing key".into(),
        ))
    }
}
