//! Time charts: median curves with 5-95% bands over one or more stacked panels that
//! share the x axis, with labelled event markers and shaded spans.
//!
//! The caller (the output stage) fills a [`TimeChart`] from files already written to
//! disk; this module only decides layout and draws. Data is checked and reduced to
//! drawable runs first ([`Prepared`]), so degenerate input (no points, one point, NaN,
//! all zeros, a zero-width x range) is settled before plotters sees it.
//!
//! Layout, top to bottom: title and subtitle; an annotation strip holding the labels of
//! markers and spans (so they never sit on top of data or the legend); the panels, each
//! with its own y axis and legend; the shared x axis under the last panel.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{BoldPoints, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::annotation::{self, Marker, Span, XAxis};
use super::figure::{render, Figure, Target};
use super::legend::{self, Rect};
use super::scale::{self, tick_labels, Extent};
use super::style::{self, palette, text_width};
use super::text::{self, Label};
use crate::error::OutputError;

/// One curve: median line with an optional 5-95% band.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Legend text; an empty label keeps the series out of the legend.
    pub label: String,
    /// Positions on the x axis, in the chart's units.
    pub x: Vec<f64>,
    /// Same length as `x`. NaN (or, on a log panel, a non-positive value) breaks the line.
    pub median: Vec<f64>,
    /// Lower and upper band edges (same length as x); None draws only the line.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// One panel of a chart: a y axis and the series drawn against it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    /// Axis title, with units, e.g. "People who believe the rumour (%)".
    pub y_label: String,
    /// Series `i` is drawn in [`palette`]`(i)`.
    pub series: Vec<Series>,
    /// Logarithmic y axis; non-positive values are then not drawn.
    pub log_y: bool,
}

/// A chart with one or more panels sharing the x axis (stacked vertically).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeChart {
    /// Title above the chart.
    pub title: String,
    /// E.g. "median and 5-95% band over 20 replicates".
    pub subtitle: Option<String>,
    /// Shared x axis title, with units, e.g. "Time (days)".
    pub x_label: String,
    /// Usually one. At most [`MAX_PANELS`].
    pub panels: Vec<Panel>,
    /// Drawn on every panel; labelled once, above the first. Markers outside the x range
    /// of the data are not drawn.
    pub markers: Vec<Marker>,
    /// Drawn on every panel, clipped to the x range of the data; labelled above.
    pub spans: Vec<Span>,
    /// Tick positions and labels for the x axis (dates, the values of a log axis);
    /// empty: round numbers chosen from the range.
    pub x_ticks: Vec<(f64, String)>,
}

/// Most panels one chart may stack; beyond this each panel is too flat to read.
pub const MAX_PANELS: usize = 8;

const WIDTH: u32 = 1600;
const HEIGHT_ONE_PANEL: u32 = 900;
/// Each panel after the first adds this much height, so panels stay readable.
const HEIGHT_PER_EXTRA_PANEL: u32 = 420;
const MARGIN_LEFT: u32 = 20;
/// Leaves room for the last x tick label, which is centred on the right edge.
const MARGIN_RIGHT: u32 = 50;
const HEADER_TOP: i32 = 20;
/// Room for the rotated y axis title and the gap after it, left of the tick labels.
const Y_TITLE_WIDTH: u32 = 44;
/// Height under the last panel for x tick labels and the x axis title.
const X_LABEL_AREA: u32 = 92;
/// From the top of the x tick labels to the top of the x axis title.
const X_TITLE_OFFSET: i32 = 40;
/// Under the other panels: just room for the axis line and ticks.
const X_AXIS_ONLY: u32 = 12;
const PANEL_GAP: u32 = 16;
const TICK_LENGTH: u32 = 8;
/// Between a tick mark and its label.
const TICK_GAP: u32 = 8;
/// How many ticks plotters may put on each axis (it picks round values up to this many).
const X_TICKS: usize = 12;
const Y_TICKS: usize = 8;
const LINE_WIDTH: u32 = 3;

