//! The `grapevine` command: parse the command line, run the command, report errors
//! with their context chain, set the exit code (0 success, 1 a check failed, 2 bad
//! input or usage).

use std::process::ExitCode;

fn main() -> ExitCode {
    match grapevine::cli::main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
