//! Observed data for calibration: what real windows saw, read from a CSV file and
//! checked against the scenario's `[[observe]]` windows; and the distance between a
//! simulated run's windows and the data.
//!
//! # Format
//! A CSV file with a header and one row per (time, window):
//!
//! ```text
//! hours,window,count            time,window,cumulative
//! 6,monitor,14                  2018-10-01T14:00,monitor,14
//! 12,monitor,35                 2018-10-01T20:00,monitor,49
//! 12,tipline,2                  2018-10-01T20:00,tipline,2
//! ```
//!
//! - `hours`: hours since the scenario's time zero (the first post, when seeds post at
//!   0); or `time`: a calendar time (`YYYY-MM-DD[THH:MM[:SS]]`, as in
//!   `simulation.start`, which the scenario must then have). With both, `hours` is used.
//! - `window`: the name of one of the scenario's windows.
//! - `count`: items the window saw in the period since its previous row (since time
//!   zero for its first row); or `cumulative`: items since time zero. With both,
//!   `cumulative` is used.
//! - `replicate`: optional, so that a run's own `observed.csv` can serve as data; it
//!   must then hold one replicate only.
//!
//! Lines starting with `#` (a note on where the data came from) and blank lines are
//! skipped.
//!
//! Times of a window must increase and lie within the horizon; counts are whole numbers
//! and cumulative counts never decrease. A bad row is an error with its file and line;
//! a window the scenario does not have is an error naming both files.
//!
//! # Distance
//! For window `w` with data times `t_1 < ... < t_k` and cumulative counts `C_w(t_i)`,
//! and a simulation's cumulative counts `S_w(t_i)` (its observations in every step that
//! ends at or before `t_i`):
//!
//! ```text
//!     d = sqrt( (1/W) sum_w (1/k_w) sum_i ((S_w(t_i) - C_w(t_i)) / s_w)^2 ),
//!     s_w = max(1, C_w(t_k))
//! ```
//!
//! the root mean square, over windows, of each window's root mean square error
//! relative to the window's final observed count: a window that saw 5 reports weighs as
//! much as one that saw 5,000 posts, and `d = 0.1` means the simulated curves are off by
//! about 10% of what each window saw in all.

use crate::error::CalibrationError;
use crate::metrics::observation::cumulative_by_step;
use crate::record::RunOutput;
use crate::scenario::Scenario;
use crate::sweep::runs::split_fields;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Largest data file read (16 MiB): far beyond any window's counts.
pub const MAX_DATA_BYTES: u64 = 16 << 20;

/// The observed series of one window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowData {
    /// The window's name.
    pub name: String,
    /// Index of the window among the scenario's windows.
    pub index: usize,
    /// `(hours since time zero, cumulative count)`, times increasing.
    pub points: Vec<(f64, u64)>,
}

/// Observed data checked against a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservedData {
    /// The file it was read from.
    pub file: PathBuf,
    /// The windows with data, in the scenario's window order.
    pub windows: Vec<WindowData>,
}

