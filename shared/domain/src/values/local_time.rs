//! Times in a time zone, as people type them and as people read them.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::fmt::temporal::{Pieces, PiecesOffset};

use super::TimeZoneName;
use crate::error::InvalidValue;

/// A local date-time in `zone`, from either form SPEC.md §6 accepts for a shift's start:
/// - a local date-time without an offset (`2026-03-01T09:00`), read in `zone`;
/// - RFC 3339 with an offset (`2026-03-01T09:00:00-05:00`), which must be `zone`'s offset at
///   that instant. `Z` (and `-00:00`) name an instant whose local offset is not stated
///   (RFC 9557): it is read in `zone` whatever the zone.
pub fn parse_local(raw: &str, zone: &TimeZoneName) -> Result<DateTime, InvalidValue> {
    let text = raw.trim();
    let shape = || {
        InvalidValue::new(format!(
            "{text:?} is not a date and time like 2026-03-01T09:00 (in the time zone) or \
             2026-03-01T09:00:00-05:00"
        ))
    };
    if !written_as_documented(text) {
        return Err(shape());
    }
    let pieces = Pieces::parse(text).map_err(|_| shape())?;
    let time = pieces.time().ok_or_else(shape)?;
    if pieces.time_zone_annotation().is_some() {
        return Err(InvalidValue::new(
            "gives its time zone in brackets; put the zone in time_zone instead",
        ));
    }
    let local = pieces.date().to_datetime(time);
    let tz = zone.time_zone();
    let in_range = |local: DateTime| {
        if (2000..=9999).contains(&local.year()) {
            Ok(local)
        } else {
            Err(InvalidValue::new("must be in the years 2000 to 9999"))
        }
    };
    let instant_in_zone = |offset: jiff::tz::Offset| {
        offset
            .to_timestamp(local)
            .map(|at| tz.to_datetime(at))
            .map_err(|_| shape())
            .and_then(in_range)
    };
    match pieces.offset() {
        None => in_range(local),
        Some(PiecesOffset::Zulu) => instant_in_zone(jiff::tz::Offset::UTC),
        Some(PiecesOffset::Numeric(n)) if n.is_negative() && n.offset().seconds() == 0 => {
            instant_in_zone(jiff::tz::Offset::UTC)
        }
        Some(PiecesOffset::Numeric(n)) => {
            let at = n.offset().to_timestamp(local).map_err(|_| shape())?;
            let actual = tz.to_offset(at);
            if actual == n.offset() {
                in_range(local)
            } else {
                Err(InvalidValue::new(format!(
                    "has offset {}, but {zone} is at {actual} then; give the zone's offset or \
                     leave the offset out",
                    n.offset()
                )))
            }
        }
        // `PiecesOffset` may grow forms; none is accepted before it is understood here.
        Some(_) => Err(shape()),
    }
}

/// A calendar date written `YYYY-MM-DD`, and only so.
pub fn parse_date(raw: &str) -> Result<jiff::civil::Date, InvalidValue> {
    let text = raw.trim();
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then(|| jiff::civil::Date::strptime("%Y-%m-%d", text).ok())
        .flatten()
        .ok_or_else(|| InvalidValue::new(format!("must be a date like 2027-03-01, not {text:?}")))
}

