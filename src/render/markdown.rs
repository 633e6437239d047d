//! Markdown → sanitized HTML: CommonMark with tables, footnotes, strikethrough, task
//! lists and heading anchors, so that content (a remixed manual included) cannot inject
//! script. An embedded `<iframe>`, `<video>` or `<audio>` (which the sanitizer removes)
//! leaves a visible link to its `src`, never nothing.
//!
//! Two paths give the same safe HTML. Most pages hold no raw HTML: their Markdown events
//! are checked one by one (every link and image URL must be relative or http, https or
//! mailto; a heading may carry an id but no class or attribute; a code block's class
//! must be on the allow list) and rendered as they are, which is safe because
//! pulldown-cmark escapes all text and attributes. A page with raw HTML, or with any
//! event that fails those checks, is rendered whole and then cleaned by `ammonia`
//! ([`sanitize`]), as every page used to be.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};

use crate::model::markup::attribute;
pub use crate::model::markup::{add_heading_ids, anchors, image_sources, slugify};
use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders Markdown to safe HTML.
pub fn to_html(markdown: &str) -> String {
    to_html_with_links(markdown, |_| None)
}

/// Renders Markdown to safe HTML; `rewrite_link` may replace a link's or an image's
/// destination (e.g. `02-wiring.md` → the chapter's URL).
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
    let (events, raw) = events(markdown, rewrite_link);
    let events = if raw { None } else { safe_events(events) };
    match events {
        Some(events) => {
            let mut html = String::with_capacity(markdown.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, events.into_iter());
            with_link_rel(&html)
        }
        None => through_sanitizer(markdown, rewrite_link),
    }
}

/// Whether `markdown` is made safe at the event level (no raw HTML, nothing that needs
/// the sanitizer), rather than through the sanitizer.
pub fn sanitised_at_event_level(markdown: &str) -> bool {
    let (events, raw) = events(markdown, &|_| None);
    !raw && safe_events(events).is_some()
}

/// Renders Markdown to HTML and cleans all of it with the sanitizer, raw HTML or not:
/// the reference that the event-level path must equal (tests compare them).
pub fn to_html_through_sanitizer(markdown: &str) -> String {
    through_sanitizer(markdown, &|_| None)
}

fn through_sanitizer(markdown: &str, rewrite_link: &dyn Fn(&str) -> Option<String>) -> String {
    let (events, _) = events(markdown, rewrite_link);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// The Markdown's events with links rewritten, embeds made links, task-list boxes
/// described and headings given ids; and whether the text holds raw HTML.
fn events<'a>(
    markdown: &'a str,
    rewrite_link: &dyn Fn(&str) -> Option<String>,
) -> (Vec<Event<'a>>, bool) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut raw = false;
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options)
        .inspect(|event| raw |= matches!(event, Event::Html(_) | Event::InlineHtml(_)))
        .flat_map(|event| raw_html(event, rewrite_link))
        .map(|event| rewritten(event, rewrite_link))
        .collect();
    (label_wide_tables(add_heading_ids(events)), raw)
}

/// Tables of at least this many columns carry their column's heading on every cell
/// (`data-label`), so that on a phone each row can stack as `heading: value` lines
/// instead of squeezing the columns until words break mid-letter.
const LABELLED_COLUMNS: usize = 4;

