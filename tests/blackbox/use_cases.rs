//! The first use cases over the table port, on both stores: accounts with their Owner, and the
//! create / get / list / delete life of a user (SPEC.md §1, §3, §5).

use std::sync::Arc;

use roster_domain::DomainError;
use roster_domain::entities::{ContactMethod, ManagedBy, UserStatus};
use roster_domain::keys;
use roster_domain::ports::table::Query;
use roster_domain::ports::table::query_all;
use roster_domain::usecases::{NewAccountInput, NewUserInput, Roster};
use roster_domain::values::{AccountId, Role, UserId};
use roster_tests::{TestStore, for_each_store};

for_each_store!(
    an_account_is_created_with_its_owner,
    a_second_account_with_the_same_id_is_refused_and_writes_nothing,
    a_new_user_gets_the_defaults_of_the_spec,
    every_missing_field_is_reported_at_once,
    an_email_taken_in_another_case_is_a_conflict_naming_the_field,
    a_taken_username_is_a_conflict_regardless_of_case,
    users_cannot_be_created_in_an_account_that_does_not_exist,
    another_accounts_user_is_not_found,
    deleting_a_user_frees_the_email_at_once,
    the_owner_cannot_be_deleted,
    twenty_concurrent_creates_with_one_email_have_one_winner,
    users_are_listed_by_last_then_first_name_a_page_at_a_time,
);

fn acme() -> AccountId {
    AccountId::parse("acme").unwrap()
}

fn account_input(id: &str, owner_email: &str) -> NewAccountInput {
    NewAccountInput {
        id: Some(id.into()),
        name: Some("Acme Corp".into()),
        seats: None,
        owner: NewUserInput {
            email: Some(owner_email.into()),
            first_name: Some("Ana".into()),
            last_name: Some("Silva".into()),
            ..Default::default()
        },
    }
}

fn user_input(email: &str, first: &str, last: &str) -> NewUserInput {
    NewUserInput {
        email: Some(email.into()),
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        ..Default::default()
    }
}

async fn with_acme(store: &TestStore) -> Roster {
    let roster = store.roster();
    roster
        .create_account(&account_input("acme", "ana@acme.example"), ManagedBy::Api)
        .await
        .expect("create acme");
    roster
}

async fn an_account_is_created_with_its_owner(store: &TestStore) {
    let roster = store.roster();
    let (account, owner) = roster
        .create_account(&account_input("acme", "Ana@Acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    assert_eq!(account.owner, owner.id);
    assert!(owner.is_owner);
    assert_eq!(owner.roles, [Role::AppAdmin].into());
    assert_eq!(roster.get_account(&acme()).await.unwrap(), account);
    let page = roster.list_users(&acme(), 100, None).await.unwrap();
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].email.as_str(), "Ana@Acme.example");
    assert!(page.users[0].is_owner);
}

async fn a_second_account_with_the_same_id_is_refused_and_writes_nothing(store: &TestStore) {
    let roster = with_acme(store).await;
    let err = roster
        .create_account(&account_input("acme", "bruno@acme.example"), ManagedBy::Api)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DomainError::Conflict { message, .. } if message == "account acme already exists"),
        "{err:?}"
    );
    let page = roster.list_users(&acme(), 100, None).await.unwrap();
    assert_eq!(page.users.len(), 1, "the second owner was not written");
    let items = query_all(
        store.table.as_ref(),
        Query::partition(keys::account_pk(&acme())),
    )
    .await
    .unwrap();
    assert!(
        items.iter().all(|i| !i.key.sk.contains("bruno")),
        "no claim for the refused owner"
    );
}

async fn a_new_user_gets_the_defaults_of_the_spec(store: &TestStore) {
    let roster = with_acme(store).await;
    let user = roster
        .create_user(
            &acme(),
            &user_input("Bruno@Acme.example", " Bruno ", "Costa"),
            ManagedBy::Api,
        )
        .await
        .unwrap();
    assert_eq!(
        user.username.as_str(),
        "Bruno@Acme.example",
        "username defaults to the email"
    );
    assert_eq!(user.first_name.as_str(), "Bruno", "names are trimmed");
    assert_eq!(user.roles, [Role::Basic].into());
    assert_eq!(user.status, UserStatus::Invited);
    assert_eq!(user.contact_methods, vec![ContactMethod::email_official()]);
    assert!(!user.is_owner);
    assert_eq!(user.version, 1);
    assert_eq!(roster.get_user(&acme(), &user.id).await.unwrap(), user);
}

