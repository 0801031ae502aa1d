//! Replays the inputs the fuzzer found (`tests/fuzz-regressions/<target>/`), each
//! driven exactly as the fuzzer drives it (`examples/fuzz/targets.rs`): every one must
//! now be accepted or refused with a message, without a panic and within a few seconds.
//! A csv input's file name starts with its table (`members-…`, `edges-…`). See
//! docs/fuzzing.md for how inputs get here.

#[path = "../examples/fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use targets::{Bench, TARGETS};

/// The regression inputs of one target, sorted (notes `*.txt` and `README.md` aside).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.extension().is_some_and(|e| e == "txt" || e == "md"))
        .collect();
    out.sort();
    out
}

/// The table a csv input replaces, from its name: `members-1a2b.csv` -> `members.csv`.
fn slot(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    let table = name.split(['-', '.']).next().unwrap_or_default();
    format!("{table}.csv")
}

#[test]
fn fuzz_findings_stay_fixed() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut replayed = 0;
    for target in TARGETS {
        let files = inputs(&repo.join("tests/fuzz-regressions").join(target.name()));
        if files.is_empty() {
            continue;
        }
        let bench = Arc::new(Bench::new(target, repo).expect("set up the fuzz target"));
        for file in files {
            let input = std::fs::read(&file).unwrap();
            let slot = slot(&file);
            let (tx, rx) = std::sync::mpsc::channel();
            let b = Arc::clone(&bench);
            // Not scoped: a hang must fail the test, not wait for the stuck thread.
            std::thread::spawn(move || {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    b.exec(&slot, &input)
                }));
                let _ = tx.send(r);
            });
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Ok(Ok(_))) => {}
                Ok(Ok(Err(broken))) => panic!("{}: {broken}", file.display()),
                Ok(Err(_)) => panic!("{}: the library panicked", file.display()),
                Err(_) => panic!("{}: no answer within 10 s", file.display()),
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression input found");
}
