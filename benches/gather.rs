//! The machine's random-access limit, the yardstick for delivery throughput
//! (docs/performance.md): how many independent random 4-byte loads per second one core
//! completes from tables of 4 MB (cache) to 1 GiB (memory), and, for contrast, the
//! latency of dependent loads (pointer chasing), where each address comes from the
//! previous load. Delivering a copy costs a few such random loads (the chat's offsets
//! and members, the recipient's state); a copy rate within a small factor of the gather
//! rate means delivery runs near what the memory system allows.
//!
//! `cargo bench --bench gather`; names carry the table size.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Random loads per measured iteration.
const LOADS: usize = 1 << 22;

/// Table sizes in 4-byte entries, with their names.
const SIZES: [(&str, usize); 4] = [
    ("4MiB", 1 << 20),
    ("64MiB", 1 << 24),
    ("256MiB", 1 << 26),
    ("1GiB", 1 << 28),
];

/// Independent loads: the indices are known in advance, so the core can keep many
/// misses in flight (memory-level parallelism). Throughput in loads.
fn gather(c: &mut Criterion) {
    let mut g = c.benchmark_group("gather_independent");
    g.sample_size(10);
    g.throughput(Throughput::Elements(LOADS as u64));
    let mut rng = Pcg64Mcg::seed_from_u64(1);
    for (name, len) in SIZES {
        let table: Vec<u32> = (0..len as u32).collect();
        let idx: Vec<u32> = (0..LOADS)
            .map(|_| rng.random_range(0..len as u32))
            .collect();
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                idx.iter()
                    .fold(0u32, |acc, &i| acc.wrapping_add(table[i as usize]))
            })
        });
    }
    g.finish();
}

/// Dependent loads: a random cyclic permutation is followed, each load's address being
/// the previous load's value. Throughput in loads (the inverse of the latency).
fn chase(c: &mut Criterion) {
    let mut g = c.benchmark_group("gather_dependent");
    g.sample_size(10);
    const STEPS: usize = 1 << 20;
    g.throughput(Throughput::Elements(STEPS as u64));
    let mut rng = Pcg64Mcg::seed_from_u64(2);
    for (name, len) in SIZES {
        // Sattolo's algorithm: a single cycle through every entry.
        let mut next: Vec<u32> = (0..len as u32).collect();
        for i in (1..len).rev() {
            let j = rng.random_range(0..i);
            next.swap(i, j);
        }
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut at = 0u32;
                for _ in 0..STEPS {
                    at = next[at as usize];
                }
                at
            })
        });
    }
    g.finish();
}

criterion_group!(benches, gather, chase);
criterion_main!(benches);
