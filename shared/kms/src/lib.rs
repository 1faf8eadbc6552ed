//! The AWS KMS adapter of the signer port (docs/deploy.md, "The signing key"): an asymmetric
//! KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`) signs each session token with `Sign` (ECDSA_SHA_256),
//! and its public half comes from `GetPublicKey`, once per process. The private key never
//! leaves KMS: it is in no template, environment variable or memory of ours.

use async_trait::async_trait;
use aws_sdk_kms::Client;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use roster_domain::ports::signer::{PublicKey, Signer, SignerError};
use tokio::sync::OnceCell;

/// The IAM actions the signing function needs on the key, for the SAM template's policy.
pub const SIGN_ACTION: &str = "kms:Sign";
pub const GET_PUBLIC_KEY_ACTION: &str = "kms:GetPublicKey";

#[derive(Debug, Clone)]
pub struct KmsSigner {
    client: Client,
    key_id: String,
    public: std::sync::Arc<OnceCell<PublicKey>>,
}

impl KmsSigner {
    /// Signs with the KMS key `key_id` (an id, an ARN or an alias).
    pub fn new(client: Client, key_id: impl Into<String>) -> Self {
        Self {
            client,
            key_id: key_id.into(),
            public: std::sync::Arc::default(),
        }
    }

    /// A client on an already loaded configuration (see `DynamoTable::from_config`).
    pub fn from_config(config: &aws_config::SdkConfig, key_id: impl Into<String>) -> Self {
        Self::new(Client::new(config), key_id)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn fetch_public_key(&self) -> Result<PublicKey, SignerError> {
        let answer = self
            .client
            .get_public_key()
            .key_id(&self.key_id)
            .send()
            .await
            .map_err(|e| unavailable("GetPublicKey", &e))?;
        let der = answer
            .public_key()
            .ok_or_else(|| SignerError::Unavailable("GetPublicKey gave no key".into()))?;
        public_key_of(der.as_ref())
    }
}

/// The point of a P-256 key in X.509 SubjectPublicKeyInfo DER, as `GetPublicKey` gives it.
pub fn public_key_of(spki_der: &[u8]) -> Result<PublicKey, SignerError> {
    let key = VerifyingKey::from_public_key_der(spki_der).map_err(|e| {
        SignerError::Unavailable(format!("the KMS key is not a P-256 signing key: {e}"))
    })?;
    let point = key.to_sec1_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| -> Result<[u8; 32], SignerError> {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(c.ok_or_else(|| {
            SignerError::Unavailable("the KMS key's point is not uncompressed".into())
        })?);
        Ok(bytes)
    };
    let (x, y) = (coordinate(point.x())?, coordinate(point.y())?);
    Ok(PublicKey {
        kid: PublicKey::kid_of(&x, &y),
        x,
        y,
    })
}

/// A signature as JWS wants it (`r` then `s`, 32 bytes each) from KMS's DER form.
pub fn jws_signature(der: &[u8]) -> Result<[u8; 64], SignerError> {
    let signature = Signature::from_der(der).map_err(|e| {
        SignerError::Unavailable(format!("KMS gave a signature that is not ECDSA DER: {e}"))
    })?;
    let mut bytes = [0u8; 64];
    bytes.copy_from_slice(&signature.to_bytes());
    Ok(bytes)
}

fn unavailable(call: &str, e: &dyn std::error::Error) -> SignerError {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    SignerError::Unavailable(format!("KMS {call} failed: {reason}"))
}

#[async_trait]
impl Signer for KmsSigner {
    async fn public_key(&self) -> Result<PublicKey, SignerError> {
        self.public
            .get_or_try_init(|| self.fetch_public_key())
            .await
            .cloned()
    }

    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        let answer = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(MessageType::Raw)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .map_err(|e| unavailable("Sign", &e))?;
        let der = answer
            .signature()
            .ok_or_else(|| SignerError::Unavailable("Sign gave no signature".into()))?;
        jws_signature(der.as_ref())
    }
}
