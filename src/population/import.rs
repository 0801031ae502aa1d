//! Imported populations (stub until the importer lands).
use super::Population;
use crate::error::ImportError;
use crate::scenario::Scenario;
/// Builds a population from the files a scenario names.
pub fn import(scenario: &Scenario) -> Result<Population, ImportError> {
    Err(ImportError::File {
        file: scenario.base_dir(),
        reason: "importing is not available yet".into(),
    })
}
