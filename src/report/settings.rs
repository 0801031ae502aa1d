//! The resolved scenario as tables a reader can check: platform rules, seeding,
//! interventions timeline and every setting grouped by section, from the scenario echo
//! in `summary.json` (every default filled in).

use super::html::{Block, Cell, Table};
use super::words;
use crate::duration::Timestamp;
use crate::metrics::labels::parameter_words;
use serde_json::Value as Json;

/// How platform rules read in a report, in the order shown.
const PLATFORM: &[(&str, &str)] = &[
    ("preset", "Platform preset"),
    ("group_cap", "Largest group (members)"),
    ("broadcast_cap", "Largest broadcast list (recipients)"),
    ("forward_limit", "Forward limit (chats per forward)"),
    (
        "label_hops",
        "\"Forwarded many times\" label from hop (0: no label)",
    ),
    (
        "labelled_forward_limit",
        "Forward limit of a labelled message (chats)",
    ),
    (
        "forwarded_group_limit",
        "Forwarded messages per group (2022 rule)",
    ),
];

/// Sections of the scenario shown as setting tables, with their titles.
const SECTIONS: &[(&str, &str)] = &[
    ("simulation", "Simulation"),
    ("population", "Population"),
    ("rumor", "Rumor"),
    ("belief", "Belief"),
    ("attention", "Attention"),
    ("sharing", "Sharing"),
    ("correction", "Correction"),
    ("public", "Public spill-over"),
    ("report", "Report times and events"),
];

/// A JSON value as a reader reads it: numbers as written, `null` as "none", a
/// distribution as `lognormal (median 6, sigma 0.5, min 3, max 40)`, lists joined.
pub fn show(v: &Json) -> String {
    match v {
        Json::Null => "none".into(),
        Json::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => s.clone(),
        Json::Array(items) if items.is_empty() => "none".into(),
        Json::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        Json::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .filter(|(k, v)| *k != "dist" && !v.is_null())
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), show(v)))
                .collect();
            match map.get("dist").and_then(Json::as_str) {
                Some(d) => format!("{d} ({})", parts.join(", ")),
                None => parts.join(", "),
            }
        }
    }
}

/// The platform rules in force.
pub fn platform_table(scenario: &Json) -> Option<Table> {
    let p = scenario.get("platform")?.as_object()?;
    let rows = PLATFORM
        .iter()
        .filter_map(|(k, what)| {
            let v = p.get(*k)?;
            Some(vec![
                Cell::from(*what),
                Cell::Number(show(v)),
                Cell::Code(format!("platform.{k}")),
            ])
        })
        .collect();
    Some(Table {
        caption: "Platform rules in force".into(),
        columns: vec!["Rule".into(), "Value".into(), "Setting".into()],
        rows,
        note: None,
    })
}

/// A time of the scenario as a reader wants it: `6h`, with the date when the scenario
/// has a calendar start (`6h (Mon 1 Oct 14:00)`).
pub fn when(at: &str, start: Option<Timestamp>) -> String {
    match (start, crate::duration::parse(at)) {
        (Some(s), Ok(d)) => format!(
            "{at} ({})",
            crate::output::charts::day_label(s.plus_hours(d.hours()), true)
        ),
        _ => at.to_string(),
    }
}

/// When an entry (seed wave, intervention) starts: its `at`, else its `when` condition.
fn entry_time(e: &Json, start: Option<Timestamp>) -> String {
    if let Some(at) = e.get("at").and_then(Json::as_str) {
        return when(at, start);
    }
    if let Some(w) = e.get("when").and_then(Json::as_str) {
        return format!("when {w}");
    }
    "\u{2013}".into()
}

/// The other settings of an entry, `key value` joined, skipping empty ones.
fn details(e: &Json, skip: &[&str]) -> String {
    e.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| !skip.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), show(v)))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// The seeding waves.
pub fn seeds_table(scenario: &Json, start: Option<Timestamp>) -> Option<Table> {
    let seeds = scenario.get("seeds")?.as_array()?;
    if seeds.is_empty() {
        return None;
    }
    Some(Table {
        caption: "Seeding: where and when the rumor is first posted".into(),
        columns: vec!["Wave".into(), "When".into(), "Where".into()],
        rows: seeds
            .iter()
            .enumerate()
            .map(|(i, s)| {
                vec![
                    Cell::Number(format!("{}", i + 1)),
                    Cell::Text(entry_time(s, start)),
                    Cell::Text(details(s, &["at", "when"])),
                ]
            })
            .collect(),
        note: None,
    })
}

/// The interventions in time order as written, with when each fired over the runs:
/// `fired[i]` holds intervention `i`'s firing hours in the runs where it fired.
pub fn interventions_table(
    scenario: &Json,
    start: Option<Timestamp>,
    fired: &[Vec<f64>],
    runs: usize,
) -> Option<Table> {
    let list = scenario.get("interventions")?.as_array()?;
    if list.is_empty() {
        return None;
    }
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, iv)| {
            let kind = iv
                .get("kind")
                .and_then(Json::as_str)
                .unwrap_or("intervention")
                .replace('_', " ");
            let hits = fired.get(i).map_or(&[][..], Vec::as_slice);
            let fired_text = if hits.is_empty() {
                format!("never (0 of {runs} runs)")
            } else {
                let median = crate::metrics::bands::Band::of(hits.iter().copied()).median;
                format!(
                    "median {} after the first post, in {} of {runs} runs",
                    words::duration(median),
                    hits.len()
                )
            };
            vec![
                Cell::Text(kind),
                Cell::Text(entry_time(iv, start)),
                Cell::Text(details(iv, &["kind", "at", "when"])),
                Cell::Text(fired_text),
            ]
        })
        .collect();
    Some(Table {
        caption: "Interventions timeline".into(),
        columns: vec![
            "Intervention".into(),
            "Starts".into(),
            "Settings".into(),
            "Fired".into(),
        ],
        rows,
        note: None,
    })
}

