//! Output: result folders written safely ([`dir`]) and the result files themselves
//! ([`files`]): time series, bands, summary, cascade, charts. Result folders are read
//! back by [`results`].

pub mod charts;
pub mod dir;
pub mod files;
pub mod results;
