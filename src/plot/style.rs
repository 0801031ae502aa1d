//! The house look shared by every chart: the series palette, neutral colours, font
//! sizes, and small helpers for measuring and fitting text.
//!
//! Sizes are in PNG pixels on a 1600-pixel-wide canvas; the SVG uses the same numbers as
//! user units, so both files look alike.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend, IntoFont, RGBColor, TextStyle};
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::FAMILY;

/// Okabe-Ito colours, reordered so the first ones are the most distinct on white and
/// yellow (hard to see as a thin line) comes last. Black is used as an ordinary series
/// colour; the chrome (text, axes) is dark grey, so it does not compete with it.
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

/// Paul Tol's "muted" colours, darker and greyer than Okabe-Ito, for series 9 to 16:
/// a comparison of up to sixteen scenarios never repeats a colour.
const TOL_MUTED: [RGBColor; 8] = [
    RGBColor(51, 34, 136),   // indigo
    RGBColor(136, 34, 85),   // wine
    RGBColor(17, 119, 51),   // green
    RGBColor(153, 153, 51),  // olive
    RGBColor(68, 170, 153),  // teal
    RGBColor(204, 102, 119), // rose
    RGBColor(136, 204, 238), // cyan
    RGBColor(221, 204, 119), // sand
];

/// Most series with distinct colours.
pub const DISTINCT_COLOURS: usize = OKABE_ITO.len() + TOL_MUTED.len();

/// Colour of series `i`: Okabe-Ito for the first eight (distinct for readers with the
/// common forms of colour blindness), then Tol's muted colours, wrapping after
/// `DISTINCT_COLOURS`. Series `i` of a panel always gets `palette(i)`, and its band
/// the same colour at 20% opacity, so a scenario keeps its colour across charts when
/// callers keep the series order.
pub fn palette(i: usize) -> RGBColor {
    let i = i % DISTINCT_COLOURS;
    if i < OKABE_ITO.len() {
        OKABE_ITO[i]
    } else {
        TOL_MUTED[i - OKABE_ITO.len()]
    }
}

/// Anchor colours of viridis (matplotlib's default colour map): perceptually uniform,
/// readable in greyscale and by colour-blind readers.
const VIRIDIS: [(f64, f64, f64); 8] = [
    (68.0, 1.0, 84.0),
    (70.0, 50.0, 127.0),
    (54.0, 92.0, 141.0),
    (39.0, 127.0, 143.0),
    (31.0, 162.0, 136.0),
    (74.0, 194.0, 110.0),
    (160.0, 219.0, 57.0),
    (254.0, 232.0, 37.0),
];

/// Viridis at `t` in 0..=1 (clamped; NaN gives the low end): dark purple to yellow.
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// True if dark text is more readable than white text on `c`.
pub(crate) fn is_light(c: RGBColor) -> bool {
    let RGBColor(r, g, b) = c;
    0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b) > 140.0
}

/// Opacity of a 5-95% band drawn in its series colour.
pub(crate) const BAND_ALPHA: f64 = 0.2;
/// Titles and labels.
pub(crate) const INK: RGBColor = RGBColor(33, 33, 33);
/// Subtitles, annotations, secondary text.
pub(crate) const MUTED: RGBColor = RGBColor(95, 95, 95);
/// Axis lines and tick marks.
pub(crate) const AXIS: RGBColor = RGBColor(110, 110, 110);
/// Grid lines: visible enough to read a value off, quiet enough not to look like data.
pub(crate) const GRID: RGBColor = RGBColor(226, 226, 226);
/// Markers (dashed vertical lines).
pub(crate) const MARKER: RGBColor = RGBColor(100, 100, 100);
/// Spans (shaded vertical regions), drawn at [`SPAN_ALPHA`].
pub(crate) const SPAN: RGBColor = RGBColor(120, 120, 120);
pub(crate) const SPAN_ALPHA: f64 = 0.13;

pub(crate) const TITLE_SIZE: f64 = 40.0;
pub(crate) const SUBTITLE_SIZE: f64 = 27.0;
pub(crate) const AXIS_LABEL_SIZE: f64 = 28.0;
pub(crate) const TICK_SIZE: f64 = 24.0;
pub(crate) const LEGEND_SIZE: f64 = 24.0;
pub(crate) const NOTE_SIZE: f64 = 23.0;
/// Values written inside heatmap cells.
pub(crate) const CELL_SIZE: f64 = 22.0;
/// Heatmap cells without a value.
pub(crate) const MISSING: RGBColor = RGBColor(236, 236, 236);

/// A text style in the chart font.
pub(crate) fn text(size: f64, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font())
        .color(color)
        .pos(Pos::new(h, v))
}

/// Width in pixels of `s` drawn at `size`.
pub(crate) fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    size: f64,
) -> Result<u32, String> {
    area.estimate_text_size(s, &text(size, &INK, HPos::Left, VPos::Top))
        .map(|(w, _)| w)
        .map_err(|e| e.to_string())
}

/// Fits `s` into `max_w` pixels: first by shrinking the font from `size` down to
/// `min_size`, then by cutting the text and ending it with an ellipsis. A long scenario
/// name then shortens the title instead of running off the image.
pub(crate) fn fit<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    size: f64,
    min_size: f64,
    max_w: u32,
) -> Result<(String, f64), String> {
    let mut sz = size;
    loop {
        if text_width(area, s, sz)? <= max_w {
            return Ok((s.to_string(), sz));
        }
        if sz - 2.0 < min_size {
            break;
        }
        sz -= 2.0;
    }
    // Binary search for the longest prefix that fits with an ellipsis: measuring is
    // the expensive part, and a pasted paragraph as a title must not take long.
    let chars: Vec<char> = s.chars().collect();
    let cut = |n: usize| chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text_width(area, &cut(mid), sz)? <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok((if lo == 0 { String::new() } else { cut(lo) }, sz))
}
