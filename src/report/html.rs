//! The document a report is made of, and its rendering to one HTML file.
//!
//! Report builders (`run`, `comparison`, ...) fill a [`Document`] with
//! sections of paragraphs, tables and figures; [`render`] turns it into HTML with the
//! stylesheet inline. Every piece of text goes through [`escape`], so a scenario name
//! or label can never inject markup. Tables are real tables (`<caption>`, `<th
//! scope>`), figures carry a title and a text description for screen readers.

use std::fmt::Write as _;

/// A whole report.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// The page title and top heading.
    pub title: String,
    /// What kind of result this is ("Scenario run", "Comparison of 11 scenarios").
    pub kind: String,
    /// The scenario's description, when it has one.
    pub description: Option<String>,
    /// The plain-language summary on top.
    pub summary: Vec<Block>,
    /// Everything below the summary, in order.
    pub sections: Vec<Section>,
}

/// A titled part of the report, listed in the table of contents.
#[derive(Clone, Debug, Default)]
pub struct Section {
    /// Anchor (`id`) of the section: lower case, no spaces.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section.
    pub fn new(id: &str, title: impl Into<String>) -> Section {
        Section {
            id: id.to_string(),
            title: title.into(),
            blocks: Vec::new(),
        }
    }
}

/// One piece of a section.
#[derive(Clone, Debug)]
pub enum Block {
    /// A paragraph.
    Paragraph(Paragraph),
    /// A bulleted list of paragraphs.
    List(Vec<Paragraph>),
    /// A table.
    Table(Table),
    /// A chart.
    Figure(Figure),
    /// A sub-heading.
    Heading(String),
}

/// Text made of spans.
#[derive(Clone, Debug, Default)]
pub struct Paragraph(pub Vec<Span>);

impl Paragraph {
    /// A paragraph of plain text.
    pub fn text(s: impl Into<String>) -> Paragraph {
        Paragraph(vec![Span::Text(s.into())])
    }

    /// Appends plain text.
    pub fn push(&mut self, s: impl Into<String>) -> &mut Self {
        self.0.push(Span::Text(s.into()));
        self
    }

    /// Appends a figure shown as `shown`, whose exact value is kept in the markup.
    pub fn value(&mut self, v: Value) -> &mut Self {
        self.0.push(Span::Value(v));
        self
    }
}

/// A number quoted in the text or a table, with where it comes from.
///
/// The markup keeps the source (`data-source`, e.g. `summary.json:aggregate.final_reach_share.median`)
/// and the exact value (`data-value`) beside the rounded text a reader sees, so a
/// reader can trace every number and the tests can check it against the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What the reader sees: "38%".
    pub shown: String,
    /// The exact value in the source file's units (a share, not a percentage).
    pub exact: f64,
    /// File and path of the value.
    pub source: String,
}

/// A piece of a paragraph.
#[derive(Clone, Debug)]
pub enum Span {
    /// Plain text.
    Text(String),
    /// Emphasised text.
    Strong(String),
    /// A traced number.
    Value(Value),
    /// A link to a file beside the report (relative address).
    Link {
        /// Relative address.
        href: String,
        /// Visible text.
        text: String,
    },
    /// A name as written in a file (`rumor.appeal`).
    Code(String),
}

/// A table with a caption, a header row and rows whose first cell heads the row.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Caption (what the table shows, with units).
    pub caption: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows; each has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// A note printed under the table.
    pub note: Option<String>,
}

/// A table cell.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A number or range, right-aligned.
    Number(String),
    /// A traced number, right-aligned.
    Value(Value),
    /// A name as written in a file.
    Code(String),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// A chart inlined as SVG.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The SVG document, already checked by the report's `svg` module.
    pub svg: String,
    /// Short title (the chart's own title).
    pub title: String,
    /// What the chart shows, in words, for readers who cannot see it.
    pub alt: String,
    /// Caption under the chart: how to read it.
    pub caption: String,
    /// The image files beside the report (PNG for documents, SVG for editing).
    pub files: Vec<String>,
}

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = include_str!("report.css");

/// Tables with at most this many rows are not split across printed pages.
const SHORT_TABLE_ROWS: usize = 25;

/// The whole HTML page.
pub fn render(doc: &Document, provenance: &Table) -> String {
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Grapevine {}\">\n<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&doc.title),
        STYLE
    );
    let _ = writeln!(
        h,
        "<header>\n<p class=\"kind\">Grapevine report &middot; {}</p>\n<h1>{}</h1>",
        escape(&doc.kind),
        escape(&doc.title)
    );
    if let Some(d) = &doc.description {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", escape(d));
    }
    h.push_str("</header>\n");
    h.push_str("<section id=\"summary\" class=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Summary</h2>\n");
    blocks(&mut h, &doc.summary);
    h.push_str("</section>\n");
    if !doc.sections.is_empty() {
        h.push_str("<nav class=\"toc\" aria-label=\"Contents\">\n<h2>Contents</h2>\n<ol>\n");
        for s in &doc.sections {
            let _ = writeln!(
                h,
                "<li><a href=\"#{}\">{}</a></li>",
                escape(&s.id),
                escape(&s.title)
            );
        }
        h.push_str("<li><a href=\"#provenance\">Provenance</a></li>\n</ol>\n</nav>\n");
    }
    for s in &doc.sections {
        section(&mut h, s);
    }
    let prov = Section {
        id: "provenance".into(),
        title: "Provenance".into(),
        blocks: vec![Block::Table(provenance.clone())],
    };
    section(&mut h, &prov);
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn section(h: &mut String, s: &Section) {
    let _ = writeln!(
        h,
        "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{}</h2>",
        escape(&s.title),
        id = escape(&s.id)
    );
    blocks(h, &s.blocks);
    h.push_str("</section>\n");
}

