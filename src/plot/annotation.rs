//! Labels for markers (events at one time) and spans (periods), set in a strip above
//! the first panel of a time chart.
//!
//! Keeping these labels out of the plot area means they never cover a curve or the
//! legend. [`layout`] stacks them in as few rows as keep them apart; [`draw`] writes them
//! and carries each marker line and span shading up to its label, so the eye can follow
//! from the label to the plot. The lines and shading inside the panels are drawn by
//! [`super::time_chart`], which uses the [`Marker`] and [`Span`] types defined here.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::{Color, DrawingArea, DrawingBackend, Rectangle};
use plotters::style::text_anchor::{HPos, VPos};

use super::figure::Target;
use super::scale::{self, Extent};
use super::style::{self, text_width};
use super::text::{self, Label};

/// A vertical labelled line (e.g. "Election day", "Fact-check") at x.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Marker {
    /// Position on the x axis, in the chart's units.
    pub x: f64,
    /// Text shown above the chart.
    pub label: String,
}

/// A shaded vertical span (e.g. "Press coverage" from x0 to x1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Span {
    /// Start on the x axis.
    pub x0: f64,
    /// End on the x axis.
    pub x1: f64,
    /// Text shown above the chart.
    pub label: String,
}

/// Height of one row of labels.
pub(crate) const ROW_HEIGHT: u32 = 36;
/// Beyond this many rows, labels that still collide share the row that frees up first.
const MAX_ROWS: usize = 4;
/// Horizontal room kept between two labels in a row.
const MIN_GAP: i32 = 14;
/// Distance between a marker line and its label.
const LABEL_OFFSET: i32 = 8;
/// Dash and gap length of marker lines, shared with the panels so they join up.
pub(crate) const DASH: (u32, u32) = (10, 7);

/// Where the x axis of the plot area lies on the canvas.
#[derive(Clone, Copy, Debug)]
pub(crate) struct XAxis {
    /// Data range of the axis.
    pub x: Extent,
    /// Pixel x of `x.lo` and `x.hi`.
    pub left: i32,
    pub right: i32,
}

impl XAxis {
    /// Canvas pixel x of data value `v`.
    pub(crate) fn px(&self, v: f64) -> i32 {
        let t = (v - self.x.lo) / (self.x.hi - self.x.lo);
        self.left + (t * f64::from(self.right - self.left)).round() as i32
    }
}

/// One label placed in the strip.
pub(crate) struct Annotation<'a> {
    text: &'a str,
    kind: Kind,
    /// Row, 0 being the one right above the plot.
    row: usize,
}

enum Kind {
    /// Data x of the line; label to its right, or to its left near the right edge.
    Marker { at: f64, label_right: bool },
    /// Data interval, clipped to the axis.
    Span { x0: f64, x1: f64 },
}

/// The part of a span inside the x range, or `None` if it lies outside or is unusable.
pub(crate) fn clip_span(s: &Span, x: Extent) -> Option<(f64, f64)> {
    if !scale::usable(s.x0) || !scale::usable(s.x1) {
        return None;
    }
    let (a, b) = if s.x0 <= s.x1 {
        (s.x0, s.x1)
    } else {
        (s.x1, s.x0)
    };
    if b < x.lo || a > x.hi {
        return None;
    }
    Some((x.clamp(a), x.clamp(b)))
}

/// True if the marker is drawn: a usable x inside the axis range.
pub(crate) fn marker_visible(m: &Marker, x: Extent) -> bool {
    scale::usable(m.x) && m.x >= x.lo && m.x <= x.hi
}