/// Draws the chart to `<stem>.png` (1600x900 px, or taller for several panels) and
/// `<stem>.svg`. Returns the two paths written. Writes each file to a temporary name in
/// the same folder and renames it, so an interrupted write never leaves a half file
/// under the final name.
///
/// # Errors
/// [`OutputError::Plot`] if a series' vectors differ in length, if there are more than
/// [`MAX_PANELS`] panels, if the stem is not a plain file name, or if plotters fails;
/// [`OutputError::Io`] if `dir` is missing or a file cannot be written.
pub fn draw_time_chart(
    chart: &TimeChart,
    dir: &Path,
    stem: &str,
) -> Result<[PathBuf; 2], OutputError> {
    let prepared = Prepared::new(chart).map_err(|message| OutputError::Plot {
        path: dir.join(format!("{stem}.png")),
        message,
    })?;
    render(&prepared, dir, stem)
}

/// Stands in when a chart has no panels, so the output still has axes and a title.
static EMPTY_PANEL: Panel = Panel {
    y_label: String::new(),
    series: Vec::new(),
    log_y: false,
};

/// A checked chart with its axis ranges and drawable pieces worked out.
struct Prepared<'a> {
    chart: &'a TimeChart,
    panels: Vec<PreparedPanel<'a>>,
    x: Extent,
}

struct PreparedPanel<'a> {
    panel: &'a Panel,
    y: Extent,
    /// Per series: unbroken stretches of the median line, in data coordinates.
    lines: Vec<Vec<Vec<(f64, f64)>>>,
    /// Per series: unbroken stretches of the band as (x, lower, upper).
    bands: Vec<Vec<Vec<(f64, f64, f64)>>>,
}

impl PreparedPanel<'_> {
    fn has_data(&self) -> bool {
        self.lines.iter().flatten().any(|r| !r.is_empty())
            || self.bands.iter().flatten().any(|r| !r.is_empty())
    }
}

impl<'a> Prepared<'a> {
    fn new(chart: &'a TimeChart) -> Result<Self, String> {
        if chart.panels.len() > MAX_PANELS {
            return Err(format!(
                "{} panels requested; at most {MAX_PANELS} fit on one chart",
                chart.panels.len()
            ));
        }
        let panels: Vec<&Panel> = if chart.panels.is_empty() {
            vec![&EMPTY_PANEL]
        } else {
            chart.panels.iter().collect()
        };
        for (p, panel) in panels.iter().enumerate() {
            for (s, series) in panel.series.iter().enumerate() {
                check_lengths(series).map_err(|m| {
                    format!("panel {} series {} ({:?}): {m}", p + 1, s + 1, series.label)
                })?;
            }
        }

        let all_x = panels
            .iter()
            .flat_map(|p| p.series.iter())
            .flat_map(|s| s.x.iter().copied());
        let mut xb = scale::bounds(all_x, scale::usable);
        if xb.is_none() {
            // No data at all: let the events define the axis so they are still shown.
            let events = chart
                .markers
                .iter()
                .map(|m| m.x)
                .chain(chart.spans.iter().flat_map(|s| [s.x0, s.x1].into_iter()));
            xb = scale::bounds(events, scale::usable);
        }
        let x = scale::data_extent(xb);

        let panels = panels.into_iter().map(prepare_panel).collect();
        Ok(Prepared { chart, panels, x })
    }

    fn height(&self) -> u32 {
        HEIGHT_ONE_PANEL + HEIGHT_PER_EXTRA_PANEL * (self.panels.len() as u32 - 1)
    }
}

fn check_lengths(s: &Series) -> Result<(), String> {
    if s.median.len() != s.x.len() {
        return Err(format!(
            "{} x values but {} medians",
            s.x.len(),
            s.median.len()
        ));
    }
    if let Some((lo, hi)) = &s.band {
        if lo.len() != s.x.len() || hi.len() != s.x.len() {
            return Err(format!(
                "{} x values but band edges of length {} and {}",
                s.x.len(),
                lo.len(),
                hi.len()
            ));
        }
    }
    Ok(())
}

