//! Text placed the same way in the PNG and the SVG.
//!
//! plotters 0.3.7 draws embedded-font (ab_glyph) text with two quirks. Each glyph is put
//! at the pen position without its left side bearing, so narrow letters ("l", "i", "t",
//! "1") crowd their left neighbour and word shapes look uneven. And the baseline lands
//! half the font size below the anchor whatever the anchor says, so centred labels sit
//! visibly high. A viewer lays out SVG text itself and has neither problem.
//!
//! So every label in a chart goes through [`draw`]: for PNG it draws one glyph at a time
//! where the font says it belongs, with the baseline placed from the font's cap height;
//! for SVG it writes the whole string as one `<text>` element, which keeps the file's
//! text editable and searchable.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, RGBColor};
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::FontTransform;

use super::figure::Target;
use super::font::Metrics;
use super::style::text;

/// How a label looks and what its anchor point means.
#[derive(Clone, Copy)]
pub(crate) struct Label {
    pub size: f64,
    pub color: &'static RGBColor,
    /// Left, centre or right of the text at the anchor.
    pub h: HPos,
    /// `Top`: capitals start at the anchor; `Center`: capitals are centred on it;
    /// `Bottom`: descenders end at it.
    pub v: VPos,
    /// Rotated a quarter turn counter-clockwise, reading upwards (y axis titles).
    pub upward: bool,
}

impl Label {
    pub(crate) fn new(size: f64, color: &'static RGBColor, h: HPos, v: VPos) -> Self {
        Label {
            size,
            color,
            h,
            v,
            upward: false,
        }
    }

    pub(crate) fn upward(self) -> Self {
        Label {
            upward: true,
            ..self
        }
    }

    fn transform(&self) -> FontTransform {
        if self.upward {
            FontTransform::Rotate270
        } else {
            FontTransform::None
        }
    }
}

/// Draws `s` at canvas pixel `at` on `area` (whose coordinates are canvas pixels offset
/// by the area's origin).
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    at: (i32, i32),
    label: &Label,
    target: Target,
) -> Result<(), String> {
    if s.trim().is_empty() {
        return Ok(());
    }
    let metrics = match (target, Metrics::get()) {
        (Target::Png, Some(m)) => m,
        _ => {
            let style =
                text(label.size, label.color, label.h, label.v).transform(label.transform());
            return area.draw_text(s, &style, at).map_err(|e| e.to_string());
        }
    };
    let size = label.size;
    let glyph_style = text(size, label.color, HPos::Left, VPos::Top).transform(label.transform());
    let width = |t: &str| {
        area.estimate_text_size(t, &glyph_style)
            .map(|(w, _)| f64::from(w))
            .map_err(|e| e.to_string())
    };
    let total = width(s)?;
    let x0 = match label.h {
        HPos::Left => 0.0,
        HPos::Center => -total / 2.0,
        HPos::Right => -total,
    };
    let baseline = match label.v {
        VPos::Top => metrics.cap_height(size),
        VPos::Center => metrics.cap_height(size) / 2.0,
        VPos::Bottom => -metrics.descent(size),
    };
    // plotters puts the baseline of top-anchored text half the size below the anchor.
    let y = (baseline - size / 2.0).round() as i32;
    let mut buf = [0u8; 4];
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        let end = i + c.len_utf8();
        let glyph = c.encode_utf8(&mut buf);
        // Pen position: width up to and including c, minus c's own advance, which counts
        // the kerning between c and its predecessor exactly as plotters measures it.
        let pen = width(&s[..end])? - width(glyph)?;
        let x = (x0 + pen + metrics.left_bearing(c, size)).floor() as i32;
        let (dx, dy) = if label.upward { (y, -x) } else { (x, y) };
        area.draw_text(glyph, &glyph_style, (at.0 + dx, at.1 + dy))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