/// Assigns each visible, labelled marker and span a row so no two labels overlap.
/// Returns the labels and the number of rows used.
pub(crate) fn layout<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    markers: &'a [Marker],
    spans: &'a [Span],
    axis: &XAxis,
) -> Result<(Vec<Annotation<'a>>, u32), String> {
    let (canvas_w, _) = root.dim_in_pixel();
    let canvas_w = canvas_w as i32;
    // (annotation, occupied pixel interval)
    let mut items: Vec<(Annotation<'a>, i32, i32)> = Vec::new();
    for m in markers {
        if !marker_visible(m, axis.x) || m.label.trim().is_empty() {
            continue;
        }
        let w = text_width(root, &m.label, style::NOTE_SIZE)? as i32;
        let p = axis.px(m.x);
        let label_right = p + LABEL_OFFSET + w <= canvas_w - 8;
        let (left, right) = if label_right {
            (p, p + LABEL_OFFSET + w)
        } else {
            (p - LABEL_OFFSET - w, p)
        };
        let kind = Kind::Marker {
            at: m.x,
            label_right,
        };
        items.push((annotation(&m.label, kind), left, right));
    }
    for s in spans {
        let Some((x0, x1)) = clip_span(s, axis.x) else {
            continue;
        };
        if s.label.trim().is_empty() {
            continue;
        }
        let w = text_width(root, &s.label, style::NOTE_SIZE)? as i32;
        let (a, b) = (axis.px(x0), axis.px(x1));
        let (lx, _) = span_label_x(a, b, w, canvas_w);
        let kind = Kind::Span { x0, x1 };
        items.push((annotation(&s.label, kind), lx.min(a), (lx + w).max(b)));
    }
    items.sort_by_key(|&(_, left, _)| left);

    let mut row_ends: Vec<i32> = Vec::new();
    for (item, left, right) in &mut items {
        let row = match row_ends.iter().position(|&end| end + MIN_GAP <= *left) {
            Some(r) => r,
            None if row_ends.len() < MAX_ROWS => {
                row_ends.push(i32::MIN);
                row_ends.len() - 1
            }
            None => (0..row_ends.len())
                .min_by_key(|&r| row_ends[r])
                .unwrap_or(0),
        };
        row_ends[row] = row_ends[row].max(*right);
        item.row = row;
    }
    let rows = row_ends.len() as u32;
    Ok((items.into_iter().map(|(a, _, _)| a).collect(), rows))
}

fn annotation(text: &str, kind: Kind) -> Annotation<'_> {
    Annotation { text, kind, row: 0 }
}

/// Left pixel of a span label of width `w` centred over pixels `a..b`, kept on the
/// canvas; also returns its centre.
fn span_label_x(a: i32, b: i32, w: i32, canvas_w: i32) -> (i32, i32) {
    let left = ((a + b) / 2 - w / 2).clamp(4, (canvas_w - 4 - w).max(4));
    (left, left + w / 2)
}

/// Draws the labels in a strip of `rows` rows starting at pixel `strip_top`, joined to
/// the plot area whose top edge is at pixel `plot_top`.
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    notes: &[Annotation<'_>],
    rows: u32,
    axis: &XAxis,
    strip_top: i32,
    plot_top: i32,
    target: Target,
) -> Result<(), String> {
    let (canvas_w, _) = root.dim_in_pixel();
    let err = |e: plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    for note in notes {
        // Row 0 is nearest the plot, so most labels sit right above their line.
        let top =
            strip_top + ((rows as usize).saturating_sub(note.row + 1) as u32 * ROW_HEIGHT) as i32;
        let mid = top + ROW_HEIGHT as i32 / 2;
        match note.kind {
            Kind::Span { x0, x1 } => {
                let (a, b) = (axis.px(x0), axis.px(x1));
                root.draw(&Rectangle::new(
                    [(a, top + 4), (b.max(a + 1), plot_top)],
                    style::SPAN.mix(style::SPAN_ALPHA).filled(),
                ))
                .map_err(err)?;
                let w = text_width(root, note.text, style::NOTE_SIZE)? as i32;
                let (left, _) = span_label_x(a, b, w, canvas_w as i32);
                let label = Label::new(style::NOTE_SIZE, &style::MUTED, HPos::Left, VPos::Center);
                text::draw(root, note.text, (left, mid), &label, target)?;
            }
            Kind::Marker { at, label_right } => {
                let p = axis.px(at);
                root.draw(&DashedPathElement::new(
                    vec![(p, top + 4), (p, plot_top)],
                    DASH.0,
                    DASH.1,
                    style::MARKER.stroke_width(2),
                ))
                .map_err(err)?;
                let (x, h) = if label_right {
                    (p + LABEL_OFFSET, HPos::Left)
                } else {
                    (p - LABEL_OFFSET, HPos::Right)
                };
                let label = Label::new(style::NOTE_SIZE, &style::MUTED, h, VPos::Center);
                text::draw(root, note.text, (x, mid), &label, target)?;
            }
        }
    }
    Ok(())
}
