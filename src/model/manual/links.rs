//! Where a link or image in a chapter points, inside its version: another chapter
//! (`name.md`, `name.html` as mdBook and GitBook emit, or plain `name`), a heading of
//! this chapter (`#anchor`), the version's `CHANGES.md`, or a file beside the chapters
//! (`img/x.png`). Paths are taken relative to the linking chapter's folder. No I/O.

use super::{CHANGES_FILE, Version};

/// What a link's destination names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// A chapter of the version, by index, and the heading named after `#`.
    Chapter {
        index: usize,
        fragment: Option<&'a str>,
    },
    /// The version's `CHANGES.md`.
    Changes { fragment: Option<&'a str> },
    /// A file beside the chapters, by its path in the version folder.
    Asset { path: String },
    /// A heading of the linking chapter itself.
    Here { fragment: &'a str },
    /// A relative path that names nothing in the version, as resolved.
    Missing { path: String },
    /// A web address, an absolute path, `mailto:` and the like: not the version's.
    Outside,
}

/// A destination cut into path and fragment, `None` when it is not relative.
fn split(destination: &str) -> Option<(&str, Option<&str>)> {
    let d = destination.trim();
    if d.is_empty() || d.starts_with(['/', '?']) || d.contains("://") || d.starts_with("//") {
        return None;
    }
    if let Some(colon) = d.find(':') {
        // `mailto:`, `tel:`, `javascript:` …: a scheme comes before any `/` or `#`.
        if !d[..colon].contains(['/', '#']) {
            return None;
        }
    }
    let (path, fragment) = match d.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment).filter(|f| !f.is_empty())),
        None => (d, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    Some((path, fragment))
}

/// `from`'s folder joined with `path`, `.` and `..` resolved; `None` when it leaves the
/// version folder.
pub fn join(from: &str, path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if decoded.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

impl Version {
    /// Where `destination`, written in the chapter at `from` (its path in the version
    /// folder), points.
    pub fn resolve<'d>(&self, from: &str, destination: &'d str) -> Target<'d> {
        let Some((path, fragment)) = split(destination) else {
            return Target::Outside;
        };
        if path.is_empty() {
            return match fragment {
                Some(fragment) => Target::Here { fragment },
                None => Target::Outside,
            };
        }
        let Some(joined) = join(from, path) else {
            return Target::Missing {
                path: path.to_string(),
            };
        };
        for candidate in candidates(&joined) {
            if candidate == CHANGES_FILE && self.notes.is_some() {
                return Target::Changes { fragment };
            }
            if let Some(index) = self.chapters.iter().position(|c| c.file_name == candidate) {
                return Target::Chapter { index, fragment };
            }
        }
        if self.assets.iter().any(|a| a.path == joined) {
            return Target::Asset { path: joined };
        }
        Target::Missing { path: joined }
    }
}

/// The chapter files a path may mean: `x.md` itself; `x.html` and `x` as `x.md`; a
/// folder (`x/`, `x/index.html`) as its `README.md` or `index.md`.
fn candidates(path: &str) -> Vec<String> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".md") {
        return vec![path.to_string()];
    }
    let folder = |dir: &str| -> Vec<String> {
        ["README.md", "readme.md", "index.md"]
            .iter()
            .map(|f| format!("{dir}{f}"))
            .collect()
    };
    if path.is_empty() || path.ends_with('/') {
        return folder(path);
    }
    if lower.ends_with(".html") || lower.ends_with(".htm") {
        let stem = &path[..path.rfind('.').unwrap_or(path.len())];
        let mut all = vec![format!("{stem}.md")];
        if let Some(dir) = stem
            .strip_suffix("index")
            .filter(|d| d.is_empty() || d.ends_with('/'))
        {
            all.extend(folder(dir));
        }
        return all;
    }
    let last = path.rsplit('/').next().unwrap_or(path);
    if last.contains('.') {
        return Vec::new();
    }
    let mut all = vec![format!("{path}.md")];
    all.extend(folder(&format!("{path}/")));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::manual::{Asset, ChangeNotes, Chapter, VersionNumber};
    use std::path::PathBuf;
    use std::sync::Arc;

    fn version() -> Version {
        let chapter = |name: &str| Chapter::new(name, name, "# T\n", String::new());
        Version {
            label: "1.0".into(),
            number: VersionNumber::parse("1.0").unwrap(),
            path: PathBuf::from("1.0"),
            chapters: vec![
                chapter("README.md"),
                chapter("purpose_&_vision.md"),
                chapter("roles/README.md"),
                chapter("roles/delegate.md"),
            ],
            summary: None,
            assets: vec![Asset {
                path: "img/map.png".into(),
                source: PathBuf::from("img/map.png"),
                bytes: Arc::from(&b"png"[..]),
            }],
            notes: Some(ChangeNotes {
                path: PathBuf::from("CHANGES.md"),
                body: String::new(),
            }),
            changes: None,
        }
    }

    #[test]
    fn every_form_of_a_chapter_link_resolves() {
        let v = version();
        let chapter = |index, fragment| Target::Chapter { index, fragment };
        assert_eq!(
            v.resolve("README.md", "purpose_&_vision.md"),
            chapter(1, None)
        );
        assert_eq!(
            v.resolve("README.md", "purpose_&_vision.html"),
            chapter(1, None)
        );
        assert_eq!(
            v.resolve("README.md", "./purpose_&_vision#aims"),
            chapter(1, Some("aims"))
        );
        assert_eq!(
            v.resolve("README.md", "purpose_%26_vision.md"),
            chapter(1, None)
        );
        assert_eq!(
            v.resolve("roles/delegate.md", "../README.md"),
            chapter(0, None)
        );
        assert_eq!(v.resolve("roles/delegate.md", "./"), chapter(2, None));
        assert_eq!(v.resolve("README.md", "roles/"), chapter(2, None));
        assert_eq!(v.resolve("README.md", "roles/index.html"), chapter(2, None));
        assert_eq!(
            v.resolve("roles/delegate.md", "../index.html"),
            chapter(0, None)
        );
        assert_eq!(
            v.resolve("README.md", "CHANGES.md"),
            Target::Changes { fragment: None }
        );
        assert_eq!(
            v.resolve("README.md", "#top"),
            Target::Here { fragment: "top" }
        );
    }

    #[test]
    fn files_beside_chapters_and_missing_ones() {
        let v = version();
        assert_eq!(
            v.resolve("roles/delegate.md", "../img/map.png"),
            Target::Asset {
                path: "img/map.png".into()
            }
        );
        assert_eq!(
            v.resolve("roles/delegate.md", "img/map.png"),
            Target::Missing {
                path: "roles/img/map.png".into()
            }
        );
        assert_eq!(
            v.resolve("README.md", "coordination.html"),
            Target::Missing {
                path: "coordination.html".into()
            }
        );
        assert_eq!(
            v.resolve("README.md", "../../x.md"),
            Target::Missing {
                path: "../../x.md".into()
            }
        );
        for outside in [
            "https://x.example/a.md",
            "/manuals/a.md",
            "mailto:a@b.md",
            "javascript:alert(1)//.md",
            "//cdn.example/x.png",
        ] {
            assert_eq!(
                v.resolve("README.md", outside),
                Target::Outside,
                "{outside}"
            );
        }
    }
}
