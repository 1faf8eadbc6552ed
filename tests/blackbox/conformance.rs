//! The table port's contract, held against both adapters: every case runs on SQLite and on
//! DynamoDB (moto), as `conformance::sqlite::<case>` and `conformance::dynamodb::<case>`.

use std::sync::Arc;

use roster_domain::ports::table::{
    Condition, Item, Key, MAX_TRANSACTION_ITEMS, Query, Table, TableError, Tally, Write, query_all,
};
use roster_tests::{TestStore, for_each_store};
use serde_json::{Value, json};

for_each_store!(
    get_of_a_missing_item_is_none,
    put_then_get_round_trips_every_kind_of_attribute,
    must_not_exist_refuses_an_existing_item_and_keeps_it,
    must_exist_refuses_a_missing_item,
    version_is_guards_read_modify_write,
    conditional_delete_removes_only_when_the_condition_holds,
    a_check_writes_nothing_but_guards_the_transaction,
    transactions_are_all_or_nothing,
    every_failed_condition_is_named,
    query_returns_one_prefix_in_sort_key_order,
    pagination_walks_more_than_one_page_without_gaps_or_repeats,
    pages_stop_at_one_megabyte,
    the_index_is_sparse_sorted_and_paginated,
    oversized_and_malformed_transactions_are_refused_whole,
    twenty_racing_claims_have_exactly_one_winner,
    racing_version_updates_lose_nothing,
    get_many_reads_what_exists_across_batches,
    a_tally_counts_in_place_within_its_limit,
    twenty_racing_takes_of_the_last_five_seats_take_exactly_five,
);

async fn a_tally_counts_in_place_within_its_limit(store: &TestStore) {
    let t = store.table.as_ref();
    let key = Key::new("P", "SEATS");
    let tally = |change| vec![Write::tally(key.clone(), change)];
    // No counter, no change of any kind.
    for change in [Tally::Take, Tally::Release, Tally::Limit(Some(3))] {
        let err = t.transact(tally(change)).await.unwrap_err();
        assert_eq!(err, TableError::ConditionFailed(vec![0]), "{change:?}");
    }
    assert_eq!(t.get(&key).await.unwrap(), None, "nothing created");
    put(t, item("P", "SEATS", json!({"count": 1, "limit": 2}))).await;
    t.transact(tally(Tally::Take)).await.unwrap();
    let full = t.get(&key).await.unwrap().unwrap();
    assert_eq!(full.attrs["count"], json!(2));
    assert_eq!(full.version, 2, "each change bumps the version");
    // At the limit: no more, and the refusal is named like any failed condition, in place.
    let other = item("P", "OTHER", json!({}));
    let err = t
        .transact(vec![
            Write::put(other.clone(), None),
            Write::tally(key.clone(), Tally::Take),
        ])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![1]));
    assert_eq!(t.get(&other.key).await.unwrap(), None, "all or nothing");
    // A limit below the count is refused; at or above it, set; none, removed.
    let err = t.transact(tally(Tally::Limit(Some(1)))).await.unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    t.transact(tally(Tally::Limit(Some(3)))).await.unwrap();
    t.transact(tally(Tally::Take)).await.unwrap();
    t.transact(tally(Tally::Limit(None))).await.unwrap();
    t.transact(tally(Tally::Take)).await.unwrap();
    let counted = t.get(&key).await.unwrap().unwrap();
    assert_eq!(counted.attrs["count"], json!(4));
    assert!(!counted.attrs.contains_key("limit"));
    for _ in 0..4 {
        t.transact(tally(Tally::Release)).await.unwrap();
    }
    let err = t.transact(tally(Tally::Release)).await.unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]), "never below 0");
    assert_eq!(t.get(&key).await.unwrap().unwrap().attrs["count"], json!(0));
}

async fn twenty_racing_takes_of_the_last_five_seats_take_exactly_five(store: &TestStore) {
    let key = Key::new("P", "SEATS");
    put(
        store.table.as_ref(),
        item("P", "SEATS", json!({"count": 45, "limit": 50})),
    )
    .await;
    let mut racers = Vec::new();
    for n in 0..20 {
        let table = Arc::clone(&store.table);
        let key = key.clone();
        racers.push(tokio::spawn(async move {
            let claim = item("P", &format!("CLAIM#{n}"), json!({}));
            table
                .transact(vec![
                    Write::tally(key, Tally::Take),
                    Write::put(claim, Condition::MustNotExist),
                ])
                .await
        }));
    }
    let mut won = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(()) => won += 1,
            Err(TableError::ConditionFailed(_) | TableError::Conflict) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(won, 5);
    let counter = store.table.get(&key).await.unwrap().unwrap();
    assert_eq!(counter.attrs["count"], json!(50));
    let claims = query_all(store.table.as_ref(), Query::partition("P").prefix("CLAIM#"))
        .await
        .unwrap();
    assert_eq!(claims.len(), 5, "the losers wrote nothing");
}

