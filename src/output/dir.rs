//! Safe result folders.
//!
//! Results are written into a staging folder beside the destination and swapped in
//! only when every file is complete, so an interrupted run never leaves half-written
//! files under final names and the previous results stay intact until the new ones are
//! ready. A destination that exists, is not empty and lacks Grapevine's marker file was
//! not written by Grapevine and is never touched.

use crate::error::OutputError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the marker file that identifies folders Grapevine wrote.
pub const MARKER: &str = ".grapevine";

/// A staging folder that becomes `dest` on [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    committed: bool,
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

impl Staging {
    /// Creates a fresh staging folder for `dest` after checking `dest` may be replaced.
    pub fn new(dest: &Path) -> Result<Staging, OutputError> {
        check_destination(dest)?;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
        fs::create_dir(&dir).map_err(io(&dir))?;
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Replaces `dest` with the staged folder.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let marker = self.dir.join(MARKER);
        fs::write(
            &marker,
            format!("written by grapevine {}\n", env!("CARGO_PKG_VERSION")),
        )
        .map_err(io(&marker))?;
        // Re-check: someone may have created the destination while we ran.
        check_destination(&self.dest)?;
        if self.dest.exists() {
            let old = self.dir.with_file_name(format!(
                ".{}.old-{}",
                self.dest
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::process::id()
            ));
            fs::rename(&self.dest, &old).map_err(io(&self.dest))?;
            fs::rename(&self.dir, &self.dest).map_err(io(&self.dest))?;
            fs::remove_dir_all(&old).map_err(io(&old))?;
        } else {
            fs::rename(&self.dir, &self.dest).map_err(io(&self.dest))?;
        }
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Makes `dest` a Grapevine folder that is filled file by file instead of swapped in
/// whole: a comparison folder, whose scenario sub-folders are each staged with
/// [`Staging`] and may be kept from an earlier run. Checks that `dest` may be written
/// (absent, empty, or already Grapevine's), creates it and writes the marker. Files
/// written into it should go through [`write_atomic`].
pub fn claim(dest: &Path) -> Result<(), OutputError> {
    check_destination(dest)?;
    fs::create_dir_all(dest).map_err(io(dest))?;
    let marker = dest.join(MARKER);
    if !marker.is_file() {
        fs::write(
            &marker,
            format!("written by grapevine {}\n", env!("CARGO_PKG_VERSION")),
        )
        .map_err(io(&marker))?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let s = Staging::new(&dest2).unwrap();
        fs::write(s.path().join("a.csv"), "1").unwrap();
        s.commit().unwrap();
        assert!(dest2.join(MARKER).is_file());
        let s = Staging::new(&dest2).unwrap();
        fs::write(s.path().join("b.csv"), "2").unwrap();
        // Until commit, the old results stay.
        assert!(dest2.join("a.csv").is_file());
        s.commit().unwrap();
        assert!(!dest2.join("a.csv").exists() && dest2.join("b.csv").is_file());
        let leftovers: Vec<_> = fs::read_dir(t.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
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
