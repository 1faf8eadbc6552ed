//! Contact methods, push devices and platform roles over HTTP (SPEC.md §1, §2, §4), on both
//! stores: races, escalation attempts, and the shapes the API answers.

use http::Method;
use roster_tests::{TestStore, for_each_store};
use serde_json::json;

use crate::world::{World, assert_problem};

for_each_store!(
    ten_parallel_adds_of_one_kind_have_exactly_one_winner,
    a_basic_user_cannot_make_themself_an_admin,
    get_user_shows_roles_and_the_ordered_sequence,
    bulk_assignment_reports_each_user,
);

async fn ten_parallel_adds_of_one_kind_have_exactly_one_winner(store: &TestStore) {
    let w = World::new(store).await;
    let target = w.new_target("racer").await;
    let path = format!("/users/{}/contact-methods", target.id);
    let mut tasks = Vec::new();
    for n in 0..10 {
        let http = w.server.http.clone();
        let (path, token) = (path.clone(), w.admin.token.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"method": "sms-personal", "value": format!("+1 404 555 01{n:02}")});
            http.call(Method::POST, &path, Some(&token), Some(body))
                .await
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().status);
    }
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    let user = w.stored(&target).await;
    let sms: Vec<_> = user
        .contact_methods
        .iter()
        .filter(|m| m.method.id() == "sms-personal")
        .collect();
    assert_eq!(sms.len(), 1, "one sms-personal method stored");
}

async fn a_basic_user_cannot_make_themself_an_admin(store: &TestStore) {
    let w = World::new(store).await;
    let me = w.new_target("climber").await;
    let before = w.stored(&me).await;
    for role in ["app-admin", "App Admin"] {
        let reply = w
            .call(
                Method::POST,
                &format!("/users/{}/roles", me.id),
                &me,
                Some(json!({"role": role})),
            )
            .await;
        assert_problem(&reply, 403);
        assert_eq!(reply.json["missing_right"], json!("app-admin"));
    }
    let bulk = w
        .call(
            Method::POST,
            "/roles/app-admin/assignments",
            &me,
            Some(json!({"user_ids": [me.id]})),
        )
        .await;
    assert_problem(&bulk, 403);
    // Nor by editing the profile.
    let patch = w
        .patch_user(&me, &me, json!({"roles": ["app-admin"]}))
        .await;
    assert_problem(&patch, 422);
    let after = w.stored(&me).await;
    assert_eq!(after.roles, before.roles, "roles unchanged");
    assert_eq!(after.version, before.version, "nothing written");
    // Even an admin cannot add a role to themself.
    let reply = w
        .call(
            Method::POST,
            &format!("/users/{}/roles", w.admin.id),
            &w.admin,
            Some(json!({"role": "billing-admin"})),
        )
        .await;
    assert_problem(&reply, 403);
}

