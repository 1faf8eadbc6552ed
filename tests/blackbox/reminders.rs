//! On-call reminders (SPEC §10) from runs of the reminder use case on both stores: once per
//! person, occurrence and offset, whatever overlaps, fails or crashes.

use std::sync::Arc;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use roster_domain::access::Actor;
use roster_domain::entities::ContactMethod;
use roster_domain::keys;
use roster_domain::ports::clock::{Clock, FixedClock, UlidSource};
use roster_domain::ports::mailer::{MailError, Mailer, Message};
use roster_domain::ports::push::Endpoint;
use roster_domain::ports::table::{Condition, Query, Write, query_all};
use roster_domain::usecases::{
    CoverInput, DeviceInput, GroupInput, MemberInput, OutOfOfficeInput, PreferencesPatch,
    ReminderInput, ReminderRun, Roster, Settings, ShiftInput, UserPatchInput,
};
use roster_domain::values::{AccountId, ContactMethodKind, UserId};
use roster_tests::{TestStore, for_each_store};

use crate::world::{Person, World};

for_each_store!(
    a_daily_shift_is_mailed_one_reminder_per_occurrence_by_runs_every_five_minutes_two_at_a_time,
    a_covered_occurrence_reminds_the_cover_and_a_deactivated_user_gets_nothing,
    an_ses_outage_keeps_the_reminder_queued_and_the_mail_retry_sends_it_once,
    a_run_that_crashes_after_its_claim_is_finished_by_the_mail_retry_not_by_the_next_run,
    a_shift_stored_before_the_all_shifts_index_is_reminded_of_once_reindexed,
    a_reminder_is_pushed_to_each_device_once_and_a_gone_device_is_dropped_alone,
    a_run_without_the_push_service_leaves_the_push_queued_for_one_with_it,
    ten_devices_are_kept_the_oldest_makes_room_and_dropped_ones_lose_their_endpoints,
    ten_devices_registering_at_once_are_all_kept,
    an_account_whose_reminders_fail_does_not_hold_up_the_others,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

/// An operator of `person`'s account.
fn of(person: &Person) -> Actor {
    Actor::Operator(AccountId::parse(person.account).unwrap())
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The use cases over `store` with `mailer`, at the time `clock` says.
fn roster(store: &TestStore, mailer: Arc<dyn Mailer>, clock: &Arc<FixedClock>) -> Roster {
    Roster::new(
        Arc::clone(&store.table),
        mailer,
        Arc::clone(clock) as _,
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    )
    .with_push(Arc::new(store.push.clone()))
}

/// Gives `person` reminders (`(amount, unit)`), a time zone and a locale.
pub(crate) async fn remind(
    w: &World,
    person: &Person,
    reminders: &[(i64, &str)],
    zone: &str,
    locale: &str,
) {
    let id = UserId::parse(&person.id).unwrap();
    remind_through(&w.roster, &of(person), &id, reminders, zone, locale).await;
}

/// [`remind`] through any use cases (a Lambda test's, a CLI test's store).
pub(crate) async fn remind_through(
    roster: &Roster,
    actor: &Actor,
    user: &UserId,
    reminders: &[(i64, &str)],
    zone: &str,
    locale: &str,
) {
    let patch = UserPatchInput {
        on_call_reminders: Some(
            reminders
                .iter()
                .map(|(amount, unit)| ReminderInput {
                    amount: Some(*amount),
                    unit: Some((*unit).into()),
                })
                .collect(),
        ),
        preferences: Some(PreferencesPatch {
            time_zone: Some(zone.into()),
            locale: Some(locale.into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    roster.update_user(actor, user, &patch, None).await.unwrap();
}

/// A group `name` with `people` (of one account) as primary members, on a daily eight-hour
/// shift from `starts_local` in `zone`.
pub(crate) async fn daily_shift(
    w: &World,
    name: &str,
    people: &[&Person],
    starts_local: &str,
    zone: &str,
) {
    let ids: Vec<UserId> = people
        .iter()
        .map(|p| UserId::parse(&p.id).unwrap())
        .collect();
    daily_shift_through(&w.roster, &of(people[0]), name, &ids, starts_local, zone).await;
}

/// [`daily_shift`] through any use cases.
pub(crate) async fn daily_shift_through(
    roster: &Roster,
    actor: &Actor,
    name: &str,
    people: &[UserId],
    starts_local: &str,
    zone: &str,
) {
    let group = roster
        .create_group(
            actor,
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
    for id in people {
        roster
            .put_member(actor, &group.id, id, &primary)
            .await
            .unwrap();
    }
    let shift = ShiftInput {
        name: Some("Days".into()),
        starts_at: Some(starts_local.into()),
        time_zone: Some(zone.into()),
        duration_minutes: Some(480),
        repeat: Some("daily".into()),
        user_ids: Some(people.iter().map(ToString::to_string).collect()),
    };
    roster.create_shift(actor, &group.id, &shift).await.unwrap();
}

/// Rita, reminded an hour before each shift, on the group Payments' daily shift from 09:00 UTC
/// (12 March 2027 on), reading times in `locale`.
async fn rita_on_a_daily_shift(w: &World, locale: &str) -> Person {
    let rita = w.new_target("rita").await;
    remind(w, &rita, &[(1, "hours")], "UTC", locale).await;
    daily_shift(w, "Payments", &[&rita], "2027-03-12T09:00", "UTC").await;
    rita
}

/// Registers Rita's phone (device token `rita-phone`) on `platform`: her push method.
async fn register_phone(w: &World, rita: &Person, platform: &str) -> ContactMethod {
    register_device(w, rita, "rita-phone", platform).await
}

async fn register_device(w: &World, rita: &Person, token: &str, platform: &str) -> ContactMethod {
    let id = UserId::parse(&rita.id).unwrap();
    let device = DeviceInput {
        device_token: Some(token.into()),
        platform: Some(platform.into()),
    };
    w.roster
        .register_device(&acme(), &id, &device)
        .await
        .unwrap()
        .0
}

fn reminders_to(store: &TestStore, w: &World, name: &str) -> Vec<Message> {
    store
        .mail
        .sent_to(&w.email(name))
        .into_iter()
        .filter(|m| m.subject.starts_with("On call in "))
        .collect()
}

fn add(total: &mut ReminderRun, run: &ReminderRun) {
    total.due += run.due;
    total.sent += run.sent;
    total.queued += run.queued;
    total.already_sent += run.already_sent;
}

async fn a_daily_shift_is_mailed_one_reminder_per_occurrence_by_runs_every_five_minutes_two_at_a_time(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let rita = w.new_target("rita").await;
    remind(&w, &rita, &[(1, "hours")], "America/New_York", "en-US").await;
    daily_shift(
        &w,
        "Payments",
        &[&rita],
        "2027-03-12T09:00",
        "America/New_York",
    )
    .await;
    register_phone(&w, &rita, "ios").await;
    let clock = Arc::new(FixedClock::new(at("2027-03-13T00:00:00Z")));
    let first = roster(store, Arc::new(store.mail.clone()), &clock);
    let second = Roster::new(
        store.open_another().await,
        Arc::new(store.mail.clone()),
        Arc::clone(&clock) as _,
        Arc::new(UlidSource::default()),
        Settings {
            app_url: "https://app.test".into(),
        },
    )
    .with_push(Arc::new(store.push.clone()));
    // Runs every five minutes, each started twice at once, through the three hours around
    // each of two mornings: before and after the night New York's clocks go forward.
    let mut total = ReminderRun::default();
    for (from, to) in [
        ("2027-03-13T11:30:00Z", "2027-03-13T14:30:00Z"),
        ("2027-03-14T10:30:00Z", "2027-03-14T13:30:00Z"),
    ] {
        let clock_at = at(from);
        clock.advance(clock_at - clock.now());
        while clock.now() < at(to) {
            let (a, b) = tokio::join!(
                first.send_due_reminders(None),
                second.send_due_reminders(None)
            );
            add(&mut total, &a.unwrap());
            add(&mut total, &b.unwrap());
            clock.advance(SignedDuration::from_mins(5));
        }
    }
    let mail = reminders_to(store, &w, "rita");
    let subjects: Vec<&str> = mail.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects, ["On call in 1 hour: Payments, Days"; 2],
        "one reminder per occurrence"
    );
    assert!(
        mail[0]
            .text
            .contains("from Sat, Mar 13, 2027, 9:00 AM EST to Sat, Mar 13, 2027, 5:00 PM EST"),
        "{}",
        mail[0].text
    );
    assert!(
        mail[1]
            .text
            .contains("from Sun, Mar 14, 2027, 9:00 AM EDT to Sun, Mar 14, 2027, 5:00 PM EDT"),
        "{}",
        mail[1].text
    );
    assert!(
        mail[0].text.contains("On-Call Reminder"),
        "{}",
        mail[0].text
    );
    let pushed: Vec<String> = store.push.sent().into_iter().map(|(_, m)| m.body).collect();
    assert_eq!(
        pushed,
        [
            "Payments (Days) from Sat, Mar 13, 2027, 9:00 AM EST",
            "Payments (Days) from Sun, Mar 14, 2027, 9:00 AM EDT",
        ],
        "one push to the device per occurrence"
    );
    // Each reminder was due in two consecutive runs, each started twice: found four times,
    // sent once.
    assert_eq!(
        (total.due, total.sent, total.queued, total.already_sent),
        (8, 2, 0, 6)
    );
}

async fn a_covered_occurrence_reminds_the_cover_and_a_deactivated_user_gets_nothing(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (rita, bruno, dora) = (
        w.new_target("rita").await,
        w.new_target("bruno").await,
        w.new_target("dora").await,
    );
    remind(&w, &rita, &[(1, "hours")], "UTC", "en-US").await;
    remind(&w, &bruno, &[(30, "minutes")], "Europe/Lisbon", "pt-PT").await;
    remind(&w, &dora, &[(1, "hours")], "UTC", "en-US").await;
    daily_shift(&w, "Payments", &[&rita, &dora], "2027-03-12T09:00", "UTC").await;
    let away = OutOfOfficeInput {
        starts_at: Some("2027-03-13T00:00:00Z".into()),
        ends_at: Some("2027-03-14T00:00:00Z".into()),
        cover: Some(CoverInput {
            all: Some(bruno.id.clone()),
            groups: None,
        }),
    };
    w.roster
        .add_out_of_office(&acme(), &UserId::parse(&rita.id).unwrap(), &away)
        .await
        .unwrap();
    let off = UserPatchInput {
        active: Some(false),
        ..Default::default()
    };
    w.roster
        .update_user(&acme(), &UserId::parse(&dora.id).unwrap(), &off, None)
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(at("2027-03-13T06:00:00Z")));
    let run = roster(store, Arc::new(store.mail.clone()), &clock);
    while clock.now() < at("2027-03-13T10:00:00Z") {
        run.send_due_reminders(None).await.unwrap();
        clock.advance(SignedDuration::from_mins(5));
    }
    let to_bruno = reminders_to(store, &w, "bruno");
    assert_eq!(to_bruno.len(), 1, "{to_bruno:?}");
    assert_eq!(to_bruno[0].subject, "On call in 30 minutes: Payments, Days");
    assert!(
        to_bruno[0]
            .text
            .contains("from Sat 13 Mar 2027 09:00 WET to Sat 13 Mar 2027 17:00 WET. You cover for rita Target."),
        "{}",
        to_bruno[0].text
    );
    assert_eq!(reminders_to(store, &w, "rita"), []);
    assert_eq!(reminders_to(store, &w, "dora"), []);
}

async fn an_ses_outage_keeps_the_reminder_queued_and_the_mail_retry_sends_it_once(
    store: &TestStore,
) {
    let w = World::new(store).await;
    rita_on_a_daily_shift(&w, "en-US").await;
    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let run = roster(store, Arc::new(store.mail.clone()), &clock);
    store.mail.fail(true);
    let failed = run.send_due_reminders(None).await.unwrap();
    assert_eq!((failed.due, failed.sent, failed.queued), (1, 0, 1));
    clock.advance(SignedDuration::from_mins(5));
    let next = run.send_due_reminders(None).await.unwrap();
    assert_eq!(
        (next.due, next.sent, next.already_sent),
        (1, 0, 1),
        "the next run does not queue it again"
    );
    store.mail.fail(false);
    let retried = run.retry_pending_mail().await.unwrap();
    assert_eq!(retried.sent, 1);
    assert_eq!(run.retry_pending_mail().await.unwrap().sent, 0);
    assert_eq!(reminders_to(store, &w, "rita").len(), 1);
}

/// A mailer whose send never finishes: the process dies there.
struct Hangs;

#[async_trait]
impl Mailer for Hangs {
    async fn send(&self, _: &Message) -> Result<(), MailError> {
        std::future::pending().await
    }
}

async fn a_run_that_crashes_after_its_claim_is_finished_by_the_mail_retry_not_by_the_next_run(
    store: &TestStore,
) {
    let w = World::new(store).await;
    rita_on_a_daily_shift(&w, "en-US").await;
    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let crashing = roster(store, Arc::new(Hangs), &clock);
    let crashed = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        crashing.send_due_reminders(None),
    )
    .await;
    assert!(crashed.is_err(), "the run stops inside the send");
    let run = roster(store, Arc::new(store.mail.clone()), &clock);
    clock.advance(SignedDuration::from_mins(1));
    assert_eq!(run.send_due_reminders(None).await.unwrap().already_sent, 1);
    assert_eq!(
        run.retry_pending_mail().await.unwrap().sent,
        0,
        "the crashed run's lease still holds"
    );
    clock.advance(SignedDuration::from_mins(2));
    assert_eq!(run.retry_pending_mail().await.unwrap().sent, 1);
    assert_eq!(reminders_to(store, &w, "rita").len(), 1);
}

async fn a_shift_stored_before_the_all_shifts_index_is_reminded_of_once_reindexed(
    store: &TestStore,
) {
    let w = World::new(store).await;
    rita_on_a_daily_shift(&w, "en-US").await;
    // As an earlier release stored it: the same item, off the index.
    let account = AccountId::parse("acme").unwrap();
    let items = query_all(
        store.table.as_ref(),
        Query::partition(keys::account_pk(&account)).prefix(keys::GROUP_PREFIX),
    )
    .await
    .unwrap();
    let mut shift = items
        .into_iter()
        .find(|i| i.key.sk.contains("#SHIFT#"))
        .unwrap();
    shift.index = None;
    let version = shift.version;
    store
        .table
        .transact(vec![Write::put(shift, Condition::VersionIs(version))])
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let run = roster(store, Arc::new(store.mail.clone()), &clock);
    assert_eq!(run.send_due_reminders(None).await.unwrap().shifts, 0);

    let done = run.reindex(&account).await.unwrap();
    assert_eq!((done.shifts, done.shifts_added), (1, 1));
    assert_eq!(run.reindex(&account).await.unwrap().shifts_added, 0);
    let reminded = run.send_due_reminders(None).await.unwrap();
    assert_eq!((reminded.shifts, reminded.sent), (1, 1));
    assert_eq!(reminders_to(store, &w, "rita").len(), 1);
}

/// Every registered device gets every reminder (SPEC §4: a phone and a tablet); a device the
/// push service says is gone is dropped alone, its endpoint deleted, and the other one still
/// gets the next day's.
async fn a_reminder_is_pushed_to_each_device_once_and_a_gone_device_is_dropped_alone(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let rita = rita_on_a_daily_shift(&w, "en-GB").await;
    register_phone(&w, &rita, "ios").await;
    let method = register_device(&w, &rita, "rita-tablet", "android").await;
    let (phone, tablet) = (
        Endpoint("test:ios:rita-phone".into()),
        Endpoint("test:android:rita-tablet".into()),
    );
    let endpoints: Vec<_> = method.devices.iter().map(|d| d.endpoint.clone()).collect();
    assert_eq!(endpoints, [Some(phone.clone()), Some(tablet.clone())]);

    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let run = roster(store, Arc::new(store.mail.clone()), &clock);
    let first = run.send_due_reminders(None).await.unwrap();
    clock.advance(SignedDuration::from_mins(5));
    let again = run.send_due_reminders(None).await.unwrap();
    assert_eq!((first.pushes_sent, again.pushes_sent), (2, 0));
    let mut pushed = store.push.sent();
    pushed.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(
        pushed.iter().map(|p| p.0.clone()).collect::<Vec<_>>(),
        [tablet.clone(), phone.clone()],
        "{pushed:?}"
    );
    for (_, message) in &pushed {
        assert_eq!(message.title, "On call in 1 hour");
        assert_eq!(
            message.body,
            "Payments (Days) from Sat 13 Mar 2027 09:00 UTC"
        );
    }

    // The app was removed from the phone: the next day's push finds it gone.
    store.push.make_gone(&phone);
    clock.advance(at("2027-03-14T08:00:00Z") - clock.now());
    let gone = run.send_due_reminders(None).await.unwrap();
    assert_eq!(
        (gone.sent, gone.pushes_sent, gone.pushes_dropped),
        (1, 1, 1)
    );
    assert_eq!(store.push.forgotten(), std::slice::from_ref(&phone));
    let stored = w.stored(&rita).await;
    let push_method = stored
        .contact_methods
        .iter()
        .find(|m| m.method == ContactMethodKind::Push)
        .unwrap();
    let left: Vec<_> = push_method
        .devices
        .iter()
        .map(|d| d.token.as_str())
        .collect();
    assert_eq!(left, ["rita-tablet"], "the gone device alone is dropped");
    assert_eq!(
        run.retry_pending_mail().await.unwrap().sent,
        0,
        "a dropped push is never retried"
    );
    clock.advance(at("2027-03-15T08:00:00Z") - clock.now());
    let after = run.send_due_reminders(None).await.unwrap();
    assert_eq!(
        (after.sent, after.pushes_sent, after.pushes_dropped),
        (1, 1, 0),
        "the email and the tablet's push still go; nothing to the dropped phone"
    );
    let to_phone = store.push.sent().iter().filter(|p| p.0 == phone).count();
    assert_eq!(to_phone, 1);
}

/// SPEC §4: up to 10 devices, each its own endpoint, all under one `push` method at the end of
/// the sequence; an eleventh makes the oldest one room (its endpoint deleted); the same device
/// again changes nothing; removing the method deletes every endpoint.
async fn ten_devices_are_kept_the_oldest_makes_room_and_dropped_ones_lose_their_endpoints(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let rita = rita_on_a_daily_shift(&w, "en-GB").await;
    for n in 0..10 {
        let method = register_device(&w, &rita, &format!("tablet-{n}"), "android").await;
        assert_eq!(method.devices.len(), n + 1);
    }
    let endpoint = |n: usize| Endpoint(format!("test:android:tablet-{n}"));
    let eleventh = register_device(&w, &rita, "tablet-10", "android").await;
    let endpoints: Vec<_> = eleventh
        .devices
        .iter()
        .filter_map(|d| d.endpoint.clone())
        .collect();
    assert_eq!(endpoints, (1..=10).map(endpoint).collect::<Vec<_>>());
    assert_eq!(
        store.push.forgotten(),
        [endpoint(0)],
        "the oldest made room"
    );

    let id = UserId::parse(&rita.id).unwrap();
    let again = DeviceInput {
        device_token: Some("tablet-5".into()),
        platform: Some("android".into()),
    };
    let (same, added) = w
        .roster
        .register_device(&acme(), &id, &again)
        .await
        .unwrap();
    assert_eq!((same, added), (eleventh, false));

    let profile = w.get_user(&rita, &w.owner).await;
    let methods = profile.json["contact_methods"].as_array().unwrap();
    let push: Vec<_> = methods.iter().filter(|m| m["method"] == "push").collect();
    assert_eq!(push.len(), 1, "one push method: {}", profile.text);
    assert_eq!(methods.last(), push.first().copied(), "push stays last");
    assert_eq!(push[0]["value"], "tablet-10", "{}", profile.text);
    assert_eq!(push[0]["devices"].as_array().unwrap().len(), 10);
    assert_eq!(
        push[0]["devices"][0],
        serde_json::json!({"device_token": "tablet-1", "platform": "android"})
    );

    w.roster.remove_contact(&acme(), &id, "push").await.unwrap();
    let mut forgotten = store.push.forgotten();
    forgotten.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    let mut expected: Vec<_> = (0..=10).map(endpoint).collect();
    expected.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(
        forgotten, expected,
        "every removed device's endpoint is deleted"
    );
}

/// Registrations race on the user's version: ten devices registering at once are each kept,
/// once, under one `push` method.
async fn ten_devices_registering_at_once_are_all_kept(store: &TestStore) {
    let w = World::new(store).await;
    let rita = rita_on_a_daily_shift(&w, "en-GB").await;
    let racing = (0..10).map(|n| {
        let token = format!("racer-{n}");
        let rita = &rita;
        let w = &w;
        async move { register_device(w, rita, &token, "ios").await }
    });
    futures_util::future::join_all(racing).await;
    let stored = w.stored(&rita).await;
    let push: Vec<&ContactMethod> = stored
        .contact_methods
        .iter()
        .filter(|m| m.method == ContactMethodKind::Push)
        .collect();
    assert_eq!(push.len(), 1);
    let mut tokens: Vec<&str> = push[0].devices.iter().map(|d| d.token.as_str()).collect();
    tokens.sort_unstable();
    let mut expected: Vec<String> = (0..10).map(|n| format!("racer-{n}")).collect();
    expected.sort_unstable();
    assert_eq!(tokens, expected);
}

/// A process with no push service (a CLI run with SES and no platform application named) cannot
/// tell whether a device is still there: it keeps the push queued and the device's endpoint, and
/// a process that has the service sends it.
async fn a_run_without_the_push_service_leaves_the_push_queued_for_one_with_it(store: &TestStore) {
    let w = World::new(store).await;
    let rita = rita_on_a_daily_shift(&w, "en-GB").await;
    register_phone(&w, &rita, "android").await;
    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let without_push = store.roster_at(Arc::clone(&clock) as _);
    let run = without_push.send_due_reminders(None).await.unwrap();
    assert_eq!(
        (
            run.sent,
            run.pushes_sent,
            run.pushes_queued,
            run.pushes_dropped
        ),
        (1, 0, 1, 0)
    );
    assert_eq!(
        without_push.retry_pending_mail().await.unwrap().cancelled,
        0
    );
    let stored = w.stored(&rita).await;
    assert!(
        stored
            .contact_methods
            .iter()
            .flat_map(|m| &m.devices)
            .any(|d| d.endpoint == Some(Endpoint("test:android:rita-phone".into()))),
        "the device keeps its endpoint"
    );
    let with_push = roster(store, Arc::new(store.mail.clone()), &clock);
    assert_eq!(with_push.retry_pending_mail().await.unwrap().sent, 1);
    assert_eq!(store.push.sent().len(), 1);
}

/// One account whose records do not read back (a hand-edited table) fails its own reminders;
/// the run still reminds every other account, and says how many failed.
async fn an_account_whose_reminders_fail_does_not_hold_up_the_others(store: &TestStore) {
    let w = World::new(store).await;
    rita_on_a_daily_shift(&w, "en-US").await;
    let hank = &w.other_account_user;
    remind(&w, hank, &[(1, "hours")], "UTC", "en-US").await;
    daily_shift(&w, "Payments", &[hank], "2027-03-12T09:00", "UTC").await;
    let acme = AccountId::parse("acme").unwrap();
    let broken = roster_domain::ports::table::Item::from_body(
        keys::user(&acme, &UserId::parse("01J00000000000000000000000").unwrap()),
        1,
        &serde_json::json!({"email": "not a user"}),
    )
    .unwrap();
    store
        .table
        .transact(vec![Write::put(broken, Condition::MustNotExist)])
        .await
        .unwrap();
    let clock = Arc::new(FixedClock::new(at("2027-03-13T08:00:00Z")));
    let run = roster(store, Arc::new(store.mail.clone()), &clock)
        .send_due_reminders(None)
        .await
        .unwrap();
    assert_eq!((run.accounts, run.failed_accounts, run.sent), (2, 1, 1));
    assert_eq!(reminders_to(store, &w, "rita"), []);
    let to_hank: Vec<Message> = store
        .mail
        .sent()
        .into_iter()
        .filter(|m| m.to.as_str().starts_with("hank.") && m.subject.starts_with("On call in "))
        .collect();
    assert_eq!(to_hank.len(), 1, "{to_hank:?}");
}
