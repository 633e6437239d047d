//! Escaping text for HTML and XML attributes and content.

/// `true` for a character XML 1.0 does not allow in a document at all, escaped or not
/// (control characters other than tab, line feed and carriage return, `U+FFFE`,
/// `U+FFFF`): such a character is dropped from the output.
pub fn xml_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, and characters XML 1.0 forbids
/// ([`xml_forbidden`]) dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_xml_escaped(&mut out, text);
    out
}

/// [`xml_escape`] into `out`.
pub fn push_xml_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
}
