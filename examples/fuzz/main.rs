//! A mutation fuzzer for Grapevine's input readers, on the stable toolchain. Not run in
//! CI: run it by hand (docs/fuzzing.md), e.g.
//!
//! ```text
//! cargo run --release --example fuzz -- --target scenario --minutes 10 --seed 1
//! ```
//!
//! Each case takes one seed input (a shipped scenario or sweep file, a population table,
//! a sweep's `runs.csv`: see `targets.rs`) and applies 1 to 8 mutations, byte-level
//! (flip, set, insert, delete or duplicate bytes, truncate, splice with another seed) or
//! token-level (numbers swapped for extremes, keys and strings replaced, lines
//! duplicated, deleted or swapped). Case `n` depends only on (`--seed`, `n`): its
//! generator is keyed by both, so `--seed S --case N` rebuilds and replays it.
//!
//! The library runs in a worker thread, each case inside `catch_unwind`; the main
//! thread is the watchdog: a case that takes longer than `--timeout` seconds is a hang.
//! A finding (a panic, a hang, an error without a message) is minimised (panics only:
//! bytes are cut while the same panic location remains) and saved under
//! `--out/<target>/`, with a note of the seed, case and message. A hang stops the run
//! (the stuck thread cannot be stopped). The input in flight is written to
//! `inflight.bin` before each case, so an abort (an allocation that fails under
//! `ulimit -v`) leaves it behind. Keep a finding as a regression input by copying it to
//! `tests/fuzz-regressions/<target>/` once the library is fixed.

mod targets;

use clap::Parser;
use grapevine::rng::{self, Rng};
use rand::Rng as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use targets::{Bench, Seed, Target, Verdict, TARGETS};

#[derive(Parser, Debug)]
#[command(about = "Mutation fuzzer of Grapevine's input readers (docs/fuzzing.md)")]
struct Args {
    /// scenario, sweep, csv, runs, or all (one after the other).
    #[arg(long)]
    target: String,
    /// Minutes per target.
    #[arg(long, default_value_t = 1.0)]
    minutes: f64,
    /// Master seed of the mutations.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replay only case N of --seed (prints its input's first bytes and the outcome).
    #[arg(long)]
    case: Option<u64>,
    /// Replay a saved input file (with --slot for the csv target) instead of fuzzing.
    #[arg(long)]
    replay: Option<PathBuf>,
    /// Slot of a replayed csv input: members.csv, chats.csv, users.csv or edges.csv.
    #[arg(long, default_value = "members.csv")]
    slot: String,
    /// Seconds one case may take before it is a hang.
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// Folder for findings.
    #[arg(long, default_value = "output/fuzz")]
    out: PathBuf,
}

/// How one case ended.
enum Outcome {
    /// Accepted or refused with a message: the contract holds.
    Fine(Verdict),
    /// An error without a message (or another broken promise), described.
    Broken(String),
    /// A panic: its location (the finding's identity) and message.
    Panic { location: String, message: String },
}

/// The last panic's location and message, recorded by the hook instead of printed.
static LAST_PANIC: Mutex<Option<(String, String)>> = Mutex::new(None);

fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "unknown".into());
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some((location, message));
    }));
}

/// The library in a worker thread: cases in, outcomes out.
struct Worker {
    tx: mpsc::Sender<(String, Vec<u8>)>,
    rx: mpsc::Receiver<Outcome>,
}

impl Worker {
    fn spawn(bench: Bench) -> Worker {
        let (tx, cases) = mpsc::channel::<(String, Vec<u8>)>();
        let (done, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for (slot, input) in cases {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    bench.exec(&slot, &input)
                }));
                let outcome = match r {
                    Ok(Ok(v)) => Outcome::Fine(v),
                    Ok(Err(broken)) => Outcome::Broken(broken),
                    Err(_) => {
                        let (location, message) = LAST_PANIC
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .take()
                            .unwrap_or_else(|| ("unknown".into(), String::new()));
                        Outcome::Panic { location, message }
                    }
                };
                if done.send(outcome).is_err() {
                    break;
                }
            }
        });
        Worker { tx, rx }
    }

    /// Runs one case; `None` if it did not finish within `timeout` (a hang).
    fn run(&self, slot: &str, input: &[u8], timeout: Duration) -> Option<Outcome> {
        self.tx.send((slot.to_string(), input.to_vec())).ok()?;
        self.rx.recv_timeout(timeout).ok()
    }
}

/// Numbers a token-level mutation puts in place of a number.
const EXTREMES: [&str; 30] = [
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "-0.0",
    "1e308",
    "-1e308",
    "1e400",
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "255",
    "256",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "99999999999999999999999",
    "1_000_000_000",
    "0x7fffffff",
    "1e30h",
    "1.5",
    "100000",
    "1000000",
];

