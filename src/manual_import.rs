//! `tally manual import SRC --slug S --version V [--git-ref REF]`: brings an mdBook or
//! GitBook handbook into `content/manuals/<slug>/<version>/` as it is (chapters,
//! `SUMMARY.md`, images), from a folder or from a git repository at a tag or commit
//! (read with `git`, never checked out). Writes `manual.toml` from what the handbook
//! says of itself (`book.toml`, `book.json`, its README and LICENSE) when the manual has
//! none yet, and reports what tally cannot carry (GitBook plugins, custom styles).
//! Writes nothing when anything fails: the version folder appears whole or not at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Result};
use crate::load::manual::MANUALS_DIR;
use crate::model::manual::{MANUAL_FILE, SUMMARY_FILE, VersionNumber};

/// What to import, and where.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The site folder (holding tally.toml).
    pub site: PathBuf,
    /// The handbook: a folder, or a git repository when `git_ref` is set.
    pub source: PathBuf,
    pub slug: String,
    pub version: String,
    pub git_ref: Option<String>,
}

/// What was imported.
#[derive(Debug, Clone)]
pub struct Imported {
    /// `content/manuals/<slug>/<version>`, inside the site.
    pub folder: PathBuf,
    pub chapters: usize,
    pub files: usize,
    /// `Some(text)` when `manual.toml` was written (the manual had none).
    pub manual_toml: Option<String>,
    /// The SPDX id found in the handbook's license file, if recognised.
    pub license: Option<String>,
    /// What could not be carried, one sentence each.
    pub not_carried: Vec<String>,
}

/// A handbook's files by path (with `/`), relative to the repository or folder root.
type Tree = BTreeMap<String, Vec<u8>>;

pub fn import(request: &ImportRequest) -> Result<Imported> {
    check_request(request)?;
    let manual_dir = request.site.join(MANUALS_DIR).join(&request.slug);
    let folder = manual_dir.join(&request.version);
    if folder.exists() {
        return Err(Error::Usage(format!(
            "{} already exists: each version is imported once; choose another --version",
            folder.display()
        )));
    }
    let tree = match &request.git_ref {
        Some(reference) => read_git(&request.source, reference)?,
        None => read_folder(&request.source)?,
    };
    let book = Book::read(&tree)?;
    let (files, mut not_carried) = book.files(&tree);
    not_carried.splice(0..0, book.not_carried.iter().cloned());
    if !files.keys().any(|p| is_markdown(p) && p != SUMMARY_FILE) {
        return Err(Error::Usage(format!(
            "no Markdown chapters found in {}{}",
            request.source.display(),
            if book.root.is_empty() {
                String::new()
            } else {
                format!(" under {}", book.root)
            }
        )));
    }
    let license = detect_license(&tree);
    let manual_toml = if manual_dir.join(MANUAL_FILE).exists() {
        None
    } else {
        Some(book.manual_toml(&request.slug, license.as_deref()))
    };
    write_version(
        &manual_dir,
        &request.version,
        &files,
        manual_toml.as_deref(),
    )?;
    Ok(Imported {
        folder: PathBuf::from(MANUALS_DIR)
            .join(&request.slug)
            .join(&request.version),
        chapters: files
            .keys()
            .filter(|p| is_markdown(p) && *p != SUMMARY_FILE && *p != "CHANGES.md")
            .count(),
        files: files.len(),
        manual_toml,
        license,
        not_carried,
    })
}

/// The slug, version and site asked for are usable: a slug, a version number, a folder
/// holding `tally.toml`.
fn check_request(request: &ImportRequest) -> Result<()> {
    if !crate::slug::is_slug(&request.slug) || request.slug.contains('.') {
        return Err(Error::Usage(format!(
            "--slug {:?} is not a URL slug: use lowercase letters, digits and dashes",
            request.slug
        )));
    }
    if VersionNumber::parse(&request.version).is_none() {
        return Err(Error::Usage(format!(
            "--version {:?} is not a version number like 1.0 or 2.10",
            request.version
        )));
    }
    if !request.site.join("tally.toml").is_file() {
        return Err(Error::Usage(format!(
            "{} is not a tally site (no tally.toml); pass --site",
            request.site.display()
        )));
    }
    Ok(())
}

