//! Groups, shifts, the delete guard and out-of-office (SPEC.md §5, §6), on both stores.

use http::Method;
use roster_domain::DomainError;
use roster_domain::access::Actor;
use roster_domain::entities::{ManagedBy, User};
use roster_domain::usecases::{
    CoverInput, GroupInput, MemberInput, NewAccountInput, NewUserInput, OutOfOfficeInput, Roster,
    ShiftInput,
};
use roster_domain::values::{AccountId, GroupId, UserId};
use roster_tests::{TestStore, for_each_store};
use serde_json::json;

use crate::world::{World, assert_problem};

for_each_store!(
    the_delete_story_of_the_seed_end_to_end,
    a_replacement_takes_over_every_shift_in_the_same_operation,
    a_user_in_150_groups_is_deleted_whole,
    groups_keep_an_escalating_member_and_shifts_keep_to_members,
    a_group_manager_runs_their_group_but_not_others,
    out_of_office_entries_never_overlap_and_notify_the_cover,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

async fn account(store: &TestStore) -> Roster {
    let roster = store.roster();
    roster
        .create_account(
            &NewAccountInput {
                id: Some("acme".into()),
                name: Some("Acme".into()),
                seats: None,
                owner: person_input("ana", "Silva"),
            },
            ManagedBy::Api,
        )
        .await
        .unwrap();
    roster
}

fn person_input(first: &str, last: &str) -> NewUserInput {
    NewUserInput {
        email: Some(format!("{first}@acme.example")),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        ..Default::default()
    }
}

async fn person(roster: &Roster, first: &str) -> User {
    roster
        .create_user(&acme(), &person_input(first, "Tester"), ManagedBy::Api)
        .await
        .unwrap()
        .0
}

async fn group(roster: &Roster, name: &str) -> String {
    let input = GroupInput {
        name: Some(name.into()),
    };
    roster
        .create_group(&acme(), &input)
        .await
        .unwrap()
        .id
        .to_string()
}

async fn join(roster: &Roster, group: &str, user: &User, primary: bool) {
    let roles = MemberInput {
        primary: Some(primary),
        secondary: Some(!primary),
        manager: None,
    };
    roster
        .put_member(&acme(), &gid(group), &user.id, &roles)
        .await
        .unwrap();
}

fn gid(raw: &str) -> GroupId {
    GroupId::parse(raw).unwrap()
}

fn shift_input(name: &str, users: &[&User]) -> ShiftInput {
    ShiftInput {
        name: Some(name.into()),
        starts_at: Some("2027-01-04T14:00:00Z".into()),
        time_zone: None,
        duration_minutes: Some(480),
        repeat: Some("weekly".into()),
        user_ids: Some(users.iter().map(|u| u.id.to_string()).collect()),
    }
}

async fn the_delete_story_of_the_seed_end_to_end(store: &TestStore) {
    let w = World::new(store).await;
    let admin = &w.admin;
    let dora = w.create(admin, "dora").await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut groups = Vec::new();
    for name in ["Database Atlanta", "Payments API"] {
        let name = format!("{name} {}", w.tag);
        let created = w
            .call(Method::POST, "/groups", admin, Some(json!({"name": name})))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["id"].as_str().unwrap().to_owned();
        let joined = w
            .call(
                Method::PUT,
                &format!("/groups/{id}/members/{dora}"),
                admin,
                Some(json!({"primary": true})),
            )
            .await;
        assert_eq!(joined.status, 201, "{}", joined.text);
        let shift = json!({"name": "Nights", "starts_at": "2027-01-04T22:00:00Z", "duration_minutes": 600,
                           "repeat": "daily", "user_ids": [dora]});
        let shift = w
            .call(
                Method::POST,
                &format!("/groups/{id}/shifts"),
                admin,
                Some(shift),
            )
            .await;
        assert_eq!(shift.status, 201, "{}", shift.text);
        groups.push((id, name, shift.json["id"].as_str().unwrap().to_owned()));
    }
    let profile = w
        .call(Method::GET, &format!("/users/{dora}"), admin, None)
        .await;
    let mut names: Vec<String> = groups.iter().map(|g| g.1.clone()).collect();
    names.sort();
    assert_eq!(
        profile.json["member_of"],
        json!(names),
        "member_of: group names, sorted"
    );

    let refused = w
        .call(Method::DELETE, &format!("/users/{dora}"), admin, None)
        .await;
    assert_problem(&refused, 409);
    let listed: Vec<(String, String)> = refused.json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["group"].as_str().unwrap().to_owned(),
                s["shift"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 2, "both shifts named: {}", refused.text);
    for (_, name, _) in &groups {
        assert!(
            listed.contains(&(name.clone(), "Nights".to_owned())),
            "{listed:?}"
        );
    }

    for (group, _, shift) in &groups {
        let off = w
            .call(
                Method::PATCH,
                &format!("/groups/{group}/shifts/{shift}"),
                admin,
                Some(json!({"user_ids": []})),
            )
            .await;
        assert_eq!(off.status, 200, "{}", off.text);
    }
    let deleted = w
        .call(Method::DELETE, &format!("/users/{dora}"), admin, None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    for (group, _, _) in &groups {
        let members = w
            .call(
                Method::GET,
                &format!("/groups/{group}/members"),
                admin,
                None,
            )
            .await;
        assert_eq!(
            members.json["members"],
            json!([]),
            "memberships went with the user"
        );
    }
    let again = w.create(admin, "dora").await;
    assert_eq!(
        again.status, 201,
        "the email is free at once: {}",
        again.text
    );
}

async fn a_replacement_takes_over_every_shift_in_the_same_operation(store: &TestStore) {
    let roster = account(store).await;
    let (leaving, taking) = (person(&roster, "leo").await, person(&roster, "tina").await);
    let (a, b) = (group(&roster, "Alpha").await, group(&roster, "Beta").await);
    for g in [&a, &b] {
        join(&roster, g, &leaving, true).await;
        join(&roster, g, &taking, false).await;
    }
    let first = roster
        .create_shift(&acme(), &gid(&a), &shift_input("A1", &[&leaving]))
        .await
        .unwrap();
    let both = roster
        .create_shift(&acme(), &gid(&b), &shift_input("B1", &[&leaving, &taking]))
        .await
        .unwrap();

    // A stakeholder cannot be on shifts, so cannot replace anyone on them.
    let watcher = NewUserInput {
        user_type: Some("stakeholder".into()),
        ..person_input("wes", "Watcher")
    };
    let (watcher, _) = roster
        .create_user(&acme(), &watcher, ManagedBy::Api)
        .await
        .unwrap();
    let err = roster
        .delete_user(&acme(), &leaving.id, Some(&watcher.id))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DomainError::Validation(e) if e[0].field == "replacement"),
        "{err:?}"
    );
    assert!(
        roster.get_user(&acme(), &leaving.id).await.is_ok(),
        "nothing happened"
    );

    roster
        .delete_user(&acme(), &leaving.id, Some(&taking.id))
        .await
        .unwrap();
    let shifts_a = roster.list_shifts(&acme(), &gid(&a)).await.unwrap();
    let shifts_b = roster.list_shifts(&acme(), &gid(&b)).await.unwrap();
    assert_eq!(shifts_a[0].id, first.id);
    assert_eq!(shifts_a[0].user_ids, vec![taking.id.clone()]);
    assert_eq!(shifts_b[0].id, both.id);
    assert_eq!(
        shifts_b[0].user_ids,
        vec![taking.id.clone()],
        "no duplicate, no hole"
    );
    let taker = roster.get_user(&acme(), &taking.id).await.unwrap().user;
    assert_eq!(
        taker.shifts.len(),
        2,
        "the replacement's record lists both shifts"
    );
    assert!(matches!(
        roster.get_user(&acme(), &leaving.id).await.unwrap_err(),
        DomainError::NotFound { .. }
    ));
}

