//! Population generator (in progress).
