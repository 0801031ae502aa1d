//! Grapevine: an agent-based simulator of how misinformation travels through closed
//! messaging groups (WhatsApp, Telegram, Messenger, Line).
//!
//! Data flows one way: [`scenario`] (a checked scenario file) -> [`population`] (users
//! and chats) -> [`engine`] (the step of the model) -> [`metrics`] (time series and
//! per-run figures) -> [`output`] (CSV, JSON, charts). The `grapevine` binary is a thin
//! command-line layer over this library.

pub mod duration;
pub mod error;
pub mod plot;
pub mod population;
pub mod rng;
pub mod scenario;
