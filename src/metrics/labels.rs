//! Human labels for figures and events, with units, for every chart and table:
//! "Users reached (%)" rather than `final_reach_share`. Shares are shown as percent
//! everywhere ([`Label::scale`] is 100 for them).
//!
//! Figures are named as in files (`final_reach_share`, `reach_share@48h`,
//! `believers_share_left@election-day`, `press@6d`); the label of a figure at a time
//! says "by" the time's label (`Users reached by 48 h (%)`). A figure without a label
//! here (one added later to `FIGURES`) gets its name in words and its unit from
//! `FIGURES`, so nothing is ever shown without a label.

use super::events;
use super::summary::FIGURES;
use crate::scenario::report::{Report, ReportTime};

/// How to show a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// What it is, without unit: "Users reached".
    pub what: String,
    /// Unit for axis titles and headers: "%", "h", "users"; empty for none.
    pub unit: String,
    /// Multiply values by this to show them (100 for shares shown in percent).
    pub scale: f64,
    /// Values are hours (never a log axis by default).
    pub hours: bool,
    /// A 0/1 event outcome: shown as a probability.
    pub event: bool,
}

impl Label {
    /// "Users reached (%)".
    pub fn full(&self) -> String {
        if self.unit.is_empty() {
            self.what.clone()
        } else {
            format!("{} ({})", self.what, self.unit)
        }
    }
}

/// (name, what, unit) of the figures with their own label; shares are marked by the
/// unit "%".
const KNOWN: &[(&str, &str, &str)] = &[
    ("final_reach", "Users reached", "users"),
    ("final_reach_share", "Users reached", "%"),
    ("final_read", "Users who read the rumor", "users"),
    ("final_believers", "Believers", "users"),
    ("final_believers_share", "Believers", "% of users"),
    ("peak_believers", "Most believers at one time", "users"),
    ("hours_to_10pct", "Time to 10% of final reach", "h"),
    ("hours_to_50pct", "Time to 50% of final reach", "h"),
    ("hours_to_90pct", "Time to 90% of final reach", "h"),
    ("peak_hours", "Time of the fastest spread", "h"),
    ("deliveries", "Copies delivered", "copies"),
    ("posts", "Rumor posts", "posts"),
    ("cascade_depth", "Cascade depth", "hops"),
    ("max_breadth", "Cascade breadth", "users"),
    ("structural_virality", "Structural virality", ""),
    ("structural_virality_mean", "Mean structural virality", ""),
    ("cascade_trees", "Cascade trees", "trees"),
    (
        "final_correction_reached",
        "Users reached by the correction",
        "users",
    ),
    ("final_immune", "Immune users", "users"),
    ("final_corrected", "Corrected believers", "users"),
    ("public_posts", "Public posts", "posts"),
    ("public_reach", "Public impressions", "impressions"),
    (
        "hours_to_first_public_post",
        "Time to the first public post",
        "h",
    ),
    ("hours_to_press", "Time to press pickup", "h"),
    ("hours_to_crisis", "Time to crisis", "h"),
    ("reach_share", "Users reached", "%"),
    ("believers_share", "Believers", "% of users"),
    (
        "correction_reach_share",
        "Users reached by the correction",
        "%",
    ),
];

/// `final_reach_share` -> "Final reach share".
fn words(name: &str) -> String {
    let mut s = name.replace('_', " ");
    if let Some(c) = s.get(..1) {
        let up = c.to_uppercase();
        s.replace_range(..1, &up);
    }
    s
}

/// The time a figure is read at, from its `@id`, with the report's label for it.
fn time_label(id: &str, times: &[ReportTime]) -> String {
    times
        .iter()
        .find(|t| t.id == id)
        .map_or_else(|| id.to_string(), |t| t.label.clone())
}