/// Strings a token-level mutation puts in place of a quoted string's contents.
const STRINGS: [&str; 16] = [
    "",
    " ",
    "unlimited",
    "all",
    "/dev/zero",
    "/dev/null",
    ".",
    "..",
    "/",
    "../baseline.toml",
    "input.toml",
    "1e30h",
    "0m",
    "-5m",
    "\u{7}\u{1b}[31m",
    "\u{e9}t\u{e9} \u{1f600}",
];

/// Words (keys, enum values) a token-level mutation swaps in, besides the seeds' own.
const WORDS: [&str; 12] = [
    "extends",
    "name",
    "users",
    "members",
    "edges",
    "user_table",
    "chat_table",
    "dist",
    "steps",
    "samples",
    "design",
    "kind",
];

/// A token of a text input: its byte range and kind.
#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Number,
    Word,
    Str,
}

fn tokens(text: &[u8]) -> Vec<(usize, usize, Tok)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let start = i;
        if b == b'"' {
            i += 1;
            while i < text.len() && text[i] != b'"' && text[i] != b'\n' {
                i += 1;
            }
            if i < text.len() && text[i] == b'"' {
                out.push((start + 1, i, Tok::Str));
                i += 1;
            }
        } else if b.is_ascii_digit()
            || (b == b'-' && text.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < text.len()
                && (text[i].is_ascii_alphanumeric() || matches!(text[i], b'.' | b'_' | b'-' | b'+'))
            {
                i += 1;
            }
            out.push((start, i, Tok::Number));
        } else if b.is_ascii_alphabetic() || b == b'_' {
            while i < text.len()
                && (text[i].is_ascii_alphanumeric() || matches!(text[i], b'_' | b'-'))
            {
                i += 1;
            }
            out.push((start, i, Tok::Word));
        } else {
            i += 1;
        }
    }
    out
}

fn pick<'a, T>(rng: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

/// A random range of `data` (may be empty).
fn span(rng: &mut Rng, len: usize) -> (usize, usize) {
    if len == 0 {
        return (0, 0);
    }
    let a = rng.random_range(0..len);
    let most = if rng.random_bool(0.8) { 16 } else { 4096 };
    let n = rng.random_range(0..=(len - a).min(most));
    (a, a + n)
}

