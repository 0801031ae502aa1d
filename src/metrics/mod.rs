//! Metrics: per-step records from the engine and the columns they are written as
//! ([`timeseries`]), per-run figures computed from them ([`summary`]), the cascade
//! tree's shape ([`cascade`]) and quantile bands across replicates ([`bands`]), and
//! the comparison of scenarios' figures against a first scenario, paired by replicate
//! where the random numbers are shared ([`comparison`]). Events that happen in some runs
//! only get probabilities with confidence intervals and paired differences
//! ([`probability`], on the functions of [`special`]); which events a run has, and their
//! probabilities, are in [`events`]; figures read at chosen times in [`at`]. What
//! observation windows saw is summarised by [`observation`].

pub mod at;
pub mod bands;
pub mod cascade;
pub mod comparison;
pub mod events;
pub mod labels;
pub mod observation;
pub mod probability;
pub mod special;
pub mod summary;
pub mod timeseries;

pub use crate::record::{CampCounts, CascadeEntry, StepRecord};
