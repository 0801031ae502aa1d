//! Soak test of sweep resume (ignored by default: about a minute or two). A sweep run by
//! the real binary is stopped at random moments, alternately by SIGKILL and SIGTERM,
//! and resumed each time; once it completes, its sorted `runs.csv` and its
//! `points.csv` must equal those of an uninterrupted run of the same sweep.
//!
//! ```text
//! cargo test --test tests soak -- --ignored --nocapture
//! ```
//!
//! `GRAPEVINE_SOAK_KILLS` (default 8) sets the number of interruptions and
//! `GRAPEVINE_SOAK_SEED` (default 16) the seed of their moments.

use grapevine::rng;
use rand::Rng as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A temporary folder with the sweep: 4 x 4 points x 6 replicates = 96 runs of a
/// 40,000-user population over a week (about 30 s on two cores).
struct Soak {
    dir: tempfile::TempDir,
}

impl Soak {
    fn new() -> Soak {
        let dir = tempfile::Builder::new()
            .prefix("grapevine-soak-")
            .tempdir()
            .unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "name = \"soak\"\n[simulation]\nhorizon = \"7d\"\nreplicates = 1\n\
             [population]\nusers = 40000\n[rumor]\nappeal = 0.4\n[sharing]\nbeliever = 0.5\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("soak.toml"),
            "scenario = \"base.toml\"\nreplicates = 6\nseed = 16\n[parameters]\n\
             platform.forward_limit = [1, 5, 20, \"unlimited\"]\n\
             rumor.appeal = { min = 0.2, max = 0.8, steps = 4 }\n",
        )
        .unwrap();
        Soak { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn start(&self, out: &str, resume: bool) -> Child {
        let mut c = Command::new(env!("CARGO_BIN_EXE_grapevine"));
        c.current_dir(self.dir.path())
            .args([
                "sweep",
                "soak.toml",
                "--out",
                out,
                "--quiet",
                "--threads",
                "2",
            ])
            .env_remove("SLURM_ARRAY_TASK_ID");
        if resume {
            c.arg("--resume");
        }
        c.spawn().expect("spawn grapevine")
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Header, then data lines sorted (run ids sort as text in run order).
fn sorted_rows(p: &Path) -> Vec<String> {
    let text = read(p);
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[1..].sort();
    lines
}

fn rows(p: &Path) -> usize {
    std::fs::read_to_string(p).map_or(0, |t| t.lines().count().saturating_sub(1))
}

fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("grapevine still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
#[ignore = "soak test: a minute or two; run with --ignored (docs/fuzzing.md)"]
fn sweep_killed_and_resumed_many_times_equals_an_uninterrupted_one() {
    let kills = env_u64("GRAPEVINE_SOAK_KILLS", 8);
    let seed = env_u64("GRAPEVINE_SOAK_SEED", 16);
    let s = Soak::new();
    let started = Instant::now();

    let mut whole = s.start("whole", false);
    let status = wait(&mut whole, Duration::from_secs(600));
    assert!(status.success(), "uninterrupted sweep: {status}");
    let uninterrupted = started.elapsed();
    let expected = sorted_rows(&s.path("whole/runs.csv"));
    assert_eq!(expected.len(), 97, "96 runs and the header");

    // Each stop comes at a moment drawn in (0, T / kills) after the start, T the
    // uninterrupted time, so the stops are spread over the first half of the sweep on
    // average and the last resume has work left; a draw also falls now and then before
    // the first row is written.
    let mut rng = rng::from_seed(seed);
    let mut done = 0;
    let mut stops = Vec::new();
    for k in 0..kills {
        let term = k % 2 == 1;
        let delay = uninterrupted.mul_f64(rng.random::<f64>() / kills as f64);
        let mut child = s.start("killed", k > 0);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            stops.push(format!("{k}: finished before its stop"));
            break;
        }
        if term {
            let sent = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(sent.success());
        } else {
            child.kill().unwrap(); // SIGKILL
        }
        let status = wait(&mut child, Duration::from_secs(120));
        // SIGTERM: stopped between runs (143), or finished just before it (0).
        if term {
            assert!(
                matches!(status.code(), Some(143) | Some(0)),
                "SIGTERM gave {status}"
            );
        }
        let now = rows(&s.path("killed/runs.csv"));
        stops.push(format!(
            "{k}: {} after {:.2} s, {now} rows",
            if term { "SIGTERM" } else { "SIGKILL" },
            delay.as_secs_f64()
        ));
        done = now;
    }
    let mut last = s.start("killed", true);
    let status = wait(&mut last, Duration::from_secs(600));
    assert!(status.success(), "final resume: {status}");

    let runs = s.path("killed/runs.csv");
    assert_eq!(
        sorted_rows(&runs),
        expected,
        "no row lost, none duplicated, none changed"
    );
    assert!(read(&runs).ends_with('\n'));
    assert_eq!(
        read(&s.path("killed/points.csv")),
        read(&s.path("whole/points.csv"))
    );
    let leftovers: Vec<String> = std::fs::read_dir(s.path("killed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.contains(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    eprintln!(
        "soak: {} stops (seed {seed}), {done} rows before the last resume; uninterrupted \
         sweep {:.1} s, whole test {:.1} s\n  {}",
        stops.len(),
        uninterrupted.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        stops.join("\n  ")
    );
}
