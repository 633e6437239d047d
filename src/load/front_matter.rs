//! Splits a Markdown file into front matter (TOML between `+++` fences or YAML between
//! `---` fences) and body, and parses the front matter into a typed record. Errors name
//! the file's line, counted from the top of the file.

use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};

use crate::config::toml_diagnostic;
use crate::error::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A file cut in two: the front matter text and the Markdown body.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub format: Format,
    pub front: &'a str,
    /// Line (1-based) of the first line of `front` in the file.
    pub front_line: usize,
    pub body: &'a str,
}

/// Cuts `text` at its front matter fences. A file without front matter is an error,
/// as is a fence that is never closed.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (format, fence) = if first_line(text) == "+++" {
        (Format::Toml, "+++")
    } else if first_line(text) == "---" {
        (Format::Yaml, "---")
    } else {
        return Err(Diagnostic::at(
            path,
            1,
            "expected front matter: a first line of `+++` (TOML) or `---` (YAML)",
        ));
    };
    let after_open = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = after_open;
    for line in text[after_open..].split_inclusive('\n') {
        if line.trim_end() == fence {
            let front = &text[after_open..offset];
            let body = &text[offset + line.len()..];
            return Ok(Split {
                format,
                front,
                front_line: 2,
                body,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::at(
        path,
        1,
        format!("front matter opened with `{fence}` is never closed"),
    ))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim_end()
}

/// Parses the front matter of `split` as `T`; line numbers count from the top of the file.
pub fn parse<T: DeserializeOwned>(path: &Path, split: &Split<'_>) -> Result<T, Diagnostic> {
    let offset = split.front_line - 1;
    match split.format {
        Format::Toml => {
            toml::from_str(split.front).map_err(|e| toml_diagnostic(path, split.front, &e, offset))
        }
        Format::Yaml => {
            if split.front.trim().is_empty() {
                // An empty YAML document is `null`; read it as an empty mapping.
                return serde_norway::from_str("{}")
                    .map_err(|e| Diagnostic::at(path, 1, e.to_string()));
            }
            serde_norway::from_str(split.front).map_err(|e| {
                let message = strip_yaml_location(&e.to_string());
                match e.location() {
                    Some(loc) => {
                        Diagnostic::at(path, loc.line() + offset, message).with_column(loc.column())
                    }
                    None => Diagnostic::at(path, split.front_line, message),
                }
            })
        }
    }
}

/// serde_norway appends " at line N column M"; the diagnostic carries that already.
fn strip_yaml_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The file line (1-based) of the top-level `key` (`key = …` in TOML, `key: …` in YAML),
/// if the front matter has one.
pub fn key_line(split: &Split<'_>, key: &str) -> Option<usize> {
    let sign = match split.format {
        Format::Toml => '=',
        Format::Yaml => ':',
    };
    split
        .front
        .lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(sign))
        })
        .map(|i| split.front_line + i)
}

/// The file lines (1-based) where each entry of the array `key` starts: `[[key]]` headers
/// in TOML, `- ` items under `key:` in YAML. Used to point errors at one decision or draw.
pub fn entry_lines(split: &Split<'_>, key: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let base = split.front_line;
    match split.format {
        Format::Toml => {
            let header = format!("[[{key}]]");
            for (i, line) in split.front.lines().enumerate() {
                let trimmed = line.trim();
                if trimmed == header {
                    lines.push(base + i);
                } else if lines.is_empty()
                    && trimmed.starts_with(key)
                    && trimmed[key.len()..].trim_start().starts_with('=')
                {
                    // An inline array: every entry points at its key.
                    lines.push(base + i);
                }
            }
        }
        Format::Yaml => {
            let mut inside = false;
            let mut item_indent = None;
            for (i, line) in split.front.lines().enumerate() {
                let indent = line.len() - line.trim_start().len();
                let trimmed = line.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                if indent == 0 && !trimmed.starts_with('-') {
                    inside = trimmed
                        .strip_prefix(key)
                        .is_some_and(|r| r.trim_start().starts_with(':'));
                    item_indent = None;
                    continue;
                }
                if inside && (trimmed.starts_with("- ") || trimmed == "-") {
                    let expected = *item_indent.get_or_insert(indent);
                    if indent == expected {
                        lines.push(base + i);
                    }
                }
            }
        }
    }
    lines
}

/// A calendar date in front matter: a TOML date (`2026-11-02`) or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FrontDate(pub Date);

impl<'de> Deserialize<'de> for FrontDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = FrontDate;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date like 2026-11-02")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<FrontDate, E> {
        parse_date(v).map(FrontDate).map_err(E::custom)
    }

    // TOML hands dates over as a one-entry map holding the datetime's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FrontDate, A::Error> {
        let Some((_, value)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("expected a date like 2026-11-02"));
        };
        parse_date(&value).map(FrontDate).map_err(de::Error::custom)
    }
}

/// Parses an ISO date `YYYY-MM-DD`, with a reason a person can act on.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    if text.len() != 10 {
        return Err(format!(
            "{text:?} is not a date like 2026-11-02 (a date without a time)"
        ));
    }
    text.parse::<Date>()
        .map_err(|_| format!("{text:?} is not a valid date like 2026-11-02"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Front {
        title: String,
        date: FrontDate,
    }

    #[test]
    fn toml_and_yaml_front_matter_read_the_same() {
        let p = Path::new("x.md");
        let t = "+++\ntitle = \"A\"\ndate = 2026-11-02\n+++\nbody\n";
        let y = "---\ntitle: A\ndate: 2026-11-02\n---\nbody\n";
        let a: Front = parse(p, &split(p, t).unwrap()).unwrap();
        let b: Front = parse(p, &split(p, y).unwrap()).unwrap();
        assert_eq!(a.title, b.title);
        assert_eq!(a.date, b.date);
        assert_eq!(split(p, t).unwrap().body, "body\n");
    }

    #[test]
    fn errors_count_lines_from_the_top_of_the_file() {
        let p = Path::new("x.md");
        let t = "+++\ntitle = \"A\"\ndate = 2026-11-02\nsize = 3\n+++\n";
        let e = parse::<Front>(p, &split(p, t).unwrap()).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        let y = "---\ntitle: A\ndate: 2026-13-02\n---\n";
        let e = parse::<Front>(p, &split(p, y).unwrap()).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
    }

    #[test]
    fn unclosed_fence_is_an_error() {
        let e = split(Path::new("x.md"), "+++\ntitle = 1\n").unwrap_err();
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn entry_lines_find_each_array_entry() {
        let p = Path::new("x.md");
        let t = "+++\ntitle = \"A\"\n[[draws]]\nrole = \"a\"\n[[draws]]\nrole = \"b\"\n+++\n";
        assert_eq!(entry_lines(&split(p, t).unwrap(), "draws"), vec![3, 5]);
        let y = "---\ntitle: A\ndraws:\n  - role: a\n    seats: 1\n  - role: b\nother: 1\n---\n";
        assert_eq!(entry_lines(&split(p, y).unwrap(), "draws"), vec![4, 6]);
    }
}
