//! `grapevine validate`: the engine against theory.

use super::{init_threads, note, say, ExecArgs};
use anyhow::Result;
use clap::Args;
use grapevine::output::dir;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Small sizes (seconds instead of minutes); what `cargo test` runs.
    #[arg(long)]
    quick: bool,
    /// Also write the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    #[command(flatten)]
    exec: ExecArgs,
}

pub fn validate(a: ValidateArgs) -> Result<ExitCode> {
    let threads = init_threads(a.exec.threads)?;
    let sizes = if a.quick {
        grapevine::validation::Sizes::QUICK
    } else {
        grapevine::validation::Sizes::FULL
    };
    let quiet = a.exec.quiet;
    let started = std::time::Instant::now();
    let rows = grapevine::validation::run_suite(&sizes, threads, &|family| {
        if !quiet {
            note!("[{:>6.1} s] {family}", started.elapsed().as_secs_f64());
        }
    });
    say!("{}", grapevine::validation::format_table(&rows));
    if let Some(path) = &a.csv {
        dir::write_atomic(path, |w| {
            let mut c = csv::Writer::from_writer(w);
            for r in &rows {
                c.serialize(r)?;
            }
            c.flush()
        })?;
    }
    let failed = rows.iter().filter(|r| r.pass == Some(false)).count();
    let judged = rows.iter().filter(|r| r.pass.is_some()).count();
    say!(
        "{} passed, {} failed ({:.1} s, {} threads)",
        judged - failed,
        failed,
        started.elapsed().as_secs_f64(),
        threads
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
