use crate::error::InvalidValue;

/// A phone number in E.164 form (`+14045550101`), checked against libphonenumber's metadata for
/// its country. Any common formatting is accepted on input and dropped: `+1 (404) 555-0101` is
/// stored as `+14045550101`. The number must start with `+` and its country code: there is no
/// default country to guess from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct E164(String);

impl E164 {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        if !raw.starts_with('+') {
            return Err(InvalidValue::new(
                "must start with + and the country code, like +1 404 555 0101",
            ));
        }
        // libphonenumber reads letters as keypad digits (vanity numbers); here a letter is far
        // more likely an O typed for a 0, so only digits and punctuation pass.
        let allowed =
            |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')');
        if !raw.chars().all(allowed) {
            return Err(InvalidValue::new(
                "may hold only digits, spaces and + - . ( )",
            ));
        }
        let number = phonenumber::parse(None, raw)
            .ok()
            .filter(phonenumber::is_valid)
            .ok_or_else(|| InvalidValue::new("is not a valid phone number for its country"))?;
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
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
            E164::parse("+44 20 7946 0018").unwrap().as_str(),
            "+442079460018"
        );
        assert_eq!(
            E164::parse("+351 912 345 678").unwrap().as_str(),
            "+351912345678"
        );
        assert_eq!(
            E164::parse("+82 10-5555-0199").unwrap().as_str(),
            "+821055550199"
        );
    }

    #[test]
    fn refuses_what_is_not_a_valid_international_number() {
        for bad in [
            "4045550101",
            "+1 404 555 01",
            "+0123456789",
            "+1234567890123456",
            "+1404555O101",
            "",
            "+",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
