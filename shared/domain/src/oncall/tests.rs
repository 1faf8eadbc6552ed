//! The resolver's rules, one scenario each, then a property test: random groups, shifts in
//! several zones and out-of-office entries around a DST change, checked minute by minute
//! against a brute-force reference that shares none of the resolver's code — it walks each
//! shift day by day from its first occurrence and finds local times by trying offsets, where
//! the resolver jumps to an index and asks jiff to disambiguate.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::*;
use crate::entities::{Cover, MemberRoles, Membership, OutOfOffice, Repeat, Shift};
use crate::values::{GroupId, ShiftId, ShiftName, TimeZoneName, UserId};

pub(super) fn id(n: u64) -> UserId {
    UserId::from_ulid(ulid::Ulid::from_parts(1, u128::from(n)))
}

pub(super) fn group(n: u64) -> GroupId {
    GroupId::from_ulid(ulid::Ulid::from_parts(2, u128::from(n)))
}

pub(super) fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub(super) fn person(n: u64, name: &str) -> Person {
    Person::new(id(n), name.into(), false, Vec::new())
}

fn member(g: &GroupId, n: u64, primary: bool, secondary: bool, manager: bool) -> Membership {
    Membership {
        group_id: g.clone(),
        user_id: id(n),
        roles: MemberRoles {
            primary,
            secondary,
            manager,
        },
    }
}

pub(super) fn shift(
    g: &GroupId,
    n: u64,
    local: &str,
    zone: &str,
    minutes: u32,
    users: &[u64],
) -> Shift {
    Shift {
        id: ShiftId::from_ulid(ulid::Ulid::from_parts(3, u128::from(n))),
        group_id: g.clone(),
        name: ShiftName::parse("Days").unwrap(),
        starts_local: local.parse().unwrap(),
        time_zone: TimeZoneName::parse(zone).unwrap(),
        duration_minutes: minutes,
        repeat: Repeat::Daily,
        user_ids: users.iter().map(|n| id(*n)).collect(),
        version: 1,
    }
}

pub(super) fn away(from: &str, to: &str, cover: Cover) -> OutOfOffice {
    OutOfOffice {
        id: from.to_owned(),
        starts_at: at(from),
        ends_at: at(to),
        cover,
    }
}

/// Person `n`, away from `from` to `to` with `cover`.
fn away_person(n: u64, name: &str, from: &str, to: &str, cover: Cover) -> Person {
    let mut p = person(n, name);
    p.out_of_office.push(away(from, to, cover));
    p
}

fn brief(responders: &[Responder]) -> Vec<(UserId, Via, Option<UserId>, Option<Unreachable>)> {
    responders
        .iter()
        .map(|r| {
            (
                r.user_id.clone(),
                r.via,
                r.covering_for.clone(),
                r.unreachable,
            )
        })
        .collect()
}

#[test]
fn a_daily_new_york_shift_answers_at_nine_local_in_january_and_july() {
    let g = group(1);
    let memberships = [member(&g, 1, true, false, false)];
    let shifts = [shift(
        &g,
        1,
        "2026-12-01T09:00",
        "America/New_York",
        480,
        &[1],
    )];
    let rota = Rota::new(&g, &memberships, &shifts);
    let people = People::from([(id(1), person(1, "Ana Silva"))]);
    for on in [
        "2027-01-15T14:30Z",
        "2027-07-15T13:30Z",
        "2027-07-15T20:59Z",
    ] {
        let answer = rota.responders(at(on), &people);
        assert_eq!(
            brief(&answer),
            [(id(1), Via::Shift, None, None)],
            "{on} is within 09:00-17:00 New York time"
        );
        assert_eq!(answer[0].shift_id.as_ref(), Some(&shifts[0].id));
        assert_eq!(answer[0].name, "Ana Silva");
    }
    for off in [
        "2027-07-15T21:30Z",
        "2027-01-15T13:30Z",
        "2027-07-15T12:30Z",
    ] {
        assert!(rota.responders(at(off), &people).is_empty(), "{off}");
    }
}