fn item(pk: &str, sk: &str, body: Value) -> Item {
    Item::from_body(Key::new(pk, sk), 1, &body).expect("object body")
}

async fn put(table: &dyn Table, item: Item) {
    table
        .transact(vec![Write::put(item, None)])
        .await
        .expect("unconditional put");
}

async fn get_of_a_missing_item_is_none(store: &TestStore) {
    assert_eq!(
        store.table.get(&Key::new("P", "nothing")).await.unwrap(),
        None
    );
}

async fn put_then_get_round_trips_every_kind_of_attribute(store: &TestStore) {
    let body = json!({
        "text": "Ana Silva — São Paulo 🚨",
        "empty": "",
        "int": 42,
        "negative": -7,
        "big": 9_007_199_254_740_993_u64,
        "float": 2.5,
        "yes": true,
        "nothing": null,
        "list": ["a", 1, false, {"nested": ["deep"]}],
        "empty_list": [],
        "map": {"inner": {"x": 1}},
    });
    let mut stored = item("ACCOUNT#a", "USER#1", body.clone())
        .with_index("USERS#a", "silva\u{1}ana\u{1}1")
        .with_expiry(1_900_000_000);
    stored.version = 7;
    put(store.table.as_ref(), stored.clone()).await;
    let back = store.table.get(&stored.key).await.unwrap().expect("item");
    assert_eq!(back, stored);
}

async fn must_not_exist_refuses_an_existing_item_and_keeps_it(store: &TestStore) {
    let first = item("P", "EMAIL#ana@acme.example", json!({"user_id": "first"}));
    let second = item("P", "EMAIL#ana@acme.example", json!({"user_id": "second"}));
    let t = store.table.as_ref();
    t.transact(vec![Write::put(first.clone(), Condition::MustNotExist)])
        .await
        .unwrap();
    let err = t
        .transact(vec![Write::put(second, Condition::MustNotExist)])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    assert_eq!(t.get(&first.key).await.unwrap(), Some(first));
}

async fn must_exist_refuses_a_missing_item(store: &TestStore) {
    let t = store.table.as_ref();
    let err = t
        .transact(vec![Write::put(
            item("P", "S", json!({})),
            Condition::MustExist,
        )])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    assert_eq!(t.get(&Key::new("P", "S")).await.unwrap(), None);
    put(t, item("P", "S", json!({"n": 1}))).await;
    t.transact(vec![Write::put(
        item("P", "S", json!({"n": 2})),
        Condition::MustExist,
    )])
    .await
    .unwrap();
    let back = t.get(&Key::new("P", "S")).await.unwrap().unwrap();
    assert_eq!(back.attrs["n"], json!(2));
}

async fn version_is_guards_read_modify_write(store: &TestStore) {
    let t = store.table.as_ref();
    let key = Key::new("P", "USER#1");
    let missing = t
        .transact(vec![Write::put(
            item("P", "USER#1", json!({})),
            Condition::VersionIs(1),
        )])
        .await
        .unwrap_err();
    assert_eq!(
        missing,
        TableError::ConditionFailed(vec![0]),
        "no item, no version"
    );

    put(t, item("P", "USER#1", json!({"name": "v1"}))).await;
    let mut v2 = item("P", "USER#1", json!({"name": "v2"}));
    v2.version = 2;
    t.transact(vec![Write::put(v2.clone(), Condition::VersionIs(1))])
        .await
        .unwrap();
    let mut stale = item("P", "USER#1", json!({"name": "stale"}));
    stale.version = 2;
    let err = t
        .transact(vec![Write::put(stale, Condition::VersionIs(1))])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    assert_eq!(t.get(&key).await.unwrap(), Some(v2));
}

