//! Safe result folders.
//!
//! Results are written into a staging folder beside the destination and swapped in
//! only when every file is complete, so an interrupted run never leaves half-written
//! files under final names and the previous results stay intact until the new ones are
//! ready. A destination that exists, is not empty and lacks Grapevine's marker file was
//! not written by Grapevine and is never touched.
//!
//! What Grapevine may delete is written down: the marker ([`MARKER`]) of a swapped-in
//! folder lists the entries Grapevine wrote there (its manifest). Anything else in the
//! folder is the user's and is carried over into the new results. The swap is one
//! atomic exchange of the two folders on Linux (`renameat2(RENAME_EXCHANGE)`); where
//! that is not available, two renames through `.NAME.old-PID`. A process killed at
//! any moment leaves `.NAME.partial-PID` or `.NAME.old-PID` beside the destination;
//! the next [`Staging::new`] for that destination, seeing that the process `PID` is
//! gone, puts the results back in place if they were missing, returns the user's
//! files to the destination and removes the rest. Temporary files of
//! [`write_atomic`] (`.NAME.tmp-PID`) left by a dead process are removed by
//! [`clean_stale_temp`].
//!
//! A destination that is a symbolic link is followed: the results go into the folder
//! it points to and the link stays. Sweep folders are written in place, not swapped,
//! and are guarded by an exclusive lock ([`lock`]) that the system releases when the
//! holding process ends, however it ends.

use crate::error::OutputError;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the marker file that identifies folders Grapevine wrote.
pub const MARKER: &str = ".grapevine";

/// First line of every marker.
const MARKER_HEAD: &str = "written by grapevine";

/// Line that opens the manifest in a marker.
const MANIFEST_HEAD: &str = "# entries written by Grapevine (anything else here is kept):";

/// Names Grapevine writes into a result folder, taken as its own in folders whose
/// marker predates manifests.
const KNOWN_RESULTS: [&str; 11] = [
    "timeseries.csv",
    "bands.csv",
    "summary.json",
    "cascade.csv",
    "virality.png",
    "virality.svg",
    "spillover.png",
    "spillover.svg",
    "members.csv",
    "chats.csv",
    "users.csv",
];

/// A staging folder that becomes `dest` on [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    /// The destination as given (shown in messages).
    shown: PathBuf,
    /// The destination with symbolic links followed.
    dest: PathBuf,
    dir: PathBuf,
    committed: bool,
    notes: Vec<String>,
}

/// A finished [`Staging::commit`].
#[derive(Debug)]
pub struct Committed {
    /// The destination, as given to [`Staging::new`].
    pub path: PathBuf,
    /// The new results are in place but the previous ones could not be removed: where
    /// they are and why. Nothing is lost; the folder may be deleted by hand.
    pub old_copy_left: Option<(PathBuf, std::io::Error)>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Checks that `dest` may be (over)written: absent, empty, or written by Grapevine.
pub fn check_destination(dest: &Path) -> Result<(), OutputError> {
    if !dest.exists() {
        return Ok(());
    }
    if !dest.is_dir() {
        return Err(OutputError::NotOurs {
            path: dest.to_path_buf(),
        });
    }
    let empty = fs::read_dir(dest).map_err(io(dest))?.next().is_none();
    if empty || dest.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(OutputError::NotOurs {
            path: dest.to_path_buf(),
        })
    }
}

/// The marker text: the version line, then the manifest if `entries` is given.
fn marker_text(entries: Option<&BTreeSet<OsString>>) -> String {
    let mut text = format!("{MARKER_HEAD} {}\n", env!("CARGO_PKG_VERSION"));
    if let Some(entries) = entries {
        text.push_str(MANIFEST_HEAD);
        text.push('\n');
        for e in entries {
            text.push_str(&e.to_string_lossy());
            text.push('\n');
        }
    }
    text
}

/// The manifest of the marker in `dir`: `None` if the folder has no marker or one
/// without a manifest (a folder filled file by file, or written before manifests).
fn read_manifest(dir: &Path) -> Option<BTreeSet<OsString>> {
    let text = fs::read_to_string(dir.join(MARKER)).ok()?;
    let mut lines = text.lines();
    if !lines.next()?.starts_with(MARKER_HEAD) {
        return None;
    }
    if lines.next()? != MANIFEST_HEAD {
        return None;
    }
    Some(
        lines
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(OsString::from)
            .collect(),
    )
}