#[test]
fn an_absent_member_is_replaced_by_their_cover_for_that_group_or_listed_unreachable() {
    let (g, other) = (group(1), group(2));
    let memberships = [
        member(&g, 1, true, false, false),
        member(&g, 2, false, true, false),
        member(&g, 3, false, false, true),
    ];
    let shifts = [shift(&g, 1, "2027-01-01T00:00", "UTC", 1440, &[1, 2, 3])];
    let rota = Rota::new(&g, &memberships, &shifts);
    let mut ana = person(1, "Ana");
    ana.out_of_office.push(away(
        "2027-02-01T00:00Z",
        "2027-02-08T00:00Z",
        Cover::Groups(BTreeMap::from([(g.clone(), id(4))])),
    ));
    let mut bea = person(2, "Bea");
    bea.out_of_office.push(away(
        "2027-02-01T00:00Z",
        "2027-02-08T00:00Z",
        Cover::Groups(BTreeMap::from([(other.clone(), id(4))])),
    ));
    let mut cid = person(3, "Cid");
    cid.deactivated = true;
    let people = People::from([
        (id(1), ana),
        (id(2), bea),
        (id(3), cid),
        (id(4), person(4, "Dee")),
    ]);
    let answer = rota.responders(at("2027-02-03T12:00Z"), &people);
    assert_eq!(
        brief(&answer),
        [
            (id(4), Via::Cover, Some(id(1)), None),
            (id(2), Via::Shift, None, Some(Unreachable::OutOfOffice)),
            (id(3), Via::Shift, None, Some(Unreachable::Deactivated)),
        ],
        "Dee covers Ana for this group; Bea's cover is for another group; Cid is off"
    );
    assert_eq!(answer[0].shift_id.as_ref(), Some(&shifts[0].id));
    // Before the absence, everyone answers for themself (Cid still deactivated).
    let before = rota.responders(at("2027-01-20T12:00Z"), &people);
    assert_eq!(
        brief(&before),
        [
            (id(1), Via::Shift, None, None),
            (id(2), Via::Shift, None, None),
            (id(3), Via::Shift, None, Some(Unreachable::Deactivated)),
        ]
    );
}

#[test]
fn a_cover_who_cannot_be_reached_covers_nobody() {
    let g = group(1);
    let memberships = [member(&g, 1, true, false, false)];
    let shifts = [shift(&g, 1, "2027-01-01T00:00", "UTC", 1440, &[1])];
    let rota = Rota::new(&g, &memberships, &shifts);
    let ana = away_person(
        1,
        "Ana",
        "2027-02-01T00:00Z",
        "2027-02-08T00:00Z",
        Cover::All(id(2)),
    );
    let dee = away_person(
        2,
        "Dee",
        "2027-02-05T00:00Z",
        "2027-02-06T00:00Z",
        Cover::All(id(3)),
    );
    let mut people = People::from([(id(1), ana.clone()), (id(2), dee)]);
    let on = |people: &People, t: &str| brief(&rota.responders(at(t), people));
    assert_eq!(
        on(&people, "2027-02-03T00:00Z"),
        [(id(2), Via::Cover, Some(id(1)), None)]
    );
    let unavailable = [(id(1), Via::Shift, None, Some(Unreachable::CoverUnavailable))];
    assert_eq!(
        on(&people, "2027-02-05T12:00Z"),
        unavailable,
        "Dee away too"
    );
    people.get_mut(&id(2)).unwrap().deactivated = true;
    assert_eq!(on(&people, "2027-02-03T00:00Z"), unavailable, "Dee off");
    people.remove(&id(2));
    assert_eq!(on(&people, "2027-02-03T00:00Z"), unavailable, "Dee gone");
}

#[test]
fn a_group_without_shifts_pages_every_member_in_escalation_order() {
    let g = group(1);
    let memberships = [
        member(&g, 1, false, false, true),
        member(&g, 2, false, true, true),
        member(&g, 3, false, false, false),
        member(&g, 4, true, false, false),
        member(&g, 5, true, false, false),
    ];
    let rota = Rota::new(&g, &memberships, &[]);
    let people: People = [(1, "Mo"), (2, "Sue"), (3, "Ned"), (4, "Zoe"), (5, "abe")]
        .into_iter()
        .map(|(n, name)| (id(n), person(n, name)))
        .collect();
    let order: Vec<(UserId, Via)> = rota
        .responders(at("2027-01-01T00:00Z"), &people)
        .into_iter()
        .map(|r| (r.user_id, r.via))
        .collect();
    assert_eq!(
        order,
        [
            (id(5), Via::Member),
            (id(4), Via::Member),
            (id(2), Via::Member),
            (id(1), Via::Member),
            (id(3), Via::Member)
        ],
        "primary (by name, any case), secondary, manager, then the rest"
    );
}

