//! The use cases over the table port, on both stores: accounts with their Owner, the create /
//! get / list / update / delete life of a user, invitations through the outbox, password resets
//! (SPEC.md §1, §3, §5).

use std::sync::Arc;

use roster_domain::DomainError;
use roster_domain::access::Actor;
use roster_domain::entities::{ContactMethod, ManagedBy, User, UserStatus};
use roster_domain::keys;
use roster_domain::ports::clock::FixedClock;
use roster_domain::ports::table::{Query, query_all};
use roster_domain::usecases::{
    ContactOrderInput, ContactPatchInput, Delivery, DeviceInput, NewAccountInput, NewContactInput,
    NewUserInput, PasswordResetInput, RoleInput, Roster, SIGN_IN_LIFETIME, UserFilter,
    UserPatchInput,
};
use roster_domain::values::{AccountId, Role, UserId};
use roster_tests::{TestStore, for_each_store, reset_token_in};

for_each_store!(
    a_reset_token_is_stored_only_as_its_hash,
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
    a_filtered_list_keeps_name_order_across_pages,
    a_search_finds_each_user_once_by_any_of_their_texts_and_follows_every_change,
    changing_the_email_moves_the_claim_atomically,
    a_failed_send_keeps_the_user_and_a_resend_delivers_exactly_once,
    a_reset_token_activates_the_user_once,
    an_expired_reset_token_is_refused,
    a_console_sign_in_code_signs_its_user_in_once_and_only_in_time,
    contact_methods_follow_the_rules_of_their_kind,
    the_sequence_stays_dense_and_reorders_only_by_permutation,
    a_new_device_joins_the_push_method_in_place,
    roles_are_for_standard_users_and_never_run_out,
);

fn acme() -> AccountId {
    AccountId::parse("acme").unwrap()
}

fn operator() -> Actor {
    Actor::Operator(acme())
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

async fn create(roster: &Roster, input: &NewUserInput) -> Result<User, DomainError> {
    roster
        .create_user(&operator(), input, ManagedBy::Api)
        .await
        .map(|(user, _)| user)
}

async fn all_users(roster: &Roster, account: &AccountId) -> Vec<User> {
    roster
        .list_users(
            &Actor::Operator(account.clone()),
            &UserFilter::default(),
            1000,
            None,
        )
        .await
        .unwrap()
        .users
}

async fn account_items(store: &TestStore) -> Vec<String> {
    query_all(
        store.table.as_ref(),
        Query::partition(keys::account_pk(&acme())),
    )
    .await
    .unwrap()
    .into_iter()
    .map(|i| i.key.sk)
    .collect()
}

async fn an_account_is_created_with_its_owner(store: &TestStore) {
    let roster = store.roster();
    let (account, owner, invitation) = roster
        .create_account(&account_input("acme", "Ana@Acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    assert_eq!(account.owner, owner.id);
    assert!(owner.is_owner);
    assert_eq!(owner.roles, [Role::AppAdmin].into());
    assert_eq!(invitation, Delivery::Sent);
    assert_eq!(
        store.mail.sent_to("ana@acme.example").len(),
        1,
        "the Owner is invited too"
    );
    assert_eq!(roster.get_account(&acme()).await.unwrap(), account);
    let users = all_users(&roster, &acme()).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].email.as_str(), "Ana@Acme.example");
    assert!(users[0].is_owner);
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
    assert_eq!(
        all_users(&roster, &acme()).await.len(),
        1,
        "the second owner was not written"
    );
    assert!(
        account_items(store)
            .await
            .iter()
            .all(|sk| !sk.contains("bruno")),
        "no claim for the refused owner"
    );
    assert!(store.mail.sent_to("bruno@acme.example").is_empty());
}

async fn a_new_user_gets_the_defaults_of_the_spec(store: &TestStore) {
    let roster = with_acme(store).await;
    let user = create(
        &roster,
        &user_input("Bruno@Acme.example", " Bruno ", "Costa"),
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
    let profile = roster.get_user(&operator(), &user.id).await.unwrap();
    assert_eq!(profile.user, user);
    assert!(profile.member_of.is_empty());
    let mail = store.mail.sent_to("bruno@acme.example");
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0]
            .text
            .contains("https://app.test/console/reset-password#token=")
    );
}