async fn get_user_shows_roles_and_the_ordered_sequence(store: &TestStore) {
    let w = World::new(store).await;
    let t = w.new_target("seq").await;
    let base = format!("/users/{}", t.id);
    let add = |method: &str, value: &str| json!({"method": method, "value": value, "wait_minutes": 5, "retries": 2});
    let added = w
        .call(
            Method::POST,
            &format!("{base}/contact-methods"),
            &t,
            Some(add("Phone-Official-Mobile", "+1 (404) 555-0101")),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json["method"], json!("phone-official-mobile"));
    assert_eq!(
        added.json["value"],
        json!("+14045550101"),
        "normalised to E.164"
    );
    let device = w
        .call(
            Method::POST,
            &format!("{base}/devices"),
            &t,
            Some(json!({"device_token": "tok-1", "platform": "android"})),
        )
        .await;
    assert_eq!(device.status, 201, "{}", device.text);
    let again = w
        .call(
            Method::POST,
            &format!("{base}/devices"),
            &t,
            Some(json!({"device_token": "tok-1", "platform": "android"})),
        )
        .await;
    assert_eq!(again.status, 200);
    let order =
        json!({"order": ["push", "phone-official-mobile", "email-official", "email-personal"]});
    let reordered = w
        .call(
            Method::PUT,
            &format!("{base}/contact-methods/order"),
            &t,
            Some(order),
        )
        .await;
    assert_eq!(reordered.status, 200, "{}", reordered.text);
    let bad_order = json!({"order": ["push", "email-official"]});
    let refused = w
        .call(
            Method::PUT,
            &format!("{base}/contact-methods/order"),
            &t,
            Some(bad_order),
        )
        .await;
    assert_problem(&refused, 422);
    let removed = w
        .call(
            Method::DELETE,
            &format!("{base}/contact-methods/phone-official-mobile"),
            &t,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let assigned = w
        .call(
            Method::POST,
            &format!("{base}/roles"),
            &w.admin,
            Some(json!({"role": "System Viewer"})),
        )
        .await;
    assert_eq!(
        assigned.json["roles"],
        json!(["basic", "send-message", "system-viewer"])
    );

    let profile = w.get_user(&t, &w.admin).await;
    let methods: Vec<&str> = profile.json["contact_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        ["push", "email-official", "email-personal"],
        "dense, in order"
    );
    assert_eq!(
        profile.json["contact_methods"][0]["platform"],
        json!("android")
    );
    assert_eq!(
        profile.json["contact_methods"][1]["value"],
        json!(w.email("seq"))
    );
    assert_eq!(
        profile.json["roles"],
        json!(["basic", "send-message", "system-viewer"])
    );

    let push = w
        .call(
            Method::POST,
            &format!("{base}/contact-methods"),
            &t,
            Some(json!({"method": "push", "value": "x"})),
        )
        .await;
    assert_problem(&push, 422);
    let last = w
        .call(
            Method::DELETE,
            &format!("{base}/roles/basic"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(last.status, 200);
    w.call(
        Method::DELETE,
        &format!("{base}/roles/send-message"),
        &w.admin,
        None,
    )
    .await;
    let only = w
        .call(
            Method::DELETE,
            &format!("{base}/roles/system-viewer"),
            &w.admin,
            None,
        )
        .await;
    assert_problem(&only, 409);
}

async fn bulk_assignment_reports_each_user(store: &TestStore) {
    let w = World::new(store).await;
    let a = w.new_target("bulk-a").await;
    let b = w.new_target("bulk-b").await;
    let body =
        json!({"user_ids": [a.id, b.id, w.admin.id, w.other_account_user.id, "not-an-id", a.id]});
    let reply = w
        .call(
            Method::POST,
            "/roles/integrations-admin/assignments",
            &w.admin,
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let statuses: Vec<(String, u64)> = reply.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (a.id.clone(), 200),
            (b.id.clone(), 200),
            (w.admin.id.clone(), 403),
            (w.other_account_user.id.clone(), 404),
            ("not-an-id".to_owned(), 404),
        ],
        "one result per distinct user, in request order"
    );
    assert!(
        w.stored(&a)
            .await
            .roles
            .iter()
            .any(|r| r.id() == "integrations-admin")
    );
    let empty = w
        .call(
            Method::POST,
            "/roles/basic/assignments",
            &w.admin,
            Some(json!({"user_ids": []})),
        )
        .await;
    assert_problem(&empty, 422);
    let before = w.stored(&b).await;
    let blank = w
        .call(
            Method::POST,
            "/roles/send-message/assignments",
            &w.admin,
            Some(json!({"user_ids": [b.id, " "]})),
        )
        .await;
    assert_problem(&blank, 422);
    assert_eq!(blank.json["errors"][0]["field"], json!("user_ids[1]"));
    assert_eq!(w.stored(&b).await.version, before.version, "nobody changed");
    let unknown = w
        .call(
            Method::POST,
            "/roles/owner/assignments",
            &w.admin,
            Some(json!({"user_ids": [a.id]})),
        )
        .await;
    assert_problem(&unknown, 404);
}
