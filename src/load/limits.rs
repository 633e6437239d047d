//! Limits on what one source may hold, so that a hostile or broken file costs a clear
//! error instead of gigabytes or minutes: the size of a text file, the length of a
//! ledger field, and how deeply Markdown, HTML and front matter may nest (their
//! parsers take quadratic time on deep nesting). Each check is one linear pass.

/// The largest Markdown, TOML or YAML source, in bytes.
pub const MAX_TEXT_BYTES: usize = 8 * 1024 * 1024;
/// The longest ledger field but a memo, in bytes (names, slugs, units, receipts).
pub const MAX_FIELD_BYTES: usize = 4 * 1024;
/// The longest ledger memo, in bytes.
pub const MAX_MEMO_BYTES: usize = 64 * 1024;
/// The deepest nesting of block quotes and lists, of HTML blocks, and of `[`/`{`.
pub const MAX_NESTING: usize = 64;

/// HTML elements that nest as blocks and are counted.
const NESTING_TAGS: [&str; 9] = [
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "section",
    "span",
    "details",
];

/// Why `text` is too large or nests too deeply, with the 1-based line, or `None`.
pub fn text_problem(text: &str) -> Option<(usize, String)> {
    if text.len() > MAX_TEXT_BYTES {
        return Some((
            1,
            format!(
                "the file is {} bytes; a text source may hold at most {MAX_TEXT_BYTES} (8 MiB)",
                text.len()
            ),
        ));
    }
    let mut brackets = 0usize;
    let mut html = 0usize;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if block_depth(line) > MAX_NESTING {
            return Some((
                line_no,
                format!("block quotes and lists nest more than {MAX_NESTING} deep"),
            ));
        }
        let bytes = line.as_bytes();
        for (at, &b) in bytes.iter().enumerate() {
            match b {
                b'[' | b'{' => brackets += 1,
                b']' | b'}' => brackets = brackets.saturating_sub(1),
                b'<' => {
                    let rest = &line[at + 1..];
                    let (closing, name) = match rest.strip_prefix('/') {
                        Some(name) => (true, name),
                        None => (false, rest),
                    };
                    let tag = name
                        .get(
                            ..name
                                .find(|c: char| !c.is_ascii_alphanumeric())
                                .unwrap_or(name.len()),
                        )
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if NESTING_TAGS.contains(&tag.as_str()) {
                        html = if closing {
                            html.saturating_sub(1)
                        } else {
                            html + 1
                        };
                    }
                }
                _ => {}
            }
            if brackets > MAX_NESTING {
                return Some((
                    line_no,
                    format!("brackets [ or {{ nest more than {MAX_NESTING} deep"),
                ));
            }
            if html > MAX_NESTING {
                return Some((
                    line_no,
                    format!("HTML elements nest more than {MAX_NESTING} deep"),
                ));
            }
        }
    }
    None
}

/// How many containers a line opens: `>` markers, list markers (`-`, `*`, `+`, `1.`,
/// `1)`) and every two columns of indentation before them.
fn block_depth(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut depth = 0;
    let mut spaces = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b' ' => spaces += 1,
            b'\t' => spaces += 4,
            b'>' => depth += 1,
            b'-' | b'*' | b'+' if bytes.get(at + 1).is_none_or(|b| *b == b' ') => depth += 1,
            b'0'..=b'9' => {
                let digits = bytes[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                match bytes.get(at + digits) {
                    Some(b'.' | b')') => {
                        depth += 1;
                        at += digits;
                    }
                    _ => break,
                }
            }
            _ => break,
        }
        at += 1;
    }
    depth + spaces / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_passes() {
        let text = "# Title\n\n- a\n  - b\n    1. c\n> quote\n> > deeper\n\n[link](x) {x}\n<div><div>x</div></div>\n";
        assert_eq!(text_problem(text), None);
    }

    #[test]
    fn deep_nesting_is_named_with_its_line() {
        let lists: String = (0..100)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        assert_eq!(text_problem(&lists).map(|p| p.0), Some(65));
        assert_eq!(
            text_problem(&format!("a\n{}x\n", ">".repeat(65))).map(|p| p.0),
            Some(2)
        );
        assert!(text_problem(&"<div>".repeat(65)).is_some());
        assert!(text_problem(&format!("---\nx: {}\n", "[".repeat(65))).is_some());
        assert!(text_problem(&"<div></div>".repeat(1000)).is_none());
    }
}
