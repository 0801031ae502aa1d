//! Regression tests of issue 16 (reliability), one per finding, each named after what
//! it guards: result folders that keep the user's files, survive crashes and signals
//! and follow symlinks; locked sweep folders; `runs.csv` rows checked field by field;
//! the memory guard; closed pipes; strict CSV imports. Each reproduces the failure as
//! it was found and fails without its fix.

use crate::util::{assert_no_panic, assert_success, Harness, ScenarioBuilder};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The id of a process that has ended (for leftovers of a "crashed" run).
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait for true");
    pid
}

/// Names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Waits (at most 30 s) until `ready` holds.
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits (at most `limit`) for a child to end; kills it and fails if it does not.
fn wait_output(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().expect("poll child").is_some() {
            return child.wait_with_output().expect("collect output");
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect output");
            panic!(
                "{what}: still running after {limit:?}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `grapevine ARGS` in the harness folder, not waited for.
fn spawn(h: &Harness, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_grapevine"))
        .current_dir(h.path())
        .env_remove("RUST_BACKTRACE")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn grapevine")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A small scenario that runs for a long time (many replicates), to be interrupted.
fn long_scenario(h: &Harness) {
    h.write(
        "long.toml",
        ScenarioBuilder::tiny("long")
            .users(500)
            .replicates(5_000)
            .toml(),
    );
}

/// A base scenario and a sweep over it: `points` forward limits x `replicates`.
fn small_sweep(h: &Harness, points: usize, replicates: u32) {
    h.write(
        "base.toml",
        ScenarioBuilder::tiny("base")
            .users(300)
            .horizon("6h")
            .replicates(1)
            .toml(),
    );
    let limits: Vec<String> = (1..=points).map(|p| p.to_string()).collect();
    h.write(
        "sweep.toml",
        format!(
            "scenario = \"base.toml\"\nname = \"sw\"\nreplicates = {replicates}\nseed = 3\n\
             [parameters]\nplatform.forward_limit = [{}]\n",
            limits.join(", ")
        ),
    );
}

/// Finding 2: running again into a folder Grapevine wrote keeps what the user added.
#[test]
fn run_keeps_foreign_files_in_its_folder() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.run_ok("tiny.toml", "res", &["--cascade"]);
    h.write("res/notes.txt", "my notes\n");
    h.write("res/analysis/fig.py", "print(1)\n");
    h.run_ok("tiny.toml", "res", &[]);
    assert_eq!(h.read("res/notes.txt"), "my notes\n");
    assert_eq!(h.read("res/analysis/fig.py"), "print(1)\n");
    // Grapevine's own file of the first run, not written by the second, is gone.
    assert!(!h.join("res/cascade.csv").exists());
    assert!(h.join("res/summary.json").is_file());
    assert_eq!(names(h.path()), ["res", "tiny.toml"], "leftovers");
}

/// Finding 3: a run killed between the two renames of the swap left the results folder
/// missing and the old and new results hidden; the next run restores or cleans them
/// and never loses the user's files that were in the old folder.
#[test]
fn crashed_swap_is_recovered_on_next_start() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.run_ok("tiny.toml", "res", &[]);
    h.write("res/notes.txt", "keep me\n");
    h.run_ok("tiny.toml", "new", &[]);
    // The state a kill between the two renames left: no `res`, old results (with the
    // user's notes) in `.res.old-PID`, new ones in `.res.partial-PID`.
    let pid = dead_pid();
    std::fs::rename(h.join("res"), h.join(format!(".res.old-{pid}"))).unwrap();
    std::fs::rename(h.join("new"), h.join(format!(".res.partial-{pid}"))).unwrap();
    h.run_ok("tiny.toml", "res", &[]);
    assert_eq!(h.read("res/notes.txt"), "keep me\n");
    assert!(h.join("res/summary.json").is_file());
    assert_eq!(names(h.path()), ["res", "tiny.toml"], "leftovers");
}

/// Finding 4: Ctrl-C and SIGTERM stop a run with exit code 130 or 143 and remove its
/// staging folder; staging folders and temporary files left by a killed process are
/// removed on the next start.
#[test]
fn interrupted_run_cleans_its_staging_folder() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let h = Harness::new();
        long_scenario(&h);
        let child = spawn(&h, &["run", "long.toml", "--out", "res", "--quiet"]);
        wait_for("the staging folder", || {
            names(h.path())
                .iter()
                .any(|n| n.starts_with(".res.partial-"))
        });
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let out = wait_output(child, Duration::from_secs(20), "interrupted run");
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert_no_panic(&stderr(&out));
        assert_eq!(names(h.path()), ["long.toml"], "SIG{signal} left files");
    }

    // Leftovers of a process that was killed outright (kill -9, a file-size limit).
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    let pid = dead_pid();
    h.write(
        format!(".res.partial-{pid}/timeseries.csv"),
        vec![b'x'; 1 << 20],
    );
    h.run_ok("tiny.toml", "res", &[]);
    assert_eq!(names(h.path()), ["res", "tiny.toml"], "stale staging kept");

    small_sweep(&h, 1, 1);
    let ok = h
        .cmd()
        .args(["sweep", "sweep.toml", "--out", "sw", "--quiet"])
        .output()
        .unwrap();
    assert_success(&ok);
    h.write(format!("sw/.runs.csv.tmp-{pid}"), "half a file");
    let ok = h
        .cmd()
        .args(["sweep", "sweep.toml", "--out", "sw", "--quiet", "--resume"])
        .output()
        .unwrap();
    assert_success(&ok);
    assert!(
        !names(&h.join("sw")).iter().any(|n| n.contains(".tmp-")),
        "{:?}",
        names(&h.join("sw"))
    );
}

