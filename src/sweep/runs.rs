//! `runs.csv`: one row per finished run, appended as runs finish.
//!
//! Columns: `run`, `point`, one column per parameter (named by its path), `replicate`,
//! `seed`, then every figure of [`crate::metrics::summary::FIGURES`], the figures at
//! report times (`reach_share@48h`, shares from 0 to 1) and the event outcomes
//! (`outbreak`, `press@48h`, 0 or 1) the sweep lists. Floats are
//! written in their shortest round-trip form (`{}`), a missing time as `NaN`, so the
//! same run always gives the same bytes. Each row is written with a single `write`
//! call and flushed, so an interrupted sweep loses at most the row being written; the
//! reader here drops such a torn last line.

use super::Sweep;
use crate::error::SweepError;
use crate::metrics::summary::{figure_value, FigureRange as Range, RunSummary, FIGURES};
use crate::output::files::csv_field;
use std::collections::HashMap;
use std::path::Path;

/// Name of the per-run file in a sweep folder.
pub const RUNS_CSV: &str = "runs.csv";

/// Names of the figures of a sweep's runs, in column order: [`FIGURES`], the figures at
/// report times, the event outcomes.
pub fn figure_names(sweep: &Sweep) -> Vec<String> {
    FIGURES
        .iter()
        .map(|f| f.name.to_string())
        .chain(sweep.at_columns.iter().cloned())
        .chain(sweep.event_columns.iter().cloned())
        .collect()
}

/// The columns of `runs.csv` for a sweep.
pub fn columns(sweep: &Sweep) -> Vec<String> {
    let mut c = vec!["run".to_string(), "point".to_string()];
    c.extend(sweep.parameters.iter().map(|p| p.path.clone()));
    c.push("replicate".into());
    c.push("seed".into());
    c.extend(figure_names(sweep));
    c
}

/// The header line, with its newline.
pub fn header(sweep: &Sweep) -> String {
    let cols: Vec<String> = columns(sweep)
        .iter()
        .map(|c| csv_field(c).into_owned())
        .collect();
    format!("{}\n", cols.join(","))
}

/// A parameter value as a CSV field: numbers as written, strings bare (quoted only
/// when they contain a comma, quote or line break), tables as inline TOML.
pub fn value_field(v: &toml::Value) -> String {
    csv_field(&value_text(v)).into_owned()
}

/// A parameter value as text, before CSV quoting.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The range of figure `name` of `sweep`: an event column is a flag, a figure at a
/// time a share, any other its range in [`crate::metrics::summary::FIGURES`]; a column
/// that names no figure is held to the loosest range.
fn figure_range(sweep: &Sweep, name: &str) -> Range {
    if sweep.event_columns.iter().any(|c| c == name) {
        return Range::Flag;
    }
    if sweep.at_columns.iter().any(|c| c == name) {
        return Range::Share;
    }
    FIGURES
        .iter()
        .find(|f| f.name == name)
        .map_or(Range::NonNegative, |f| f.range)
}

/// Checks one figure's text against its range.
fn check_figure(text: &str, range: Range) -> Result<(), String> {
    let x: f64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))?;
    let ok = match range {
        Range::Count => x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 2f64.powi(53),
        Range::Share => (0.0..=1.0).contains(&x),
        Range::Hours => x.is_nan() || (x.is_finite() && x >= 0.0),
        Range::NonNegative => x.is_finite() && x >= 0.0,
        Range::Flag => x.is_nan() || x == 0.0 || x == 1.0,
    };
    if ok {
        return Ok(());
    }
    Err(format!(
        "{text} is out of range: expected {}",
        match range {
            Range::Count => "a whole number >= 0",
            Range::Share => "a share from 0 to 1",
            Range::Hours => "hours >= 0, or NaN for a time never reached",
            Range::NonNegative => "a finite number >= 0",
            Range::Flag => "0 or 1 (an event outcome)",
        }
    ))
}

/// Checks every field of a `runs.csv` row (already split, with as many fields as
/// [`columns`]) against the sweep: the run id is one of its runs as [`Sweep::run_id`]
/// writes it, the point, parameter values, replicate and seed are those of that run,
/// and every figure is a number in its range. Returns the run index, or the column
/// and what is wrong with it.
pub fn check_row(sweep: &Sweep, fields: &[String]) -> Result<u64, (String, String)> {
    let cols = columns(sweep);
    let bad = |i: usize, why: String| (cols[i].clone(), why);
    let id = &fields[0];
    let index = sweep.run_index(id).map_err(|e| bad(0, e.to_string()))?;
    let (p, r) = sweep.run_parts(index);
    let canonical = sweep.run_id(index);
    if *id != canonical {
        return Err(bad(
            0,
            format!("\"{id}\" is written {canonical} by Grapevine"),
        ));
    }
    let mut expect = vec![sweep.point_id(p)];
    expect.extend(sweep.points[p].iter().map(value_text));
    expect.push(r.to_string());
    expect.push(sweep.run_seed(index).to_string());
    for (k, want) in expect.iter().enumerate() {
        let i = k + 1;
        if fields[i] != *want {
            return Err(bad(
                i,
                format!(
                    "\"{}\" does not match run {canonical}, whose {} is {want}",
                    fields[i], cols[i]
                ),
            ));
        }
    }
    let first = 1 + expect.len();
    for i in first..cols.len() {
        check_figure(&fields[i], figure_range(sweep, &cols[i])).map_err(|why| bad(i, why))?;
    }
    Ok(index)
}