async fn every_missing_field_is_reported_at_once(store: &TestStore) {
    let roster = with_acme(store).await;
    let input = NewUserInput {
        user_type: Some("stakeholder".into()),
        roles: Some(vec!["basic".into()]),
        ..Default::default()
    };
    let err = create(&roster, &input).await.unwrap_err();
    let DomainError::Validation(errors) = err else {
        panic!("expected validation errors, got {err:?}")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "first_name", "last_name", "roles"]);
    assert_eq!(errors[0].message, "Email is required");
    assert_eq!(all_users(&roster, &acme()).await.len(), 1);
}

async fn an_email_taken_in_another_case_is_a_conflict_naming_the_field(store: &TestStore) {
    let roster = with_acme(store).await;
    create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let mut again = user_input("BRUNO@ACME.EXAMPLE", "Other", "Person");
    again.username = Some("other".into());
    let err = create(&roster, &again).await.unwrap_err();
    let DomainError::Conflict { fields, .. } = err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["email"]);
    // Nothing of the refused user was written: its username is still free.
    let mut free = user_input("carla@acme.example", "Carla", "Dias");
    free.username = Some("other".into());
    create(&roster, &free).await.unwrap();
}

async fn a_taken_username_is_a_conflict_regardless_of_case(store: &TestStore) {
    let roster = with_acme(store).await;
    let mut first = user_input("bruno@acme.example", "Bruno", "Costa");
    first.username = Some("bruno".into());
    create(&roster, &first).await.unwrap();
    let mut second = user_input("bruno2@acme.example", "Bruno", "Two");
    second.username = Some("BRUNO".into());
    let err = create(&roster, &second).await.unwrap_err();
    let DomainError::Conflict { fields, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "username");
    // Both taken: both named.
    let mut both = user_input("Bruno@acme.example", "B", "C");
    both.username = Some("Bruno".into());
    let err = create(&roster, &both).await.unwrap_err();
    let DomainError::Conflict { fields, .. } = &err else {
        panic!("{err:?}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["email", "username"]);
}

async fn users_cannot_be_created_in_an_account_that_does_not_exist(store: &TestStore) {
    let roster = store.roster();
    let err = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
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
    assert!(account_items(store).await.is_empty());
    assert!(
        store.mail.sent().is_empty(),
        "no invitation for a user that was not created"
    );
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
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let globex = Actor::Operator(AccountId::parse("globex").unwrap());
    let err = roster.get_user(&globex, &bruno.id).await.unwrap_err();
    assert!(matches!(err, DomainError::NotFound { entity: "user", .. }));
    let err = roster
        .delete_user(&globex, &bruno.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::NotFound { entity: "user", .. }));
    assert!(roster.get_user(&operator(), &bruno.id).await.is_ok());
}

async fn deleting_a_user_frees_the_email_at_once(store: &TestStore) {
    let roster = with_acme(store).await;
    let mut input = user_input("bruno@acme.example", "Bruno", "Costa");
    input.username = Some("bruno".into());
    let bruno = create(&roster, &input).await.unwrap();
    roster
        .delete_user(&operator(), &bruno.id, None)
        .await
        .unwrap();
    let err = roster.get_user(&operator(), &bruno.id).await.unwrap_err();
    assert!(matches!(err, DomainError::NotFound { .. }));
    let items = account_items(store).await;
    assert!(
        items
            .iter()
            .all(|sk| !sk.to_lowercase().contains("bruno") && !sk.contains(bruno.id.as_str())),
        "user and both claims are gone: {items:?}"
    );
    let again = create(&roster, &input).await.unwrap();
    assert_ne!(again.id, bruno.id);
    let err = roster
        .delete_user(&operator(), &bruno.id, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::NotFound { .. }),
        "deleting twice: {err:?}"
    );
}

