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

    /// A number read back from the store, where only [`E164::parse`] put it: its E.164 form is
    /// checked, not its country's numbering plan again. Reading a user must not load
    /// libphonenumber's metadata (tens of milliseconds of a cold function's first request), nor
    /// turn a stored user unreadable when a newer release of that metadata retires a range.
    pub(crate) fn stored(raw: &str) -> Result<Self, InvalidValue> {
        let digits = raw.strip_prefix('+').unwrap_or_default();
        let e164 = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if e164 {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::new("is not a phone number in E.164 form"))
        }
    }
}

// serde is the store's form: what it reads back was parsed on the way in.
super::string_value!(E164, stored);

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

    #[test]
    fn a_stored_number_is_read_back_by_its_form_alone() {
        let parsed = E164::parse("+351 912 345 678").unwrap();
        let json = serde_json::to_string(&parsed).unwrap();
        assert_eq!(serde_json::from_str::<E164>(&json).unwrap(), parsed);
        // A number libphonenumber no longer knows is still readable once stored...
        assert_eq!(E164::stored("+1555").unwrap().as_str(), "+1555");
        assert!(E164::parse("+1555").is_err());
        // ...but what is not E.164 at all is not.
        for bad in [
            "",
            "+",
            "+0123",
            "14045550101",
            "+1 404",
            "+1234567890123456",
        ] {
            assert!(E164::stored(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
