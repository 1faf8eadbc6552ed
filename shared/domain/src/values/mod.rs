//! Value types that cannot hold invalid data: each is built only by its `parse`, and serde goes
//! through the same `parse`, so a stored or received value is checked exactly like typed input.

mod account_id;
mod contact;
mod email;
mod local_time;
pub(crate) mod named;
mod names;
mod phone;
mod preferences;
mod provided;
mod reminder;
mod role;
mod user_id;
mod user_type;

pub use account_id::AccountId;
pub use contact::{ContactMethodKind, ContactValue, Platform, Retries, ValueShape, WaitMinutes};
pub use email::Email;
pub use local_time::{for_people, for_people_in, parse_date, parse_local, with_offset};
pub use names::{AccountName, ExternalId, GroupName, PersonName, ShiftName, TokenName, Username};
pub use phone::E164;
pub use preferences::{Locale, Preferences, Theme, TimeZoneName};
pub use provided::{Provided, ProvidedValue};
pub use reminder::{Reminder, ReminderUnit, Reminders};
pub use role::{Role, Roles};
pub use user_id::{GroupId, ScimTokenId, ShiftId, UserId};
pub use user_type::UserType;

/// Implements `Display`, `as_str`, and serde as a plain string parsed by `Self::parse` (or by
/// the constructor named second).
macro_rules! string_value {
    ($ty:ident) => {
        $crate::values::string_value!($ty, parse);
    };
    ($ty:ident, $read:ident) => {
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::$read(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_value;

/// Lower-cases for case-insensitive identity (emails, usernames, role names).
pub(crate) fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// True when `s` holds a control character (newlines, NUL, escapes): never valid in a name.
pub(crate) fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}
