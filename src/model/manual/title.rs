//! A chapter's title: the first `# Heading` of its Markdown. Shared by the check (a
//! chapter needs one) and the pages (which show it).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

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
    fn first_heading_is_the_title() {
        assert_eq!(
            first_heading("intro\n\n# The `roof` survey\n\n# Other").as_deref(),
            Some("The roof survey")
        );
        assert_eq!(first_heading("no heading"), None);
    }
}
