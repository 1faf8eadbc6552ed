//! `/scim/v2/` over HTTP through `roster serve`, as an identity provider calls it (SPEC §9):
//! its SCIM token as the bearer, answers and errors in `application/scim+json`.

use http::Method;
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::keys;
use roster_domain::ports::table::Write;
use roster_domain::usecases::NewUserInput;
use roster_domain::values::{AccountId, ExternalId, TokenName, UserId};
use roster_tests::{Reply, TestStore, for_each_store};
use serde_json::json;

use crate::world::World;

const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// A SCIM token of account `acme`, and its id.
async fn scim_token(w: &World) -> (String, roster_domain::values::ScimTokenId) {
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let (token, secret) = w
        .roster
        .create_scim_token(&acme, TokenName::parse("okta").unwrap())
        .await
        .unwrap();
    (secret.reveal().to_owned(), token.id)
}

async fn get(w: &World, path: &str, token: Option<&str>) -> Reply {
    w.server.http.call(Method::GET, path, token, None).await
}

async fn delete(w: &World, path: &str, token: &str) -> Reply {
    w.server
        .http
        .call(Method::DELETE, path, Some(token), None)
        .await
}

fn is_scim(reply: &Reply) {
    assert_eq!(
        reply.header("content-type"),
        Some("application/scim+json"),
        "{}",
        reply.text
    );
}

for_each_store!(
    discovery_describes_what_is_served,
    a_missing_wrong_or_revoked_token_is_401_in_scims_error_schema,
    okta_looks_a_user_up_by_username_then_creates_them_without_an_invitation,
    users_list_by_any_filter_in_stable_pages_of_their_own_account_only,
    okta_deactivates_with_a_path_less_patch_keeping_everything_and_reactivates,
    entra_replaces_with_capitalised_ops_and_string_booleans,
    external_id_look_ups_follow_every_change_to_the_id,
    external_ids_set_before_their_entries_existed_are_found_once_indexed,
    email_look_ups_find_a_user_by_any_email_the_provider_sent_through_every_change,
    the_api_leaves_a_provisioned_identity_to_the_identity_provider,
    pushed_groups_add_members_as_secondary_and_never_change_existing_roles,
    emails_and_numbers_are_kept_as_sent_and_the_mobile_is_the_official_mobile,
    a_dump_of_an_account_with_provisioned_users_plans_to_no_change,
    a_delete_that_would_leave_a_hole_is_refused_with_the_blockers,
    concurrent_patches_of_one_user_lose_no_acknowledged_change,
    concurrent_patches_of_one_group_lose_no_acknowledged_change,
    a_mobile_number_the_provider_stops_sending_goes_but_one_the_account_set_stays,
    a_put_of_a_group_makes_its_members_the_ones_listed,
    creating_or_reactivating_past_the_seats_is_refused_over_scim,
);

async fn post(w: &World, path: &str, token: &str, body: serde_json::Value) -> Reply {
    w.server
        .http
        .call(Method::POST, path, Some(token), Some(body))
        .await
}

fn scim_user(w: &World, name: &str) -> serde_json::Value {
    json!({
        "schemas": [USER],
        "userName": w.email(name),
        "name": {"givenName": name, "familyName": "Provisioned"},
        "emails": [{"value": w.email(name), "type": "work", "primary": true}],
        "externalId": format!("00u-{name}"),
        "active": true,
    })
}

async fn okta_looks_a_user_up_by_username_then_creates_them_without_an_invitation(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let email = w.email("olga");
    let lookup =
        format!("/scim/v2/Users?filter=userName%20eq%20%22{email}%22&startIndex=1&count=100");

    let none = get(&w, &lookup, Some(&secret)).await;
    assert_eq!(none.status, 200, "{}", none.text);
    is_scim(&none);
    assert_eq!(
        none.json,
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
               "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []})
    );

    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "olga")).await;
    assert_eq!(made.status, 201, "{}", made.text);
    is_scim(&made);
    let id = made.json["id"].as_str().unwrap().to_owned();
    assert_eq!(made.json["userName"], json!(email));
    assert_eq!(made.json["name"]["givenName"], "olga");
    assert_eq!(made.json["active"], true);
    assert_eq!(made.json["externalId"], "00u-olga");
    assert_eq!(
        made.json["emails"],
        json!([{"value": email, "type": "work", "primary": true}])
    );
    assert_eq!(made.json["meta"]["version"], "W/\"1\"");
    assert_eq!(made.header("etag"), Some("W/\"1\""));
    let location = made.json["meta"]["location"].as_str().unwrap();
    assert!(
        location.ends_with(&format!("/scim/v2/Users/{id}")),
        "{location}"
    );
    assert_eq!(made.header("location"), Some(location));
    // Signing in is the identity provider's: no invitation, active at once, owned by SCIM.
    assert!(w.server.emails_to(&email).await.is_empty());
    let profile = w
        .call(Method::GET, &format!("/users/{id}"), &w.owner, None)
        .await;
    assert_eq!(
        (&profile.json["managed_by"], &profile.json["status"]),
        (&json!("scim"), &json!("active")),
        "{}",
        profile.text
    );

    let found = get(&w, &lookup, Some(&secret)).await;
    assert_eq!(found.json["totalResults"], 1, "{}", found.text);
    assert_eq!(found.json["Resources"][0], made.json);
    let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
    assert_eq!((read.status, &read.json), (200, &made.json));

    // The same userName (in another case) again is a uniqueness conflict.
    let mut again = scim_user(&w, "olga");
    again["userName"] = json!(email.to_uppercase());
    again["emails"] = json!([{"value": w.email("olga2"), "primary": true}]);
    let twice = post(&w, "/scim/v2/Users", &secret, again).await;
    assert_eq!(twice.status, 409, "{}", twice.text);
    is_scim(&twice);
    assert_eq!(twice.json["scimType"], "uniqueness");

    // Created inactive: deactivated at once, and still readable.
    let mut off = scim_user(&w, "paul");
    off["active"] = json!("False");
    let paul = post(&w, "/scim/v2/Users", &secret, off).await;
    assert_eq!(paul.status, 201, "{}", paul.text);
    assert_eq!(paul.json["active"], false);
    let read = get(
        &w,
        &format!("/scim/v2/Users/{}", paul.json["id"].as_str().unwrap()),
        Some(&secret),
    )
    .await;
    assert_eq!(read.json["active"], false);

    let broken = post(
        &w,
        "/scim/v2/Users",
        &secret,
        json!({"schemas": [USER], "userName": "nobody"}),
    )
    .await;
    assert_eq!(broken.status, 400, "{}", broken.text);
    assert_eq!(broken.json["scimType"], "invalidValue");
}