/// Applies one mutation to `data`, using `seeds` for splices and words.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Seed]) {
    let len = data.len();
    match rng.random_range(0..14) {
        0 => {
            if len > 0 {
                let i = rng.random_range(0..len);
                data[i] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => {
            if len > 0 {
                let i = rng.random_range(0..len);
                data[i] = *pick(rng, b"\0\n\r\t \"'[]{}=,.#-+0123456789e\xff\xc3");
            }
        }
        2 => {
            let i = rng.random_range(0..=len);
            let n = rng.random_range(1..=8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            data.splice(i..i, bytes);
        }
        3 => {
            let (a, b) = span(rng, len);
            data.drain(a..b);
        }
        4 => {
            let (a, b) = span(rng, len);
            let copy = data[a..b].to_vec();
            let i = rng.random_range(0..=len);
            data.splice(i..i, copy);
        }
        5 => {
            data.truncate(rng.random_range(0..=len));
        }
        6 => {
            // Splice: this input's head and another seed's tail.
            let other = &pick(rng, seeds).bytes;
            let a = rng.random_range(0..=len);
            let b = rng.random_range(0..=other.len());
            data.truncate(a);
            data.extend_from_slice(&other[b..]);
        }
        7 | 8 => replace_token(rng, data, Tok::Number, seeds),
        9 => replace_token(rng, data, Tok::Word, seeds),
        10 => replace_token(rng, data, Tok::Str, seeds),
        _ => mutate_lines(rng, data, seeds),
    }
}

fn replace_token(rng: &mut Rng, data: &mut Vec<u8>, kind: Tok, seeds: &[Seed]) {
    let toks: Vec<(usize, usize)> = tokens(data)
        .into_iter()
        .filter(|t| t.2 == kind)
        .map(|t| (t.0, t.1))
        .collect();
    if toks.is_empty() {
        return;
    }
    let (a, b) = *pick(rng, &toks);
    let with: Vec<u8> = match kind {
        Tok::Number => pick(rng, &EXTREMES).as_bytes().to_vec(),
        Tok::Str => pick(rng, &STRINGS).as_bytes().to_vec(),
        Tok::Word => {
            if rng.random_bool(0.3) {
                pick(rng, &WORDS).as_bytes().to_vec()
            } else {
                // A word from some seed: keys swapped for other keys.
                let other = &pick(rng, seeds).bytes;
                let words: Vec<(usize, usize, Tok)> = tokens(other)
                    .into_iter()
                    .filter(|t| t.2 == Tok::Word)
                    .collect();
                match words.is_empty() {
                    true => return,
                    false => {
                        let (x, y, _) = *pick(rng, &words);
                        other[x..y].to_vec()
                    }
                }
            }
        }
    };
    data.splice(a..b, with);
}

fn mutate_lines(rng: &mut Rng, data: &mut Vec<u8>, seeds: &[Seed]) {
    let mut lines: Vec<Vec<u8>> = data
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    let i = rng.random_range(0..lines.len());
    match rng.random_range(0..4) {
        0 => {
            let l = lines[i].clone();
            let times = if rng.random_bool(0.9) {
                1
            } else {
                rng.random_range(2..200)
            };
            for _ in 0..times {
                lines.insert(i, l.clone());
            }
        }
        1 => {
            lines.remove(i);
        }
        2 => {
            let j = rng.random_range(0..lines.len());
            lines.swap(i, j);
        }
        _ => {
            let other = &pick(rng, seeds).bytes;
            let theirs: Vec<&[u8]> = other.split_inclusive(|&b| b == b'\n').collect();
            if !theirs.is_empty() {
                lines.insert(i, pick(rng, &theirs).to_vec());
            }
        }
    }
    *data = lines.concat();
}

/// Case `n` of `seed`: which seed input, and the mutated bytes.
fn case(seed: u64, target: Target, n: u64, seeds: &[Seed]) -> (String, Vec<u8>) {
    let mut rng = rng::from_seed(rng::derive_seed(seed, &[target as u64, n]));
    let base = pick(&mut rng, seeds);
    let mut data = base.bytes.clone();
    let rounds = 1 + rng.random_range(0..8u32).min(rng.random_range(0..8u32));
    for _ in 0..rounds {
        mutate(&mut rng, &mut data, seeds);
    }
    (base.slot.clone(), data)
}

/// A finding: what identifies it, and how to describe it.
struct Finding {
    key: String,
    note: String,
}

fn finding_of(outcome: &Outcome) -> Option<Finding> {
    match outcome {
        Outcome::Fine(_) => None,
        Outcome::Broken(why) => Some(Finding {
            key: format!("broken {}", why.chars().take(60).collect::<String>()),
            note: why.clone(),
        }),
        Outcome::Panic { location, message } => Some(Finding {
            key: format!("panic at {location}"),
            note: format!("panic at {location}: {message}"),
        }),
    }
}

/// Cuts `input` while `worker` still finds `key` in it: chunks of halving size, then
/// single bytes, for at most `budget`.
fn minimise(worker: &Worker, slot: &str, input: &[u8], key: &str, t: Duration) -> Vec<u8> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut best = input.to_vec();
    let mut chunk = best.len().div_ceil(2).max(1);
    while Instant::now() < deadline {
        let mut cut = false;
        let mut i = 0;
        while i < best.len() && Instant::now() < deadline {
            let mut shorter = best.clone();
            shorter.drain(i..(i + chunk).min(best.len()));
            let same = match worker.run(slot, &shorter, t) {
                Some(o) => finding_of(&o).is_some_and(|f| f.key == key),
                None => return best,
            };
            if same {
                best = shorter;
                cut = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !cut {
            break;
        }
        chunk = (chunk / 2).max(1);
    }
    best
}

/// A short name for an input: 8 hex digits of its FNV-1a hash.
fn hex8(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("{:08x}", h >> 32)
}

fn save(dir: &Path, target: Target, slot: &str, input: &[u8], note: &str) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let ext = Path::new(slot)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("bin");
    let stem = match target {
        Target::Csv => Path::new(slot)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("t"),
        _ => target.name(),
    };
    let path = dir.join(format!("{stem}-{}.{ext}", hex8(input)));
    let _ = std::fs::write(&path, input);
    let _ = std::fs::write(
        path.with_extension(format!("{ext}.txt")),
        format!("{note}\n"),
    );
    path
}

/// Figures of one target's run.
struct Report {
    target: Target,
    seed: u64,
    secs: f64,
    execs: u64,
    /// Inputs the first reader accepted.
    accepted: u64,
    findings: BTreeMap<String, PathBuf>,
    hang: bool,
}

fn fuzz(target: Target, args: &Args, repo: &Path) -> Result<Report, String> {
    let bench = Bench::new(target, repo)?;
    let seeds = bench.seeds.clone();
    let out = args.out.join(target.name());
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let worker = Worker::spawn(bench);
    let timeout = Duration::from_secs_f64(args.timeout);
    // The seeds themselves should be accepted: a refused seed mutates into little.
    for seed in &seeds {
        match worker.run(&seed.slot, &seed.bytes, timeout) {
            Some(Outcome::Fine(Verdict::Accepted)) => {}
            Some(Outcome::Fine(Verdict::Refused(m))) => {
                eprintln!("[{}] seed {} refused: {m}", target.name(), seed.slot)
            }
            _ => eprintln!("[{}] seed {} is itself a finding", target.name(), seed.slot),
        }
    }
    let inflight = out.join("inflight.bin");
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.minutes * 60.0);
    let mut report = Report {
        target,
        seed: args.seed,
        secs: 0.0,
        execs: 0,
        accepted: 0,
        findings: BTreeMap::new(),
        hang: false,
    };
    let mut n = args.case.unwrap_or(0);
    loop {
        let (slot, input) = case(args.seed, target, n, &seeds);
        let _ = std::fs::write(&inflight, format!("case {n} slot {slot}\n"));
        let _ = std::fs::write(inflight.with_extension("input"), &input);
        let outcome = worker.run(&slot, &input, timeout);
        report.execs += 1;
        match outcome {
            None => {
                let note = format!(
                    "hang: over {:.0} s (seed {}, case {n}, slot {slot})",
                    args.timeout, args.seed
                );
                let path = save(&out, target, &slot, &input, &note);
                eprintln!("[{}] {note}: saved {}", target.name(), path.display());
                report.findings.insert("hang".into(), path);
                report.hang = true;
                break;
            }
            Some(o) => {
                if matches!(o, Outcome::Fine(Verdict::Accepted)) {
                    report.accepted += 1;
                }
                if let Some(f) = finding_of(&o) {
                    if let std::collections::btree_map::Entry::Vacant(e) =
                        report.findings.entry(f.key.clone())
                    {
                        let small = minimise(&worker, &slot, &input, &f.key, timeout);
                        let note =
                            format!("{} (seed {}, case {n}, slot {slot})", f.note, args.seed);
                        let path = save(&out, target, &slot, &small, &note);
                        eprintln!("[{}] {note}: saved {}", target.name(), path.display());
                        e.insert(path);
                    }
                }
            }
        }
        n += 1;
        if args.case.is_some() || Instant::now() >= deadline {
            break;
        }
    }
    let _ = std::fs::remove_file(&inflight);
    let _ = std::fs::remove_file(inflight.with_extension("input"));
    report.secs = start.elapsed().as_secs_f64();
    Ok(report)
}

fn replay(target: Target, args: &Args, file: &Path, repo: &Path) -> Result<(), String> {
    let input = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let worker = Worker::spawn(Bench::new(target, repo)?);
    match worker.run(&args.slot, &input, Duration::from_secs_f64(args.timeout)) {
        None => Err("hang".into()),
        Some(Outcome::Fine(v)) => {
            println!("{}: fine, {v:?}", file.display());
            Ok(())
        }
        Some(o) => Err(finding_of(&o).map_or_else(String::new, |f| f.note)),
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let targets: Vec<Target> = if args.target == "all" {
        TARGETS.to_vec()
    } else {
        match Target::parse(&args.target) {
            Some(t) => vec![t],
            None => {
                eprintln!(
                    "unknown target {}: scenario, sweep, csv, runs or all",
                    args.target
                );
                return std::process::ExitCode::from(2);
            }
        }
    };
    quiet_panics();
    if let Some(file) = &args.replay {
        return match replay(targets[0], &args, file, &repo) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                std::process::ExitCode::FAILURE
            }
        };
    }
    let mut any = false;
    for t in targets {
        match fuzz(t, &args, &repo) {
            Ok(r) => {
                println!(
                    "target {}: seed {}, {:.1} min, {} executions, {:.0} exec/s, {} accepted, {} distinct findings{}",
                    r.target.name(),
                    r.seed,
                    r.secs / 60.0,
                    r.execs,
                    r.execs as f64 / r.secs.max(1e-9),
                    r.accepted,
                    r.findings.len(),
                    if r.hang { " (stopped by a hang)" } else { "" }
                );
                for (key, path) in &r.findings {
                    println!("  {key}: {}", path.display());
                }
                any |= !r.findings.is_empty();
            }
            Err(e) => {
                eprintln!("target {}: cannot set up: {e}", t.name());
                return std::process::ExitCode::from(2);
            }
        }
    }
    if any {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
