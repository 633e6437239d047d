//! `content/manuals/<slug>/` → raw manuals: `manual.toml`, one folder per version
//! holding chapters (`*.md`, in any subfolder), an optional `SUMMARY.md` (their order)
//! and `CHANGES.md`, and any other files (images) beside them, as a handbook written
//! elsewhere has them. Only the shape of the folders is judged here; names, order and
//! links are checked later.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{read_text, relative};
use crate::config::toml_diagnostic;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::manual::MANUAL_FILE;

/// Where manuals live, relative to the site.
pub const MANUALS_DIR: &str = "content/manuals";

/// `manual.toml`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManualFile {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    /// An SPDX license expression: `CC-BY-SA-4.0`.
    pub license: String,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub forked_from: Option<RawOrigin>,
    /// Earlier generations beyond `forked_from`, nearest first.
    #[serde(default)]
    pub ancestors: Vec<RawOrigin>,
}

/// `[forked_from]` or an entry of `[[ancestors]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrigin {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// One manual folder.
#[derive(Debug, Clone)]
pub struct RawManual {
    /// `content/manuals/<slug>`.
    pub path: PathBuf,
    pub slug: String,
    /// `content/manuals/<slug>/manual.toml`.
    pub file_path: PathBuf,
    pub file: ManualFile,
    /// The text of `manual.toml`, to point errors at a key's line.
    pub file_text: String,
    /// In file-name order; ordered by number in `check`.
    pub versions: Vec<RawVersion>,
}

/// One version folder.
#[derive(Debug, Clone)]
pub struct RawVersion {
    pub path: PathBuf,
    pub label: String,
    /// Sorted by path in the folder.
    pub chapters: Vec<RawChapter>,
    pub changes: Option<RawChapter>,
    /// `SUMMARY.md`.
    pub summary: Option<RawChapter>,
    /// Every other file, sorted by path in the folder.
    pub assets: Vec<RawAsset>,
}

/// A Markdown file of a version folder.
#[derive(Debug, Clone)]
pub struct RawChapter {
    pub path: PathBuf,
    /// Its path in the version folder, with `/`: `roles/delegate.md`.
    pub file_name: String,
    pub body: String,
}

/// Any other file of a version folder.
#[derive(Debug, Clone)]
pub struct RawAsset {
    pub path: PathBuf,
    /// Its path in the version folder, with `/`: `img/map.png`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Hidden folders that hold a handbook's files: GitBook keeps uploaded images in
/// `.gitbook/assets/`.
const HIDDEN_ASSET_FOLDERS: &[&str] = &[".gitbook"];

/// Files a manual folder may hold besides `manual.toml` and its versions; a source
/// bundle brings a README and a LICENSE. They are not published.
fn is_side_file(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "README", "LICENSE", "LICENCE", "NOTICE", "COPYING", "AUTHORS",
    ]
    .iter()
    .any(|p| upper == *p || upper.starts_with(&format!("{p}.")))
}

pub fn load_manuals(site: &Path, problems: &mut Diagnostics) -> Vec<RawManual> {
    let dir = site.join(MANUALS_DIR);
    let mut manuals = Vec::new();
    for entry in list_dir(site, &dir, problems) {
        let shown = relative(site, &entry.path);
        if entry.is_dir {
            if let Some(m) = load_manual(site, &entry.path, &entry.name, problems) {
                manuals.push(m);
            }
        } else if !is_side_file(&entry.name) {
            problems.push(Diagnostic::new(
                shown,
                "a manual is a folder: content/manuals/<slug>/ with manual.toml and version folders like 1.0/",
            ));
        }
    }
    manuals
}

fn load_manual(
    site: &Path,
    dir: &Path,
    slug: &str,
    problems: &mut Diagnostics,
) -> Option<RawManual> {
    let file_path = relative(site, &dir.join(MANUAL_FILE));
    let entries = list_dir(site, dir, problems);
    let mut versions = Vec::new();
    let mut has_file = false;
    for entry in &entries {
        let shown = relative(site, &entry.path);
        if entry.is_dir {
            versions.push(load_version(site, &entry.path, &entry.name, problems));
        } else if entry.name == MANUAL_FILE {
            has_file = true;
        } else if !is_side_file(&entry.name) {
            let hint = if entry.name.ends_with(".md") {
                "a chapter belongs in a version folder, like 1.0/"
            } else {
                "a manual folder holds manual.toml and version folders (like 1.0/) only"
            };
            problems.push(Diagnostic::new(shown, hint));
        }
    }
    if !has_file {
        problems.push(Diagnostic::new(
            relative(site, dir),
            "a manual needs a manual.toml (title, summary, license, authors)",
        ));
        return None;
    }
    let text = read_text(site, &dir.join(MANUAL_FILE), &file_path, problems)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let file: ManualFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            problems.push(toml_diagnostic(&file_path, &text, &e, 0));
            return None;
        }
    };
    Some(RawManual {
        path: relative(site, dir),
        slug: slug.to_string(),
        file_path,
        file,
        file_text: text,
        versions,
    })
}

fn load_version(site: &Path, dir: &Path, label: &str, problems: &mut Diagnostics) -> RawVersion {
    let mut chapters = Vec::new();
    let mut changes = None;
    let mut summary = None;
    let mut assets = Vec::new();
    let walk = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !name.starts_with('.') || HIDDEN_ASSET_FOLDERS.contains(&&*name)
        });
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir);
                problems.push(Diagnostic::new(
                    relative(site, path),
                    format!("failed to read: {e}"),
                ));
                continue;
            }
        };
        if !entry.path().is_file() {
            continue;
        }
        let shown = relative(site, entry.path());
        let name = crate::paths::slash_path(dir, entry.path());
        if !name.to_ascii_lowercase().ends_with(".md") {
            if let Some(bytes) = super::read_bytes(site, entry.path(), &shown, problems) {
                assets.push(RawAsset {
                    path: shown,
                    name,
                    bytes,
                });
            }
            continue;
        }
        let Some(text) = read_text(site, entry.path(), &shown, problems) else {
            continue;
        };
        let chapter = RawChapter {
            path: shown,
            body: text.strip_prefix('\u{feff}').unwrap_or(&text).to_string(),
            file_name: name,
        };
        if chapter.file_name == crate::model::manual::CHANGES_FILE {
            changes = Some(chapter);
        } else if chapter.file_name == crate::model::manual::SUMMARY_FILE {
            summary = Some(chapter);
        } else {
            chapters.push(chapter);
        }
    }
    chapters.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    RawVersion {
        path: relative(site, dir),
        label: label.to_string(),
        chapters,
        changes,
        summary,
        assets,
    }
}

struct Entry {
    path: PathBuf,
    name: String,
    is_dir: bool,
}

/// The entries of `dir` sorted by name, hidden ones left out; a missing folder is empty.
fn list_dir(site: &Path, dir: &Path, problems: &mut Diagnostics) -> Vec<Entry> {
    if !dir.exists() {
        return Vec::new();
    }
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) => {
            problems.push(Diagnostic::new(
                relative(site, dir),
                format!("failed to read the folder: {e}"),
            ));
            return Vec::new();
        }
    };
    let mut entries = Vec::new();
    for entry in read {
        match entry {
            Ok(entry) => {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let path = entry.path();
                // Follow symlinks: a linked folder is a folder.
                let is_dir = path.is_dir();
                entries.push(Entry { path, name, is_dir });
            }
            Err(e) => problems.push(Diagnostic::new(
                relative(site, dir),
                format!("failed to read the folder: {e}"),
            )),
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    entries
}
