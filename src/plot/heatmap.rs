//! Heatmaps of one outcome over two swept parameters, for sweep reports.
//!
//! The sweep stage aggregates its result rows into a grid and fills a [`Heatmap`]; this
//! module lays the grid out as coloured cells (viridis, so it reads in greyscale and by
//! colour-blind readers), labels rows and columns with the parameter values as given,
//! writes the value into each cell when there is room, and adds a colour bar. Cells
//! without a value are light grey and explained under the colour bar. The layout is
//! done in pixels here rather than with plotters' axes, since both axes are categories.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::{Color, DrawingArea, DrawingBackend, PathElement, Rectangle, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

use super::figure::{render, Figure, Target};
use super::scale::{self, tick_labels, Extent, ValueFormat};
use super::style::{self, text_width, viridis};
use super::text::{self, Label};
use crate::error::OutputError;

/// Heatmap of a value over two parameters (for sweeps).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Title above the chart.
    pub title: String,
    /// Axis titles, with units, e.g. "Forwarding limit (chats)".
    pub x_label: String,
    /// Title of the y axis, with units.
    pub y_label: String,
    /// Colour bar title, with units, e.g. "Peak believers (%)".
    pub value_label: String,
    /// Column labels, left to right.
    pub x_values: Vec<String>,
    /// Row labels, bottom to top (the first row is drawn at the bottom, as on an axis).
    pub y_values: Vec<String>,
    /// `values[y][x]`, NaN = missing
    pub values: Vec<Vec<f64>>,
}

/// Most rows or columns a heatmap may have; beyond this cells are too small to see.
pub const MAX_CELLS_PER_AXIS: usize = 200;

/// Draws the heatmap to `<stem>.png` (1600x900 px) and `<stem>.svg`, each written to a
/// temporary name in `dir` and renamed into place. Returns the two paths written.
///
/// Non-finite values (NaN, infinities) are drawn as missing cells.
///
/// # Errors
/// [`OutputError::Plot`] if `values` does not have one row per y value and one entry per
/// x value in each row, if an axis has more than [`MAX_CELLS_PER_AXIS`] values, if the
/// stem is not a plain file name, or if plotters fails; [`OutputError::Io`] if `dir` is
/// missing or a file cannot be written.
pub fn draw_heatmap(h: &Heatmap, dir: &Path, stem: &str) -> Result<[PathBuf; 2], OutputError> {
    check(h).map_err(|message| OutputError::Plot {
        path: dir.join(format!("{stem}.png")),
        message,
    })?;
    render(&Prepared::new(h), dir, stem)
}

fn check(h: &Heatmap) -> Result<(), String> {
    let (nx, ny) = (h.x_values.len(), h.y_values.len());
    if nx > MAX_CELLS_PER_AXIS || ny > MAX_CELLS_PER_AXIS {
        return Err(format!(
            "{nx} x {ny} cells; at most {MAX_CELLS_PER_AXIS} per axis can be drawn"
        ));
    }
    if h.values.len() != ny {
        return Err(format!(
            "{ny} y values but {} rows of values",
            h.values.len()
        ));
    }
    if let Some((y, row)) = h.values.iter().enumerate().find(|(_, r)| r.len() != nx) {
        return Err(format!(
            "row {} ({:?}) has {} values but there are {nx} x values",
            y + 1,
            h.y_values[y],
            row.len()
        ));
    }
    Ok(())
}

const WIDTH: u32 = 1600;
const HEIGHT: u32 = 900;
const MARGIN: i32 = 20;
const HEADER_TOP: i32 = 20;
/// Width of a rotated axis title and the space after it.
const TITLE_BLOCK: i32 = 44;
/// Between the plot and its row/column labels.
const LABEL_GAP: i32 = 10;
/// Longest row or column label, in pixels, before it is shortened with an ellipsis.
const MAX_LABEL_W: u32 = 260;
/// A row or column narrower than this gets a label only every few cells.
const MIN_LABEL_PITCH: f64 = 30.0;
const BAR_GAP: i32 = 36;
const BAR_W: i32 = 28;
const BAR_TICK: i32 = 6;
/// Room under the colour bar for the "no data" swatch, when some cells are missing.
const MISSING_KEY: i32 = 56;

