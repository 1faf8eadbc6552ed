//! Request budgets: the exact number of DynamoDB and SES requests each operation makes, counted
//! at the ports (`roster_tests::observe`) while every route runs once. A change that adds a
//! request to an operation fails here and has to change the budget, in this table and in
//! `docs/benchmarks.md`, on purpose.

use std::fmt::Write as _;

use roster_api::routes;
use roster_domain::values::PersonName;
use roster_tests::TestStore;
use roster_tests::observe::{Requests, Seen};
use roster_tests::synth::{big_roster_yaml, live_from, seed};

use crate::observed::{self, observed_roster};

/// Per operation: GetItem, BatchGetItem, Query, TransactWriteItems, SendEmail, SNS, KMS.
#[rustfmt::skip]
const BUDGETS: &[(&str, [usize; 7])] = &[
    // [GetItem, BatchGetItem, Query, TransactWriteItems, SendEmail, SNS, KMS]
    ("create-user",                                    [1, 0, 0, 2, 1, 0, 0]),
    ("list-users",                                     [1, 0, 1, 0, 0, 0, 0]),
    ("get-user",                                       [2, 0, 0, 0, 0, 0, 0]),
    ("update-user",                                    [2, 0, 0, 1, 0, 0, 0]),
    ("delete-user",                                    [3, 0, 1, 1, 0, 0, 0]),
    ("resend-invite",                                  [2, 0, 1, 2, 1, 0, 0]),
    ("reset-password",                                 [2, 0, 0, 1, 0, 0, 0]),
    ("change-password",                                [3, 1, 0, 1, 0, 0, 0]),
    ("sign-in",                                        [0, 2, 1, 1, 0, 0, 1]),
    ("sign-in-with-provider",                          [1, 0, 0, 1, 0, 0, 1]),
    ("request-password-reset",                         [0, 1, 2, 2, 1, 0, 0]),
    ("jwks",                                           [0, 0, 0, 0, 0, 0, 0]),
    ("openid-configuration",                           [0, 0, 0, 0, 0, 0, 0]),
    ("add-contact",                                    [2, 0, 0, 1, 0, 0, 0]),
    ("update-contact",                                 [2, 0, 0, 1, 0, 0, 0]),
    ("remove-contact",                                 [2, 0, 0, 1, 0, 0, 0]),
    ("reorder-contacts",                               [2, 0, 0, 1, 0, 0, 0]),
    ("register-device",                                [3, 0, 0, 1, 0, 1, 0]),
    ("assign-role",                                    [2, 0, 0, 1, 0, 0, 0]),
    ("assign-role-bulk",                               [2, 0, 0, 1, 0, 0, 0]),
    ("remove-role",                                    [2, 0, 0, 1, 0, 0, 0]),
    ("create-group",                                   [1, 0, 0, 1, 0, 0, 0]),
    ("list-groups",                                    [1, 0, 1, 0, 0, 0, 0]),
    ("get-group",                                      [1, 1, 1, 0, 0, 0, 0]),
    ("rename-group",                                   [1, 0, 1, 1, 0, 0, 0]),
    ("delete-group",                                   [1, 1, 1, 3, 0, 0, 0]),
    ("list-members",                                   [1, 1, 1, 0, 0, 0, 0]),
    ("put-member",                                     [2, 0, 1, 1, 0, 0, 0]),
    ("remove-member",                                  [2, 0, 1, 1, 0, 0, 0]),
    ("list-shifts",                                    [1, 0, 1, 0, 0, 0, 0]),
    ("create-shift",                                   [1, 1, 1, 1, 0, 0, 0]),
    ("get-shift",                                      [1, 0, 1, 0, 0, 0, 0]),
    ("update-shift",                                   [1, 0, 1, 1, 0, 0, 0]),
    ("delete-shift",                                   [1, 0, 1, 1, 0, 0, 0]),
    ("on-call",                                        [1, 2, 1, 0, 0, 0, 0]),
    ("list-out-of-office",                             [2, 0, 0, 0, 0, 0, 0]),
    ("add-out-of-office",                              [2, 1, 0, 2, 1, 0, 0]),
    ("remove-out-of-office",                           [2, 1, 0, 1, 0, 0, 0]),
    ("user-schedule",                                  [2, 1, 0, 0, 0, 0, 0]),
    ("issue-calendar-token",                           [3, 0, 0, 1, 0, 0, 0]),
    ("revoke-calendar-token",                          [3, 0, 0, 1, 0, 0, 0]),
    ("calendar-feed",                                  [2, 1, 0, 0, 0, 0, 0]),
    ("list-audit",                                     [2, 0, 1, 0, 0, 0, 0]),
    ("create-scim-token",                              [2, 0, 0, 1, 0, 0, 0]),
    ("list-scim-tokens",                               [1, 0, 1, 0, 0, 0, 0]),
    ("revoke-scim-token",                              [2, 0, 0, 1, 0, 0, 0]),
    ("resend-invite (first send failed)",              [2, 0, 1, 2, 1, 0, 0]),
    ("update-user (deactivating someone on a shift)",  [2, 1, 2, 3, 2, 0, 0]),
    ("list-users (searching)",                         [1, 1, 1, 0, 0, 0, 0]),
    ("list-users (with delete blockers)",              [1, 2, 2, 0, 0, 0, 0]),
    ("delete-user (with a replacement)",               [7, 2, 3, 3, 0, 0, 0]),
];

