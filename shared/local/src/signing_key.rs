//! The Signer port on a key file: a P-256 private key in PKCS #8 PEM, made on first use with
//! mode 0600 (`roster serve` keeps it beside its store, as docs/sign-in.md says).

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use roster_domain::ports::signer::{PublicKey, Signer, SignerError};

/// A signing key read from (or made at) a file.
#[derive(Clone)]
pub struct KeyFile {
    key: SigningKey,
    public: PublicKey,
}

impl std::fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyFile({})", self.public.kid)
    }
}

impl KeyFile {
    /// The key in `path`, made there (mode 0600) when there is none. A file that holds no
    /// P-256 key is an error, never replaced.
    pub fn open_or_create(path: &Path) -> Result<Self, String> {
        let unusable = |e: &dyn std::fmt::Display| {
            format!("cannot use the signing key file {}: {e}", path.display())
        };
        match std::fs::read_to_string(path) {
            Ok(pem) => return Self::from_pem(&pem).map_err(|e| unusable(&e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(unusable(&e)),
        }
        let key = generate();
        let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|e| unusable(&e))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(pem.as_bytes()).map_err(|e| unusable(&e))?;
                Ok(Self::from_key(key))
            }
            // Another process made it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let pem = std::fs::read_to_string(path).map_err(|e| unusable(&e))?;
                Self::from_pem(&pem).map_err(|e| unusable(&e))
            }
            Err(e) => Err(unusable(&e)),
        }
    }

    /// The key of a PKCS #8 PEM text.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        SigningKey::from_pkcs8_pem(pem)
            .map(Self::from_key)
            .map_err(|e| format!("it holds no P-256 private key in PKCS #8 PEM ({e})"))
    }

    fn from_key(key: SigningKey) -> Self {
        let point = key.verifying_key().to_sec1_point(false);
        let coordinate = |c: Option<&p256::FieldBytes>| -> [u8; 32] {
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(c.expect("an uncompressed point has both coordinates"));
            bytes
        };
        let (x, y) = (coordinate(point.x()), coordinate(point.y()));
        let public = PublicKey {
            kid: PublicKey::kid_of(&x, &y),
            x,
            y,
        };
        Self { key, public }
    }

    /// The key's public half (what `/.well-known/jwks.json` publishes).
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
}

/// A fresh key from the operating system's random source.
fn generate() -> SigningKey {
    loop {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        // Out of the curve's range about once in 2^32 tries: draw again.
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return key;
        }
    }
}

/// Where the key of a store lives when nothing else says: beside the file, named after it.
pub fn beside(store_file: &Path) -> PathBuf {
    let mut name = store_file.as_os_str().to_owned();
    name.push(".signing-key");
    PathBuf::from(name)
}

#[async_trait]
impl Signer for KeyFile {
    async fn public_key(&self) -> Result<PublicKey, SignerError> {
        Ok(self.public.clone())
    }

    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        let signature: Signature = self.key.sign(message);
        let mut bytes = [0u8; 64];
        bytes.copy_from_slice(&signature.to_bytes());
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_made_once_with_mode_0600_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.db.signing-key");
        let made = KeyFile::open_or_create(&path).unwrap();
        let again = KeyFile::open_or_create(&path).unwrap();
        assert_eq!(made.public(), again.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let signature = made.sign(b"header.claims").await.unwrap();
        let verifying = p256::ecdsa::VerifyingKey::from(&made.key);
        use p256::ecdsa::signature::Verifier;
        let parsed = Signature::from_slice(&signature).unwrap();
        assert!(verifying.verify(b"header.claims", &parsed).is_ok());
        std::fs::write(&path, "not a key").unwrap();
        assert!(
            KeyFile::open_or_create(&path)
                .unwrap_err()
                .contains("no P-256")
        );
    }
}
