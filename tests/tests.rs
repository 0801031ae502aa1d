//! The one integration-test binary (see `autotests = false` in Cargo.toml): every test
//! module is declared here so the crate links once.
//!
//! - `cli_run`: `grapevine run`/`check` on a tiny scenario, every output file checked.
//! - `compare`: `grapevine compare` end to end (table, CSV, chart, `--reuse`), and the
//!   common-random-numbers property that pairs its replicates.
//! - `bad_input`: each class of bad input exits 2 with a precise message, no panic
//!   (docs/errors.md names the test of every class).
//! - `invariants`: property tests of the engine's accounting on random small scenarios.
//! - `determinism`: byte-identical results for any thread count.
//! - `validate`: the quick validation suite against theory.
//! - `sweep`: `grapevine sweep`/`merge`/`plot`/`run --from-sweep`: resume after kill,
//!   shards and merge, invalid points.
//! - `regression`: one test per finding of issue 16 (reliability), named after it.

mod util;

mod bad_input;
mod cli_run;
mod compare;
mod determinism;
mod import;
mod invariants;
mod regression;
mod spillover;
mod sweep;
mod validate;
