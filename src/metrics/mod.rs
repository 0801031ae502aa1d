//! Metrics: per-step records from the engine, per-run figures computed from them
//! ([`summary`]), the cascade tree's shape ([`cascade`]) and quantile bands across
//! replicates ([`bands`]).

pub mod bands;
pub mod cascade;
pub mod record;
pub mod summary;

pub use record::{CampCounts, CascadeEntry, StepRecord};
