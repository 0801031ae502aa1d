//! Collecting every problem of a scenario before reporting any: each section's check
//! adds to one [`Violations`] list, so a user fixes a file in one pass, not one error at
//! a time.

use super::Camp;
use crate::error::{ScenarioError, Violation};
use std::path::Path;

/// The problems found so far, each with its key path.
#[derive(Default)]
pub(crate) struct Violations(Vec<Violation>);

impl Violations {
    /// Records a problem with `field` (a key path such as `rumor.appeal`).
    pub(crate) fn add(&mut self, field: &str, message: String) {
        self.0.push(Violation {
            field: field.to_string(),
            message,
        });
    }

    /// Checks that `name` is one of `camps`; returns its index.
    pub(crate) fn camp(&mut self, field: &str, name: &str, camps: &[Camp]) -> Option<u8> {
        let i = camps.iter().position(|c| c.name == name).map(|i| i as u8);
        if i.is_none() {
            let names: Vec<String> = camps.iter().map(|c| format!("\"{}\"", c.name)).collect();
            self.add(
                field,
                format!("\"{name}\" is not a camp; camps are {}", names.join(", ")),
            );
        }
        i
    }

    /// The camp index of an optional camp name (None when absent or unknown).
    pub(crate) fn opt_camp(
        &mut self,
        field: &str,
        name: Option<&str>,
        camps: &[Camp],
    ) -> Option<u8> {
        name.and_then(|n| self.camp(field, n, camps))
    }

    /// Checks that each `(name, value)` of `section` is a probability.
    pub(crate) fn probabilities(&mut self, section: &str, values: &[(&str, f64)]) {
        for &(f, x) in values {
            if !(0.0..=1.0).contains(&x) {
                self.add(
                    &format!("{section}.{f}"),
                    format!("{x} is out of range: allowed 0 to 1"),
                );
            }
        }
    }

    /// Checks that `x` is finite and within `lo..=hi`.
    pub(crate) fn range(&mut self, field: &str, x: f64, lo: f64, hi: f64) {
        if !(x.is_finite() && (lo..=hi).contains(&x)) {
            self.add(field, format!("{x} is out of range: allowed {lo} to {hi}"));
        }
    }

    /// Checks a name or label shown in files and charts: no control characters (a line
    /// break would split a CSV header or a chart title) and at most
    /// [`super::MAX_NAME_CHARS`] characters.
    pub(crate) fn label(&mut self, field: &str, text: &str) {
        let max = super::MAX_NAME_CHARS;
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            self.add(
                field,
                format!(
                    "{:?} contains the control character {c:?}: use printable text",
                    text
                ),
            );
        } else if text.chars().count() > max {
            self.add(
                field,
                format!("is {} characters long: at most {max}", text.chars().count()),
            );
        } else if text.trim().is_empty() {
            self.add(field, "is empty".into());
        }
    }

    /// Records the message of a failed check, if any.
    pub(crate) fn check(&mut self, field: &str, r: Result<(), String>) {
        if let Err(m) = r {
            self.add(field, m);
        }
    }

    /// Ok when nothing was found, else every violation at once.
    pub(crate) fn into_result(self, path: Option<&Path>) -> Result<(), ScenarioError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid {
                file: path.map(Path::to_path_buf).unwrap_or_default(),
                violations: self.0,
            })
        }
    }
}
