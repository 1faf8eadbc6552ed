//! The on-call resolver, CPU only: who answers at 1,000 instants spread over a year (one every
//! 8 h 47 min, so every hour of the week and both DST changes of each zone come up), for a
//! group of 200 members and 50 weekly eight-hour shifts in four zones with every twentieth
//! member out of office (`roster_tests::synth::rota`), with four people a shift and with 45;
//! and the calendar's form of the same answer, the stretches of every shift over 366 days. The reads around it are counted by
//! `on_call_reads_the_group_once_and_the_people_involved_in_batches_of_100`.
//!
//!   cargo bench -p roster-tests --bench oncall

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use roster_domain::oncall::{self, Rota};
use roster_tests::synth::rota;

fn resolver(c: &mut Criterion) {
    let mut bench = c.benchmark_group("on-call");
    bench.sample_size(20);
    // Four people a shift (each member on one), and 45, the most a shift holds.
    for per_shift in [4, 45] {
        case(&mut bench, per_shift);
    }
    bench.finish();
}

fn case(
    bench: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    per_shift: usize,
) {
    let live = rota(200, 50, per_shift);
    let people = oncall::people(&live.users);
    let group = Rota::new(&live.groups[0].id, &live.memberships, &live.shifts);
    let first: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
    let instants: Vec<Timestamp> = (0..1_000)
        .map(|i| first + SignedDuration::from_mins(i * (8 * 60 + 47)))
        .collect();
    let answered: usize = instants
        .iter()
        .map(|t| group.responders(*t, &people).len())
        .sum();
    assert!(answered > 1_000, "the instants find people on call");
    bench.bench_function(
        format!("1000 instants, 200 members, 50 shifts of {per_shift}"),
        |b| {
            b.iter(|| {
                for t in &instants {
                    black_box(group.responders(black_box(*t), &people));
                }
            })
        },
    );
    let year_end = first + SignedDuration::from_hours(24 * 366);
    bench.bench_function(
        format!("stretches over 366 days, 50 shifts of {per_shift}"),
        |b| b.iter(|| black_box(oncall::duties(&live.shifts, &people, first, year_end)).len()),
    );
}

criterion_group!(benches, resolver);
criterion_main!(benches);