async fn the_owner_cannot_be_deleted(store: &TestStore) {
    let roster = store.roster();
    let (_, owner, _) = roster
        .create_account(&account_input("acme", "ana@acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    let err = roster
        .delete_user(&operator(), &owner.id, None)
        .await
        .unwrap_err();
    let DomainError::Conflict { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("Owner"), "{message}");
    assert!(roster.get_user(&operator(), &owner.id).await.is_ok());
}

async fn twenty_concurrent_creates_with_one_email_have_one_winner(store: &TestStore) {
    with_acme(store).await;
    let mut handles = Vec::new();
    for n in 0..20 {
        let roster = store.roster_on(store.open_another().await);
        handles.push(tokio::spawn(async move {
            // Same email, in a different case each time; different usernames.
            let email = if n % 2 == 0 {
                "Dana@Acme.example"
            } else {
                "dana@ACME.example"
            };
            let mut input = user_input(email, "Dana", &format!("Racer{n}"));
            input.username = Some(format!("dana{n}"));
            create(&roster, &input).await
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
    let users = all_users(&store.roster(), &acme()).await;
    let danas: Vec<&UserId> = users
        .iter()
        .filter(|u| u.first_name.as_str() == "Dana")
        .map(|u| &u.id)
        .collect();
    assert_eq!(danas, [&created[0]]);
    assert_eq!(
        store.mail.sent_to("dana@acme.example").len(),
        1,
        "one invitation"
    );
}

async fn create_people(roster: &Roster) {
    let people = [
        ("zoe@acme.example", "Zoe", "Abe"),
        ("bruno@acme.example", "Bruno", "Silva Jr"),
        ("carla@acme.example", "carla", "silva"),
        ("dan@acme.example", "Dan", "Okafor"),
        ("eve@acme.example", "Eve", "Silva"),
    ];
    for (email, first, last) in people {
        create(roster, &user_input(email, first, last))
            .await
            .unwrap();
    }
}

async fn names(roster: &Roster, filter: &UserFilter, limit: u32) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = roster
            .list_users(&operator(), filter, limit, after)
            .await
            .unwrap();
        pages += 1;
        names.extend(
            page.users
                .iter()
                .map(|u| format!("{} {}", u.first_name, u.last_name)),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => return (names, pages),
        }
    }
}

async fn users_are_listed_by_last_then_first_name_a_page_at_a_time(store: &TestStore) {
    let roster = with_acme(store).await;
    create_people(&roster).await;
    let (names, pages) = names(&roster, &UserFilter::default(), 2).await;
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

async fn a_filtered_list_keeps_name_order_across_pages(store: &TestStore) {
    let roster = with_acme(store).await;
    create_people(&roster).await;
    let silvas = UserFilter {
        q: Some("SILVA".into()),
    };
    let (found, _) = names(&roster, &silvas, 2).await;
    assert_eq!(
        found,
        ["Ana Silva", "carla silva", "Eve Silva", "Bruno Silva Jr"]
    );
    let by_email = UserFilter {
        q: Some("dan@".into()),
    };
    assert_eq!(names(&roster, &by_email, 10).await.0, ["Dan Okafor"]);
    let by_full_name = UserFilter {
        q: Some("eve s".into()),
    };
    assert_eq!(names(&roster, &by_full_name, 10).await.0, ["Eve Silva"]);
}

async fn a_search_finds_each_user_once_by_any_of_their_texts_and_follows_every_change(
    store: &TestStore,
) {
    let roster = with_acme(store).await;
    create_people(&roster).await;
    let found = |q: &'static str, limit: u32| {
        let roster = &roster;
        async move {
            let filter = UserFilter { q: Some(q.into()) };
            names(roster, &filter, limit).await.0
        }
    };
    // Eve is found by "eve silva" and by "eve@acme.example": once, whatever the page size.
    for limit in [1, 2, 10] {
        assert_eq!(found("eve", limit).await, ["Eve Silva"], "limit {limit}");
    }
    // A username of its own finds its user; so do first names, last names and "first last".
    let mut input = user_input("frank@acme.example", "Frank", "Moreau");
    input.username = Some("fmoreau".into());
    let frank = create(&roster, &input).await.unwrap();
    assert_eq!(found("FMOR", 10).await, ["Frank Moreau"]);
    assert_eq!(found("fran", 10).await, ["Frank Moreau"]);
    assert_eq!(found("moreau", 10).await, ["Frank Moreau"]);
    assert_eq!(found("frank m", 10).await, ["Frank Moreau"]);
    assert!(found("frank x", 10).await.is_empty());
    // A rename, a new email and a new username move the entries with them.
    let patch = UserPatchInput {
        first_name: Some(Some("Francis".into())),
        email: Some(Some("francis@acme.example".into())),
        username: Some(Some("fm".into())),
        ..Default::default()
    };
    roster
        .update_user(&operator(), &frank.id, &patch, None)
        .await
        .unwrap();
    for gone in ["frank", "fmoreau"] {
        assert!(found(gone, 10).await.is_empty(), "{gone}");
    }
    assert_eq!(found("francis", 10).await, ["Francis Moreau"]);
    assert_eq!(found("fm", 10).await, ["Francis Moreau"]);
    // A deleted user is found by nothing, and leaves no entry behind.
    roster
        .delete_user(&operator(), &frank.id, None)
        .await
        .unwrap();
    assert!(found("moreau", 10).await.is_empty());
    let left = query_all(
        store.table.as_ref(),
        Query::partition(keys::search_partition(&AccountId::parse("acme").unwrap())),
    )
    .await
    .unwrap();
    assert!(
        left.iter()
            .all(|entry| !entry.key.sk.contains(frank.id.as_str())),
        "{left:?}"
    );
}

async fn changing_the_email_moves_the_claim_atomically(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    create(&roster, &user_input("carla@acme.example", "Carla", "Dias"))
        .await
        .unwrap();
    let patch = |email: &str| UserPatchInput {
        email: Some(Some(email.into())),
        ..Default::default()
    };
    let err = roster
        .update_user(&operator(), &bruno.id, &patch("CARLA@acme.example"), None)
        .await
        .unwrap_err();
    let DomainError::Conflict { fields, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fields[0].field, "email");
    assert_eq!(
        roster
            .get_user(&operator(), &bruno.id)
            .await
            .unwrap()
            .user
            .version,
        1
    );

    let moved = roster
        .update_user(
            &operator(),
            &bruno.id,
            &patch("b.costa@acme.example"),
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(moved.version, 2);
    assert_eq!(moved.email.as_str(), "b.costa@acme.example");
    assert_eq!(
        moved.username.as_str(),
        "b.costa@acme.example",
        "a username that was the email follows it"
    );
    let items = account_items(store).await;
    assert!(items.contains(&"EMAIL#b.costa@acme.example".to_owned()));
    assert!(
        !items.contains(&"EMAIL#bruno@acme.example".to_owned()),
        "old claim released"
    );
    // The old address is free at once; a stale If-Match is refused.
    create(&roster, &user_input("bruno@acme.example", "Other", "Bruno"))
        .await
        .unwrap();
    let err = roster
        .update_user(&operator(), &bruno.id, &patch("x@acme.example"), Some(1))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        DomainError::PreconditionFailed {
            expected: 1,
            actual: 2,
            ..
        }
    ));
}

async fn a_failed_send_keeps_the_user_and_a_resend_delivers_exactly_once(store: &TestStore) {
    let roster = with_acme(store).await;
    store.mail.fail(true);
    let (bruno, delivery) = roster
        .create_user(
            &operator(),
            &user_input("bruno@acme.example", "Bruno", "Costa"),
            ManagedBy::Api,
        )
        .await
        .unwrap();
    assert!(matches!(delivery, Delivery::Queued { .. }), "{delivery:?}");
    assert!(
        roster.get_user(&operator(), &bruno.id).await.is_ok(),
        "the user exists"
    );
    // The sweep while the mail service is still down sends nothing and keeps the entry.
    let report = roster.retry_pending_mail().await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));

    store.mail.fail(false);
    let delivery = roster
        .resend_invitation(&operator(), &bruno.id)
        .await
        .unwrap();
    assert_eq!(delivery, Delivery::Sent);
    assert_eq!(
        store.mail.sent_to("bruno@acme.example").len(),
        1,
        "exactly one email"
    );
    let report = roster.retry_pending_mail().await.unwrap();
    assert_eq!(report.sent, 0, "nothing left to send: {report:?}");
    assert_eq!(store.mail.sent_to("bruno@acme.example").len(), 1);
}

async fn a_reset_token_activates_the_user_once(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let mail = store.mail.sent_to("bruno@acme.example");
    let token = reset_token_in(&mail[0].text).expect("a token in the link");
    let short = PasswordResetInput {
        token: Some(token.clone()),
        password: Some("too short".into()),
    };
    let err = roster.reset_password(&short).await.unwrap_err();
    assert!(
        matches!(&err, DomainError::Validation(e) if e[0].field == "password"),
        "{err:?}"
    );

    let good = PasswordResetInput {
        token: Some(token.clone()),
        password: Some("correct horse battery staple".into()),
    };
    roster.reset_password(&good).await.unwrap();
    let user = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    assert_eq!(user.status, UserStatus::Active);
    let err = roster.reset_password(&good).await.unwrap_err();
    assert!(
        matches!(&err, DomainError::Validation(e) if e[0].field == "token"),
        "used: {err:?}"
    );
    let err = roster
        .resend_invitation(&operator(), &bruno.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "already active: {err:?}"
    );
}

/// The use cases over `store` with a clock the test moves.
fn roster_on_a_fixed_clock(store: &TestStore) -> (Roster, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(jiff::Timestamp::now()));
    (store.roster_at(clock.clone()), clock)
}

