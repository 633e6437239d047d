//! A manual's license: an SPDX license expression (`CC-BY-SA-4.0`, `MIT OR Apache-2.0`),
//! and for the common ones their terms in plain words for the "Remix this manual"
//! section. Anything else gets a generic sentence and a link to the SPDX list.

/// A validated SPDX license expression, with known ids in their canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub expression: String,
}

/// What a common license lets a remixer do, in plain words.
#[derive(Debug, Clone, Copy)]
pub struct Terms {
    pub id: &'static str,
    pub name: &'static str,
    pub url: &'static str,
    /// One or two sentences: what you may do and what you must do.
    pub plain: &'static str,
    /// Whether changed versions may be published.
    pub allows_changes: bool,
    /// Whether a published fork must use the same license.
    pub share_alike: bool,
}

const fn terms(
    id: &'static str,
    name: &'static str,
    url: &'static str,
    plain: &'static str,
    allows_changes: bool,
    share_alike: bool,
) -> Terms {
    Terms {
        id,
        name,
        url,
        plain,
        allows_changes,
        share_alike,
    }
}

const CREDIT: &str = "credit the authors, link to the license, and say what you changed";

/// The licenses a manual is most likely to use.
pub const KNOWN: &[Terms] = &[
    terms(
        "CC-BY-4.0",
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "You may copy, adapt and share this manual for any purpose, including commercially, as long as you credit the authors, link to the license, and say what you changed.",
        true,
        false,
    ),
    terms(
        "CC-BY-SA-4.0",
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "You may copy, adapt and share this manual for any purpose, as long as you credit the authors, link to the license, say what you changed, and publish your version under the same license (CC BY-SA 4.0).",
        true,
        true,
    ),
    terms(
        "CC-BY-NC-4.0",
        "Creative Commons Attribution-NonCommercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "You may copy, adapt and share this manual, but not for commercial purposes; credit the authors, link to the license, and say what you changed.",
        true,
        false,
    ),
    terms(
        "CC-BY-NC-SA-4.0",
        "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        "You may copy, adapt and share this manual, but not for commercial purposes; credit the authors, link to the license, say what you changed, and publish your version under the same license.",
        true,
        true,
    ),
    terms(
        "CC-BY-ND-4.0",
        "Creative Commons Attribution-NoDerivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nd/4.0/",
        "You may copy and share this manual unchanged, with credit to the authors and a link to the license. You may not publish a changed version.",
        false,
        false,
    ),
    terms(
        "CC-BY-NC-ND-4.0",
        "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International",
        "https://creativecommons.org/licenses/by-nc-nd/4.0/",
        "You may copy and share this manual unchanged and not for commercial purposes, with credit to the authors and a link to the license. You may not publish a changed version.",
        false,
        false,
    ),
    terms(
        "CC-BY-3.0",
        "Creative Commons Attribution 3.0 Unported",
        "https://creativecommons.org/licenses/by/3.0/",
        "You may copy, adapt and share this manual for any purpose, as long as you credit the authors and link to the license.",
        true,
        false,
    ),
    terms(
        "CC-BY-SA-3.0",
        "Creative Commons Attribution-ShareAlike 3.0 Unported",
        "https://creativecommons.org/licenses/by-sa/3.0/",
        "You may copy, adapt and share this manual for any purpose, as long as you credit the authors, link to the license, and publish your version under the same or a compatible license.",
        true,
        true,
    ),
    terms(
        "CC0-1.0",
        "Creative Commons Zero 1.0 Universal (public domain dedication)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "The authors have dedicated this manual to the public domain: you may do anything with this manual, without asking and without giving credit (though credit is kind, and keeps the lineage visible).",
        true,
        false,
    ),
    terms(
        "MIT",
        "MIT License",
        "https://spdx.org/licenses/MIT.html",
        "You may use, copy, change and share this manual for any purpose, as long as you keep the copyright notice and the license text with it.",
        true,
        false,
    ),
    terms(
        "Apache-2.0",
        "Apache License 2.0",
        "https://www.apache.org/licenses/LICENSE-2.0",
        "You may use, copy, change and share this manual for any purpose, as long as you keep the license and notices with it and mark the files you changed.",
        true,
        false,
    ),
    terms(
        "GFDL-1.3-or-later",
        "GNU Free Documentation License 1.3 or later",
        "https://www.gnu.org/licenses/fdl-1.3.html",
        "You may copy, change and share this manual, as long as your version is also published under the GNU FDL, keeps the authors' credits and history, and comes with the license text.",
        true,
        true,
    ),
    terms(
        "GFDL-1.3-only",
        "GNU Free Documentation License 1.3",
        "https://www.gnu.org/licenses/fdl-1.3.html",
        "You may copy, change and share this manual, as long as your version is also published under the GNU FDL 1.3, keeps the authors' credits and history, and comes with the license text.",
        true,
        true,
    ),
    terms(
        "Unlicense",
        "The Unlicense (public domain dedication)",
        "https://unlicense.org/",
        "The authors have placed this manual in the public domain: you may do anything with it, without asking and without giving credit.",
        true,
        false,
    ),
];

