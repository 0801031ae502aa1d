//! One cell of an imported row: the value of one field, checked and converted.
//!
//! The table readers (`tables.rs`, `edges.rs`) find a row's fields and call these
//! parsers on them; each returns the value or the reason it is refused, which the
//! reader turns into an [`ImportError::Row`](crate::error::ImportError::Row) with the
//! file and line it knows. A parser knows nothing of files, lines or ids: numbers in
//! [0, 1], fanouts, follower counts, booleans, chat kinds, camp names, and whether a
//! field is an integer (for the edge list's header rule). An empty cell is no value
//! ([`cell`]), so the caller falls back to the scenario.

use super::rows::Rows;
use crate::population::FANOUT_ALL;
use crate::scenario::{nearest, ChatKind};
use std::io::BufRead;

/// The non-empty cell of optional column `col`, if any.
pub(super) fn cell<R: BufRead>(rows: &Rows<R>, col: Option<usize>) -> Option<&[u8]> {
    col.map(|c| rows.field(c)).filter(|f| !f.is_empty())
}

/// A field as text, for messages and for parsers of text (invalid UTF-8 replaced).
fn show(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

/// A value in [0, 1], parsed as f32 directly so that written values read back exactly.
pub(super) fn parse_unit(name: &str, b: &[u8]) -> Result<f32, String> {
    let s = show(b);
    let x: f32 = s
        .parse()
        .map_err(|_| format!("{name} \"{s}\" is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{name} \"{s}\" is outside [0, 1]"))
    }
}

/// A fanout: a whole number from 1 to 65534, or `all` ([`FANOUT_ALL`]).
pub(super) fn parse_fanout(b: &[u8]) -> Result<u16, String> {
    let s = show(b);
    if s.eq_ignore_ascii_case("all") {
        return Ok(FANOUT_ALL);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..FANOUT_ALL as u32).contains(&n) => Ok(n as u16),
        _ => Err(format!(
            "fanout \"{s}\" must be a whole number from 1 to {}, or \"all\"",
            FANOUT_ALL - 1
        )),
    }
}

/// A follower count: a whole number that fits a u32.
pub(super) fn parse_followers(b: &[u8]) -> Result<u32, String> {
    let s = show(b);
    s.parse::<u32>().map_err(|_| {
        format!(
            "followers \"{s}\" must be a whole number from 0 to {}",
            u32::MAX
        )
    })
}

/// The `isolated` mark: exactly `true` or `false` (an empty cell is no value).
pub(super) fn parse_isolated(b: &[u8]) -> Result<bool, String> {
    match show(b).as_ref() {
        "true" => Ok(true),
        "false" => Ok(false),
        s => Err(format!("isolated \"{s}\" must be true or false (or empty)")),
    }
}

/// A chat kind by name (as [`ChatKind::parse`] reads it), with a hint when misspelt.
pub(super) fn parse_kind(b: &[u8]) -> Result<ChatKind, String> {
    let s = show(b);
    ChatKind::parse(&s).ok_or_else(|| {
        let names: Vec<&str> = ChatKind::ALL.iter().map(|k| k.name()).collect();
        let hint = nearest(&s, &names)
            .map(|n| format!("did you mean \"{n}\"? "))
            .unwrap_or_default();
        format!(
            "kind \"{s}\" is not a chat kind; {hint}kinds are {}",
            names.join(", ")
        )
    })
}

/// Whether a field is an integer: an optional sign and at least one digit.
pub(super) fn is_integer(b: &[u8]) -> bool {
    let d = b.strip_prefix(b"-").or(b.strip_prefix(b"+")).unwrap_or(b);
    !d.is_empty() && d.iter().all(u8::is_ascii_digit)
}

