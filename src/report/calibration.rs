//! stub
use super::html::Document;
use super::Context;
use crate::error::ReportError;
use std::path::Path;

pub fn document(_dir: &Path, _ctx: &mut Context) -> Result<Document, ReportError> {
    Ok(Document::default())
}