async fn conditional_delete_removes_only_when_the_condition_holds(store: &TestStore) {
    let t = store.table.as_ref();
    let key = Key::new("P", "USER#1");
    put(t, item("P", "USER#1", json!({}))).await;
    let err = t
        .transact(vec![Write::delete(key.clone(), Condition::VersionIs(5))])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    assert!(t.get(&key).await.unwrap().is_some());
    t.transact(vec![Write::delete(key.clone(), Condition::VersionIs(1))])
        .await
        .unwrap();
    assert_eq!(t.get(&key).await.unwrap(), None);
    let err = t
        .transact(vec![Write::delete(key.clone(), Condition::MustExist)])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    // An unconditional delete of nothing is not an error.
    t.transact(vec![Write::delete(key, None)]).await.unwrap();
}

async fn a_check_writes_nothing_but_guards_the_transaction(store: &TestStore) {
    let t = store.table.as_ref();
    let account = Key::new("ACCOUNT#a", "ACCOUNT");
    let user = item("ACCOUNT#a", "USER#1", json!({}));
    let err = t
        .transact(vec![
            Write::check(account.clone(), Condition::MustExist),
            Write::put(user.clone(), Condition::MustNotExist),
        ])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![0]));
    assert_eq!(t.get(&user.key).await.unwrap(), None);

    put(t, item("ACCOUNT#a", "ACCOUNT", json!({"name": "A"}))).await;
    t.transact(vec![
        Write::check(account.clone(), Condition::MustExist),
        Write::put(user.clone(), Condition::MustNotExist),
    ])
    .await
    .unwrap();
    assert!(t.get(&user.key).await.unwrap().is_some());
    let checked = t.get(&account).await.unwrap().unwrap();
    assert_eq!(checked.version, 1, "a check leaves the item as it was");
    assert_eq!(checked.attrs["name"], json!("A"));
}

async fn transactions_are_all_or_nothing(store: &TestStore) {
    let t = store.table.as_ref();
    put(t, item("P", "TAKEN", json!({"by": "someone"}))).await;
    put(t, item("P", "DOOMED", json!({}))).await;
    let err = t
        .transact(vec![
            Write::put(item("P", "A", json!({})), Condition::MustNotExist),
            Write::delete(Key::new("P", "DOOMED"), None),
            Write::put(
                item("P", "TAKEN", json!({"by": "me"})),
                Condition::MustNotExist,
            ),
        ])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![2]));
    assert_eq!(
        t.get(&Key::new("P", "A")).await.unwrap(),
        None,
        "no partial put"
    );
    assert!(
        t.get(&Key::new("P", "DOOMED")).await.unwrap().is_some(),
        "no partial delete"
    );
    let taken = t.get(&Key::new("P", "TAKEN")).await.unwrap().unwrap();
    assert_eq!(taken.attrs["by"], json!("someone"));
}

async fn every_failed_condition_is_named(store: &TestStore) {
    let t = store.table.as_ref();
    put(t, item("P", "EMAIL#x", json!({}))).await;
    put(t, item("P", "USERNAME#x", json!({}))).await;
    let err = t
        .transact(vec![
            Write::put(item("P", "USER#1", json!({})), Condition::MustNotExist),
            Write::put(item("P", "EMAIL#x", json!({})), Condition::MustNotExist),
            Write::check(Key::new("P", "ACCOUNT"), Condition::MustNotExist),
            Write::put(item("P", "USERNAME#x", json!({})), Condition::MustNotExist),
        ])
        .await
        .unwrap_err();
    assert_eq!(err, TableError::ConditionFailed(vec![1, 3]));
}

async fn query_returns_one_prefix_in_sort_key_order(store: &TestStore) {
    let t = store.table.as_ref();
    for sk in [
        "USER#3",
        "EMAIL#b",
        "USER#1",
        "GROUP#1",
        "USER#2",
        "USERNAME#a",
        "USER$",
    ] {
        put(t, item("ACCOUNT#a", sk, json!({}))).await;
    }
    put(t, item("ACCOUNT#b", "USER#9", json!({}))).await;
    let sks = |items: Vec<Item>| items.into_iter().map(|i| i.key.sk).collect::<Vec<_>>();

    let users = query_all(t, Query::partition("ACCOUNT#a").prefix("USER#"))
        .await
        .unwrap();
    assert_eq!(sks(users), ["USER#1", "USER#2", "USER#3"]);
    let newest_first = query_all(
        t,
        Query::partition("ACCOUNT#a").prefix("USER#").descending(),
    )
    .await
    .unwrap();
    assert_eq!(sks(newest_first), ["USER#3", "USER#2", "USER#1"]);
    let all = query_all(t, Query::partition("ACCOUNT#a")).await.unwrap();
    assert_eq!(
        sks(all),
        [
            "EMAIL#b",
            "GROUP#1",
            "USER#1",
            "USER#2",
            "USER#3",
            "USER$",
            "USERNAME#a"
        ]
    );
    let none = query_all(t, Query::partition("ACCOUNT#zzz")).await.unwrap();
    assert!(none.is_empty());
}