/// The index of camp `b` among the scenario's camp names.
pub(super) fn parse_camp(camp_names: &[String], b: &[u8]) -> Result<u8, String> {
    let s = show(b);
    match camp_names.iter().position(|c| *c == s) {
        Some(i) => Ok(i as u8),
        None => {
            let names: Vec<String> = camp_names.iter().map(|c| format!("\"{c}\"")).collect();
            Err(format!(
                "camp \"{s}\" is not a camp of the scenario; camps are {}",
                names.join(", ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::import::rows::Sep;

    #[test]
    fn unit_values_read_back_exactly_and_stay_in_range() {
        assert_eq!(parse_unit("trust", b"0"), Ok(0.0));
        assert_eq!(parse_unit("trust", b"1"), Ok(1.0));
        // As export writes an f32: the shortest text that reads back to the same value.
        assert_eq!(parse_unit("trust", b"0.31694853"), Ok(0.316_948_53_f32));
        assert_eq!(
            parse_unit("trust", b"1.5"),
            Err("trust \"1.5\" is outside [0, 1]".into())
        );
        assert_eq!(
            parse_unit("activity", b"-0"),
            Ok(-0.0),
            "negative zero is in range"
        );
        assert_eq!(
            parse_unit("activity", b"NaN"),
            Err("activity \"NaN\" is outside [0, 1]".into())
        );
        assert_eq!(
            parse_unit("skepticism", b"high"),
            Err("skepticism \"high\" is not a number".into())
        );
    }

    #[test]
    fn fanouts_and_followers() {
        assert_eq!(parse_fanout(b"1"), Ok(1));
        assert_eq!(parse_fanout(b"65534"), Ok(65534));
        assert_eq!(parse_fanout(b"ALL"), Ok(FANOUT_ALL));
        for bad in [&b"0"[..], b"65535", b"-1", b"2.5", b"many"] {
            let e = parse_fanout(bad).unwrap_err();
            assert!(
                e.ends_with("must be a whole number from 1 to 65534, or \"all\""),
                "{e}"
            );
        }
        assert_eq!(parse_followers(b"0"), Ok(0));
        assert_eq!(parse_followers(b"4294967295"), Ok(u32::MAX));
        assert_eq!(
            parse_followers(b"4294967296"),
            Err("followers \"4294967296\" must be a whole number from 0 to 4294967295".into())
        );
    }

    #[test]
    fn isolated_is_exactly_true_or_false() {
        assert_eq!(parse_isolated(b"true"), Ok(true));
        assert_eq!(parse_isolated(b"false"), Ok(false));
        assert_eq!(
            parse_isolated(b"True"),
            Err("isolated \"True\" must be true or false (or empty)".into())
        );
    }

    #[test]
    fn kinds_by_name_with_a_hint() {
        assert_eq!(parse_kind(b"Family"), Ok(ChatKind::Family));
        assert_eq!(parse_kind(b"direct"), Ok(ChatKind::Direct));
        assert_eq!(
            parse_kind(b"grup"),
            Err(
                "kind \"grup\" is not a chat kind; kinds are family, friends, work, \
                 community, political, broadcast, direct"
                    .into()
            )
        );
        let e = parse_kind(b"familly").unwrap_err();
        assert!(e.contains("did you mean \"family\"?"), "{e}");
    }

    #[test]
    fn camps_by_exact_name() {
        let names = ["left".to_string(), "right".to_string()];
        assert_eq!(parse_camp(&names, b"right"), Ok(1));
        assert_eq!(
            parse_camp(&names, b"Right"),
            Err(
                "camp \"Right\" is not a camp of the scenario; camps are \"left\", \"right\""
                    .into()
            )
        );
    }

    #[test]
    fn integers_for_the_header_rule() {
        for yes in [&b"0"[..], b"42", b"-7", b"+7", b"007"] {
            assert!(is_integer(yes), "{yes:?}");
        }
        for no in [&b""[..], b"-", b"1.0", b"1e3", b"x1", b" 1"] {
            assert!(!is_integer(no), "{no:?}");
        }
    }

    #[test]
    fn empty_and_absent_cells_are_no_value() {
        let mut rows = Rows::new("a,,c\n".as_bytes(), Sep::Comma, b"");
        rows.next().unwrap();
        assert_eq!(cell(&rows, Some(0)), Some(&b"a"[..]));
        assert_eq!(cell(&rows, Some(1)), None);
        assert_eq!(cell(&rows, Some(5)), None);
        assert_eq!(cell(&rows, None), None);
    }
}