fn blocks(h: &mut String, list: &[Block]) {
    for b in list {
        match b {
            Block::Paragraph(p) => paragraph(h, p),
            Block::List(items) => {
                h.push_str("<ul>\n");
                for p in items {
                    h.push_str("<li>");
                    spans(h, &p.0);
                    h.push_str("</li>\n");
                }
                h.push_str("</ul>\n");
            }
            Block::Table(t) => table(h, t),
            Block::Figure(f) => figure(h, f),
            Block::Heading(text) => {
                let _ = writeln!(h, "<h3>{}</h3>", escape(text));
            }
        }
    }
}

fn paragraph(h: &mut String, p: &Paragraph) {
    h.push_str("<p>");
    spans(h, &p.0);
    h.push_str("</p>\n");
}

fn spans(h: &mut String, spans: &[Span]) {
    for s in spans {
        match s {
            Span::Text(t) => h.push_str(&escape(t)),
            Span::Strong(t) => {
                let _ = write!(h, "<strong>{}</strong>", escape(t));
            }
            Span::Value(v) => value(h, v),
            Span::Link { href, text } => {
                let _ = write!(h, "<a href=\"{}\">{}</a>", escape(href), escape(text));
            }
            Span::Code(t) => {
                let _ = write!(h, "<code>{}</code>", escape(t));
            }
        }
    }
}

fn value(h: &mut String, v: &Value) {
    let _ = write!(
        h,
        "<data class=\"figure\" value=\"{}\" data-source=\"{}\">{}</data>",
        exact(v.exact),
        escape(&v.source),
        escape(&v.shown)
    );
}

/// The exact value as written in the markup: Rust's shortest round-trip form, so
/// parsing it gives back the same `f64` (infinities as `inf`, `-inf`).
fn exact(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        format!("{x:?}")
    }
}

fn table(h: &mut String, t: &Table) {
    // A short table is kept on one printed page, so its caption and header never sit
    // alone at the foot of a page; a long one breaks between rows, headers repeated.
    let class = if t.rows.len() <= SHORT_TABLE_ROWS {
        "table-wrap short"
    } else {
        "table-wrap"
    };
    let _ = writeln!(h, "<div class=\"{class}\">\n<table>");
    let _ = writeln!(h, "<caption>{}</caption>", escape(&t.caption));
    h.push_str("<thead><tr>");
    for (i, c) in t.columns.iter().enumerate() {
        let class = if i > 0
            && t.rows
                .iter()
                .all(|r| !matches!(r.get(i), Some(Cell::Text(_) | Cell::Code(_))))
        {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let (open, close) = if i == 0 {
                ("<th scope=\"row\"", "</th>")
            } else {
                ("<td", "</td>")
            };
            match c {
                Cell::Text(s) => {
                    let _ = write!(h, "{open}>{}{close}", escape(s));
                }
                Cell::Code(s) => {
                    let _ = write!(h, "{open}><code>{}</code>{close}", escape(s));
                }
                Cell::Number(s) => {
                    let _ = write!(h, "{open} class=\"num\">{}{close}", escape(s));
                }
                Cell::Value(v) => {
                    let _ = write!(h, "{open} class=\"num\">");
                    value(h, v);
                    h.push_str(close);
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if let Some(n) = &t.note {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(n));
    }
    h.push_str("</div>\n");
}

fn figure(h: &mut String, f: &Figure) {
    h.push_str("<figure>\n");
    h.push_str(&f.svg);
    let _ = write!(h, "\n<figcaption>{}", escape(&f.caption));
    if !f.files.is_empty() {
        h.push_str(" <span class=\"files\">Image files: ");
        for (i, file) in f.files.iter().enumerate() {
            if i > 0 {
                h.push_str(", ");
            }
            let _ = write!(h, "<a href=\"{}\">{}</a>", escape(file), escape(file));
        }
        h.push_str(".</span>");
    }
    h.push_str("</figcaption>\n</figure>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let doc = Document {
            title: "<script>alert(1)</script>".into(),
            kind: "run & more".into(),
            description: Some("\"quoted\" 'single'".into()),
            summary: vec![Block::Paragraph(Paragraph::text("a < b"))],
            sections: vec![Section {
                id: "s".into(),
                title: "T<".into(),
                blocks: vec![Block::Table(Table {
                    caption: "c>".into(),
                    columns: vec!["x&".into()],
                    rows: vec![vec![Cell::Text("<b>".into())]],
                    note: None,
                })],
            }],
        };
        let html = render(&doc, &Table::default());
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("run &amp; more"));
        assert!(html.contains("&quot;quoted&quot; &#39;single&#39;"));
    }

    #[test]
    fn exact_values_round_trip() {
        for x in [
            0.1 + 0.2,
            46243.0,
            1e-9,
            0.014325000000000001,
            f64::INFINITY,
        ] {
            assert_eq!(exact(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(exact(f64::NAN), "NaN");
    }
}
