//! Tornado charts: one horizontal bar per parameter, longest on top, with its interval
//! as a whisker, for sensitivity indices (Morris mu*, Sobol' total-order and
//! first-order indices).
//!
//! The caller orders nothing: bars are sorted here by value, largest first, so the
//! parameters that matter most are read first. The layout is done in pixels (the y
//! axis is a list of labels), as for heatmaps.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::{Color, DrawingArea, DrawingBackend, PathElement, Rectangle, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

use super::figure::{render, Figure, Target};
use super::scale::tick_labels;
use super::style::{self, palette, text_width};
use super::text::{self, Label};
use crate::error::OutputError;

/// One bar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bar {
    /// The parameter's label.
    pub label: String,
    /// Length of the main bar.
    pub value: f64,
    /// Interval of the main value (whisker), if known.
    pub interval: Option<(f64, f64)>,
    /// A second, thinner bar drawn inside the main one (e.g. the first-order index
    /// inside the total-order one).
    pub inner: Option<f64>,
}

/// A tornado chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChart {
    /// Chart title.
    pub title: String,
    /// A second line under the title (what was analysed, how many runs).
    pub subtitle: Option<String>,
    /// Axis title of the values, with units.
    pub x_label: String,
    /// Legend text of the main bars and of the inner bars.
    pub main_label: String,
    /// Legend text of the inner bars, when there are any.
    pub inner_label: Option<String>,
    /// The bars, drawn top to bottom in this order.
    pub bars: Vec<Bar>,
}

const WIDTH: u32 = 1600;
const ROW: u32 = 64;
const TOP: u32 = 150;
const BOTTOM: u32 = 130;
const MARGIN: i32 = 24;

/// Draws the chart to `<stem>.png` and `<stem>.svg` in `dir`; returns the paths.
///
/// # Errors
/// As [`super::draw_time_chart`].
pub fn draw_bar_chart(
    chart: &BarChart,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], OutputError> {
    let mut sorted = chart.clone();
    sorted.bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    render(&sorted, dir, stem)
}

/// The chart as an SVG document, bars sorted as [`draw_bar_chart`] sorts them, for
/// embedding in a page rather than writing files.
///
/// # Errors
/// The drawing library's message.
pub fn bar_chart_svg(chart: &BarChart) -> Result<String, String> {
    let mut sorted = chart.clone();
    sorted.bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    super::figure::svg_text(&sorted)
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Figure for BarChart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, TOP + BOTTOM + ROW * self.bars.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let (w, h) = self.size();
        let max_w = w - 2 * MARGIN as u32;
        let (title, size) = style::fit(root, &self.title, style::TITLE_SIZE, 26.0, max_w)?;
        let l = Label::new(size, &style::INK, HPos::Left, VPos::Top);
        text::draw(root, &title, (MARGIN, 20), &l, target)?;
        if let Some(sub) = &self.subtitle {
            let (sub, size) = style::fit(root, sub, style::SUBTITLE_SIZE, 18.0, max_w)?;
            let l = Label::new(size, &style::MUTED, HPos::Left, VPos::Top);
            text::draw(root, &sub, (MARGIN, 70), &l, target)?;
        }
        // Labels on the left, as wide as the widest (at most a third of the canvas).
        let mut label_w = 0;
        for b in &self.bars {
            label_w = label_w.max(text_width(root, &b.label, style::TICK_SIZE)?);
        }
        let left = (MARGIN as u32 + label_w.min(WIDTH / 3) + 16) as i32;
        let right = (w as i32) - 60;
        let top = TOP as i32;
        let bottom = (h - BOTTOM) as i32;
        let hi = self
            .bars
            .iter()
            .flat_map(|b| [Some(b.value), b.interval.map(|i| i.1), b.inner])
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let lo = self
            .bars
            .iter()
            .flat_map(|b| [Some(b.value), b.interval.map(|i| i.0), b.inner])
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::min);
        let hi = if hi <= lo { lo + 1.0 } else { hi * 1.05 };
        let px = |v: f64| left + ((v - lo) / (hi - lo) * f64::from(right - left)).round() as i32;
        // Grid and ticks.
        let ticks = RangedCoordf64::from(lo..hi).key_points(BoldPoints(8));
        let tl = Label::new(style::TICK_SIZE, &style::INK, HPos::Center, VPos::Top);
        for (v, s) in ticks.iter().zip(tick_labels(&ticks, false)) {
            let x = px(*v);
            root.draw(&PathElement::new(
                vec![(x, top), (x, bottom)],
                style::GRID.stroke_width(1),
            ))
            .map_err(err)?;
            text::draw(root, &s, (x, bottom + 10), &tl, target)?;
        }
        root.draw(&PathElement::new(
            vec![(px(0.0), top), (px(0.0), bottom)],
            style::AXIS.stroke_width(2),
        ))
        .map_err(err)?;
        let (xl, size) = style::fit(
            root,
            &self.x_label,
            style::AXIS_LABEL_SIZE,
            18.0,
            (right - left) as u32,
        )?;
        let l = Label::new(size, &style::INK, HPos::Center, VPos::Top);
        text::draw(root, &xl, ((left + right) / 2, bottom + 50), &l, target)?;
        let name = Label::new(style::TICK_SIZE, &style::INK, HPos::Right, VPos::Center);
        let main = palette(0);
        let inner = palette(1);
        for (i, b) in self.bars.iter().enumerate() {
            let cy = top + (ROW as i32) * i as i32 + ROW as i32 / 2;
            let (shown, _) = style::fit(
                root,
                &b.label,
                style::TICK_SIZE,
                16.0,
                label_w.min(WIDTH / 3),
            )?;
            text::draw(root, &shown, (left - 12, cy), &name, target)?;
            if b.value.is_finite() {
                root.draw(&Rectangle::new(
                    [(px(0.0), cy - 18), (px(b.value), cy + 18)],
                    main.mix(0.55).filled(),
                ))
                .map_err(err)?;
            }
            if let Some(v) = b.inner.filter(|v| v.is_finite()) {
                root.draw(&Rectangle::new(
                    [(px(0.0), cy - 7), (px(v), cy + 7)],
                    inner.filled(),
                ))
                .map_err(err)?;
            }
            if let Some((a, z)) = b.interval.filter(|(a, z)| a.is_finite() && z.is_finite()) {
                let ink = style::INK.stroke_width(3);
                root.draw(&PathElement::new(vec![(px(a), cy), (px(z), cy)], ink))
                    .map_err(err)?;
                for x in [px(a), px(z)] {
                    root.draw(&PathElement::new(vec![(x, cy - 10), (x, cy + 10)], ink))
                        .map_err(err)?;
                }
            }
        }
        // Legend, top right above the bars.
        let legend = Label::new(style::LEGEND_SIZE, &style::INK, HPos::Right, VPos::Center);
        let mut x = right;
        let y = top - 24;
        let mut entries = vec![(self.main_label.as_str(), main.mix(0.55), 18)];
        if let Some(l) = &self.inner_label {
            entries.push((l.as_str(), inner.mix(1.0), 7));
        }
        for (text_, color, half) in entries.into_iter().rev() {
            let tw = text_width(root, text_, style::LEGEND_SIZE)? as i32;
            text::draw(root, text_, (x, y), &legend, target)?;
            x -= tw + 10;
            root.draw(&Rectangle::new(
                [(x - 40, y - half.min(12)), (x, y + half.min(12))],
                color.filled(),
            ))
            .map_err(err)?;
            x -= 60;
        }
        Ok(())
    }
}
