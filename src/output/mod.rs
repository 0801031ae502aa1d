//! Output: result folders written safely ([`dir`]) and the result files themselves
//! ([`files`]): time series, bands, summary, cascade, charts.

pub mod charts;
pub mod dir;
pub mod files;
