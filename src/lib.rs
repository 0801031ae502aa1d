//! Grapevine: an agent-based simulator of how misinformation travels through closed
//! messaging groups (WhatsApp, Telegram, Messenger, Line).
//!
//! Data flows one way: [`scenario`] (a checked scenario file) -> [`population`] (users
//! and chats) -> [`engine`] (the step of the model) -> [`metrics`] (time series and
//! per-run figures) -> [`output`] (CSV, JSON, charts). The `grapevine` binary is a thin
//! command-line layer over this library: flags, progress bars and messages live there,
//! never here. The library does not print, exit or panic on bad input; it returns typed
//! errors ([`error`]).
//!
//! Running a scenario from code takes three calls:
//!
//! ```no_run
//! use grapevine::{output, scenario::Scenario, simulation};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let scn = Scenario::load("scenarios/baseline.toml".as_ref())?;
//! let pop = simulation::prepare(&scn, 2)?; // checks memory, builds the population
//! let results = simulation::simulate(&pop, &scn, scn.simulation.replicates, 2, &|| {});
//! output::write_run_folder("output/baseline".as_ref(), &scn, &pop, &results, false)?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod calibrate;
pub mod duration;
pub mod engine;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod output;
pub mod plot;
pub mod population;
pub mod record;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod simulation;
pub mod sweep;
pub mod validation;