/// The label of a figure or event by its column name. `report` gives the labels of
/// report times and extra events; camp figures name their camp.
pub fn label(name: &str, report: Option<&Report>) -> Label {
    let (base, at) = match name.split_once('@') {
        Some((b, t)) => (b, Some(t)),
        None => (name, None),
    };
    let times: &[ReportTime] = report.map_or(&[], |r| r.times.as_slice());
    let when = at.map(|t| format!(" by {}", time_label(t, times)));
    // Events: shown as a probability.
    let event_what = events::event(base)
        .map(|e| {
            if e.name == "outbreak" {
                let t = report.map_or("1%".to_string(), |r| r.outbreak.describe());
                format!("Outbreak (reach > {t})")
            } else {
                e.label.to_string()
            }
        })
        .or_else(|| {
            report
                .and_then(|r| r.events.iter().find(|e| e.name == base))
                .map(|e| e.text.clone())
        });
    if let Some(what) = event_what {
        return Label {
            what: format!("{what}{}", when.unwrap_or_default()),
            unit: "probability".into(),
            scale: 1.0,
            hours: false,
            event: true,
        };
    }
    let (what, unit) = match KNOWN.iter().find(|k| k.0 == base) {
        Some(&(_, w, u)) => (w.to_string(), u.to_string()),
        None => camp_label(base).unwrap_or_else(|| {
            let unit = FIGURES
                .iter()
                .find(|f| f.name == base)
                .map_or("", |f| f.unit);
            let unit = if unit.starts_with("share") { "%" } else { unit };
            (words(base), unit.to_string())
        }),
    };
    let share = unit.starts_with('%');
    Label {
        what: format!("{what}{}", when.unwrap_or_default()),
        scale: if share { 100.0 } else { 1.0 },
        hours: unit == "h",
        unit,
        event: false,
    }
}

/// `reach_share_left` -> ("Users reached in camp left", "% of the camp").
fn camp_label(base: &str) -> Option<(String, String)> {
    for (prefix, what) in [
        ("reach_share_", "Users reached"),
        ("believers_share_", "Believers"),
    ] {
        if let Some(camp) = base.strip_prefix(prefix) {
            return Some((
                format!("{what} in camp {camp}"),
                "% of the camp".to_string(),
            ));
        }
    }
    None
}

/// A parameter path as words when the sweep gives it no label:
/// `platform.forward_limit` -> "Forward limit", `interventions[0].at` ->
/// "Interventions\[0\] at".
pub fn parameter_words(path: &str) -> String {
    let last = path.rsplit('.').next().unwrap_or(path);
    let last = if last == "at" || last.starts_with('[') {
        path.replace('.', " ")
    } else {
        last.to_string()
    };
    words(&last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn figures_events_and_times_have_labels_with_units() {
        let scn = Scenario::from_toml_str(
            "[simulation]\n[[simulation.markers]]\nlabel = \"Election day\"\nat = \"6d\"\n\
             [report]\nat = [\"48h\", \"election-day\"]\nevents = [\"reach > 50%\"]\n",
            "t",
        )
        .unwrap();
        let r = Some(&scn.report);
        assert_eq!(label("final_reach_share", r).full(), "Users reached (%)");
        assert_eq!(label("final_reach_share", r).scale, 100.0);
        assert_eq!(
            label("reach_share@48h", r).full(),
            "Users reached by 48 h (%)"
        );
        assert_eq!(
            label("believers_share_left@election-day", r).full(),
            "Believers in camp left by Election day (% of the camp)"
        );
        let p = label("press@election-day", r);
        assert!(p.event && p.what == "Press pickup by Election day", "{p:?}");
        assert_eq!(label("outbreak", r).what, "Outbreak (reach > 1%)");
        assert_eq!(label("reach_above_50pct", r).what, "reach > 50%");
        assert!(label("hours_to_press", r).hours);
        assert_eq!(label("some_new_count", None).full(), "Some new count");
        assert_eq!(parameter_words("platform.forward_limit"), "Forward limit");
    }
}
