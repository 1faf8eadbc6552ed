use super::named::named_enum;
use super::{E164, Email};
use crate::error::InvalidValue;

named_enum! {
    /// A kind of contact method. A user has at most one of each kind.
    pub enum ContactMethodKind {
        /// Mirrors the account email; created with the user, never added or removed by hand.
        EmailOfficial = ("email-official", "Email-Official"),
        EmailOfficialSmsGateway = ("email-official-sms-gateway", "Email-Official-SMS Gateway"),
        EmailPersonal = ("email-personal", "Email-Personal"),
        EmailPersonalSmsGateway = ("email-personal-sms-gateway", "Email-Personal-SMS Gateway"),
        PhoneOfficialMobile = ("phone-official-mobile", "Phone-Official-Mobile"),
        PhonePersonal = ("phone-personal", "Phone-Personal"),
        PhonePersonalMobile = ("phone-personal-mobile", "Phone-Personal-Mobile"),
        SmsPersonal = ("sms-personal", "SMS-Personal"),
        /// Added by the mobile app when it registers a device; never through add-contact or YAML.
        Push = ("push", "Push"),
    }
}

named_enum! {
    /// The mobile platform a push device token belongs to.
    pub enum Platform {
        Ios = ("ios", "iOS"),
        Android = ("android", "Android"),
    }
}

/// What a contact method's value must be, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueShape {
    /// Follows the user's account email; carries no value of its own.
    AccountEmail,
    Email,
    Phone,
    DeviceToken,
}

impl ContactMethodKind {
    /// The kinds an admin or the user may add by hand (the "Select Contact Method" list).
    pub fn addable() -> impl Iterator<Item = Self> {
        Self::ALL.iter().copied().filter(|k| k.is_addable())
    }

    pub const fn is_addable(self) -> bool {
        !matches!(self, Self::EmailOfficial | Self::Push)
    }

    pub const fn value_shape(self) -> ValueShape {
        match self {
            Self::EmailOfficial => ValueShape::AccountEmail,
            Self::EmailOfficialSmsGateway | Self::EmailPersonal | Self::EmailPersonalSmsGateway => {
                ValueShape::Email
            }
            Self::PhoneOfficialMobile
            | Self::PhonePersonal
            | Self::PhonePersonalMobile
            | Self::SmsPersonal => ValueShape::Phone,
            Self::Push => ValueShape::DeviceToken,
        }
    }
}

/// A contact method's value, validated for its kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum ContactValue {
    Email(Email),
    Phone(E164),
    DeviceToken(String),
}

impl ContactValue {
    pub const MAX_DEVICE_TOKEN: usize = 4096;

    /// Parses `raw` as the value a method of `kind` needs. `email-official` has no value of its
    /// own, so any value given for it is refused.
    pub fn parse_for(kind: ContactMethodKind, raw: &str) -> Result<Self, InvalidValue> {
        Self::read_for(kind, raw, E164::parse)
    }

    /// A value read back from the store, where only [`ContactValue::parse_for`] put it: a phone
    /// number's form is checked, not its numbering plan again (see [`E164::stored`]).
    pub(crate) fn stored_for(kind: ContactMethodKind, raw: &str) -> Result<Self, InvalidValue> {
        Self::read_for(kind, raw, E164::stored)
    }

    fn read_for(
        kind: ContactMethodKind,
        raw: &str,
        phone: fn(&str) -> Result<E164, InvalidValue>,
    ) -> Result<Self, InvalidValue> {
        match kind.value_shape() {
            ValueShape::AccountEmail => Err(InvalidValue::new(
                "cannot be set: email-official always follows the account email",
            )),
            ValueShape::Email => Email::parse(raw).map(Self::Email),
            ValueShape::Phone => phone(raw).map(Self::Phone),
            ValueShape::DeviceToken => {
                let token = raw.trim();
                if token.is_empty()
                    || token.chars().count() > Self::MAX_DEVICE_TOKEN
                    || super::has_control(token)
                {
                    return Err(InvalidValue::new(format!(
                        "must be a device token of 1 to {} printable characters",
                        Self::MAX_DEVICE_TOKEN
                    )));
                }
                Ok(Self::DeviceToken(token.to_owned()))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(e) => e.as_str(),
            Self::Phone(p) => p.as_str(),
            Self::DeviceToken(t) => t,
        }
    }
}

/// Declares a small bounded integer setting of a contact method.
macro_rules! bounded {
    ($(#[$meta:meta])* $ty:ident, $max:literal, $unit:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(u8);

        impl $ty {
            pub const MAX: u8 = $max;

            pub fn new(n: i64) -> Result<Self, InvalidValue> {
                u8::try_from(n)
                    .ok()
                    .filter(|n| *n <= Self::MAX)
                    .map(Self)
                    .ok_or_else(|| {
                        InvalidValue::new(format!("must be 0 to {} {}", Self::MAX, $unit))
                    })
            }

            pub const fn get(self) -> u8 {
                self.0
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u8(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

bounded!(
    /// Minutes to wait for an acknowledgement before moving on to the next method: 0..=60.
    WaitMinutes, 60, "minutes"
);
bounded!(
    /// How many times a method is retried before moving on: 0..=10.
    Retries, 10, "retries"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_token_is_bounded_in_characters_as_its_message_says() {
        let push = ContactMethodKind::parse("push").unwrap();
        let wide = "é".repeat(ContactValue::MAX_DEVICE_TOKEN);
        assert!(
            ContactValue::parse_for(push, &wide).is_ok(),
            "4096 two-byte characters"
        );
        assert!(ContactValue::parse_for(push, &format!("{wide}é")).is_err());
        assert!(ContactValue::parse_for(push, " \t ").is_err());
        assert!(ContactValue::parse_for(push, "ab\u{7}c").is_err());
    }

    #[test]
    fn every_kind_parses_by_id_and_display_name() {
        for kind in ContactMethodKind::ALL {
            assert_eq!(ContactMethodKind::parse(kind.id()).unwrap(), *kind);
            assert_eq!(
                ContactMethodKind::parse(&kind.display_name().to_uppercase()).unwrap(),
                *kind
            );
        }
    }

    #[test]
    fn seven_kinds_are_addable_and_push_is_not() {
        let addable: Vec<_> = ContactMethodKind::addable().collect();
        assert_eq!(addable.len(), 7);
        assert!(!addable.contains(&ContactMethodKind::Push));
        assert!(!addable.contains(&ContactMethodKind::EmailOfficial));
    }

    #[test]
    fn values_are_validated_per_kind() {
        use ContactMethodKind::*;
        assert!(ContactValue::parse_for(EmailPersonal, "ana@home.example").is_ok());
        assert!(ContactValue::parse_for(EmailPersonal, "+14045550101").is_err());
        assert_eq!(
            ContactValue::parse_for(SmsPersonal, "+1 (404) 555-0101")
                .unwrap()
                .as_str(),
            "+14045550101"
        );
        assert!(ContactValue::parse_for(PhonePersonal, "ana@home.example").is_err());
        assert!(ContactValue::parse_for(EmailOfficial, "ana@acme.example").is_err());
        assert!(ContactValue::parse_for(Push, "").is_err());
    }

    #[test]
    fn wait_and_retries_are_bounded() {
        assert_eq!(WaitMinutes::new(60).unwrap().get(), 60);
        assert!(WaitMinutes::new(61).is_err());
        assert!(WaitMinutes::new(-1).is_err());
        assert_eq!(Retries::new(10).unwrap().get(), 10);
        assert!(Retries::new(11).is_err());
    }
}
