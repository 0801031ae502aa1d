//! Criterion benchmarks of population generation, single steps and whole runs. Names
//! carry the size (`generate/1e5`, `run_baseline_7d/1e6`, `step_er_1e6/active_1e5`, ...).
//! Figures and how to reproduce them are in docs/performance.md.

mod common;

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};
use grapevine::engine::{run_replicate, Params, Replicate};
use grapevine::population::generate;
use grapevine::scenario::Scenario;

fn generation(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    for (name, users) in [("1e5", 100_000u64), ("1e6", 1_000_000)] {
        let scn = common::synthetic(users, "7d");
        g.throughput(Throughput::Elements(users));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| generate(&scn))
        });
    }
    g.finish();
}

/// Benchmarks one replicate of `scn` on a population built once; with `per_delivery`,
/// throughput is reported in copies delivered.
fn bench_run(
    g: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    scn: &Scenario,
    per_delivery: bool,
) {
    let pop = generate(scn);
    let params = Params::new(scn).with_population(&pop);
    if per_delivery {
        let deliveries: u64 = run_replicate(&pop, scn, &params, 0, &|| {})
            .records
            .iter()
            .map(|r| r.deliveries)
            .sum();
        g.throughput(Throughput::Elements(deliveries));
    }
    g.bench_function(id, |b| {
        b.iter(|| run_replicate(&pop, scn, &params, 0, &|| {}))
    });
}

fn whole_runs(c: &mut Criterion) {
    let mut g = c.benchmark_group("run_baseline_7d");
    g.sample_size(10);
    for (name, users) in [("1e5", 100_000u64), ("1e6", 1_000_000)] {
        let scn = common::synthetic(users, "7d");
        bench_run(&mut g, BenchmarkId::from_parameter(name), &scn, true);
    }
    g.finish();
}

fn percolation_runs(c: &mut Criterion) {
    let mut g = c.benchmark_group("run_percolation_er");
    g.sample_size(10);
    let scn = common::percolation(1_000_000, 10.0, 0.3);
    bench_run(
        &mut g,
        BenchmarkId::from_parameter("1e6_nodes_5e6_edges"),
        &scn,
        true,
    );
    g.finish();
}

/// Active-set sizes of the step benchmarks: copies delivered in the step.
const ACTIVE: [(&str, u64); 4] = [
    ("active_1e3", 1_000),
    ("active_1e4", 10_000),
    ("active_1e5", 100_000),
    ("active_1e6", 1_000_000),
];

/// One step at several active-set sizes on a 10^6-user population: for each size, a
/// snapshot of the replicate is taken before the first step that delivers at least that
/// many copies, and that step is timed from a fresh clone of the snapshot (cloning is
/// not timed). Throughput is in copies delivered by the step. The cost of a step
/// follows its active set, not the population.
fn one_step(c: &mut Criterion) {
    for (group, scn) in [
        ("step_er_1e6", common::percolation(1_000_000, 10.0, 0.3)),
        ("step_baseline_1e6", common::synthetic(1_000_000, "7d")),
    ] {
        let pop = generate(&scn);
        let params = Params::new(&scn).with_population(&pop);
        let mut rep = Replicate::new(&pop, &scn, &params, 0);
        let mut snapshots = Vec::new();
        let mut next = 0;
        while next < ACTIVE.len() {
            let before = rep.clone();
            let Some(r) = rep.step() else { break };
            while next < ACTIVE.len() && r.deliveries >= ACTIVE[next].1 {
                snapshots.push((ACTIVE[next].0, before.clone(), r.deliveries));
                next += 1;
            }
        }
        drop(rep);
        let mut g = c.benchmark_group(group);
        g.sample_size(20);
        for (name, snapshot, deliveries) in &snapshots {
            g.throughput(Throughput::Elements(*deliveries));
            g.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter_batched_ref(|| snapshot.clone(), |s| s.step(), BatchSize::LargeInput)
            });
        }
        g.finish();
    }
}

/// Group delivery on its own: the first step of [`common::group_delivery`], timed from a
/// fresh snapshot. Throughput in copies delivered, to compare with the machine's
/// random-access limit (`cargo bench --bench gather`).
fn group_delivery(c: &mut Criterion) {
    let scn = common::group_delivery(1_000_000, 10_000);
    let pop = generate(&scn);
    let params = Params::new(&scn).with_population(&pop);
    let start = Replicate::new(&pop, &scn, &params, 0);
    let copies = start.clone().step().map_or(0, |r| r.deliveries);
    let mut g = c.benchmark_group("delivery_groups_1e6");
    g.sample_size(20);
    g.throughput(Throughput::Elements(copies));
    g.bench_function(BenchmarkId::from_parameter("10k_posters"), |b| {
        b.iter_batched_ref(|| start.clone(), |s| s.step(), BatchSize::LargeInput)
    });
    g.finish();
}

/// A rumor that dies at once costs almost nothing, whatever the population size.
fn dead_rumor(c: &mut Criterion) {
    let mut g = c.benchmark_group("run_dead_rumor_7d");
    g.sample_size(10);
    for (name, users) in [("1e5", 100_000u64), ("1e6", 1_000_000)] {
        let scn = common::percolation(users, 4.0, 0.0);
        bench_run(&mut g, BenchmarkId::from_parameter(name), &scn, false);
    }
    g.finish();
}

criterion_group!(
    benches,
    generation,
    whole_runs,
    percolation_runs,
    one_step,
    group_delivery,
    dead_rumor
);
criterion_main!(benches);
