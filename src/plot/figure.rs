//! A figure and the two files it becomes: `<stem>.png` and `<stem>.svg`.
//!
//! Chart modules ([`super::time_chart`], [`super::heatmap`]) implement [`Figure`] once,
//! generically over the plotters backend; [`render`] draws it twice and owns everything
//! about files: the font, the temporary names, and the rename that makes a finished file
//! appear under its final name in one step. An interrupted or failed write therefore never
//! leaves a half file where a report or script would pick it up.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, DrawingBackend, IntoDrawingArea, SVGBackend};

use super::font;
use crate::error::OutputError;

/// Which file a figure is being drawn for: text is drawn differently for each (see
/// [`super::text`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Png,
    Svg,
}

/// Something that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// Width and height in pixels (SVG user units).
    fn size(&self) -> (u32, u32);

    /// Draws the whole figure, background included. Errors are plotters' messages.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> Result<(), String>;
}

/// Draws `fig` to `dir/<stem>.png` and `dir/<stem>.svg`, each through a temporary file in
/// `dir` that is renamed into place once complete. Returns `[png, svg]`.
pub(crate) fn render(
    fig: &impl Figure,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], OutputError> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    check_stem(stem, &png)?;
    // A missing folder would otherwise surface as an opaque image-encoder error.
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(OutputError::Io {
                path: dir.to_path_buf(),
                source: std::io::Error::other("not a folder"),
            })
        }
        Err(source) => {
            return Err(OutputError::Io {
                path: dir.to_path_buf(),
                source,
            })
        }
    }
    font::ensure().map_err(|message| plot_error(&png, message))?;
    write_png(fig, &png)?;
    write_svg(fig, &svg)?;
    Ok([png, svg])
}

fn plot_error(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError::Plot {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A stem names a file inside `dir`; anything that would escape or hide it is refused.
fn check_stem(stem: &str, png: &Path) -> Result<(), OutputError> {
    let bad = stem.is_empty()
        || stem == "."
        || stem == ".."
        || stem.contains(['/', '\\', '\0'])
        || stem.starts_with('.');
    if bad {
        return Err(plot_error(
            png,
            format!("file stem {stem:?} must be a plain, non-hidden file name without a folder"),
        ));
    }
    Ok(())
}

/// A temporary sibling of `final_path`: hidden, unique within this process and between
/// processes, and still ending in the real extension, because the PNG encoder picks the
/// format from it.
fn temp_path(final_path: &Path, ext: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = final_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    final_path.with_file_name(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()))
}

fn write_png(fig: &impl Figure, path: &Path) -> Result<(), OutputError> {
    let tmp = temp_path(path, "png");
    let result = (|| {
        {
            let root = BitMapBackend::new(&tmp, fig.size()).into_drawing_area();
            fig.draw(&root, Target::Png)
                .map_err(|m| plot_error(path, m))?;
            root.present()
                .map_err(|e| plot_error(path, e.to_string()))?;
            // The backend is dropped here, before the file is synced or removed.
        }
        sync_file(&tmp, path)?;
        fs::rename(&tmp, path).map_err(|source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        })
    })();
    if result.is_err() {
        // Best effort: the original error is the one worth reporting.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The SVG document of `fig`, as `<stem>.svg` would hold it, for embedding (reports).
pub(crate) fn svg_text(fig: &impl Figure) -> Result<String, String> {
    font::ensure()?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, fig.size()).into_drawing_area();
        fig.draw(&root, Target::Svg)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(text)
}

fn write_svg(fig: &impl Figure, path: &Path) -> Result<(), OutputError> {
    let text = svg_text(fig).map_err(|m| plot_error(path, m))?;
    let tmp = temp_path(path, "svg");
    let result = (|| {
        let io = |source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = fs::File::create(&tmp).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        fs::rename(&tmp, path).map_err(io)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Flushes a file written by someone else (the PNG encoder) to disk before it is renamed,
/// so a crash cannot leave an empty file under the final name.
fn sync_file(tmp: &Path, reported: &Path) -> Result<(), OutputError> {
    fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|source| OutputError::Io {
            path: reported.to_path_buf(),
            source,
        })
}