fn is_markdown(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".md")
}

/// Writes the version into a hidden folder beside it, then renames it into place.
fn write_version(
    manual_dir: &Path,
    version: &str,
    files: &Tree,
    manual_toml: Option<&str>,
) -> Result<()> {
    let staging = manual_dir.join(format!(".import-{version}"));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io("remove", &staging, e))?;
    }
    let written = (|| -> Result<()> {
        for (path, bytes) in files {
            let target = staging.join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
            }
            std::fs::write(&target, bytes).map_err(|e| Error::io("write", &target, e))?;
        }
        let folder = manual_dir.join(version);
        std::fs::rename(&staging, &folder).map_err(|e| Error::io("rename", &folder, e))?;
        if let Some(text) = manual_toml {
            let path = manual_dir.join(MANUAL_FILE);
            std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
        }
        Ok(())
    })();
    if written.is_err() && staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    written
}

/// Every file under `dir` but `.git` and other hidden ones (GitBook's `.gitbook/` and
/// `.gitbook.yaml` are kept).
fn read_folder(dir: &Path) -> Result<Tree> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder; give the handbook's folder (or a git repository with --git-ref)",
            dir.display()
        )));
    }
    let mut tree = Tree::new();
    let walk = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(&e.file_name().to_string_lossy()));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io("read", &path, std::io::Error::other(e.to_string()))
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::paths::slash_path(dir, entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        tree.insert(rel, bytes);
    }
    Ok(tree)
}

fn is_hidden(name: &str) -> bool {
    name.starts_with('.') && name != ".gitbook" && name != ".gitbook.yaml"
}

/// Every file of `repository` at `reference` (a tag, branch or commit), read with git.
fn read_git(repository: &Path, reference: &str) -> Result<Tree> {
    match Command::new("git").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => {
            return Err(Error::Usage(
                "--git-ref needs git, which was not found on this machine: install git \
                 (apt-get install git), or check out the tag yourself and import the folder"
                    .into(),
            ));
        }
    }
    let commit = format!("{reference}^{{commit}}");
    git(repository, &["rev-parse", "--verify", "--quiet", &commit]).map_err(|_| {
        Error::Usage(format!(
            "{} has no tag or commit {reference:?} (see `git -C {} tag`)",
            repository.display(),
            repository.display()
        ))
    })?;
    let listing = git(repository, &["ls-tree", "-r", "-z", "--full-tree", &commit])?;
    let mut tree = Tree::new();
    for record in listing.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (mode, kind, id) = (meta.next(), meta.next(), meta.next());
        // Blobs only: not submodules (commit) or symbolic links (mode 120000).
        if kind != Some("blob") || mode == Some("120000") {
            continue;
        }
        if path.split('/').any(is_hidden) {
            continue;
        }
        let Some(id) = id else { continue };
        tree.insert(
            path.to_string(),
            git(repository, &["cat-file", "blob", id])?,
        );
    }
    Ok(tree)
}

fn git(repository: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repository)
        .args(args)
        .output()
        .map_err(|e| Error::io("run git in", repository, e))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git {} in {} failed: {}",
            args.join(" "),
            repository.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// What a handbook says of itself.
#[derive(Debug, Default)]
struct Book {
    /// Where its chapters are, relative to the root (empty: the root), without `/`.
    root: String,
    title: Option<String>,
    description: Option<String>,
    authors: Vec<String>,
    /// Files that describe the book rather than belong to it (left out).
    config_files: Vec<String>,
    not_carried: Vec<String>,
}