async fn users_list_by_any_filter_in_stable_pages_of_their_own_account_only(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut ids = Vec::new();
    for name in ["ada", "bea", "cid", "dot", "eve"] {
        let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, name)).await;
        assert_eq!(made.status, 201, "{}", made.text);
        ids.push(made.json["id"].as_str().unwrap().to_owned());
    }
    let tag = w
        .email("x")
        .split_once('.')
        .unwrap()
        .1
        .split_once('@')
        .unwrap()
        .0
        .to_owned();
    let filter = format!("emails.value co \"{tag}\" and name.familyName eq \"provisioned\"");
    let query = |start: usize, count: usize| {
        format!(
            "/scim/v2/Users?filter={}&startIndex={start}&count={count}",
            percent_encoding::utf8_percent_encode(&filter, percent_encoding::NON_ALPHANUMERIC)
        )
    };
    let mut seen = Vec::new();
    for start in [1, 3, 5] {
        let page = get(&w, &query(start, 2), Some(&secret)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.json["totalResults"], 5, "{}", page.text);
        assert_eq!(page.json["startIndex"], start);
        for user in page.json["Resources"].as_array().unwrap() {
            seen.push(user["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(seen, ids, "creation order, each once");

    let sw = get(&w, "/scim/v2/Users?filter=name.givenName%20sw%20%22b%22%20or%20externalId%20eq%20%2200u-eve%22", Some(&secret)).await;
    let names: Vec<_> = sw.json["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"]["givenName"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"bea".to_owned()) && names.contains(&"eve".to_owned()),
        "{}",
        sw.text
    );
    assert!(!names.contains(&"ada".to_owned()));

    let invalid = get(&w, "/scim/v2/Users?filter=userName%20eq", Some(&secret)).await;
    assert_eq!(invalid.status, 400, "{}", invalid.text);
    assert_eq!(invalid.json["scimType"], "invalidFilter");

    // Another account's token sees none of these users, by list or by id.
    let globex = Actor::Operator(AccountId::parse("globex").unwrap());
    let (_, other) = w
        .roster
        .create_scim_token(&globex, TokenName::parse("okta").unwrap())
        .await
        .unwrap();
    let theirs = get(&w, &query(1, 100), Some(other.reveal())).await;
    assert_eq!(theirs.json["totalResults"], 0, "{}", theirs.text);
    let by_id = get(
        &w,
        &format!("/scim/v2/Users/{}", ids[0]),
        Some(other.reveal()),
    )
    .await;
    assert_eq!(by_id.status, 404, "{}", by_id.text);
    is_scim(&by_id);
}

async fn discovery_describes_what_is_served(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let token = Some(secret.as_str());

    let config = get(&w, "/scim/v2/ServiceProviderConfig", token).await;
    assert_eq!(config.status, 200, "{}", config.text);
    is_scim(&config);
    assert_eq!(config.json["patch"], json!({"supported": true}));
    assert_eq!(config.json["etag"], json!({"supported": true}));
    assert_eq!(config.json["bulk"]["supported"], false);
    assert_eq!(config.json["sort"]["supported"], false);
    assert_eq!(config.json["changePassword"]["supported"], false);
    assert_eq!(
        config.json["filter"],
        json!({"supported": true, "maxResults": 200})
    );
    assert_eq!(
        config.json["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    let origin = config.json["meta"]["location"].as_str().unwrap();
    assert!(
        origin.starts_with("http://127.0.0.1:")
            && origin.ends_with("/scim/v2/ServiceProviderConfig"),
        "{origin}"
    );

    let types = get(&w, "/scim/v2/ResourceTypes", token).await;
    assert_eq!(types.status, 200, "{}", types.text);
    is_scim(&types);
    assert_eq!(types.json["totalResults"], 2);
    let endpoints: Vec<_> = types.json["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["endpoint"].as_str().unwrap(),
                t["schema"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        endpoints,
        [
            ("User", "/Users", USER),
            (
                "Group",
                "/Groups",
                "urn:ietf:params:scim:schemas:core:2.0:Group"
            )
        ]
    );
    let group = get(&w, "/scim/v2/ResourceTypes/Group", token).await;
    assert_eq!(
        (group.status, &group.json["endpoint"]),
        (200, &json!("/Groups"))
    );

    let schemas = get(&w, "/scim/v2/Schemas", token).await;
    assert_eq!(schemas.status, 200, "{}", schemas.text);
    assert_eq!(schemas.json["Resources"][0]["id"], USER);
    let user = get(&w, &format!("/scim/v2/Schemas/{USER}"), token).await;
    assert_eq!(user.status, 200, "{}", user.text);
    let names: Vec<_> = user.json["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "id",
            "externalId",
            "userName",
            "name",
            "displayName",
            "active",
            "emails",
            "phoneNumbers",
            "groups"
        ]
    );
    let user_name = &user.json["attributes"][2];
    assert_eq!(
        (
            &user_name["required"],
            &user_name["uniqueness"],
            &user_name["caseExact"]
        ),
        (&json!(true), &json!("server"), &json!(false))
    );

    let unknown = get(&w, "/scim/v2/Schemas/urn:nothing", token).await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    is_scim(&unknown);
    assert_eq!(unknown.json["schemas"], json!([ERROR]));
    assert_eq!(unknown.json["status"], "404");
    let no_route = get(&w, "/scim/v2/Bulk", token).await;
    assert_eq!(no_route.status, 404, "{}", no_route.text);
    is_scim(&no_route);
}

async fn a_missing_wrong_or_revoked_token_is_401_in_scims_error_schema(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, id) = scim_token(&w).await;
    let path = "/scim/v2/ServiceProviderConfig";
    let refused = |reply: &Reply, detail: &str| {
        assert_eq!(reply.status, 401, "{}", reply.text);
        is_scim(reply);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
        assert_eq!(
            reply.json,
            json!({"schemas": [ERROR], "status": "401", "detail": detail})
        );
    };
    refused(
        &get(&w, path, None).await,
        "a SCIM request needs `Authorization: Bearer <SCIM token>`",
    );
    // A person's token is not a SCIM token, however valid.
    refused(
        &get(&w, path, Some(&w.owner.token)).await,
        "the SCIM token is not valid",
    );
    assert_eq!(get(&w, path, Some(&secret)).await.status, 200);
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    w.roster.revoke_scim_token(&acme, &id).await.unwrap();
    refused(
        &get(&w, path, Some(&secret)).await,
        "the SCIM token is not valid",
    );
}

async fn patch(w: &World, id: &str, token: &str, operations: serde_json::Value) -> Reply {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": operations,
    });
    w.server
        .http
        .call(
            Method::PATCH,
            &format!("/scim/v2/Users/{id}"),
            Some(token),
            Some(body),
        )
        .await
}

async fn okta_deactivates_with_a_path_less_patch_keeping_everything_and_reactivates(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "omar")).await;
    let id = made.json["id"].as_str().unwrap().to_owned();
    let group = w.on_a_shift(&id, "Ops").await;

    let off = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.text);
    is_scim(&off);
    assert_eq!(off.json["active"], false);
    assert_eq!(
        off.json["groups"],
        json!([{"value": group, "$ref": off.json["meta"]["location"].as_str().unwrap().replace(&format!("Users/{id}"), &format!("Groups/{group}"))}]),
        "memberships kept"
    );
    let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
    assert_eq!((read.status, &read.json["active"]), (200, &json!(false)));
    let on_call = w
        .call(
            Method::GET,
            &format!("/groups/{group}/on-call"),
            &w.owner,
            None,
        )
        .await;
    assert_eq!(on_call.status, 200, "{}", on_call.text);
    let responders = on_call.json["responders"].as_array().unwrap();
    assert!(
        responders
            .iter()
            .any(|r| r["user_id"] == json!(id) && r["reachable"] == json!(false)),
        "the deactivated user is listed, unreachable: {}",
        on_call.text
    );

    let on = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "replace", "value": {"active": true}}]),
    )
    .await;
    assert_eq!(
        (on.status, &on.json["active"]),
        (200, &json!(true)),
        "{}",
        on.text
    );
    let on_call = w
        .call(
            Method::GET,
            &format!("/groups/{group}/on-call"),
            &w.owner,
            None,
        )
        .await;
    assert!(
        on_call.json["responders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["user_id"] == json!(id) && r["reachable"] == json!(true)),
        "{}",
        on_call.text
    );
}