/// The cells of a wide table's body written as `<td data-label="heading">`, with the
/// alignment pulldown-cmark would give them; every other event as it is.
fn label_wide_tables(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut alignments: Vec<Alignment> = Vec::new();
    let mut headings: Vec<String> = Vec::new();
    let (mut in_head, mut column) = (false, 0);
    for event in events {
        match &event {
            Event::Start(Tag::Table(a)) => {
                alignments.clone_from(a);
                headings.clear();
            }
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => column = 0,
            Event::Start(Tag::TableCell) if in_head => headings.push(String::new()),
            Event::Text(text) | Event::Code(text) if in_head => {
                if let Some(last) = headings.last_mut() {
                    last.push_str(text);
                }
            }
            Event::Start(Tag::TableCell) if headings.len() >= LABELLED_COLUMNS => {
                let label = headings.get(column).map_or("", String::as_str);
                let align = match alignments.get(column) {
                    Some(Alignment::Left) => " style=\"text-align: left\"",
                    Some(Alignment::Center) => " style=\"text-align: center\"",
                    Some(Alignment::Right) => " style=\"text-align: right\"",
                    _ => "",
                };
                let cell = format!("<td data-label=\"{}\"{align}>", attribute_text(label));
                out.push(Event::Html(CowStr::from(cell)));
                continue;
            }
            Event::End(TagEnd::TableCell) if !in_head && headings.len() >= LABELLED_COLUMNS => {
                column += 1;
                out.push(Event::Html(CowStr::from("</td>")));
                continue;
            }
            _ => {}
        }
        out.push(event);
    }
    out
}

/// `text` for a double-quoted attribute, escaped as the sanitizer's serializer writes
/// it (`&` and `"`; no-break spaces by name), so both rendering paths agree.
fn attribute_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c if crate::render::escape::xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Raw HTML as the sanitizer should see it: embeds replaced by links to them, the
/// sources of `<img>` rewritten like Markdown images.
fn raw_html<'a>(
    event: Event<'a>,
    rewrite_link: &dyn Fn(&str) -> Option<String>,
) -> Option<Event<'a>> {
    Some(match event {
        // The sanitizer removes the embed (and would keep anything inside it as
        // text): its link takes its place.
        Event::Html(html) | Event::InlineHtml(html) if has_embed(&html) => {
            Event::Html(CowStr::from(embed_links(&html)))
        }
        // `<img src="img/x.png">` written as HTML moves with its file like `![](…)`.
        Event::Html(html) if !image_sources(&html).is_empty() => {
            Event::Html(CowStr::from(rewrite_image_sources(&html, rewrite_link)))
        }
        Event::InlineHtml(html) if !image_sources(&html).is_empty() => {
            Event::InlineHtml(CowStr::from(rewrite_image_sources(&html, rewrite_link)))
        }
        other => other,
    })
}

/// Links and images pointed where `rewrite_link` says; task-list boxes that say what
/// they state.
fn rewritten<'a>(event: Event<'a>, rewrite_link: &dyn Fn(&str) -> Option<String>) -> Event<'a> {
    let to = |dest_url: CowStr<'a>| match rewrite_link(&dest_url) {
        Some(new) => CowStr::from(new),
        None => dest_url,
    };
    match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: to(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: to(dest_url),
            title,
            id,
        }),
        // A task-list box is a statement, not a control: it says what it states.
        Event::TaskListMarker(done) => Event::InlineHtml(CowStr::from(if done {
            "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
        } else {
            "<input type=\"checkbox\" disabled aria-label=\"not done\"> "
        })),
        other => other,
    }
}

/// `events` (of Markdown without raw HTML) made safe to render as they are, or `None`
/// when one of them needs the sanitizer: a link or image URL of another scheme (or one
/// the sanitizer could not read), a heading with classes or attributes. A code block's
/// language off the allow list is dropped, as the sanitizer drops its class.
fn safe_events(events: Vec<Event<'_>>) -> Option<Vec<Event<'_>>> {
    let mut safe = Vec::with_capacity(events.len());
    for event in events {
        match &event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !allowed_url(dest_url) =>
            {
                return None;
            }
            Event::Start(Tag::Heading { classes, attrs, .. })
                if !classes.is_empty() || !attrs.is_empty() =>
            {
                return None;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if !allowed_code_class(info) =>
            {
                safe.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)));
                continue;
            }
            _ => {}
        }
        safe.push(event);
    }
    Some(safe)
}

