//! `[[federation.members]]`: the member networks a federation site is built from.
//!
//! ```toml
//! [[federation.members]]
//! name = "hillside"                         # a slug: names data/members/<name>/
//! title = "Hillside Mutual Aid"
//! source = "https://hillside.example/"      # a published tally site, or a folder
//! ```
//! A folder source (`"../hillside/public"`) is relative to the site. Only the shape is
//! checked here; `tally fetch` reads the sources.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Diagnostic;

/// `[federation]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct FederationConfig {
    #[serde(default)]
    pub members: Vec<MemberConfig>,
}

/// One `[[federation.members]]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct MemberConfig {
    pub name: String,
    pub title: String,
    pub source: String,
}

/// Where a member's published site is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberSource {
    /// `http://…/` or `https://…/`, always ending in `/`.
    Url(String),
    /// A folder holding the member's built site (its `public/`).
    Folder(PathBuf),
}

impl MemberConfig {
    /// The member's source; a folder is resolved against `site`.
    pub fn source(&self, site: &Path) -> MemberSource {
        let s = self.source.trim();
        if s.starts_with("http://") || s.starts_with("https://") {
            let mut url = s.to_string();
            if !url.ends_with('/') {
                url.push('/');
            }
            MemberSource::Url(url)
        } else {
            MemberSource::Folder(site.join(s))
        }
    }
}

/// Member names that are not slugs, names used twice and empty sources, each with the
/// line of its `name` in `tally.toml`.
pub fn check(federation: Option<&FederationConfig>, text: &str, path: &Path) -> Vec<Diagnostic> {
    let Some(federation) = federation else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for member in &federation.members {
        let line = line_of_name(text, &member.name);
        let name = &member.name;
        if !is_member_name(name) {
            problems.push(Diagnostic::at(
                path,
                line,
                format!(
                    "federation.members: name {name:?} must be a slug (lowercase letters, digits, -), like \"hillside\""
                ),
            ));
        }
        if !seen.insert(name.as_str()) {
            problems.push(Diagnostic::at(
                path,
                line,
                format!("federation.members: {name:?} is listed twice"),
            ));
        }
        if member.source.trim().is_empty() {
            problems.push(Diagnostic::at(
                path,
                line,
                format!(
                    "federation.members: {name}: source is empty; give the member's site URL or the folder of its built site"
                ),
            ));
        }
    }
    problems
}

/// Lowercase ASCII letters, digits and inner `-`: it names a folder and a URL.
fn is_member_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The line (1-based) of `name = "<name>"`, or 1.
fn line_of_name(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with("name") && l.contains(&quoted)
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, source: &str) -> MemberConfig {
        MemberConfig {
            name: name.into(),
            title: "T".into(),
            source: source.into(),
        }
    }

    #[test]
    fn names_must_be_slugs_and_unique_and_sources_given() {
        let config = FederationConfig {
            members: vec![
                member("hillside", "../hillside/public"),
                member("Hill Side", "x"),
                member("hillside", ""),
            ],
        };
        let text = "[[federation.members]]\nname = \"hillside\"\n[[federation.members]]\nname = \"Hill Side\"\n";
        let problems = check(Some(&config), text, Path::new("tally.toml"));
        let shown: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].contains("tally.toml:4") && shown[0].contains("slug"));
        assert!(shown[1].contains("listed twice"));
        assert!(shown[2].contains("source is empty"));
    }

    #[test]
    fn sources_are_urls_or_folders_under_the_site() {
        let site = Path::new("/sites/region");
        assert_eq!(
            member("a", "https://a.example").source(site),
            MemberSource::Url("https://a.example/".into())
        );
        assert_eq!(
            member("a", "../a/public").source(site),
            MemberSource::Folder(site.join("../a/public"))
        );
    }
}
