//! Charts for reports: time charts (median and 5-95% band per scenario, with event
//! markers and shaded spans, over one or more stacked panels), parameter heatmaps for
//! sweeps, and tornado charts of sensitivity indices.
//!
//! This is the last stage of the pipeline: the output stage reads the files it has
//! written and fills a [`TimeChart`] or [`Heatmap`]; nothing here looks at engine state.
//! Every chart is written twice, as `<stem>.png` (1600 px wide, for pasting into
//! documents) and `<stem>.svg` (for editing and print), each appearing under its final
//! name only once complete. The font is embedded, so output does not depend on the fonts
//! installed on the machine.

mod annotation;
mod bars;
mod figure;
mod font;
mod heatmap;
mod legend;
mod scale;
mod style;
mod text;
mod time_chart;

pub use annotation::{Marker, Span};
pub use bars::{bar_chart_svg, draw_bar_chart, Bar, BarChart};
pub use heatmap::{draw_heatmap, Heatmap, MAX_CELLS_PER_AXIS};
pub(crate) use scale::format_number;
pub use style::palette;
pub use time_chart::{draw_time_chart, Panel, Series, TimeChart, MAX_PANELS};

#[cfg(test)]
mod tests;