impl Book {
    fn read(tree: &Tree) -> Result<Book> {
        let mut book = Book::default();
        if let Some(bytes) = tree.get("book.toml") {
            book.read_mdbook(&String::from_utf8_lossy(bytes))?;
        }
        if let Some(bytes) = tree.get(".gitbook.yaml") {
            book.config_files.push(".gitbook.yaml".into());
            for line in String::from_utf8_lossy(bytes).lines() {
                if let Some(root) = line.strip_prefix("root:") {
                    book.root = clean_root(root.trim().trim_matches(['"', '\'']));
                }
                if line.trim_start().starts_with("redirects:") {
                    book.not_carried
                        .push(".gitbook.yaml redirects: old addresses are not redirected".into());
                }
            }
        }
        if let Some(bytes) = tree.get("book.json") {
            book.read_gitbook(&String::from_utf8_lossy(bytes))?;
        }
        if book.title.is_none() {
            book.title = ["README.md", "readme.md", "index.md"]
                .iter()
                .find_map(|f| tree.get(&book.path(f)))
                .and_then(|b| {
                    crate::model::manual::title::first_heading(&String::from_utf8_lossy(b))
                })
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
        }
        Ok(book)
    }

    fn read_mdbook(&mut self, text: &str) -> Result<()> {
        self.config_files.push("book.toml".into());
        let value: toml::Table = toml::from_str(text)
            .map_err(|e| Error::Usage(format!("book.toml is not valid TOML: {e}")))?;
        let section = value.get("book").and_then(|b| b.as_table());
        let text_of = |key: &str| {
            section
                .and_then(|b| b.get(key))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        self.title = text_of("title");
        self.description = text_of("description");
        self.root = clean_root(&text_of("src").unwrap_or_else(|| "src".into()));
        self.authors = section
            .and_then(|b| b.get("authors"))
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for key in ["preprocessor", "output"] {
            if let Some(table) = value.get(key).and_then(|t| t.as_table()) {
                for name in table.keys().filter(|n| *n != "html") {
                    self.not_carried.push(format!(
                        "mdBook {key} {name:?}: tally renders with its own theme"
                    ));
                }
            }
        }
        Ok(())
    }

    fn read_gitbook(&mut self, text: &str) -> Result<()> {
        self.config_files.push("book.json".into());
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::Usage(format!("book.json is not valid JSON: {e}")))?;
        let text_of = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_string);
        self.title = self.title.take().or_else(|| text_of("title"));
        self.description = self.description.take().or_else(|| text_of("description"));
        if let Some(author) = text_of("author") {
            self.authors.push(author);
        }
        if let Some(root) = text_of("root") {
            self.root = clean_root(&root);
        }
        let plugins: Vec<String> = value
            .get("plugins")
            .and_then(|p| p.as_array())
            .map(|p| {
                p.iter()
                    .filter_map(|v| v.as_str())
                    // `-name` switches a default plugin off.
                    .filter(|n| !n.starts_with('-'))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        if !plugins.is_empty() {
            self.not_carried.push(format!(
                "GitBook plugins {}: their effects on the pages are not reproduced",
                plugins.join(", ")
            ));
        }
        Ok(())
    }

    /// `file` inside the book's root.
    fn path(&self, file: &str) -> String {
        if self.root.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.root)
        }
    }

    /// A file of the book that is not part of the manual: the book's configuration, its
    /// licence (read into `manual.toml`), npm and GitBook build files, custom layouts and
    /// styles.
    fn left_behind(&self, rel: &str) -> bool {
        let top = rel.split('/').next().unwrap_or(rel);
        let upper = top.to_ascii_uppercase();
        self.config_files.iter().any(|c| c == rel)
            || ["LICENSE", "LICENCE", "COPYING"]
                .iter()
                .any(|l| upper == *l || upper.starts_with(&format!("{l}.")))
            || [
                "package.json",
                "package-lock.json",
                "_book",
                "node_modules",
                "_layouts",
            ]
            .contains(&top)
            || (rel.contains('/') && top == "styles")
    }

    /// The files that make the handbook, by path inside its root, and what was left out.
    /// With a `SUMMARY.md`, Markdown files it does not list are left out (as mdBook and
    /// GitBook leave them out).
    fn files(&self, tree: &Tree) -> (Tree, Vec<String>) {
        let prefix = if self.root.is_empty() {
            String::new()
        } else {
            format!("{}/", self.root)
        };
        let mut files = Tree::new();
        let mut left_out: Vec<String> = Vec::new();
        let mut styles: Vec<String> = Vec::new();
        for (path, bytes) in tree {
            let Some(rel) = path.strip_prefix(&prefix) else {
                continue;
            };
            let top = rel.split('/').next().unwrap_or(rel);
            if top == "styles" || top == "_layouts" {
                styles.push(rel.to_string());
            }
            if !self.left_behind(rel) {
                files.insert(rel.to_string(), bytes.clone());
            }
        }
        let mut not_carried = Vec::new();
        if !styles.is_empty() {
            not_carried.push(format!(
                "custom styles and layouts ({}): tally's theme applies",
                styles.join(", ")
            ));
        }
        if let Some(summary) = files.get(SUMMARY_FILE) {
            let listed = listed_files(&String::from_utf8_lossy(summary));
            for path in files.keys() {
                let chapter = is_markdown(path) && path != SUMMARY_FILE && path != "CHANGES.md";
                if chapter && !listed.contains(path) {
                    left_out.push(path.clone());
                }
            }
            for path in &left_out {
                files.remove(path);
            }
        }
        if !left_out.is_empty() {
            not_carried.push(format!(
                "Markdown files that SUMMARY.md does not list: {}",
                left_out.join(", ")
            ));
        }
        (files, not_carried)
    }

    fn manual_toml(&self, slug: &str, license: Option<&str>) -> String {
        #[derive(serde::Serialize)]
        struct File<'a> {
            title: &'a str,
            summary: &'a str,
            license: &'a str,
            authors: &'a [String],
        }
        let file = File {
            title: self.title.as_deref().unwrap_or(slug),
            summary: self.description.as_deref().unwrap_or(""),
            license: license.unwrap_or(""),
            authors: &self.authors,
        };
        let body = toml::to_string(&file).unwrap_or_default();
        let mut text = String::from(
            "# Written by `tally manual import` from what the handbook says of itself.\n",
        );
        if license.is_none() {
            text.push_str(
                "# No license was recognised: set `license` to its SPDX id (like CC-BY-SA-4.0).\n",
            );
        }
        text.push_str("# Where it came from: add [forked_from] title, url, version.\n\n");
        text.push_str(&body);
        text
    }
}

