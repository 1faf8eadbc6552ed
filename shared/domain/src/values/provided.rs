//! What an identity provider sent of a provisioned user's emails and phone numbers (SCIM's
//! `emails` and `phoneNumbers`), kept as sent so that it reads them back unchanged. Roster's
//! own email and mobile contact method are taken from them; these are the provider's copy.

use serde::{Deserialize, Serialize};

use super::E164;
use crate::error::InvalidValue;

/// One value as sent: the value, and its `type`, `primary` and `display` if given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawValue")]
pub struct ProvidedValue {
    value: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    primary: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    display: Option<String>,
}

#[derive(Deserialize)]
struct RawValue {
    value: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    primary: Option<bool>,
    #[serde(default)]
    display: Option<String>,
}

impl TryFrom<RawValue> for ProvidedValue {
    type Error = InvalidValue;
    fn try_from(raw: RawValue) -> Result<Self, InvalidValue> {
        Self::parse(
            &raw.value,
            raw.kind.as_deref(),
            raw.primary,
            raw.display.as_deref(),
        )
    }
}

/// At most this many characters in each text, and no control characters.
const MAX_CHARS: usize = 256;

fn text(what: &str, raw: &str) -> Result<String, InvalidValue> {
    if raw.chars().count() > MAX_CHARS || super::has_control(raw) {
        return Err(InvalidValue::new(format!(
            "{what} must be at most {MAX_CHARS} characters, none of them control characters"
        )));
    }
    Ok(raw.to_owned())
}

impl ProvidedValue {
    pub fn parse(
        value: &str,
        kind: Option<&str>,
        primary: Option<bool>,
        display: Option<&str>,
    ) -> Result<Self, InvalidValue> {
        if value.trim().is_empty() {
            return Err(InvalidValue::new("a value must not be blank"));
        }
        Ok(Self {
            value: text("a value", value)?,
            kind: kind.map(|k| text("a type", k)).transpose()?,
            primary,
            display: display.map(|d| text("a display", d)).transpose()?,
        })
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    pub fn primary(&self) -> Option<bool> {
        self.primary
    }

    pub fn display(&self) -> Option<&str> {
        self.display.as_deref()
    }

    fn is(&self, kind: &str) -> bool {
        self.kind
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case(kind))
    }
}

/// A provisioned user's emails and phone numbers as the provider sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provided {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<ProvidedValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<ProvidedValue>,
}

impl Provided {
    /// At most this many of each.
    pub const MAX_VALUES: usize = 10;

    pub fn new(
        emails: Vec<ProvidedValue>,
        phone_numbers: Vec<ProvidedValue>,
    ) -> Result<Self, InvalidValue> {
        if emails.len() > Self::MAX_VALUES || phone_numbers.len() > Self::MAX_VALUES {
            return Err(InvalidValue::new(format!(
                "at most {} emails and {} phone numbers",
                Self::MAX_VALUES,
                Self::MAX_VALUES
            )));
        }
        Ok(Self {
            emails,
            phone_numbers,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.emails.is_empty() && self.phone_numbers.is_empty()
    }

    /// The email that is the user's: the primary one, else the `work` one, else the first.
    pub fn email(&self) -> Option<&ProvidedValue> {
        self.emails
            .iter()
            .find(|e| e.primary == Some(true))
            .or_else(|| self.emails.iter().find(|e| e.is("work")))
            .or_else(|| self.emails.first())
    }

    /// The number of `type` `mobile`, if one was sent.
    pub fn mobile(&self) -> Option<&ProvidedValue> {
        self.phone_numbers.iter().find(|p| p.is("mobile"))
    }

    /// The mobile number as the user's `phone-official-mobile` value (docs/scim.md): `None`
    /// when none was sent, an error when the one sent is no phone number.
    pub fn mobile_number(&self) -> Result<Option<E164>, InvalidValue> {
        self.mobile().map(|m| E164::parse(m.value())).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(v: &str, kind: Option<&str>, primary: Option<bool>) -> ProvidedValue {
        ProvidedValue::parse(v, kind, primary, None).unwrap()
    }

    #[test]
    fn the_users_email_is_the_primary_then_work_then_first() {
        let home = value("h@x.example", Some("home"), None);
        let work = value("w@x.example", Some("Work"), None);
        let main = value("m@x.example", None, Some(true));
        let all = Provided::new(vec![home.clone(), work.clone(), main.clone()], vec![]).unwrap();
        assert_eq!(all.email(), Some(&main));
        let two = Provided::new(vec![home.clone(), work.clone()], vec![]).unwrap();
        assert_eq!(two.email(), Some(&work));
        let one = Provided::new(vec![home.clone()], vec![]).unwrap();
        assert_eq!(one.email(), Some(&home));
    }

    #[test]
    fn values_are_kept_as_sent_within_bounds_and_read_back_through_the_same_checks() {
        let sent = value("5741511917", Some("86e714c4"), Some(false));
        let stored = serde_json::to_string(&sent).unwrap();
        assert_eq!(
            stored,
            r#"{"value":"5741511917","type":"86e714c4","primary":false}"#
        );
        assert_eq!(
            serde_json::from_str::<ProvidedValue>(&stored).unwrap(),
            sent
        );
        assert!(ProvidedValue::parse(" ", None, None, None).is_err());
        assert!(ProvidedValue::parse("a\u{7}b", None, None, None).is_err());
        assert!(ProvidedValue::parse(&"x".repeat(257), None, None, None).is_err());
        assert!(serde_json::from_str::<ProvidedValue>(r#"{"value":""}"#).is_err());
        let eleven = vec![value("a", None, None); 11];
        assert!(Provided::new(vec![], eleven).is_err());
    }
}
