//! `grapevine generate`: write a scenario's generated population as CSV tables that
//! a scenario can import back (`members`, `chat_table`, `user_table`).

use super::{init_threads, note, report_saved, say, ExecArgs};
use anyhow::Result;
use clap::Args;
use grapevine::population::export;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Output folder [default: output/<scenario name>-population].
    #[arg(long, short = 'o', value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    exec: ExecArgs,
}

pub fn generate(a: GenerateArgs) -> Result<ExitCode> {
    let scn = super::load_scenario(&a.scenario, None, None)?;
    let out = a
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-population", scn.name)));
    let threads = init_threads(a.exec.threads)?;
    let (staging, pop) = super::run::prepare(&scn, &a.scenario, &out, threads)?;
    export::write_population(&pop, staging.path())?;
    let done = staging.commit()?;
    report_saved(&done);
    let out = done.path;
    if !a.exec.quiet {
        note!(
            "{} users, {} chats, {} memberships; import them with\n  [population]\n  members = \"members.csv\"\n  chat_table = \"chats.csv\"\n  user_table = \"users.csv\"\n(paths relative to the scenario file, camps as in this scenario)",
            pop.n_users(),
            pop.n_chats(),
            pop.n_memberships()
        );
    }
    say!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}
