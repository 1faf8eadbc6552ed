use crate::error::InvalidValue;

/// Declares a trimmed, bounded, single-line text value.
macro_rules! bounded_text {
    ($(#[$meta:meta])* $ty:ident, $max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
                let s = raw.trim();
                if s.is_empty() {
                    return Err(InvalidValue::new("must not be blank"));
                }
                if s.chars().count() > Self::MAX_CHARS {
                    return Err(InvalidValue::new(format!(
                        "must be at most {} characters",
                        Self::MAX_CHARS
                    )));
                }
                if super::has_control(s) {
                    return Err(InvalidValue::new("must not contain control characters"));
                }
                Ok(Self(s.to_owned()))
            }
        }

        super::string_value!($ty);
    };
}

bounded_text!(
    /// A first or last name: trimmed, 1..=100 characters, no control characters.
    PersonName, 100
);
bounded_text!(
    /// An account's display name.
    AccountName, 100
);
bounded_text!(
    /// A group's name, unique in its account regardless of case.
    GroupName, 100
);
bounded_text!(
    /// A shift's name within its group.
    ShiftName, 100
);
bounded_text!(
    /// The id of the user in the company's HR system or identity provider: free text.
    ExternalId, 256
);
bounded_text!(
    /// What a SCIM token is for, as its creator named it (`okta`, `entra-prod`).
    TokenName, 100
);

/// A sign-in name, unique in the account regardless of case. Defaults to the email address.
#[derive(Debug, Clone)]
pub struct Username {
    original: String,
    key: String,
}

impl Username {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InvalidValue::new("must not be blank"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(InvalidValue::new(format!(
                "must be at most {} characters",
                Self::MAX_CHARS
            )));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(InvalidValue::new(
                "must not contain spaces or control characters",
            ));
        }
        Ok(Self {
            original: s.to_owned(),
            key: super::fold(s),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The case-folded form uniqueness is decided on.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl From<&super::Email> for Username {
    fn from(email: &super::Email) -> Self {
        Self {
            original: email.as_str().to_owned(),
            key: email.key().to_owned(),
        }
    }
}

impl PartialEq for Username {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Username {}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.original)
    }
}

impl serde::Serialize for Username {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.original)
    }
}

impl<'de> serde::Deserialize<'de> for Username {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ana ").unwrap().as_str(), "Ana");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(PersonName::parse(&"é".repeat(101)).is_err());
        assert!(PersonName::parse("Ana\nSilva").is_err());
    }

    #[test]
    fn usernames_compare_without_case() {
        let a = Username::parse("Ana.S").unwrap();
        assert_eq!(a, Username::parse("ana.s").unwrap());
        assert_eq!(a.as_str(), "Ana.S");
        assert!(Username::parse("ana s").is_err());
    }
}
