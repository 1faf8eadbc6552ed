//! Shifts in local time and who is on call (SPEC.md §6), over HTTP against `roster serve` on
//! both stores: a daily 09:00 New York shift answers at 09:00 New York time in January and in
//! July; starts are local times whose offsets must agree with the zone; an absent member is
//! replaced by their cover for the group; shifts stored before shifts had zones keep their UTC
//! meaning; and the answer costs one query and a batch read per 100 people.

use http::Method;
use roster_domain::access::Actor;
use roster_domain::keys;
use roster_domain::oncall::{self, Rota};
use roster_domain::ports::table::{Condition, Item, Write};
use roster_domain::usecases::{CoverInput, OutOfOfficeInput};
use roster_domain::values::{AccountId, GroupId, ShiftId, UserId};
use roster_tests::observe::{Requests, Seen};
use roster_tests::synth::{rota, seed};
use roster_tests::{TestStore, for_each_store};
use serde_json::{Value, json};

use crate::observed::observed_roster;
use crate::world::{Person, World, assert_problem};

for_each_store!(
    a_daily_new_york_shift_is_on_call_at_nine_new_york_time_in_january_and_july,
    a_shift_start_is_a_local_time_whose_offset_must_agree_with_its_zone,
    an_absent_member_is_replaced_by_their_cover_for_the_group_or_listed_unreachable,
    a_shift_stored_before_time_zones_keeps_its_utc_meaning,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

/// A shift made by the admin: `201`, or the test fails.
async fn create_shift(w: &World, group: &str, body: Value) -> roster_tests::Reply {
    let path = format!("/groups/{group}/shifts");
    let made = w.call(Method::POST, &path, &w.admin, Some(body)).await;
    assert_eq!(made.status, 201, "{}", made.text);
    made
}

async fn on_call(w: &World, group: &str, at: &str, who: &Person) -> Value {
    let reply = w
        .call(
            Method::GET,
            &format!("/groups/{group}/on-call?at={at}"),
            who,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json
}

async fn a_daily_new_york_shift_is_on_call_at_nine_new_york_time_in_january_and_july(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let carl = &w.basic;
    let g = w
        .group("Database Atlanta", &[(carl, json!({"primary": true}))])
        .await;
    let shift = json!({"name": "Days", "starts_at": "2027-01-04T09:00", "time_zone": "America/New_York",
                       "duration_minutes": 480, "repeat": "daily", "user_ids": [carl.id]});
    let made = create_shift(&w, &g, shift).await;
    let shift_id = made.json["id"].as_str().unwrap().to_owned();
    let expected = json!({
        "id": shift_id, "group_id": g, "name": "Days",
        "starts_at": "2027-01-04T09:00:00-05:00", "time_zone": "America/New_York",
        "duration_minutes": 480, "repeat": "daily", "user_ids": [carl.id],
    });
    assert_eq!(made.json, expected);
    let read = w
        .call(
            Method::GET,
            &format!("/groups/{g}/shifts/{shift_id}"),
            carl,
            None,
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json, expected, "GET reads one shift");

    let carl_on = json!([{
        "user_id": carl.id, "name": "carl Tester", "via": "shift", "shift_id": shift_id,
        "reachable": true,
    }]);
    // 14:30Z in January is 09:30 EST; 13:30Z in July is 09:30 EDT; 21:30Z in July is 17:30 EDT,
    // half an hour after the shift ends. Carl (basic, a member) and the viewer may both ask.
    for (at, who, answer) in [
        ("2027-01-15T14:30:00Z", carl, carl_on.clone()),
        ("2027-07-15T13:30:00Z", &w.viewer, carl_on.clone()),
        ("2027-07-15T21:30:00Z", carl, json!([])),
        ("2027-07-15T12:30:00Z", carl, json!([])),
        ("2027-01-15T21:30:00Z", carl, carl_on.clone()),
    ] {
        let body = on_call(&w, &g, at, who).await;
        assert_eq!(body, json!({"at": at, "responders": answer}), "at {at}");
    }
    let now = w
        .call(Method::GET, &format!("/groups/{g}/on-call"), carl, None)
        .await;
    assert_eq!(now.status, 200, "{}", now.text);
    assert!(now.json["at"].is_string(), "defaults to now: {}", now.text);
    let bad = w
        .call(
            Method::GET,
            &format!("/groups/{g}/on-call?at=tomorrow"),
            carl,
            None,
        )
        .await;
    assert_problem(&bad, 422);
    assert_eq!(bad.json["errors"][0]["field"], "at");
    let unknown = w
        .call(
            Method::GET,
            &format!("/groups/{g}/shifts/{}", ulid::Ulid::generate()),
            carl,
            None,
        )
        .await;
    assert_problem(&unknown, 404);
}

async fn a_shift_start_is_a_local_time_whose_offset_must_agree_with_its_zone(store: &TestStore) {
    let w = World::new(store).await;
    let carl = &w.basic;
    let g = w.group("Zones", &[(carl, json!({"primary": true}))]).await;
    let create = |body: Value| {
        let path = format!("/groups/{g}/shifts");
        let w = &w;
        async move { w.call(Method::POST, &path, &w.admin, Some(body)).await }
    };
    let shift = |starts_at: &str, zone: &str| {
        json!({"name": "Days", "starts_at": starts_at, "time_zone": zone, "duration_minutes": 60,
               "repeat": "daily", "user_ids": [carl.id]})
    };

    // An offset that is not the zone's at that instant (July in New York is -04:00).
    let wrong = create(shift("2027-07-01T09:00:00-05:00", "America/New_York")).await;
    assert_problem(&wrong, 422);
    assert_eq!(
        wrong.json["errors"][0]["field"], "starts_at",
        "{}",
        wrong.text
    );
    assert!(
        wrong.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("America/New_York is at -04"),
        "{}",
        wrong.text
    );
    // An unknown zone and a missing start, both named at once.
    let both =
        create(json!({"name": "Days", "time_zone": "Mars/Olympus_Mons", "duration_minutes": 60}))
            .await;
    assert_problem(&both, 422);
    let fields: Vec<&str> = both.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["time_zone", "starts_at"], "{}", both.text);

    // The zone's own offset, a local time, and an instant in Z all read the same.
    for starts_at in [
        "2027-07-01T09:00:00-04:00",
        "2027-07-01T09:00",
        "2027-07-01T13:00:00Z",
    ] {
        let made = create(shift(starts_at, "America/New_York")).await;
        assert_eq!(made.status, 201, "{starts_at}: {}", made.text);
        assert_eq!(
            made.json["starts_at"], "2027-07-01T09:00:00-04:00",
            "{starts_at}"
        );
    }
    // No zone: UTC.
    let utc =
        create(json!({"name": "Days", "starts_at": "2027-07-01T09:00", "duration_minutes": 60}))
            .await;
    assert_eq!(utc.status, 201, "{}", utc.text);
    assert_eq!(utc.json["time_zone"], "UTC");
    assert_eq!(utc.json["starts_at"], "2027-07-01T09:00:00+00:00");

    // 02:30 does not exist in New York on 2027-03-14: the first occurrence moves forward by the
    // gap, and the next day is 02:30 again.
    let gap = create(shift("2027-03-14T02:30", "America/New_York")).await;
    assert_eq!(gap.status, 201, "{}", gap.text);
    assert_eq!(gap.json["starts_at"], "2027-03-14T03:30:00-04:00");
    let gap_id = gap.json["id"].as_str().unwrap().to_owned();
    let on = |body: &Value| -> Vec<String> {
        body["responders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["shift_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(on(&on_call(&w, &g, "2027-03-14T07:45:00Z", carl).await).contains(&gap_id));
    assert!(on(&on_call(&w, &g, "2027-03-15T06:45:00Z", carl).await).contains(&gap_id));

    // Changing the zone alone keeps the wall-clock time.
    let moved = w
        .call(
            Method::PATCH,
            &format!("/groups/{g}/shifts/{gap_id}"),
            &w.admin,
            Some(json!({"time_zone": "Europe/London"})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["starts_at"], "2027-03-14T02:30:00+00:00");
    assert_eq!(moved.json["time_zone"], "Europe/London");
}

async fn an_absent_member_is_replaced_by_their_cover_for_the_group_or_listed_unreachable(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (ann, bob, dee) = (
        w.new_target("ann").await,
        w.new_target("ben").await,
        w.new_target("dee").await,
    );
    let g = w
        .group(
            "Payments",
            &[
                (&ann, json!({"primary": true})),
                (&bob, json!({"secondary": true})),
            ],
        )
        .await;
    let other = w.group("Other", &[(&bob, json!({"primary": true}))]).await;
    let shift = json!({"name": "All day", "starts_at": "2027-01-01T00:00", "duration_minutes": 1440,
                       "repeat": "daily", "user_ids": [ann.id, bob.id]});
    let made = create_shift(&w, &g, shift).await;
    let shift_id = made.json["id"].as_str().unwrap().to_owned();
    // Ann is covered for this group by Dee (not a member); Bob only for another group.
    let away = |person: &Person, group: &str| {
        let input = OutOfOfficeInput {
            starts_at: Some("2027-02-01T00:00:00Z".into()),
            ends_at: Some("2027-02-08T00:00:00Z".into()),
            cover: Some(CoverInput {
                all: None,
                groups: Some([(group.to_owned(), dee.id.clone())].into()),
            }),
        };
        let id = UserId::parse(&person.id).unwrap();
        let roster = w.roster.clone();
        async move {
            roster
                .add_out_of_office(&acme(), &id, &input)
                .await
                .unwrap()
        }
    };
    away(&ann, &g).await;
    away(&bob, &other).await;
    let body = on_call(&w, &g, "2027-02-03T12:00:00Z", &w.viewer).await;
    assert_eq!(
        body,
        json!({"at": "2027-02-03T12:00:00Z", "responders": [
            {"user_id": dee.id, "name": "dee Target", "via": "cover", "shift_id": shift_id,
             "covering_for": ann.id, "reachable": true},
            {"user_id": bob.id, "name": "ben Target", "via": "shift", "shift_id": shift_id,
             "reachable": false, "reason": "out-of-office"},
        ]})
    );
    let before = on_call(&w, &g, "2027-01-20T12:00:00Z", &w.viewer).await;
    let ids: Vec<&str> = before["responders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [ann.id.as_str(), bob.id.as_str()],
        "primary, then secondary"
    );
}

async fn a_shift_stored_before_time_zones_keeps_its_utc_meaning(store: &TestStore) {
    let w = World::new(store).await;
    let carl = &w.basic;
    let g = w.group("Legacy", &[(carl, json!({"primary": true}))]).await;
    // A shift item as the previous release wrote it: an instant, no zone, no local time.
    let shift_id = ShiftId::from_ulid(ulid::Ulid::generate());
    let group_id = GroupId::parse(&g).unwrap();
    let account = AccountId::parse("acme").unwrap();
    let legacy = json!({
        "id": shift_id, "group_id": g, "name": "Nights", "starts_at": "2026-03-01T14:00:00Z",
        "duration_minutes": 480, "repeat": "daily", "user_ids": [carl.id],
    });
    let item = Item::from_body(keys::shift(&account, &group_id, &shift_id), 1, &legacy).unwrap();
    store
        .table
        .transact(vec![Write::put(item, Condition::MustNotExist)])
        .await
        .unwrap();
    let path = format!("/groups/{g}/shifts/{shift_id}");
    let read = w.call(Method::GET, &path, carl, None).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json["time_zone"], "UTC");
    assert_eq!(read.json["starts_at"], "2026-03-01T14:00:00+00:00");
    // Every 24 hours in UTC, summer or winter: 14:30Z is on, 13:30Z is not.
    for (at, on) in [
        ("2026-07-01T14:30:00Z", true),
        ("2026-07-01T13:30:00Z", false),
        ("2026-12-01T21:59:00Z", true),
    ] {
        let body = on_call(&w, &g, at, carl).await;
        assert_eq!(
            !body["responders"].as_array().unwrap().is_empty(),
            on,
            "{at}: {body}"
        );
    }
    // A change writes it back in the new shape, meaning the same.
    let renamed = w
        .call(
            Method::PATCH,
            &path,
            &w.admin,
            Some(json!({"name": "Late"})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json["starts_at"], "2026-03-01T14:00:00+00:00");
    let stored = store
        .table
        .get(&keys::shift(&account, &group_id, &shift_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attrs["time_zone"], "UTC");
    assert_eq!(stored.attrs["starts_local"], "2026-03-01T14:00:00");
    assert_eq!(stored.attrs["starts_at"], "2026-03-01T14:00:00Z");
}

/// The answer reads the group with everything under it in one query, then only the people it
/// can involve: those scheduled (one BatchGetItem per 100) and, when one of them is away, the
/// covers not among them (one more per 100). A group of 200 members and 50 shifts, with every
/// twentieth member away, covered by a member or by someone outside the group.
#[tokio::test]
async fn on_call_reads_the_group_once_and_the_people_involved_in_batches_of_100() {
    let store = TestStore::sqlite().await;
    let live = rota(200, 50, 45);
    seed(store.table.as_ref(), &live).await;
    let account = live.account.as_ref().unwrap().id.clone();
    let group = live.groups[0].id.clone();
    let everyone = oncall::people(&live.users);
    let whole = Rota::new(&group, &live.memberships, &live.shifts);
    let seen = Seen::default();
    let observed = observed_roster(&store, &seen);
    let mut asked = 0;
    let mut outside_covers = 0;
    let mut over_a_hundred = 0;
    let mut hour: jiff::Timestamp = "2027-03-01T00:00:00Z".parse().unwrap();
    while asked < 48 {
        let scheduled = whole.scheduled(hour).len();
        let mut read = oncall::People::new();
        for s in whole.scheduled(hour) {
            read.insert(s.user_id.clone(), everyone[s.user_id].clone());
        }
        let covers = whole.covers_to_read(hour, &read).len();
        let answer = observed
            .on_call(&Actor::Operator(account.clone()), &group, Some(hour))
            .await
            .unwrap();
        assert_eq!(
            answer.responders,
            whole.responders(hour, &everyone),
            "at {hour}: the same answer as with everyone read"
        );
        let (_, requests) = seen.take();
        assert_eq!(
            requests,
            Requests {
                query: 1,
                batch_get_item: scheduled.div_ceil(100) + covers.div_ceil(100),
                ..Requests::default()
            },
            "at {hour}: {scheduled} scheduled, {covers} covers outside them"
        );
        outside_covers += usize::from(covers > 0);
        over_a_hundred += usize::from(scheduled > 100);
        hour += jiff::SignedDuration::from_mins(30 * 60 + 7);
        asked += 1;
    }
    assert!(outside_covers > 0, "some instants needed a batch of covers");
    assert!(
        over_a_hundred > 0,
        "some instants had more than 100 people scheduled"
    );
}
