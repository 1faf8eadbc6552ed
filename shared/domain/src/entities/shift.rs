//! Shifts and their recurrence (SPEC.md §6). A shift is a local wall-clock time in an IANA time
//! zone: a daily 09:00 America/New_York shift starts at 09:00 New York time in January and in
//! July. Each occurrence's start is computed from the first one's local date-time plus whole
//! days, then placed in the zone — never from the previous occurrence — so a DST change moves no
//! later occurrence. A local time that does not exist (a spring-forward gap) moves forward by
//! the gap and one that exists twice (fall back) is the first, as RFC 5545 reads `DTSTART;TZID`
//! (jiff's `compatible` disambiguation). `duration_minutes` is elapsed time.

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::values::named::named_enum;
use crate::values::{GroupId, ShiftId, ShiftName, TimeZoneName, UserId};

named_enum! {
    pub enum Repeat {
        None = ("none", "None"),
        Daily = ("daily", "Daily"),
        Weekly = ("weekly", "Weekly"),
    }
}

impl Repeat {
    /// Local days between occurrences; `None` for a one-off shift.
    pub const fn days(self) -> Option<i64> {
        match self {
            Repeat::None => None,
            Repeat::Daily => Some(1),
            Repeat::Weekly => Some(7),
        }
    }

    /// The longest a shift of this kind may last: up to its period, a week for a one-off.
    pub const fn max_minutes(self) -> u32 {
        match self {
            Repeat::Daily => 24 * 60,
            Repeat::Weekly | Repeat::None => Shift::MAX_MINUTES,
        }
    }
}

/// One occurrence of a shift: `[start, end)`, and its index from the first (0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Occurrence {
    pub start: Timestamp,
    pub end: Timestamp,
    pub index: i64,
}

impl Occurrence {
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// A recurring on-call period in a group, and who is on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StoredShift", try_from = "StoredShift")]
pub struct Shift {
    pub id: ShiftId,
    pub group_id: GroupId,
    pub name: ShiftName,
    /// The first occurrence's local date-time in `time_zone`: the wall-clock time every
    /// occurrence keeps.
    pub starts_local: DateTime,
    pub time_zone: TimeZoneName,
    pub duration_minutes: u32,
    pub repeat: Repeat,
    pub user_ids: Vec<UserId>,
    pub version: u64,
}

impl Shift {
    /// Longest shift: one week.
    pub const MAX_MINUTES: u32 = 7 * 24 * 60;
    /// Most people on one shift (keeps a shift's write within one transaction).
    pub const MAX_USERS: usize = 45;