/// A checked heatmap with its colour scale worked out.
struct Prepared<'a> {
    h: &'a Heatmap,
    /// Range of the finite values, or `None` if every cell is missing.
    scale: Option<Extent>,
    any_missing: bool,
    /// How cell values are written.
    format: ValueFormat,
}

impl<'a> Prepared<'a> {
    fn new(h: &'a Heatmap) -> Self {
        let all = h.values.iter().flatten().copied();
        let bounds = scale::bounds(all, scale::usable);
        let any_missing = h.values.iter().flatten().any(|v| !scale::usable(*v));
        Prepared {
            h,
            scale: bounds.map(|b| scale::data_extent(Some(b))),
            any_missing,
            format: ValueFormat::for_values(h.values.iter().flatten().copied()),
        }
    }

    /// Colour of a cell value on the scale; `None` for a missing one.
    fn color(&self, v: f64) -> Option<plotters::style::RGBColor> {
        let s = self.scale?;
        scale::usable(v).then(|| viridis((v - s.lo) / (s.hi - s.lo)))
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Every `step`-th index gets a label, so labels never crowd: 1 when cells are roomy.
fn label_step(pitch: f64) -> usize {
    if pitch >= MIN_LABEL_PITCH {
        1
    } else {
        (MIN_LABEL_PITCH / pitch.max(1e-3)).ceil() as usize
    }
}

impl Figure for Prepared<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> Result<(), String> {
        let h = self.h;
        let (nx, ny) = (h.x_values.len(), h.y_values.len());
        root.fill(&WHITE).map_err(err)?;

        // Title.
        let max_w = WIDTH - 2 * MARGIN as u32;
        let (title, size) = style::fit(root, &h.title, style::TITLE_SIZE, 26.0, max_w)?;
        let label = Label::new(size, &style::INK, HPos::Left, VPos::Top);
        text::draw(root, &title, (MARGIN, HEADER_TOP), &label, target)?;
        let plot_top = HEADER_TOP + style::TITLE_SIZE as i32 + 30;

        // Labels, shortened to a sane width, measured to size the margins.
        let fit_all = |labels: &[String]| -> Result<(Vec<String>, i32), String> {
            let mut out = Vec::with_capacity(labels.len());
            let mut widest = 0;
            for l in labels {
                let (s, _) = style::fit(root, l, style::TICK_SIZE, style::TICK_SIZE, MAX_LABEL_W)?;
                widest = widest.max(text_width(root, &s, style::TICK_SIZE)? as i32);
                out.push(s);
            }
            Ok((out, widest))
        };
        let (x_labels, x_label_w) = fit_all(&h.x_values)?;
        let (y_labels, y_label_w) = fit_all(&h.y_values)?;

        // Colour bar ticks, measured to size the right margin.
        let bar_ticks: Vec<f64> = match self.scale {
            Some(s) => RangedCoordf64::from(s.range()).key_points(BoldPoints(6)),
            None => Vec::new(),
        };
        let bar_labels = tick_labels(&bar_ticks, false);
        let mut bar_label_w = 0;
        for l in &bar_labels {
            bar_label_w = bar_label_w.max(text_width(root, l, style::TICK_SIZE)? as i32);
        }

        let plot_left = MARGIN + TITLE_BLOCK + y_label_w + LABEL_GAP;
        let right_block = BAR_GAP + BAR_W + BAR_TICK + 6 + bar_label_w + 16 + TITLE_BLOCK;
        let plot_right = WIDTH as i32 - MARGIN - right_block;
        let plot_w = (plot_right - plot_left).max(1);
        let cell_w = f64::from(plot_w) / nx.max(1) as f64;

        // Column labels lie flat if they fit their column, else they read upwards.
        let upright_x = x_label_w as f64 <= cell_w - 8.0;
        let x_label_h = if upright_x {
            style::TICK_SIZE as i32
        } else {
            x_label_w
        };
        let plot_bottom = HEIGHT as i32 - MARGIN - TITLE_BLOCK - x_label_h - LABEL_GAP;
        let plot_h = (plot_bottom - plot_top).max(1);
        let cell_h = f64::from(plot_h) / ny.max(1) as f64;

        let col =
            |i: usize| plot_left + (f64::from(plot_w) * i as f64 / nx.max(1) as f64).round() as i32;
        // Row 0 at the bottom.
        let row = |j: usize| {
            plot_bottom - (f64::from(plot_h) * j as f64 / ny.max(1) as f64).round() as i32
        };

        if nx == 0 || ny == 0 {
            let label = Label::new(
                style::LEGEND_SIZE,
                &style::MUTED,
                HPos::Center,
                VPos::Center,
            );
            let centre = ((plot_left + plot_right) / 2, (plot_top + plot_bottom) / 2);
            text::draw(root, "no data", centre, &label, target)?;
        }

        // Cells, with a hairline of white between them when they are big enough.
        let gap = i32::from(cell_w >= 10.0 && cell_h >= 10.0);
        let annotate = self.cell_text_fits(root, cell_w, cell_h)?;
        for (j, values) in h.values.iter().enumerate() {
            for (i, &v) in values.iter().enumerate() {
                let (x0, x1) = (col(i), col(i + 1));
                let (y0, y1) = (row(j + 1), row(j));
                let fill = self.color(v).unwrap_or(style::MISSING);
                root.draw(&Rectangle::new(
                    [(x0, y0), ((x1 - gap).max(x0), (y1 - gap).max(y0))],
                    fill.filled(),
                ))
                .map_err(err)?;
                if annotate {
                    let centre = ((x0 + x1 - gap) / 2, (y0 + y1 - gap) / 2);
                    let (s, ink) = if self.color(v).is_some() {
                        let ink = if style::is_light(fill) {
                            &style::INK
                        } else {
                            &WHITE
                        };
                        (self.format.format(v), ink)
                    } else {
                        ("–".to_string(), &style::MUTED)
                    };
                    let label = Label::new(style::CELL_SIZE, ink, HPos::Center, VPos::Center);
                    text::draw(root, &s, centre, &label, target)?;
                }
            }
        }

        // Column labels.
        let step = label_step(cell_w);
        for (i, l) in x_labels.iter().enumerate().filter(|(i, _)| i % step == 0) {
            let cx = (col(i) + col(i + 1) - gap) / 2;
            let y = plot_bottom + LABEL_GAP;
            let label = if upright_x {
                Label::new(style::TICK_SIZE, &style::INK, HPos::Center, VPos::Top)
            } else {
                Label::new(style::TICK_SIZE, &style::INK, HPos::Right, VPos::Center).upward()
            };
            text::draw(root, l, (cx, y), &label, target)?;
        }
        // Row labels.
        let step = label_step(cell_h);
        for (j, l) in y_labels.iter().enumerate().filter(|(j, _)| j % step == 0) {
            let cy = (row(j) + row(j + 1) - gap) / 2;
            let label = Label::new(style::TICK_SIZE, &style::INK, HPos::Right, VPos::Center);
            text::draw(root, l, (plot_left - LABEL_GAP, cy), &label, target)?;
        }

        // Axis titles.
        let (x_title, size) = style::fit(
            root,
            &h.x_label,
            style::AXIS_LABEL_SIZE,
            18.0,
            plot_w as u32,
        )?;
        let label = Label::new(size, &style::INK, HPos::Center, VPos::Bottom);
        let at = ((plot_left + plot_right) / 2, HEIGHT as i32 - MARGIN);
        text::draw(root, &x_title, at, &label, target)?;
        let (y_title, size) = style::fit(
            root,
            &h.y_label,
            style::AXIS_LABEL_SIZE,
            18.0,
            plot_h as u32,
        )?;
        let label = Label::new(size, &style::INK, HPos::Center, VPos::Top).upward();
        text::draw(
            root,
            &y_title,
            (MARGIN, (plot_top + plot_bottom) / 2),
            &label,
            target,
        )?;

        self.draw_colour_bar(
            root,
            plot_right + BAR_GAP,
            plot_top,
            plot_bottom,
            &bar_ticks,
            &bar_labels,
            bar_label_w,
            target,
        )
    }
}

impl Prepared<'_> {
    /// True if every cell's value can be written inside it at the cell font size.
    fn cell_text_fits<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        cell_w: f64,
        cell_h: f64,
    ) -> Result<bool, String> {
        if cell_h < style::CELL_SIZE + 8.0 {
            return Ok(false);
        }
        for v in self
            .h
            .values
            .iter()
            .flatten()
            .filter(|v| scale::usable(**v))
        {
            let w = text_width(root, &self.format.format(*v), style::CELL_SIZE)?;
            if f64::from(w) > cell_w - 10.0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The colour scale, its ticks and title, and the key for missing cells.
    #[allow(clippy::too_many_arguments)]
    fn draw_colour_bar<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        left: i32,
        top: i32,
        bottom: i32,
        ticks: &[f64],
        labels: &[String],
        label_w: i32,
        target: Target,
    ) -> Result<(), String> {
        let bar_bottom = if self.any_missing {
            bottom - MISSING_KEY
        } else {
            bottom
        };
        let right = left + BAR_W;
        if let Some(s) = self.scale {
            // A stack of thin slices; 2-pixel steps are smooth to the eye and keep the
            // SVG small.
            let height = (bar_bottom - top).max(1);
            let mut y = top;
            while y < bar_bottom {
                let next = (y + 2).min(bar_bottom);
                let t = f64::from(bar_bottom - (y + next) / 2) / f64::from(height);
                root.draw(&Rectangle::new(
                    [(left, y), (right, next)],
                    viridis(t).filled(),
                ))
                .map_err(err)?;
                y = next;
            }
            let at = |v: f64| {
                bar_bottom - ((v - s.lo) / (s.hi - s.lo) * f64::from(height)).round() as i32
            };
            let label = Label::new(style::TICK_SIZE, &style::INK, HPos::Left, VPos::Center);
            for (v, l) in ticks.iter().zip(labels) {
                let y = at(*v);
                root.draw(&PathElement::new(
                    vec![(right, y), (right + BAR_TICK, y)],
                    style::AXIS.stroke_width(2),
                ))
                .map_err(err)?;
                text::draw(root, l, (right + BAR_TICK + 6, y), &label, target)?;
            }
            let title_x = right + BAR_TICK + 6 + label_w + 16;
            let (title, size) = style::fit(
                root,
                &self.h.value_label,
                style::AXIS_LABEL_SIZE,
                18.0,
                (bar_bottom - top).max(1) as u32,
            )?;
            let label = Label::new(size, &style::INK, HPos::Center, VPos::Top).upward();
            text::draw(
                root,
                &title,
                (title_x, (top + bar_bottom) / 2),
                &label,
                target,
            )?;
        }
        if self.any_missing {
            let y0 = bottom - BAR_W;
            root.draw(&Rectangle::new(
                [(left, y0), (right, bottom)],
                style::MISSING.filled(),
            ))
            .map_err(err)?;
            let label = Label::new(style::TICK_SIZE, &style::INK, HPos::Left, VPos::Center);
            text::draw(
                root,
                "no data",
                (right + BAR_TICK + 6, y0 + BAR_W / 2),
                &label,
                target,
            )?;
        }
        Ok(())
    }
}