/// Chat kinds of a generated population, one row per kind.
fn chat_kinds_table(population: &Json) -> Option<Table> {
    let kinds = population.get("chats")?.as_object()?;
    let used: Vec<(&String, &Json)> = kinds.iter().filter(|(_, v)| !v.is_null()).collect();
    if used.is_empty() {
        return None;
    }
    let mut columns: Vec<String> = Vec::new();
    for (_, v) in &used {
        for k in v.as_object().into_iter().flat_map(|m| m.keys()) {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    Some(Table {
        caption: "Chat kinds of the population".into(),
        columns: std::iter::once("Kind".to_string())
            .chain(columns.iter().map(|c| parameter_words(c)))
            .collect(),
        rows: used
            .iter()
            .map(|(name, v)| {
                std::iter::once(Cell::Text((*name).clone()))
                    .chain(
                        columns
                            .iter()
                            .map(|c| Cell::Text(v.get(c).map(show).unwrap_or_default())),
                    )
                    .collect()
            })
            .collect(),
        note: None,
    })
}

/// Rows `(label, value, path)` of a section, nested objects flattened into paths.
fn flatten(prefix: &str, v: &Json, out: &mut Vec<Vec<Cell>>) {
    match v.as_object() {
        // An empty table (a `[report]` with nothing asked) has no setting to show.
        Some(map) if map.is_empty() => {}
        Some(map) if map.get("dist").is_none() => {
            for (k, child) in map {
                flatten(&format!("{prefix}.{k}"), child, out);
            }
        }
        _ => {
            let field = super::reference::lookup(prefix);
            out.push(vec![
                Cell::Code(prefix.to_string()),
                Cell::Text(show(v)),
                Cell::Text(field.map_or_else(String::new, |f| f.kind.clone())),
                Cell::Text(field.map_or_else(String::new, |f| f.meaning.clone())),
            ]);
        }
    }
}

/// Every setting of the scenario, one table per section.
pub fn settings_blocks(scenario: &Json) -> Vec<Block> {
    let mut out = Vec::new();
    for (key, title) in SECTIONS {
        let Some(section) = scenario.get(*key) else {
            continue;
        };
        if section.is_null() {
            continue;
        }
        let mut rows = Vec::new();
        match section.as_object() {
            Some(map) => {
                for (k, v) in map {
                    if *key == "population" && k == "chats" {
                        continue;
                    }
                    flatten(&format!("{key}.{k}"), v, &mut rows);
                }
            }
            None => flatten(key, section, &mut rows),
        }
        out.push(Block::Table(Table {
            caption: (*title).to_string(),
            columns: vec![
                "Setting".into(),
                "Value".into(),
                "Type and unit".into(),
                "Meaning (docs/scenario.md)".into(),
            ],
            rows,
            note: None,
        }));
        if *key == "population" {
            if let Some(t) = chat_kinds_table(section) {
                out.push(Block::Table(t));
            }
        }
    }
    out
}

/// The paths at which two resolved scenarios differ, with both values (what makes a
/// compared scenario different from the reference); names and labels are left out.
pub fn differences(reference: &Json, other: &Json) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    diff("", reference, other, &mut out);
    out.retain(|(p, _, _)| !matches!(p.as_str(), "name" | "label" | "description"));
    out
}

fn diff(path: &str, a: &Json, b: &Json, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y))
            if x.get("dist").is_none() && y.get("dist").is_none() =>
        {
            for (k, va) in x {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff(&p, va, y.get(k).unwrap_or(&Json::Null), out);
            }
            for (k, vb) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                diff(&p, &Json::Null, vb, out);
            }
        }
        _ if a == b => {}
        _ => out.push((path.to_string(), show(a), show(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_words() {
        assert_eq!(show(&json!(null)), "none");
        assert_eq!(
            show(&json!({"dist": "lognormal", "median": 6.0, "sigma": 0.5})),
            "lognormal (median 6.0, sigma 0.5)"
        );
        assert_eq!(show(&json!(["a", "b"])), "a, b");
    }

    #[test]
    fn differences_name_paths_and_both_values() {
        let a = json!({"name": "a", "platform": {"forward_limit": 20, "group_cap": 256}, "interventions": []});
        let b = json!({"name": "b", "platform": {"forward_limit": 5, "group_cap": 256}, "interventions": [{"kind": "ban"}]});
        assert_eq!(
            differences(&a, &b),
            // Paths in sorted key order (serde_json's maps).
            vec![
                (
                    "interventions".to_string(),
                    "none".to_string(),
                    "kind ban".to_string()
                ),
                (
                    "platform.forward_limit".to_string(),
                    "20".to_string(),
                    "5".to_string()
                ),
            ]
        );
    }
}