    pub fn duration(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.duration_minutes))
    }

    /// The first occurrence's start.
    pub fn starts_at(&self) -> Timestamp {
        self.start_of(0).unwrap_or(Timestamp::MIN)
    }

    /// Occurrence `index` (0 is the first), or `None` past the representable range or for an
    /// index a one-off shift does not have.
    pub fn occurrence(&self, index: i64) -> Option<Occurrence> {
        let start = self.start_of(index)?;
        let end = start.checked_add(self.duration()).ok()?;
        Some(Occurrence { start, end, index })
    }

    fn start_of(&self, index: i64) -> Option<Timestamp> {
        if index < 0 {
            return None;
        }
        let local = self.local_of(index)?;
        self.time_zone.time_zone().to_timestamp(local).ok()
    }

    /// The local date-time of occurrence `index`, before it is placed in the zone.
    fn local_of(&self, index: i64) -> Option<DateTime> {
        let days = match self.repeat.days() {
            None if index == 0 => 0,
            None => return None,
            Some(days) => days.checked_mul(index)?,
        };
        self.starts_local
            .checked_add(SignedDuration::from_hours(days.checked_mul(24)?))
            .ok()
    }

    /// The index of the last occurrence whose local start is at or before `local` (clamped at
    /// 0): the occurrences that can hold that instant are this one and a few around it.
    fn index_near(&self, local: DateTime) -> i64 {
        let Some(days) = self.repeat.days() else {
            return 0;
        };
        let elapsed = self.starts_local.duration_until(local).as_secs();
        elapsed.div_euclid(days * 86_400).max(0)
    }

    /// How many occurrences before `index_near` can still reach a given instant: a shift lasts
    /// at most its period, and a UTC-offset change moves an instant against local time by less
    /// than a day, so two suffice; one more keeps a margin for zones that skipped a whole day.
    const LOOKBACK: i64 = 3;

    /// Local times and instants differ by the UTC offset, and offsets lie between -12:00 and
    /// +14:00: an occurrence can hold an instant only if its local start is within this much of
    /// the instant's local time (before it, or past it by less than the duration plus this).
    /// Candidates outside are dropped with civil arithmetic alone, before the tz database is
    /// asked where they fall.
    const OFFSET_SPREAD: SignedDuration = SignedDuration::from_hours(26);

    /// The occurrences that hold `at` (a daily shift of 24 hours overlaps itself across a
    /// spring-forward change, so there can be two), earliest first.
    pub fn occurrences_at(&self, at: Timestamp) -> impl Iterator<Item = Occurrence> + '_ {
        let local = self.time_zone.time_zone().to_datetime(at);
        let near = self.index_near(local);
        let reach = self.duration() + Self::OFFSET_SPREAD;
        ((near - Self::LOOKBACK).max(0)..=near + 1)
            .filter(move |index| {
                self.local_of(*index).is_some_and(|start| {
                    let ahead = start.duration_until(local);
                    -Self::OFFSET_SPREAD < ahead && ahead < reach
                })
            })
            .filter_map(|index| self.occurrence(index))
            .filter(move |o| o.contains(at))
    }

    /// The schedule in words, at its own zone's wall-clock time (the zone named, so that any
    /// reader can place it): "daily at 09:00 America/New_York for 8 h".
    pub fn schedule(&self) -> String {
        let zone = &self.time_zone;
        let at = self.starts_local.strftime("%H:%M");
        let minutes = self.duration_minutes;
        let length = match (minutes / 60, minutes % 60) {
            (h, 0) => format!("{h} h"),
            (0, m) => format!("{m} min"),
            (h, m) => format!("{h} h {m} min"),
        };
        match self.repeat {
            Repeat::None => format!(
                "once on {} at {at} {zone} for {length}",
                self.starts_local.strftime("%a %-d %b %Y")
            ),
            Repeat::Daily => format!("daily at {at} {zone} for {length}"),
            Repeat::Weekly => format!(
                "weekly on {} at {at} {zone} for {length}",
                self.starts_local.strftime("%A")
            ),
        }
    }

    /// The occurrences that overlap `[from, to)`, in order.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let local = self.time_zone.time_zone().to_datetime(from);
        let mut index = (self.index_near(local) - Self::LOOKBACK).max(0);
        while let Some(occurrence) = self.occurrence(index) {
            if occurrence.start >= to {
                break;
            }
            if occurrence.end > from {
                out.push(occurrence);
            }
            index += 1;
        }
        out
    }
}

/// A shift as stored. Shifts stored before shifts had a time zone hold only `starts_at`, an
/// instant: they read as that instant's wall-clock time in UTC, which is what they meant (they
/// recurred every 24 hours in UTC). Newer ones also keep `starts_at` (the first occurrence), so
/// an older reader during a deploy still finds the field it needs.
#[derive(Serialize, Deserialize)]
struct StoredShift {
    id: ShiftId,
    group_id: GroupId,
    name: ShiftName,
    starts_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_local: Option<DateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    time_zone: Option<TimeZoneName>,
    duration_minutes: u32,
    repeat: Repeat,
    user_ids: Vec<UserId>,
}

impl From<Shift> for StoredShift {
    fn from(shift: Shift) -> Self {
        Self {
            starts_at: shift.starts_at(),
            id: shift.id,
            group_id: shift.group_id,
            name: shift.name,
            starts_local: Some(shift.starts_local),
            time_zone: Some(shift.time_zone),
            duration_minutes: shift.duration_minutes,
            repeat: shift.repeat,
            user_ids: shift.user_ids,
        }
    }
}

impl TryFrom<StoredShift> for Shift {
    type Error = String;

    fn try_from(stored: StoredShift) -> Result<Self, Self::Error> {
        let (starts_local, time_zone) = match (stored.starts_local, stored.time_zone) {
            (Some(local), Some(zone)) => (local, zone),
            (None, None) => (
                jiff::tz::TimeZone::UTC.to_datetime(stored.starts_at),
                TimeZoneName::utc(),
            ),
            _ => return Err("a shift has both starts_local and time_zone, or neither".into()),
        };
        Ok(Self {
            id: stored.id,
            group_id: stored.group_id,
            name: stored.name,
            starts_local,
            time_zone,
            duration_minutes: stored.duration_minutes,
            repeat: stored.repeat,
            user_ids: stored.user_ids,
            version: 0,
        })
    }
}

