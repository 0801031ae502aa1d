//! Generated documentation: the column tables of `docs/model.md` are rendered here from
//! the tables the library writes its files with (`metrics::timeseries`,
//! `metrics::bands`, `metrics::summary::FIGURES`, `metrics::at`, `metrics::events`) and must equal the blocks between
//! `<!-- NAME:begin -->` and `<!-- NAME:end -->` in the document.
//!
//! After changing a column, run
//! `GRAPEVINE_UPDATE_DOCS=1 cargo test --test tests docs::` to rewrite the blocks, then
//! review the diff of `docs/model.md` like any other change.

use grapevine::metrics::at::{AtKind, AT_FIGURES, CAMP_AT_FIGURES};
use grapevine::metrics::bands::BAND_COLUMNS;
use grapevine::metrics::events::EVENTS;
use grapevine::metrics::summary::FIGURES;
use grapevine::metrics::timeseries::{self, Kind, CAMP_COLUMNS, TIMESERIES};
use grapevine::output::files::bands_header;
use std::path::PathBuf;

/// The document holding the generated tables.
fn model_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/model.md")
}

/// Whether to rewrite the blocks instead of failing.
fn updating() -> bool {
    std::env::var_os("GRAPEVINE_UPDATE_DOCS").is_some_and(|v| v != "0" && !v.is_empty())
}

/// A table cell: pipes escaped so a meaning cannot split the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// The columns of `timeseries.csv`, with the kinds explained first.
fn timeseries_block() -> String {
    let mut out = String::from("Kinds:\n\n");
    for k in Kind::ALL {
        out.push_str(&format!("- **{}**: {}\n", k.label(), k.meaning()));
    }
    out.push('\n');
    let fixed = TIMESERIES.iter().map(|c| {
        vec![
            format!("`{}`", c.name),
            c.kind.label().to_string(),
            c.unit.to_string(),
            c.meaning.to_string(),
        ]
    });
    let camps = CAMP_COLUMNS.iter().map(|c| {
        vec![
            format!("`{}_<camp>`", c.prefix),
            c.kind.label().to_string(),
            c.unit.to_string(),
            format!(
                "{}; one per camp, in `population.camps` order, only with two or more camps",
                c.meaning
            ),
        ]
    });
    out.push_str(&table(
        &["Column", "Kind", "Unit", "Definition"],
        fixed.chain(camps),
    ));
    out
}

/// The columns of `bands.csv`, read from the header the file is written with.
fn bands_block() -> String {
    let header = bands_header();
    let fields: Vec<&str> = header.split(',').collect();
    assert_eq!(fields[..2], ["step", "hours"]);
    let mut rows = vec![
        vec!["`step`".to_string(), "step index *t*, from 0".to_string()],
        vec![
            "`hours`".to_string(),
            "hours at the end of the step, as in `timeseries.csv`".to_string(),
        ],
    ];
    for (names, c) in fields[2..].chunks(3).zip(BAND_COLUMNS) {
        let expected = [format!("{c}_median"), format!("{c}_p5"), format!("{c}_p95")];
        assert_eq!(names, expected, "bands.csv header");
        rows.push(vec![
            format!("`{}`, `{}`, `{}`", names[0], names[1], names[2]),
            format!(
                "median, 5% and 95% quantile across replicates of the timeseries column `{c}` \
                 at the step"
            ),
        ]);
    }
    assert_eq!(fields.len(), 2 + 3 * BAND_COLUMNS.len(), "bands.csv header");
    table(&["Column", "Definition"], rows)
}

/// The per-run figures.
fn figures_block() -> String {
    table(
        &["Figure", "Unit", "Definition"],
        FIGURES.iter().map(|f| {
            vec![
                format!("`{}`", f.name),
                f.unit.to_string(),
                f.meaning.to_string(),
            ]
        }),
    )
}

/// The figures read at report times (`<figure>@<time>`) and the events.
fn at_events_block() -> String {
    let only_public = |p: bool| if p { " (only with `[public]`)" } else { "" };
    let at = AT_FIGURES.iter().map(|f| {
        vec![
            format!("`{}@<time>`", f.name),
            match f.kind {
                AtKind::Share => "share, 0 to 1".to_string(),
                AtKind::Flag => "event, 0 or 1".to_string(),
            },
            format!("{}{}", f.meaning, only_public(f.public_only)),
        ]
    });
    let camps = CAMP_AT_FIGURES.iter().map(|f| {
        vec![
            format!("`{}_<camp>@<time>`", f.prefix),
            "share, 0 to 1".to_string(),
            format!("{}; one per camp, only with two or more camps", f.meaning),
        ]
    });
    let events = EVENTS.iter().map(|e| {
        vec![
            format!("`{}`", e.name),
            "event, 0 or 1".to_string(),
            format!("{}{}", e.meaning, only_public(e.public_only)),
        ]
    });
    table(
        &["Column", "Values", "Definition"],
        at.chain(camps).chain(events),
    )
}