/// The row of run `index`, with its newline.
pub fn row(sweep: &Sweep, index: u64, summary: &RunSummary) -> String {
    let (p, r) = sweep.run_parts(index);
    let mut f = vec![sweep.run_id(index), sweep.point_id(p)];
    f.extend(sweep.points[p].iter().map(value_field));
    f.push(r.to_string());
    f.push(sweep.run_seed(index).to_string());
    f.extend(
        figure_names(sweep)
            .iter()
            .map(|n| figure_value(summary, n).to_string()),
    );
    format!("{}\n", f.join(","))
}

/// Splits a CSV line into fields (quotes as written by [`csv_field`]).
pub fn split_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// What a scan of `runs.csv` found besides its good rows.
#[derive(Debug, Default)]
pub struct Scan {
    /// Good, distinct rows.
    pub rows: u64,
    /// A damaged last line was dropped (no newline, or the wrong number of fields).
    pub torn: bool,
    /// Rows that repeated an earlier row byte for byte, dropped.
    pub duplicates: u64,
    /// Run ids that appear with different contents (the first row is kept).
    pub conflicts: Vec<String>,
}

/// The rows of a `runs.csv` held in memory (for merging, which sorts them).
#[derive(Debug, Default)]
pub struct RunsFile {
    /// Run index and full line (with newline) of every good row, in file order,
    /// without exact duplicates.
    pub rows: Vec<(u64, String)>,
    /// A damaged last line was dropped (no newline, or the wrong number of fields).
    pub torn: bool,
    /// Rows that repeated an earlier row byte for byte, dropped.
    pub duplicates: u64,
    /// Run ids that appear with different contents (the first row is kept).
    pub conflicts: Vec<String>,
}

/// Reads a whole `runs.csv` written for `sweep` into memory; see [`scan`].
pub fn read(path: &Path, sweep: &Sweep) -> Result<RunsFile, SweepError> {
    let mut rows = Vec::new();
    let s = scan(path, sweep, |ix, line| {
        rows.push((ix, line.to_string()));
        Ok(())
    })?;
    Ok(RunsFile {
        rows,
        torn: s.torn,
        duplicates: s.duplicates,
        conflicts: s.conflicts,
    })
}

/// Streams a `runs.csv` written for `sweep`, calling `on_row(run index, line with its
/// newline)` for every good row in file order, first occurrence only. A torn last
/// line (no newline, or the wrong number of fields: a write cut short) is dropped and
/// noted; a line with the wrong number of fields elsewhere, a foreign header, or a
/// complete row any of whose fields fails [`check_row`] is an error naming the file,
/// line and field.
///
/// # Complexity
/// One pass; memory is one line plus 16 bytes (index and hash) per distinct run, used
/// to recognise repeated rows.
pub fn scan(
    path: &Path,
    sweep: &Sweep,
    mut on_row: impl FnMut(u64, &str) -> Result<(), SweepError>,
) -> Result<Scan, SweepError> {
    use std::hash::{Hash, Hasher};
    use std::io::BufRead;
    let io = |e: std::io::Error| SweepError::Io {
        file: path.to_path_buf(),
        source: e,
    };
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let header = header(sweep);
    let ncols = columns(sweep).len();
    let mut out = Scan::default();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let hash = |line: &str| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        line.hash(&mut h);
        h.finish()
    };
    let row_err = |line: u64, reason: String| SweepError::Row {
        file: path.to_path_buf(),
        line: line + 1,
        reason,
    };
    let mut next = Vec::new();
    reader.read_until(b'\n', &mut next).map_err(io)?;
    let mut i = 0u64;
    while !next.is_empty() {
        let bytes = std::mem::take(&mut next);
        reader.read_until(b'\n', &mut next).map_err(io)?;
        let last = next.is_empty();
        let line = String::from_utf8_lossy(&bytes);
        let line = line.as_ref();
        let complete = line.ends_with('\n');
        let n = i;
        i += 1;
        if n == 0 {
            if line == header {
                continue;
            }
            if last && !complete && header.starts_with(line) {
                out.torn = true;
                continue;
            }
            return Err(SweepError::Mismatch {
                path: path.to_path_buf(),
                what: "the header does not match this sweep's columns (a different sweep?)".into(),
            });
        }
        let fields = split_fields(line.trim_end_matches(['\n', '\r']));
        if !complete || fields.len() != ncols {
            if last {
                out.torn = true;
                continue;
            }
            return Err(row_err(
                n,
                format!("{} fields, expected {ncols}", fields.len()),
            ));
        }
        let index = check_row(sweep, &fields)
            .map_err(|(column, why)| row_err(n, format!("field `{column}`: {why}")))?;
        let h = hash(line);
        match seen.get(&index) {
            Some(&k) if k == h => out.duplicates += 1,
            Some(_) => out.conflicts.push(fields[0].clone()),
            None => {
                seen.insert(index, h);
                out.rows += 1;
                on_row(index, line)?;
            }
        }
    }
    Ok(out)
}