fn prepare_panel(panel: &Panel) -> PreparedPanel<'_> {
    let keep_y: fn(f64) -> bool = if panel.log_y {
        scale::usable_log
    } else {
        scale::usable
    };
    // The y range comes from what will be drawn: medians, and band edges that are
    // themselves drawable. A band's lower edge at 0 on a log axis is not drawable, but
    // the band is still shown, running off the bottom of the axis (see below).
    let values = panel.series.iter().flat_map(|s| {
        let band = s.band.iter().flat_map(|(lo, hi)| {
            s.x.iter()
                .zip(lo.iter().zip(hi))
                .filter(|(x, _)| scale::usable(**x))
                .flat_map(|(_, (l, h))| [*l, *h])
        });
        s.x.iter()
            .zip(&s.median)
            .filter(|(x, _)| scale::usable(**x))
            .map(|(_, m)| *m)
            .chain(band)
    });
    let yb = scale::bounds(values, keep_y);
    let y = if panel.log_y {
        scale::log_y_extent(yb)
    } else {
        scale::linear_y_extent(yb)
    };

    let lines = panel
        .series
        .iter()
        .map(|s| {
            runs(
                s.x.iter().zip(&s.median).map(|(&x, &m)| (x, m)),
                |(x, m)| scale::usable(x) && keep_y(m),
            )
        })
        .collect();
    let bands = panel
        .series
        .iter()
        .map(|s| match &s.band {
            None => Vec::new(),
            Some((lo, hi)) => {
                let pts =
                    s.x.iter()
                        .zip(lo.iter().zip(hi))
                        .map(|(&x, (&l, &h))| (x, l, h));
                // On a log axis a lower edge at or below zero is clamped to the bottom
                // of the axis: the band really does extend below everything shown, and
                // dropping those points would hide the band exactly where the outcome
                // is most uncertain.
                let pts = pts.map(|(x, l, h)| {
                    if panel.log_y && scale::usable(l) && l < y.lo {
                        (x, y.lo, h)
                    } else {
                        (x, l, h)
                    }
                });
                runs(pts, |(x, l, h)| scale::usable(x) && keep_y(l) && keep_y(h))
            }
        })
        .collect();
    PreparedPanel {
        panel,
        y,
        lines,
        bands,
    }
}

