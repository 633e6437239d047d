//! What a rendered page says, for the search index: its title, the opening of its text
//! and its words with their weights, read from the page's own HTML.
//!
//! The pages are tally's own output, so the reader is a plain scan rather than an HTML
//! parser: it takes the element marked `data-search-body`, skips elements marked
//! `data-search-ignore` (navigation, pagers) and scripts, weighs the words of elements
//! marked `data-search-weight="N"` N times, and decodes the character references the
//! templates and the Markdown renderer write.

use std::collections::HashMap;
use std::ops::Range;

use foldhash::fast::FixedState;

/// The attribute on the element whose text is indexed (`<main>` in `base.html`).
pub const BODY: &str = "data-search-body";
/// The attribute on elements left out of the index.
pub const IGNORE: &str = "data-search-ignore";
/// The attribute whose value multiplies the weight of an element's words.
pub const WEIGHT: &str = "data-search-weight";
/// The attribute on elements whose words are found but left out of the opening text
/// shown under a result (a page's facts: date, assembly, attendance).
pub const FACTS: &str = "data-search-facts";

/// How much more the words of a page's `<h1>` weigh than those of its text.
const TITLE_WEIGHT: u32 = 5;
/// How much more the words of the other headings weigh.
const HEADING_WEIGHT: u32 = 2;
/// Characters of text kept as the opening shown under a result.
const EXCERPT_CHARS: usize = 220;
/// Longer runs of letters are not words anyone searches for (digests, ids).
const MAX_WORD_CHARS: usize = 40;

/// One page as the index sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    pub title: String,
    pub excerpt: String,
    /// The page's text in lower case, which [`Self::words`] point into.
    lower: String,
    /// Each word's first place in `lower`, with its summed weight.
    places: Vec<(u32, u32, u32)>,
}

impl PageText {
    /// Each word (lower case) once, with its summed weight.
    pub fn words(&self) -> impl Iterator<Item = (&str, u32)> {
        self.places
            .iter()
            .map(|&(start, end, weight)| (&self.lower[start as usize..end as usize], weight))
    }
}

/// Elements without content: no closing tag follows them.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose text is set apart from the text around them.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ol"
            | "ul"
            | "dl"
            | "dt"
            | "dd"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "br"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "nav"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "pre"
            | "caption"
            | "summary"
            | "details"
            | "main"
            | "aside"
    )
}

/// An open element: its name, whether its text is left out, whether it is left out of
/// the opening text only, and its words' weight.
struct Open<'h> {
    name: &'h str,
    ignored: bool,
    facts: bool,
    weight: u32,
}

/// Reads `html`; `None` when it has no element marked [`BODY`].
pub fn read(html: &str) -> Option<PageText> {
    let start = find_body(html)?;
    let mut reader = Reader::default();
    reader.scan(&html[start..]);
    let title = if reader.title.trim().is_empty() {
        title_element(html)
    } else {
        reader.title
    };
    let lower = reader.lower;
    let mut first: HashMap<&str, (u32, u32, u32), FixedState> = HashMap::default();
    for (range, weight) in reader.spans {
        let span = &lower[range.clone()];
        for word in words(span) {
            let start = range.start + (word.as_ptr() as usize - span.as_ptr() as usize);
            let place = first.entry(word).or_insert((
                u32::try_from(start).ok()?,
                u32::try_from(start + word.len()).ok()?,
                0,
            ));
            place.2 += weight;
        }
    }
    // In the hasher's fixed order: the same page gives the same order, build after build.
    let places = first.into_values().collect();
    Some(PageText {
        title: collapse(&title),
        excerpt: excerpt(&reader.text),
        lower,
        places,
    })
}

/// The offset of the element marked [`BODY`].
fn find_body(html: &str) -> Option<usize> {
    let at = html.find(BODY)?;
    html[..at].rfind('<')
}

/// The text of the document's `<title>`, the title of a page without an `<h1>`.
fn title_element(html: &str) -> String {
    let Some(open) = html.find("<title>") else {
        return String::new();
    };
    let rest = &html[open + "<title>".len()..];
    let text = rest.find("</title>").map_or(rest, |end| &rest[..end]);
    let mut out = String::new();
    decode_into(text, &mut out);
    out
}

#[derive(Default)]
struct Reader<'h> {
    open: Vec<Open<'h>>,
    /// How many `<h1>` are open.
    in_title: usize,
    /// The indexed text in lower case, and the weight of each of its parts.
    lower: String,
    spans: Vec<(Range<usize>, u32)>,
    title: String,
    /// The text read so far, blocks set apart by a space (the excerpt's source).
    text: String,
    decoded: String,
}