async fn a_user_in_150_groups_is_deleted_whole(store: &TestStore) {
    let roster = account(store).await;
    let many = person(&roster, "mona").await;
    let keeper = person(&roster, "kay").await;
    let mut groups = Vec::new();
    for n in 0..150 {
        let g = group(&roster, &format!("Group {n:03}")).await;
        join(&roster, &g, &keeper, true).await;
        join(&roster, &g, &many, false).await;
        groups.push(g);
    }
    let profile = roster.get_user(&acme(), &many.id).await.unwrap();
    assert_eq!(profile.member_of.len(), 150);

    roster.delete_user(&acme(), &many.id, None).await.unwrap();
    assert!(roster.get_user(&acme(), &many.id).await.is_err());
    for g in [&groups[0], &groups[75], &groups[149]] {
        let members = roster.list_members(&acme(), &gid(g)).await.unwrap();
        let ids: Vec<&UserId> = members.iter().map(|m| &m.user.id).collect();
        assert_eq!(ids, [&keeper.id]);
    }
    // Every membership item is gone, not only hidden.
    let items = roster_domain::ports::table::query_all(
        store.table.as_ref(),
        roster_domain::ports::table::Query::partition("ACCOUNT#acme").prefix("GROUP#"),
    )
    .await
    .unwrap();
    let left = items
        .iter()
        .filter(|i| i.key.sk.ends_with(many.id.as_str()))
        .count();
    assert_eq!(left, 0, "memberships of the deleted user remain");
    roster
        .create_user(&acme(), &person_input("mona", "Again"), ManagedBy::Api)
        .await
        .expect("the email is free at once");
}

