use crate::error::InvalidValue;

/// A phone number in E.164 form: `+` then 8..=15 digits, the first not zero. Common formatting
/// (spaces, dashes, dots, parentheses) is accepted on input and dropped: `+1 (404) 555-0101` is
/// stored as `+14045550101`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164(String);

impl E164 {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}'))
            .collect();
        let invalid = || {
            InvalidValue::new(
                "is not a phone number in international form: + and country code, 8 to 15 digits",
            )
        };
        let digits = compact.strip_prefix('+').ok_or_else(invalid)?;
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !ok {
            return Err(invalid());
        }
        Ok(Self(compact))
    }
}

super::string_value!(E164);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_formatting() {
        assert_eq!(
            E164::parse("+1 (404) 555-0101").unwrap().as_str(),
            "+14045550101"
        );
        assert_eq!(
            E164::parse("+44 20.7946.0018").unwrap().as_str(),
            "+442079460018"
        );
    }

    #[test]
    fn refuses_non_e164() {
        for bad in [
            "4045550101",
            "+0123456789",
            "+1234567",
            "+1234567890123456",
            "+1404555O101",
            "",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
