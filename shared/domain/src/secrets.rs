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

/// A new password as typed: 12 to 128 characters, neither common nor guessable (zxcvbn's score
/// of at least 3 of 4, counting what is known of the person: their names, email and username).
/// `Debug` never shows it.
#[derive(Clone)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;
    /// zxcvbn's "safely unguessable" (about 10^8 guesses and more).
    const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

    /// The length rule alone: what can be said before the person is known.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(InvalidValue::new(format!(
                "must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if chars > Self::MAX_CHARS {
            return Err(InvalidValue::new(format!(
                "must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The strength rule, for the person whose password it becomes: refused with zxcvbn's reason
    /// ("This is a very common password", "Names and surnames by themselves are easy to guess")
    /// and its suggestion.
    pub fn strong_for(self, person: &[&str]) -> Result<Self, InvalidValue> {
        self.check_strength(person).map(|()| self)
    }

    /// [`NewPassword::strong_for`] without giving the password up.
    pub fn check_strength(&self, person: &[&str]) -> Result<(), InvalidValue> {
        let estimate = zxcvbn::zxcvbn(&self.0, person);
        if estimate.score() >= Self::MIN_SCORE {
            return Ok(());
        }
        let mut reason = String::from("is too easy to guess");
        if let Some(feedback) = estimate.feedback() {
            if let Some(warning) = feedback.warning() {
                reason = format!("is too easy to guess: {warning}");
            }
            if let Some(suggestion) = feedback.suggestions().first() {
                reason.push_str(&format!(" ({suggestion})"));
            }
        }
        Err(InvalidValue::new(reason))
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

/// A password as typed at sign-in, to be checked against a stored hash: any text up to a bound
/// that keeps a request from buying minutes of CPU. `Debug` never shows it.
pub struct PasswordAttempt(String);

impl PasswordAttempt {
    pub const MAX_BYTES: usize = 1024;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.is_empty() {
            return Err(InvalidValue::new("is required"));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(InvalidValue::new(format!(
                "must be at most {} bytes",
                Self::MAX_BYTES
            )));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Whether the attempt is the password `phc` (an Argon2id PHC string) was made from. As
    /// slow as hashing, by design: call it off the async threads. A hash that does not parse
    /// matches nothing.
    pub fn matches(&self, phc: &str) -> bool {
        use argon2::password_hash::PasswordVerifier;
        PasswordHash::new(phc).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(self.0.as_bytes(), &hash)
                .is_ok()
        })
    }

    /// Checks the attempt against a hash of nothing anyone knows, taking the time a real check
    /// takes: an unknown login answers as late as a wrong password.
    pub fn match_nothing(&self) {
        static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            NewPassword(random_secret())
                .hash()
                .expect("hashing a random secret")
        });
        let _ = self.matches(&DUMMY);
    }
}

impl std::fmt::Debug for PasswordAttempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordAttempt(…)")
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
    fn passwords_need_twelve_to_128_characters_and_hash_as_argon2id() {
        assert!(NewPassword::parse("elevenchars").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(
            NewPassword::parse(&"é".repeat(128)).is_ok(),
            "characters, not bytes"
        );
        let password = NewPassword::parse("correct horse battery").unwrap();
        let hash = password.hash().unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(!format!("{password:?}").contains("horse"));
        let attempt = PasswordAttempt::parse("correct horse battery").unwrap();
        assert!(attempt.matches(&hash));
        assert!(
            !PasswordAttempt::parse("correct horse batterY")
                .unwrap()
                .matches(&hash)
        );
        assert!(!attempt.matches("not a hash"));
        assert!(!format!("{attempt:?}").contains("horse"));
    }

    #[test]
    fn common_and_personal_passwords_are_refused_with_the_reason() {
        let common = NewPassword::parse("password1234").unwrap().strong_for(&[]);
        let reason = common.unwrap_err().to_string();
        assert!(reason.contains("too easy to guess"), "{reason}");
        assert!(reason.to_lowercase().contains("common"), "{reason}");
        let own_email = || NewPassword::parse("ana.silva@acme.example").unwrap();
        assert!(own_email().strong_for(&[]).is_ok(), "strong for a stranger");
        let personal = own_email().strong_for(&["Ana", "Silva", "ana.silva@acme.example"]);
        assert!(personal.is_err(), "weak as the person's own email");
        assert!(
            NewPassword::parse("plum-orbit-canvas-94")
                .unwrap()
                .strong_for(&["Ana", "Silva"])
                .is_ok()
        );
    }
}