async fn every_missing_field_is_reported_at_once(store: &TestStore) {
    let roster = with_acme(store).await;
    let input = NewUserInput {
        user_type: Some("stakeholder".into()),
        roles: Some(vec!["basic".into()]),
        ..Default::default()
    };
    let err = roster
        .create_user(&acme(), &input, ManagedBy::Api)
        .await
        .unwrap_err();
    let DomainError::Validation(errors) = err else {
        panic!("expected validation errors, got {err:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "first_name", "last_name", "roles"]);
    assert_eq!(errors[0].message, "Email is required");
    assert_eq!(
        roster
            .list_users(&acme(), 100, None)
            .await
            .unwrap()
            .users
            .len(),
        1
    );
}

async fn an_email_taken_in_another_case_is_a_conflict_naming_the_field(store: &TestStore) {
    let roster = with_acme(store).await;
    roster
        .create_user(
            &acme(),
            &user_input("bruno@acme.example", "Bruno", "Costa"),
            ManagedBy::Api,
        )
        .await
        .unwrap();
    let mut again = user_input("BRUNO@ACME.EXAMPLE", "Other", "Person");
    again.username = Some("other".into());
    let err = roster
        .create_user(&acme(), &again, ManagedBy::Api)
        .await
        .unwrap_err();
    let DomainError::Conflict { fields, .. } = err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["email"]);
    // Nothing of the refused user was written: its username is still free.
    let mut free = user_input("carla@acme.example", "Carla", "Dias");
    free.username = Some("other".into());
    roster
        .create_user(&acme(), &free, ManagedBy::Api)
        .await
        .unwrap();
}

async fn a_taken_username_is_a_conflict_regardless_of_case(store: &TestStore) {
    let roster = with_acme(store).await;
    let mut first = user_input("bruno@acme.example", "Bruno", "Costa");
    first.username = Some("bruno".into());
    roster
        .create_user(&acme(), &first, ManagedBy::Api)
        .await
        .unwrap();
    let mut second = user_input("bruno2@acme.example", "Bruno", "Two");
    second.username = Some("BRUNO".into());
    let err = roster
        .create_user(&acme(), &second, ManagedBy::Api)
        .await
        .unwrap_err();
    let DomainError::Conflict { fields, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "username");
    // Both taken: both named.
    let mut both = user_input("Bruno@acme.example", "B", "C");
    both.username = Some("Bruno".into());
    let err = roster
        .create_user(&acme(), &both, ManagedBy::Api)
        .await
        .unwrap_err();
    let DomainError::Conflict { fields, .. } = &err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["email", "username"]);
}

async fn users_cannot_be_created_in_an_account_that_does_not_exist(store: &TestStore) {
    let roster = store.roster();
    let err = roster
        .create_user(
            &acme(),
            &user_input("bruno@acme.example", "Bruno", "Costa"),
            ManagedBy::Api,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DomainError::NotFound {
                entity: "account",
                ..
            }
        ),
        "{err:?}"
    );
    let items = query_all(
        store.table.as_ref(),
        Query::partition(keys::account_pk(&acme())),
    )
    .await
    .unwrap();
    assert!(items.is_empty());
}

async fn another_accounts_user_is_not_found(store: &TestStore) {
    let roster = with_acme(store).await;
    roster
        .create_account(
            &account_input("globex", "hank@globex.example"),
            ManagedBy::Api,
        )
        .await
        .unwrap();
    let bruno = roster
        .create_user(
            &acme(),
            &user_input("bruno@acme.example", "Bruno", "Costa"),
            ManagedBy::Api,
        )
        .await
        .unwrap();
    let globex = AccountId::parse("globex").unwrap();
    let err = roster.get_user(&globex, &bruno.id).await.unwrap_err();
    assert!(matches!(err, DomainError::NotFound { entity: "user", .. }));
    let err = roster.delete_user(&globex, &bruno.id).await.unwrap_err();
    assert!(matches!(err, DomainError::NotFound { entity: "user", .. }));
    assert!(roster.get_user(&acme(), &bruno.id).await.is_ok());
}

