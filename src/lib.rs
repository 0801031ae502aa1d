//! Grapevine: an agent-based simulator of how misinformation travels through closed
//! messaging groups (WhatsApp, Telegram, Messenger, Line).
//!
//! Data flows one way: [`scenario`] (a checked scenario file) -> [`population`] (users
//! and chats) -> [`engine`] (the step of the model) -> [`metrics`] (time series and
//! per-run figures) -> [`output`] (CSV, JSON, charts). The `grapevine` binary is a thin
//! command-line layer over this library.

pub mod cli;
pub mod duration;
pub mod engine;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod output;
pub mod plot;
pub mod population;
pub mod rng;
pub mod scenario;
pub mod simulation;
pub mod sweep;
pub mod validation;