impl ObservedData {
    /// Reads and checks `file` against the windows of `scn` (loaded from `scenario`,
    /// which names it in messages).
    pub fn read(file: &Path, scn: &Scenario, scenario: &Path) -> Result<Self, CalibrationError> {
        let io = |source| CalibrationError::Io {
            file: file.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(file).map_err(io)?;
        if !meta.is_file() || meta.len() > MAX_DATA_BYTES {
            return Err(CalibrationError::Row {
                file: file.to_path_buf(),
                line: 1,
                reason: format!("not a regular file of at most {} MiB", MAX_DATA_BYTES >> 20),
            });
        }
        let text = std::fs::read_to_string(file).map_err(io)?;
        ObservedData::parse(&text, file, scn, scenario)
    }

    /// Parses the text of a data file (see the module header).
    pub fn parse(
        text: &str,
        file: &Path,
        scn: &Scenario,
        scenario: &Path,
    ) -> Result<Self, CalibrationError> {
        let bad = |line: usize, reason: String| CalibrationError::Row {
            file: file.to_path_buf(),
            line: line as u64,
            reason,
        };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let Some((_, head)) = lines.next() else {
            return Err(bad(
                1,
                "empty file: expected a header such as hours,window,count".into(),
            ));
        };
        let header: Vec<String> = split_fields(head)
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        const KNOWN: [&str; 6] = [
            "hours",
            "time",
            "window",
            "count",
            "cumulative",
            "replicate",
        ];
        if let Some(h) = header.iter().find(|h| !KNOWN.contains(&h.as_str())) {
            return Err(bad(
                1,
                format!(
                    "unknown column \"{h}\": the columns are hours or time, window, count or \
                     cumulative, and optionally replicate"
                ),
            ));
        }
        let Some(window_col) = col("window") else {
            return Err(bad(1, "no window column".into()));
        };
        // Which column gives the time, and how it becomes hours.
        let when = match (col("hours"), col("time"), scn.simulation.start) {
            (Some(c), _, _) => When::Hours(c),
            (None, Some(c), Some(start)) => When::Calendar(c, start),
            (None, Some(_), None) => {
                return Err(bad(
                    1,
                    format!(
                        "times are calendar times, but {} has no simulation.start to say \
                         when time zero is: add one, or give hours since time zero",
                        scenario.display()
                    ),
                ))
            }
            (None, None, _) => return Err(bad(1, "no hours or time column".into())),
        };
        let counts = match (col("cumulative"), col("count")) {
            (Some(c), _) => Counts::Cumulative(c),
            (None, Some(c)) => Counts::PerPeriod(c),
            (None, None) => return Err(bad(1, "no count or cumulative column".into())),
        };
        let replicate_col = col("replicate");
        let horizon = scn.simulation.horizon.hours();
        let mut windows: Vec<WindowData> = Vec::new();
        let mut replicate: Option<String> = None;
        for (i, line) in lines {
            let n = i + 1;
            let f = split_fields(line);
            if f.len() != header.len() {
                return Err(bad(
                    n,
                    format!("{} fields, the header has {}", f.len(), header.len()),
                ));
            }
            if let Some(c) = replicate_col {
                match &replicate {
                    None => replicate = Some(f[c].clone()),
                    Some(r) if *r != f[c] => {
                        return Err(bad(
                            n,
                            format!(
                                "replicate {} after replicate {r}: the data must hold one \
                                 replicate; keep the rows of one",
                                f[c]
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
            let hours = match when {
                When::Hours(c) => f[c]
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| bad(n, format!("hours \"{}\" is not a number", f[c])))?,
                When::Calendar(c, start) => crate::duration::Timestamp::parse(&f[c])
                    .map_err(|e| bad(n, e))?
                    .hours_since(start),
            };
            if !(hours.is_finite() && hours >= 0.0 && hours <= horizon + 1e-9) {
                return Err(bad(
                    n,
                    format!(
                        "time {hours} h is outside the scenario's 0 to {horizon} h (its horizon)"
                    ),
                ));
            }
            let name = f[window_col].trim();
            let Some((index, _)) = scn.window(name) else {
                let names: Vec<&str> = scn.observe.iter().map(|o| o.name.as_str()).collect();
                return Err(bad(
                    n,
                    format!(
                        "window \"{name}\" is not a window of {} ({})",
                        scenario.display(),
                        if names.is_empty() {
                            "it has no [[observe]] entries".to_string()
                        } else {
                            format!("its windows: {}", names.join(", "))
                        }
                    ),
                ));
            };
            let value = |c: usize, what: &str| {
                f[c].trim()
                    .parse::<u64>()
                    .map_err(|_| bad(n, format!("{what} \"{}\" is not a whole number >= 0", f[c])))
            };
            let w = match windows.iter_mut().position(|w| w.index == index) {
                Some(p) => &mut windows[p],
                None => {
                    windows.push(WindowData {
                        name: name.to_string(),
                        index,
                        points: Vec::new(),
                    });
                    windows.last_mut().expect("just pushed")
                }
            };
            let last = w.points.last().copied();
            let cumulative = match counts {
                Counts::Cumulative(c) => value(c, "cumulative")?,
                Counts::PerPeriod(c) => last.map_or(0, |(_, x)| x) + value(c, "count")?,
            };
            if let Some((t0, c0)) = last {
                if hours <= t0 {
                    return Err(bad(
                        n,
                        format!("time {hours} h of window {name} is not after its previous {t0} h"),
                    ));
                }
                if cumulative < c0 {
                    return Err(bad(
                        n,
                        format!(
                            "cumulative count {cumulative} of window {name} is below its \
                             previous {c0}"
                        ),
                    ));
                }
            }
            w.points.push((hours, cumulative));
        }
        if windows.is_empty() {
            return Err(bad(1, "no data rows".into()));
        }
        windows.sort_by_key(|w| w.index);
        Ok(ObservedData {
            file: file.to_path_buf(),
            windows,
        })
    }

    /// The last observed time, in hours since time zero.
    pub fn last_hours(&self) -> f64 {
        self.windows
            .iter()
            .filter_map(|w| w.points.last())
            .map(|p| p.0)
            .fold(0.0, f64::max)
    }

    /// The distance between a run's windows and the data (see the module header).
    pub fn distance(&self, scn: &Scenario, run: &RunOutput) -> f64 {
        let mut total = 0.0;
        for w in &self.windows {
            let sim = cumulative_by_step(scn, run, w.index);
            let scale = w.points.last().map_or(1, |p| p.1).max(1) as f64;
            let mse = w
                .points
                .iter()
                .map(|&(t, c)| {
                    let e = (simulated_at(scn, &sim, t) as f64 - c as f64) / scale;
                    e * e
                })
                .sum::<f64>()
                / w.points.len() as f64;
            total += mse;
        }
        (total / self.windows.len() as f64).sqrt()
    }
}

/// Where a data file's times are, and how they become hours.
#[derive(Clone, Copy)]
enum When {
    Hours(usize),
    Calendar(usize, crate::duration::Timestamp),
}

/// Where a data file's counts are.
#[derive(Clone, Copy)]
enum Counts {
    PerPeriod(usize),
    Cumulative(usize),
}

/// A simulated cumulative count (per step, `by_step[s]` after step `s`) at `hours`:
/// every step that ends at or before that time.
pub fn simulated_at(scn: &Scenario, by_step: &[u64], hours: f64) -> u64 {
    let done = (hours * 60.0 / scn.simulation.step_minutes + 1e-9).floor() as usize;
    match done.min(by_step.len()) {
        0 => 0,
        k => by_step[k - 1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ObservedEvent, ObservedMessage};

    fn scenario(start: bool) -> Scenario {
        let text = format!(
            "[simulation]\nstep = \"1h\"\nhorizon = \"2d\"\n{}\
             [[observe]]\nkind = \"monitor\"\ngroups = 5\n\
             [[observe]]\nkind = \"tipline\"\nreport = 0.1\n",
            if start {
                "start = \"2018-10-01T08:00\"\n"
            } else {
                ""
            }
        );
        Scenario::from_toml_str(&text, "s.toml").unwrap()
    }

    fn parse(text: &str, start: bool) -> Result<ObservedData, String> {
        ObservedData::parse(
            text,
            Path::new("d.csv"),
            &scenario(start),
            Path::new("s.toml"),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn counts_and_cumulatives_in_hours_or_calendar_time() {
        let a = parse(
            "# synthetic\nhours,window,count\n6,monitor,4\n\n# a note\n12,monitor,3\n12,tipline,1\n",
            false,
        )
        .unwrap();
        assert_eq!(a.windows[0].points, [(6.0, 4), (12.0, 7)]);
        assert_eq!(a.windows[1].points, [(12.0, 1)]);
        assert_eq!(a.last_hours(), 12.0);
        let b = parse(
            "time,window,cumulative\n2018-10-01T14:00,monitor,4\n2018-10-01T20:00,monitor,7\n\
             2018-10-01T20:00,tipline,1\n",
            true,
        )
        .unwrap();
        assert_eq!(a.windows, b.windows);
        // A run's own observed.csv, one replicate.
        let c = parse(
            "replicate,hours,time,window,count,cumulative\n3,6,x,monitor,4,4\n3,12,x,monitor,3,7\n",
            true,
        )
        .unwrap();
        assert_eq!(c.windows[0].points, [(6.0, 4), (12.0, 7)]);
    }

    #[test]
    fn bad_rows_say_where() {
        let cases = [
            ("hours,window,count\n6,radar,4\n", "d.csv:2: window \"radar\" is not a window of s.toml (its windows: monitor, tipline)"),
            ("hours,window,count\nsix,monitor,4\n", "d.csv:2: hours \"six\""),
            ("hours,window,count\n6,monitor,-4\n", "d.csv:2: count \"-4\""),
            ("hours,window,count\n6,monitor,4\n5,monitor,1\n", "d.csv:3: time 5 h of window monitor is not after"),
            ("hours,window,cumulative\n6,monitor,4\n7,monitor,1\n", "d.csv:3: cumulative count 1"),
            ("hours,window,count\n60,monitor,4\n", "d.csv:2: time 60 h is outside"),
            ("hours,window,count\n6,monitor\n", "d.csv:2: 2 fields"),
            ("hours,window,counts\n", "d.csv:1: unknown column \"counts\""),
            ("time,window,count\n2018-10-01,monitor,1\n", "has no simulation.start"),
            ("replicate,hours,window,count\n0,1,monitor,1\n1,2,monitor,1\n", "d.csv:3: replicate 1 after replicate 0"),
            ("hours,window,count\n", "no data rows"),
            ("", "empty file"),
        ];
        for (text, expected) in cases {
            let e = parse(text, false).unwrap_err();
            assert!(e.contains(expected), "{expected}\n{e}");
        }
        let e = parse("time,window,count\n2018-09-30T08:00,monitor,1\n", true).unwrap_err();
        assert!(e.contains("time -24 h is outside"), "{e}");
    }

    #[test]
    fn distance_is_relative_rms_per_window() {
        let scn = scenario(false);
        let data = parse(
            "hours,window,cumulative\n2,monitor,10\n4,monitor,20\n4,tipline,2\n",
            false,
        )
        .unwrap();
        let mut run = RunOutput::default();
        let ev = |window: u16, step: u32, count: u32| ObservedEvent {
            window,
            step,
            message: ObservedMessage::Rumor,
            hop: 0,
            labelled: false,
            subject: 0,
            count,
        };
        // Monitor: 10 by the end of step 1 (2 h), 25 by step 3 (4 h); tipline: 1.
        run.observed.events = vec![ev(0, 0, 4), ev(0, 1, 6), ev(0, 3, 15), ev(1, 2, 1)];
        let monitor = (0.0f64 + (5.0f64 / 20.0).powi(2)) / 2.0;
        let tipline = (1.0f64 / 2.0).powi(2);
        let expected = ((monitor + tipline) / 2.0).sqrt();
        assert!((data.distance(&scn, &run) - expected).abs() < 1e-12);
        run.observed.events = vec![ev(0, 1, 10), ev(0, 3, 10), ev(1, 0, 2)];
        assert_eq!(data.distance(&scn, &run), 0.0);
        assert_eq!(simulated_at(&scn, &[1, 2, 3], 0.5), 0);
        assert_eq!(simulated_at(&scn, &[1, 2, 3], 2.0), 2);
        assert_eq!(simulated_at(&scn, &[1, 2, 3], 9.0), 3);
    }
}