/// `./docs/` → `docs`.
fn clean_root(root: &str) -> String {
    root.trim()
        .trim_start_matches("./")
        .trim_matches('/')
        .trim_start_matches('.')
        .to_string()
}

/// The files a `SUMMARY.md` links to, as paths in the book.
fn listed_files(summary: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(summary)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let path = dest_url.split('#').next().unwrap_or("").to_string();
                crate::model::manual::links::join("", &path)
            }
            _ => None,
        })
        .collect()
}

/// The SPDX id of the license file at the top of `tree`, when its text is recognised.
fn detect_license(tree: &Tree) -> Option<String> {
    let text = tree
        .iter()
        .filter(|(path, _)| !path.contains('/'))
        .find(|(path, _)| {
            let upper = path.to_ascii_uppercase();
            ["LICENSE", "LICENCE", "COPYING"]
                .iter()
                .any(|l| upper == *l || upper.starts_with(&format!("{l}.")))
        })
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())?;
    license_id(&text)
}

/// The SPDX id of a license text: an `SPDX-License-Identifier:` line, a bare id, or the
/// wording of a common license.
pub fn license_id(text: &str) -> Option<String> {
    use crate::model::manual::License;
    for line in text.lines() {
        if let Some(id) = line.split("SPDX-License-Identifier:").nth(1) {
            return License::parse(id.trim()).ok().map(|l| l.expression);
        }
    }
    let first = text.lines().find(|l| !l.trim().is_empty())?.trim();
    if !first.contains(' ')
        && let Ok(l) = License::parse(first)
    {
        return Some(l.expression);
    }
    let words: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const KNOWN: &[(&[&str], &str)] = &[
        (
            &["Attribution-NonCommercial-ShareAlike 4.0"],
            "CC-BY-NC-SA-4.0",
        ),
        (
            &["Attribution-NonCommercial-NoDerivatives 4.0"],
            "CC-BY-NC-ND-4.0",
        ),
        (&["Attribution-NonCommercial 4.0"], "CC-BY-NC-4.0"),
        (&["Attribution-NoDerivatives 4.0"], "CC-BY-ND-4.0"),
        (&["Attribution-ShareAlike 4.0"], "CC-BY-SA-4.0"),
        (&["Attribution-ShareAlike 3.0"], "CC-BY-SA-3.0"),
        (&["Attribution 4.0 International"], "CC-BY-4.0"),
        (&["CC0 1.0 Universal"], "CC0-1.0"),
        (&["Permission is hereby granted, free of charge"], "MIT"),
        (&["Apache License", "Version 2.0"], "Apache-2.0"),
        (&["This is free and unencumbered software"], "Unlicense"),
    ];
    KNOWN
        .iter()
        .find(|(phrases, _)| phrases.iter().all(|p| words.contains(p)))
        .map(|(_, id)| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licenses_are_recognised_by_their_wording() {
        let by_sa =
            "Attribution-ShareAlike 4.0 International\n\n=======\n\nCreative Commons Corporation";
        assert_eq!(license_id(by_sa).as_deref(), Some("CC-BY-SA-4.0"));
        let mit = "MIT License\n\nCopyright (c) 2026\n\nPermission is hereby granted, free of\ncharge, to any person";
        assert_eq!(license_id(mit).as_deref(), Some("MIT"));
        assert_eq!(license_id("CC0-1.0\n").as_deref(), Some("CC0-1.0"));
        assert_eq!(
            license_id("// SPDX-License-Identifier: CC-BY-4.0\nText").as_deref(),
            Some("CC-BY-4.0")
        );
        assert_eq!(license_id("All rights reserved."), None);
    }

    #[test]
    fn a_gitbook_config_names_the_root_title_and_plugins() {
        let mut tree = Tree::new();
        tree.insert(
            "book.json".into(),
            br#"{"title": "Handbook", "root": "./docs/", "plugins": ["youtube", "-sharing"]}"#
                .to_vec(),
        );
        tree.insert("docs/README.md".into(), b"# Intro\n".to_vec());
        tree.insert("docs/SUMMARY.md".into(), b"* [Intro](README.md)\n".to_vec());
        tree.insert("docs/extra.md".into(), b"# Extra\n".to_vec());
        tree.insert("docs/img/a.png".into(), b"png".to_vec());
        tree.insert("docs/styles/website.css".into(), b"a{}".to_vec());
        tree.insert("LICENSE".into(), b"CC0-1.0".to_vec());
        let book = Book::read(&tree).unwrap();
        assert_eq!(book.root, "docs");
        assert_eq!(book.title.as_deref(), Some("Handbook"));
        assert!(
            book.not_carried[0].contains("youtube"),
            "{:?}",
            book.not_carried
        );
        assert!(!book.not_carried[0].contains("sharing"));
        let (files, left) = book.files(&tree);
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["README.md", "SUMMARY.md", "img/a.png"]);
        assert!(left.iter().any(|l| l.contains("extra.md")), "{left:?}");
        assert!(
            left.iter().any(|l| l.contains("styles/website.css")),
            "{left:?}"
        );
    }
}