#[test]
fn someone_on_duty_and_covering_is_paged_once_at_their_first_place() {
    let g = group(1);
    let memberships = [
        member(&g, 1, true, false, false),
        member(&g, 2, false, true, false),
    ];
    let shifts = [shift(&g, 1, "2027-01-01T00:00", "UTC", 1440, &[1, 2])];
    let rota = Rota::new(&g, &memberships, &shifts);
    let ana = away_person(
        1,
        "Ana",
        "2027-02-01T00:00Z",
        "2027-02-08T00:00Z",
        Cover::All(id(2)),
    );
    let people = People::from([(id(1), ana), (id(2), person(2, "Bo"))]);
    assert_eq!(
        brief(&rota.responders(at("2027-02-02T00:00Z"), &people)),
        [(id(2), Via::Cover, Some(id(1)), None)]
    );
}

#[test]
fn duties_split_an_occurrence_where_the_answer_changes() {
    let g = group(1);
    let shifts = [shift(&g, 1, "2027-02-01T08:00", "UTC", 600, &[1])];
    let ana = away_person(
        1,
        "Ana",
        "2027-02-02T12:00Z",
        "2027-02-03T12:00Z",
        Cover::All(id(2)),
    );
    let people = People::from([(id(1), ana), (id(2), person(2, "Bo"))]);
    let stretches: Vec<(String, String, UserId)> = duties(
        &shifts,
        &people,
        at("2027-02-02T00:00Z"),
        at("2027-02-04T00:00Z"),
    )
    .into_iter()
    .map(|d| (d.start.to_string(), d.end.to_string(), d.responder.user_id))
    .collect();
    assert_eq!(
        stretches,
        [
            (
                "2027-02-02T08:00:00Z".into(),
                "2027-02-02T12:00:00Z".into(),
                id(1)
            ),
            (
                "2027-02-02T12:00:00Z".into(),
                "2027-02-02T18:00:00Z".into(),
                id(2)
            ),
            (
                "2027-02-03T08:00:00Z".into(),
                "2027-02-03T12:00:00Z".into(),
                id(2)
            ),
            (
                "2027-02-03T12:00:00Z".into(),
                "2027-02-03T18:00:00Z".into(),
                id(1)
            ),
        ]
    );
}

// ---- the property test ----

/// The zones the issue names: two northern DST zones a few weeks apart, a southern one whose
/// clocks move by 30 minutes, and one without DST.
const ZONES: [&str; 4] = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
];

/// A local time as an instant without jiff's disambiguation: every offset the zone uses around
/// it is tried; a time that exists once is that instant, one that exists twice the earlier, and
/// one that does not exist (a gap) is read with the offset in force before the gap.
fn reference_instant(tz: &TimeZone, local: DateTime) -> Timestamp {
    let wall = local.to_zoned_datetime(TimeZone::UTC).unwrap().timestamp();
    let hours = SignedDuration::from_hours;
    let mut fits: Vec<Timestamp> = [-48, -24, -12, 0, 12, 24, 48]
        .into_iter()
        .map(|h| tz.to_offset(wall + hours(h)))
        .map(|offset| wall - SignedDuration::from_secs(i64::from(offset.seconds())))
        .filter(|instant| tz.to_datetime(*instant) == local)
        .collect();
    fits.sort();
    match fits.first() {
        Some(first) => *first,
        None => {
            let before = tz.to_offset(wall - hours(48));
            wall - SignedDuration::from_secs(i64::from(before.seconds()))
        }
    }
}

/// Every occurrence of `shift` starting before `until`, walking day by day from the first.
fn reference_occurrences(shift: &Shift, until: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let tz = shift.time_zone.time_zone();
    let time = shift.starts_local.time();
    let mut date = shift.starts_local.date();
    let mut out = Vec::new();
    loop {
        let start = reference_instant(tz, DateTime::from_parts(date, time));
        if start >= until {
            return out;
        }
        out.push((
            start,
            start + SignedDuration::from_mins(i64::from(shift.duration_minutes)),
        ));
        let step = match shift.repeat {
            Repeat::None => return out,
            Repeat::Daily => 1,
            Repeat::Weekly => 7,
        };
        for _ in 0..step {
            date = date.tomorrow().unwrap();
        }
    }
}