/// A shift, named by its group and id: what a user's record keeps of the shifts they are on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShiftRef {
    pub group_id: GroupId,
    pub shift_id: ShiftId,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(starts_local: &str, zone: &str, repeat: Repeat, minutes: u32) -> Shift {
        Shift {
            id: ShiftId::from_ulid(ulid::Ulid::from_parts(1, 1)),
            group_id: GroupId::from_ulid(ulid::Ulid::from_parts(1, 2)),
            name: ShiftName::parse("Days").unwrap(),
            starts_local: starts_local.parse().unwrap(),
            time_zone: TimeZoneName::parse(zone).unwrap(),
            duration_minutes: minutes,
            repeat,
            user_ids: vec![],
            version: 1,
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn starts(occurrences: &[Occurrence]) -> Vec<String> {
        occurrences.iter().map(|o| o.start.to_string()).collect()
    }

    #[test]
    fn a_daily_shift_keeps_its_local_time_across_both_changes_in_new_york() {
        let nine = shift(
            "2026-03-01T09:00",
            "America/New_York",
            Repeat::Daily,
            8 * 60,
        );
        // 2026-03-08 (spring forward) and 2026-11-01 (fall back): 09:00 local every day.
        let march = nine.occurrences(at("2026-03-07T00:00Z"), at("2026-03-10T00:00Z"));
        assert_eq!(
            starts(&march),
            [
                "2026-03-07T14:00:00Z",
                "2026-03-08T13:00:00Z",
                "2026-03-09T13:00:00Z"
            ]
        );
        let november = nine.occurrences(at("2026-10-31T00:00Z"), at("2026-11-03T00:00Z"));
        assert_eq!(
            starts(&november),
            [
                "2026-10-31T13:00:00Z",
                "2026-11-01T14:00:00Z",
                "2026-11-02T14:00:00Z"
            ]
        );
        let january = at("2027-01-15T14:30Z");
        let july = at("2027-07-15T13:30Z");
        assert_eq!(nine.occurrences_at(january).count(), 1);
        assert_eq!(nine.occurrences_at(july).count(), 1);
        assert_eq!(nine.occurrences_at(at("2027-07-15T21:30Z")).count(), 0);
        assert_eq!(nine.occurrences_at(at("2027-07-15T12:59Z")).count(), 0);
    }

    #[test]
    fn a_start_in_a_gap_moves_forward_by_the_gap_and_only_that_day() {
        // New York skips 02:00-03:00 on 2026-03-08.
        let early = shift("2026-03-06T02:30", "America/New_York", Repeat::Daily, 60);
        let days = early.occurrences(at("2026-03-07T00:00Z"), at("2026-03-10T00:00Z"));
        assert_eq!(
            starts(&days),
            [
                "2026-03-07T07:30:00Z", // 02:30 EST
                "2026-03-08T07:30:00Z", // 03:30 EDT: 02:30 does not exist, moved by the gap
                "2026-03-09T06:30:00Z", // 02:30 EDT
            ]
        );
        // Lord Howe Island moves its clocks by 30 minutes (02:00 → 02:30 on 2026-10-04).
        let howe = shift("2026-10-01T02:15", "Australia/Lord_Howe", Repeat::Daily, 30);
        let local: Vec<String> = howe
            .occurrences(at("2026-10-02T00:00Z"), at("2026-10-06T00:00Z"))
            .iter()
            .map(|o| {
                o.start
                    .to_zoned_datetime(howe.time_zone.time_zone().clone())
                    .datetime()
                    .to_string()
            })
            .collect();
        assert_eq!(
            local,
            [
                "2026-10-03T02:15:00",
                "2026-10-04T02:45:00",
                "2026-10-05T02:15:00",
                "2026-10-06T02:15:00"
            ]
        );
    }

    #[test]
    fn a_repeated_local_time_is_its_first_instance_and_durations_are_elapsed() {
        // New York repeats 01:00-02:00 on 2026-11-01: 01:30 is first EDT (05:30Z).
        let late = shift("2026-10-30T01:30", "America/New_York", Repeat::Daily, 120);
        let fold = late.occurrences(at("2026-11-01T00:00Z"), at("2026-11-01T12:00Z"));
        assert_eq!(fold.len(), 1);
        assert_eq!(fold[0].start, at("2026-11-01T05:30Z"));
        assert_eq!(fold[0].end, at("2026-11-01T07:30Z"), "two hours elapsed");
    }

    #[test]
    fn a_full_day_shift_overlaps_itself_when_the_day_is_short() {
        let all_day = shift(
            "2026-03-01T00:00",
            "America/New_York",
            Repeat::Daily,
            24 * 60,
        );
        // The day of 2026-03-08 has 23 hours: its occurrence runs into the next one's first hour.
        let both = all_day.occurrences_at(at("2026-03-09T04:30Z")).count();
        assert_eq!(both, 2);
        // And 2026-11-01 has 25: its last hour is on no occurrence.
        assert_eq!(all_day.occurrences_at(at("2026-11-02T04:30Z")).count(), 0);
    }

    #[test]
    fn one_off_and_weekly_shifts_and_windows() {
        let once = shift("2026-03-01T09:00", "Asia/Kolkata", Repeat::None, 60);
        assert_eq!(once.starts_at(), at("2026-03-01T03:30Z"));
        assert_eq!(
            once.occurrences(at("2026-01-01T00:00Z"), at("2027-01-01T00:00Z"))
                .len(),
            1
        );
        assert!(once.occurrence(1).is_none());
        assert_eq!(once.occurrences_at(at("2026-03-02T03:30Z")).count(), 0);
        let weekly = shift("2026-03-02T22:00", "Europe/London", Repeat::Weekly, 600);
        let window = weekly.occurrences(at("2026-03-20T00:00Z"), at("2026-04-10T00:00Z"));
        // London moves to BST on 2026-03-29: 22:00 GMT, then 22:00 BST (21:00Z).
        assert_eq!(
            starts(&window),
            [
                "2026-03-23T22:00:00Z",
                "2026-03-30T21:00:00Z",
                "2026-04-06T21:00:00Z"
            ]
        );
        // Before the first occurrence there is none.
        assert!(
            weekly
                .occurrences(at("2020-01-01T00:00Z"), at("2026-03-02T21:00Z"))
                .is_empty()
        );
    }

    #[test]
    fn a_schedule_reads_in_its_own_zone() {
        let ny = shift("2027-01-04T09:00", "America/New_York", Repeat::Daily, 480);
        assert_eq!(ny.schedule(), "daily at 09:00 America/New_York for 8 h");
        let week = shift("2027-01-04T22:30", "Europe/London", Repeat::Weekly, 90);
        assert_eq!(
            week.schedule(),
            "weekly on Monday at 22:30 Europe/London for 1 h 30 min"
        );
        let once = shift("2027-01-04T09:00", "UTC", Repeat::None, 45);
        assert_eq!(
            once.schedule(),
            "once on Mon 4 Jan 2027 at 09:00 UTC for 45 min"
        );
    }

    #[test]
    fn a_stored_shift_without_a_time_zone_reads_as_utc_and_keeps_its_instants() {
        let legacy = serde_json::json!({
            "id": "01H00000000000000000000001",
            "group_id": "01H00000000000000000000002",
            "name": "Nights",
            "starts_at": "2026-03-01T14:00:00Z",
            "duration_minutes": 480,
            "repeat": "daily",
            "user_ids": []
        });
        let shift: Shift = serde_json::from_value(legacy).unwrap();
        assert_eq!(shift.time_zone, TimeZoneName::utc());
        let july = shift.occurrences(at("2026-07-01T00:00Z"), at("2026-07-02T00:00Z"));
        assert_eq!(starts(&july), ["2026-07-01T14:00:00Z"], "every 24 hours");
        let stored = serde_json::to_value(&shift).unwrap();
        assert_eq!(stored["starts_local"], "2026-03-01T14:00:00");
        assert_eq!(stored["time_zone"], "UTC");
        assert_eq!(stored["starts_at"], "2026-03-01T14:00:00Z");
        let again: Shift = serde_json::from_value(stored).unwrap();
        assert_eq!(again, shift);
    }
}