/// `text` with the block named `name` replaced by `content`, or a message saying why
/// it cannot be.
fn replace_block(text: &str, name: &str, content: &str) -> Result<String, String> {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let start = text
        .find(&begin)
        .ok_or_else(|| format!("no `{}` line", begin.trim_end()))?
        + begin.len();
    let stop = text[start..]
        .find(&end)
        .ok_or_else(|| format!("no `{end}` after `{}`", begin.trim_end()))?
        + start;
    Ok(format!("{}{content}{}", &text[..start], &text[stop..]))
}

/// The block named `name` in `text`, if both markers are there.
fn block<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let begin = format!("<!-- {name}:begin -->\n");
    let start = text.find(&begin)? + begin.len();
    let stop = text[start..].find(&format!("<!-- {name}:end -->"))? + start;
    Some(&text[start..stop])
}

/// Checks (or, when updating, rewrites) one generated block of `docs/model.md`.
fn check_block(name: &str, content: &str) {
    let path = model_md();
    let text = std::fs::read_to_string(&path).expect("read docs/model.md");
    if updating() {
        let new = replace_block(&text, name, content).unwrap_or_else(|e| panic!("{e}"));
        if new != text {
            std::fs::write(&path, new).expect("write docs/model.md");
        }
        return;
    }
    let found = block(&text, name).unwrap_or_else(|| {
        panic!("docs/model.md has no `<!-- {name}:begin -->` ... `<!-- {name}:end -->` block")
    });
    assert!(
        found == content,
        "docs/model.md's {name} table differs from the code.\n\
         Rewrite it with: GRAPEVINE_UPDATE_DOCS=1 cargo test --test tests docs::\n\
         --- in docs/model.md\n{found}\n--- from the code\n{content}"
    );
}

#[test]
fn timeseries_columns_table_matches_the_code() {
    check_block("timeseries", &timeseries_block());
}

#[test]
fn bands_columns_table_matches_the_code() {
    check_block("bands", &bands_block());
}

#[test]
fn run_figures_table_matches_the_code() {
    check_block("figures", &figures_block());
}

#[test]
fn figures_at_times_and_events_table_matches_the_code() {
    check_block("at-events", &at_events_block());
}

#[test]
fn band_columns_are_timeseries_counts() {
    for c in BAND_COLUMNS {
        let col = timeseries::column(c).unwrap_or_else(|| panic!("{c} is not a column"));
        assert!(
            matches!(col.value, timeseries::Value::Count(_)),
            "{c} is not read from the record"
        );
    }
}

#[test]
fn readme_points_to_the_generated_tables() {
    let readme = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(readme).expect("read README.md");
    assert!(readme.contains("docs/model.md#timeseries"));
}

#[test]
fn block_replacement_keeps_the_markers() {
    let text = "a\n<!-- x:begin -->\nold\n<!-- x:end -->\nb\n";
    let new = replace_block(text, "x", "new\n").unwrap();
    assert_eq!(new, "a\n<!-- x:begin -->\nnew\n<!-- x:end -->\nb\n");
    assert_eq!(block(&new, "x"), Some("new\n"));
    assert!(replace_block(text, "y", "").is_err());
}

/// `docs/analysis.md` quotes the printed output of its three commands between generated
/// markers, written by `scripts/analysis-examples.sh`, never by hand: each block holds
/// the command (one `grapevine` invocation) and what it printed.
#[test]
fn analysis_walkthrough_quotes_generated_output() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/analysis.md")).expect("read analysis.md");
    let script = std::fs::read_to_string(root.join("scripts/analysis-examples.sh"))
        .expect("read the script");
    for name in ["a", "b", "c"] {
        let block = block(&text, &format!("analysis-{name}"))
            .unwrap_or_else(|| panic!("no analysis-{name} block in docs/analysis.md"));
        let mut lines = block.lines();
        assert_eq!(lines.next(), Some("```text"), "analysis-{name}");
        let command = lines.next().unwrap_or_default();
        assert!(
            command.starts_with("$ grapevine "),
            "analysis-{name}: {command}"
        );
        // The quoted command is the one the script runs.
        let args = command.trim_start_matches("$ grapevine ");
        let first = args.split(" --").next().unwrap_or_default();
        assert!(script.contains(first), "analysis-{name}: {first}");
        assert!(
            lines.clone().count() > 3,
            "analysis-{name} is empty: run scripts/analysis-examples.sh"
        );
        assert_eq!(block.lines().last(), Some("```"), "analysis-{name}");
    }
}