/// Splits a sequence into maximal stretches of consecutive points accepted by `keep`, so
/// a missing value breaks a line instead of being bridged by a straight segment.
fn runs<P: Copy>(points: impl Iterator<Item = P>, keep: impl Fn(P) -> bool) -> Vec<Vec<P>> {
    let mut out: Vec<Vec<P>> = Vec::new();
    let mut current = Vec::new();
    for p in points {
        if keep(p) {
            current.push(p);
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Tick values plotters will mark on a y axis (the mesh asks for the same number).
fn y_ticks(panel: &PreparedPanel<'_>) -> Vec<f64> {
    if panel.panel.log_y {
        let coord: LogCoord<f64> = panel.y.range().log_scale().into();
        coord.key_points(BoldPoints(Y_TICKS))
    } else {
        RangedCoordf64::from(panel.y.range()).key_points(BoldPoints(Y_TICKS))
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Figure for Prepared<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let header = self.draw_header(root, target)?;

        // Every panel gets the same label area, wide enough for the widest tick label of
        // any of them, so the plot areas line up under each other.
        let mut tick_w = 0;
        for panel in &self.panels {
            for s in tick_labels(&y_ticks(panel), panel.panel.log_y) {
                tick_w = tick_w.max(text_width(root, &s, style::TICK_SIZE)?);
            }
        }
        let y_label_area = (tick_w + TICK_LENGTH + TICK_GAP + Y_TITLE_WIDTH).clamp(90, 400);

        // The x mapping depends only on the horizontal layout, so the annotation strip
        // can be laid out before the panels are built.
        let planned = XAxis {
            x: self.x,
            left: (MARGIN_LEFT + y_label_area) as i32,
            right: (WIDTH - MARGIN_RIGHT) as i32,
        };
        let (notes, rows) =
            annotation::layout(root, &self.chart.markers, &self.chart.spans, &planned)?;
        let strip = rows * annotation::ROW_HEIGHT;

        let (_, body) = root.split_vertically(header + strip);
        let n = self.panels.len() as u32;
        let (_, body_h) = body.dim_in_pixel();
        // The last panel also carries the x axis labels; every plot area gets the same height.
        let fixed = X_LABEL_AREA + (n - 1) * X_AXIS_ONLY + n * PANEL_GAP;
        let plot_h = body_h.saturating_sub(fixed) / n;
        let breaks: Vec<u32> = (1..n)
            .map(|k| k * (PANEL_GAP + plot_h + X_AXIS_ONLY))
            .collect();
        let areas = body.split_by_breakpoints::<u32, u32, _, _>([], breaks);

        let mut first: Option<(XAxis, i32)> = None;
        // Panels that show the same series (the usual case) share the first one's legend.
        let mut legends_shown: Vec<Vec<legend::Entry<'_>>> = Vec::new();
        for (i, (area, panel)) in areas.iter().zip(&self.panels).enumerate() {
            let last = i + 1 == self.panels.len();
            let entries = legend_entries(panel.panel);
            let entries = if legends_shown.contains(&entries) {
                Vec::new()
            } else {
                legends_shown.push(entries.clone());
                entries
            };
            let mut builder = ChartBuilder::on(area);
            builder
                .margin_left(MARGIN_LEFT)
                .margin_right(MARGIN_RIGHT)
                .margin_top(PANEL_GAP)
                .y_label_area_size(y_label_area)
                .x_label_area_size(if last { X_LABEL_AREA } else { X_AXIS_ONLY });
            let placed = if panel.panel.log_y {
                let mut chart = builder
                    .build_cartesian_2d(self.x.range(), panel.y.range().log_scale())
                    .map_err(err)?;
                self.draw_panel(root, &mut chart, panel, &entries, last, target)?
            } else {
                let mut chart = builder
                    .build_cartesian_2d(self.x.range(), panel.y.range())
                    .map_err(err)?;
                self.draw_panel(root, &mut chart, panel, &entries, last, target)?
            };
            first.get_or_insert(placed);
        }
        if let Some((axis, plot_top)) = first {
            annotation::draw(root, &notes, rows, &axis, header as i32, plot_top, target)?;
        }
        Ok(())
    }
}

impl Prepared<'_> {
    /// Title (shrunk or shortened to fit) and subtitle; returns the header height.
    fn draw_header<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> Result<u32, String> {
        let max_w = WIDTH - 2 * MARGIN_LEFT;
        let x = MARGIN_LEFT as i32;
        let mut y = HEADER_TOP;
        let (title, size) = style::fit(root, &self.chart.title, style::TITLE_SIZE, 26.0, max_w)?;
        let label = Label::new(size, &style::INK, HPos::Left, VPos::Top);
        text::draw(root, &title, (x, y), &label, target)?;
        y += style::TITLE_SIZE as i32 + 10;
        if let Some(sub) = self
            .chart
            .subtitle
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            let (sub, size) = style::fit(root, sub, style::SUBTITLE_SIZE, 20.0, max_w)?;
            let label = Label::new(size, &style::MUTED, HPos::Left, VPos::Top);
            text::draw(root, &sub, (x, y), &label, target)?;
            y += style::SUBTITLE_SIZE as i32 + 6;
        }
        Ok((y + 10) as u32)
    }

    /// Draws one panel; returns its x axis on the canvas and the top of its plot area.
    fn draw_panel<DB, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        panel: &PreparedPanel<'_>,
        entries: &[legend::Entry<'_>],
        last: bool,
        target: Target,
    ) -> Result<(XAxis, i32), String>
    where
        DB: DrawingBackend,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (x, y) = (self.x, panel.y);
        // plotters draws the grid, axis lines and tick marks; the labels are drawn below
        // through `text`, which places glyphs correctly in the PNG.
        let blank = |_: &f64| String::new();
        let custom = !self.chart.x_ticks.is_empty();
        let mut mesh = chart.configure_mesh();
        mesh.bold_line_style(style::GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(style::AXIS.stroke_width(2))
            .set_all_tick_mark_size(TICK_LENGTH)
            .x_labels(if custom { 0 } else { X_TICKS })
            .y_labels(Y_TICKS)
            .x_label_formatter(&blank)
            .y_label_formatter(&blank);
        if custom {
            mesh.disable_x_mesh();
        }
        mesh.draw().map_err(err)?;
        if custom {
            // Grid lines and tick marks at the given ticks.
            for (v, _) in self
                .chart
                .x_ticks
                .iter()
                .filter(|(v, _)| x.lo <= *v && *v <= x.hi)
            {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*v, y.lo), (*v, y.hi)],
                        style::GRID.stroke_width(1),
                    )))
                    .map_err(err)?;
                let (px, py) = chart.backend_coord(&(*v, y.lo));
                root.draw(&PathElement::new(
                    vec![(px, py), (px, py + TICK_LENGTH as i32)],
                    style::AXIS.stroke_width(2),
                ))
                .map_err(err)?;
            }
        }

        let (left, top) = chart.backend_coord(&(x.lo, y.hi));
        let (right, bottom) = chart.backend_coord(&(x.hi, y.lo));
        let axis = XAxis { x, left, right };
        let plot = Rect {
            left,
            top,
            right,
            bottom,
        };
        self.draw_axis_labels(root, chart, panel, plot, last, target)?;

        // Back to front: spans, markers, bands, lines, so data is never hidden.
        for s in &self.chart.spans {
            if let Some((a, b)) = annotation::clip_span(s, x) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y.lo), (b, y.hi)],
                        style::SPAN.mix(style::SPAN_ALPHA).filled(),
                    )))
                    .map_err(err)?;
            }
        }
        for m in &self.chart.markers {
            if annotation::marker_visible(m, x) {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(m.x, y.hi), (m.x, y.lo)],
                        annotation::DASH.0,
                        annotation::DASH.1,
                        style::MARKER.stroke_width(2),
                    ))
                    .map_err(err)?;
            }
        }
        for (i, runs) in panel.bands.iter().enumerate() {
            for run in runs {
                if let [(px, l, h)] = run.as_slice() {
                    // A band at a single x is an interval: draw it as a thick bar.
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(*px, *l), (*px, *h)],
                            palette(i).mix(0.35).stroke_width(10),
                        )))
                        .map_err(err)?;
                    continue;
                }
                // Each edge is thinned on its own: it is a polyline in pixels.
                let upper = thin(
                    &run.iter().map(|&(px, _, h)| (px, h)).collect::<Vec<_>>(),
                    |p| chart.backend_coord(p),
                );
                let lower = thin(
                    &run.iter().map(|&(px, l, _)| (px, l)).collect::<Vec<_>>(),
                    |p| chart.backend_coord(p),
                );
                let outline: Vec<(f64, f64)> =
                    upper.iter().chain(lower.iter().rev()).copied().collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        outline,
                        palette(i).mix(style::BAND_ALPHA).filled(),
                    )))
                    .map_err(err)?;
                // Thin edges in the series' colour: where bands overlap, the tints mix
                // but each band's edges stay traceable.
                for edge in [lower, upper] {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            edge,
                            palette(i).mix(0.6).stroke_width(1),
                        )))
                        .map_err(err)?;
                }
            }
        }
        for (i, runs) in panel.lines.iter().enumerate() {
            for run in runs {
                if let [point] = run.as_slice() {
                    // A lone point has no segment to draw; show it as a dot.
                    chart
                        .draw_series(std::iter::once(Circle::new(*point, 5, palette(i).filled())))
                        .map_err(err)?;
                } else {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            thin(run, |p| chart.backend_coord(p)),
                            palette(i).stroke_width(LINE_WIDTH),
                        )))
                        .map_err(err)?;
                }
            }
        }

        if !panel.has_data() {
            let label = Label::new(
                style::LEGEND_SIZE,
                &style::MUTED,
                HPos::Center,
                VPos::Center,
            );
            let centre = ((left + right) / 2, (top + bottom) / 2);
            text::draw(root, "no data", centre, &label, target)?;
        }
        if !entries.is_empty() {
            let samples = data_samples(chart, panel);
            legend::draw(root, plot, entries, &samples, target)?;
        }
        Ok((axis, top))
    }

    /// Tick labels and axis titles of one panel (x ones only under the last panel).
    fn draw_axis_labels<DB, Y>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
        panel: &PreparedPanel<'_>,
        plot: Rect,
        last: bool,
        target: Target,
    ) -> Result<(), String>
    where
        DB: DrawingBackend,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (x, y) = (self.x, panel.y);
        let tick_x = plot.left - (TICK_LENGTH + TICK_GAP) as i32;
        let label = Label::new(style::TICK_SIZE, &style::INK, HPos::Right, VPos::Center);
        let ticks = y_ticks(panel);
        for (v, s) in ticks.iter().zip(tick_labels(&ticks, panel.panel.log_y)) {
            let (_, py) = chart.backend_coord(&(x.lo, *v));
            text::draw(root, &s, (tick_x, py), &label, target)?;
        }
        let title_size = style::AXIS_LABEL_SIZE;
        let (title, title_size) = style::fit(
            root,
            &panel.panel.y_label,
            title_size,
            18.0,
            (plot.bottom - plot.top).max(1) as u32,
        )?;
        let label = Label::new(title_size, &style::INK, HPos::Center, VPos::Top).upward();
        let mid = (plot.top + plot.bottom) / 2;
        text::draw(root, &title, (MARGIN_LEFT as i32, mid), &label, target)?;

        if last {
            let (ticks, labels): (Vec<f64>, Vec<String>) = if self.chart.x_ticks.is_empty() {
                let t = RangedCoordf64::from(x.range()).key_points(BoldPoints(X_TICKS));
                let l = tick_labels(&t, false);
                (t, l)
            } else {
                self.chart
                    .x_ticks
                    .iter()
                    .filter(|(v, _)| x.lo <= *v && *v <= x.hi)
                    .cloned()
                    .unzip()
            };
            let label_y = plot.bottom + (TICK_LENGTH + TICK_GAP) as i32;
            let (canvas_w, _) = root.dim_in_pixel();
            for (v, s) in ticks.iter().zip(labels) {
                let (px, _) = chart.backend_coord(&(*v, y.lo));
                // Keep the label of a tick at the very right on the canvas.
                let half = text_width(root, &s, style::TICK_SIZE)? as i32 / 2;
                let px = px.min(canvas_w as i32 - 4 - half);
                let label = Label::new(style::TICK_SIZE, &style::INK, HPos::Center, VPos::Top);
                text::draw(root, &s, (px, label_y), &label, target)?;
            }
            let (title, size) = style::fit(
                root,
                &self.chart.x_label,
                style::AXIS_LABEL_SIZE,
                18.0,
                (plot.right - plot.left).max(1) as u32,
            )?;
            let label = Label::new(size, &style::INK, HPos::Center, VPos::Top);
            let at = ((plot.left + plot.right) / 2, label_y + X_TITLE_OFFSET);
            text::draw(root, &title, at, &label, target)?;
        }
        Ok(())
    }
}

