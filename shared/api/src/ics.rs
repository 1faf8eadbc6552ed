//! A schedule as iCalendar (RFC 5545): events through the `icalendar` crate, in the user's time
//! zone (`DTSTART;TZID=…`), with the `VTIMEZONE` that zone reference needs built from the tz
//! database for the schedule's window. (`icalendar` models `TZID` references but not the
//! `VTIMEZONE` component itself, so that block is written here and placed before the events.)

use chrono::NaiveDate;
use icalendar::{Calendar, CalendarDateTime, Component, EventLike};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use roster_domain::usecases::Schedule;

pub fn render(schedule: &Schedule) -> String {
    let tzid = schedule.user.preferences.time_zone.as_str();
    let tz = schedule.user.preferences.time_zone.time_zone();
    let mut calendar = Calendar::new();
    calendar.name(&format!(
        "On call: {} {}",
        schedule.user.first_name, schedule.user.last_name
    ));
    calendar.timezone(tzid);
    let stamp = chrono::DateTime::from_timestamp(schedule.from.as_second(), 0).unwrap_or_default();
    for shift in &schedule.shifts {
        let event = icalendar::Event::new()
            .uid(&shift.uid)
            .summary(&format!("On call: {} ({})", shift.shift, shift.group))
            .timestamp(stamp)
            .starts(local(&tz, tzid, shift.starts_at))
            .ends(local(&tz, tzid, shift.ends_at))
            .done();
        calendar.push(event);
    }
    let text = calendar.done().to_string();
    let vtimezone = vtimezone(&tz, tzid, schedule.from, schedule.to);
    // The zone goes before the first event, or before the end when there is none.
    let at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    format!("{}{vtimezone}{}", &text[..at], &text[at..])
}

fn local(tz: &TimeZone, tzid: &str, at: Timestamp) -> CalendarDateTime {
    let civil = at.to_zoned_datetime(tz.clone()).datetime();
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
        let local = transition
            .timestamp()
            .to_zoned_datetime(TimeZone::fixed(before))
            .datetime();
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