async fn an_expired_reset_token_is_refused(store: &TestStore) {
    let (roster, clock) = roster_on_a_fixed_clock(store);
    roster
        .create_account(&account_input("acme", "ana@acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    let token = reset_token_in(&store.mail.sent_to("ana@acme.example")[0].text).unwrap();
    clock.advance(jiff::SignedDuration::from_hours(72) + jiff::SignedDuration::from_secs(1));
    let input = PasswordResetInput {
        token: Some(token),
        password: Some("correct horse battery staple".into()),
    };
    let err = roster.reset_password(&input).await.unwrap_err();
    assert!(
        matches!(&err, DomainError::Validation(e) if e[0].field == "token"),
        "{err:?}"
    );
}

async fn a_console_sign_in_code_signs_its_user_in_once_and_only_in_time(store: &TestStore) {
    let (roster, clock) = roster_on_a_fixed_clock(store);
    let (account, ana, _) = roster
        .create_account(&account_input("acme", "ana@acme.example"), ManagedBy::Api)
        .await
        .unwrap();
    let operator = Actor::Operator(account.id.clone());
    let code = roster.issue_sign_in_code(&operator, &ana.id).await.unwrap();
    let signed_in = roster.redeem_sign_in_code(code.reveal()).await.unwrap();
    assert_eq!(signed_in, (account.id.clone(), ana.id.clone()));
    let unauthenticated = |e: &DomainError| matches!(e, DomainError::Unauthenticated(why) if why.contains("roster console"));
    let again = roster.redeem_sign_in_code(code.reveal()).await.unwrap_err();
    assert!(unauthenticated(&again), "a second use: {again:?}");

    let late = roster.issue_sign_in_code(&operator, &ana.id).await.unwrap();
    clock.advance(SIGN_IN_LIFETIME + jiff::SignedDuration::from_secs(1));
    let expired = roster.redeem_sign_in_code(late.reveal()).await.unwrap_err();
    assert!(unauthenticated(&expired), "after its lifetime: {expired:?}");
    for junk in ["", "not a code", &"A".repeat(43)] {
        let refused = roster.redeem_sign_in_code(junk).await.unwrap_err();
        assert!(unauthenticated(&refused), "{junk:?}: {refused:?}");
    }

    // Nobody but the operator prints links, and only for users of the account.
    let caller = roster.caller("acme", ana.id.as_str()).await.unwrap();
    let as_ana = roster
        .issue_sign_in_code(&Actor::User(Box::new(caller)), &ana.id)
        .await
        .unwrap_err();
    assert!(
        matches!(as_ana, DomainError::Forbidden { .. }),
        "{as_ana:?}"
    );
    let nobody = UserId::parse("01J0000000000000000000000A").unwrap();
    let missing = roster
        .issue_sign_in_code(&operator, &nobody)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, DomainError::NotFound { .. }),
        "{missing:?}"
    );
}