async fn entra_replaces_with_capitalised_ops_and_string_booleans(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "erin")).await;
    let id = made.json["id"].as_str().unwrap().to_owned();
    let lookup = get(
        &w,
        "/scim/v2/Users?filter=externalId%20eq%20%2200u-erin%22",
        Some(&secret),
    )
    .await;
    assert_eq!(
        lookup.json["Resources"][0]["id"],
        json!(id),
        "{}",
        lookup.text
    );

    let renamed = patch(
        &w,
        &id,
        &secret,
        json!([
            {"op": "Replace", "path": "name.familyName", "value": "Souza"},
            {"op": "Replace", "path": "externalId", "value": "aad-erin"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": w.email("erin.souza")},
            {"op": "Replace", "path": "active", "value": "False"},
        ]),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json["name"]["familyName"], "Souza");
    assert_eq!(renamed.json["externalId"], "aad-erin");
    assert_eq!(
        renamed.json["emails"][0]["value"],
        json!(w.email("erin.souza"))
    );
    assert_eq!(renamed.json["active"], false);
    assert_eq!(renamed.json["meta"]["version"], "W/\"2\"");

    // A stale If-Match is refused; the current one is taken.
    let stale = w
        .server
        .http
        .call_with(
            Method::PUT,
            &format!("/scim/v2/Users/{id}"),
            Some(&secret),
            Some(scim_user(&w, "erin")),
            &[("if-match", "W/\"1\"")],
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    is_scim(&stale);
    let put = w
        .server
        .http
        .call_with(
            Method::PUT,
            &format!("/scim/v2/Users/{id}"),
            Some(&secret),
            Some(scim_user(&w, "erin")),
            &[("if-match", "W/\"2\"")],
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json["name"]["familyName"], "Provisioned");
    assert_eq!(put.json["active"], true);

    let bad = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "Move", "path": "userName"}]),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(bad.json["scimType"], "invalidSyntax");

    let gone = delete(&w, &format!("/scim/v2/Users/{id}"), &secret).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
    assert_eq!(read.status, 404, "{}", read.text);
}

