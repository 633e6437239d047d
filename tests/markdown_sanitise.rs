//! Markdown is made safe on two paths (see `render::markdown`): at the event level when
//! it holds no raw HTML, through the HTML sanitizer otherwise. Both must keep out the
//! classic XSS vectors, and where no raw HTML is present both must give the same HTML
//! over the CommonMark spec's examples (`tests/fixtures/commonmark/`, CC-BY-SA 4.0).

use regex::Regex;
use tally::render::markdown::{sanitised_at_event_level, to_html, to_html_through_sanitizer};

/// The OWASP XSS filter evasion cheat sheet's vectors that Markdown can carry.
const VECTORS: &[&str] = &[
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;vascript:alert(1))",
    "[x](&#0000106;avascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](javascript:alert(1) \"title\")",
    "[x](\"onmouseover=alert(1))",
    "[x](https://ok.example/\" onmouseover=\"alert(1))",
    "![x\" onerror=\"alert(1)](https://ok.example/a.png)",
    "# Heading {onclick=alert(1)}",
    "# Heading {.x onmouseover=alert(1)}",
    "```\"><script>alert(1)</script>\nx\n```",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<script>alert(1)</script>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "Text <b onmouseover=alert(1)>bold</b> and [ok](https://ok.example/)",
];

/// Every problem with `html` as published HTML: a script-capable element, an event
/// handler or style attribute, or a URL attribute that is neither relative nor http,
/// https or mailto (read as a browser reads it: entities decoded, blanks dropped).
fn unsafe_parts(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for tag in [
        "<script", "<svg", "<iframe", "<math", "<form", "<body", "<object", "<embed",
    ] {
        if lower.contains(tag) {
            found.push(format!("element {tag}"));
        }
    }
    // Attribute names, once the quoted values (which may say anything) are emptied.
    let values = Regex::new(r#""[^"]*""#).unwrap();
    let names = values.replace_all(&lower, "\"\"");
    let handler = Regex::new(r"<[^>]*\s(on[a-z]+|style|formaction|action)\s*=").unwrap();
    if let Some(m) = handler.find(&names) {
        found.push(format!("attribute in {}", m.as_str()));
    }
    let urls = Regex::new(r#"\s(?:href|src|xlink:href)\s*=\s*"([^"]*)""#).unwrap();
    for url in urls.captures_iter(html) {
        let value = decode(&url[1]);
        let squeezed: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase();
        let scheme = squeezed.split_once(':').map(|(s, _)| s);
        // A scheme is a letter, then letters, digits, `+`, `-` or `.` (the URL
        // standard): anything else before the colon makes the URL relative.
        let is_scheme = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        };
        let relative = scheme.is_none_or(|s| !is_scheme(s));
        if !relative && !matches!(scheme, Some("http" | "https" | "mailto")) {
            found.push(format!("URL {value}"));
        }
    }
    found
}

/// The character references a browser decodes in an attribute.
fn decode(value: &str) -> String {
    let refs = Regex::new(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?").unwrap();
    let named = value
        .replace("&colon;", ":")
        .replace("&Tab;", "\t")
        .replace("&NewLine;", "\n")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    refs.replace_all(&named, |c: &regex::Captures<'_>| {
        let n = match (c.get(1), c.get(2)) {
            (Some(hex), _) => u32::from_str_radix(hex.as_str(), 16).ok(),
            (_, Some(dec)) => dec.as_str().parse().ok(),
            _ => None,
        };
        n.and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default()
    })
    .into_owned()
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    assert!(!unsafe_parts("<a href=\"&#106;avascript:x\">").is_empty());
    assert!(!unsafe_parts("<a href=\"java&#x09;script:x\">").is_empty());
    assert!(unsafe_parts("<a href=\"java%09script:x\">").is_empty());
    assert!(!unsafe_parts("<img src=\"data:x\">").is_empty());
    assert!(!unsafe_parts("<p onclick=\"x\">").is_empty());
    assert!(!unsafe_parts("<p title=\"x\" onclick=\"x\">").is_empty());
    assert!(unsafe_parts("<img alt=\"x&quot; onerror=&quot;y\">").is_empty());
    assert!(!unsafe_parts("<svg>").is_empty());
    assert!(unsafe_parts("<a href=\"../a/#b\" rel=\"noopener\">x</a>").is_empty());
    assert!(unsafe_parts("<a href=\"mailto:a@b.example\">x</a>").is_empty());
}

#[test]
fn the_classic_xss_vectors_are_kept_out_on_both_paths() {
    for vector in VECTORS {
        for text in [
            vector.to_string(),
            format!("Before.\n\n{vector}\n\nAfter.\n"),
        ] {
            for (path, html) in [
                ("events", to_html(&text)),
                ("sanitizer", to_html_through_sanitizer(&text)),
            ] {
                let found = unsafe_parts(&html);
                assert!(found.is_empty(), "{path}: {text:?} → {html:?}: {found:?}");
            }
        }
    }
}

#[test]
fn links_of_other_schemes_lose_their_url_and_safe_ones_keep_theirs() {
    let html = to_html("[a](https://ok.example/) [b](javascript:alert(1)) [c](../c/)");
    assert!(
        html.contains("href=\"https://ok.example/\" rel=\"noopener\""),
        "{html}"
    );
    assert!(html.contains("href=\"../c/\""), "{html}");
    assert!(!html.contains("javascript"), "{html}");
    assert!(html.contains(">b</a>"), "{html}");
}

#[test]
fn pages_without_raw_html_take_the_event_path_and_others_the_sanitizer() {
    assert!(sanitised_at_event_level(
        "# Title\n\nText with [a link](../a/), `code` and **bold**.\n"
    ));
    assert!(!sanitised_at_event_level("Text <b>bold</b>\n"));
    assert!(!sanitised_at_event_level("[x](javascript:alert(1))\n"));
    assert!(!sanitised_at_event_level("# Heading {.class}\n"));
}

#[derive(serde::Deserialize)]
struct Example {
    example: usize,
    markdown: String,
}

/// The HTML sanitizer writes what it keeps in its own way: void elements without ` /`,
/// empty attributes with `=""`, quotes in text unescaped, a no-break space as `&nbsp;`,
/// an empty `class=""` where it removed a class. The same markup written either way
/// reads the same.
fn serialised_alike(html: &str) -> String {
    html.replace(" class=\"\"", "")
        .replace("&nbsp;", "\u{a0}")
        .replace(" />", ">")
        .replace("/>", ">")
        .replace(" disabled checked ", " disabled=\"\" checked=\"\" ")
        .replace(" disabled aria", " disabled=\"\" aria")
        .replace("&quot;", "\"")
}

#[test]
fn both_paths_give_the_same_html_over_the_commonmark_examples_without_raw_html() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/commonmark/examples.json"
    ))
    .unwrap();
    let examples: Vec<Example> = serde_json::from_str(&text).unwrap();
    assert!(examples.len() > 600, "{}", examples.len());
    let mut compared = 0;
    let mut differ = Vec::new();
    for e in &examples {
        if !sanitised_at_event_level(&e.markdown) {
            continue;
        }
        compared += 1;
        let events = to_html(&e.markdown);
        let sanitizer = to_html_through_sanitizer(&e.markdown);
        assert!(
            unsafe_parts(&events).is_empty(),
            "example {}: {events}",
            e.example
        );
        if serialised_alike(&events) != serialised_alike(&sanitizer) {
            differ.push(format!(
                "example {}: {:?}\n  events:    {events:?}\n  sanitizer: {sanitizer:?}",
                e.example, e.markdown
            ));
        }
    }
    // Most examples hold no raw HTML: the comparison covers them, not a handful.
    assert!(compared > 450, "only {compared} examples compared");
    println!("{compared} of {} examples compared", examples.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
