//! `grapevine report DIR`, and the `--report` of run, compare, sweep and calibrate:
//! one self-contained HTML file from a result folder.

use super::say;
use anyhow::{Context as _, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Result folder written by grapevine run, compare, sweep or calibrate.
    dir: PathBuf,
    /// Report file [default: DIR/report.html].
    #[arg(long, short = 'o', value_name = "FILE.html")]
    out: Option<PathBuf>,
}

pub fn report(a: ReportArgs) -> Result<ExitCode> {
    let path = write(&a.dir, a.out.as_deref())?;
    say!("report: {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes the report of `dir`; what `--report` calls once the results are saved.
pub(crate) fn write(dir: &Path, out: Option<&Path>) -> Result<PathBuf> {
    let options = grapevine::report::Options {
        command_line: command_line(),
        generated: now(),
    };
    grapevine::report::write_report(dir, out, &options)
        .with_context(|| format!("writing the report of {}", dir.display()))
}

/// The command line as a shell would take it back (arguments quoted when needed).
fn command_line() -> String {
    std::env::args_os()
        .enumerate()
        .map(|(i, a)| {
            let a = a.to_string_lossy().into_owned();
            let a = if i == 0 {
                Path::new(&a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                a
            };
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
            if plain {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Now in UTC, or `SOURCE_DATE_EPOCH` when set (reproducible reports).
fn now() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let epoch = grapevine::duration::Timestamp::parse("1970-01-01").expect("a valid date");
    let t = epoch.plus_hours(secs as f64 / 3600.0).to_string();
    format!("{} UTC", t.get(..16).unwrap_or(&t).replace('T', " "))
}
