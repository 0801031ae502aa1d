//! The files of the observation windows in a run folder (only with `[[observe]]`):
//!
//! - `observed.csv`: per replicate, window and period, the rumor items the window saw
//!   in the period and since time zero: `replicate,hours,[time,]window,count,cumulative`
//!   (`hours` at the end of the period; `time` the calendar time there, when the
//!   scenario has a `simulation.start`). This is the format calibration data is
//!   written in (`docs/calibration.md#data`).
//! - `observations.csv`: every observation: `replicate,window,kind,step,hours,[time,]
//!   message,hop,labelled,chat,user,count` (the monitored chat, or the reporter; the
//!   count of public posts).

use crate::error::OutputError;
use crate::metrics::observation::period_counts;
use crate::population::Population;
use crate::record::{RunOutput, NO_SUBJECT};
use crate::scenario::{Scenario, Window};
use std::path::Path;

use super::dir::write_atomic;
use super::files::csv_field;

/// Name of the counts file.
pub const OBSERVED_CSV: &str = "observed.csv";
/// Name of the events file.
pub const OBSERVATIONS_CSV: &str = "observations.csv";

/// Writes `observed.csv` and `observations.csv` into `dir`.
pub fn write_observed(
    dir: &Path,
    scn: &Scenario,
    pop: &Population,
    runs: &[RunOutput],
) -> Result<(), OutputError> {
    let calendar = scn.simulation.start.is_some();
    write_atomic(&dir.join(OBSERVED_CSV), |w| {
        writeln!(
            w,
            "replicate,hours,{}window,count,cumulative",
            if calendar { "time," } else { "" }
        )?;
        for (r, run) in runs.iter().enumerate() {
            for c in period_counts(scn, r as u32, run) {
                let time = scn
                    .calendar_at(c.hours)
                    .map(|t| format!("{t},"))
                    .unwrap_or_default();
                writeln!(
                    w,
                    "{r},{},{time}{},{},{}",
                    c.hours,
                    csv_field(&scn.observe[c.window].name),
                    c.count,
                    c.cumulative
                )?;
            }
        }
        Ok(())
    })?;
    write_atomic(&dir.join(OBSERVATIONS_CSV), |w| {
        writeln!(
            w,
            "replicate,window,kind,step,hours,{}message,hop,labelled,chat,user,count",
            if calendar { "time," } else { "" }
        )?;
        for (r, run) in runs.iter().enumerate() {
            for e in &run.observed.events {
                let o = &scn.observe[e.window as usize];
                let hours = scn.hours_at(e.step);
                let time = scn
                    .calendar_at(hours)
                    .map(|t| format!("{t},"))
                    .unwrap_or_default();
                let label = |f: &dyn Fn(u32) -> String| {
                    if e.subject == NO_SUBJECT {
                        String::new()
                    } else {
                        csv_field(&f(e.subject)).into_owned()
                    }
                };
                let (chat, user) = match o.window {
                    Window::Monitor { .. } => (label(&|c| pop.chat_label(c)), String::new()),
                    Window::Tipline { .. } => (String::new(), label(&|u| pop.user_label(u))),
                    Window::Public => (String::new(), String::new()),
                };
                writeln!(
                    w,
                    "{r},{},{},{},{hours},{time}{},{},{},{chat},{user},{}",
                    csv_field(&o.name),
                    o.window.kind(),
                    e.step,
                    e.message.name(),
                    e.hop,
                    u8::from(e.labelled),
                    e.count
                )?;
            }
        }
        Ok(())
    })
}
