//! A running `roster serve` over two accounts, with a person of each kind of right and their
//! tokens: what the HTTP tests share.

use http::Method;
use roster_domain::access::Actor;
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{NewAccountInput, NewContactInput, NewUserInput};
use roster_domain::values::{AccountId, UserId};
use roster_tests::{Reply, TestServer, TestStore};
use serde_json::{Value, json};

use crate::ROSTER;

/// Two accounts, people with each kind of right, a server, and their tokens. Emails carry a
/// per-test tag so that tests sharing one moto never read each other's mail.
pub struct World {
    pub server: TestServer,
    pub roster: roster_domain::usecases::Roster,
    /// What [`World::roster`] sends (the invitations of the users it makes).
    pub mail: roster_tests::RecordingMailer,
    pub tag: String,
    pub owner: Person,
    pub admin: Person,
    pub basic: Person,
    pub viewer: Person,
    /// A user of acme holding only `integrations-admin`.
    pub integrations: Person,
    pub other_account_user: Person,
}

pub struct Person {
    pub id: String,
    pub token: String,
    /// The account they belong to (`acme` or `globex`).
    pub account: &'static str,
}

impl World {
    pub async fn new(store: &TestStore) -> Self {
        Self::with_server(store, TestServer::start(ROSTER, store).await).await
    }

    /// The same world, its server's links naming the address it listens on (see
    /// [`TestServer::start_at_its_own_address`]).
    pub async fn at_its_own_address(store: &TestStore) -> Self {
        Self::with_server(
            store,
            TestServer::start_at_its_own_address(ROSTER, store).await,
        )
        .await
    }

    async fn with_server(store: &TestStore, server: TestServer) -> Self {
        let tag = ulid::Ulid::generate().to_string().to_lowercase()[18..].to_owned();
        let roster = store.roster();
        let hour = jiff::SignedDuration::from_hours(1);
        let account = |id: &str, email: String| NewAccountInput {
            id: Some(id.into()),
            name: Some(format!("{id} corp")),
            seats: None,
            owner: NewUserInput {
                email: Some(email),
                first_name: Some("Owner".into()),
                last_name: Some(id.into()),
                ..Default::default()
            },
        };
        let mut people = Vec::new();
        for (account_id, owner) in [("acme", "ana"), ("globex", "hank")] {
            let email = format!("{owner}.{tag}@{account_id}.example");
            let (_, user, _) = roster
                .create_account(&account(account_id, email), ManagedBy::Api)
                .await
                .unwrap();
            let token = roster_tests::token_for(account_id, user.id.as_str(), hour);
            people.push(Person {
                id: user.id.to_string(),
                token,
                account: account_id,
            });
        }
        let acme = Actor::Operator(AccountId::parse("acme").unwrap());
        for (name, role) in [
            ("bob", "app-admin"),
            ("carl", "basic"),
            ("vera", "system-viewer"),
            ("iris", "integrations-admin"),
        ] {
            let email = format!("{name}.{tag}@acme.example");
            let input = NewUserInput {
                email: Some(email),
                first_name: Some(name.into()),
                last_name: Some("Tester".into()),
                roles: Some(vec![role.into()]),
                ..Default::default()
            };
            let (user, _) = roster
                .create_user(&acme, &input, ManagedBy::Api)
                .await
                .unwrap();
            let token = roster_tests::token_for("acme", user.id.as_str(), hour);
            people.push(Person {
                id: user.id.to_string(),
                token,
                account: "acme",
            });
        }
        let mut people = people.into_iter();
        let owner = people.next().unwrap();
        let other_account_user = people.next().unwrap();
        let admin = people.next().unwrap();
        let basic = people.next().unwrap();
        let viewer = people.next().unwrap();
        let integrations = people.next().unwrap();
        Self {
            server,
            roster,
            mail: store.mail.clone(),
            tag,
            owner,
            admin,
            basic,
            viewer,
            integrations,
            other_account_user,
        }
    }

    /// A fresh basic user of acme — roles `basic` and `send-message`, an `email-personal`
    /// method — for a test that changes or deletes them.
    pub async fn new_target(&self, name: &str) -> Person {
        let acme = Actor::Operator(AccountId::parse("acme").unwrap());
        let input = NewUserInput {
            email: Some(self.email(name)),
            first_name: Some(name.into()),
            last_name: Some("Target".into()),
            roles: Some(vec!["basic".into(), "send-message".into()]),
            ..Default::default()
        };
        let (user, _) = self
            .roster
            .create_user(&acme, &input, ManagedBy::Api)
            .await
            .unwrap();
        let contact = NewContactInput {
            method: Some("email-personal".into()),
            value: Some(format!("{name}.{}@home.example", self.tag)),
            ..Default::default()
        };
        self.roster
            .add_contact(&acme, &user.id, &contact)
            .await
            .unwrap();
        Person {
            id: user.id.to_string(),
            token: self.token_for(&user.id),
            account: "acme",
        }
    }