/// The figures of a row, in [`figure_names`] order (`NaN` where unparsable).
pub fn row_figures(line: &str, figure_count: usize) -> Vec<f64> {
    let fields = split_fields(line.trim_end_matches(['\n', '\r']));
    fields[fields.len().saturating_sub(figure_count)..]
        .iter()
        .map(|f| f.parse().unwrap_or(f64::NAN))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sweep() -> Sweep {
        Sweep::one_list("x.y", vec!["a,b".into(), 2.5.into()], 2)
    }

    fn write(dir: &Path, text: &str) -> std::path::PathBuf {
        let p = dir.join(RUNS_CSV);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn rows_round_trip_with_quoted_values() {
        let s = sweep();
        let r = row(&s, 1, &RunSummary::default());
        assert!(r.starts_with("p00000-r0001,p00000,\"a,b\",1,"), "{r}");
        assert_eq!(split_fields(r.trim_end()).len(), columns(&s).len());
        assert!(r.contains(",NaN,"), "missing times are NaN: {r}");
    }

    #[test]
    fn torn_last_line_is_dropped_and_duplicates_counted() {
        let s = sweep();
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (
            row(&s, 0, &RunSummary::default()),
            row(&s, 3, &RunSummary::default()),
        );
        let torn = &b[..b.len() / 2];
        let p = write(t.path(), &format!("{}{a}{a}{b}{torn}", header(&s)));
        let f = read(&p, &s).unwrap();
        assert!(f.torn);
        assert_eq!(f.duplicates, 1);
        assert_eq!(f.rows.iter().map(|r| r.0).collect::<Vec<_>>(), [0, 3]);
        // A full line without its newline is torn too: it may be cut in a number.
        let p = write(t.path(), &format!("{}{a}{}", header(&s), b.trim_end()));
        let f = read(&p, &s).unwrap();
        assert!(f.torn);
        assert_eq!(f.rows.len(), 1);
        // A header cut short is torn, not foreign.
        let h = header(&s);
        let p = write(t.path(), &h[..5]);
        assert!(read(&p, &s).unwrap().torn);
    }

    #[test]
    fn every_field_is_checked_against_the_sweep() {
        let s = sweep();
        let good = row(&s, 3, &RunSummary::default());
        let fields = split_fields(good.trim_end());
        assert_eq!(check_row(&s, &fields), Ok(3));
        let cols = columns(&s);
        let col = |n: &str| cols.iter().position(|c| c == n).unwrap();
        for (column, value) in [
            ("run", "p00001-r0002"),
            ("run", "p1-r1"),
            ("point", "p00000"),
            ("x.y", "a,b"),
            ("replicate", "0"),
            ("seed", "1"),
            ("final_reach", "-1"),
            ("final_reach", "1.5"),
            ("final_reach", "1e400"),
            ("final_reach", "NaN"),
            ("final_reach_share", "1.01"),
            ("hours_to_50pct", "-2"),
            ("hours_to_50pct", "inf"),
            ("peak_hours", "NaN"),
            ("structural_virality", "12x"),
        ] {
            let mut f = fields.clone();
            f[col(column)] = value.into();
            let (named, why) = check_row(&s, &f).unwrap_err();
            assert_eq!(named, column, "{column} = {value}: {why}");
        }
        // Times never reached are NaN; whole counts may be large.
        let mut f = fields.clone();
        f[col("hours_to_50pct")] = "3.5".into();
        f[col("deliveries")] = "123456789012".into();
        assert_eq!(check_row(&s, &f), Ok(3));
        // Every figure's range, from the figure table, against what its name says: the
        // fractional ones are shares, times, viralities and the belief index (believers
        // plus a weighted count of the corrected).
        for name in figure_names(&s) {
            let name = name.as_str();
            let r = figure_range(&s, name);
            let counted = !name.ends_with("_share")
                && !name.starts_with("hours_to")
                && !name.contains("virality")
                && !name.contains("belief_index")
                && name != "peak_hours";
            assert_eq!(r == Range::Count, counted, "{name}");
        }
    }

    #[test]
    fn damage_before_the_end_is_an_error() {
        let s = sweep();
        let t = tempfile::tempdir().unwrap();
        let a = row(&s, 0, &RunSummary::default());
        let p = write(t.path(), &format!("{}x,y\n{a}", header(&s)));
        let e = read(&p, &s).unwrap_err().to_string();
        assert!(e.contains("runs.csv:2"), "{e}");
        let p = write(t.path(), &format!("a,b\n{a}"));
        assert!(matches!(read(&p, &s), Err(SweepError::Mismatch { .. })));
    }
}