async fn deleting_a_user_frees_the_email_at_once(store: &TestStore) {
    let roster = with_acme(store).await;
    let mut input = user_input("bruno@acme.example", "Bruno", "Costa");
    input.username = Some("bruno".into());
    let bruno = roster
        .create_user(&acme(), &input, ManagedBy::Api)
        .await
        .unwrap();
    roster.delete_user(&acme(), &bruno.id).await.unwrap();
    let err = roster.get_user(&acme(), &bruno.id).await.unwrap_err();
    assert!(matches!(err, DomainError::NotFound { .. }));
    let items = query_all(
        store.table.as_ref(),
        Query::partition(keys::account_pk(&acme())),
    )
    .await
    .unwrap();
    assert!(
        items
            .iter()
            .all(|i| !i.key.sk.to_lowercase().contains("bruno")
                && !i.key.sk.contains(bruno.id.as_str())),
        "user and both claims are gone: {:?}",
        items.iter().map(|i| &i.key.sk).collect::<Vec<_>>()
    );
    let again = roster
        .create_user(&acme(), &input, ManagedBy::Api)
        .await
        .unwrap();
    assert_ne!(again.id, bruno.id);
    let err = roster.delete_user(&acme(), &bruno.id).await.unwrap_err();
    assert!(
        matches!(err, DomainError::NotFound { .. }),
        "deleting twice: {err:?}"
    );
}

async fn the_owner_cannot_be_deleted(store: &TestStore) {
    let roster = store.roster();
    let (_, owner) = roster
        .create_account(&account_input("acme", "ana@acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    let err = roster.delete_user(&acme(), &owner.id).await.unwrap_err();
    let DomainError::Conflict { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("Owner"), "{message}");
    assert!(roster.get_user(&acme(), &owner.id).await.is_ok());
}

async fn twenty_concurrent_creates_with_one_email_have_one_winner(store: &TestStore) {
    with_acme(store).await;
    let mut handles = Vec::new();
    for n in 0..20 {
        let roster = Roster::with_table(store.open_another().await);
        handles.push(tokio::spawn(async move {
            // Same email, in a different case each time; different usernames.
            let email = if n % 2 == 0 {
                "Dana@Acme.example"
            } else {
                "dana@ACME.example"
            };
            let mut input = user_input(email, "Dana", &format!("Racer{n}"));
            input.username = Some(format!("dana{n}"));
            roster.create_user(&acme(), &input, ManagedBy::Api).await
        }));
    }
    let mut created = Vec::new();
    for handle in handles {
        match handle.await.unwrap() {
            Ok(user) => created.push(user.id),
            Err(DomainError::Conflict { fields, .. }) => {
                assert_eq!(fields[0].field, "email");
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one create wins");
    let roster = store.roster();
    let users = roster.list_users(&acme(), 100, None).await.unwrap().users;
    let danas: Vec<&UserId> = users
        .iter()
        .filter(|u| u.first_name.as_str() == "Dana")
        .map(|u| &u.id)
        .collect();
    assert_eq!(danas, [&created[0]]);
}

async fn users_are_listed_by_last_then_first_name_a_page_at_a_time(store: &TestStore) {
    let roster = with_acme(store).await;
    let people = [
        ("zoe@acme.example", "Zoe", "Abe"),
        ("bruno@acme.example", "Bruno", "Silva Jr"),
        ("carla@acme.example", "carla", "silva"),
        ("dan@acme.example", "Dan", "Okafor"),
        ("eve@acme.example", "Eve", "Silva"),
    ];
    let roster = Arc::new(roster);
    for (email, first, last) in people {
        roster
            .create_user(&acme(), &user_input(email, first, last), ManagedBy::Api)
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = roster.list_users(&acme(), 2, after).await.unwrap();
        pages += 1;
        names.extend(
            page.users
                .iter()
                .map(|u| format!("{} {}", u.first_name, u.last_name)),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        names,
        [
            "Zoe Abe",
            "Dan Okafor",
            "Ana Silva",
            "carla silva",
            "Eve Silva",
            "Bruno Silva Jr"
        ]
    );
    assert!(pages >= 3);
}