/// Whether `text` has the one shape the API documents (`openapi.yaml`, `ShiftStart`):
/// `YYYY-MM-DDTHH:MM[:SS[.fraction]]` then `Z`, `±HH:MM`, `±HHMM` or nothing. jiff reads more
/// (basic ISO 8601, hour-only times, bracketed zones); the API accepts exactly what it says.
fn written_as_documented(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(digits(0..4)
        && at(4, b"-")
        && digits(5..7)
        && at(7, b"-")
        && digits(8..10)
        && at(10, b"Tt ")
        && digits(11..13)
        && at(13, b":")
        && digits(14..16))
    {
        return false;
    }
    let mut i = 16;
    if at(i, b":") {
        if !digits(i + 1..i + 3) {
            return false;
        }
        i += 3;
        if at(i, b".") {
            let fraction = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if fraction == 0 {
                return false;
            }
            i += 1 + fraction;
        }
    }
    match &b[i..] {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] | [b'+' | b'-', h1, h2, m1, m2] => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// An instant as RFC 3339 with `zone`'s offset at that instant: `2026-07-01T09:00:00-04:00`.
pub fn with_offset(at: Timestamp, zone: &TimeZoneName) -> String {
    at.display_with_offset(zone.time_zone().to_offset(at))
        .to_string()
}

/// An instant as people read it in their own zone: `Mon 1 Mar 2027 09:00 EST`.
pub fn for_people(at: Timestamp, zone: &TimeZoneName) -> String {
    at.to_zoned_datetime(zone.time_zone().clone())
        .strftime("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// An instant as a person reads it in their zone and locale: US order and a 12-hour clock for
/// `en-US` and `en` (`Mon, Mar 15, 2027, 9:00 AM EDT`), day first and a 24-hour clock for every
/// other locale (`Mon 15 Mar 2027 09:00 CET`). Names stay English: messages are in English.
pub fn for_people_in(at: Timestamp, zone: &TimeZoneName, locale: &super::Locale) -> String {
    match locale.as_str() {
        "en-US" | "en" => at
            .to_zoned_datetime(zone.time_zone().clone())
            .strftime("%a, %b %-d, %Y, %-I:%M %p %Z")
            .to_string(),
        _ => for_people(at, zone),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).unwrap()
    }

    #[test]
    fn people_read_times_in_their_zone_and_their_locales_order_and_clock() {
        let at: Timestamp = "2027-03-15T13:00:00Z".parse().unwrap();
        let locale = |tag: &str| super::super::Locale::parse(tag).unwrap();
        assert_eq!(
            for_people_in(at, &zone("America/New_York"), &locale("en-US")),
            "Mon, Mar 15, 2027, 9:00 AM EDT"
        );
        assert_eq!(
            for_people_in(at, &zone("Europe/Lisbon"), &locale("pt-PT")),
            "Mon 15 Mar 2027 13:00 WET"
        );
        assert_eq!(
            for_people_in(at, &zone("Europe/Berlin"), &locale("en-GB")),
            "Mon 15 Mar 2027 14:00 CET"
        );
    }

    #[test]
    fn a_local_time_is_read_in_the_zone_and_an_offset_must_be_the_zones() {
        let ny = zone("America/New_York");
        let nine: DateTime = "2026-07-01T09:00".parse().unwrap();
        assert_eq!(parse_local("2026-07-01T09:00", &ny).unwrap(), nine);
        assert_eq!(parse_local(" 2026-07-01T09:00:00 ", &ny).unwrap(), nine);
        assert_eq!(parse_local("2026-07-01T09:00:00-04:00", &ny).unwrap(), nine);
        assert_eq!(parse_local("2026-07-01t09:00-0400", &ny).unwrap(), nine);
        assert_eq!(parse_local("2026-07-01 09:00:00.000", &ny).unwrap(), nine);
        let wrong = parse_local("2026-07-01T09:00:00-05:00", &ny).unwrap_err();
        assert!(
            wrong.to_string().contains("-04"),
            "names the zone's offset: {wrong}"
        );
        // Z names an instant; it is read in the zone.
        assert_eq!(parse_local("2026-07-01T13:00:00Z", &ny).unwrap(), nine);
        assert_eq!(parse_local("2026-07-01T13:00:00-00:00", &ny).unwrap(), nine);
        // +00:00 claims the offset is zero, which New York's never is.
        assert!(parse_local("2026-07-01T13:00:00+00:00", &ny).is_err());
        assert!(parse_local("2026-07-01T13:00:00+00:00", &zone("UTC")).is_ok());
        let kolkata = zone("Asia/Kolkata");
        assert!(parse_local("2026-07-01T09:00:00+05:30", &kolkata).is_ok());
        for bad in [
            "2026-07-01",
            "20260701T0900",
            "2026-07-01T09",
            "2026-07-01T09:00:00.",
            "2026-07-01T09:00-04",
            "09:00",
            "tomorrow",
            "",
            "2026-07-01T09:00-04:00[America/New_York]",
            "2026-02-30T09:00",
            "1999-12-31T09:00",
            "0000-01-01T00:00Z",
        ] {
            assert!(parse_local(bad, &ny).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_year_month_day_and_real() {
        assert_eq!(
            parse_date("2027-03-01").unwrap(),
            jiff::civil::date(2027, 3, 1)
        );
        for bad in [
            "2027-3-1",
            "20270301",
            "2027-02-30",
            "2027-03-01T00:00",
            "",
            "+02027-03-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_are_shown_with_the_zones_offset_and_for_people_with_its_abbreviation() {
        let ny = zone("America/New_York");
        let at: Timestamp = "2027-01-04T14:00:00Z".parse().unwrap();
        assert_eq!(with_offset(at, &ny), "2027-01-04T09:00:00-05:00");
        assert_eq!(with_offset(at, &zone("UTC")), "2027-01-04T14:00:00+00:00");
        assert_eq!(for_people(at, &ny), "Mon 4 Jan 2027 09:00 EST");
    }
}
