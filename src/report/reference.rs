//! What each scenario setting is, in words and units, for the report's scenario tables:
//! read from the field tables of `docs/scenario.md` (built into the binary), so the
//! report and the scenario reference can never disagree.
//!
//! The reference lists fields section by section (a heading naming the section, such
//! as the one of `[belief]`, or a lead line such as the one of `[public.press]`, and
//! `[population.chats.<kind>]` for every kind); each table row gives the field, its
//! type (with units: "number (logit units)", "duration") and its meaning. A setting's
//! entry is found by its section and field (`belief.trust_weight`); kinds and
//! other names in a path match the `<...>` placeholders of the reference.

use std::collections::HashMap;
use std::sync::OnceLock;

const SCENARIO_REFERENCE: &str = include_str!("../../docs/scenario.md");

/// A field of the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its type with units, as the reference gives it ("number (logit units)").
    pub kind: String,
    /// The first sentence of its meaning.
    pub meaning: String,
}

/// Fields by `section.field`, placeholders as written (`population.chats.<kind>.size`).
fn fields() -> &'static HashMap<String, Field> {
    static FIELDS: OnceLock<HashMap<String, Field>> = OnceLock::new();
    FIELDS.get_or_init(|| parse(SCENARIO_REFERENCE))
}

/// The reference's entry for a setting's path (`public.press.threshold`,
/// `population.chats.family.trust`, `attention.traffic.political`).
pub fn lookup(path: &str) -> Option<&'static Field> {
    let fields = fields();
    if let Some(f) = fields.get(path) {
        return Some(f);
    }
    // Try each component as a placeholder: `population.chats.family.trust` is
    // `population.chats.<kind>.trust`.
    let parts: Vec<&str> = path.split('.').collect();
    for i in 0..parts.len() {
        let mut p = parts.clone();
        p[i] = "<kind>";
        if let Some(f) = fields.get(&p.join(".")) {
            return Some(f);
        }
    }
    // An entry of a table-valued field (`sharing.stance_factor.for`) is described by
    // the field.
    match path.rsplit_once('.') {
        Some((parent, _)) if parent.contains('.') => lookup(parent),
        _ => None,
    }
}

/// Markdown inline markup removed: links keep their text, backticks go.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](") else {
            break;
        };
        let Some(close) = rest[open + mid..].find(')') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..open + mid]);
        rest = &rest[open + mid + close + 1..];
    }
    out.push_str(rest);
    out.replace('`', "").replace("**", "").trim().to_string()
}

/// The first sentence (up to the first ". " outside parentheses).
fn first_sentence(text: &str) -> String {
    let mut depth = 0i32;
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '.' if depth <= 0 && chars.get(i + 1).is_none_or(|n| *n == ' ') => {
                return chars[..=i].iter().collect();
            }
            _ => {}
        }
    }
    text.to_string()
}

/// The section a heading or lead line names: `### \`[belief]\`` -> `belief`,
/// `` `[public.press]`: when... `` -> `public.press`.
fn section_of(line: &str) -> Option<String> {
    let start = line.find("`[")?;
    let rest = &line[start + 1..];
    let end = rest.find("]`")?;
    let name = rest[..end].trim_matches(['[', ']']);
    (!name.is_empty()).then(|| name.to_string())
}

fn parse(text: &str) -> HashMap<String, Field> {
    let mut out = HashMap::new();
    let mut section: Option<String> = None;
    let mut columns: Option<(usize, usize, usize)> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') {
            columns = None;
            section = if t.contains("Top level") {
                Some(String::new())
            } else if t.contains("kind = \"") {
                // Intervention kinds: their fields are shown with each intervention.
                Some("interventions".into())
            } else {
                section_of(t).or(None)
            };
            continue;
        }
        if t.starts_with("`[") && t.contains("]`:") {
            section = section_of(t);
            columns = None;
            continue;
        }
        if !t.starts_with('|') {
            if !t.is_empty() {
                columns = None;
            }
            continue;
        }
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        if cells.first() == Some(&"Field") {
            let find = |name: &str| cells.iter().position(|c| c.eq_ignore_ascii_case(name));
            columns = match (find("Field"), find("Type"), find("Meaning")) {
                (Some(f), Some(ty), Some(m)) => Some((f, ty, m)),
                _ => None,
            };
            continue;
        }
        let (Some((f, ty, m)), Some(sec)) = (columns, &section) else {
            continue;
        };
        if cells.len() <= m.max(ty).max(f) || cells[f].starts_with("---") {
            continue;
        }
        let field = cells[f].trim_matches('`');
        if field.is_empty() || field.contains(' ') {
            continue;
        }
        let key = if sec.is_empty() {
            field.to_string()
        } else {
            format!("{sec}.{field}")
        };
        out.entry(key).or_insert_with(|| Field {
            kind: plain(cells[ty]),
            meaning: first_sentence(&plain(cells[m])),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_found_with_units_and_meaning() {
        let f = lookup("belief.trust_weight").expect("belief.trust_weight");
        assert_eq!(f.kind, "number (logit units)");
        assert!(
            f.meaning.starts_with("Logit gain per unit of chat trust"),
            "{}",
            f.meaning
        );
        assert!(lookup("public.press.threshold").is_some());
        assert!(lookup("population.chats.family.trust").is_some());
        assert!(lookup("simulation.horizon").is_some());
        assert!(lookup("platform.forward_limit").is_some());
        assert!(lookup("no.such.setting").is_none());
    }

    #[test]
    fn every_setting_of_a_resolved_scenario_is_in_the_reference() {
        // The scenario echo of summary.json, flattened as the report's tables are: a
        // setting the reference does not describe would be shown without a meaning.
        let scn = crate::scenario::Scenario::from_toml_str(
            "[public]\n[correction]\n[report]\nat = [\"1d\"]\n[[simulation.markers]]\nlabel = \"x\"\nat = \"1d\"\n",
            "t",
        )
        .unwrap();
        let json = serde_json::to_value(scn.to_config()).unwrap();
        let mut missing = Vec::new();
        fn walk(prefix: &str, v: &serde_json::Value, missing: &mut Vec<String>) {
            match v.as_object() {
                Some(m) if m.is_empty() => {}
                Some(m) if m.get("dist").is_none() => {
                    for (k, c) in m {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(&p, c, missing);
                    }
                }
                _ => {
                    if lookup(prefix).is_none() {
                        missing.push(prefix.to_string());
                    }
                }
            }
        }
        for section in [
            "simulation",
            "population",
            "platform",
            "rumor",
            "belief",
            "attention",
            "sharing",
            "correction",
            "public",
            "report",
        ] {
            // A section left out (null) is not shown either.
            if !json[section].is_null() {
                walk(section, &json[section], &mut missing);
            }
        }
        assert!(missing.is_empty(), "not in docs/scenario.md: {missing:?}");
    }

    #[test]
    fn markdown_is_made_plain() {
        assert_eq!(
            plain("integer [distribution](#3-distributions)"),
            "integer distribution"
        );
        assert_eq!(
            first_sentence("Mean number (of x. y). Then more."),
            "Mean number (of x. y)."
        );
    }
}
