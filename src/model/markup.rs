//! What Markdown text names, read without rendering it: heading ids (the same ids the
//! rendered pages carry), the anchors a `#fragment` may name, and the sources of HTML
//! images. Shared by the check stage (links in manuals) and the render stage.

use std::collections::{BTreeSet, HashSet};

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// The `src` of every `<img>` tag in a piece of HTML, with its byte range there.
pub fn image_sources(html: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<img") {
        let start = from + at;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(src_at) = tag.find(" src=").or_else(|| tag.find("\nsrc=")) {
            let value_at = start + src_at + 5;
            let quote = html[value_at..].chars().next();
            let (begin, stop) = match quote {
                Some(q @ ('"' | '\'')) => {
                    let begin = value_at + 1;
                    (begin, html[begin..end].find(q).map_or(end, |e| begin + e))
                }
                _ => (
                    value_at,
                    html[value_at..end]
                        .find(|c: char| c.is_whitespace() || c == '/')
                        .map_or(end, |e| value_at + e),
                ),
            };
            found.push((begin..stop, html[begin..stop].to_string()));
        }
        from = end;
    }
    found
}

/// The value of `name="…"` (or `'…'`, or unquoted) in one tag's text.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = lower[..start].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_at = tag.len() - rest.len() + 1;
        let value = tag[value_at..].trim_start();
        let found = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .next()
                .unwrap_or(""),
        };
        return Some(found.to_string()).filter(|v| !v.is_empty());
    }
    None
}

/// Every id a link's `#fragment` may name in the HTML of `markdown`: its headings'
/// ids (as [`to_html`] gives them) and the `id`s and `name`s of its own HTML.
pub fn anchors(markdown: &str) -> BTreeSet<String> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let events = add_heading_ids(Parser::new_ext(markdown, options).collect());
    let mut found = BTreeSet::new();
    for event in &events {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                found.insert(id.to_string());
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for name in ["id", "name"] {
                    let mut rest: &str = html;
                    while let Some(at) = rest.find('<') {
                        rest = &rest[at + 1..];
                        let end = rest.find('>').unwrap_or(rest.len());
                        if let Some(v) = attribute(&format!(" {}", &rest[..end]), name) {
                            found.insert(v);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// Gives every heading without an explicit `{#id}` an id made from its text, unique
/// within the document.
pub fn add_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = slugify(&text);
            let base = if base.is_empty() {
                "section".to_string()
            } else {
                base
            };
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            used.insert(candidate.clone());
            if let Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) = std::mem::replace(&mut events[i], Event::SoftBreak)
            {
                events[i] = Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(candidate)),
                    classes,
                    attrs,
                });
            }
        } else if let Event::Start(Tag::Heading { id: Some(id), .. }) = &events[i] {
            used.insert(id.to_string());
        }
        i += 1;
    }
    events
}

/// Lowercase words joined by dashes: `Site survey & roof` → `site-survey-roof`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug
}