/// The legend rows of a panel: its labelled series, in their palette colours.
fn legend_entries(panel: &Panel) -> Vec<legend::Entry<'_>> {
    panel
        .series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.label.trim().is_empty())
        .map(|(i, s)| legend::Entry {
            label: &s.label,
            color: palette(i),
            band: s.band.is_some(),
        })
        .collect()
}

/// Largest distance, in pixels, between a line as drawn and the line through all of its
/// points: below what a reader can see, and what lets a week of 10-minute steps over
/// eleven scenarios stay a small SVG.
const THIN_TOLERANCE_PX: f64 = 0.5;

/// The points of a polyline that matter on screen: Ramer-Douglas-Peucker on the
/// points' pixel positions (`to_px`) with [`THIN_TOLERANCE_PX`], keeping the first and
/// last point, so the drawn line never moves by more than half a pixel. Long series
/// (a week in 10-minute steps is 1,008 points across about 1,400 pixels) lose the
/// points that only repeat a pixel or sit on a straight stretch.
fn thin<P: Copy>(points: &[P], to_px: impl Fn(&P) -> (i32, i32)) -> Vec<P> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let px: Vec<(f64, f64)> = points
        .iter()
        .map(|p| {
            let (x, y) = to_px(p);
            (f64::from(x), f64::from(y))
        })
        .collect();
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    // An explicit stack instead of recursion: series can have many thousand points.
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (far, distance) = (a + 1..b)
            .map(|i| (i, distance_to_segment(px[i], px[a], px[b])))
            .fold((a, -1.0), |best, c| if c.1 > best.1 { c } else { best });
        if distance > THIN_TOLERANCE_PX {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// Distance from `p` to the segment `a`-`b` (to `a` when the segment is a point).
fn distance_to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / length2).clamp(0.0, 1.0)
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// Samples of where a panel's data is drawn, in canvas pixels, for placing the legend.
/// Lines are sampled every few pixels and weigh most; a band sample is a vertical extent
/// and weighs less, since a legend over a faint band hides less.
fn data_samples<DB, Y>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    panel: &PreparedPanel<'_>,
) -> Vec<legend::Sample>
where
    DB: DrawingBackend,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let px = |p: (f64, f64)| {
        let (x, y) = chart.backend_coord(&p);
        (f64::from(x), f64::from(y))
    };
    let point = |x: f64, y: f64, weight| legend::Sample {
        x: x as i32,
        top: y as i32,
        bottom: y as i32,
        weight,
    };
    let mut out = Vec::new();
    for run in panel.lines.iter().flatten() {
        let pts: Vec<(f64, f64)> = run.iter().map(|&p| px(p)).collect();
        if let [(x, y)] = pts.as_slice() {
            out.push(point(*x, *y, 1.0));
        }
        for seg in pts.windows(2) {
            let ((x0, y0), (x1, y1)) = (seg[0], seg[1]);
            let steps = ((x1 - x0).hypot(y1 - y0) / 4.0).ceil().clamp(1.0, 2000.0) as usize;
            for k in 0..=steps {
                let t = k as f64 / steps as f64;
                out.push(point(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, 1.0));
            }
        }
    }
    for run in panel.bands.iter().flatten() {
        for &(x, l, h) in run {
            let (bx, top) = px((x, h));
            let (_, bottom) = px((x, l));
            out.push(legend::Sample {
                x: bx as i32,
                top: top.min(bottom) as i32,
                bottom: top.max(bottom) as i32,
                weight: 0.3,
            });
        }
    }
    out
}