/// Link and image URL schemes kept (besides relative URLs).
const URL_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Whether the sanitizer keeps `dest` as a link's or image's URL: it reads the
/// attribute pulldown-cmark writes (`dest` escaped for an `href`) and keeps it when it is
/// relative or of a scheme in [`URL_SCHEMES`].
fn allowed_url(dest: &str) -> bool {
    let mut href = String::with_capacity(dest.len());
    if pulldown_cmark_escape::escape_href(&mut href, dest).is_err() {
        return false;
    }
    // The attribute's value once read back: the escaper writes only these two entities.
    let href = href.replace("&amp;", "&").replace("&#x27;", "'");
    match url::Url::parse(&href) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// Whether a fenced code block's class (`language-` and the info string's first word,
/// as pulldown-cmark writes it) is kept by the sanitizer.
fn allowed_code_class(info: &str) -> bool {
    let lang = info.split(' ').next().unwrap_or("");
    lang.is_empty()
        || CODE_CLASSES
            .iter()
            .any(|c| c.strip_prefix("language-") == Some(lang))
}

/// `html` (rendered from safe events, so every `<a ` in it opens a link) with
/// `rel="noopener"` on each link, as the sanitizer adds it.
fn with_link_rel(html: &str) -> String {
    const REL: &str = " rel=\"noopener\"";
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find("<a ") {
        let Some(end) = rest[at..].find('>').map(|e| at + e) else {
            break;
        };
        out.push_str(&rest[..end]);
        out.push_str(REL);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Tags whose content the sanitizer removes but whose `src` a reader should still reach.
const EMBEDS: &[&str] = &["<iframe", "<video", "<audio", "<source", "<embed"];

fn has_embed(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    EMBEDS.iter().any(|t| lower.contains(t))
}

/// A visible link to the `src` of every embed in `html`: `Embedded video: <a>…</a>`.
fn embed_links(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    for tag in EMBEDS {
        let mut from = 0;
        while let Some(at) = lower[from..].find(tag) {
            let start = from + at;
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
            if let Some(src) = attribute(&html[start..end], "src") {
                let what = if tag.contains("iframe") || tag.contains("embed") {
                    "Embedded content"
                } else {
                    "Embedded media"
                };
                let src = super::escape::xml_escape(&src);
                out.push_str(&format!(
                    "<span class=\"embed\">{what}: <a href=\"{src}\">{src}</a></span> "
                ));
            }
            from = end;
        }
    }
    out.trim_end().to_string()
}

/// `html` with each `<img>`'s `src` replaced where `rewrite_link` gives a new one.
fn rewrite_image_sources(html: &str, rewrite_link: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for (range, src) in image_sources(html) {
        if let Some(new) = rewrite_link(&src) {
            out.push_str(&html[copied..range.start]);
            out.push_str(&super::escape::xml_escape(&new));
            copied = range.end;
        }
    }
    out.push_str(&html[copied..]);
    out
}

/// `body` without a first line `# {title}` that repeats the title the page already
/// shows (front matter's `title`).
pub fn without_repeated_title<'a>(body: &'a str, title: &str) -> &'a str {
    let trimmed = body.trim_start_matches(['\n', '\r', ' ', '\t']);
    let (first, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
    let heading = first
        .trim_end()
        .strip_prefix("# ")
        .map(|h| h.trim().trim_end_matches('#').trim());
    let same = heading.is_some_and(|h| {
        h.split_whitespace().eq(title.split_whitespace())
            || h.to_lowercase()
                .split_whitespace()
                .eq(title.to_lowercase().split_whitespace())
    });
    if same { rest } else { body }
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
    tag_attributes.insert("td", HashSet::from(["style", "data-label"]));
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
    b.url_schemes(URL_SCHEMES.into_iter().collect());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_tables_label_their_cells_and_both_paths_agree() {
        let wide = "| Roof | Slope | Area (m²) | Owner \"agrees\" |\n|---|---|--:|---|\n| Hall | south | 96 | yes & no |\n";
        let html = to_html(wide);
        assert!(html.contains("<td data-label=\"Roof\">Hall</td>"), "{html}");
        assert!(
            html.contains("<td data-label=\"Area (m²)\" style=\"text-align: right\">96</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td data-label=\"Owner &quot;agrees&quot;\">yes &amp; no</td>"),
            "{html}"
        );
        // The sanitizer writes styles its own way (`text-align:right`); unaligned, the
        // two paths give the same bytes.
        let plain = wide.replace("--:", "---");
        assert_eq!(to_html(&plain), to_html_through_sanitizer(&plain));
        let narrow = "| a | b |\n|---|---|\n| 1 | 2 |\n";
        assert!(!to_html(narrow).contains("data-label"));
    }

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
    fn images_are_rewritten_like_links() {
        let html = to_html_with_links("![map](img/map.png)", |d| {
            (d == "img/map.png").then(|| "/manuals/m/1.0/img/map.png".to_string())
        });
        assert!(
            html.contains(r#"src="/manuals/m/1.0/img/map.png""#),
            "{html}"
        );
    }

    #[test]
    fn an_embedded_video_becomes_a_visible_link() {
        for text in [
            "Watch:\n\n<iframe width=\"560\" src=\"https://video.example/embed/42\" frameborder=\"0\"></iframe>\n",
            "Watch <iframe src='https://video.example/embed/42'></iframe> now\n",
            "<video controls>\n<source src=\"https://video.example/embed/42\" type=\"video/mp4\">\n</video>\n",
        ] {
            let html = to_html(text);
            assert!(!html.contains("<iframe"), "{html}");
            assert!(
                html.contains(r#"<a href="https://video.example/embed/42" rel="noopener">https://video.example/embed/42</a>"#),
                "{text}: {html}"
            );
        }
        let html = to_html("<iframe src=\"javascript:alert(1)\"></iframe>");
        assert!(!html.contains("href=\"javascript:"), "{html}");
    }

    #[test]
    fn an_html_image_is_rewritten_like_a_markdown_one() {
        let rewrite = |d: &str| (d == "img/a b.png").then(|| "/m/1.0/img/a%20b.png".to_string());
        for text in [
            "<figure><img src=\"img/a b.png\" alt=\"A\"></figure>\n",
            "Inline <img alt='A' src='img/a b.png'> here\n",
        ] {
            let html = to_html_with_links(text, rewrite);
            assert!(
                html.contains("src=\"/m/1.0/img/a%20b.png\""),
                "{text}: {html}"
            );
        }
        let html = to_html_with_links("<img src=\"https://x.example/a.png\">", rewrite);
        assert!(html.contains("src=\"https://x.example/a.png\""), "{html}");
    }

    #[test]
    fn anchors_are_heading_ids_and_html_ids() {
        let found = anchors(
            "# Roles & seats\n\n## Roles & seats\n\n<a name=\"old-name\"></a>\n\n## Custom {#mine}\n",
        );
        let found: Vec<&str> = found.iter().map(String::as_str).collect();
        assert_eq!(found, ["mine", "old-name", "roles-seats", "roles-seats-1"]);
    }

    #[test]
    fn a_first_line_repeating_the_title_is_dropped() {
        assert_eq!(
            without_repeated_title("# March Assembly\n\nWe met.\n", "March  Assembly"),
            "\nWe met.\n"
        );
        assert_eq!(
            without_repeated_title("\n# march assembly\nWe met.", "March Assembly"),
            "We met."
        );
        assert_eq!(
            without_repeated_title("# Other\nWe met.", "March Assembly"),
            "# Other\nWe met."
        );
        assert_eq!(
            without_repeated_title("Intro\n# March Assembly\n", "March Assembly"),
            "Intro\n# March Assembly\n"
        );
    }
}