/// Finding 5: two processes on one sweep folder at once (a requeued Slurm task while
/// the first still runs): the second is refused with exit code 2 and the first goes on.
#[test]
fn second_resume_of_a_running_sweep_is_refused() {
    let h = Harness::new();
    small_sweep(&h, 4, 500);
    let first = spawn(&h, &["sweep", "sweep.toml", "--out", "sw", "--quiet"]);
    wait_for("the first rows", || {
        std::fs::read_to_string(h.join("sw/runs.csv")).is_ok_and(|t| t.lines().count() > 2)
    });
    let second = spawn(
        &h,
        &["sweep", "sweep.toml", "--out", "sw", "--quiet", "--resume"],
    );
    let out = wait_output(second, Duration::from_secs(20), "second resume");
    let err = stderr(&out);
    // Merging a folder a sweep still writes into is refused too.
    let merge = wait_output(
        spawn(&h, &["merge", "sw", "--out", "m", "--quiet"]),
        Duration::from_secs(20),
        "merge",
    );
    let _ = Command::new("kill")
        .args(["-TERM", &first.id().to_string()])
        .status();
    let first = wait_output(first, Duration::from_secs(20), "first sweep");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("sw") && err.contains("another"), "{err}");
    assert_no_panic(&err);
    assert_eq!(first.status.code(), Some(143), "{}", stderr(&first));
    assert_eq!(merge.status.code(), Some(2), "{}", stderr(&merge));
    assert!(stderr(&merge).contains("in use by another grapevine process"));
    // No run id twice.
    let text = h.read("sw/runs.csv");
    let mut ids: Vec<&str> = text.lines().skip(1).map(|l| &l[..12]).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicated run ids");
}

/// Finding 6: a `runs.csv` row damaged anywhere but at the end (a corrupt or
/// out-of-range figure, an altered point, seed or parameter) is refused by `--resume`
/// and `merge`, naming file:line and the field.
#[test]
fn damaged_runs_csv_rows_are_refused() {
    let h = Harness::new();
    small_sweep(&h, 2, 2);
    let ok = h
        .cmd()
        .args(["sweep", "sweep.toml", "--out", "sw", "--quiet"])
        .output()
        .unwrap();
    assert_success(&ok);
    let good = h.read("sw/runs.csv");
    let header: Vec<String> = good
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    // Damage line 2 (the first run row), field by field.
    type Damage = fn(&str) -> String;
    let cases: [(&str, Damage); 8] = [
        ("final_reach", |v| format!("{v}x")),
        ("final_reach", |_| "-3".into()),
        ("final_reach", |_| "2.5".into()),
        ("final_reach_share", |_| "1e400".into()),
        ("final_believers_share", |_| "1.5".into()),
        ("seed", |v| format!("{v}1")),
        ("point", |_| "p00001".into()),
        ("platform.forward_limit", |_| "9".into()),
    ];
    for (field, damage) in cases {
        let mut lines: Vec<String> = good.lines().map(String::from).collect();
        let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
        let c = col(field);
        fields[c] = damage(&fields[c]);
        lines[1] = fields.join(",");
        let text = format!("{}\n", lines.join("\n"));
        h.write("sw/runs.csv", &text);
        let out = h
            .cmd()
            .args(["sweep", "sweep.toml", "--out", "sw", "--quiet", "--resume"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{field}: {err}");
        assert!(
            err.contains("runs.csv:2") && err.contains(field),
            "{field}: {err}"
        );
        assert_no_panic(&err);
        assert_eq!(
            h.read("sw/runs.csv"),
            text,
            "{field}: resume changed runs.csv"
        );

        let out = h
            .cmd()
            .args(["merge", "sw", "--out", "merged", "--quiet"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "merge, {field}: {err}");
        assert!(
            err.contains("runs.csv:2") && err.contains(field),
            "{field}: {err}"
        );
    }
}

/// Finding 7: under an address-space limit (`ulimit -v`) a run too large for it is
/// refused before it starts, with the figures and exit code 2, not aborted (134).
#[test]
fn memory_guard_respects_address_space_limit() {
    let h = Harness::new();
    h.write(
        "big.toml",
        ScenarioBuilder::tiny("big")
            .users(3_000_000)
            .replicates(1)
            .toml(),
    );
    let exe = env!("CARGO_BIN_EXE_grapevine");
    let out = Command::new("sh")
        .current_dir(h.path())
        .env_remove("RUST_BACKTRACE")
        .arg("-c")
        .arg(format!(
            "ulimit -v 400000 && exec '{exe}' run big.toml --out res --quiet --threads 1"
        ))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("memory") && err.contains("limit"), "{err}");
    assert_no_panic(&err);
    assert!(!err.contains("memory allocation of"), "{err}");
    assert_eq!(names(h.path()), ["big.toml"]);
}

/// Finding 8: a closed pipe on stdout and stderr (`grapevine run ... 2>&1 | head -1`)
/// is a quiet end, not a panic (exit 101).
#[test]
fn closed_pipe_is_a_quiet_end() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    for args in [
        &["run", "tiny.toml", "--out", "res"][..],
        &["check", "tiny.toml"][..],
    ] {
        let mut child = spawn(&h, args);
        // Close the reading ends before grapevine writes anything.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}");
    }
    assert!(h.join("res/summary.json").is_file());
}

/// Finding 9: `--out LINK`, a symlink to a folder, writes into the folder and keeps the
/// link.
#[cfg(unix)]
#[test]
fn symlinked_out_is_followed() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    std::fs::create_dir_all(h.join("store/real")).unwrap();
    std::os::unix::fs::symlink("store/real", h.join("link")).unwrap();
    for _ in 0..2 {
        h.run_ok("tiny.toml", "link", &[]);
        let meta = std::fs::symlink_metadata(h.join("link")).unwrap();
        assert!(meta.file_type().is_symlink(), "the link was replaced");
        assert!(h.join("store/real/summary.json").is_file());
    }
    assert_eq!(names(h.path()), ["link", "store", "tiny.toml"]);
    assert_eq!(names(&h.join("store")), ["real"]);
}