impl<'h> Reader<'h> {
    /// Scans from the body element's opening tag to its end.
    fn scan(&mut self, html: &'h str) {
        let mut rest = html;
        while !rest.is_empty() {
            let Some(lt) = memchr::memchr(b'<', rest.as_bytes()) else {
                self.text_node(rest);
                break;
            };
            if lt > 0 {
                self.text_node(&rest[..lt]);
            }
            rest = &rest[lt..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let Some(gt) = memchr::memchr(b'>', rest.as_bytes()) else {
                break;
            };
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if self.close(name.trim()) {
                    break;
                }
                continue;
            }
            let name = tag
                .split(|c: char| c.is_ascii_whitespace() || c == '/')
                .next()
                .unwrap_or("");
            if name.is_empty() || name.starts_with('!') {
                continue;
            }
            if is_block(name) {
                self.text.push(' ');
            }
            if matches!(name, "script" | "style") {
                let end = format!("</{name}>");
                rest = rest.find(&end).map_or("", |at| &rest[at + end.len()..]);
                continue;
            }
            if is_void(name) || tag.ends_with('/') {
                continue;
            }
            self.open(name, tag);
        }
    }

    fn open(&mut self, name: &'h str, tag: &str) {
        let (ignored, facts, weight) = match self.open.last() {
            Some(parent) => (parent.ignored, parent.facts, parent.weight),
            None => (false, false, 1),
        };
        let weight = match name {
            "h1" => weight.max(TITLE_WEIGHT),
            "h2" | "h3" | "h4" | "h5" | "h6" => weight.max(HEADING_WEIGHT),
            _ => weight,
        };
        if name == "h1" {
            self.in_title += 1;
        }
        // Most tags carry none of the index's attributes: one search tells.
        let marked = tag.len() > name.len() && marked(tag);
        let weight = if marked {
            attribute(tag, WEIGHT)
                .and_then(|w| w.parse::<u32>().ok())
                .map_or(weight, |w| w.clamp(1, 10))
        } else {
            weight
        };
        self.open.push(Open {
            name,
            ignored: ignored || (marked && has_attribute(tag, IGNORE)),
            facts: facts || (marked && has_attribute(tag, FACTS)),
            weight,
        });
    }

    /// Closes the innermost open `name` (and any left open inside it); `true` once the
    /// body element itself is closed.
    fn close(&mut self, name: &str) -> bool {
        if is_block(name) {
            self.text.push(' ');
        }
        if let Some(at) = self.open.iter().rposition(|o| o.name == name) {
            let titles = self.open[at..].iter().filter(|o| o.name == "h1").count();
            self.in_title = self.in_title.saturating_sub(titles);
            self.open.truncate(at);
        }
        self.open.is_empty()
    }

    fn text_node(&mut self, raw: &str) {
        let Some(open) = self.open.last() else {
            return;
        };
        if open.ignored {
            return;
        }
        let (weight, facts) = (open.weight, open.facts);
        self.decoded.clear();
        decode_into(raw, &mut self.decoded);
        if self.in_title > 0 {
            if self.title.len() < 200 {
                self.title.push_str(&self.decoded);
            }
        } else if !facts && self.text.len() < EXCERPT_CHARS * 4 {
            self.text.push_str(&self.decoded);
        }
        let start = self.lower.len();
        if self.decoded.is_ascii() {
            self.lower.push_str(&self.decoded);
            self.lower[start..].make_ascii_lowercase();
        } else {
            self.lower.push_str(&self.decoded.to_lowercase());
        }
        // A part of its own, so that words never join across elements.
        self.lower.push(' ');
        self.spans.push((start..self.lower.len(), weight));
    }
}

/// The words of `text` (already in lower case) as the index keys them: runs of letters
/// and digits of 2 to [`MAX_WORD_CHARS`] characters. The search page splits a query the
/// same way (`assets/search.js`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| {
        let chars = if w.is_ascii() {
            w.len()
        } else {
            w.chars().count()
        };
        (2..=MAX_WORD_CHARS).contains(&chars)
    })
}

/// Whether the tag text `tag` holds any `data-search-` attribute.
fn marked(tag: &str) -> bool {
    static PREFIX: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("data-search-"));
    PREFIX.find(tag.as_bytes()).is_some()
}

/// Whether the tag text `tag` (name and attributes) carries attribute `name`.
fn has_attribute(tag: &str, name: &str) -> bool {
    tag.split_ascii_whitespace()
        .skip(1)
        .any(|a| a == name || a.strip_prefix(name).is_some_and(|r| r.starts_with('=')))
}

/// The value of attribute `name` in the tag text `tag`, quoted or not.
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let at = tag.find(name)?;
    let value = tag[at + name.len()..].strip_prefix('=')?;
    match value.chars().next()? {
        q @ ('"' | '\'') => value[1..].split(q).next(),
        _ => value.split(|c: char| c.is_ascii_whitespace()).next(),
    }
}