async fn groups_keep_an_escalating_member_and_shifts_keep_to_members(store: &TestStore) {
    let roster = account(store).await;
    let (pia, max) = (person(&roster, "pia").await, person(&roster, "max").await);
    let g = group(&roster, "Database Atlanta").await;
    let dup = roster
        .create_group(
            &acme(),
            &GroupInput {
                name: Some("database ATLANTA".into()),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(dup, DomainError::Conflict { .. }),
        "names are unique regardless of case"
    );

    let manager_only = MemberInput {
        manager: Some(true),
        ..Default::default()
    };
    let err = roster
        .put_member(&acme(), &gid(&g), &pia.id, &manager_only)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "first member must escalate: {err:?}"
    );
    join(&roster, &g, &pia, true).await;
    roster
        .put_member(&acme(), &gid(&g), &max.id, &manager_only)
        .await
        .unwrap();
    let err = roster
        .put_member(&acme(), &gid(&g), &pia.id, &manager_only)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "last primary kept: {err:?}"
    );
    let err = roster
        .remove_member(&acme(), &gid(&g), &pia.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "members remain without one: {err:?}"
    );

    // Shifts: members only, standard users only.
    let mut stake = person_input("sam", "Stake");
    stake.user_type = Some("stakeholder".into());
    let sam = roster
        .create_user(&acme(), &stake, ManagedBy::Api)
        .await
        .unwrap()
        .0;
    roster
        .put_member(
            &acme(),
            &gid(&g),
            &sam.id,
            &MemberInput {
                secondary: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let outsider = person(&roster, "olga").await;
    let err = roster
        .create_shift(
            &acme(),
            &gid(&g),
            &shift_input("Days", &[&pia, &sam, &outsider]),
        )
        .await
        .unwrap_err();
    let DomainError::Validation(errors) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["user_ids[1]", "user_ids[2]"], "{errors:?}");
    let shift = roster
        .create_shift(&acme(), &gid(&g), &shift_input("Days", &[&pia]))
        .await
        .unwrap();

    // On a shift: the membership stays, and so does the group.
    roster
        .put_member(
            &acme(),
            &gid(&g),
            &max.id,
            &MemberInput {
                primary: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let err = roster
        .remove_member(&acme(), &gid(&g), &pia.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::WouldLeaveHoles { .. }),
        "{err:?}"
    );
    let err = roster.delete_group(&acme(), &gid(&g)).await.unwrap_err();
    assert!(matches!(err, DomainError::Conflict { .. }), "{err:?}");
    roster
        .delete_shift(&acme(), &gid(&g), &shift.id)
        .await
        .unwrap();
    roster
        .remove_member(&acme(), &gid(&g), &pia.id)
        .await
        .unwrap();

    // Billing admins belong to no group.
    let mut billing = person_input("bill", "Ing");
    billing.user_type = Some("billing-admin".into());
    let bill = roster
        .create_user(&acme(), &billing, ManagedBy::Api)
        .await
        .unwrap()
        .0;
    let err = roster
        .put_member(
            &acme(),
            &gid(&g),
            &bill.id,
            &MemberInput {
                primary: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)), "{err:?}");

    // Deleting the group takes the members' profiles with it.
    roster.delete_group(&acme(), &gid(&g)).await.unwrap();
    assert!(
        roster
            .get_user(&acme(), &max.id)
            .await
            .unwrap()
            .member_of
            .is_empty()
    );
    assert!(roster.list_groups(&acme()).await.unwrap().is_empty());
}