/// Whether Grapevine wrote entry `name` of a folder with manifest `manifest`.
fn is_ours(manifest: Option<&BTreeSet<OsString>>, name: &OsString) -> bool {
    if name == MARKER || stale_temp_pid(name).is_some() {
        return true;
    }
    match manifest {
        Some(m) => m.contains(name),
        None => KNOWN_RESULTS.iter().any(|k| name == k),
    }
}

/// The PID in the name of a temporary file of [`write_atomic`], `.NAME.tmp-PID`.
fn stale_temp_pid(name: &OsString) -> Option<u32> {
    let name = name.to_str()?;
    let (head, pid) = name.rsplit_once(".tmp-")?;
    (head.starts_with('.') && head.len() > 1).then_some(())?;
    pid.parse().ok()
}

/// Entry names of a folder.
fn entries(dir: &Path) -> Result<BTreeSet<OsString>, OutputError> {
    fs::read_dir(dir)
        .map_err(io(dir))?
        .map(|e| e.map(|e| e.file_name()).map_err(io(dir)))
        .collect()
}

/// Whether process `pid` may still be running (always true where that cannot be
/// told, so that nothing of a live process is ever removed).
pub fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Some(p) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        else {
            return false;
        };
        !matches!(
            rustix::process::test_kill_process(p),
            Err(rustix::io::Errno::SRCH)
        )
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Follows `path` through symbolic links (relative targets are relative to the link's
/// folder); the path itself when it is not a link.
fn follow_links(path: &Path) -> Result<PathBuf, OutputError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&p).map_err(io(&p))?;
                p = match p.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(OutputError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other("too many levels of symbolic links"),
    })
}

/// Parent folder and file name of a destination.
fn split(dest: &Path) -> (PathBuf, String) {
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    (parent, name)
}

/// A staging or old-results folder beside a destination, left by a process.
struct Leftover {
    path: PathBuf,
    pid: u32,
    partial: bool,
}

/// Folders `.NAME.partial-PID` and `.NAME.old-PID` in `parent` whose process is gone.
fn leftovers(dest: &Path) -> Vec<Leftover> {
    let (parent, name) = split(dest);
    let Ok(read) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<Leftover> = read
        .filter_map(|e| {
            let e = e.ok()?;
            let file = e.file_name();
            let rest = file.to_str()?.strip_prefix('.')?.strip_prefix(&name)?;
            let (partial, pid) = match rest.strip_prefix(".partial-") {
                Some(pid) => (true, pid),
                None => (false, rest.strip_prefix(".old-")?),
            };
            let pid: u32 = pid.parse().ok()?;
            (e.file_type().ok()?.is_dir() && !process_alive(pid)).then(|| Leftover {
                path: dest.with_file_name(&file),
                pid,
                partial,
            })
        })
        .collect();
    found.sort_by_key(|l| (l.pid, l.partial));
    found
}

/// Recovers what crashed runs left beside `dest`: if `dest` is missing, puts back
/// complete results (new ones whose commit was under way, else the old ones); then
/// empties every other leftover of Grapevine's files, returns the user's files in it
/// to `dest`, and removes it. Returns what it did, for the user.
fn recover(dest: &Path) -> Result<Vec<String>, OutputError> {
    let mut found = leftovers(dest);
    let mut notes = Vec::new();
    if !dest.exists() && !found.is_empty() {
        // A partial folder with a manifest was complete: its commit was under way.
        let pick = found
            .iter()
            .rposition(|l| l.partial && read_manifest(&l.path).is_some())
            .or_else(|| found.iter().rposition(|l| !l.partial));
        if let Some(i) = pick {
            let l = found.remove(i);
            fs::rename(&l.path, dest).map_err(io(dest))?;
            notes.push(format!(
                "{} was missing after an interrupted run (process {}): restored it from {}",
                dest.display(),
                l.pid,
                l.path.display()
            ));
        }
    }
    for l in found {
        if let Some(note) = dispose(&l.path, dest)? {
            notes.push(note);
        }
    }
    Ok(notes)
}

