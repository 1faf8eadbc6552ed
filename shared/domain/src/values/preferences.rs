use serde::{Deserialize, Serialize};

use super::named::named_enum;
use crate::error::InvalidValue;

/// An IANA time zone name known to the bundled tz database (`America/New_York`, `UTC`), with
/// the zone itself, looked up once when parsed: shifts resolve many instants in their zone.
#[derive(Debug, Clone)]
pub struct TimeZoneName(String, jiff::tz::TimeZone);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let name = raw.trim();
        match jiff::tz::TimeZone::get(name) {
            Ok(zone) if !name.is_empty() => Ok(Self(name.to_owned(), zone)),
            _ => Err(InvalidValue::new(format!(
                "{name:?} is not an IANA time zone name (like America/New_York)"
            ))),
        }
    }

    pub fn utc() -> Self {
        Self("UTC".to_owned(), jiff::tz::TimeZone::UTC)
    }

    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.1
    }
}

// A zone is its name: two values with one name are the same zone.
impl PartialEq for TimeZoneName {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for TimeZoneName {}

impl std::hash::Hash for TimeZoneName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

super::string_value!(TimeZoneName);

/// A BCP 47 language tag of the simple form the product offers: `en`, `en-US`, `pt-BR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Locale(String);

impl Locale {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let (lang, region) = match s.split_once(['-', '_']) {
            Some((l, r)) => (l, Some(r)),
            None => (s, None),
        };
        let lang_ok =
            (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_alphabetic());
        let region_ok =
            region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()));
        if !lang_ok || !region_ok {
            return Err(InvalidValue::new(format!(
                "{s:?} is not a locale like en-US"
            )));
        }
        Ok(Self(match region {
            Some(r) => format!("{}-{}", lang.to_ascii_lowercase(), r.to_ascii_uppercase()),
            None => lang.to_ascii_lowercase(),
        }))
    }

    pub fn en_us() -> Self {
        Self("en-US".to_owned())
    }
}

super::string_value!(Locale);

named_enum! {
    pub enum Theme {
        Light = ("light", "Light"),
        Dark = ("dark", "Dark"),
    }
}

/// How a user sees the product: time zone (also for calendar export), locale and theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub time_zone: TimeZoneName,
    pub locale: Locale,
    pub theme: Theme,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            time_zone: TimeZoneName::utc(),
            locale: Locale::en_us(),
            theme: Theme::Light,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_come_from_the_tz_database() {
        assert!(TimeZoneName::parse("America/New_York").is_ok());
        assert!(TimeZoneName::parse("UTC").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus_Mons").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn locales_are_normalised() {
        assert_eq!(Locale::parse("pt_br").unwrap().as_str(), "pt-BR");
        assert_eq!(Locale::parse("en").unwrap().as_str(), "en");
        assert!(Locale::parse("english").is_err());
        assert!(Locale::parse("en-USA").is_err());
    }
}
