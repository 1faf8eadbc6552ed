//! `/scim/v2/` over HTTP through `roster serve`, as an identity provider calls it (SPEC §9):
//! its SCIM token as the bearer, answers and errors in `application/scim+json`.

use http::Method;
use roster_domain::access::Actor;
use roster_domain::values::{AccountId, TokenName};
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
);

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
            "title",
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
