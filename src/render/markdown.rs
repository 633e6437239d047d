//! Markdown → sanitized HTML: CommonMark with tables, footnotes, strikethrough, task
//! lists and heading anchors; then `ammonia`, so content (a remixed manual included)
//! cannot inject script.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Renders Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
    to_html_with_links(markdown, |_| None)
}

/// Renders Markdown to safe HTML; `rewrite_link` may replace a link's destination
/// (e.g. `02-wiring.md` → the chapter's URL).
pub fn to_html_with_links(markdown: &str, rewrite_link: impl Fn(&str) -> Option<String>) -> String {
    if !MEMO_ON.load(Ordering::Relaxed) {
        return convert(markdown, &rewrite_link);
    }
    if let Some(html) = memo().recall(markdown, &rewrite_link) {
        return html;
    }
    let asked = RefCell::new(Vec::new());
    let html = convert(markdown, &|dest: &str| {
        let answer = rewrite_link(dest);
        asked.borrow_mut().push((dest.to_string(), answer.clone()));
        answer
    });
    memo().store(markdown, asked.into_inner(), &html);
    html
}

/// Remember conversions from now on (`tally serve`: a rebuild converts only the Markdown
/// that changed). Off by default: a one-off build gains nothing from it.
pub fn remember_conversions(on: bool) {
    MEMO_ON.store(on, Ordering::Relaxed);
}

/// Forgets the conversions not used since the previous call, so that the memo holds
/// what the current site uses and no more.
pub fn forget_unused_conversions() {
    let mut memo = memo();
    memo.entries.retain(|_, e| e.used);
    for e in memo.entries.values_mut() {
        e.used = false;
    }
}

static MEMO_ON: AtomicBool = AtomicBool::new(false);
static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(Mutex::default);

fn memo() -> std::sync::MutexGuard<'static, Memo> {
    MEMO.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Conversions by Markdown text. The answer of the link rewriter for every link is kept
/// too: a conversion is reused only if the rewriter still gives the same answers.
#[derive(Default)]
struct Memo {
    entries: HashMap<String, Remembered>,
}

struct Remembered {
    links: Vec<(String, Option<String>)>,
    html: String,
    used: bool,
}

impl Memo {
    fn recall(
        &mut self,
        markdown: &str,
        rewrite_link: &impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let entry = self.entries.get_mut(markdown)?;
        let same = entry
            .links
            .iter()
            .all(|(dest, answer)| rewrite_link(dest) == *answer);
        if !same {
            return None;
        }
        entry.used = true;
        Some(entry.html.clone())
    }

    fn store(&mut self, markdown: &str, links: Vec<(String, Option<String>)>, html: &str) {
        self.entries.insert(
            markdown.to_string(),
            Remembered {
                links,
                html: html.to_string(),
                used: true,
            },
        );
    }
}

fn convert(markdown: &str, rewrite_link: &dyn Fn(&str) -> Option<String>) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options)
        .map(|event| match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = match rewrite_link(&dest_url) {
                    Some(new) => CowStr::from(new),
                    None => dest_url,
                };
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            // A task-list box is a statement, not a control: it says what it states.
            Event::TaskListMarker(done) => Event::InlineHtml(CowStr::from(if done {
                "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
            } else {
                "<input type=\"checkbox\" disabled aria-label=\"not done\"> "
            })),
            other => other,
        })
        .collect();
    let events = add_heading_ids(events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// Gives every heading without an explicit `{#id}` an id made from its text, unique
/// within the document.
fn add_heading_ids(mut events: Vec<Event<'_>>) -> Vec<Event<'_>> {
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

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    let headings = ["h1", "h2", "h3", "h4", "h5", "h6"];
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    for h in headings {
        tag_attributes.insert(h, HashSet::from(["id"]));
    }
    tag_attributes.insert(
        "input",
        HashSet::from(["type", "checked", "disabled", "aria-label"]),
    );
    tag_attributes.insert("div", HashSet::from(["id"]));
    tag_attributes.insert("li", HashSet::from(["id"]));
    tag_attributes.insert("code", HashSet::from([]));
    tag_attributes.insert("th", HashSet::from(["style"]));
    tag_attributes.insert("td", HashSet::from(["style"]));
    b.add_tags(["input"]);
    b.add_tag_attributes("a", ["id"]);
    for (tag, attrs) in tag_attributes {
        b.add_tag_attributes(tag, attrs);
    }
    b.add_allowed_classes("div", ["footnote-definition"]);
    b.add_allowed_classes("sup", ["footnote-definition-label", "footnote-reference"]);
    b.add_allowed_classes("code", CODE_CLASSES.iter().copied());
    b.add_allowed_classes("ul", ["contains-task-list"]);
    b.add_allowed_classes("li", ["task-list-item"]);
    b.filter_style_properties(BTreeSet::from(["text-align"]).into_iter().collect());
    b.link_rel(Some("noopener"));
    b
});

const CODE_CLASSES: &[&str] = &[
    "language-sh",
    "language-bash",
    "language-shell",
    "language-toml",
    "language-yaml",
    "language-csv",
    "language-text",
    "language-json",
    "language-markdown",
    "language-python",
    "language-rust",
];

/// Removes script, event handlers, `javascript:` links and anything not on the allow list.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The first `# Heading` of a Markdown text, if any (a chapter's title).
pub fn first_heading(markdown: &str) -> Option<String> {
    let mut inside = false;
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => inside = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if inside => return Some(text),
            Event::Text(t) | Event::Code(t) if inside => text.push_str(&t),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_list_boxes_say_whether_they_are_done() {
        let html = to_html("- [x] Counted\n- [ ] Not counted\n");
        assert!(html.contains("aria-label=\"done\""), "{html}");
        assert!(html.contains("aria-label=\"not done\""), "{html}");
        assert!(
            !html.contains("<input type=\"checkbox\" disabled checked>"),
            "{html}"
        );
    }

    #[test]
    fn script_and_handlers_are_removed() {
        let html = to_html(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn extensions_render() {
        let html = to_html(
            "# Hello world\n\n## Hello world\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n",
        );
        assert!(html.contains(r#"<h1 id="hello-world">"#), "{html}");
        assert!(html.contains(r#"<h2 id="hello-world-1">"#), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains(r#"type="checkbox""#), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
    }

    #[test]
    fn links_can_be_rewritten() {
        let html = to_html_with_links("[w](02-wiring.md)", |d| {
            (d == "02-wiring.md").then(|| "../wiring/".to_string())
        });
        assert!(html.contains(r#"href="../wiring/""#), "{html}");
    }

    #[test]
    fn remembered_conversions_follow_the_link_rewriter() {
        remember_conversions(true);
        let text = "[w](02-wiring.md) remembered-conversion-test";
        let a = to_html_with_links(text, |_| Some("/a/".to_string()));
        let again = to_html_with_links(text, |_| Some("/a/".to_string()));
        let b = to_html_with_links(text, |_| Some("/b/".to_string()));
        assert_eq!(a, again);
        assert!(a.contains(r#"href="/a/""#), "{a}");
        assert!(b.contains(r#"href="/b/""#), "{b}");
    }

    #[test]
    fn first_heading_is_the_title() {
        assert_eq!(
            first_heading("intro\n\n# The `roof` survey\n\n# Other").as_deref(),
            Some("The roof survey")
        );
        assert_eq!(first_heading("no heading"), None);
    }
}