impl License {
    /// Checks that `text` looks like an SPDX license expression: ids made of letters,
    /// digits, `.` and `-` (optionally ending in `+`), joined by `AND`, `OR` or `WITH`,
    /// with balanced parentheses. Known ids are spelt canonically (`cc-by-4.0` →
    /// `CC-BY-4.0`). The error says what is wrong.
    pub fn parse(text: &str) -> Result<License, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty; use an SPDX license id such as CC-BY-SA-4.0".into());
        }
        let spaced = text.replace('(', " ( ").replace(')', " ) ");
        let mut tokens = Vec::new();
        let mut depth = 0i32;
        let mut expect_id = true;
        for token in spaced.split_whitespace() {
            match token {
                "(" if expect_id => depth += 1,
                ")" if !expect_id => {
                    depth -= 1;
                    if depth < 0 {
                        return Err(format!("{text:?} has an unmatched `)`"));
                    }
                }
                "AND" | "OR" | "WITH" if !expect_id => expect_id = true,
                id if expect_id && is_license_id(id) => {
                    expect_id = false;
                    let canonical = KNOWN
                        .iter()
                        .find(|t| t.id.eq_ignore_ascii_case(id))
                        .map_or(id, |t| t.id);
                    tokens.push(canonical.to_string());
                    continue;
                }
                _ => return Err(not_spdx(text)),
            }
            tokens.push(token.to_string());
        }
        if expect_id || depth != 0 {
            return Err(not_spdx(text));
        }
        let expression = tokens.join(" ").replace("( ", "(").replace(" )", ")");
        Ok(License { expression })
    }

    /// The plain-words terms when the expression is one known license.
    pub fn terms(&self) -> Option<&'static Terms> {
        KNOWN.iter().find(|t| t.id == self.expression)
    }

    /// A page to read the license at: the license's own page when known, else the SPDX
    /// list entry of a single id, else the SPDX list.
    pub fn url(&self) -> String {
        match self.terms() {
            Some(t) => t.url.to_string(),
            None if is_license_id(&self.expression) => format!(
                "https://spdx.org/licenses/{}.html",
                self.expression.trim_end_matches('+')
            ),
            None => "https://spdx.org/licenses/".to_string(),
        }
    }

    /// The terms in plain words, or a generic sentence for a license not in the table.
    pub fn plain_words(&self) -> String {
        match self.terms() {
            Some(t) => t.plain.to_string(),
            None => format!(
                "This manual is published under {}. Read the license before you remix it: in most open licenses you must {CREDIT}, and some ask you to publish your version under the same license.",
                self.expression
            ),
        }
    }

    pub fn name(&self) -> String {
        self.terms()
            .map_or_else(|| self.expression.clone(), |t| t.name.to_string())
    }

    /// False only for a known license that forbids publishing changed versions.
    pub fn allows_changes(&self) -> bool {
        self.terms().is_none_or(|t| t.allows_changes)
    }
}

fn is_license_id(id: &str) -> bool {
    let id = id.strip_suffix('+').unwrap_or(id);
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
        && !matches!(id, "AND" | "OR" | "WITH")
}

fn not_spdx(text: &str) -> String {
    let hint = KNOWN
        .iter()
        .find(|t| {
            let squashed: String = text
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let id: String =
                t.id.chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
            squashed == id
        })
        .map(|t| format!("; did you mean {}?", t.id))
        .unwrap_or_else(|| {
            "; use an SPDX license id such as CC-BY-SA-4.0 (see https://spdx.org/licenses/)"
                .to_string()
        });
    format!("{text:?} is not an SPDX license expression{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_are_spelt_canonically() {
        assert_eq!(
            License::parse("cc-by-sa-4.0").unwrap().expression,
            "CC-BY-SA-4.0"
        );
        let l = License::parse("CC0-1.0").unwrap();
        assert!(l.terms().is_some());
        assert!(l.plain_words().contains("public domain"));
    }

    #[test]
    fn expressions_are_accepted() {
        let l = License::parse("(MIT OR Apache-2.0) AND CC-BY-4.0").unwrap();
        assert_eq!(l.expression, "(MIT OR Apache-2.0) AND CC-BY-4.0");
        assert!(l.terms().is_none());
        assert!(
            l.plain_words()
                .contains("(MIT OR Apache-2.0) AND CC-BY-4.0")
        );
        assert!(License::parse("GPL-2.0-or-later WITH Classpath-exception-2.0").is_ok());
        assert!(License::parse("LicenseRef-Riverside-1").is_ok());
    }

    #[test]
    fn prose_is_not_a_license_id() {
        let e = License::parse("CC BY-SA 4.0").unwrap_err();
        assert!(e.contains("did you mean CC-BY-SA-4.0"), "{e}");
        assert!(License::parse("Creative Commons").is_err());
        assert!(License::parse("MIT OR").is_err());
        assert!(License::parse("(MIT").is_err());
        assert!(License::parse("").is_err());
    }

    #[test]
    fn no_derivatives_forbids_changes() {
        assert!(!License::parse("CC-BY-ND-4.0").unwrap().allows_changes());
        assert!(License::parse("LicenseRef-x").unwrap().allows_changes());
    }
}
