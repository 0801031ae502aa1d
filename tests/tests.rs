//! The one integration-test binary (see `autotests = false` in Cargo.toml): every test
//! module is declared here so the crate links once.
//!
//! - `calibrate`: the ABC-SMC core on a toy model with a known posterior; identical
//!   results for any thread count, after resume, from shards; synthetic-truth recovery
//!   of a scenario; the pyabc dump (ignored).
//! - `calibrate_cli`: `grapevine calibrate` end to end: files, resume, shards and merges,
//!   bad data and parameters.
//! - `cli_run`: `grapevine run`/`check` on a tiny scenario, every output file checked.
//! - `compare`: `grapevine compare` end to end (table, CSV, chart, `--reuse`), and the
//!   common-random-numbers property that pairs its replicates.
//! - `bad_input`: each class of bad input exits 2 with a precise message, no panic
//!   (docs/errors.md names the test of every class).
//! - `golden`: the exact output files of three tiny seeded scenarios, pinned in
//!   `tests/golden/` (`GRAPEVINE_UPDATE_GOLDEN=1` rewrites them, for a reviewed change).
//! - `invariants`: property tests of the engine's accounting on random small scenarios.
//! - `determinism`: byte-identical results for any thread count.
//! - `effects`: published qualitative effects of the behaviour mechanisms (distinct
//!   senders, rejecter resistance, corrections by camp, limited attention), paired by
//!   seed with margins of 4 standard errors.
//! - `effects_sharing`: published qualitative effects of the sharing mechanisms (a
//!   forward limit delays or blocks, fading interest, partisan sharing, labels).
//! - `docs`: the column and figure tables of `docs/model.md` equal those generated
//!   from the code (`GRAPEVINE_UPDATE_DOCS=1` rewrites them).
//! - `scenarios`: every file under `scenarios/` loads, checks and runs at a tiny size.
//! - `validate`: the quick validation suite against theory.
//! - `observe`: observation windows through `grapevine run`: they only watch, their
//!   files agree with each other and with `summary.json`, calendar time, threads.
//! - `regression_input`: one test per input finding of the reliability review (read
//!   once and bounded, messages with file, line and field).
//! - `report`: `grapevine report` and `--report`: self-contained HTML whose quoted
//!   numbers equal the result files, with every chart and table a reader expects.
//! - `sensitivity`: sensitivity designs computed row by row in shards give the same
//!   analysis; the (ignored) dump for the SALib cross-check.
//! - `sweep`: `grapevine sweep`/`merge`/`plot`/`run --from-sweep`: resume after kill,
//!   shards and merge, invalid points.
//! - `regression`: one test per finding of issue 16 (reliability), named after it.
//! - `fuzz_replay`: the inputs the fuzzer found (`tests/fuzz-regressions/`) replayed
//!   through the same targets (docs/fuzzing.md).
//! - `soak` (ignored): a sweep killed at random moments and resumed equals an
//!   uninterrupted one (docs/fuzzing.md).

mod util;

mod answers;
mod bad_input;
mod calibrate;
mod calibrate_cli;
mod cli_run;
mod compare;
mod determinism;
mod docs;
mod effects;
mod effects_sharing;
mod fuzz_replay;
mod golden;
mod import;
mod invariants;
mod observe;
mod regression;
mod regression_input;
mod report;
mod scenarios;
mod sensitivity;
mod soak;
mod spillover;
mod sweep;
mod validate;
