//! Finding what is wrong, and where, when a scenario file does not deserialize or a
//! value is out of range: the key path of the offending value, the file of an
//! `extends` chain that set it, and its line there.
//!
//! The TOML parser reports the line of most errors itself, but not inside arrays of
//! tables such as `[[interventions]]` (an internally tagged enum is buffered before it
//! is read, so the error points at the first entry, or at line 1 of a merged file), and
//! never for values merged from a base file. [`locate`] finds the offending value by
//! deserializing smaller and smaller parts of the document: each top-level section
//! alone, each entry of an array alone, each key of a table alone (with the table's tag,
//! `kind` or `dist`, so that the variant is known). Errors about a missing field are
//! ignored while probing parts of a table, since a part lacks its siblings by design.

use serde::de::DeserializeOwned;
use std::fmt;
use std::path::PathBuf;

/// One segment of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// A key path such as `interventions[1].share`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct KeyPath(pub Vec<Seg>);

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl KeyPath {
    /// Parses a field as written in violations: `a.b[2].c` (keys without dots or
    /// brackets, as every scenario key is).
    pub(super) fn parse(field: &str) -> KeyPath {
        let mut segs = Vec::new();
        for part in field.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                segs.push(Seg::Key(key.to_string()));
            }
            while let Some(end) = rest.find(']') {
                if let Ok(n) = rest[1..end].parse() {
                    segs.push(Seg::Index(n));
                }
                rest = &rest[end + 1..];
            }
        }
        KeyPath(segs)
    }

    fn child(&self, s: Seg) -> KeyPath {
        let mut v = self.0.clone();
        v.push(s);
        KeyPath(v)
    }
}

/// A file of an `extends` chain, the scenario itself first, then its bases.
pub(super) struct Source {
    pub path: PathBuf,
    pub text: String,
    /// The file's own table (before merging).
    pub table: toml::Table,
}

/// Keys that select a variant of the table they are in, kept in every probe of a part
/// of the table.
const TAGS: [&str; 3] = ["kind", "dist", "model"];

/// The path of the first value that keeps `root` from deserializing as `T`, with the
/// deserializer's message about it; None if no single value is to blame.
pub(super) fn locate<T: DeserializeOwned>(root: &toml::Table) -> Option<(KeyPath, String)> {
    let top = KeyPath::default();
    for (k, v) in root {
        let path = top.child(Seg::Key(k.clone()));
        if let Err(e) = probe::<T>(&path, v.clone()) {
            return Some(descend::<T>(&path, v).unwrap_or((path, e)));
        }
    }
    None
}

/// Within a value that fails at `path`, the part to blame, if a part is.
fn descend<T: DeserializeOwned>(path: &KeyPath, value: &toml::Value) -> Option<(KeyPath, String)> {
    match value {
        toml::Value::Table(t) => {
            let tags: Vec<(&String, &toml::Value)> = t
                .iter()
                .filter(|(k, _)| TAGS.contains(&k.as_str()))
                .collect();
            // A bad tag (an unknown `kind`) is blamed on the tag itself, before the parts
            // that carry it along are probed.
            for &(k, v) in &tags {
                let part = toml::Table::from_iter([(k.clone(), v.clone())]);
                match probe::<T>(path, toml::Value::Table(part)) {
                    Err(e) if !e.starts_with("missing field") => {
                        return Some((path.child(Seg::Key(k.clone())), e));
                    }
                    _ => {}
                }
            }
            for (k, v) in t {
                if TAGS.contains(&k.as_str()) {
                    continue;
                }
                let mut part: toml::Table =
                    tags.iter().map(|&(k, v)| (k.clone(), v.clone())).collect();
                part.insert(k.clone(), v.clone());
                match probe::<T>(path, toml::Value::Table(part)) {
                    Err(e) if !e.starts_with("missing field") => {
                        let here = path.child(Seg::Key(k.clone()));
                        return Some(descend::<T>(&here, v).unwrap_or((here, e)));
                    }
                    _ => {}
                }
            }
            None
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let here = path.child(Seg::Index(i));
                if let Err(e) = probe::<T>(&here, item.clone()) {
                    return Some(descend::<T>(&here, item).unwrap_or((here, e)));
                }
            }
            None
        }
        _ => None,
    }
}

/// Deserializes a document holding only `value` at `path` (an index stands for a
/// one-element array).
fn probe<T: DeserializeOwned>(path: &KeyPath, value: toml::Value) -> Result<(), String> {
    let mut v = value;
    for seg in path.0.iter().rev() {
        v = match seg {
            Seg::Key(k) => toml::Value::Table(toml::Table::from_iter([(k.clone(), v)])),
            Seg::Index(_) => toml::Value::Array(vec![v]),
        };
    }
    T::deserialize(v)
        .map(|_| ())
        .map_err(|e| e.message().to_string())
}