/// Makes `path` impossible to delete (immutable as root, read-only folder otherwise);
/// returns an undo command, or `None` where neither works (the test is then skipped).
#[cfg(unix)]
fn pin(path: &Path) -> Option<Box<dyn Fn()>> {
    let root = Command::new("id").arg("-u").output().ok()?.stdout == b"0\n";
    if root {
        let ok = Command::new("chattr").arg("+i").arg(path).status().ok()?;
        let p = path.to_path_buf();
        return ok.success().then(|| {
            Box::new(move || {
                let _ = Command::new("chattr").arg("-i").arg(&p).status();
            }) as Box<dyn Fn()>
        });
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent()?.to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).ok()?;
    Some(Box::new(move || {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
    }))
}

/// Finding 10: when the new results are saved but the old copy cannot be removed, the
/// run says so and succeeds, instead of "cannot write ..." with exit code 2.
#[cfg(unix)]
#[test]
fn failed_removal_of_old_results_is_a_warning() {
    let h = Harness::new();
    h.write(
        "tiny.toml",
        ScenarioBuilder::tiny("tiny").replicates(1).toml(),
    );
    h.run_ok("tiny.toml", "res", &["--seed", "1"]);
    let old = h.read("res/summary.json");
    let Some(undo) = pin(&h.join("res/bands.csv")) else {
        eprintln!("skipped: cannot make a file undeletable here");
        return;
    };
    let out = h
        .cmd()
        .args(["run", "tiny.toml", "--out", "res", "--seed", "2"])
        .output()
        .unwrap();
    let err = stderr(&out);
    let leftovers: Vec<String> = names(h.path())
        .into_iter()
        .filter(|n| n.starts_with(".res."))
        .collect();
    for l in &leftovers {
        for f in names(&h.join(l)) {
            let _ = Command::new("chattr")
                .arg("-i")
                .arg(h.join(l).join(f))
                .status();
        }
    }
    undo();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("warning") && err.contains("old copy"), "{err}");
    assert!(!err.contains("cannot write"), "{err}");
    assert_ne!(h.read("res/summary.json"), old, "new results not in place");
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert!(
        err.contains(&leftovers[0]),
        "the message names the old copy: {err}"
    );
}

/// Finding 11: an edge-list row with more fields than the file declares, and a user
/// table row for a user in no chat, are refused with file:line instead of being
/// truncated or added as an isolated user.
#[test]
fn csv_imports_refuse_extra_fields_and_unknown_users() {
    let h = Harness::new();
    let seeds = "[[seeds]]\nusers = 1\n";
    h.write("g.csv", "1,2\n2,3\n3,4,5\n");
    h.write(
        "e.toml",
        format!("[population]\nedges = \"g.csv\"\n{seeds}"),
    );
    let out = h.cmd().args(["check", "e.toml"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("g.csv:3") && err.contains("3 fields"), "{err}");

    h.write("m.csv", "chat,user\ng,a\ng,b\n");
    h.write("u.csv", "user,skepticism\na,0.5\nb,0.5\nzed,0.5\n");
    h.write(
        "u.toml",
        format!("[population]\nmembers = \"m.csv\"\nuser_table = \"u.csv\"\n{seeds}"),
    );
    let out = h.cmd().args(["check", "u.toml"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("u.csv:4") && err.contains("zed"), "{err}");
    assert_no_panic(&err);
}
