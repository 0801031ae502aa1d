//! The `grapevine` command: parse the command line, run the command, report errors
//! with their context chain, set the exit code (0 success, 1 a check failed, 2 bad
//! input or usage, 130 or 143 stopped by Ctrl-C or SIGTERM; docs/errors.md).

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            // A closed stderr is no reason to panic: write what can be written.
            let mut err = std::io::stderr().lock();
            let mut said = format!("{e}");
            let _ = writeln!(err, "error: {said}");
            for cause in e.chain().skip(1) {
                // Typed errors already quote their cause; do not say it twice.
                let text = cause.to_string();
                if !said.contains(&text) {
                    let _ = writeln!(err, "  caused by: {text}");
                    said.push_str(&text);
                }
            }
            // Stopped by Ctrl-C or SIGTERM: 130 or 143, as a shell reports it.
            ExitCode::from(cli::signal_exit_code().unwrap_or(2))
        }
    }
}
