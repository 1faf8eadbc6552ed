use std::hash::{Hash, Hasher};

use email_address::{EmailAddress, Options};

use crate::error::InvalidValue;

/// An email address. Identity is case-insensitive (`Ana@Acme.example` and `ana@acme.example` are
/// the same person); the spelling the person typed is kept for display and for sending.
#[derive(Debug, Clone)]
pub struct Email {
    original: String,
    key: String,
}

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.len() > Self::MAX_LEN {
            return Err(InvalidValue::new(format!(
                "must be at most {} characters",
                Self::MAX_LEN
            )));
        }
        // A bare address with a dotted domain: no "Name <addr>" forms, no IP literals.
        let options = Options::default()
            .with_required_tld()
            .without_domain_literal()
            .without_display_text();
        EmailAddress::parse_with_options(s, options)
            .map_err(|_| InvalidValue::new("is not a valid email address"))?;
        Ok(Self {
            original: s.to_owned(),
            key: super::fold(s),
        })
    }

    /// The address as the person typed it.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The case-folded form that identity and uniqueness are decided on.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl PartialEq for Email {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Email {}

impl Hash for Email {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.original)
    }
}

impl serde::Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.original)
    }
}

impl<'de> serde::Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_ignores_case_but_spelling_is_kept() {
        let a = Email::parse(" Ana.Silva@Acme.Example ").unwrap();
        let b = Email::parse("ana.silva@acme.example").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "Ana.Silva@Acme.Example");
        assert_eq!(a.key(), "ana.silva@acme.example");
    }

    #[test]
    fn refuses_what_is_not_a_bare_address() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@acme.example",
            "ana@acme",
            "Ana <ana@acme.example>",
            "ana@[10.0.0.1]",
            "ana silva@acme.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@acme.example", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
