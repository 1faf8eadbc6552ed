//! Calendar export (SPEC.md §6) read back with an independent iCalendar parser (`ical`): each
//! event's instant is computed from the file's own VTIMEZONE — never from a tz database — so a
//! client that trusts the file sees what the product means. A shift keeps its local time across
//! the DST changes of both hemispheres, readers in another zone see the same instants, the
//! periods one covers for someone are events of one's own, and the window is dates, at most
//! 366 days. The secret feed URL works without a login until it is revoked.
//!
//! The window defaults to "today for 90 days", so these tests run the API in-process (`App`, the
//! same handlers the server and the functions run) over a fixed clock.

use std::io::BufReader;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use roster_api::{App, Claims};
use roster_domain::access::Actor;
use roster_domain::entities::{ManagedBy, User};
use roster_domain::ports::clock::FixedClock;
use roster_domain::usecases::{
    CoverInput, GroupInput, MemberInput, NewAccountInput, NewUserInput, OutOfOfficeInput,
    PreferencesPatch, Roster, ShiftInput, UserPatchInput,
};
use roster_domain::values::{AccountId, GroupId};
use roster_tests::{TestStore, for_each_store};

for_each_store!(
    times_in_emails_and_in_the_plan_are_read_in_the_readers_zone_or_name_their_own,
    a_shift_keeps_its_local_time_across_both_changes_in_both_hemispheres,
    a_calendar_holds_the_periods_one_covers_and_not_those_one_is_covered_for,
    a_calendar_window_is_dates_of_at_most_366_days_and_the_feed_serves_it,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

/// The use cases over `store` with the clock at `now`, an account whose Owner is Ana, and an
/// `App` over them.
async fn setup(store: &TestStore, now: &str) -> (Roster, App, User) {
    let clock = Arc::new(FixedClock::new(now.parse().unwrap()));
    let roster = store.roster_at(clock);
    let owner = NewUserInput {
        email: Some("ana@acme.example".into()),
        first_name: Some("Ana".into()),
        last_name: Some("Silva".into()),
        ..Default::default()
    };
    let (_, ana, _) = roster
        .create_account(
            &NewAccountInput {
                id: Some("acme".into()),
                name: Some("Acme".into()),
                seats: None,
                owner,
            },
            ManagedBy::Api,
        )
        .await
        .unwrap();
    let app = App::new(roster.clone());
    (roster, app, ana)
}

async fn person(roster: &Roster, first: &str, zone: &str) -> User {
    let input = NewUserInput {
        email: Some(format!("{}@acme.example", first.to_lowercase())),
        first_name: Some(first.into()),
        last_name: Some("Tester".into()),
        ..Default::default()
    };
    let (user, _) = roster
        .create_user(&acme(), &input, ManagedBy::Api)
        .await
        .unwrap();
    in_zone(roster, &user, zone).await;
    user
}

async fn in_zone(roster: &Roster, user: &User, zone: &str) {
    let patch = UserPatchInput {
        preferences: Some(PreferencesPatch {
            time_zone: Some(zone.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    roster
        .update_user(&acme(), &user.id, &patch, None)
        .await
        .unwrap();
}

/// A group of `members` (all primary) with one daily shift at `local` in `zone`, two hours
/// long, everyone on it.
async fn daily_shift(
    roster: &Roster,
    name: &str,
    local: &str,
    zone: &str,
    members: &[&User],
) -> GroupId {
    let group = roster
        .create_group(
            &acme(),
            &GroupInput {
                name: Some(name.into()),
            },
        )
        .await
        .unwrap();
    let primary = MemberInput {
        primary: Some(true),
        ..Default::default()
    };
    for user in members {
        roster
            .put_member(&acme(), &group.id, &user.id, &primary)
            .await
            .unwrap();
    }
    let shift = ShiftInput {
        name: Some("Mornings".into()),
        starts_at: Some(local.into()),
        time_zone: Some(zone.into()),
        duration_minutes: Some(120),
        repeat: Some("daily".into()),
        user_ids: Some(members.iter().map(|u| u.id.to_string()).collect()),
    };
    roster
        .create_shift(&acme(), &group.id, &shift)
        .await
        .unwrap();
    group.id
}

async fn get(app: &App, path: &str, claims: Option<&User>) -> (u16, String) {
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("host", "api.roster.test");
    if let Some(user) = claims {
        request = request.extension(Claims {
            sub: user.id.to_string(),
            account_id: "acme".into(),
        });
    }
    let response = app.handle(request.body(Bytes::new()).unwrap()).await;
    let status = response.status().as_u16();
    let body = String::from_utf8(response.into_body().to_vec()).unwrap();
    (status, body)
}

/// `user`'s own calendar for `query`, parsed.
async fn calendar_of(app: &App, user: &User, query: &str) -> IcalCalendar {
    let (status, text) = get(
        app,
        &format!("/users/{}/schedule.ics{query}", user.id),
        Some(user),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    parse(&text)
}

fn parse(text: &str) -> IcalCalendar {
    let mut calendars = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("valid iCalendar");
    assert!(calendars.next().is_none());
    calendar
}

fn property<'a>(props: &'a [ical::property::Property], name: &str) -> &'a ical::property::Property {
    props
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn value<'a>(props: &'a [ical::property::Property], name: &str) -> &'a str {
    property(props, name).value.as_deref().unwrap()
}

fn seconds_of(offset: &str) -> i64 {
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = &offset[1..];
    sign * (digits[..2].parse::<i64>().unwrap() * 3600 + digits[2..4].parse::<i64>().unwrap() * 60)
}

fn local(value: &str) -> DateTime {
    DateTime::strptime("%Y%m%dT%H%M%S", value).expect("a local date-time")
}

/// The instant of a `DTSTART`/`DTEND` property, read with the calendar's own VTIMEZONE
/// observances (not the tz database): the offset of the last observance that began at or before
/// the local time.
fn instant(calendar: &IcalCalendar, prop: &ical::property::Property) -> Timestamp {
    let tzid = prop
        .params
        .as_ref()
        .and_then(|p| p.iter().find(|(k, _)| k == "TZID"))
        .map(|(_, v)| v[0].as_str())
        .expect("the time names its zone");
    let zone = calendar
        .timezones
        .iter()
        .find(|z| value(&z.properties, "TZID") == tzid)
        .unwrap_or_else(|| panic!("no VTIMEZONE for {tzid}"));
    let at = local(prop.value.as_deref().unwrap());
    let mut offset = None;
    for observance in &zone.transitions {
        if local(value(&observance.properties, "DTSTART")) <= at {
            offset = Some(seconds_of(value(&observance.properties, "TZOFFSETTO")));
        }
    }
    let offset = offset.expect("an observance in force");
    let utc_wall = at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    utc_wall - SignedDuration::from_secs(offset)
}

/// Each event as (local start, instant of start, instant of end, summary).
fn events(calendar: &IcalCalendar) -> Vec<(DateTime, Timestamp, Timestamp, String)> {
    calendar
        .events
        .iter()
        .map(|e: &IcalEvent| {
            let start = property(&e.properties, "DTSTART");
            (
                local(start.value.as_deref().unwrap()),
                instant(calendar, start),
                instant(calendar, property(&e.properties, "DTEND")),
                value(&e.properties, "SUMMARY").to_owned(),
            )
        })
        .collect()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// When 09:00 local falls on the day whose UTC midnight is `day`, from two change instants
/// written out here (not from a tz database): `nine.0` hours after that midnight outside
/// `[changes.0, changes.1)`, `nine.1` inside.
fn expected(day: Timestamp, nine: (i64, i64), changes: (Timestamp, Timestamp)) -> Timestamp {
    let probe = day + SignedDuration::from_hours(nine.0);
    let inside = changes.0 <= probe && probe < changes.1;
    let hours = if inside { nine.1 } else { nine.0 };
    day + SignedDuration::from_hours(hours)
}

async fn a_shift_keeps_its_local_time_across_both_changes_in_both_hemispheres(store: &TestStore) {
    let (roster, app, ana) = setup(store, "2027-01-10T00:00:00Z").await;
    in_zone(&roster, &ana, "America/New_York").await;
    let bea = person(&roster, "Bea", "Australia/Sydney").await;
    let carl = person(&roster, "Carl", "Europe/London").await;
    daily_shift(
        &roster,
        "Atlanta",
        "2027-01-04T09:00",
        "America/New_York",
        &[&ana, &carl],
    )
    .await;
    daily_shift(
        &roster,
        "Sydney",
        "2027-01-04T09:00:00+11:00",
        "Australia/Sydney",
        &[&bea],
    )
    .await;
    let year = "?from=2027-02-01&to=2027-12-31";

    // New York: EST until 2027-03-14 07:00Z, EDT until 2027-11-07 06:00Z. 09:00 local is 14:00Z
    // in winter and 13:00Z in summer, every day, on both sides of both changes.
    let new_york = (at("2027-03-14T07:00:00Z"), at("2027-11-07T06:00:00Z"));
    let nine_in_new_york = (14, 13);
    let ana_events = events(&calendar_of(&app, &ana, year).await);
    assert_eq!(
        ana_events.len(),
        334,
        "February 1 to December 31, one a day"
    );
    for (day, (local_start, start, end, summary)) in ana_events.iter().enumerate() {
        let midnight_utc = at("2027-02-01T00:00:00Z") + SignedDuration::from_hours(24 * day as i64);
        assert_eq!(local_start.hour(), 9, "day {day}: {local_start}");
        assert_eq!(local_start.minute(), 0);
        assert_eq!(
            *start,
            expected(midnight_utc, nine_in_new_york, new_york),
            "day {day}"
        );
        assert_eq!(*end - *start, SignedDuration::from_hours(2));
        assert_eq!(summary, "On call: Mornings (Atlanta)");
    }

    // Carl in London reads the same New York shift: the same instants, in London's local time
    // (London changes on 2027-03-28 and 2027-10-31, weeks apart from New York).
    let carl_events = events(&calendar_of(&app, &carl, year).await);
    let instants = |list: &[(DateTime, Timestamp, Timestamp, String)]| -> Vec<Timestamp> {
        list.iter().map(|e| e.1).collect()
    };
    assert_eq!(instants(&carl_events), instants(&ana_events));
    let london_hours: std::collections::BTreeSet<i8> =
        carl_events.iter().map(|e| e.0.hour()).collect();
    assert_eq!(
        london_hours.into_iter().collect::<Vec<_>>(),
        [13, 14],
        "13:00 in the weeks the two countries' changes fall apart"
    );

    // Sydney: AEDT (+11) until 2027-04-03 16:00Z, AEST (+10) until 2027-10-02 16:00Z. 09:00
    // local is 22:00Z (summer) or 23:00Z (winter) of the previous UTC day.
    let sydney = (at("2027-04-03T16:00:00Z"), at("2027-10-02T16:00:00Z"));
    let bea_events = events(&calendar_of(&app, &bea, year).await);
    assert_eq!(bea_events.len(), 334);
    for (day, (local_start, start, _, _)) in bea_events.iter().enumerate() {
        let midnight_utc = at("2027-02-01T00:00:00Z") + SignedDuration::from_hours(24 * day as i64);
        assert_eq!(local_start.hour(), 9, "day {day}: {local_start}");
        // Sydney's summer is the reverse of New York's: -2 h (22:00Z) outside, -1 h inside.
        let wanted = expected(midnight_utc, (-2, -1), sydney);
        assert_eq!(*start, wanted, "day {day}");
    }
}

async fn a_calendar_holds_the_periods_one_covers_and_not_those_one_is_covered_for(
    store: &TestStore,
) {
    let (roster, app, ana) = setup(store, "2027-01-10T00:00:00Z").await;
    let dee = person(&roster, "Dee", "UTC").await;
    let eve = person(&roster, "Eve", "UTC").await;
    let group = daily_shift(&roster, "Atlanta", "2027-02-01T09:00", "UTC", &[&ana]).await;
    // Ana is away from Feb 3, 12:00 to Feb 5, 10:00: Dee covers Atlanta.
    let away = OutOfOfficeInput {
        starts_at: Some("2027-02-03T12:00:00Z".into()),
        ends_at: Some("2027-02-05T10:00:00Z".into()),
        cover: Some(CoverInput {
            all: None,
            groups: Some([(group.to_string(), dee.id.to_string())].into()),
        }),
    };
    roster
        .add_out_of_office(&acme(), &ana.id, &away)
        .await
        .unwrap();
    let window = "?from=2027-02-01&to=2027-02-06";
    let spans =
        |list: Vec<(DateTime, Timestamp, Timestamp, String)>| -> Vec<(String, String, String)> {
            list.into_iter()
                .map(|(_, s, e, summary)| (s.to_string(), e.to_string(), summary))
                .collect()
        };
    let mine = |s: &str, e: &str| {
        (
            s.to_owned(),
            e.to_owned(),
            "On call: Mornings (Atlanta)".to_owned(),
        )
    };
    assert_eq!(
        spans(events(&calendar_of(&app, &ana, window).await)),
        [
            mine("2027-02-01T09:00:00Z", "2027-02-01T11:00:00Z"),
            mine("2027-02-02T09:00:00Z", "2027-02-02T11:00:00Z"),
            mine("2027-02-03T09:00:00Z", "2027-02-03T11:00:00Z"),
            // Feb 4 is covered; Feb 5 she is back at 10:00, an hour into the shift.
            mine("2027-02-05T10:00:00Z", "2027-02-05T11:00:00Z"),
            mine("2027-02-06T09:00:00Z", "2027-02-06T11:00:00Z"),
        ],
    );
    let covering = |s: &str, e: &str| {
        (
            s.to_owned(),
            e.to_owned(),
            "Covering for Ana Silva: Mornings (Atlanta)".to_owned(),
        )
    };
    assert_eq!(
        spans(events(&calendar_of(&app, &dee, window).await)),
        [
            covering("2027-02-04T09:00:00Z", "2027-02-04T11:00:00Z"),
            covering("2027-02-05T09:00:00Z", "2027-02-05T10:00:00Z"),
        ],
    );
    assert!(events(&calendar_of(&app, &eve, window).await).is_empty());

    // Removing the entry gives the days back, and Dee's calendar empties.
    let entry = roster.list_out_of_office(&acme(), &ana.id).await.unwrap()[0]
        .id
        .clone();
    roster
        .remove_out_of_office(&acme(), &ana.id, &entry)
        .await
        .unwrap();
    assert_eq!(events(&calendar_of(&app, &ana, window).await).len(), 6);
    assert!(events(&calendar_of(&app, &dee, window).await).is_empty());
}

async fn a_calendar_window_is_dates_of_at_most_366_days_and_the_feed_serves_it(store: &TestStore) {
    let (roster, app, ana) = setup(store, "2027-03-10T15:00:00Z").await;
    daily_shift(&roster, "Atlanta", "2026-12-01T09:00", "UTC", &[&ana]).await;
    // By default: today (the clock's date in Ana's zone) for 90 days; today's 09:00 is past,
    // and still shown.
    let default = events(&calendar_of(&app, &ana, "").await);
    assert_eq!(default.len(), 90);
    assert_eq!(default[0].1, at("2027-03-10T09:00:00Z"));
    assert_eq!(default[89].1, at("2027-06-07T09:00:00Z"));
    let year = events(&calendar_of(&app, &ana, "?from=2027-01-01&to=2028-01-01").await);
    assert_eq!(year.len(), 366, "366 days is the most");
    let one = events(&calendar_of(&app, &ana, "?from=2027-05-01&to=2027-05-01").await);
    assert_eq!(one.len(), 1);

    let path = |q: &str| format!("/users/{}/schedule.ics{q}", ana.id);
    for (query, field) in [
        ("?from=2027-01-01&to=2028-01-02", "to"),
        ("?from=2027-05-02&to=2027-05-01", "to"),
        ("?from=yesterday", "from"),
        ("?from=2027-01-01&to=2027-02-30", "to"),
    ] {
        let (status, body) = get(&app, &path(query), Some(&ana)).await;
        assert_eq!(status, 422, "{query}: {body}");
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {body}");
    }

    // The secret feed: no login, the same schedule and window; revoked, it is gone.
    let token = roster.issue_calendar_token(&acme(), &ana.id).await.unwrap();
    let feed_path = format!("/calendars/{}.ics", token.reveal());
    let (status, feed) = get(&app, &feed_path, None).await;
    assert_eq!(status, 200);
    assert_eq!(parse(&feed).events.len(), 90);
    let (status, feed) = get(
        &app,
        &format!("{feed_path}?from=2027-05-01&to=2027-05-07"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(parse(&feed).events.len(), 7);
    roster
        .revoke_calendar_token(&acme(), &ana.id)
        .await
        .unwrap();
    let (status, _) = get(&app, &feed_path, None).await;
    assert_eq!(status, 404);
    // Revoking again (a retry, or a user who never had a feed) succeeds and writes nothing.
    let audit = roster.list_audit(&acme(), 1000, None).await.unwrap();
    roster
        .revoke_calendar_token(&acme(), &ana.id)
        .await
        .unwrap();
    let after = roster.list_audit(&acme(), 1000, None).await.unwrap();
    assert_eq!(after.entries.len(), audit.entries.len(), "nothing written");
    let (status, _) = get(&app, "/calendars/not-a-token.ics", None).await;
    assert_eq!(status, 404);
}

/// The invitation's deadline is in the invitee's zone, a cover notice's period in the cover's,
/// and a plan (read by whoever runs it) gives a shift's schedule in the shift's own zone, named.
async fn times_in_emails_and_in_the_plan_are_read_in_the_readers_zone_or_name_their_own(
    store: &TestStore,
) {
    let (roster, _, ana) = setup(store, "2027-01-10T15:00:00Z").await;
    let file = |users: &str| {
        format!(
            "accounts:\n  - id: acme\n    name: Acme\n    owner: ana@acme.example\n    prune: true\n    max_removal_ratio: 1.0\n    groups: []\n    users:\n      - {{ email: ana@acme.example, first_name: Ana, last_name: Silva }}\n{users}"
        )
    };
    let bo = "      - { email: bo@acme.example, first_name: Bo, last_name: Tester, time_zone: America/New_York }\n";
    let desired = roster_config::load("acme.yaml", &file(bo)).unwrap();
    let plan = roster.plan(&desired).await.unwrap();
    roster
        .apply(&desired, &plan, &Default::default())
        .await
        .unwrap();
    // 72 hours from 2027-01-10 15:00Z is 10:00 on the 13th in New York.
    let invitation = &store.mail.sent_to("bo@acme.example")[0];
    assert!(
        invitation
            .text
            .contains("expires in 72 hours (Wed 13 Jan 2027 10:00 EST)"),
        "{}",
        invitation.text
    );

    let bo = roster
        .list_users(&acme(), &Default::default(), 10, None)
        .await
        .unwrap()
        .users
        .into_iter()
        .find(|u| u.email.as_str() == "bo@acme.example")
        .unwrap();
    let dee = person(&roster, "Dee", "Asia/Kolkata").await;
    daily_shift(
        &roster,
        "Atlanta",
        "2027-01-04T09:00",
        "America/New_York",
        &[&bo],
    )
    .await;
    let away = OutOfOfficeInput {
        starts_at: Some("2027-02-03T12:00:00Z".into()),
        ends_at: Some("2027-02-05T10:00:00Z".into()),
        cover: Some(CoverInput {
            all: Some(dee.id.to_string()),
            groups: None,
        }),
    };
    roster
        .add_out_of_office(&acme(), &ana.id, &away)
        .await
        .unwrap();
    let notice = &store.mail.sent_to("dee@acme.example")[1];
    assert!(
        notice
            .text
            .contains("from Wed 3 Feb 2027 17:30 IST to Fri 5 Feb 2027 15:30 IST"),
        "{}",
        notice.text
    );

    // Bo, on a shift, is left out of the file: the plan blocks the delete and says when the
    // shift is, in its own zone.
    let desired = roster_config::load("acme.yaml", &file("")).unwrap();
    let plan = roster.plan(&desired).await.unwrap();
    let text = roster_config::render::text(&plan);
    assert!(
        text.contains("on shifts: Atlanta/Mornings (daily at 09:00 America/New_York for 2 h)"),
        "{text}"
    );
}