/// Appends `raw` to `out` with its character references decoded: the named ones the
/// templates and the Markdown renderer write, and every numeric one.
fn decode_into(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| reference(&rest[1..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference's name (between `&` and `;`) stands for.
fn reference(name: &str) -> Option<char> {
    let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
        u32::from_str_radix(hex, 16).ok()?
    } else if let Some(decimal) = name.strip_prefix('#') {
        decimal.parse().ok()?
    } else {
        return match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "hellip" => Some('…'),
            "rsquo" => Some('’'),
            "lsquo" => Some('‘'),
            "euro" => Some('€'),
            "minus" => Some('−'),
            _ => None,
        };
    };
    char::from_u32(code)
}

/// `text` with each run of white space made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The opening of `text` shown under a result: the text after the title, up to about
/// [`EXCERPT_CHARS`] characters, cut at a word.
fn excerpt(text: &str) -> String {
    let text = collapse(text);
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |at| &cut[..at]);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight(page: &PageText, word: &str) -> Option<u32> {
        page.words().find(|(w, _)| *w == word).map(|(_, n)| n)
    }

    #[test]
    fn only_the_body_is_read_and_ignored_parts_are_left_out() {
        let html = "<html><head><title>Pantry | Net</title><script>var secret = 1;</script></head>\
            <body><nav>Navigation words</nav><main class=\"wrap\" data-search-body>\
            <p class=\"crumbs\" data-search-ignore><a href=\"../\">Crumbword</a></p>\
            <h1>The Pantry &amp; Rota</h1><p>Volunteers met on Monday.<br>The rota&#39;s fine.</p>\
            <script>var hidden = \"scriptword\";</script>\
            <nav data-search-ignore>Pagerword <b>nested</b> word</nav><p>After the pager.</p>\
            </main><footer>Footerword</footer></body></html>";
        let page = read(html).expect("a body");
        assert_eq!(page.title, "The Pantry & Rota");
        assert_eq!(weight(&page, "pantry"), Some(TITLE_WEIGHT));
        assert_eq!(weight(&page, "volunteers"), Some(1));
        assert_eq!(weight(&page, "rota"), Some(TITLE_WEIGHT + 1));
        assert_eq!(
            weight(&page, "after"),
            Some(1),
            "text after an ignored part"
        );
        for absent in [
            "navigation",
            "crumbword",
            "secret",
            "scriptword",
            "pagerword",
            "nested",
            "footerword",
        ] {
            assert_eq!(weight(&page, absent), None, "{absent}");
        }
        assert_eq!(
            page.excerpt,
            "Volunteers met on Monday. The rota's fine. After the pager."
        );
    }

    #[test]
    fn facts_are_found_but_not_shown_as_the_opening() {
        let html = "<main data-search-body><h1>Assembly</h1>\
            <dl data-search-facts><dt>Date</dt><dd>23 November</dd></dl><p>We met.</p></main>";
        let page = read(html).expect("a body");
        assert_eq!(weight(&page, "november"), Some(1));
        assert_eq!(page.excerpt, "We met.");
    }

    #[test]
    fn a_weighted_element_multiplies_its_words() {
        let html = "<main data-search-body><h1>Assembly</h1>\
            <ol data-search-weight=\"5\"><li>Adopt the stipend</li></ol><p>stipend again</p></main>";
        let page = read(html).expect("a body");
        assert_eq!(weight(&page, "stipend"), Some(6));
        assert_eq!(weight(&page, "adopt"), Some(5));
        assert_eq!(weight(&page, "again"), Some(1));
    }

    #[test]
    fn a_page_without_a_marked_body_is_not_read() {
        assert_eq!(
            read("<html><body><main><p>x</p></main></body></html>"),
            None
        );
    }

    #[test]
    fn words_are_letters_and_digits_in_lower_case() {
        let got: Vec<&str> = words("café-rota 2026: a x1 ümlaut's é").collect();
        assert_eq!(got, ["café", "rota", "2026", "x1", "ümlaut"]);
        let page = read("<main data-search-body><p>Café RÜCKEN</p></main>").expect("a body");
        assert_eq!(weight(&page, "rücken"), Some(1));
    }

    #[test]
    fn a_page_without_a_heading_takes_its_title_element() {
        let html = "<title>Week 47 &amp; more</title><main data-search-body><p>Text</p></main>";
        assert_eq!(read(html).expect("a body").title, "Week 47 & more");
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let text = "word ".repeat(100);
        let cut = excerpt(&text);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1);
    }

    #[test]
    fn references_are_decoded_and_stray_ampersands_kept() {
        let mut out = String::new();
        decode_into("a &amp; b &#x27;c&#39; &unknown; AT&T &lt;", &mut out);
        assert_eq!(out, "a & b 'c' &unknown; AT&T <");
    }
}