const DOCS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/benchmarks.md");

fn requests(
    [
        get_item,
        batch_get_item,
        query,
        transact_write_items,
        send_email,
        sns,
        kms,
    ]: [usize; 7],
) -> Requests {
    Requests {
        get_item,
        batch_get_item,
        query,
        transact_write_items,
        send_email,
        sns,
        kms,
    }
}

fn table_row(out: &mut String, operation: &str, r: &Requests) {
    writeln!(
        out,
        "| {operation} | {} | {} | {} | {} | {} | {} | {} |",
        r.get_item, r.batch_get_item, r.query, r.transact_write_items, r.send_email, r.sns, r.kms
    )
    .unwrap();
}

fn markdown(rows: impl IntoIterator<Item = (String, Requests)>) -> String {
    let mut out = String::from(
        "| operation | GetItem | BatchGetItem | Query | TransactWriteItems | SendEmail | SNS | KMS |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    for (operation, r) in rows {
        table_row(&mut out, &operation, &r);
    }
    out
}

/// Fails, printing what was measured as the docs' table, unless `observations` made exactly
/// `budgets`' requests, in order.
fn assert_budgets(observations: Vec<observed::Observation>, budgets: &[(&str, [usize; 7])]) {
    let measured: Vec<(String, Requests)> = observations
        .into_iter()
        .map(|o| (o.operation, o.requests))
        .collect();
    let budgets: Vec<(String, Requests)> = budgets
        .iter()
        .map(|(operation, counts)| ((*operation).to_owned(), requests(*counts)))
        .collect();
    assert_eq!(
        measured,
        budgets,
        "measured, as a table:\n{}",
        markdown(measured.clone())
    );
}

#[tokio::test]
async fn every_operation_makes_exactly_its_budget_of_requests() {
    assert_budgets(observed::every_route(false).await, BUDGETS);
}

/// An `Idempotency-Key` costs a POST two transactions more (claim the key, keep the answer), and
/// nothing else: a new key is not read first. Other methods ignore the header.
#[tokio::test]
async fn an_idempotency_key_costs_a_post_two_transactions() {
    let plain = observed::every_route(false).await;
    let keyed = observed::every_route(true).await;
    for (plain, keyed) in plain.iter().zip(&keyed) {
        let operation = plain.operation.split(" (").next().unwrap();
        let route = routes().iter().find(|r| r.operation == operation).unwrap();
        let mut expected = plain.requests;
        if route.method == http::Method::POST {
            expected.transact_write_items += 2;
        }
        assert_eq!(keyed.requests, expected, "{}", plain.operation);
    }
}

