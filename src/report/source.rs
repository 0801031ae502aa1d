//! The result files a report quotes, read back with where each number comes from.

use super::html::Value;
use super::words;
use crate::error::ReportError;
use crate::metrics::labels::{label, Label};
use crate::scenario::report::{Report, ReportTime, Threshold};
use serde_json::Value as Json;
use std::path::Path;

/// Largest result file a report reads (`summary.json` of 10,000 replicates is a few MB).
const MAX_FILE_BYTES: u64 = 256 << 20;

/// Reads a text file a report needs, refusing anything but a regular file of sane size.
pub fn read_text(path: &Path) -> Result<String, ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ReportError::Format {
            path: path.to_path_buf(),
            message: "not a regular file".into(),
        });
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReportError::Format {
            path: path.to_path_buf(),
            message: format!("{} bytes, more than a result file has", meta.len()),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

/// A CSV file read into its header and rows of text fields.
#[derive(Clone, Debug, Default)]
pub struct CsvTable {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// Reads `path`; a row whose length differs from the header's is an error naming
    /// its line.
    pub fn read(path: &Path) -> Result<CsvTable, ReportError> {
        let text = read_text(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let format = |message: String| ReportError::Format {
            path: path.to_path_buf(),
            message,
        };
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| format(e.to_string()))?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format(e.to_string()))?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(CsvTable { header, rows })
    }

    /// Index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The field of `row` in column `name`.
    pub fn get<'a>(&'a self, row: &'a [String], name: &str) -> Option<&'a str> {
        self.column(name)
            .and_then(|i| row.get(i))
            .map(String::as_str)
    }

    /// The field of `row` in column `name` as a number (`NaN` and empty are `None`).
    pub fn number(&self, row: &[String], name: &str) -> Option<f64> {
        self.get(row, name)
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }
}

/// `summary.json` of a run, with the report section rebuilt for labels.
#[derive(Clone, Debug)]
pub struct SummaryFile {
    /// How the report names the file (`summary.json`, `brazil-2018/summary.json`).
    pub name: String,
    /// The whole file.
    pub json: Json,
    /// The scenario's report times and outbreak threshold, for labels.
    pub report: Report,
}

impl SummaryFile {
    /// Reads `path`, naming it `name` in the report.
    pub fn read(path: &Path, name: impl Into<String>) -> Result<SummaryFile, ReportError> {
        let text = read_text(path)?;
        let json: Json = serde_json::from_str(&text).map_err(|e| ReportError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let missing = ["aggregate", "runs", "scenario", "replicates", "users"]
            .into_iter()
            .find(|k| json.get(k).is_none());
        if let Some(k) = missing {
            return Err(ReportError::Format {
                path: path.to_path_buf(),
                message: format!("no \"{k}\": not a summary.json written by grapevine run"),
            });
        }
        let report = report_of(&json);
        Ok(SummaryFile {
            name: name.into(),
            json,
            report,
        })
    }

    /// A number at a JSON pointer (`/aggregate/final_reach/median`).
    pub fn number(&self, pointer: &str) -> Option<f64> {
        self.json.pointer(pointer).and_then(Json::as_f64)
    }

    /// A text at a JSON pointer.
    pub fn text(&self, pointer: &str) -> Option<&str> {
        self.json.pointer(pointer).and_then(Json::as_str)
    }

    /// Replicates.
    pub fn replicates(&self) -> u64 {
        self.number("/replicates").unwrap_or(0.0) as u64
    }

    /// Users in the population.
    pub fn users(&self) -> u64 {
        self.number("/users").unwrap_or(0.0) as u64
    }

    /// The label of a figure or event.
    pub fn label(&self, figure: &str) -> Label {
        label(figure, Some(&self.report))
    }

    /// The scenario's display name (its `label`, else its name).
    pub fn scenario_label(&self) -> String {
        self.text("/scenario/label")
            .or_else(|| self.text("/scenario_name"))
            .unwrap_or("scenario")
            .to_string()
    }

    /// An aggregate statistic (`median`, `p5`, `p95`) of a figure, traced to the file.
    pub fn aggregate(&self, figure: &str, stat: &str) -> Option<Value> {
        let v = self.number(&format!("/aggregate/{figure}/{stat}"))?;
        Some(words::figure_value(
            &self.label(figure),
            v,
            format!("{}:aggregate.{figure}.{stat}", self.name),
        ))
    }

    /// A value at a JSON pointer shown with `shown`, traced to the file.
    pub fn traced(&self, pointer: &str, shown: impl Fn(f64) -> String) -> Option<Value> {
        let v = self.number(pointer)?;
        Some(Value {
            shown: shown(v),
            exact: v,
            source: format!(
                "{}:{}",
                self.name,
                pointer.trim_start_matches('/').replace('/', ".")
            ),
        })
    }

    /// The entry of `events` named `name`, with its index.
    pub fn event(&self, name: &str) -> Option<(usize, &Json)> {
        self.json
            .get("events")?
            .as_array()?
            .iter()
            .enumerate()
            .find(|(_, e)| e.get("name").and_then(Json::as_str) == Some(name))
    }

    /// The horizon in hours.
    pub fn horizon_hours(&self) -> Option<f64> {
        let h = self.text("/scenario/simulation/horizon")?;
        crate::duration::parse(h).ok().map(|d| d.hours())
    }

    /// The calendar start, when the scenario has one.
    pub fn start(&self) -> Option<crate::duration::Timestamp> {
        self.text("/scenario/simulation/start")
            .and_then(|s| crate::duration::Timestamp::parse(s).ok())
    }
}

/// The report section of a `summary.json` (times and outbreak threshold), enough for
/// [`label`]; extra events keep their names.
fn report_of(json: &Json) -> Report {
    let mut report = Report::default();
    let Some(r) = json.get("report") else {
        return report;
    };
    if let Some(times) = r.get("times").and_then(Json::as_array) {
        report.times = times
            .iter()
            .filter_map(|t| {
                Some(ReportTime {
                    id: t.get("id")?.as_str()?.to_string(),
                    label: t.get("label")?.as_str()?.to_string(),
                    hours: t.get("hours")?.as_f64()?,
                    step: t.get("step").and_then(Json::as_u64).unwrap_or(0) as u32,
                })
            })
            .collect();
    }
    if let Some(o) = r.get("outbreak").and_then(Json::as_str) {
        let o = o.trim();
        if let Some(p) = o.strip_suffix('%') {
            if let Ok(v) = p.trim().parse::<f64>() {
                report.outbreak = Threshold::Share(v / 100.0);
            }
        } else if let Ok(v) = o.trim_end_matches("users").trim().parse::<f64>() {
            report.outbreak = Threshold::Users(v);
        }
    }
    report
}