/// Removes a leftover folder: Grapevine's entries are deleted, the user's are moved
/// into `dest`. A user's entry that `dest` already has keeps the folder, and the
/// returned note says so.
fn dispose(folder: &Path, dest: &Path) -> Result<Option<String>, OutputError> {
    // A staging folder without a marker holds only files the run was writing.
    let marked = folder.join(MARKER).is_file();
    let manifest = read_manifest(folder);
    let mut stuck = Vec::new();
    for name in entries(folder)? {
        let path = folder.join(&name);
        if !marked || is_ours(manifest.as_ref(), &name) {
            remove_entry(&path)?;
        } else if dest.is_dir() && !dest.join(&name).exists() {
            fs::rename(&path, dest.join(&name)).map_err(io(&path))?;
        } else {
            stuck.push(name.to_string_lossy().into_owned());
        }
    }
    if stuck.is_empty() {
        fs::remove_dir(folder).map_err(io(folder))?;
        Ok(None)
    } else {
        Ok(Some(format!(
            "{} (left by an interrupted run) holds files that are not Grapevine's and \
             that {} already has: {}; it was left in place for you to sort out",
            folder.display(),
            dest.display(),
            stuck.join(", ")
        )))
    }
}

fn remove_entry(path: &Path) -> Result<(), OutputError> {
    let meta = fs::symlink_metadata(path).map_err(io(path))?;
    if meta.is_dir() {
        fs::remove_dir_all(path).map_err(io(path))
    } else {
        fs::remove_file(path).map_err(io(path))
    }
}

