//! Output: result folders written safely ([`dir`]) and the result files themselves
//! ([`files`]): time series, bands, summary, cascade, charts. Result folders are read
//! back by [`results`]; `grapevine compare` writes its table, CSV and chart from them
//! ([`comparison`]).

pub mod charts;
pub mod comparison;
pub mod dir;
pub mod files;
pub mod results;
