//! The `grapevine` command: parse the command line, run the command, report errors
//! with their context chain, set the exit code (0 success, 1 a check failed, 2 bad
//! input or usage).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(e) => {
            let mut said = format!("{e}");
            eprintln!("error: {said}");
            for cause in e.chain().skip(1) {
                // Typed errors already quote their cause; do not say it twice.
                let text = cause.to_string();
                if !said.contains(&text) {
                    eprintln!("  caused by: {text}");
                    said.push_str(&text);
                }
            }
            ExitCode::from(2)
        }
    }
}
