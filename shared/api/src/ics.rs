//! A schedule as iCalendar (RFC 5545): events through the `icalendar` crate, in the reader's
//! time zone (`DTSTART;TZID=…`), with the `VTIMEZONE` that zone reference needs built from the
//! tz database. (`icalendar` models `TZID` references but not the `VTIMEZONE` component itself,
//! so that block is written here and placed before the events.)
//!
//! The `VTIMEZONE` lists the observance in force at the start of the calendar's span and then
//! every transition within it, each with its exact local start and offsets — no `RRULE` — so a
//! client that trusts the file rather than its own tz database computes the same instants for
//! every event, across DST changes in either hemisphere.

use chrono::NaiveDate;
use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use roster_domain::oncall::Unreachable;
use roster_domain::usecases::{Schedule, ScheduledShift};

pub fn render(schedule: &Schedule) -> String {
    let tzid = schedule.user.preferences.time_zone.as_str();
    let tz = schedule.user.preferences.time_zone.time_zone();
    let mut calendar = Calendar::new();
    calendar.name(&format!(
        "On call: {} {}",
        schedule.user.first_name, schedule.user.last_name
    ));
    calendar.timezone(tzid);
    let stamp =
        chrono::DateTime::from_timestamp(schedule.generated_at.as_second(), 0).unwrap_or_default();
    for shift in &schedule.shifts {
        let event = icalendar::Event::new()
            .uid(&shift.uid)
            .summary(&summary(shift))
            .timestamp(stamp)
            .starts(local(tz, tzid, shift.starts_at))
            .ends(local(tz, tzid, shift.ends_at))
            .done();
        calendar.push(event);
    }
    let text = calendar.done().to_string();
    // Events may start before the window (an occurrence under way) or end after it.
    let from = schedule
        .shifts
        .iter()
        .map(|s| s.starts_at)
        .fold(schedule.from, Timestamp::min);
    let to = schedule
        .shifts
        .iter()
        .map(|s| s.ends_at)
        .fold(schedule.to, Timestamp::max);
    let vtimezone = vtimezone(tz, tzid, from, to);
    // The zone goes before the first event, or before the end when there is none.
    let at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    format!("{}{vtimezone}{}", &text[..at], &text[at..])
}

/// What the event says: the shift and group, whom the reader covers for, and why they will not
/// be paged when they will not.
fn summary(shift: &ScheduledShift) -> String {
    let what = format!("{} ({})", shift.shift, shift.group);
    let base = match &shift.covering_for {
        Some(name) => format!("Covering for {name}: {what}"),
        None => format!("On call: {what}"),
    };
    match shift.unreachable {
        None => base,
        Some(Unreachable::Deactivated) => format!("{base} [deactivated: not paged]"),
        Some(Unreachable::OutOfOffice) => format!("{base} [out of office, nobody covers]"),
        Some(Unreachable::CoverUnavailable) => {
            format!("{base} [out of office, the cover cannot be reached]")
        }
    }
}

fn local(tz: &TimeZone, tzid: &str, at: Timestamp) -> CalendarDateTime {
    let civil = tz.to_datetime(at);
    let naive = NaiveDate::from_ymd_opt(
        i32::from(civil.year()),
        u32::from(civil.month().unsigned_abs()),
        u32::from(civil.day().unsigned_abs()),
    )
    .and_then(|d| {
        d.and_hms_opt(
            u32::from(civil.hour().unsigned_abs()),
            u32::from(civil.minute().unsigned_abs()),
            u32::from(civil.second().unsigned_abs()),
        )
    })
    .unwrap_or_default();
    CalendarDateTime::WithTimezone {
        date_time: naive,
        tzid: tzid.to_owned(),
    }
}

/// `+HHMM` / `-HHMM`, as `TZOFFSETFROM` / `TZOFFSETTO` want it.
fn ical_offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The zone's observances for `[from, to]`: the one in force at `from`, then each transition.
fn vtimezone(tz: &TimeZone, tzid: &str, from: Timestamp, to: Timestamp) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n");
    let start = tz.to_offset_info(from);
    let kind = |dst: bool| if dst { "DAYLIGHT" } else { "STANDARD" };
    let initial = ical_offset(start.offset());
    out.push_str(&format!(
        "BEGIN:{k}\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:{initial}\r\nTZOFFSETTO:{initial}\r\nTZNAME:{}\r\nEND:{k}\r\n",
        start.abbreviation(),
        k = kind(start.dst().is_dst()),
    ));
    let mut before = start.offset();
    for transition in tz.following(from).take_while(|t| t.timestamp() <= to) {
        // DTSTART is the local time of the change, read in the offset before it.
        let local = before.to_datetime(transition.timestamp());
        out.push_str(&format!(
            "BEGIN:{k}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nTZNAME:{}\r\nEND:{k}\r\n",
            local.strftime("%Y%m%dT%H%M%S"),
            ical_offset(before),
            ical_offset(transition.offset()),
            transition.abbreviation(),
            k = kind(transition.dst().is_dst()),
        ));
        before = transition.offset();
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}