/// The SPEC's rules, written out plainly for one scheduled person.
fn reference_answer(
    person: &Person,
    group: &GroupId,
    shift: Option<&ShiftId>,
    t: Timestamp,
    people: &People,
) -> (UserId, Via, Option<UserId>, Option<Unreachable>) {
    let own = if shift.is_some() {
        Via::Shift
    } else {
        Via::Member
    };
    if person.deactivated {
        return (person.id.clone(), own, None, Some(Unreachable::Deactivated));
    }
    let entry = person
        .out_of_office
        .iter()
        .find(|e| e.starts_at <= t && t < e.ends_at);
    let Some(entry) = entry else {
        return (person.id.clone(), own, None, None);
    };
    let cover = match &entry.cover {
        Cover::All(u) => Some(u),
        Cover::Groups(map) => map.get(group),
    };
    let Some(cover) = cover else {
        return (person.id.clone(), own, None, Some(Unreachable::OutOfOffice));
    };
    let usable = people.get(cover).is_some_and(|c| {
        !c.deactivated
            && !c
                .out_of_office
                .iter()
                .any(|e| e.starts_at <= t && t < e.ends_at)
    });
    if usable {
        (cover.clone(), Via::Cover, Some(person.id.clone()), None)
    } else {
        (
            person.id.clone(),
            own,
            None,
            Some(Unreachable::CoverUnavailable),
        )
    }
}

struct Case {
    group: GroupId,
    memberships: Vec<Membership>,
    shifts: Vec<Shift>,
    people: People,
    from: Timestamp,
    to: Timestamp,
}

fn random_case(rng: &mut fastrand::Rng) -> Case {
    let g = group(1);
    let zone = |rng: &mut fastrand::Rng| ZONES[rng.usize(..ZONES.len())];
    // A window of three days around one of the first DST changes of 2027 in a random DST zone.
    let changing = TimeZone::get(ZONES[rng.usize(..3)]).unwrap();
    let change = changing
        .following(at("2027-01-01T00:00Z"))
        .nth(rng.usize(..4))
        .unwrap()
        .timestamp();
    let from = change - SignedDuration::from_hours(36);
    let to = change + SignedDuration::from_hours(36);

    let count = rng.u64(3..=8);
    let mut people = People::new();
    let mut memberships = Vec::new();
    for n in 1..=count {
        let name: String = (0..3).map(|_| rng.alphabetic()).collect();
        let mut p = person(n, &name);
        p.deactivated = rng.u8(..8) == 0;
        memberships.push(member(&g, n, rng.bool(), rng.bool(), rng.bool()));
        people.insert(id(n), p);
    }
    // Out-of-office entries: up to two a person, in order, none overlapping.
    for n in 1..=count {
        let mut start = from + SignedDuration::from_mins(rng.i64(-600..2000));
        for _ in 0..rng.usize(..3) {
            let end = start + SignedDuration::from_mins(rng.i64(30..2500));
            let cover_id = id(rng.u64(1..=count + 1)); // count + 1 exists nowhere
            let cover = match rng.u8(..3) {
                0 => Cover::All(cover_id),
                1 => Cover::Groups(BTreeMap::from([(g.clone(), cover_id)])),
                _ => Cover::Groups(BTreeMap::from([(group(2), cover_id)])),
            };
            let entry = OutOfOffice {
                id: format!("{n}-{start}"),
                starts_at: start,
                ends_at: end,
                cover,
            };
            people.get_mut(&id(n)).unwrap().out_of_office.push(entry);
            start = end + SignedDuration::from_mins(rng.i64(0..600));
        }
    }
    let mut shifts = Vec::new();
    if rng.u8(..10) != 0 {
        for s in 0..rng.u64(1..=5) {
            // Half the shifts in the zone that changes, often at a wall-clock time within an
            // hour of the change (its gap or its repeated hour), from either side of it.
            let zone = if rng.bool() {
                TimeZoneName::parse(changing.iana_name().unwrap()).unwrap()
            } else {
                TimeZoneName::parse(zone(rng)).unwrap()
            };
            let tz = zone.time_zone();
            let just_before = tz.to_datetime(change - SignedDuration::from_secs(1))
                + SignedDuration::from_secs(1);
            let just_after = tz.to_datetime(change);
            let local = if rng.u8(..4) == 0 {
                let date = just_after.date();
                date.to_datetime(jiff::civil::time(rng.i8(0..24), rng.i8(0..4) * 15, 0, 0))
            } else {
                let base = if rng.bool() { just_before } else { just_after };
                base + SignedDuration::from_mins(15 * rng.i64(-4..=4))
            };
            let local = local - SignedDuration::from_hours(24 * rng.i64(0..22));
            let repeat = [Repeat::None, Repeat::Daily, Repeat::Weekly][rng.usize(..3)];
            let longest = i64::from(repeat.max_minutes());
            let minutes = [15, 30, 60, 90, 120, 480, 720, 1440, longest][rng.usize(..9)];
            let first = rng.u64(1..=count);
            let users: Vec<UserId> = (1..=count)
                .filter(|n| *n == first || rng.bool())
                .map(id)
                .collect();
            shifts.push(Shift {
                id: ShiftId::from_ulid(ulid::Ulid::from_parts(3, u128::from(s))),
                group_id: g.clone(),
                name: ShiftName::parse("Random").unwrap(),
                starts_local: local,
                time_zone: zone,
                duration_minutes: u32::try_from(minutes.min(longest)).unwrap(),
                repeat,
                user_ids: users,
                version: 1,
            });
        }
    }
    Case {
        group: g,
        memberships,
        shifts,
        people,
        from,
        to,
    }
}