fn contact(method: &str, value: &str) -> NewContactInput {
    NewContactInput {
        method: Some(method.into()),
        value: Some(value.into()),
        ..Default::default()
    }
}

fn fields_of(err: DomainError) -> Vec<String> {
    match err {
        DomainError::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

fn kinds(user: &User) -> Vec<&'static str> {
    user.contact_methods.iter().map(|m| m.method.id()).collect()
}

async fn contact_methods_follow_the_rules_of_their_kind(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let add = |input: NewContactInput| {
        let roster = roster.clone();
        let id = bruno.id.clone();
        async move { roster.add_contact(&operator(), &id, &input).await }
    };
    let sms = add(contact("SMS-Personal", "+1 (404) 555-0101"))
        .await
        .unwrap();
    assert_eq!(sms.value.unwrap().as_str(), "+14045550101");
    let err = add(contact("sms-personal", "+1 404 555 0199"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "one of each kind: {err:?}"
    );
    assert_eq!(
        fields_of(
            add(contact("email-personal", "+14045550101"))
                .await
                .unwrap_err()
        ),
        ["value"]
    );
    assert_eq!(
        fields_of(
            add(contact("phone-personal", "bruno@home.example"))
                .await
                .unwrap_err()
        ),
        ["value"]
    );
    assert_eq!(
        fields_of(add(contact("push", "token")).await.unwrap_err()),
        ["method"]
    );
    assert_eq!(
        fields_of(
            add(contact("email-official", "x@y.example"))
                .await
                .unwrap_err()
        ),
        ["method"]
    );
    let out_of_bounds = NewContactInput {
        wait_minutes: Some(61),
        retries: Some(11),
        ..contact("email-personal", "bruno@home.example")
    };
    assert_eq!(
        fields_of(add(out_of_bounds).await.unwrap_err()),
        ["wait_minutes", "retries"]
    );

    // email-official: wait and retries, never a value, never removed.
    let waited = ContactPatchInput {
        wait_minutes: Some(15),
        ..Default::default()
    };
    let user = roster
        .update_contact(&operator(), &bruno.id, "email-official", &waited)
        .await
        .unwrap();
    assert_eq!(user.contact_methods[0].wait_minutes.get(), 15);
    let valued = ContactPatchInput {
        value: Some("other@acme.example".into()),
        ..Default::default()
    };
    let err = roster
        .update_contact(&operator(), &bruno.id, "email-official", &valued)
        .await
        .unwrap_err();
    assert_eq!(fields_of(err), ["value"]);
    let err = roster
        .remove_contact(&operator(), &bruno.id, "email-official")
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)), "{err:?}");
    let err = roster
        .remove_contact(&operator(), &bruno.id, "phone-personal")
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::NotFound { .. }),
        "not held: {err:?}"
    );

    // A billing admin receives no alerts, so has no contact methods.
    let mut billing = user_input("grace@acme.example", "Grace", "Kim");
    billing.user_type = Some("Billing Admin".into());
    let grace = create(&roster, &billing).await.unwrap();
    assert!(grace.contact_methods.is_empty());
    let err = roster
        .add_contact(
            &operator(),
            &grace.id,
            &contact("email-personal", "g@home.example"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Validation(_)), "{err:?}");
}