/// The users `filter` finds, after checking the answer counts them all.
async fn found(w: &World, secret: &str, filter: &str) -> Vec<serde_json::Value> {
    let encoded: String = filter
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_owned(),
            '"' => "%22".to_owned(),
            '[' => "%5B".to_owned(),
            ']' => "%5D".to_owned(),
            c => c.to_string(),
        })
        .collect();
    let path = format!("/scim/v2/Users?filter={encoded}");
    let reply = get(w, &path, Some(secret)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let users = reply.json["Resources"].as_array().unwrap().clone();
    assert_eq!(
        reply.json["totalResults"],
        json!(users.len()),
        "{}",
        reply.text
    );
    users
}

/// The ids of the users `filter` finds, sorted.
async fn found_by(w: &World, secret: &str, filter: &str) -> Vec<String> {
    ids_of(&found(w, secret, filter).await)
}

/// The ids of the users `externalId eq "{external}"` finds, each checked to hold it.
async fn found_by_external_id(w: &World, secret: &str, external: &str) -> Vec<String> {
    let users = found(w, secret, &format!(r#"externalId eq "{external}""#)).await;
    for user in &users {
        assert_eq!(user["externalId"], json!(external), "{user}");
    }
    ids_of(&users)
}

fn ids_of(users: &[serde_json::Value]) -> Vec<String> {
    let mut ids: Vec<String> = users
        .iter()
        .map(|user| user["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// `externalId eq` is answered from the external id's own entries, not by reading every user
/// (the budget test counts its requests), so the entries must follow the user through every
/// change: a user the API gave the same id is found too (external ids need not be unique), a
/// changed or cleared id is found no more under the old one, a deleted user is gone, and the
/// match is exact (SCIM's externalId is case-exact).
async fn external_id_look_ups_follow_every_change_to_the_id(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "jon")).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let provisioned = made.json["id"].as_str().unwrap().to_owned();
    let by_api = w.new_target("kim").await;
    let shared = w
        .patch_user(&by_api, &w.owner, json!({"external_id": "00u-jon"}))
        .await;
    assert_eq!(shared.status, 200, "{}", shared.text);
    let mut both = vec![provisioned.clone(), by_api.id.clone()];
    both.sort();
    assert_eq!(found_by_external_id(&w, &secret, "00u-jon").await, both);
    assert!(
        found_by_external_id(&w, &secret, "00U-JON")
            .await
            .is_empty()
    );

    let renamed = patch(
        &w,
        &provisioned,
        &secret,
        json!([{"op": "Replace", "path": "externalId", "value": "aad-jon"}]),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        found_by_external_id(&w, &secret, "00u-jon").await,
        [by_api.id.as_str()]
    );
    assert_eq!(
        found_by_external_id(&w, &secret, "aad-jon").await,
        [provisioned.as_str()]
    );

    let cleared = w
        .patch_user(&by_api, &w.owner, json!({"external_id": null}))
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert!(
        found_by_external_id(&w, &secret, "00u-jon")
            .await
            .is_empty()
    );

    let gone = delete(&w, &format!("/scim/v2/Users/{provisioned}"), &secret).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert!(
        found_by_external_id(&w, &secret, "aad-jon")
            .await
            .is_empty()
    );
}

/// A filter that requires an `emails.value` is answered from the email claim and the entries
/// under each email a provider sent, not by reading every user (the budget test counts its
/// requests): a user is found by a non-primary email in any case and in each form a provider
/// writes the filter, by the email the API gave a user, no more by an email the provider took
/// away, and not at all once deleted.
async fn email_look_ups_find_a_user_by_any_email_the_provider_sent_through_every_change(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut body = scim_user(&w, "ines");
    body["emails"] = json!([
        {"value": w.email("ines"), "type": "work", "primary": true},
        {"value": "Ines@Home.Example", "type": "home"},
    ]);
    let made = post(&w, "/scim/v2/Users", &secret, body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let ines = made.json["id"].as_str().unwrap().to_owned();
    for filter in [
        r#"emails.value eq "ines@home.example""#,
        r#"emails[type eq "home" and value eq "INES@HOME.EXAMPLE"]"#,
        r#"emails.value eq "Ines@Home.Example" and active eq true"#,
    ] {
        assert_eq!(
            found_by(&w, &secret, filter).await,
            [ines.as_str()],
            "{filter}"
        );
    }
    let work = format!(r#"emails.value eq "{}""#, w.email("ines"));
    assert_eq!(found_by(&w, &secret, &work).await, [ines.as_str()]);
    assert!(
        found_by(
            &w,
            &secret,
            r#"emails[type eq "work" and value eq "ines@home.example"]"#
        )
        .await
        .is_empty()
    );

    // A user the API made is found by their own email, which no provider sent.
    let by_api = w.new_target("kai").await;
    let own = format!(r#"emails.value eq "{}""#, w.email("kai").to_uppercase());
    assert_eq!(found_by(&w, &secret, &own).await, [by_api.id.as_str()]);

    let replaced = patch(
        &w,
        &ines,
        &secret,
        json!([{"op": "Replace", "path": "emails", "value": [
            {"value": w.email("ines"), "type": "work", "primary": true},
            {"value": "ines@elsewhere.example", "type": "home"},
        ]}]),
    )
    .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert!(
        found_by(&w, &secret, r#"emails.value eq "ines@home.example""#)
            .await
            .is_empty()
    );
    assert_eq!(
        found_by(&w, &secret, r#"emails.value eq "ines@elsewhere.example""#).await,
        [ines.as_str()]
    );

    // As a user stored by an earlier release: the entry taken away, then written by a reindex.
    let acme = AccountId::parse("acme").unwrap();
    let entry = keys::provided_email_entry(
        &acme,
        "ines@elsewhere.example",
        &UserId::parse(&ines).unwrap(),
    );
    store
        .table
        .transact(vec![Write::delete(entry, None)])
        .await
        .unwrap();
    let elsewhere = r#"emails.value eq "ines@elsewhere.example""#;
    assert!(found_by(&w, &secret, elsewhere).await.is_empty());
    let done = w.roster.reindex(&acme).await.unwrap();
    assert_eq!(done.provided_emails, 2, "{done:?}");
    assert_eq!(found_by(&w, &secret, elsewhere).await, [ines.as_str()]);

    let gone = delete(&w, &format!("/scim/v2/Users/{ines}"), &secret).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert!(
        found_by(&w, &secret, r#"emails.value eq "ines@elsewhere.example""#)
            .await
            .is_empty()
    );
    assert!(found_by(&w, &secret, &work).await.is_empty());
}

/// Users whose external id was stored before the look-up entries were kept have none; the
/// operator's `roster store reindex` writes them, and repeating it changes nothing.
async fn external_ids_set_before_their_entries_existed_are_found_once_indexed(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let acme = AccountId::parse("acme").unwrap();
    let hr = ExternalId::parse("HR-10442").unwrap();
    let input = NewUserInput {
        email: Some(w.email("lea")),
        first_name: Some("Lea".into()),
        last_name: Some("Older".into()),
        external_id: Some(hr.to_string()),
        ..Default::default()
    };
    let (user, _) = w
        .roster
        .create_user(&Actor::Operator(acme.clone()), &input, ManagedBy::Api)
        .await
        .unwrap();
    // As a user stored by an earlier release: the entry taken away.
    let entry = keys::external_id_entry(&acme, &hr, &user.id);
    store
        .table
        .transact(vec![Write::delete(entry, None)])
        .await
        .unwrap();
    assert!(
        found_by_external_id(&w, &secret, "HR-10442")
            .await
            .is_empty()
    );

    for _ in 0..2 {
        assert_eq!(w.roster.reindex(&acme).await.unwrap().external_ids, 1);
        assert_eq!(
            found_by_external_id(&w, &secret, "HR-10442").await,
            [user.id.to_string()]
        );
    }
}

async fn the_api_leaves_a_provisioned_identity_to_the_identity_provider(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "ivan")).await;
    let id = made.json["id"].as_str().unwrap().to_owned();
    let path = format!("/users/{id}");
    let refused = w
        .call(
            Method::PATCH,
            &path,
            &w.owner,
            Some(json!({"first_name": "Ivo"})),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(
        refused.json["detail"],
        json!(format!(
            "{}'s name, username, email and external id are managed by the identity provider \
             (SCIM, managed_by: scim); change them there",
            w.email("ivan")
        ))
    );
    // The same value is no change; what is not identity stays the account's.
    let same = w
        .call(
            Method::PATCH,
            &path,
            &w.owner,
            Some(json!({"first_name": "ivan"})),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    let zone = w
        .call(
            Method::PATCH,
            &path,
            &w.owner,
            Some(json!({"preferences": {"time_zone": "Europe/Lisbon"}})),
        )
        .await;
    assert_eq!(zone.status, 200, "{}", zone.text);
    let off = w
        .call(
            Method::PATCH,
            &path,
            &w.admin,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
    assert_eq!(read.json["name"]["givenName"], "ivan");
    assert_eq!(read.json["active"], false);
}

async fn group_patch(w: &World, id: &str, token: &str, operations: serde_json::Value) -> Reply {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": operations,
    });
    w.server
        .http
        .call(
            Method::PATCH,
            &format!("/scim/v2/Groups/{id}"),
            Some(token),
            Some(body),
        )
        .await
}

/// The member roles the API shows for each member of `group`, by user id.
async fn roles_in(w: &World, group: &str) -> Vec<(String, bool, bool)> {
    let members = w
        .call(
            Method::GET,
            &format!("/groups/{group}/members"),
            &w.owner,
            None,
        )
        .await;
    assert_eq!(members.status, 200, "{}", members.text);
    let mut roles: Vec<_> = members.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().unwrap().to_owned(),
                m["primary"].as_bool().unwrap_or(false),
                m["secondary"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    roles.sort();
    roles
}

async fn pushed_groups_add_members_as_secondary_and_never_change_existing_roles(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut ids = Vec::new();
    for name in ["gia", "hal", "ian"] {
        let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, name)).await;
        ids.push(made.json["id"].as_str().unwrap().to_owned());
    }
    let (gia, hal, ian) = (&ids[0], &ids[1], &ids[2]);
    let name = format!("Push {}", w.tag);

    let made = post(
        &w,
        "/scim/v2/Groups",
        &secret,
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
               "displayName": name, "externalId": "aad-group-1", "members": [{"value": hal}]}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    is_scim(&made);
    let pushed = made.json["id"].as_str().unwrap().to_owned();
    assert_eq!(made.json["displayName"], json!(name));
    assert_eq!(made.json["members"][0]["value"], json!(hal));
    assert_eq!(made.json["externalId"], "aad-group-1");
    let cleared = w
        .server
        .http
        .call(
            Method::PUT,
            &format!("/scim/v2/Groups/{pushed}"),
            Some(&secret),
            Some(json!({"displayName": name, "members": [{"value": hal}]})),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert!(
        cleared.json.get("externalId").is_none(),
        "PUT without it clears it: {}",
        cleared.text
    );
    assert_eq!(roles_in(&w, &pushed).await, [(hal.clone(), false, true)]);

    // Okta adds, Entra removes by value filter.
    let added = group_patch(
        &w,
        &pushed,
        &secret,
        json!([{"op": "add", "path": "members", "value": [{"value": ian}]}]),
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.json["members"].as_array().unwrap().len(), 2);
    let removed = group_patch(
        &w,
        &pushed,
        &secret,
        json!([{"op": "Remove", "path": format!("members[value eq \"{ian}\"]")}]),
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(roles_in(&w, &pushed).await, [(hal.clone(), false, true)]);

    // A group where gia is primary and on a shift: joining over SCIM leaves her roles alone,
    // and removing her is refused, in SCIM's error schema.
    let ops = w.on_a_shift(gia, "Ops").await;
    let joined = group_patch(
        &w,
        &ops,
        &secret,
        json!([{"op": "add", "path": "members", "value": [{"value": hal}, {"value": gia}]}]),
    )
    .await;
    assert_eq!(joined.status, 200, "{}", joined.text);
    let mut expected = vec![(gia.clone(), true, false), (hal.clone(), false, true)];
    expected.sort();
    assert_eq!(roles_in(&w, &ops).await, expected);
    let refused = group_patch(
        &w,
        &ops,
        &secret,
        json!([{"op": "remove", "path": format!("members[value eq \"{gia}\"]")}]),
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    is_scim(&refused);
    assert_eq!(roles_in(&w, &ops).await, expected, "nothing changed");

    let by_name = get(
        &w,
        &format!(
            "/scim/v2/Groups?filter=displayName%20eq%20%22{}%22&excludedAttributes=members",
            name.replace(' ', "%20")
        ),
        Some(&secret),
    )
    .await;
    assert_eq!(by_name.json["totalResults"], 1, "{}", by_name.text);
    assert_eq!(by_name.json["Resources"][0]["id"], json!(pushed));
    assert!(
        by_name.json["Resources"][0].get("members").is_none(),
        "{}",
        by_name.text
    );

    let unknown = group_patch(&w, &pushed, &secret, json!([{"op": "add", "path": "members", "value": [{"value": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}]}])).await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(unknown.json["scimType"], "invalidValue");

    let taken = post(
        &w,
        "/scim/v2/Groups",
        &secret,
        json!({"displayName": name.to_uppercase()}),
    )
    .await;
    assert_eq!(taken.status, 409, "{}", taken.text);
    assert_eq!(taken.json["scimType"], "uniqueness");

    let gone = delete(&w, &format!("/scim/v2/Groups/{pushed}"), &secret).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert_eq!(
        get(&w, &format!("/scim/v2/Groups/{pushed}"), Some(&secret))
            .await
            .status,
        404
    );
}

async fn emails_and_numbers_are_kept_as_sent_and_the_mobile_is_the_official_mobile(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut body = scim_user(&w, "nina");
    let emails = json!([
        {"value": w.email("nina.home"), "type": "home", "display": "Home"},
        {"value": w.email("nina"), "type": "work", "primary": "True"},
    ]);
    body["emails"] = emails.clone();
    body["phoneNumbers"] = json!([
        {"value": "+351 912 345 678", "type": "mobile"},
        {"value": "ext. 42", "type": "work"},
    ]);
    let made = post(&w, "/scim/v2/Users", &secret, body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.json["id"].as_str().unwrap().to_owned();
    // As sent (the string boolean read as one), and the primary email is the account email.
    assert_eq!(
        made.json["emails"],
        json!([
            {"value": w.email("nina.home"), "type": "home", "display": "Home"},
            {"value": w.email("nina"), "type": "work", "primary": true},
        ])
    );
    assert_eq!(
        made.json["phoneNumbers"][1],
        json!({"value": "ext. 42", "type": "work"})
    );
    let profile = w
        .call(Method::GET, &format!("/users/{id}"), &w.owner, None)
        .await;
    assert_eq!(
        profile.json["email"],
        json!(w.email("nina")),
        "{}",
        profile.text
    );
    let methods = profile.json["contact_methods"].as_array().unwrap();
    assert!(
        methods
            .iter()
            .any(|m| m["method"] == "phone-official-mobile" && m["value"] == "+351912345678"),
        "the mobile number is the official mobile method: {}",
        profile.text
    );

    // A new mobile number changes the method; a number that is not one is refused.
    let changed = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+351913000000"}]),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let profile = w
        .call(Method::GET, &format!("/users/{id}"), &w.owner, None)
        .await;
    assert!(
        profile.json["contact_methods"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"] == "+351913000000"),
        "{}",
        profile.text
    );
    let refused = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "call me"}]),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(refused.json["scimType"], "invalidValue");
    assert!(
        refused.json["detail"]
            .as_str()
            .unwrap()
            .starts_with("phoneNumbers: the mobile number call me"),
        "{}",
        refused.text
    );
}

async fn a_dump_of_an_account_with_provisioned_users_plans_to_no_change(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut body = scim_user(&w, "pia");
    body["phoneNumbers"] = json!([{"value": "+351912345678", "type": "mobile"}]);
    let pia = post(&w, "/scim/v2/Users", &secret, body).await;
    assert_eq!(pia.status, 201, "{}", pia.text);
    let mut off = scim_user(&w, "quin");
    off["active"] = json!(false);
    assert_eq!(post(&w, "/scim/v2/Users", &secret, off).await.status, 201);
    let group = json!({"displayName": format!("Pushed {}", w.tag),
                       "members": [{"value": pia.json["id"]}]});
    assert_eq!(
        post(&w, "/scim/v2/Groups", &secret, group).await.status,
        201
    );

    let roster = store.roster();
    let acme = AccountId::parse("acme").unwrap();
    let live = roster.live_account(&acme).await.unwrap();
    let yaml = roster_config::dump(std::slice::from_ref(&live)).unwrap();
    for name in ["pia", "quin"] {
        assert!(yaml.contains(&w.email(name)), "{name} is dumped:\n{yaml}");
    }
    assert!(
        yaml.contains("+351912345678"),
        "with the mobile method:\n{yaml}"
    );
    let dumped =
        roster_config::load("dumped.yaml", &yaml).unwrap_or_else(|p| panic!("{p:?}\n{yaml}"));
    let plan = roster.plan(&dumped).await.unwrap();
    assert!(!plan.has_drift(), "{plan:#?}\n{yaml}");
    let account = &plan.accounts[0];
    assert!(
        account.owned_elsewhere.is_empty(),
        "{:#?}",
        account.owned_elsewhere
    );
}

async fn a_delete_that_would_leave_a_hole_is_refused_with_the_blockers(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "rui")).await;
    let id = made.json["id"].as_str().unwrap().to_owned();
    w.on_a_shift(&id, "Payments").await;
    let refused = delete(&w, &format!("/scim/v2/Users/{id}"), &secret).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    is_scim(&refused);
    let detail = refused.json["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("Payments {}", w.tag)) && detail.contains("Days"),
        "the blockers are named: {detail}"
    );
    let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
    assert_eq!((read.status, &read.json["active"]), (200, &json!(true)));
}

/// Three identity-provider PATCHes of one user at once, each changing its own attribute, 50
/// times over: every `200` is a change the next read shows.
async fn concurrent_patches_of_one_user_lose_no_acknowledged_change(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "ravi")).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.json["id"].as_str().unwrap().to_owned();
    for trial in 0..50 {
        let (given, family, external) = (
            format!("Given{trial}"),
            format!("Family{trial}"),
            format!("00u-{trial}"),
        );
        let (a, b, c) = tokio::join!(
            patch(
                &w,
                &id,
                &secret,
                json!([{"op": "replace", "path": "name.givenName", "value": given}])
            ),
            patch(
                &w,
                &id,
                &secret,
                json!([{"op": "replace", "path": "name.familyName", "value": family}])
            ),
            patch(
                &w,
                &id,
                &secret,
                json!([{"op": "replace", "path": "externalId", "value": external}])
            ),
        );
        for reply in [&a, &b, &c] {
            assert_eq!(reply.status, 200, "trial {trial}: {}", reply.text);
        }
        let read = get(&w, &format!("/scim/v2/Users/{id}"), Some(&secret)).await;
        assert_eq!(
            (
                &read.json["name"]["givenName"],
                &read.json["name"]["familyName"],
                &read.json["externalId"]
            ),
            (&json!(given), &json!(family), &json!(external)),
            "trial {trial} lost a change: {}",
            read.text
        );
    }
}

fn methods_of(profile: &Reply) -> Vec<(String, String)> {
    profile.json["contact_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["method"].as_str().unwrap().to_owned(),
                m["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// SPEC §9: the provider's mobile number is the `phone-official-mobile` method; when it stops
/// sending one, the method it set goes, and a number the account set itself is never its to
/// remove.
async fn a_mobile_number_the_provider_stops_sending_goes_but_one_the_account_set_stays(
    store: &TestStore,
) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut body = scim_user(&w, "mira");
    body["phoneNumbers"] = json!([{"value": "+14045550101", "type": "mobile"}]);
    let made = post(&w, "/scim/v2/Users", &secret, body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.json["id"].as_str().unwrap().to_owned();
    let profile_path = format!("/users/{id}");
    let profile = w.call(Method::GET, &profile_path, &w.owner, None).await;
    assert_eq!(
        methods_of(&profile),
        [
            ("email-official".to_owned(), w.email("mira")),
            (
                "phone-official-mobile".to_owned(),
                "+14045550101".to_owned()
            ),
        ]
    );

    let removed = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "remove", "path": "phoneNumbers"}]),
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.json.get("phoneNumbers"), None, "{}", removed.text);
    let profile = w.call(Method::GET, &profile_path, &w.owner, None).await;
    assert_eq!(
        methods_of(&profile),
        [("email-official".to_owned(), w.email("mira"))],
        "the method the provider set went with its number"
    );

    // The account gives the user a mobile of its own; the provider, sending none, leaves it.
    let added = w
        .call(
            Method::POST,
            &format!("{profile_path}/contact-methods"),
            &w.owner,
            Some(json!({"method": "phone-official-mobile", "value": "+14045550199"})),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let renamed = patch(
        &w,
        &id,
        &secret,
        json!([{"op": "replace", "path": "name.givenName", "value": "Mirabel"}]),
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let mut put = scim_user(&w, "mira");
    put["name"]["givenName"] = json!("Mira");
    let replaced = w
        .server
        .http
        .call(
            Method::PUT,
            &format!("/scim/v2/Users/{id}"),
            Some(&secret),
            Some(put),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    let profile = w.call(Method::GET, &profile_path, &w.owner, None).await;
    assert_eq!(
        methods_of(&profile),
        [
            ("email-official".to_owned(), w.email("mira")),
            (
                "phone-official-mobile".to_owned(),
                "+14045550199".to_owned()
            ),
        ],
        "a number the account set is not the provider's to remove"
    );
}

/// SPEC §9: a `PUT` of a group lists its members whole: those left out leave, the new ones join
/// as secondary, and the ones kept keep their roles.
async fn a_put_of_a_group_makes_its_members_the_ones_listed(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut ids = Vec::new();
    for name in ["kai", "lea", "max"] {
        let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, name)).await;
        ids.push(made.json["id"].as_str().unwrap().to_owned());
    }
    let (kai, lea, max) = (&ids[0], &ids[1], &ids[2]);
    let name = format!("Put {}", w.tag);
    let body = |members: &[&String]| {
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name,
               "members": members.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()})
    };
    let made = post(&w, "/scim/v2/Groups", &secret, body(&[kai, lea])).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let group = made.json["id"].as_str().unwrap().to_owned();
    // The account makes lea a primary; the provider never changes that.
    let primary = w
        .call(
            Method::PUT,
            &format!("/groups/{group}/members/{lea}"),
            &w.admin,
            Some(json!({"primary": true})),
        )
        .await;
    assert_eq!(primary.status, 200, "{}", primary.text);

    let put = w
        .server
        .http
        .call(
            Method::PUT,
            &format!("/scim/v2/Groups/{group}"),
            Some(&secret),
            Some(body(&[lea, max])),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let mut listed: Vec<&str> = put.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    listed.sort_unstable();
    let mut expected = [lea.as_str(), max.as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected, "{}", put.text);
    let mut roles = roles_in(&w, &group).await;
    roles.sort();
    let mut expected = vec![(lea.clone(), true, false), (max.clone(), false, true)];
    expected.sort();
    assert_eq!(
        roles, expected,
        "kai left, max joined as secondary, lea kept her roles"
    );
}

/// SPEC §1: seats hold over SCIM as everywhere: a create or a reactivation past them is `409`
/// in SCIM's error schema, and nothing is made or switched on.
async fn creating_or_reactivating_past_the_seats_is_refused_over_scim(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "ned")).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let ned = made.json["id"].as_str().unwrap().to_owned();
    let off = patch(
        &w,
        &ned,
        &secret,
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .await;
    assert_eq!(off.status, 200, "{}", off.text);
    // Seats for the world's five people of acme; ned, switched off, holds none.
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    w.roster.update_account(&acme, None, Some(5)).await.unwrap();

    let refused = post(&w, "/scim/v2/Users", &secret, scim_user(&w, "ola")).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    is_scim(&refused);
    assert_eq!(refused.json["schemas"], json!([ERROR]));
    assert!(
        refused.json["detail"].as_str().unwrap().contains("seats"),
        "{}",
        refused.text
    );
    let found = found_by(&w, &secret, &format!("userName eq \"{}\"", w.email("ola"))).await;
    assert!(found.is_empty(), "nothing was made: {found:?}");

    let on = patch(
        &w,
        &ned,
        &secret,
        json!([{"op": "replace", "value": {"active": true}}]),
    )
    .await;
    assert_eq!(on.status, 409, "{}", on.text);
    is_scim(&on);
    let read = get(&w, &format!("/scim/v2/Users/{ned}"), Some(&secret)).await;
    assert_eq!(read.json["active"], json!(false), "still switched off");
}

/// Three identity-provider PATCHes of one group at once — its name, its external id, a member
/// joining or leaving — 50 times over: every `200` is a change the next read shows.
async fn concurrent_patches_of_one_group_lose_no_acknowledged_change(store: &TestStore) {
    let w = World::new(store).await;
    let (secret, _) = scim_token(&w).await;
    let mut ids = Vec::new();
    for name in ["pia", "quin"] {
        let made = post(&w, "/scim/v2/Users", &secret, scim_user(&w, name)).await;
        ids.push(made.json["id"].as_str().unwrap().to_owned());
    }
    let (pia, quin) = (&ids[0], &ids[1]);
    let made = post(
        &w,
        "/scim/v2/Groups",
        &secret,
        json!({"displayName": format!("Race {}", w.tag), "members": [{"value": quin}]}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let group = made.json["id"].as_str().unwrap().to_owned();
    for trial in 0..50 {
        let (name, external) = (format!("Race {} {trial}", w.tag), format!("aad-{trial}"));
        let joins = trial % 2 == 0;
        let member_op = if joins {
            json!([{"op": "add", "path": "members", "value": [{"value": pia}]}])
        } else {
            json!([{"op": "remove", "path": format!("members[value eq \"{pia}\"]")}])
        };
        let (a, b, c) = tokio::join!(
            group_patch(
                &w,
                &group,
                &secret,
                json!([{"op": "replace", "path": "displayName", "value": name}])
            ),
            group_patch(
                &w,
                &group,
                &secret,
                json!([{"op": "replace", "path": "externalId", "value": external}])
            ),
            group_patch(&w, &group, &secret, member_op),
        );
        for reply in [&a, &b, &c] {
            assert_eq!(reply.status, 200, "trial {trial}: {}", reply.text);
        }
        let read = get(&w, &format!("/scim/v2/Groups/{group}"), Some(&secret)).await;
        let members: Vec<&str> = read.json["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_str().unwrap())
            .collect();
        assert_eq!(
            (
                &read.json["displayName"],
                &read.json["externalId"],
                members.contains(&pia.as_str())
            ),
            (&json!(name), &json!(external), joins),
            "trial {trial} lost a change: {}",
            read.text
        );
    }
}
