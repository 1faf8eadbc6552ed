//! SCIM tokens (SPEC §9): made by an Owner or App Admin (or an operator with `roster scim
//! token`), the secret shown once and stored only as a hash, a token acting in its own account
//! only, and a revoked or unknown one refused.

use http::Method;
use roster_domain::DomainError;
use roster_domain::access::Actor;
use roster_domain::keys;
use roster_domain::secrets::ScimSecret;
use roster_domain::values::{AccountId, TokenName};
use roster_tests::{TestStore, for_each_store};
use serde_json::json;

use crate::cli::{CREATE_ACME, roster};
use crate::world::World;

for_each_store!(
    a_token_acts_in_its_own_account_until_it_is_revoked,
    the_api_shows_the_secret_once_and_lists_tokens_without_it,
);

async fn a_token_acts_in_its_own_account_until_it_is_revoked(store: &TestStore) {
    let w = World::new(store).await;
    let acme = Actor::Operator(AccountId::parse("acme").unwrap());
    let name = TokenName::parse("okta").unwrap();
    let (token, secret) = w.roster.create_scim_token(&acme, name).await.unwrap();

    let actor = w.roster.scim_actor(secret.reveal()).await.unwrap();
    assert_eq!(
        actor,
        Actor::Provisioner {
            account: AccountId::parse("acme").unwrap(),
            token: token.id.clone(),
            name: TokenName::parse("okta").unwrap(),
        }
    );
    // Only the hash is kept: neither stored item holds the secret.
    let pointer = store
        .table
        .get(&keys::scim_secret(&secret.hash()))
        .await
        .unwrap()
        .expect("the secret's item, under its hash");
    let listed = store
        .table
        .get(&keys::scim_token(
            &AccountId::parse("acme").unwrap(),
            &token.id,
        ))
        .await
        .unwrap()
        .expect("the token's item");
    for item in [&pointer, &listed] {
        let stored = serde_json::Value::Object(item.attrs.clone()).to_string();
        assert!(!stored.contains(secret.reveal()), "{stored}");
        assert!(!item.key.pk.contains(secret.reveal()));
    }

    // A token cannot make or see tokens.
    let refused = w.roster.list_scim_tokens(&actor).await.unwrap_err();
    assert!(
        matches!(&refused, DomainError::Forbidden { message, .. } if message == "a SCIM token cannot manage SCIM tokens"),
        "{refused:?}"
    );

    w.roster.revoke_scim_token(&acme, &token.id).await.unwrap();
    for refused_secret in [
        secret.reveal().to_owned(),
        ScimSecret::generate().reveal().to_owned(),
        "not-a-token".to_owned(),
    ] {
        let error = w.roster.scim_actor(&refused_secret).await.unwrap_err();
        assert!(
            matches!(&error, DomainError::Unauthenticated(why) if why == "the SCIM token is not valid"),
            "{error:?}"
        );
    }
    assert!(w.roster.list_scim_tokens(&acme).await.unwrap().is_empty());
}

async fn the_api_shows_the_secret_once_and_lists_tokens_without_it(store: &TestStore) {
    let w = World::new(store).await;
    let http = &w.server.http;
    let made = http
        .call(
            Method::POST,
            "/scim-tokens",
            Some(&w.admin.token),
            Some(json!({"name": " okta "})),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let secret = made.json["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("roster_scim_"), "{secret}");
    assert_eq!(made.json["name"], "okta", "the name is trimmed");
    let id = made.json["id"].as_str().unwrap().to_owned();

    let listed = http
        .call(Method::GET, "/scim-tokens", Some(&w.owner.token), None)
        .await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    let items = listed.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", listed.text);
    assert_eq!(items[0]["id"], json!(id));
    assert_eq!(items[0]["created_by"], made.json["created_by"]);
    assert!(items[0].get("secret").is_none(), "{}", listed.text);
    assert!(!listed.text.contains(&secret));

    let blank = http
        .call(
            Method::POST,
            "/scim-tokens",
            Some(&w.owner.token),
            Some(json!({"name": " "})),
        )
        .await;
    assert_eq!(blank.status, 422, "{}", blank.text);
    assert!(
        blank.text.contains("name must not be blank"),
        "{}",
        blank.text
    );

    let revoked = http
        .call(
            Method::DELETE,
            &format!("/scim-tokens/{id}"),
            Some(&w.owner.token),
            None,
        )
        .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    let again = http
        .call(
            Method::DELETE,
            &format!("/scim-tokens/{id}"),
            Some(&w.owner.token),
            None,
        )
        .await;
    assert_eq!(again.status, 404, "{}", again.text);
    assert!(w.roster.scim_actor(&secret).await.is_err());
}

#[test]
fn the_command_prints_the_secret_once_as_its_last_line_and_revokes_by_id() {
    let dir = tempfile::tempdir().unwrap();
    assert!(roster(dir.path(), CREATE_ACME).status.success());
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let made = roster(
        dir.path(),
        &[
            "scim",
            "token",
            "create",
            "--account",
            "acme",
            "--name",
            "okta",
        ],
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    let out = text(&made.stdout);
    let secret = out.lines().last().unwrap();
    assert!(ScimSecret::parse(secret).is_ok(), "{out}");
    let id = out.split_whitespace().next().unwrap().to_owned();

    let listed = text(&roster(dir.path(), &["scim", "token", "list", "--account", "acme"]).stdout);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(
        listed.starts_with(&format!("{id}  okta  created ")),
        "{listed}"
    );
    assert!(listed.trim_end().ends_with("by operator"), "{listed}");
    assert!(!listed.contains(secret));

    let revoked = roster(
        dir.path(),
        &["scim", "token", "revoke", "--account", "acme", &id],
    );
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert_eq!(text(&revoked.stdout), format!("revoked {id}\n"));
    let listed = roster(dir.path(), &["scim", "token", "list", "--account", "acme"]);
    assert!(listed.stdout.is_empty());
    let again = roster(
        dir.path(),
        &["scim", "token", "revoke", "--account", "acme", &id],
    );
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        text(&again.stderr),
        format!("error: SCIM token {id} not found\n")
    );
}
