use crate::error::InvalidValue;

/// An account's id: a lowercase slug (`acme`, `acme-eu-2`), 1..=63 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(String);

impl AccountId {
    pub const MAX_LEN: usize = 63;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let valid_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(InvalidValue::new(format!(
                "must be 1 to {} characters",
                Self::MAX_LEN
            )));
        }
        if !valid_chars || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(InvalidValue::new(
                "must be a lowercase slug: letters a-z, digits and single hyphens inside",
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

super::string_value!(AccountId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_slugs_and_refuses_the_rest() {
        assert_eq!(
            AccountId::parse(" acme-eu-2 ").unwrap().as_str(),
            "acme-eu-2"
        );
        for bad in [
            "",
            "Acme",
            "acme_corp",
            "-acme",
            "acme-",
            "ac--me",
            "acmé",
            &"a".repeat(64),
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