/// The file of the chain that set the value at `path`: the first, from the scenario
/// itself down its bases, whose own table has it (tables merge key by key; any other
/// value, arrays included, is replaced whole, so the file that has the array owns its
/// entries).
pub(super) fn origin<'a>(chain: &'a [Source], path: &KeyPath) -> Option<&'a Source> {
    chain.iter().find(|s| has(&s.table, &path.0))
}

fn has(table: &toml::Table, segs: &[Seg]) -> bool {
    let Some(Seg::Key(k)) = segs.first() else {
        return false;
    };
    match (table.get(k), segs.get(1)) {
        (None, _) => false,
        (Some(toml::Value::Table(t)), Some(Seg::Key(_))) => has(t, &segs[1..]),
        (Some(_), _) => true,
    }
}

/// The 1-based line of the value at `path` in a TOML text (or of the nearest enclosing
/// item that has a position).
pub(super) fn line_of(text: &str, path: &KeyPath) -> Option<usize> {
    let doc = toml_edit::ImDocument::parse(text).ok()?;
    let mut item = doc.as_item();
    let mut best = None;
    for seg in &path.0 {
        let next = match seg {
            Seg::Key(k) => item.get(k.as_str()),
            Seg::Index(i) => item.get(*i),
        };
        let Some(next) = next else { break };
        item = next;
        if let Some(span) = item.span() {
            best = Some(span.start);
        }
    }
    best.map(|offset| text[..offset.min(text.len())].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioConfig;

    fn located(text: &str) -> (String, String) {
        let table: toml::Table = text.parse().unwrap();
        let (path, msg) = locate::<ScenarioConfig>(&table).expect("a culprit");
        (path.to_string(), msg)
    }

    #[test]
    fn finds_the_entry_and_field_in_an_array_of_tables() {
        let text = "[[interventions]]\nkind = \"fact_check\"\nat = \"6h\"\nsubscribers = 100\n\n\
                    [[interventions]]\nkind = \"moderation\"\nat = \"1h\"\nshare = \"x\"\ndelay = \"1h\"\n";
        let (path, msg) = located(text);
        assert_eq!(path, "interventions[1].share");
        assert!(msg.contains("invalid type"), "{msg}");
        assert_eq!(line_of(text, &KeyPath::parse(&path)), Some(9));
        let (path, msg) = located(&text.replace("share = \"x\"", "sahre = 0.3"));
        assert_eq!(path, "interventions[1].sahre");
        assert!(msg.contains("unknown field `sahre`"), "{msg}");
    }

    #[test]
    fn a_bad_tag_is_blamed_on_the_tag() {
        let (path, msg) = located("[[seeds]]\nchats = 2\nkind = \"politcal\"\n");
        assert_eq!(path, "seeds[0].kind");
        assert!(msg.contains("unknown variant"), "{msg}");
        let (path, _) = located("[[interventions]]\nkind = \"moderaton\"\nat = \"1h\"\n");
        assert_eq!(path, "interventions[0].kind");
    }

    #[test]
    fn a_missing_field_is_blamed_on_its_entry() {
        let (path, msg) = located("[[interventions]]\nkind = \"moderation\"\nat = \"1h\"\n");
        assert_eq!(path, "interventions[0]");
        assert!(msg.contains("missing field"), "{msg}");
    }

    #[test]
    fn finds_nested_values_and_distributions() {
        let (path, _) = located("[population.chats.family]\ntrust = \"high\"\n");
        assert_eq!(path, "population.chats.family.trust");
        let (path, _) =
            located("[population]\nskepticism = { dist = \"beta\", alpha = \"x\", beta = 2 }\n");
        assert_eq!(path, "population.skepticism.alpha");
    }

    #[test]
    fn key_paths_parse_and_print() {
        for s in [
            "rumor.appeal",
            "interventions[2].share",
            "simulation.markers[0].at",
            "seeds",
        ] {
            assert_eq!(KeyPath::parse(s).to_string(), s);
        }
    }

    #[test]
    fn origin_is_the_first_file_that_sets_the_value() {
        let src = |name: &str, text: &str| Source {
            path: PathBuf::from(name),
            text: text.to_string(),
            table: text.parse().unwrap(),
        };
        let chain = [
            src("variant.toml", "[rumor]\nvirality = 2\n"),
            src("base.toml", "[rumor]\nappeal = 1.5\n[[seeds]]\nusers = 0\n"),
        ];
        let at = |p: &str| origin(&chain, &KeyPath::parse(p)).map(|s| s.path.display().to_string());
        assert_eq!(at("rumor.virality").as_deref(), Some("variant.toml"));
        assert_eq!(at("rumor.appeal").as_deref(), Some("base.toml"));
        assert_eq!(at("seeds[0]").as_deref(), Some("base.toml"));
        assert_eq!(at("simulation.seed"), None);
    }
}
