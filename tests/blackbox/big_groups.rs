//! Groups of any size (SPEC.md §6): a group of 1,000 members is renamed in one write (names are
//! read from the group, never copied onto members) and deleted in batches, on both stores; a
//! delete interrupted half-way — by the store refusing a write, or on DynamoDB by the
//! connection dropping at the fault proxy — is finished by the retry, and leaves every
//! member's record right. Costs grow by batches of members, never a transaction per member.

use std::sync::Arc;

use roster_domain::access::Actor;
use roster_domain::reconcile::LiveAccount;
use roster_domain::usecases::{GroupInput, Roster, Settings};
use roster_domain::values::{AccountId, GroupId};
use roster_dynamo::DynamoTable;
use roster_tests::fault_proxy::{Fault, FaultProxy};
use roster_tests::faults::FailingTable;
use roster_tests::observe::{Requests, Seen};
use roster_tests::synth::{big_roster_yaml, live_from, seed};
use roster_tests::{TestStore, for_each_store, moto_endpoint};

use crate::observed::observed_roster;

for_each_store!(a_thousand_member_group_renames_and_deletes_and_a_retry_finishes_a_broken_delete);

/// An account `bigco` whose group `Group 0000` has `members` members, seeded as stored items.
async fn big_group(store: &TestStore, members: usize) -> (AccountId, GroupId) {
    let desired = roster_config::load("big.yaml", &big_roster_yaml(members, 1)).unwrap();
    let live = live_from(&desired.accounts[0]);
    seed(store.table.as_ref(), &live).await;
    (live.account.unwrap().id, live.groups[0].id.clone())
}

async fn read(roster: &Roster, account: &AccountId) -> LiveAccount {
    roster.live_account(account).await.unwrap()
}

async fn a_thousand_member_group_renames_and_deletes_and_a_retry_finishes_a_broken_delete(
    store: &TestStore,
) {
    let (account, group) = big_group(store, 1000).await;
    let actor = Actor::Operator(account.clone());
    let roster = store.roster();

    let renamed = roster
        .rename_group(
            &actor,
            &group,
            &GroupInput {
                name: Some("Database Atlanta".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name.as_str(), "Database Atlanta");
    for member in ["user00000@bigco.example", "user00999@bigco.example"] {
        let live = read(&roster, &account).await;
        let user = live
            .users
            .iter()
            .find(|u| u.email.as_str() == member)
            .unwrap();
        let profile = roster.get_user(&actor, &user.id).await.unwrap();
        assert_eq!(profile.member_of, ["Database Atlanta"], "{member}");
    }

    // The delete breaks after a few batches: the group is gone for every reader, and part of
    // its members have left.
    let failing = FailingTable::every(Arc::clone(&store.table), 6);
    let broken = store.roster_on(Arc::new(failing));
    let err = broken.delete_group(&actor, &group).await.unwrap_err();
    assert!(
        matches!(err, roster_domain::DomainError::Store(_)),
        "{err:?}"
    );
    assert!(
        roster.get_group(&actor, &group).await.is_err(),
        "gone for readers"
    );
    let halfway = read(&roster, &account).await;
    let still = halfway
        .users
        .iter()
        .filter(|u| u.member_of.contains_key(&group))
        .count();
    assert!(0 < still && still < 1000, "{still} members left to go");
    assert!(
        halfway.groups.is_empty() && halfway.memberships.is_empty(),
        "a plan never sees a group being deleted"
    );
    assert!(
        roster.list_groups(&actor).await.unwrap().is_empty(),
        "a group being deleted is not listed"
    );

    // The retry finishes it: every member's record is right, the name is free.
    roster.delete_group(&actor, &group).await.unwrap();
    let after = read(&roster, &account).await;
    assert!(after.groups.is_empty());
    assert!(after.memberships.is_empty());
    assert!(after.users.iter().all(|u| u.member_of.is_empty()));
    assert_eq!(after.users.len(), 1000);
    roster
        .create_group(
            &actor,
            &GroupInput {
                name: Some("Database Atlanta".into()),
            },
        )
        .await
        .unwrap();
}

/// On DynamoDB, the store goes away in the middle of a delete (the connection drops at the
/// proxy for every request after a few): the retry, once it is back, finishes the delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_cut_off_at_the_store_is_finished_by_the_retry() {
    let store = TestStore::dynamodb().await;
    let (account, group) = big_group(&store, 300).await;
    let actor = Actor::Operator(account.clone());
    let proxy = FaultProxy::start(&moto_endpoint()).await;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(proxy.url())
        .load()
        .await;
    let table = DynamoTable::from_config(&config, store.dynamodb_table());
    let behind_proxy = Roster::production(
        Arc::new(table),
        Arc::new(store.mail.clone()),
        Settings {
            app_url: "https://app.test".into(),
        },
    );
    // The load query and the first batches pass; then nothing does.
    proxy.fail_after(6, Fault::Drop);
    assert!(behind_proxy.delete_group(&actor, &group).await.is_err());
    proxy.heal();
    let roster = store.roster();
    let halfway = read(&roster, &account).await;
    let still = halfway
        .users
        .iter()
        .filter(|u| u.member_of.contains_key(&group))
        .count();
    assert!(0 < still && still < 300, "{still} members left to go");
    behind_proxy.delete_group(&actor, &group).await.unwrap();
    let after = read(&roster, &account).await;
    assert!(after.groups.is_empty() && after.memberships.is_empty());
    assert!(after.users.iter().all(|u| u.member_of.is_empty()));
}

/// What renaming and deleting cost as groups grow: a rename is the group's query and one
/// transaction whatever its size; a delete adds, per 50 members, one BatchGetItem and one
/// transaction (a membership and a profile each), and two transactions around them.
#[tokio::test]
async fn group_costs_grow_by_batches_of_members() {
    for members in [100, 200] {
        let store = TestStore::sqlite().await;
        let (account, group) = big_group(&store, members).await;
        let actor = Actor::Operator(account);
        let seen = Seen::default();
        let roster = observed_roster(&store, &seen);
        roster
            .rename_group(
                &actor,
                &group,
                &GroupInput {
                    name: Some("Renamed".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            seen.take().1,
            Requests {
                query: 1,
                transact_write_items: 1,
                ..Requests::default()
            },
            "rename, {members} members"
        );
        roster.delete_group(&actor, &group).await.unwrap();
        let batches = members / 50;
        assert_eq!(
            seen.take().1,
            Requests {
                query: 1,
                batch_get_item: batches,
                transact_write_items: batches + 2,
                ..Requests::default()
            },
            "delete, {members} members"
        );
    }
}