/// The SCIM routes' budgets, in the order an identity provider calls them (`observed::scim`).
#[rustfmt::skip]
const SCIM_BUDGETS: &[(&str, [usize; 7])] = &[
    // [GetItem, BatchGetItem, Query, TransactWriteItems, SendEmail, SNS, KMS]
    ("scim-service-provider-config",                   [1, 0, 0, 0, 0, 0, 0]),
    ("scim-resource-types",                            [1, 0, 0, 0, 0, 0, 0]),
    ("scim-resource-type",                             [1, 0, 0, 0, 0, 0, 0]),
    ("scim-schemas",                                   [1, 0, 0, 0, 0, 0, 0]),
    ("scim-schema",                                    [1, 0, 0, 0, 0, 0, 0]),
    ("scim-create-user",                               [1, 0, 0, 1, 0, 0, 0]),
    ("scim-create-user",                               [1, 0, 0, 1, 0, 0, 0]),
    ("scim-list-users (userName eq)",                  [3, 0, 0, 0, 0, 0, 0]),
    ("scim-list-users (externalId eq)",                [1, 1, 1, 0, 0, 0, 0]),
    ("scim-list-users (emails.value eq)",              [2, 1, 1, 0, 0, 0, 0]),
    ("scim-list-users",                                [1, 0, 1, 0, 0, 0, 0]),
    ("scim-get-user",                                  [2, 0, 0, 0, 0, 0, 0]),
    ("scim-replace-user",                              [2, 0, 0, 0, 0, 0, 0]),
    ("scim-create-group",                              [2, 1, 3, 2, 0, 0, 0]),
    ("scim-list-groups",                               [1, 0, 1, 0, 0, 0, 0]),
    ("scim-get-group",                                 [1, 1, 1, 0, 0, 0, 0]),
    ("scim-patch-group",                               [2, 2, 3, 1, 0, 0, 0]),
    ("scim-replace-group",                             [2, 2, 3, 2, 0, 0, 0]),
    ("scim-patch-user (deactivating a member)",        [2, 1, 1, 1, 0, 0, 0]),
    ("scim-patch-user (deactivating someone on a shift)", [2, 1, 2, 3, 2, 0, 0]),
    ("scim-delete-group",                              [1, 1, 1, 3, 0, 0, 0]),
    ("scim-delete-user",                               [3, 0, 0, 1, 0, 0, 0]),
];

/// A notifier invocation: the all-shifts index, each account's users (one account here), the
/// pending mail; and per reminder due, its group's name, one transaction, one send and one
/// write per email and per device;
/// an invitation whose send failed is sent again as the mail retry always has.
#[rustfmt::skip]
const NOTIFIER_BUDGETS: &[(&str, [usize; 7])] = &[
    // [GetItem, BatchGetItem, Query, TransactWriteItems, SendEmail, SNS, KMS]
    ("notifier (nothing due)",                         [0, 0, 3, 0, 0, 0, 0]),
    ("notifier (a reminder due)",                      [0, 1, 3, 3, 1, 1, 0]),
    ("notifier (the reminder seen again)",             [0, 1, 3, 1, 0, 0, 0]),
    ("notifier (an invitation to send again)",         [1, 0, 3, 2, 1, 0, 0]),
    ("notifier (a reminder due, the device gone)",     [1, 1, 3, 4, 1, 2, 0]),
];

#[tokio::test]
async fn every_notifier_run_makes_exactly_its_budget_of_requests() {
    assert_budgets(observed::notifier().await, NOTIFIER_BUDGETS);
}

#[tokio::test]
async fn every_scim_operation_makes_exactly_its_budget_of_requests() {
    assert_budgets(observed::scim().await, SCIM_BUDGETS);
}

#[test]
fn the_budgets_in_the_docs_are_the_tested_ones() {
    let docs = std::fs::read_to_string(DOCS).unwrap();
    for budgets in [BUDGETS, SCIM_BUDGETS, NOTIFIER_BUDGETS] {
        let table = markdown(
            budgets
                .iter()
                .map(|(operation, counts)| ((*operation).to_owned(), requests(*counts))),
        );
        assert!(
            docs.contains(&table),
            "docs/benchmarks.md should hold the budget table:\n{table}"
        );
    }
}

/// A plan (and so the scheduled drift check) reads an account with one paginated query of its
/// partition, whatever its size and whatever changed: never a request per user, group or
/// membership. SQLite answers in one page; DynamoDB pages at 1 MB, which the drift-check
/// benchmark measures on moto.
#[tokio::test]
async fn a_plan_reads_an_account_with_one_query_whatever_its_size() {
    for users in [20, 400] {
        let store = TestStore::sqlite().await;
        let yaml = big_roster_yaml(users, users / 10);
        let desired = roster_config::load("big.yaml", &yaml).unwrap();
        let live = live_from(&desired.accounts[0]);
        seed(store.table.as_ref(), &live).await;
        let seen = Seen::default();
        let roster = observed_roster(&store, &seen);

        let plan = roster.plan(&desired).await.unwrap();
        assert_eq!(plan.accounts[0].drift(), 0, "{users} users, as seeded");
        let one_query = Requests {
            query: 1,
            ..Requests::default()
        };
        assert_eq!(seen.take().1, one_query, "{users} users, no change");

        let mut changed = desired.clone();
        for user in changed.accounts[0].users.iter_mut().step_by(10) {
            user.first_name = PersonName::parse("Renamed").unwrap();
        }
        let plan = roster.plan(&changed).await.unwrap();
        assert_eq!(
            plan.accounts[0].drift(),
            users / 10,
            "{users} users, 10% renamed"
        );
        assert_eq!(seen.take().1, one_query, "{users} users, 10% renamed");
    }
}

