//! Reading scenario files: each file once, bounded in size, then parsed; a file that
//! `extends` a base is merged over it (recursively). Also the "did you mean" hints
//! added to the parser's messages.
//!
//! A scenario named on the command line may be a pipe (`grapevine run <(...)`,
//! `/dev/stdin`): it is read once, to its end or to [`MAX_SCENARIO_BYTES`]. A base
//! named by `extends` must be a regular file, so a FIFO without a writer cannot hang a
//! run and a device such as `/dev/zero` cannot fill memory.

use super::diagnose::Source;
use crate::error::ScenarioError;
use std::io::Read;
use std::path::Path;

/// Largest scenario file read, in bytes. Real scenarios are a few kilobytes.
pub const MAX_SCENARIO_BYTES: u64 = 1 << 20;

/// Deepest `extends` chain followed (a longer one is most likely a cycle).
const MAX_EXTENDS_DEPTH: u32 = 16;

/// A scenario file read and parsed, with its `extends` chain merged in.
pub(super) struct Loaded {
    /// The merged TOML table, without `extends`.
    pub value: toml::Value,
    /// The files read: the scenario itself first, then its bases in order. Messages
    /// use them to say which file set a value, and on which line.
    pub chain: Vec<Source>,
}

/// Reads the text of a scenario file once. `regular_only` refuses anything but a
/// regular file (for bases named by `extends`).
pub(super) fn read_text(path: &Path, regular_only: bool) -> Result<String, ScenarioError> {
    let io = |source| ScenarioError::Io {
        file: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(ScenarioError::parse(
            path,
            "is a folder, not a scenario file".into(),
        ));
    }
    if !meta.is_file() && regular_only {
        return Err(ScenarioError::parse(
            path,
            "is not a regular file (a pipe or device): a base scenario must be a file".into(),
        ));
    }
    if meta.is_file() && meta.len() > MAX_SCENARIO_BYTES {
        return Err(too_large(path));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_large(path));
    }
    String::from_utf8(bytes).map_err(|e| {
        ScenarioError::parse(
            path,
            format!(
                "is not a scenario: not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn too_large(path: &Path) -> ScenarioError {
    ScenarioError::parse(
        path,
        format!(
            "is larger than {} KiB: a scenario file is a few kilobytes of TOML",
            MAX_SCENARIO_BYTES / 1024
        ),
    )
}

/// Reads `path` and, if it `extends` a base, merges it over the base (recursively).
/// `regular_only` refuses a `path` that is not a regular file (a scenario named in
/// another file, such as a sweep's base), as every base named by `extends` is.
pub(super) fn load(path: &Path, regular_only: bool) -> Result<Loaded, ScenarioError> {
    let mut chain = Vec::new();
    let value = load_chain(path, None, regular_only, &mut chain)?;
    Ok(Loaded {
        value: toml::Value::Table(value),
        chain,
    })
}

/// Reads `path` (named by `extends` in `child`, if given) and its bases into `chain`;
/// returns its table merged over its bases, without `extends`.
fn load_chain(
    path: &Path,
    child: Option<&Path>,
    regular_only: bool,
    chain: &mut Vec<Source>,
) -> Result<toml::Table, ScenarioError> {
    if chain.len() as u32 > MAX_EXTENDS_DEPTH {
        return Err(ScenarioError::parse(
            child.unwrap_or(path),
            format!("`extends` chain is deeper than {MAX_EXTENDS_DEPTH} files (a cycle?)"),
        ));
    }
    let text = read_text(path, regular_only || child.is_some())?;
    let mut table = parse_table(path, &text, child)?;
    let base = table.remove("extends");
    chain.push(Source {
        path: path.to_path_buf(),
        text,
        table: table.clone(),
    });
    let Some(base) = base else {
        return Ok(table);
    };
    let Some(base) = base.as_str() else {
        return Err(ScenarioError::parse(
            path,
            "`extends` must be a file name (a string)".into(),
        ));
    };
    let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
    let mut merged = load_chain(&base_path, Some(path), true, chain)?;
    // A variant has its own name (and label) unless it sets one: a variant showing
    // its base's label would be indistinguishable from it on charts.
    merged.remove("name");
    merged.remove("label");
    let mut merged = toml::Value::Table(merged);
    merge(&mut merged, toml::Value::Table(table));
    match merged {
        toml::Value::Table(t) => Ok(t),
        _ => unreachable!("merging two tables gives a table"),
    }
}

/// Parses TOML text as a table; a base that does not parse is said not to be a
/// scenario, naming the file that extends it.
fn parse_table(
    path: &Path,
    text: &str,
    child: Option<&Path>,
) -> Result<toml::Table, ScenarioError> {
    text.parse::<toml::Table>().map_err(|e| match child {
        None => ScenarioError::parse(path, e.to_string()),
        Some(child) => ScenarioError::parse(
            path,
            format!(
                "is not a scenario (named by `extends` in {}): {}",
                child.display(),
                first_line(&e.to_string())
            ),
        ),
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Deep-merges tables; any other value (including arrays) in `over` replaces the base.
/// A distribution (a table with a `dist` key) is replaced whole, so a variant can
/// switch from one distribution to another.
pub(super) fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) if !o.contains_key("dist") => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Adds "did you mean `x`?" to serde's unknown field/variant messages.
pub fn with_suggestion(message: &str) -> String {
    for marker in ["unknown field `", "unknown variant `"] {
        let Some(start) = message.find(marker) else {
            continue;
        };
        let rest = &message[start + marker.len()..];
        let Some(end) = rest.find('`') else { continue };
        let unknown = &rest[..end];
        let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
        if let Some(best) = nearest(unknown, &expected) {
            return format!("{}\n  did you mean `{best}`?", message.trim_end());
        }
    }
    message.to_string()
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_overrides_nested_values() {
        let mut base: toml::Value = toml::from_str("[a]\nx = 1\ny = 2\n").unwrap();
        let over: toml::Value = toml::from_str("[a]\ny = 3\n").unwrap();
        merge(&mut base, over);
        assert_eq!(base["a"]["x"].as_integer(), Some(1));
        assert_eq!(base["a"]["y"].as_integer(), Some(3));
    }
}