#[cfg(test)]
mod thin_tests {
    use super::{distance_to_segment, thin, THIN_TOLERANCE_PX};

    fn px(p: &(f64, f64)) -> (i32, i32) {
        (p.0.round() as i32, p.1.round() as i32)
    }

    #[test]
    fn a_straight_line_keeps_its_ends() {
        let line: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, 2.0 * i as f64)).collect();
        assert_eq!(thin(&line, px), vec![(0.0, 0.0), (999.0, 1998.0)]);
    }

    #[test]
    fn visible_wiggles_are_kept() {
        let zigzag: Vec<(f64, f64)> = (0..50)
            .map(|i| (i as f64 * 4.0, if i % 2 == 0 { 0.0 } else { 3.0 }))
            .collect();
        assert_eq!(thin(&zigzag, px), zigzag);
    }

    #[test]
    fn no_dropped_point_is_further_than_the_tolerance() {
        // A curve with a little noise: every point left out lies within half a pixel
        // of the segment of the thinned line that spans it, and the rounding of points
        // to pixels still leaves most points out.
        let curve: Vec<(f64, f64)> = (0..2000)
            .map(|i| {
                let x = i as f64 * 0.7;
                (
                    x,
                    300.0 * (x / 200.0).sin() + ((i * 7919) % 13) as f64 * 0.02,
                )
            })
            .collect();
        let kept = thin(&curve, px);
        assert!(kept.len() < curve.len() / 2, "kept {} points", kept.len());
        let mut k = 0;
        for p in &curve {
            while k + 1 < kept.len() && kept[k + 1].0 < p.0 {
                k += 1;
            }
            let (a, b) = (kept[k], kept[(k + 1).min(kept.len() - 1)]);
            let to = |q: &(f64, f64)| {
                let (x, y) = px(q);
                (f64::from(x), f64::from(y))
            };
            let d = distance_to_segment(to(p), to(&a), to(&b));
            assert!(d <= THIN_TOLERANCE_PX + 1e-9, "{p:?} is {d} px away");
        }
    }
}