async fn a_group_manager_runs_their_group_but_not_others(store: &TestStore) {
    let w = World::new(store).await;
    let admin = &w.admin;
    let manager = w.new_target("mgr").await;
    let member = w.new_target("mem").await;
    let mut ids = Vec::new();
    for name in ["Managed", "Other"] {
        let created = w
            .call(
                Method::POST,
                "/groups",
                admin,
                Some(json!({"name": format!("{name} {}", w.tag)})),
            )
            .await;
        ids.push(created.json["id"].as_str().unwrap().to_owned());
    }
    let (managed, other) = (&ids[0], &ids[1]);
    let put = |group: &str, user: &str, roles: serde_json::Value| {
        let path = format!("/groups/{group}/members/{user}");
        (path, roles)
    };
    let (path, roles) = put(
        managed,
        &manager.id,
        json!({"primary": true, "manager": true}),
    );
    assert_eq!(
        w.call(Method::PUT, &path, admin, Some(roles)).await.status,
        201
    );
    // As manager: add a member and put them on a shift of the managed group.
    let (path, roles) = put(managed, &member.id, json!({"secondary": true}));
    let added = w
        .call(Method::PUT, &path, &manager, Some(roles.clone()))
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let shift = json!({"name": "Days", "starts_at": "2027-01-04T14:00:00Z", "duration_minutes": 480, "user_ids": [member.id]});
    let created = w
        .call(
            Method::POST,
            &format!("/groups/{managed}/shifts"),
            &manager,
            Some(shift.clone()),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    // ...but not another group, and not the group's name.
    let (path, _) = put(other, &member.id, json!({}));
    assert_problem(
        &w.call(Method::PUT, &path, &manager, Some(roles)).await,
        403,
    );
    assert_problem(
        &w.call(
            Method::POST,
            &format!("/groups/{other}/shifts"),
            &manager,
            Some(shift),
        )
        .await,
        403,
    );
    assert_problem(
        &w.call(
            Method::PATCH,
            &format!("/groups/{managed}"),
            &manager,
            Some(json!({"name": "Mine"})),
        )
        .await,
        403,
    );
    // Members see each other; the group shows each member's group roles.
    let mate = w.get_user(&manager, &member).await;
    assert_eq!(mate.status, 200, "a fellow member's profile: {}", mate.text);
    let group = w
        .call(Method::GET, &format!("/groups/{managed}"), &member, None)
        .await;
    let roles: Vec<(bool, bool, bool)> = group.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["primary"].as_bool().unwrap(),
                m["secondary"].as_bool().unwrap(),
                m["manager"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [(false, true, false), (true, false, true)],
        "{}",
        group.text
    );
}

async fn out_of_office_entries_never_overlap_and_notify_the_cover(store: &TestStore) {
    let roster = account(store).await;
    let (away, cover, second) = (
        person(&roster, "ava").await,
        person(&roster, "cole").await,
        person(&roster, "sid").await,
    );
    let (a, b) = (group(&roster, "Alpha").await, group(&roster, "Beta").await);
    for g in [&a, &b] {
        join(&roster, g, &away, true).await;
    }
    let entry = |start: &str, end: &str, cover: CoverInput| OutOfOfficeInput {
        starts_at: Some(start.into()),
        ends_at: Some(end.into()),
        cover: Some(cover),
    };
    let all = |user: &User| CoverInput {
        all: Some(user.id.to_string()),
        groups: None,
    };
    let first = roster
        .add_out_of_office(
            &acme(),
            &away.id,
            &entry("2027-02-01T00:00:00Z", "2027-02-08T00:00:00Z", all(&cover)),
        )
        .await
        .unwrap();
    let notices = |to: &str| -> Vec<roster_domain::ports::mailer::Message> {
        let all = store.mail.sent_to(to);
        all.into_iter()
            .filter(|m| m.subject.starts_with("You cover"))
            .collect()
    };
    let mail = notices("cole@acme.example");
    assert_eq!(mail.len(), 1, "the covering user is emailed");
    assert!(
        mail[0].text.contains("ava Tester") && mail[0].text.contains("all of their groups"),
        "{}",
        mail[0].text
    );

    let err = roster
        .add_out_of_office(
            &acme(),
            &away.id,
            &entry("2027-02-07T00:00:00Z", "2027-02-10T00:00:00Z", all(&cover)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "overlap: {err:?}"
    );

    let per_group = CoverInput {
        all: None,
        groups: Some(
            [
                (a.clone(), cover.id.to_string()),
                (b.clone(), second.id.to_string()),
            ]
            .into(),
        ),
    };
    roster
        .add_out_of_office(
            &acme(),
            &away.id,
            &entry("2027-02-08T00:00:00Z", "2027-02-10T00:00:00Z", per_group),
        )
        .await
        .expect("back to back is not overlapping");
    let sid = notices("sid@acme.example");
    assert!(
        sid[0].text.contains("Beta") && !sid[0].text.contains("Alpha"),
        "{}",
        sid[0].text
    );

    for bad in [
        entry("2027-03-02T00:00:00Z", "2027-03-01T00:00:00Z", all(&cover)),
        entry("2027-03-01T00:00:00Z", "2027-03-02T00:00:00Z", all(&away)),
        entry(
            "2027-03-01T00:00:00Z",
            "2027-03-02T00:00:00Z",
            CoverInput {
                all: None,
                groups: None,
            },
        ),
        entry("2020-03-01T00:00:00Z", "2020-03-02T00:00:00Z", all(&cover)),
    ] {
        let err = roster
            .add_out_of_office(&acme(), &away.id, &bad)
            .await
            .unwrap_err();
        assert!(
            matches!(err, DomainError::Validation(_)),
            "{bad:?}: {err:?}"
        );
    }
    let listed = roster.list_out_of_office(&acme(), &away.id).await.unwrap();
    assert_eq!(listed.len(), 2);
    roster
        .remove_out_of_office(&acme(), &away.id, &first.id)
        .await
        .unwrap();
    assert_eq!(
        roster
            .list_out_of_office(&acme(), &away.id)
            .await
            .unwrap()
            .len(),
        1
    );
}
