//! The slug rule, shared by every stage that names a file or a role after a slug.
//! A leaf: imports nothing from the crate.

/// Lowercase ASCII letters, digits and single dashes: safe in a URL and a file name.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.' || b == b'_'
        })
        && !s.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_hyphens() {
        assert!(is_slug("2026-11-02-north-ward"));
        assert!(!is_slug("North Ward"));
        assert!(!is_slug(""));
        assert!(!is_slug("a..b"));
    }
}
