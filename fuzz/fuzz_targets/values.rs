//! The value parsers every input goes through: email, phone (E.164), role, contact method and
//! its value, username, time zone, locale, a shift's local start and a calendar date. None may
//! panic, and what one accepts it must accept
//! again as it writes it (normalising is idempotent: a stored value reads back as itself).

#![no_main]

use std::fmt::{Debug, Display};

use libfuzzer_sys::fuzz_target;
use roster_domain::error::InvalidValue;
use roster_domain::values::{
    ContactMethodKind, ContactValue, E164, Email, Locale, Role, TimeZoneName, Username, parse_date,
    parse_local,
};

fn stable<T: PartialEq + Debug + Display>(parse: fn(&str) -> Result<T, InvalidValue>, raw: &str) {
    if let Ok(value) = parse(raw) {
        let written = value.to_string();
        assert_eq!(
            parse(&written).as_ref(),
            Ok(&value),
            "{raw:?} → {written:?}"
        );
    }
}

fuzz_target!(|raw: &str| {
    stable(Email::parse, raw);
    stable(E164::parse, raw);
    stable(Role::parse, raw);
    stable(ContactMethodKind::parse, raw);
    stable(Username::parse, raw);
    stable(TimeZoneName::parse, raw);
    stable(Locale::parse, raw);
    stable(parse_date, raw);
    // A start read in a zone is a local time, which reads back as itself in that zone.
    for zone in ["UTC", "America/New_York", "Australia/Lord_Howe"] {
        let zone = TimeZoneName::parse(zone).unwrap();
        if let Ok(local) = parse_local(raw, &zone) {
            let written = local.to_string();
            assert_eq!(
                parse_local(&written, &zone),
                Ok(local),
                "{raw:?} → {written:?}"
            );
        }
    }
    for &kind in ContactMethodKind::ALL {
        if let Ok(value) = ContactValue::parse_for(kind, raw) {
            let written = value.as_str().to_owned();
            assert_eq!(
                ContactValue::parse_for(kind, &written).as_ref(),
                Ok(&value),
                "{kind}: {raw:?} → {written:?}"
            );
        }
    }
});
