//! Which reminders runs every five minutes send, over days that include a DST change.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::*;
use crate::entities::Cover;
use crate::oncall::tests::{at, away, group, id, person, shift};
use crate::oncall::{People, Person};
use crate::values::{Reminder, ReminderUnit, Reminders, UserId};

fn offsets(list: &[(u32, ReminderUnit)]) -> Reminders {
    Reminders::new(
        list.iter()
            .map(|(n, unit)| Reminder::new(*n, *unit).unwrap())
            .collect(),
    )
    .unwrap()
}

/// Every run from `from` to `to`, five minutes apart: each reminder's key with the first run
/// that returned it, and how many runs returned it.
fn runs(
    shifts: &[crate::entities::Shift],
    people: &People,
    reminders: &BTreeMap<UserId, Reminders>,
    from: &str,
    to: &str,
) -> BTreeMap<String, (Timestamp, usize)> {
    let mut seen: BTreeMap<String, (Timestamp, usize)> = BTreeMap::new();
    let mut run = at(from);
    while run < at(to) {
        for due in due_reminders(shifts, people, |u| reminders.get(u), run) {
            seen.entry(due.key()).or_insert((run, 0)).1 += 1;
        }
        run += RUN_EVERY;
    }
    seen
}

#[test]
fn a_daily_shift_is_reminded_once_per_occurrence_at_its_local_time_across_dst() {
    let g = group(1);
    // 09:00 New York, daily; the clocks go forward on 14 March 2027.
    let shifts = [shift(
        &g,
        1,
        "2027-03-01T09:00",
        "America/New_York",
        480,
        &[1],
    )];
    let people = People::from([(id(1), person(1, "Ana Silva"))]);
    let reminders = BTreeMap::from([(id(1), offsets(&[(1, ReminderUnit::Hours)]))]);
    let seen = runs(
        &shifts,
        &people,
        &reminders,
        "2027-03-11T00:00Z",
        "2027-03-17T00:00Z",
    );
    let first_runs: Vec<String> = seen
        .values()
        .map(|(run, _)| {
            run.in_tz("America/New_York")
                .unwrap()
                .strftime("%F %H:%M")
                .to_string()
        })
        .collect();
    assert_eq!(
        first_runs,
        [
            "2027-03-11 08:00",
            "2027-03-12 08:00",
            "2027-03-13 08:00",
            "2027-03-14 08:00",
            "2027-03-15 08:00",
            "2027-03-16 08:00",
        ],
        "one reminder per occurrence, first returned by the run at its due time, 08:00 local"
    );
    assert!(
        seen.values().all(|(_, times)| *times == 2),
        "a reminder is returned by the run it falls due at and the next (the claim makes it once): {seen:?}"
    );
}

#[test]
fn a_covered_occurrence_reminds_the_cover_at_the_covers_own_offsets() {
    let g = group(1);
    let shifts = [shift(&g, 1, "2027-03-01T09:00", "UTC", 480, &[1])];
    let mut ana = person(1, "Ana Silva");
    ana.out_of_office.push(away(
        "2027-03-10T00:00Z",
        "2027-03-11T00:00Z",
        Cover::All(id(2)),
    ));
    let people = People::from([(id(1), ana), (id(2), person(2, "Bruno Costa"))]);
    let reminders = BTreeMap::from([
        (id(1), offsets(&[(1, ReminderUnit::Hours)])),
        (id(2), offsets(&[(30, ReminderUnit::Minutes)])),
    ]);
    let due = due_reminders(
        &shifts,
        &people,
        |u| reminders.get(u),
        at("2027-03-10T08:30Z"),
    );
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].to, id(2));
    assert_eq!(due[0].covering_for, Some(id(1)));
    assert_eq!(due[0].minutes, 30);
    assert_eq!(due[0].occurrence.start, at("2027-03-10T09:00Z"));
    assert!(
        due_reminders(
            &shifts,
            &people,
            |u| reminders.get(u),
            at("2027-03-10T08:00Z")
        )
        .is_empty(),
        "Ana is away at the start: her own hour-before reminder is not sent"
    );
    // The next day Ana is back: her reminder, not Bruno's.
    let back = due_reminders(
        &shifts,
        &people,
        |u| reminders.get(u),
        at("2027-03-11T08:00Z"),
    );
    assert_eq!(back.len(), 1, "{back:?}");
    assert_eq!(
        (back[0].to.clone(), back[0].covering_for.clone()),
        (id(1), None)
    );
}

#[test]
fn a_deactivated_person_and_one_away_without_a_cover_are_never_reminded() {
    let g = group(1);
    let shifts = [shift(&g, 1, "2027-03-01T09:00", "UTC", 480, &[1, 2])];
    let off = Person::new(id(1), "Ana Silva".into(), true, Vec::new());
    let mut gone = person(2, "Bruno Costa");
    gone.out_of_office.push(away(
        "2027-03-10T00:00Z",
        "2027-03-11T00:00Z",
        Cover::Groups(BTreeMap::new()),
    ));
    let people = People::from([(id(1), off), (id(2), gone)]);
    let hour = offsets(&[(1, ReminderUnit::Hours)]);
    let reminders = BTreeMap::from([(id(1), hour.clone()), (id(2), hour)]);
    assert!(
        due_reminders(
            &shifts,
            &people,
            |u| reminders.get(u),
            at("2027-03-10T08:00Z")
        )
        .is_empty()
    );
}

#[test]
fn a_reminder_one_run_late_is_sent_and_later_than_that_is_skipped() {
    let g = group(1);
    let shifts = [shift(&g, 1, "2027-03-01T09:00", "UTC", 480, &[1])];
    let people = People::from([(id(1), person(1, "Ana Silva"))]);
    let reminders = BTreeMap::from([(
        id(1),
        offsets(&[(1, ReminderUnit::Hours), (14, ReminderUnit::Days)]),
    )]);
    let remind = |run: &str| {
        due_reminders(&shifts, &people, |u| reminders.get(u), at(run))
            .iter()
            .map(|d| (d.occurrence.start, d.minutes))
            .collect::<Vec<_>>()
    };
    let nine = at("2027-03-10T09:00Z");
    assert_eq!(remind("2027-03-10T07:59Z"), []);
    assert_eq!(remind("2027-03-10T08:00Z"), [(nine, 60)]);
    assert_eq!(remind("2027-03-10T08:09Z"), [(nine, 60)]);
    assert_eq!(remind("2027-03-10T08:10Z"), [], "more than one run late");
    // The furthest offset: fourteen days ahead is in reach.
    assert_eq!(
        remind("2027-03-10T09:05Z"),
        [(at("2027-03-24T09:00Z"), 14 * 24 * 60)]
    );
}
