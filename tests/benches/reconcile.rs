//! Reconcile at scale. CPU only: a roster file of 100, 1,000 and 10,000 users (five contact
//! methods and three group memberships each) loaded (parsed and validated), its live account
//! decoded from the items of its partition, and planned against it with no change and with 10%
//! of the users renamed. With the store: the first apply of 1,000, 5,000 and 10,000 users on
//! SQLite (plan and apply, as `roster apply` runs them; a fresh store each time). The I/O of a
//! real plan and of a first apply on DynamoDB is measured against moto by `./scripts/bench drift`
//! and `./scripts/bench first-apply`.
//!
//!   cargo bench -p roster-tests --bench reconcile [-- apply]

use std::hint::black_box;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use roster_domain::reconcile::{ApplyOptions, DesiredRoster, LiveAccount, plan_account};
use roster_domain::values::PersonName;
use roster_tests::TestStore;
use roster_tests::synth::{big_roster_yaml, live_from};

const SIZES: [usize; 3] = [100, 1_000, 10_000];

struct Case {
    users: usize,
    yaml: String,
    desired: DesiredRoster,
    /// The same file with every tenth user's first name changed.
    changed: DesiredRoster,
    live: LiveAccount,
    items: Vec<roster_domain::ports::table::Item>,
}

fn case(users: usize) -> Case {
    let yaml = big_roster_yaml(users, (users / 250).max(4));
    let desired = roster_config::load("bench.yaml", &yaml).expect("the synthetic roster loads");
    let mut changed = desired.clone();
    for user in changed.accounts[0].users.iter_mut().step_by(10) {
        user.first_name = PersonName::parse("Renamed").unwrap();
    }
    let live = live_from(&desired.accounts[0]);
    let items = live.items().unwrap();
    assert_eq!(plan_account(&desired.accounts[0], &live).drift(), 0);
    assert_eq!(
        plan_account(&changed.accounts[0], &live).drift(),
        users / 10
    );
    Case {
        users,
        yaml,
        desired,
        changed,
        live,
        items,
    }
}

fn reconcile(c: &mut Criterion) {
    let cases: Vec<Case> = SIZES.into_iter().map(case).collect();
    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10);
    for case in &cases {
        let id = &case.desired.accounts[0].id;
        group.bench_with_input(BenchmarkId::new("load", case.users), case, |b, case| {
            b.iter(|| roster_config::load("bench.yaml", black_box(&case.yaml)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("read", case.users), case, |b, case| {
            b.iter(|| LiveAccount::from_items(id, black_box(&case.items)).unwrap())
        });
        group.bench_with_input(
            BenchmarkId::new("plan-no-change", case.users),
            case,
            |b, case| b.iter(|| plan_account(&case.desired.accounts[0], black_box(&case.live))),
        );
        group.bench_with_input(
            BenchmarkId::new("plan-10pct-change", case.users),
            case,
            |b, case| b.iter(|| plan_account(&case.changed.accounts[0], black_box(&case.live))),
        );
    }
    group.finish();
}

const APPLY_SIZES: [usize; 3] = [1_000, 5_000, 10_000];

/// A first apply of `yaml` on a fresh SQLite store: its plan and its apply, timed together.
async fn first_apply(desired: &DesiredRoster) -> Duration {
    let store = TestStore::sqlite().await;
    let roster = store.roster();
    let started = Instant::now();
    let plan = roster.plan(desired).await.unwrap();
    let report = roster
        .apply(desired, &plan, &ApplyOptions::default())
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(
        report.failures(),
        0,
        "{:?}",
        report.accounts[0].failures.first()
    );
    took
}

fn apply(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("reconcile-apply");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(1));
    for users in APPLY_SIZES {
        let yaml = big_roster_yaml(users, (users / 250).max(4));
        let desired = roster_config::load("bench.yaml", &yaml).expect("the synthetic roster loads");
        group.bench_with_input(
            BenchmarkId::new("first-apply-sqlite", users),
            &desired,
            |b, desired| {
                b.iter_custom(|iterations| {
                    (0..iterations)
                        .map(|_| runtime.block_on(first_apply(desired)))
                        .sum()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, reconcile, apply);
criterion_main!(benches);
