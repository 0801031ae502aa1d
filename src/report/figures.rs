//! Charts of a result folder as report blocks, and CSV fields as table cells.

use super::html::{Block, Cell, Figure, Paragraph, Span};
use super::{svg, Context};
use std::path::Path;

/// The chart `dir/<stem>.svg` inlined, with links to its PNG and SVG files; `None` when
/// the folder has no such chart, a warning paragraph when it cannot be inlined.
pub fn chart(
    dir: &Path,
    stem: &str,
    title: &str,
    alt: &str,
    caption: &str,
    ctx: &mut Context,
) -> Option<Block> {
    let path = dir.join(format!("{stem}.svg"));
    if !path.is_file() {
        return None;
    }
    ctx.charts += 1;
    match svg::inline(&path, ctx.charts, title, alt) {
        Ok(svg) => Some(Block::Figure(Figure {
            svg,
            title: title.to_string(),
            alt: alt.to_string(),
            caption: caption.to_string(),
            files: ["png", "svg"]
                .iter()
                .map(|ext| dir.join(format!("{stem}.{ext}")))
                .filter(|p| p.is_file())
                .map(|p| ctx.link(&p))
                .collect(),
        })),
        Err(why) => Some(Block::Paragraph(Paragraph(vec![Span::Strong(format!(
            "Chart {stem} could not be included: {why}."
        ))]))),
    }
}

/// Stems of the folder's `.svg` charts other than `known`, sorted.
pub fn other_charts(dir: &Path, known: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".svg")?.to_string();
            (!stem.starts_with('.') && !known.contains(&stem.as_str())).then_some(stem)
        })
        .collect();
    out.sort();
    out
}

/// A field as a cell: numbers right-aligned and rounded for reading.
pub fn number_cell(field: &str) -> Cell {
    match field.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(short(v)),
        Ok(_) => Cell::Number("\u{2013}".into()),
        Err(_) if field.is_empty() => Cell::Number(String::new()),
        Err(_) => Cell::Text(field.to_string()),
    }
}

/// A number rounded for a table: integers as they are, others to four significant
/// digits.
pub fn short(v: f64) -> String {
    if v == v.round() && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn numbers_are_shortened_for_tables() {
        assert_eq!(short(46243.0), "46243");
        assert_eq!(short(0.46243), "0.4624");
        assert_eq!(short(3.49166665), "3.492");
        assert_eq!(short(0.000123456), "0.0001235");
        assert_eq!(short(1234.5678), "1235");
    }
}
