//! The legend of a panel: one row per labelled series, in the corner of the plot area
//! that hides the least data.
//!
//! The panel code ([`super::time_chart`]) hands over what the legend should say and
//! samples of where data is drawn; this module measures, picks the corner and draws.
//! The background is white but slightly see-through, so a curve that does pass under
//! the legend is not hidden completely.

use plotters::coord::Shift;
use plotters::prelude::{
    Color, DrawingArea, DrawingBackend, PathElement, RGBColor, Rectangle, WHITE,
};
use plotters::style::text_anchor::{HPos, VPos};

use super::figure::Target;
use super::style::{self, text_width};
use super::text::{self, Label};

/// One legend row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry<'a> {
    pub label: &'a str,
    pub color: RGBColor,
    /// Draws the band swatch behind the line swatch.
    pub band: bool,
}

/// Where data is drawn, in canvas pixels: a vertical extent at one x, and how much it
/// matters to keep it visible (lines more than faint bands).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub x: i32,
    pub top: i32,
    pub bottom: i32,
    pub weight: f64,
}

/// A rectangle in canvas pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

const PAD: i32 = 12;
const ROW: i32 = 34;
const SWATCH: i32 = 44;
const GAP: i32 = 10;
/// Distance from the plot area's edges.
const INSET: i32 = 14;
const LINE_WIDTH: u32 = 3;
/// Room around the legend that should preferably be free of data too.
const CLEARANCE: i32 = 12;

/// Draws the legend inside `plot`, choosing among the four corners the one that covers
/// the least sample weight (upper left wins ties, then upper right).
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: Rect,
    entries: &[Entry<'_>],
    samples: &[Sample],
    target: Target,
) -> Result<(), String> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut text_w = 0;
    for e in entries {
        text_w = text_w.max(text_width(root, e.label, style::LEGEND_SIZE)? as i32);
    }
    let w = PAD + SWATCH + GAP + text_w + PAD;
    let h = PAD * 2 + ROW * entries.len() as i32 - 6;

    let candidates = [
        (plot.left + INSET, plot.top + INSET),
        (plot.right - INSET - w, plot.top + INSET),
        (plot.right - INSET - w, plot.bottom - INSET - h),
        (plot.left + INSET, plot.bottom - INSET - h),
    ];
    // Data just outside the box counts too, so the legend prefers clear space to a
    // corner it only just fits into.
    let cost = |(cx, cy): (i32, i32)| -> f64 {
        let (l, t, r, b) = (
            cx - CLEARANCE,
            cy - CLEARANCE,
            cx + w + CLEARANCE,
            cy + h + CLEARANCE,
        );
        samples
            .iter()
            .filter(|s| s.x >= l && s.x <= r && s.bottom >= t && s.top <= b)
            .map(|s| s.weight)
            .sum()
    };
    let mut best = candidates[0];
    let mut best_cost = cost(best);
    for &c in &candidates[1..] {
        let k = cost(c);
        if k < best_cost {
            best = c;
            best_cost = k;
        }
    }
    let (lx, ly) = best;

    let err = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let frame = [(lx, ly), (lx + w, ly + h)];
    root.draw(&Rectangle::new(frame, WHITE.mix(0.85).filled()))
        .map_err(err)?;
    root.draw(&Rectangle::new(
        frame,
        RGBColor(200, 200, 200).stroke_width(1),
    ))
    .map_err(err)?;
    let label = Label::new(style::LEGEND_SIZE, &style::INK, HPos::Left, VPos::Center);
    for (row, e) in entries.iter().enumerate() {
        let cy = ly + PAD - 3 + ROW * row as i32 + ROW / 2;
        let sx = lx + PAD;
        if e.band {
            root.draw(&Rectangle::new(
                [(sx, cy - 10), (sx + SWATCH, cy + 10)],
                e.color.mix(style::BAND_ALPHA).filled(),
            ))
            .map_err(err)?;
        }
        root.draw(&PathElement::new(
            vec![(sx, cy), (sx + SWATCH, cy)],
            e.color.stroke_width(LINE_WIDTH),
        ))
        .map_err(err)?;
        text::draw(root, e.label, (sx + SWATCH + GAP, cy), &label, target)?;
    }
    Ok(())
}
