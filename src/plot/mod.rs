//! Charts (stub until the plotting module lands).
use crate::error::OutputError;
use std::path::{Path, PathBuf};
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub median: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}
pub struct Marker {
    pub x: f64,
    pub label: String,
}
pub struct Span {
    pub x0: f64,
    pub x1: f64,
    pub label: String,
}
pub struct Panel {
    pub y_label: String,
    pub series: Vec<Series>,
    pub log_y: bool,
}
pub struct TimeChart {
    pub title: String,
    pub subtitle: Option<String>,
    pub x_label: String,
    pub panels: Vec<Panel>,
    pub markers: Vec<Marker>,
    pub spans: Vec<Span>,
}
pub fn draw_time_chart(
    _c: &TimeChart,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], OutputError> {
    let a = dir.join(format!("{stem}.png"));
    let b = dir.join(format!("{stem}.svg"));
    std::fs::write(&a, b"").unwrap();
    std::fs::write(&b, b"").unwrap();
    Ok([a, b])
}
/// A grid of values over two parameters (stub until the plotting module lands).
pub struct Heatmap {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub value_label: String,
    pub x_values: Vec<String>,
    pub y_values: Vec<String>,
    /// `values[y][x]`; NaN for an empty cell.
    pub values: Vec<Vec<f64>>,
}
pub fn draw_heatmap(_h: &Heatmap, dir: &Path, stem: &str) -> Result<[PathBuf; 2], OutputError> {
    let a = dir.join(format!("{stem}.png"));
    let b = dir.join(format!("{stem}.svg"));
    for p in [&a, &b] {
        std::fs::write(p, b"").map_err(|source| OutputError::Io {
            path: p.clone(),
            source,
        })?;
    }
    Ok([a, b])
}
