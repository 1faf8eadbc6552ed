//! Secrets the product handles and never shows: password-reset tokens (sent once, stored only as
//! a SHA-256 hash) and passwords (stored only as an Argon2id PHC string).

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::InvalidValue;

/// The SHA-256 of `text` in lower-case hex (64 characters).
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 32 bytes from the operating system's random source, as unpadded base64url (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; ResetToken::BYTES];
    // The OS random source failing is not recoverable, and a predictable secret is worse than
    // none: stop rather than continue.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A password-reset token: 32 random bytes, base64url in the link. `Debug` never shows it.
pub struct ResetToken(String);

impl ResetToken {
    pub const BYTES: usize = 32;

    pub fn generate() -> Self {
        Self(random_secret())
    }

    /// Accepts a token as it arrives from a link; anything else is not one of ours.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        match URL_SAFE_NO_PAD.decode(raw) {
            Ok(bytes) if bytes.len() == Self::BYTES => Ok(Self(raw.to_owned())),
            _ => Err(InvalidValue::new("is not a valid reset token")),
        }
    }

    /// The form put in the link. Only the mail renderer should call this.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored: the hex SHA-256 of the token text.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResetToken(…)")
    }
}

/// The stored form of a reset token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hex SHA-256 of a secret's text.
    fn of(secret: &str) -> Self {
        Self(sha256_hex(secret))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The bearer secret of a SCIM token: `roster_scim_` and 32 random bytes in base64url. The
/// prefix lets secret scanners recognise a leaked one. `Debug` never shows it.
pub struct ScimSecret(String);

impl ScimSecret {
    pub const PREFIX: &str = "roster_scim_";

    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, random_secret()))
    }

    /// Accepts a secret as an identity provider sends it; anything else is not one of ours.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        match raw
            .strip_prefix(Self::PREFIX)
            .map(|rest| URL_SAFE_NO_PAD.decode(rest))
        {
            Some(Ok(bytes)) if bytes.len() == ResetToken::BYTES => Ok(Self(raw.to_owned())),
            _ => Err(InvalidValue::new("is not a Roster SCIM token")),
        }
    }

    /// The secret, to be shown once to whoever created it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored: the hex SHA-256 of the secret.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for ScimSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScimSecret(…)")
    }
}

/// The code of a console sign-in link (`roster console`): 32 random bytes in base64url, good
/// once and for minutes. `Debug` never shows it.
pub struct SignInCode(String);

impl SignInCode {
    pub fn generate() -> Self {
        Self(random_secret())
    }

    /// Accepts a code as the console sends it back; anything else is not one of ours.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        match URL_SAFE_NO_PAD.decode(raw) {
            Ok(bytes) if bytes.len() == ResetToken::BYTES => Ok(Self(raw.to_owned())),
            _ => Err(InvalidValue::new("is not a sign-in code")),
        }
    }

    /// The code, to be put in the link `roster console` prints.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What is stored: the hex SHA-256 of the code.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for SignInCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInCode(…)")
    }
}

/// A new password as typed: at least 12 characters. `Debug` never shows it.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    /// Argon2 takes any length; a bound keeps a request from buying minutes of CPU.
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.chars().count() < Self::MIN_CHARS {
            return Err(InvalidValue::new(format!(
                "must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(InvalidValue::new(format!(
                "must be at most {} bytes",
                Self::MAX_BYTES
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The Argon2id PHC string (`$argon2id$v=19$…`) with a fresh random salt. CPU-heavy by design:
    /// call it off the async threads.
    pub fn hash(&self) -> Result<String, String> {
        let hash: PasswordHash = Argon2::default()
            .hash_password(self.0.as_bytes())
            .map_err(|e| e.to_string())?;
        Ok(hash.to_string())
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_parse_back_and_hash_stably() {
        let a = ResetToken::generate();
        let b = ResetToken::generate();
        assert_ne!(a.reveal(), b.reveal());
        assert_eq!(a.reveal().len(), 43, "32 bytes in unpadded base64url");
        let again = ResetToken::parse(a.reveal()).unwrap();
        assert_eq!(again.hash(), a.hash());
        assert_eq!(a.hash().as_str().len(), 64);
        assert!(!format!("{a:?}").contains(a.reveal()));
        assert!(ResetToken::parse("short").is_err());
    }

    #[test]
    fn scim_secrets_carry_their_prefix_parse_back_and_never_print() {
        let secret = ScimSecret::generate();
        assert!(secret.reveal().starts_with("roster_scim_"));
        assert_eq!(secret.reveal().len(), 12 + 43);
        let again = ScimSecret::parse(secret.reveal()).unwrap();
        assert_eq!(again.hash(), secret.hash());
        assert_ne!(ScimSecret::generate().hash(), secret.hash());
        assert!(!format!("{secret:?}").contains(&secret.reveal()[12..]));
        let bare = &secret.reveal()[12..];
        assert!(ScimSecret::parse(bare).is_err(), "the prefix is part of it");
        assert!(ScimSecret::parse("roster_scim_short").is_err());
    }

    #[test]
    fn passwords_need_twelve_characters_and_hash_as_argon2id() {
        assert!(NewPassword::parse("elevenchars").is_err());
        let password = NewPassword::parse("correct horse battery").unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(!format!("{password:?}").contains("horse"));
    }
}