/// Removes temporary files of [`write_atomic`] (`.NAME.tmp-PID`) that a process
/// that is gone left in `dir`. Best effort: a file that cannot be removed stays.
pub fn clean_stale_temp(dir: &Path) {
    let Ok(read) = fs::read_dir(dir) else { return };
    for e in read.flatten() {
        if let Some(pid) = stale_temp_pid(&e.file_name()) {
            if !process_alive(pid) && e.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// Swaps two folders in one step where the system can (Linux); returns false where it
/// cannot, having changed nothing.
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            // Kernels or file systems without RENAME_EXCHANGE.
            Err(Errno::INVAL | Errno::NOSYS | Errno::OPNOTSUPP) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

impl Staging {
    /// Creates a fresh staging folder for `dest` after recovering what an interrupted
    /// run left beside it and checking that `dest` may be replaced. A `dest` that is a
    /// symbolic link is followed.
    pub fn new(dest: &Path) -> Result<Staging, OutputError> {
        let shown = dest.to_path_buf();
        let mut dest = follow_links(dest)?;
        if dest.file_name().is_none() {
            // `.`, `..` or `/`: name the folder itself, to stage beside it.
            dest = fs::canonicalize(&dest).map_err(io(&dest))?;
        }
        let (parent, name) = split(&dest);
        let not_ours = |e: OutputError| match e {
            OutputError::NotOurs { .. } => OutputError::NotOurs {
                path: shown.clone(),
            },
            e => e,
        };
        // A folder that is not ours is refused before anything beside it is touched.
        check_destination(&dest).map_err(not_ours)?;
        let notes = recover(&dest)?;
        check_destination(&dest).map_err(not_ours)?;
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let dir = dest.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir(&dir).map_err(io(&dir))?;
        Ok(Staging {
            shown,
            dest,
            dir,
            committed: false,
            notes,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// What [`Staging::new`] recovered from interrupted runs, for the user.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Replaces `dest` with the staged folder, carrying over the entries of the old
    /// `dest` that Grapevine did not write.
    ///
    /// # Errors
    /// [`OutputError::Clash`] if a file of the user's has the name of a new result
    /// (nothing is changed), [`OutputError::Io`] if the swap fails (the old results
    /// stay in place). Failing to remove the old results afterwards is not an error:
    /// see [`Committed::old_copy_left`].
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        let written = entries(&self.dir)?;
        let marker = self.dir.join(MARKER);
        fs::write(&marker, marker_text(Some(&written))).map_err(io(&marker))?;
        // Re-check: someone may have created the destination while we ran.
        check_destination(&self.dest)?;
        if !self.dest.exists() {
            fs::rename(&self.dir, &self.dest).map_err(io(&self.dest))?;
            self.committed = true;
            return Ok(Committed {
                path: self.shown.clone(),
                old_copy_left: None,
            });
        }
        self.carry_over(&written)?;
        let (_, name) = split(&self.dest);
        let old = self
            .dest
            .with_file_name(format!(".{name}.old-{}", std::process::id()));
        if exchange(&self.dir, &self.dest).map_err(io(&self.dest))? {
            // The staging path now holds the old results; name them for what they are.
            self.committed = true;
            if fs::rename(&self.dir, &old).is_err() {
                return Ok(self.remove_old(self.dir.clone()));
            }
        } else {
            fs::rename(&self.dest, &old).map_err(io(&self.dest))?;
            if let Err(e) = fs::rename(&self.dir, &self.dest) {
                let _ = fs::rename(&old, &self.dest);
                return Err(OutputError::Io {
                    path: self.dest.clone(),
                    source: e,
                });
            }
            self.committed = true;
        }
        Ok(self.remove_old(old))
    }

    /// Moves the entries of `dest` that Grapevine did not write into the staging
    /// folder, so that they are in the new results after the swap.
    fn carry_over(&self, written: &BTreeSet<OsString>) -> Result<(), OutputError> {
        let manifest = read_manifest(&self.dest);
        // Without a manifest, an entry the new results replace is taken as ours.
        let replaced = |n: &OsString| manifest.is_none() && written.contains(n);
        let foreign: Vec<OsString> = entries(&self.dest)?
            .into_iter()
            .filter(|n| !is_ours(manifest.as_ref(), n) && !replaced(n))
            .collect();
        let clash: Vec<String> = foreign
            .iter()
            .filter(|n| written.contains(*n))
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        if !clash.is_empty() {
            return Err(OutputError::Clash {
                path: self.shown.clone(),
                names: clash,
            });
        }
        let mut moved = Vec::new();
        for name in foreign {
            let (from, to) = (self.dest.join(&name), self.dir.join(&name));
            if let Err(e) = fs::rename(&from, &to) {
                for n in moved.iter().rev() {
                    let _ = fs::rename(self.dir.join(n), self.dest.join(n));
                }
                return Err(OutputError::Io {
                    path: from,
                    source: e,
                });
            }
            moved.push(name);
        }
        Ok(())
    }

    /// Removes the old results after a swap; a failure is reported, not raised.
    fn remove_old(&self, old: PathBuf) -> Committed {
        let left = fs::remove_dir_all(&old).err().map(|e| (old, e));
        Committed {
            path: self.shown.clone(),
            old_copy_left: left,
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Writes the marker of a folder filled file by file (no manifest), if missing.
pub fn write_marker(dir: &Path) -> Result<(), OutputError> {
    let marker = dir.join(MARKER);
    if !marker.is_file() {
        write_atomic(&marker, |w| w.write_all(marker_text(None).as_bytes()))?;
    }
    Ok(())
}

/// Adds `name` to the manifest of the swapped-in folder `dir`, so the next results
/// written there replace it with the rest (a report written into a result folder after
/// the run must not outlive the results it describes). A folder without a manifest is
/// left as it is.
pub fn record_entry(dir: &Path, name: &str) -> Result<(), OutputError> {
    let Some(mut entries) = read_manifest(dir) else {
        return Ok(());
    };
    if entries.insert(OsString::from(name)) {
        let text = marker_text(Some(&entries));
        write_atomic(&dir.join(MARKER), |w| w.write_all(text.as_bytes()))?;
    }
    Ok(())
}

/// Makes `dest` a Grapevine folder that is filled file by file instead of swapped in
/// whole: a comparison folder, whose scenario sub-folders are each staged with
/// [`Staging`] and may be kept from an earlier run. Checks that `dest` may be written
/// (absent, empty, or already Grapevine's), creates it, writes the marker and removes
/// temporary files left there by processes that are gone. Files written into it
/// should go through [`write_atomic`].
pub fn claim(dest: &Path) -> Result<(), OutputError> {
    check_destination(dest)?;
    fs::create_dir_all(dest).map_err(io(dest))?;
    write_marker(dest)?;
    clean_stale_temp(dest);
    Ok(())
}

/// Writes a file through a temporary name in the same folder and renames it, so the
/// final name only ever holds a complete file.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), OutputError> {
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let result = (|| {
        let f = fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(f);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io(path))
}

/// An exclusive (or shared) lock on a folder, held until dropped. The system releases
/// it when the process ends, however it ends, so a crash never leaves it stuck.
#[derive(Debug)]
pub struct DirLock {
    #[cfg(unix)]
    _file: fs::File,
}

/// Takes an exclusive lock on the folder `dir` (which must exist), for a process that
/// writes into it; refuses at once if another process holds a lock on it.
///
/// # Errors
/// [`OutputError::Locked`] if another process holds it, [`OutputError::Io`] if the
/// folder cannot be opened or locked.
pub fn lock(dir: &Path) -> Result<DirLock, OutputError> {
    lock_as(dir, true)
}

/// Takes a shared lock on `dir`, for a process that reads it: refused while a writer
/// holds [`lock`], shared with other readers.
pub fn lock_shared(dir: &Path) -> Result<DirLock, OutputError> {
    lock_as(dir, false)
}

#[cfg(unix)]
fn lock_as(dir: &Path, exclusive: bool) -> Result<DirLock, OutputError> {
    use rustix::fs::{flock, FlockOperation};
    let file = fs::File::open(dir).map_err(io(dir))?;
    let op = if exclusive {
        FlockOperation::NonBlockingLockExclusive
    } else {
        FlockOperation::NonBlockingLockShared
    };
    match flock(&file, op) {
        Ok(()) => Ok(DirLock { _file: file }),
        Err(rustix::io::Errno::WOULDBLOCK) => Err(OutputError::Locked {
            path: dir.to_path_buf(),
        }),
        Err(e) => Err(OutputError::Io {
            path: dir.to_path_buf(),
            source: e.into(),
        }),
    }
}

#[cfg(not(unix))]
fn lock_as(dir: &Path, _exclusive: bool) -> Result<DirLock, OutputError> {
    // No advisory folder locks here: only check the folder exists.
    fs::metadata(dir).map_err(io(dir))?;
    Ok(DirLock {})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Stages `files` for `dest` and commits them.
    fn put(dest: &Path, files: &[&str]) -> Committed {
        let s = Staging::new(dest).unwrap();
        for f in files {
            fs::write(s.path().join(f), *f).unwrap();
        }
        s.commit().unwrap()
    }

    #[test]
    fn refuses_foreign_folder_and_replaces_own() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("res");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("precious.txt"), "mine").unwrap();
        assert!(matches!(
            Staging::new(&dest),
            Err(OutputError::NotOurs { .. })
        ));

        let dest2 = t.path().join("ours");
        put(&dest2, &["a.csv"]);
        assert!(dest2.join(MARKER).is_file());
        let s = Staging::new(&dest2).unwrap();
        fs::write(s.path().join("b.csv"), "2").unwrap();
        // Until commit, the old results stay.
        assert!(dest2.join("a.csv").is_file());
        let done = s.commit().unwrap();
        assert!(done.old_copy_left.is_none());
        assert!(!dest2.join("a.csv").exists() && dest2.join("b.csv").is_file());
        assert_eq!(names(t.path()), ["ours", "res"]);
    }

    #[test]
    fn marker_lists_what_was_written_and_foreign_entries_are_kept() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("res");
        put(&dest, &["a.csv", "b.csv"]);
        let m = read_manifest(&dest).unwrap();
        assert_eq!(m.iter().collect::<Vec<_>>(), ["a.csv", "b.csv"]);
        fs::write(dest.join("notes.txt"), "mine").unwrap();
        fs::create_dir(dest.join("sub")).unwrap();
        put(&dest, &["a.csv"]);
        assert_eq!(names(&dest), [MARKER, "a.csv", "notes.txt", "sub"]);
        // The carried-over entries stay foreign: not added to the manifest.
        assert_eq!(read_manifest(&dest).unwrap().len(), 1);
        // A user's file with the name of a new result is refused, untouched.
        fs::write(dest.join("c.csv"), "mine").unwrap();
        let s = Staging::new(&dest).unwrap();
        fs::write(s.path().join("c.csv"), "new").unwrap();
        assert!(matches!(s.commit(), Err(OutputError::Clash { .. })));
        assert_eq!(fs::read_to_string(dest.join("c.csv")).unwrap(), "mine");
        assert_eq!(names(t.path()), ["res"]);
    }

    #[test]
    fn legacy_marker_keeps_unknown_names() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("res");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join(MARKER), "written by grapevine 0.1.0\n").unwrap();
        for f in ["summary.json", "cascade.csv", "notes.txt"] {
            fs::write(dest.join(f), "old").unwrap();
        }
        put(&dest, &["summary.json"]);
        assert_eq!(names(&dest), [MARKER, "notes.txt", "summary.json"]);
    }

    #[test]
    fn leftovers_of_a_dead_process_are_recovered() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("res");
        put(&dest, &["a.csv"]);
        fs::write(dest.join("notes.txt"), "mine").unwrap();
        let pid = dead_pid();
        // Killed between the two renames of the fallback swap, while carrying over.
        let old = t.path().join(format!(".res.old-{pid}"));
        fs::rename(&dest, &old).unwrap();
        let partial = t.path().join(format!(".res.partial-{pid}"));
        fs::create_dir(&partial).unwrap();
        fs::write(partial.join("b.csv"), "new").unwrap();
        // Without a marker, the partial folder is an unfinished run: it is dropped.
        let s = Staging::new(&dest).unwrap();
        assert_eq!(s.notes().len(), 1, "{:?}", s.notes());
        assert_eq!(names(&dest), [MARKER, "a.csv", "notes.txt"]);
        drop(s);
        assert_eq!(names(t.path()), ["res"]);

        // A complete partial folder (with its manifest) wins over the old results, and
        // the user's files in the old folder come back.
        let old = t.path().join(format!(".res.old-{pid}"));
        fs::rename(&dest, &old).unwrap();
        fs::create_dir(&partial).unwrap();
        fs::write(partial.join("b.csv"), "new").unwrap();
        let set: BTreeSet<OsString> = [OsString::from("b.csv")].into();
        fs::write(partial.join(MARKER), marker_text(Some(&set))).unwrap();
        drop(Staging::new(&dest).unwrap());
        assert_eq!(names(&dest), [MARKER, "b.csv", "notes.txt"]);
        assert_eq!(names(t.path()), ["res"]);

        // A live process's folders are left alone.
        let live = t.path().join(".res.partial-1");
        fs::create_dir(&live).unwrap();
        drop(Staging::new(&dest).unwrap());
        assert!(live.is_dir());
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let t = tempfile::tempdir().unwrap();
        let pid = dead_pid();
        fs::write(t.path().join(format!(".runs.csv.tmp-{pid}")), "x").unwrap();
        fs::write(t.path().join(".runs.csv.tmp-1"), "live").unwrap();
        fs::write(t.path().join("runs.csv"), "kept").unwrap();
        clean_stale_temp(t.path());
        assert_eq!(names(t.path()), [".runs.csv.tmp-1", "runs.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_destination_is_followed() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir(t.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", t.path().join("link")).unwrap();
        put(&t.path().join("link"), &["a.csv"]);
        put(&t.path().join("link"), &["b.csv"]);
        assert!(fs::symlink_metadata(t.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(names(&t.path().join("real")), [MARKER, "b.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_is_locked_once() {
        let t = tempfile::tempdir().unwrap();
        let held = lock(t.path()).unwrap();
        assert!(matches!(lock(t.path()), Err(OutputError::Locked { .. })));
        assert!(matches!(
            lock_shared(t.path()),
            Err(OutputError::Locked { .. })
        ));
        drop(held);
        let a = lock_shared(t.path()).unwrap();
        let _b = lock_shared(t.path()).unwrap();
        assert!(lock(t.path()).is_err());
        drop(a);
    }

    #[test]
    fn claim_refuses_foreign_folder_and_keeps_own_contents() {
        let t = tempfile::tempdir().unwrap();
        let foreign = t.path().join("foreign");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("precious.txt"), "mine").unwrap();
        assert!(matches!(claim(&foreign), Err(OutputError::NotOurs { .. })));
        assert!(!foreign.join(MARKER).exists());

        let ours = t.path().join("a").join("cmp");
        claim(&ours).unwrap();
        assert!(ours.join(MARKER).is_file());
        fs::write(ours.join("kept.csv"), "1").unwrap();
        claim(&ours).unwrap();
        assert!(ours.join("kept.csv").is_file());
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let t = tempfile::tempdir().unwrap();
        let s = Staging::new(&t.path().join("x")).unwrap();
        let p = s.path().to_path_buf();
        drop(s);
        assert!(!p.exists());
    }
}
