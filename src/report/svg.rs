//! Charts inlined into a report: the `<stem>.svg` files Grapevine wrote beside the
//! results, made scalable and labelled for screen readers, and checked to reference
//! nothing outside the file.

use super::html::escape;
use std::path::Path;

/// Largest chart file inlined (a chart Grapevine writes is well under 1 MB; a bigger
/// file is not one of its charts).
const MAX_SVG_BYTES: u64 = 8 << 20;

/// Why a chart could not be inlined; the report shows this in its place.
pub type Problem = String;

/// Reads `path` and returns the SVG element to inline: the fixed `width` and `height`
/// removed (the stylesheet scales it to the page), `role="img"` with a `<title>` and a
/// `<desc>` (`alt`), and `id` prefixes unique within the report (`n`).
pub fn inline(path: &Path, n: usize, title: &str, alt: &str) -> Result<String, Problem> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_SVG_BYTES {
        return Err(format!(
            "{} is {size} bytes, more than the {MAX_SVG_BYTES} a chart may have",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    prepare(&text, n, title, alt).map_err(|why| format!("{}: {why}", path.display()))
}

/// [`inline`] on the text of an SVG file.
pub fn prepare(text: &str, n: usize, title: &str, alt: &str) -> Result<String, Problem> {
    let start = text
        .find("<svg")
        .ok_or_else(|| "no <svg> element".to_string())?;
    let body = &text[start..];
    if let Some(bad) = external_reference(body) {
        return Err(format!(
            "it references {bad}, which a self-contained report cannot"
        ));
    }
    let open_end = body
        .find('>')
        .ok_or_else(|| "unterminated <svg> tag".to_string())?;
    let open = &body[..open_end];
    let view_box = attribute(open, "viewBox")
        .or_else(|| {
            let (w, h) = (attribute(open, "width")?, attribute(open, "height")?);
            Some(format!("0 0 {w} {h}"))
        })
        .ok_or_else(|| "the <svg> element has neither viewBox nor size".to_string())?;
    let id = format!("chart-{n}");
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        escape(&view_box),
        escape(title),
        escape(alt),
        body[open_end + 1..].trim_end()
    ))
}

/// The value of `name="..."` in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let end = tag[at..].find('"')? + at;
    Some(tag[at..end].to_string())
}

/// The first thing in `svg` that would make a browser fetch or run something: links,
/// images, scripts, style imports, foreign content or `url(...)` outside the document.
fn external_reference(svg: &str) -> Option<String> {
    let lower = svg.to_ascii_lowercase();
    for bad in [
        "<script",
        "<image",
        "<foreignobject",
        "<use",
        "<a ",
        "href=",
        "@import",
        "javascript:",
    ] {
        if lower.contains(bad) {
            return Some(format!("\"{bad}\""));
        }
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let target = rest[at + 4..].trim_start_matches(['\'', '"', ' ']);
        if !target.starts_with('#') {
            return Some("a url(...) outside the file".into());
        }
        rest = &rest[at + 4..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHART: &str = "<svg width=\"1600\" height=\"900\" viewBox=\"0 0 1600 900\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"1600\" height=\"900\"/>\n</svg>\n";

    #[test]
    fn a_chart_becomes_scalable_and_labelled() {
        let svg = prepare(CHART, 3, "Reach <over> time", "Reach rises").unwrap();
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1600 900\" role=\"img\""
        ));
        assert!(!svg.contains("width=\"1600\" height=\"900\" viewBox"));
        assert!(svg.contains("<title id=\"chart-3-title\">Reach &lt;over&gt; time</title>"));
        assert!(svg.contains("<desc id=\"chart-3-desc\">Reach rises</desc>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn external_references_are_refused() {
        for bad in [
            "<svg viewBox=\"0 0 1 1\"><image href=\"http://x/y.png\"/></svg>",
            "<svg viewBox=\"0 0 1 1\"><script>alert(1)</script></svg>",
            "<svg viewBox=\"0 0 1 1\"><rect fill=\"url(http://x/p)\"/></svg>",
            "<svg viewBox=\"0 0 1 1\"><style>@import 'x.css';</style></svg>",
        ] {
            assert!(prepare(bad, 0, "t", "a").is_err(), "{bad}");
        }
        let local = "<svg viewBox=\"0 0 1 1\"><rect fill=\"url(#g)\"/></svg>";
        assert!(prepare(local, 0, "t", "a").is_ok());
    }

    #[test]
    fn size_without_view_box_is_used() {
        let svg = prepare("<svg width=\"10\" height=\"20\"></svg>", 0, "t", "a").unwrap();
        assert!(svg.contains("viewBox=\"0 0 10 20\""));
    }
}
