//! Output: result folders written safely ([`dir`]) and the result files themselves
//! ([`files`]): time series, bands, summary, cascade, charts, all written by
//! [`write_run_folder`] from one set of in-memory [`Results`]. Result folders are read
//! back by [`results`]; `grapevine compare` writes its table, CSV and chart from them
//! ([`comparison`]).

pub mod charts;
pub mod comparison;
pub mod dir;
pub mod files;
pub mod results;

use crate::error::OutputError;
use crate::population::Population;
use crate::scenario::Scenario;
use crate::simulation::Results;
use std::path::Path;

/// Writes the result folder of a scenario run into `dir` (which must exist):
/// `timeseries.csv`, `bands.csv`, `summary.json`, `cascade.csv` if `cascade` (the
/// results must then have kept their cascades), `virality.png`/`.svg` and, with a
/// `[public]` section, `spillover.png`/`.svg`. Files and charts come from the same
/// `results`, so a chart always shows what the files hold. Callers that want the folder
/// to appear only when complete write into a [`dir::Staging`] folder.
pub fn write_run_folder(
    dir: &Path,
    scn: &Scenario,
    pop: &Population,
    results: &Results,
    cascade: bool,
) -> Result<(), OutputError> {
    files::write_timeseries(&dir.join("timeseries.csv"), scn, pop, &results.runs)?;
    let table = files::BandTable::new(scn, &results.runs);
    files::write_bands(&dir.join("bands.csv"), &table)?;
    files::write_summary(&dir.join("summary.json"), scn, pop, &results.summaries)?;
    if cascade {
        files::write_cascade(&dir.join("cascade.csv"), pop, &results.runs)?;
    }
    let users = pop.n_users() as u64;
    charts::virality_chart(dir, scn, &table, users, &results.runs)?;
    if scn.public.is_some() {
        charts::spillover_chart(dir, scn, &table, users, &results.runs)?;
    }
    Ok(())
}
