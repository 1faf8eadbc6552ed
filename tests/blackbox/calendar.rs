//! Calendar export (SPEC.md §6) read back with an independent iCalendar parser (`ical`): the
//! events of the next 90 days, in the user's time zone, right across a DST change; and the
//! secret feed URL, which works without a login until it is revoked.
//!
//! The schedule window is "now + 90 days", so these tests run the API in-process (`App`, the
//! same handlers the server and the functions run) over a fixed clock set before a DST change.

use std::io::BufReader;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request};
use ical::parser::ical::component::IcalCalendar;
use jiff::Timestamp;
use jiff::civil::DateTime;
use roster_api::{App, Claims};
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::ports::clock::{FixedClock, UlidSource};
use roster_domain::usecases::{
    GroupInput, MemberInput, NewAccountInput, NewUserInput, PreferencesPatch, Roster, Settings,
    ShiftInput, UserPatchInput,
};
use roster_domain::values::AccountId;
use roster_tests::{TestStore, for_each_store};

for_each_store!(a_schedule_shows_each_shift_at_the_right_local_time_across_dst);

async fn get(app: &App, path: &str, claims: Option<Claims>) -> (u16, String) {
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(path)
        .header("host", "api.roster.test");
    if let Some(claims) = claims {
        request = request.extension(claims);
    }
    let response = app.handle(request.body(Bytes::new()).unwrap()).await;
    let status = response.status().as_u16();
    let body = String::from_utf8(response.into_body().to_vec()).unwrap();
    (status, body)
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

fn seconds_of(offset: &str) -> i64 {
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits = &offset[1..];
    sign * (digits[..2].parse::<i64>().unwrap() * 3600 + digits[2..4].parse::<i64>().unwrap() * 60)
}

fn local(value: &str) -> DateTime {
    DateTime::strptime("%Y%m%dT%H%M%S", value).expect("a local date-time")
}

/// The instant of a local time, read with the calendar's own VTIMEZONE observances (not the tz
/// database): the offset of the last observance that began at or before it.
fn instant(calendar: &IcalCalendar, tzid: &str, value: &str) -> Timestamp {
    let zone = calendar
        .timezones
        .iter()
        .find(|z| property(&z.properties, "TZID").value.as_deref() == Some(tzid))
        .unwrap_or_else(|| panic!("no VTIMEZONE for {tzid}"));
    let at = local(value);
    let mut offset = None;
    for observance in &zone.transitions {
        let starts = local(
            property(&observance.properties, "DTSTART")
                .value
                .as_deref()
                .unwrap(),
        );
        let to = property(&observance.properties, "TZOFFSETTO")
            .value
            .as_deref()
            .unwrap();
        if starts <= at {
            offset = Some(seconds_of(to));
        }
    }
    let offset = offset.expect("an observance in force");
    let utc_wall = at
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    utc_wall - jiff::SignedDuration::from_secs(offset)
}

async fn a_schedule_shows_each_shift_at_the_right_local_time_across_dst(store: &TestStore) {
    // Four days before the United States move their clocks forward (2027-03-14).
    let clock = Arc::new(FixedClock::new("2027-03-10T00:00:00Z".parse().unwrap()));
    let roster = Roster::new(
        Arc::clone(&store.table),
        Arc::new(store.mail.clone()),
        clock,
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    );
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
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
    let zone = UserPatchInput {
        preferences: Some(PreferencesPatch {
            time_zone: Some("America/New_York".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    roster
        .update_user(&acme, &ana.id, &zone, None)
        .await
        .unwrap();
    let group = roster
        .create_group(
            &acme,
            &GroupInput {
                name: Some("Database Atlanta".into()),
            },
        )
        .await
        .unwrap();
    let primary = MemberInput {
        primary: Some(true),
        ..Default::default()
    };
    roster
        .put_member(&acme, group.id.as_str(), ana.id.as_str(), &primary)
        .await
        .unwrap();
    let shift = ShiftInput {
        name: Some("Mornings".into()),
        starts_at: Some("2027-03-01T14:00:00Z".into()),
        duration_minutes: Some(120),
        repeat: Some("daily".into()),
        user_ids: Some(vec![ana.id.to_string()]),
    };
    roster
        .create_shift(&acme, group.id.as_str(), &shift)
        .await
        .unwrap();

    let app = App::new(roster.clone());
    let claims = Claims {
        sub: ana.id.to_string(),
        account_id: "acme".into(),
    };
    let (status, text) = get(
        &app,
        &format!("/users/{}/schedule.ics", ana.id),
        Some(claims.clone()),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let calendar = parse(&text);
    assert_eq!(
        calendar.events.len(),
        90,
        "one occurrence a day for 90 days"
    );
    for (day, event) in calendar.events.iter().enumerate() {
        let start = property(&event.properties, "DTSTART");
        let tzid = start
            .params
            .as_ref()
            .and_then(|p| p.iter().find(|(k, _)| k == "TZID"))
            .map(|(_, v)| v[0].as_str())
            .expect("DTSTART names its zone");
        assert_eq!(tzid, "America/New_York");
        let value = start.value.as_deref().unwrap();
        let first: Timestamp = "2027-03-10T14:00:00Z".parse().unwrap();
        let expected = first + jiff::SignedDuration::from_hours(24 * day as i64);
        assert_eq!(
            instant(&calendar, tzid, value),
            expected,
            "event {day}: {value}"
        );
        // 14:00 UTC is 09:00 in New York before the change and 10:00 after.
        let hour = local(value).hour();
        if day < 4 {
            assert_eq!(hour, 9, "before DST: {value}");
        } else {
            assert_eq!(hour, 10, "after DST: {value}");
        }
        let end = property(&event.properties, "DTEND")
            .value
            .as_deref()
            .unwrap();
        assert_eq!(
            instant(&calendar, tzid, end) - instant(&calendar, tzid, value),
            jiff::SignedDuration::from_hours(2)
        );
        assert!(
            property(&event.properties, "SUMMARY")
                .value
                .as_deref()
                .unwrap()
                .contains("Mornings")
        );
    }

    // The secret feed: no login, the same schedule; revoked, it is gone.
    let token = roster.issue_calendar_token(&acme, &ana.id).await.unwrap();
    let feed_path = format!("/calendars/{}.ics", token.reveal());
    let (status, feed) = get(&app, &feed_path, None).await;
    assert_eq!(status, 200);
    assert_eq!(parse(&feed).events.len(), 90);
    roster.revoke_calendar_token(&acme, &ana.id).await.unwrap();
    let (status, _) = get(&app, &feed_path, None).await;
    assert_eq!(status, 404);
    // Revoking again (a retry, or a user who never had a feed) succeeds and writes nothing.
    let audit = roster.list_audit(&acme, 1000, None).await.unwrap();
    roster.revoke_calendar_token(&acme, &ana.id).await.unwrap();
    let after = roster.list_audit(&acme, 1000, None).await.unwrap();
    assert_eq!(after.entries.len(), audit.entries.len(), "nothing written");
    let (status, _) = get(&app, "/calendars/not-a-token.ics", None).await;
    assert_eq!(status, 404);
}