/// What seeding writes is what a plan reads back: the synthetic accounts of the benchmarks are
/// stored exactly as apply would store them.
#[tokio::test]
async fn a_seeded_account_reads_back_as_it_was_written() {
    let store = TestStore::sqlite().await;
    let desired = roster_config::load("big.yaml", &big_roster_yaml(30, 3)).unwrap();
    let live = live_from(&desired.accounts[0]);
    let written = seed(store.table.as_ref(), &live).await;
    // The account and its Owner claim; per user the item, two claims, three search entries
    // ("first last", last name, and the email, which is also the username) and one sign-in
    // entry (the email, which is also the username); per group the item and its name claim;
    // the memberships.
    assert_eq!(written, 2 + 30 * 7 + 3 * 2 + live.memberships.len());
    let roster = observed_roster(&store, &Seen::default());
    let read = roster.live_account(&desired.accounts[0].id).await.unwrap();
    assert_eq!(format!("{:?}", read.account), format!("{:?}", live.account));
    assert_eq!(format!("{:?}", read.users), format!("{:?}", live.users));
    assert_eq!(format!("{:?}", read.groups), format!("{:?}", live.groups));
    assert_eq!(
        format!("{:?}", read.memberships),
        format!("{:?}", live.memberships)
    );
}

/// `q=` reads one page of the account's search entries and the users they point to, whatever
/// the account's size: at 10,000 users on DynamoDB (moto), a page of 50 is one Query and one
/// BatchGetItem, and so is the next page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_in_ten_thousand_users_is_one_query_and_one_batch_read_a_page() {
    use roster_domain::access::Actor;
    use roster_domain::usecases::UserFilter;

    let store = TestStore::dynamodb().await;
    let desired = roster_config::load("big.yaml", &big_roster_yaml(10_000, 1)).unwrap();
    let mut live = live_from(&desired.accounts[0]);
    // Users only: groups are not what this measures, and seeding them costs moto minutes.
    live.groups.clear();
    live.memberships.clear();
    for user in &mut live.users {
        user.member_of.clear();
    }
    seed(store.table.as_ref(), &live).await;
    let seen = Seen::default();
    let roster = observed_roster(&store, &seen);
    let operator = Actor::Operator(desired.accounts[0].id.clone());
    let search = |q: &str| UserFilter {
        q: Some(q.to_owned()),
    };
    let one_page = Requests {
        query: 1,
        batch_get_item: 1,
        ..Requests::default()
    };

    // "Last12", "Last120" to "Last129", "Last1200" to "Last1299": 111 users, in name order.
    let first = roster
        .list_users(&operator, &search("LAST12"), 50, None)
        .await
        .unwrap();
    assert_eq!(seen.take().1, one_page);
    let names: Vec<String> = first
        .users
        .iter()
        .map(|u| u.last_name.to_string())
        .collect();
    assert_eq!(names.len(), 50);
    assert_eq!(names[..3], ["Last12", "Last120", "Last1200"]);
    let second = roster
        .list_users(&operator, &search("LAST12"), 50, first.next)
        .await
        .unwrap();
    assert_eq!(seen.take().1, one_page);
    assert_eq!(second.users.len(), 50);
    let third = roster
        .list_users(&operator, &search("LAST12"), 50, second.next)
        .await
        .unwrap();
    assert_eq!(third.users.len(), 11);
    assert!(third.next.is_none());
    seen.take();

    // By email: ten users, one page.
    let by_email = roster
        .list_users(&operator, &search("user0999"), 50, None)
        .await
        .unwrap();
    assert_eq!(seen.take().1, one_page);
    let emails: Vec<&str> = by_email.users.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails.len(), 10, "{emails:?}");
    assert!(
        emails.iter().all(|e| e.starts_with("user0999")),
        "{emails:?}"
    );

    // SCIM's `emails.value eq`: the claim, the provided-email entries and the one user, not a
    // scan of ten thousand.
    let wanted = by_email.users[0].email.clone();
    let found = roster
        .users_by_email_value(&operator, &wanted.as_str().to_uppercase())
        .await
        .unwrap();
    assert_eq!(
        seen.take().1,
        Requests {
            get_item: 1,
            query: 1,
            batch_get_item: 1,
            ..Requests::default()
        }
    );
    let found: Vec<&str> = found.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(found, [wanted.as_str()]);
}