async fn the_sequence_stays_dense_and_reorders_only_by_permutation(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    for (method, value) in [
        ("sms-personal", "+14045550101"),
        ("email-personal", "bruno@home.example"),
        ("phone-personal", "+14045550102"),
    ] {
        roster
            .add_contact(&operator(), &bruno.id, &contact(method, value))
            .await
            .unwrap();
    }
    roster
        .remove_contact(&operator(), &bruno.id, "email-personal")
        .await
        .unwrap();
    let user = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    assert_eq!(
        kinds(&user),
        ["email-official", "sms-personal", "phone-personal"]
    );

    let order = |names: &[&str]| ContactOrderInput {
        order: Some(names.iter().map(|n| n.to_string()).collect()),
    };
    let user = roster
        .reorder_contacts(
            &operator(),
            &bruno.id,
            &order(&["Phone-Personal", "email-official", "sms-personal"]),
        )
        .await
        .unwrap();
    assert_eq!(
        kinds(&user),
        ["phone-personal", "email-official", "sms-personal"]
    );
    for bad in [
        &["phone-personal", "email-official"][..],
        &[
            "phone-personal",
            "email-official",
            "sms-personal",
            "sms-personal",
        ],
        &["phone-personal", "email-official", "email-personal"],
        &["phone-personal", "email-official", "fax"],
    ] {
        let err = roster
            .reorder_contacts(&operator(), &bruno.id, &order(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(err, DomainError::Validation(_)),
            "{bad:?}: {err:?}"
        );
    }
    let unchanged = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    assert_eq!(
        kinds(&unchanged),
        ["phone-personal", "email-official", "sms-personal"]
    );
}

async fn a_new_device_joins_the_push_method_in_place(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let device = |token: &str| DeviceInput {
        device_token: Some(token.into()),
        platform: Some("iOS".into()),
    };
    let (_, created) = roster
        .register_device(&operator(), &bruno.id, &device("phone-1"))
        .await
        .unwrap();
    assert!(created);
    roster
        .add_contact(
            &operator(),
            &bruno.id,
            &contact("sms-personal", "+14045550101"),
        )
        .await
        .unwrap();
    let before = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    let (_, created) = roster
        .register_device(&operator(), &bruno.id, &device("phone-1"))
        .await
        .unwrap();
    assert!(!created);
    let same = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    assert_eq!(
        same.version, before.version,
        "the same device changes nothing"
    );
    let (push, created) = roster
        .register_device(&operator(), &bruno.id, &device("phone-2"))
        .await
        .unwrap();
    assert!(created, "a second device is a new one");
    let tokens: Vec<&str> = push.devices.iter().map(|d| d.token.as_str()).collect();
    assert_eq!(tokens, ["phone-1", "phone-2"], "both devices are kept");
    let after = roster.get_user(&operator(), &bruno.id).await.unwrap().user;
    assert_eq!(
        kinds(&after),
        ["email-official", "push", "sms-personal"],
        "one push method, in place"
    );
}

async fn roles_are_for_standard_users_and_never_run_out(store: &TestStore) {
    let roster = with_acme(store).await;
    let bruno = create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let role = |name: &str| RoleInput {
        role: Some(name.into()),
    };
    let roles = roster
        .assign_role(&operator(), &bruno.id, &role("Integrations Admin"))
        .await
        .unwrap();
    assert_eq!(roles, [Role::Basic, Role::IntegrationsAdmin].into());
    let version = roster
        .get_user(&operator(), &bruno.id)
        .await
        .unwrap()
        .user
        .version;
    roster
        .assign_role(&operator(), &bruno.id, &role("integrations-admin"))
        .await
        .unwrap();
    let again = roster
        .get_user(&operator(), &bruno.id)
        .await
        .unwrap()
        .user
        .version;
    assert_eq!(again, version, "assigning a held role changes nothing");
    let err = roster
        .assign_role(&operator(), &bruno.id, &role("owner"))
        .await
        .unwrap_err();
    assert_eq!(fields_of(err), ["role"]);
    roster
        .remove_role(&operator(), &bruno.id, "basic")
        .await
        .unwrap();
    let err = roster
        .remove_role(&operator(), &bruno.id, "integrations-admin")
        .await
        .unwrap_err();
    assert!(
        matches!(err, DomainError::Conflict { .. }),
        "the last role stays: {err:?}"
    );

    let mut stakeholder = user_input("sam@acme.example", "Sam", "Stake");
    stakeholder.user_type = Some("stakeholder".into());
    let sam = create(&roster, &stakeholder).await.unwrap();
    let err = roster
        .assign_role(&operator(), &sam.id, &role("basic"))
        .await
        .unwrap_err();
    assert_eq!(fields_of(err), ["role"]);
}

/// SPEC §3: the invitation's token is in the email only; the store keeps its hash, under which
/// the token is found, and no stored item holds the token's text.
async fn a_reset_token_is_stored_only_as_its_hash(store: &TestStore) {
    let roster = with_acme(store).await;
    create(&roster, &user_input("bruno@acme.example", "Bruno", "Costa"))
        .await
        .unwrap();
    let mail = store.mail.sent_to("bruno@acme.example");
    let token = reset_token_in(&mail[0].text).expect("a token in the link");
    let hash = roster_domain::secrets::ResetToken::parse(&token)
        .unwrap()
        .hash();
    let stored = store
        .table
        .get(&keys::reset_token(&hash))
        .await
        .unwrap()
        .expect("the token's hash is its key");
    let account = AccountId::parse("acme").unwrap();
    let mut items = vec![stored];
    for partition in [keys::account_pk(&account), keys::outbox_pk(&account)] {
        items.extend(
            query_all(store.table.as_ref(), Query::partition(partition))
                .await
                .unwrap(),
        );
    }
    assert!(
        items.len() > 3,
        "the user, its claims, the outbox: {}",
        items.len()
    );
    for item in &items {
        let text = format!(
            "{:?} {}",
            item.key,
            serde_json::Value::Object(item.attrs.clone())
        );
        assert!(
            !text.contains(&token),
            "an item holds the token itself: {text}"
        );
    }
}
