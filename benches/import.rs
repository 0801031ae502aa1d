//! Benchmark of importing an edge list ([`grapevine::population::import::import`]).
//!
//! Writes a random edge list of 10^6 edges among 10^5 users to a temp folder once,
//! then times the whole import: reading, id mapping, dropping repeats, drawing user
//! attributes and indexing user -> chats.

use criterion::{criterion_group, criterion_main, Criterion};
use grapevine::population::import::import;
use grapevine::scenario::Scenario;
use rand::Rng as _;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `edges` random edges among `users` users as `source,target` lines.
fn write_edge_list(path: &Path, edges: u64, users: u64) {
    let mut w = BufWriter::new(std::fs::File::create(path).expect("create edge list"));
    let mut rng = grapevine::rng::from_seed(1);
    writeln!(w, "source,target").expect("write edge list");
    for _ in 0..edges {
        let (a, b) = (rng.random_range(0..users), rng.random_range(0..users));
        writeln!(w, "{a},{b}").expect("write edge list");
    }
}

fn import_edges(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_edge_list(&dir.path().join("graph.csv"), 1_000_000, 100_000);
    let mut scenario = Scenario::from_toml_str("[population]\nedges = \"graph.csv\"\n", "bench")
        .expect("bench scenario");
    scenario.path = Some(dir.path().join("bench.toml"));
    c.bench_function("import_edges_1e6", |b| {
        b.iter(|| import(&scenario).expect("import"))
    });
}

criterion_group! {
    name = benches;
    // One iteration takes a few hundred ms: ten samples keep a run under a minute.
    config = Criterion::default().sample_size(10);
    targets = import_edges
}
criterion_main!(benches);
