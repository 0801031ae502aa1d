//! The one font every chart uses, embedded in the binary.
//!
//! plotters is built without system-font support (so the binary runs the same on a
//! headless server as on a laptop), which means no text can be measured or drawn until a
//! font is registered. [`ensure`] registers DejaVu Sans under [`FAMILY`] once per process;
//! the chart modules call it before creating a backend. SVG files name the same family,
//! so a viewer substitutes its own sans-serif face.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

/// Family name under which the embedded font is registered and that all text uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// DejaVu Sans, licensed as described in `assets/DejaVuSans.LICENSE`.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the embedded font, once. Returns a message if the font data is unusable,
/// which can only happen if the asset in the repository is corrupt.
pub(crate) fn ensure() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "the embedded font assets/DejaVuSans.ttf is not a valid font".into())
        })
        .clone()
}

/// The few metrics of the embedded font that plotters does not expose: enough to place
/// each glyph where the font says (see [`super::text`]).
pub(crate) struct Metrics {
    font: &'static [u8],
    /// Offset of the cmap format-4 subtable (Unicode BMP to glyph id).
    cmap4: usize,
    /// Offset of the hmtx table, and how many full (advance, bearing) records it has.
    hmtx: usize,
    long_metrics: usize,
    /// Ascent minus descent in font units: the rasteriser scales this to the font size.
    height_units: f64,
    /// Height of capital letters and depth of descenders, in font units.
    cap_units: f64,
    descent_units: f64,
}

impl Metrics {
    /// The embedded font's metrics, parsed once; `None` only if the asset is corrupt.
    pub(crate) fn get() -> Option<&'static Metrics> {
        static METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
        METRICS.get_or_init(|| Metrics::parse(DEJAVU_SANS)).as_ref()
    }

    fn parse(font: &'static [u8]) -> Option<Metrics> {
        let tables = usize::from(be_u16(font, 4)?);
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..tables).find_map(|i| {
                let rec = 12 + 16 * i;
                (font.get(rec..rec + 4)? == tag)
                    .then(|| be_u32(font, rec + 8).map(|o| o as usize))?
            })
        };
        let hhea = table(b"hhea")?;
        let ascent = f64::from(be_u16(font, hhea + 4)? as i16);
        let descent = f64::from(be_u16(font, hhea + 6)? as i16);
        let long_metrics = usize::from(be_u16(font, hhea + 34)?);
        let hmtx = table(b"hmtx")?;
        let cmap = table(b"cmap")?;
        let subtables = usize::from(be_u16(font, cmap + 2)?);
        let cmap4 = (0..subtables).find_map(|i| {
            let rec = cmap + 4 + 8 * i;
            let (platform, encoding) = (be_u16(font, rec)?, be_u16(font, rec + 2)?);
            let off = cmap + be_u32(font, rec + 4)? as usize;
            let unicode_bmp = (platform == 3 && encoding == 1) || platform == 0;
            (unicode_bmp && be_u16(font, off)? == 4).then_some(off)
        })?;
        let head = table(b"head")?;
        let em = f64::from(be_u16(font, head + 18)?);
        let mut metrics = Metrics {
            font,
            cmap4,
            hmtx,
            long_metrics,
            height_units: ascent - descent,
            cap_units: em * 0.7,
            descent_units: -descent,
        };
        // Cap height: OS/2 has it from version 2 on; older fonts (DejaVu's is version 1)
        // give it as the top of the outline of "H"; 70% of the em is the usual fallback.
        let os2_cap = table(b"OS/2")
            .filter(|&o| be_u16(font, o).is_some_and(|v| v >= 2))
            .and_then(|o| be_u16(font, o + 88));
        let h_top = || {
            let long_loca = be_u16(font, head + 50)? == 1;
            let (loca, glyf) = (table(b"loca")?, table(b"glyf")?);
            let g = metrics.glyph('H')?;
            let at = if long_loca {
                be_u32(font, loca + 4 * g)? as usize
            } else {
                2 * usize::from(be_u16(font, loca + 2 * g)?)
            };
            be_u16(font, glyf + at + 8)
        };
        if let Some(cap) = os2_cap.or_else(h_top) {
            metrics.cap_units = f64::from(cap as i16);
        }
        (ascent - descent > 0.0).then_some(metrics)
    }

    /// Height of a capital letter in pixels at plotters font size `size`.
    pub(crate) fn cap_height(&self, size: f64) -> f64 {
        self.cap_units * size / self.height_units
    }

    /// Depth of descenders (g, p, y) below the baseline in pixels at font size `size`.
    pub(crate) fn descent(&self, size: f64) -> f64 {
        self.descent_units * size / self.height_units
    }

    /// Distance in pixels from the pen position to the left edge of `c`'s outline, at
    /// plotters font size `size`. Zero for characters the font lacks.
    pub(crate) fn left_bearing(&self, c: char, size: f64) -> f64 {
        let units = self
            .glyph(c)
            .and_then(|g| {
                let at = if g < self.long_metrics {
                    self.hmtx + 4 * g + 2
                } else {
                    self.hmtx + 4 * self.long_metrics + 2 * (g - self.long_metrics)
                };
                be_u16(self.font, at)
            })
            .map_or(0.0, |v| f64::from(v as i16));
        units * size / self.height_units
    }

    /// Glyph id of `c` from the format-4 cmap (characters outside the BMP have none).
    fn glyph(&self, c: char) -> Option<usize> {
        let f = self.font;
        let c = u16::try_from(u32::from(c)).ok()?;
        let t = self.cmap4;
        let segs = usize::from(be_u16(f, t + 6)?) / 2;
        let ends = t + 14;
        let starts = ends + 2 * segs + 2;
        let deltas = starts + 2 * segs;
        let range_offsets = deltas + 2 * segs;
        // Segments are sorted by end code: find the first that ends at or after c.
        let (mut lo, mut hi) = (0, segs);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if be_u16(f, ends + 2 * mid)? < c {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let i = lo;
        if i >= segs {
            return None;
        }
        let start = be_u16(f, starts + 2 * i)?;
        if start > c {
            return None;
        }
        let delta = be_u16(f, deltas + 2 * i)?;
        let range_offset = usize::from(be_u16(f, range_offsets + 2 * i)?);
        let id = if range_offset == 0 {
            c.wrapping_add(delta)
        } else {
            let at = range_offsets + 2 * i + range_offset + 2 * usize::from(c - start);
            match be_u16(f, at)? {
                0 => 0,
                g => g.wrapping_add(delta),
            }
        };
        (id != 0).then_some(usize::from(id))
    }
}

fn be_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_parse_and_give_plausible_bearings() {
        let m = Metrics::get().expect("embedded font parses");
        assert_eq!(m.height_units, 1901.0 + 483.0);
        assert_eq!(m.cap_units, 1493.0);
        // 'H' has a clear left bearing; a space has none drawn; 'T' sits almost at the pen.
        let h = m.left_bearing('H', 100.0);
        assert!(h > 5.0 && h < 12.0, "{h}");
        assert!(m.left_bearing('T', 100.0).abs() < 2.0);
        assert_eq!(m.left_bearing('\u{1F600}', 100.0), 0.0);
    }
}