async fn pagination_walks_more_than_one_page_without_gaps_or_repeats(store: &TestStore) {
    let t = store.table.as_ref();
    for n in 0..25 {
        put(t, item("P", &format!("ITEM#{n:03}"), json!({"n": n}))).await;
    }
    let mut query = Query::partition("P").prefix("ITEM#").limit(10);
    let mut pages = Vec::new();
    let mut seen = Vec::new();
    loop {
        let page = t.query(&query).await.unwrap();
        pages.push(page.items.len());
        seen.extend(page.items.iter().map(|i| i.attrs["n"].as_i64().unwrap()));
        match page.next {
            Some(next) => query.start_after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, [10, 10, 5]);
    assert_eq!(seen, (0..25).collect::<Vec<_>>());

    // Backwards, too.
    let mut query = Query::partition("P").prefix("ITEM#").limit(10).descending();
    let mut seen = Vec::new();
    loop {
        let page = t.query(&query).await.unwrap();
        seen.extend(page.items.iter().map(|i| i.attrs["n"].as_i64().unwrap()));
        match page.next {
            Some(next) => query.start_after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (0..25).rev().collect::<Vec<_>>());
}

async fn pages_stop_at_one_megabyte(store: &TestStore) {
    let t = store.table.as_ref();
    let blob = "x".repeat(100_000);
    for n in 0..15 {
        put(t, item("P", &format!("BIG#{n:02}"), json!({"blob": blob}))).await;
    }
    let first = t.query(&Query::partition("P")).await.unwrap();
    assert!(
        (5..15).contains(&first.items.len()),
        "a 1.5 MB partition takes more than one page, got {} items on the first",
        first.items.len()
    );
    assert!(first.next.is_some());
    let all = query_all(t, Query::partition("P")).await.unwrap();
    assert_eq!(all.len(), 15);
}

async fn the_index_is_sparse_sorted_and_paginated(store: &TestStore) {
    let t = store.table.as_ref();
    let names = [
        "silva\u{1}ana",
        "okafor\u{1}chidi",
        "silva jr\u{1}bruno",
        "abe\u{1}hana",
    ];
    for (n, name) in names.iter().enumerate() {
        put(
            t,
            item("ACCOUNT#a", &format!("USER#{n}"), json!({"n": n})).with_index("USERS#a", *name),
        )
        .await;
    }
    // Not in the index: no index keys; and another account's index partition.
    put(t, item("ACCOUNT#a", "EMAIL#x", json!({}))).await;
    put(
        t,
        item("ACCOUNT#b", "USER#9", json!({})).with_index("USERS#b", "aaa"),
    )
    .await;

    let mut query = Query::index("USERS#a").limit(3);
    let mut order = Vec::new();
    let mut pages = 0;
    loop {
        let page = t.query(&query).await.unwrap();
        pages += 1;
        order.extend(page.items.iter().map(|i| i.index.clone().unwrap().sk));
        match page.next {
            Some(next) => query.start_after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        order,
        [
            "abe\u{1}hana",
            "okafor\u{1}chidi",
            "silva\u{1}ana",
            "silva jr\u{1}bruno"
        ],
        "last names sort before longer ones that extend them"
    );
    assert!(pages >= 2);
    let prefixed = query_all(t, Query::index("USERS#a").prefix("silva"))
        .await
        .unwrap();
    assert_eq!(prefixed.len(), 2);
}

async fn oversized_and_malformed_transactions_are_refused_whole(store: &TestStore) {
    let t = store.table.as_ref();
    let too_many: Vec<Write> = (0..=MAX_TRANSACTION_ITEMS)
        .map(|n| Write::put(item("P", &format!("N#{n}"), json!({})), None))
        .collect();
    assert!(matches!(
        t.transact(too_many).await,
        Err(TableError::Invalid(_))
    ));
    let twice = vec![
        Write::put(item("P", "SAME", json!({})), None),
        Write::delete(Key::new("P", "SAME"), None),
    ];
    assert!(matches!(
        t.transact(twice).await,
        Err(TableError::Invalid(_))
    ));
    let reserved = vec![Write::put(item("P", "R", json!({"version": 3})), None)];
    assert!(matches!(
        t.transact(reserved).await,
        Err(TableError::Invalid(_))
    ));
    assert!(
        query_all(t, Query::partition("P"))
            .await
            .unwrap()
            .is_empty()
    );

    // Exactly the limit is fine.
    let at_limit: Vec<Write> = (0..MAX_TRANSACTION_ITEMS)
        .map(|n| Write::put(item("P", &format!("N#{n:03}"), json!({})), None))
        .collect();
    t.transact(at_limit).await.unwrap();
    assert_eq!(
        query_all(t, Query::partition("P")).await.unwrap().len(),
        MAX_TRANSACTION_ITEMS
    );
}

async fn twenty_racing_claims_have_exactly_one_winner(store: &TestStore) {
    let mut handles = Vec::new();
    for racer in 0..20 {
        let table: Arc<dyn Table> = store.open_another().await;
        handles.push(tokio::spawn(async move {
            let claim = item(
                "ACCOUNT#a",
                "EMAIL#ana@acme.example",
                json!({"user_id": racer}),
            );
            let user = item("ACCOUNT#a", &format!("USER#{racer:02}"), json!({}));
            let result = table
                .transact(vec![
                    Write::put(claim, Condition::MustNotExist),
                    Write::put(user, Condition::MustNotExist),
                ])
                .await;
            (racer, result)
        }));
    }
    let mut winners = Vec::new();
    for handle in handles {
        let (racer, result) = handle.await.unwrap();
        match result {
            Ok(()) => winners.push(racer),
            Err(e) => assert_eq!(e, TableError::ConditionFailed(vec![0]), "racer {racer}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner, got {winners:?}");
    let t = store.table.as_ref();
    let claim = t
        .get(&Key::new("ACCOUNT#a", "EMAIL#ana@acme.example"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claim.attrs["user_id"], json!(winners[0]));
    let users = query_all(t, Query::partition("ACCOUNT#a").prefix("USER#"))
        .await
        .unwrap();
    assert_eq!(users.len(), 1, "losers wrote nothing");
}

async fn racing_version_updates_lose_nothing(store: &TestStore) {
    put(
        store.table.as_ref(),
        item("P", "COUNTER", json!({"count": 0})),
    )
    .await;
    let mut handles = Vec::new();
    for _ in 0..10 {
        let table = store.open_another().await;
        handles.push(tokio::spawn(async move {
            loop {
                let current = table.get(&Key::new("P", "COUNTER")).await.unwrap().unwrap();
                let count = current.attrs["count"].as_i64().unwrap();
                let mut next = item("P", "COUNTER", json!({"count": count + 1}));
                next.version = current.version + 1;
                match table
                    .transact(vec![Write::put(
                        next,
                        Condition::VersionIs(current.version),
                    )])
                    .await
                {
                    Ok(()) => return,
                    Err(TableError::ConditionFailed(_)) => continue,
                    Err(e) => panic!("unexpected {e}"),
                }
            }
        }));
    }
    for handle in handles {
        handle.await.unwrap();
    }
    let counter = store
        .table
        .get(&Key::new("P", "COUNTER"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counter.attrs["count"], json!(10));
    assert_eq!(counter.version, 11);
}

async fn get_many_reads_what_exists_across_batches(store: &TestStore) {
    let t = store.table.as_ref();
    assert!(t.get_many(&[]).await.unwrap().is_empty());
    let writes: Vec<Write> = (0..150)
        .map(|n| Write::put(item("P", &format!("N#{n:03}"), json!({"n": n})), None))
        .collect();
    for chunk in writes.chunks(MAX_TRANSACTION_ITEMS) {
        t.transact(chunk.to_vec()).await.unwrap();
    }
    // 150 present (more than one DynamoDB batch), 30 missing, and one asked for twice.
    let mut keys: Vec<Key> = (0..180)
        .map(|n| Key::new("P", format!("N#{n:03}")))
        .collect();
    keys.push(Key::new("P", "N#007"));
    let mut found: Vec<i64> = t
        .get_many(&keys)
        .await
        .unwrap()
        .iter()
        .map(|i| i.attrs["n"].as_i64().unwrap())
        .collect();
    found.sort_unstable();
    assert_eq!(found, (0..150).collect::<Vec<_>>());
}