    /// A fresh user of acme with `roles` (none for a non-standard `user_type`), and their token.
    pub async fn person(&self, name: &str, user_type: &str, roles: &[&str]) -> Person {
        let acme = Actor::Operator(AccountId::parse("acme").unwrap());
        let input = NewUserInput {
            email: Some(self.email(name)),
            first_name: Some(name.into()),
            last_name: Some("Person".into()),
            user_type: Some(user_type.into()),
            roles: (!roles.is_empty()).then(|| roles.iter().map(|r| (*r).to_owned()).collect()),
            ..Default::default()
        };
        let (user, _) = self
            .roster
            .create_user(&acme, &input, ManagedBy::Api)
            .await
            .unwrap();
        Person {
            id: user.id.to_string(),
            token: self.token_for(&user.id),
            account: "acme",
        }
    }

    /// A group made by the admin over HTTP (its name tagged for this test), with `members` as
    /// (person, their roles in it); its id.
    pub async fn group(&self, name: &str, members: &[(&Person, Value)]) -> String {
        let made = self
            .call(
                Method::POST,
                "/groups",
                &self.admin,
                Some(json!({"name": format!("{name} {}", self.tag)})),
            )
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
        let id = made.json["id"].as_str().unwrap().to_owned();
        for (person, roles) in members {
            let path = format!("/groups/{id}/members/{}", person.id);
            let put = self
                .call(Method::PUT, &path, &self.admin, Some(roles.clone()))
                .await;
            assert_eq!(put.status, 201, "{}", put.text);
        }
        id
    }

    /// A token for `user` of acme, good for an hour.
    fn token_for(&self, user: &UserId) -> String {
        roster_tests::token_for("acme", user.as_str(), jiff::SignedDuration::from_hours(1))
    }

    /// The stored user, read past the API.
    pub async fn stored(&self, person: &Person) -> roster_domain::entities::User {
        let acme = Actor::Operator(AccountId::parse("acme").unwrap());
        let id = UserId::parse(&person.id).unwrap();
        self.roster.get_user(&acme, &id).await.unwrap().user
    }

    /// Makes a new group of `acme` named `name` (tagged) with `user_id` as its primary member,
    /// on a daily shift that started an hour ago (so on call now); returns the group's id.
    pub async fn on_a_shift(&self, user_id: &str, name: &str) -> String {
        use roster_domain::usecases::{GroupInput, MemberInput, ShiftInput};
        let acme = Actor::Operator(AccountId::parse("acme").unwrap());
        let group = GroupInput {
            name: Some(format!("{name} {}", self.tag)),
        };
        let group = self.roster.create_group(&acme, &group).await.unwrap();
        let primary = MemberInput {
            primary: Some(true),
            ..Default::default()
        };
        let user = UserId::parse(user_id).unwrap();
        self.roster
            .put_member(&acme, &group.id, &user, &primary)
            .await
            .unwrap();
        let an_hour_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
        let shift = ShiftInput {
            name: Some("Days".into()),
            starts_at: Some(an_hour_ago.to_string()),
            duration_minutes: Some(480),
            repeat: Some("daily".into()),
            user_ids: Some(vec![user_id.to_owned()]),
            ..Default::default()
        };
        self.roster
            .create_shift(&acme, &group.id, &shift)
            .await
            .unwrap();
        group.id.to_string()
    }

    pub fn email(&self, name: &str) -> String {
        format!("{name}.{}@acme.example", self.tag)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: &Person,
        body: Option<Value>,
    ) -> Reply {
        self.server
            .http
            .call(method, path, Some(&who.token), body)
            .await
    }

    pub async fn get_user(&self, target: &Person, who: &Person) -> Reply {
        let path = format!("/users/{}", target.id);
        self.call(Method::GET, &path, who, None).await
    }

    pub async fn patch_user(&self, target: &Person, who: &Person, body: Value) -> Reply {
        let path = format!("/users/{}", target.id);
        self.call(Method::PATCH, &path, who, Some(body)).await
    }

    /// `POST /password-resets`, which needs no bearer token.
    /// Sets the password of a user [`World::roster`] made, with the token of their invitation.
    pub async fn set_password(&self, email: &str, password: &str) {
        let sent = self.mail.sent_to(email);
        let token = roster_tests::reset_token_in(&sent.last().expect("an invitation").text)
            .expect("a reset link");
        let input = roster_domain::usecases::PasswordResetInput {
            token: Some(token),
            password: Some(password.into()),
        };
        self.roster.reset_password(&input).await.unwrap();
    }

    pub async fn reset(&self, token: &str, password: &str) -> Reply {
        let body = json!({"token": token, "password": password});
        let http = &self.server.http;
        http.call(Method::POST, "/password-resets", None, Some(body))
            .await
    }

    pub async fn create(&self, who: &Person, name: &str) -> Reply {
        let body = json!({"email": self.email(name), "first_name": name, "last_name": "Made"});
        self.call(Method::POST, "/users", who, Some(body)).await
    }
}

pub fn assert_problem(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(reply.json["status"], json!(status));
    assert!(
        reply.json["title"].is_string() && reply.json["detail"].is_string(),
        "{}",
        reply.text
    );
}