/// The answer at `t`, by brute force over every occurrence of every shift.
fn reference_responders(
    case: &Case,
    occurrences: &[Vec<(Timestamp, Timestamp)>],
    t: Timestamp,
) -> Vec<(UserId, Via, Option<UserId>, Option<Unreachable>)> {
    let mut scheduled: Vec<(Timestamp, &ShiftId, &UserId)> = Vec::new();
    for (shift, list) in case.shifts.iter().zip(occurrences) {
        for (start, end) in list {
            if *start <= t && t < *end {
                for user in &shift.user_ids {
                    scheduled.push((*start, &shift.id, user));
                }
            }
        }
    }
    scheduled.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut seen = BTreeSet::new();
    let mut ranked = Vec::new();
    let mut rank = |user: &UserId, shift: Option<&ShiftId>| {
        let person = &case.people[user];
        let roles = case
            .memberships
            .iter()
            .find(|m| &m.user_id == user)
            .unwrap()
            .roles;
        let tier = if roles.primary {
            0
        } else if roles.secondary {
            1
        } else if roles.manager {
            2
        } else {
            3
        };
        let answer = reference_answer(person, &case.group, shift, t, &case.people);
        ranked.push(((tier, person.name().to_lowercase(), user.clone()), answer));
    };
    if case.shifts.is_empty() {
        for m in &case.memberships {
            rank(&m.user_id, None);
        }
    } else {
        for (_, shift, user) in scheduled {
            if seen.insert(user) {
                rank(user, Some(shift));
            }
        }
    }
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let mut paged = BTreeSet::new();
    ranked
        .into_iter()
        .map(|(_, answer)| answer)
        .filter(|a| paged.insert(a.0.clone()))
        .collect()
}

#[test]
fn the_resolver_agrees_with_a_brute_force_reference_minute_by_minute_across_dst() {
    let cases: u64 = std::env::var("ROSTER_RESOLVER_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    for seed in 0..cases {
        let mut rng = fastrand::Rng::with_seed(seed);
        let case = random_case(&mut rng);
        let occurrences: Vec<_> = case
            .shifts
            .iter()
            .map(|s| reference_occurrences(s, case.to))
            .collect();
        let rota = Rota::new(&case.group, &case.memberships, &case.shifts);
        let stretches = duties(&case.shifts, &case.people, case.from, case.to);
        let mut t = case.from;
        while t < case.to {
            let expected = reference_responders(&case, &occurrences, t);
            let got = brief(&rota.responders(t, &case.people));
            assert_eq!(got, expected, "seed {seed} at {t}: {:#?}", case.shifts);

            // The stretches holding `t` are every (shift, person on it) with an occurrence
            // holding `t`, each with the reference's answer.
            let mut want: Vec<(ShiftId, UserId, _)> = Vec::new();
            for (shift, list) in case.shifts.iter().zip(&occurrences) {
                for _ in list.iter().filter(|(s, e)| *s <= t && t < *e) {
                    for user in &shift.user_ids {
                        let answer = reference_answer(
                            &case.people[user],
                            &case.group,
                            Some(&shift.id),
                            t,
                            &case.people,
                        );
                        want.push((shift.id.clone(), user.clone(), answer));
                    }
                }
            }
            let mut have: Vec<(ShiftId, UserId, _)> = stretches
                .iter()
                .filter(|d| d.start <= t && t < d.end)
                .map(|d| {
                    let r = &d.responder;
                    let answer = (
                        r.user_id.clone(),
                        r.via,
                        r.covering_for.clone(),
                        r.unreachable,
                    );
                    (d.shift.id.clone(), d.scheduled.clone(), answer)
                })
                .collect();
            want.sort();
            have.sort();
            assert_eq!(have, want, "seed {seed}: stretches at {t}");
            t += SignedDuration::from_mins(1);
        }
    }
}
