//! `SUMMARY.md`, the table of contents of an mdBook or GitBook handbook, read as the
//! list of its entries: nested lists of links (`- [Roles](roles/README.md)`), part
//! headings (`# Part one`, `## Getting started`), links outside a list (mdBook's
//! prefix chapters), separators (`---`), draft entries without a file (`[Later]()`).
//! The first heading before any entry is the file's own title (`# Summary`).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::config::line_column;

/// One linked entry of a table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The link as written: `roles/delegate.md`.
    pub destination: String,
    pub title: String,
    /// 0 for a top-level entry, 1 for one nested under it, …
    pub depth: usize,
    /// The part heading just before this entry, if any.
    pub part: Option<String>,
    /// Its line in `SUMMARY.md`.
    pub line: usize,
}

/// The linked entries of `text`, in order; draft entries (no file) are left out.
pub fn entries(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut lists = 0usize;
    let mut heading: Option<String> = None;
    let mut seen_heading = false;
    let mut part: Option<String> = None;
    let mut link: Option<(String, String, usize)> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::List(_)) => lists += 1,
            Event::End(TagEnd::List(_)) => lists = lists.saturating_sub(1),
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                let text = heading.take().unwrap_or_default().trim().to_string();
                // The first heading before any entry titles the file itself.
                if seen_heading || !entries.is_empty() {
                    part = Some(text).filter(|t| !t.is_empty());
                }
                seen_heading = true;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let (line, _) = line_column(text, range.start);
                link = Some((dest_url.to_string(), String::new(), line));
            }
            Event::End(TagEnd::Link) => {
                if let Some((destination, title, line)) = link.take()
                    && !destination.trim().is_empty()
                {
                    entries.push(Entry {
                        destination: destination.trim().to_string(),
                        title: title.trim().to_string(),
                        depth: lists.saturating_sub(1),
                        part: part.take(),
                        line,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, title, _)) = &mut link {
                    title.push_str(&t);
                } else if let Some(h) = &mut heading {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    entries
}

/// Numbers for entries at `depths`: `1`, `1.1`, `1.2`, `2`; a jump of more than one
/// level counts as one.
pub fn numbers(depths: &[usize]) -> Vec<(usize, String)> {
    let mut counters: Vec<usize> = Vec::new();
    depths
        .iter()
        .map(|&depth| {
            let depth = depth.min(counters.len());
            counters.truncate(depth + 1);
            if counters.len() == depth {
                counters.push(0);
            }
            counters[depth] += 1;
            let shown: Vec<String> = counters.iter().map(usize::to_string).collect();
            (depth, shown.join("."))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitbook_and_mdbook_summaries_are_read() {
        let text = "# Summary\n\n[Introduction](README.md)\n\n# Getting started\n\n\
                    - [Purpose & vision](purpose_&_vision.md)\n  \
                    - [Aims](aims.md)\n    - [Deep](deep.md)\n\
                    - [Draft]()\n\n---\n\n## Working together\n\n\
                    * [Coordination](coordination.md)\n";
        let got: Vec<(String, String, usize, Option<String>, usize)> = entries(text)
            .into_iter()
            .map(|e| (e.destination, e.title, e.depth, e.part, e.line))
            .collect();
        let want = [
            ("README.md", "Introduction", 0, None, 3),
            (
                "purpose_&_vision.md",
                "Purpose & vision",
                0,
                Some("Getting started"),
                7,
            ),
            ("aims.md", "Aims", 1, None, 8),
            ("deep.md", "Deep", 2, None, 9),
            (
                "coordination.md",
                "Coordination",
                0,
                Some("Working together"),
                16,
            ),
        ];
        let want: Vec<(String, String, usize, Option<String>, usize)> = want
            .iter()
            .map(|(d, t, depth, p, l)| {
                (
                    d.to_string(),
                    t.to_string(),
                    *depth,
                    p.map(str::to_string),
                    *l,
                )
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn numbers_follow_the_nesting() {
        let got: Vec<String> = numbers(&[0, 1, 1, 3, 0, 0])
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(got, ["1", "1.1", "1.2", "1.2.1", "2", "3"]);
    }
}
