//! Raw manuals → [`Manual`]s: the folder name is a slug, the license an SPDX
//! expression, version folders are version numbers (ordered numerically), every version
//! has chapters with distinct URL names, in the order of its `SUMMARY.md` when it has
//! one, origin links are web addresses, and every link and image of a chapter that
//! points inside the version names a chapter, heading or file of it (see [`links`]).
//! Every problem names its file and line.

mod links;
pub mod summary;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::manual::{RawAsset, RawChapter, RawManual, RawOrigin, RawVersion};
use crate::model::manual::names::{closest, is_introduction};
use crate::model::manual::title::first_heading;
use crate::model::manual::{
    Asset, ChangeNotes, Chapter, ContentsFile, License, Lineage, Manual, Origin,
    RESERVED_CHAPTER_SLUGS, Version, VersionNumber,
};
use crate::slug::is_slug;

/// `read_whole(dir)`: whether every file under `dir` was read (the chapters of a version
/// are judged together only then).
pub fn check_manuals(
    raw: Vec<RawManual>,
    read_whole: &dyn Fn(&Path) -> bool,
    problems: &mut Diagnostics,
) -> Vec<Manual> {
    raw.into_iter()
        .filter_map(|m| check_manual(m, read_whole, problems))
        .collect()
}

fn check_manual(
    raw: RawManual,
    read_whole: &dyn Fn(&Path) -> bool,
    problems: &mut Diagnostics,
) -> Option<Manual> {
    let before = problems.0.len();
    let file = &raw.file_path;
    let text = &raw.file_text;
    check_slug(&raw, problems);
    if raw.file.title.trim().is_empty() {
        problems.push(Diagnostic::at(
            file,
            key_line(text, "title", 0),
            "title: must not be empty",
        ));
    }
    let license = match License::parse(&raw.file.license) {
        Ok(license) => Some(license),
        Err(reason) => {
            problems.push(Diagnostic::at(
                file,
                key_line(text, "license", 0),
                format!("license: {reason}"),
            ));
            None
        }
    };
    let (forked_from, ancestors) = check_origins(&raw, problems);

    let versions = check_versions(raw.versions, read_whole, problems);
    if versions.is_empty() && problems.0.len() == before {
        problems.push(Diagnostic::new(
            &raw.path,
            "a manual needs at least one version folder, like 1.0/, holding its chapters",
        ));
    }

    if problems.0.len() > before {
        return None;
    }
    Some(Manual {
        path: raw.path,
        slug: raw.slug,
        title: raw.file.title.trim().to_string(),
        summary: raw.file.summary.trim().to_string(),
        license: license?,
        authors: raw.file.authors,
        forked_from,
        ancestors,
        versions,
        lineage: Lineage::default(),
    })
}

/// The manual's folder name must be a slug that can name a folder of the site.
fn check_slug(raw: &RawManual, problems: &mut Diagnostics) {
    if !is_slug(&raw.slug) {
        problems.push(Diagnostic::new(
            &raw.path,
            format!(
                "folder name {:?} is not a URL slug (use lowercase letters, digits and dashes)",
                raw.slug
            ),
        ));
    } else if let Some(why) = crate::paths::name_problem(&raw.slug) {
        problems.push(Diagnostic::new(
            &raw.path,
            format!(
                "the manual's folder name {:?} cannot name a folder of the site: {why}; rename the folder",
                raw.slug
            ),
        ));
    }
}

/// A manual's versions that check, oldest first; a second folder for the same number
/// (`1.0/` and `1.0.0/`) is a problem and is dropped.
fn check_versions(
    raw: Vec<RawVersion>,
    read_whole: &dyn Fn(&Path) -> bool,
    problems: &mut Diagnostics,
) -> Vec<Version> {
    let mut versions: Vec<Version> = Vec::new();
    for v in raw {
        let read = read_whole(&v.path);
        if let Some(version) = check_version(v, read, problems) {
            if let Some(same) = versions.iter().find(|o| o.number.same_as(&version.number)) {
                problems.push(Diagnostic::new(
                    &version.path,
                    format!(
                        "version {} is the same number as version {}: keep one folder",
                        version.label, same.label
                    ),
                ));
                continue;
            }
            versions.push(version);
        }
    }
    versions.sort_by(|a, b| a.number.cmp(&b.number));
    versions
}

/// Where the manual was forked from, and the manuals before that one.
fn check_origins(raw: &RawManual, problems: &mut Diagnostics) -> (Option<Origin>, Vec<Origin>) {
    let (file, text) = (&raw.file_path, &raw.file_text);
    let forked_from = raw.file.forked_from.as_ref().map(|o| {
        let line = table_line(text, "[forked_from]", 0);
        check_origin(o, file, line, "forked_from", problems)
    });
    let ancestors = raw
        .file
        .ancestors
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let line = table_line(text, "[[ancestors]]", i);
            check_origin(o, file, line, "ancestors", problems)
        })
        .collect();
    (forked_from, ancestors)
}

fn check_origin(
    raw: &RawOrigin,
    file: &Path,
    line: usize,
    key: &str,
    problems: &mut Diagnostics,
) -> Origin {
    if raw.title.trim().is_empty() {
        problems.push(Diagnostic::at(
            file,
            line,
            format!("{key}: title must not be empty"),
        ));
    }
    if let Some(url) = &raw.url
        && url.starts_with("//")
    {
        problems.push(Diagnostic::at(
            file,
            line,
            format!(
                "{key}: url {url:?} starts with `//`, which browsers read as another site's address; write https://… for another site or one `/` for a path on this site"
            ),
        ));
    } else if let Some(url) = &raw.url
        && !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
    {
        problems.push(Diagnostic::at(
            file,
            line,
            format!(
                "{key}: url {url:?} must be a web address (https://…) or a path on this site (/…)"
            ),
        ));
    }
    Origin {
        title: raw.title.trim().to_string(),
        url: raw.url.clone(),
        version: raw.version.clone().filter(|v| !v.trim().is_empty()),
    }
}

/// `read_whole`: no file of the version was left out, so its chapters can be judged
/// together (at least one, links between them).
fn check_version(raw: RawVersion, read_whole: bool, problems: &mut Diagnostics) -> Option<Version> {
    let Some(number) = VersionNumber::parse(&raw.label) else {
        problems.push(Diagnostic::new(
            &raw.path,
            format!(
                "version folder {:?} is not a version number like 1.0 or 2.10",
                raw.label
            ),
        ));
        return None;
    };
    if raw.chapters.is_empty() {
        if read_whole {
            problems.push(Diagnostic::new(
                &raw.path,
                "a version folder needs at least one chapter (*.md)",
            ));
        }
        return None;
    }
    let before = problems.0.len();
    let mut slugs: BTreeMap<String, String> = BTreeMap::new();
    let mut chapters = Vec::new();
    for placed in order(&raw, problems) {
        let c = &raw.chapters[placed.index];
        // Kept even with a bad name, so that links to it are still judged.
        if let Some(message) = chapter_name_problem(&c.file_name, &mut slugs) {
            problems.push(Diagnostic::new(&c.path, message));
        }
        chapters.push(placed_chapter(c, placed));
    }
    let assets: Vec<Asset> = raw.assets.into_iter().map(asset).collect();
    check_asset_places(&assets, &slugs, problems);
    let version = Version {
        label: raw.label,
        number,
        path: raw.path,
        chapters,
        summary: raw.summary.map(|c| ContentsFile {
            path: c.path,
            body: c.body,
        }),
        assets,
        notes: raw.changes.map(|c| ChangeNotes {
            path: c.path,
            body: c.body,
        }),
        changes: None,
    };
    if read_whole {
        links::check(&version, problems);
    }
    if problems.0.len() > before {
        return None;
    }
    Some(version)
}

/// What is wrong with a chapter's file name as a URL name, if anything: no letters or
/// digits, a name a page of the version has, or one an earlier chapter in `slugs` took
/// (else it is added to `slugs`).
fn chapter_name_problem(file_name: &str, slugs: &mut BTreeMap<String, String>) -> Option<String> {
    let slug = Chapter::slug_of(file_name);
    if !is_slug(&slug) {
        Some(format!(
            "file name {file_name:?} does not make a URL name: give it letters or digits"
        ))
    } else if RESERVED_CHAPTER_SLUGS.contains(&slug.as_str()) {
        Some(format!(
            "the chapter name {slug:?} is taken by a page of the version; rename the file"
        ))
    } else {
        slugs
            .insert(slug.clone(), file_name.to_string())
            .map(|first| {
                format!(
                    "{file_name} and {first} make the same URL name {slug:?}; rename one of them"
                )
            })
    }
}

/// A chapter in its place: titled by `SUMMARY.md`, else its first heading, else its
/// file name.
fn placed_chapter(c: &RawChapter, placed: Placed) -> Chapter {
    let title = placed
        .title
        .or_else(|| first_heading(&c.body).map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| Chapter::title_from_file_name(&c.file_name));
    let mut chapter = Chapter::new(c.path.clone(), &c.file_name, &c.body, title);
    chapter.depth = placed.depth;
    chapter.number = placed.number;
    chapter.part = placed.part;
    chapter
}

/// An asset may not take the place of a page of the version: its index, a chapter's
/// or a reserved page's.
fn check_asset_places(
    assets: &[Asset],
    slugs: &BTreeMap<String, String>,
    problems: &mut Diagnostics,
) {
    for asset in assets {
        let taken = asset.path == "index.html"
            || slugs
                .keys()
                .map(String::as_str)
                .chain(RESERVED_CHAPTER_SLUGS.iter().copied())
                .any(|slug| asset.path == format!("{slug}/index.html"));
        if taken {
            problems.push(Diagnostic::new(
                &asset.source,
                "this file would take the place of a page of the version; rename or remove it",
            ));
        }
    }
}

/// A file of a version that is not a chapter (an image), under its path in the version.
fn asset(a: RawAsset) -> Asset {
    Asset {
        path: a.name,
        source: a.path,
        bytes: Arc::from(a.bytes),
    }
}

/// A chapter's place in its version: which raw chapter, and what `SUMMARY.md` says of it.
struct Placed {
    index: usize,
    title: Option<String>,
    depth: usize,
    number: String,
    part: Option<String>,
}

/// The chapters in the order of `SUMMARY.md`, then any it does not list by file name;
/// without `SUMMARY.md`, the introduction (`README.md`, `index.md`) then file-name order.
fn order(raw: &RawVersion, problems: &mut Diagnostics) -> Vec<Placed> {
    let mut listed = raw
        .summary
        .as_ref()
        .map_or_else(Vec::new, |summary| listed(raw, summary, problems));
    let in_summary: BTreeSet<usize> = listed.iter().map(|l| l.index).collect();
    let mut rest: Vec<usize> = (0..raw.chapters.len())
        .filter(|i| !in_summary.contains(i))
        .collect();
    // The introduction first.
    rest.sort_by_key(|&i| {
        let name = &raw.chapters[i].file_name;
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        !is_introduction(stem)
    });
    listed.extend(rest.into_iter().map(|index| Listed {
        index,
        title: None,
        depth: 0,
        part: None,
    }));
    let depths: Vec<usize> = listed.iter().map(|l| l.depth).collect();
    listed
        .into_iter()
        .zip(summary::numbers(&depths))
        .map(|(l, (depth, number))| Placed {
            index: l.index,
            title: l.title,
            depth,
            number,
            part: l.part,
        })
        .collect()
}

/// A chapter as `SUMMARY.md` lists it: which raw chapter, its title there (if any), how
/// deep it is nested and the part it opens.
struct Listed {
    index: usize,
    title: Option<String>,
    depth: usize,
    part: Option<String>,
}

/// The chapters `summary` lists, in its order; an entry naming no chapter, or one
/// already listed, is a problem and is left out.
fn listed(raw: &RawVersion, summary: &RawChapter, problems: &mut Diagnostics) -> Vec<Listed> {
    let mut listed = Vec::new();
    let mut listed_at: BTreeMap<usize, usize> = BTreeMap::new();
    let names: Vec<&str> = raw.chapters.iter().map(|c| c.file_name.as_str()).collect();
    for entry in summary::entries(&summary.body) {
        let path = entry.destination.split('#').next().unwrap_or("");
        let found = crate::model::manual::links::join("", path)
            .and_then(|p| raw.chapters.iter().position(|c| c.file_name == p));
        let Some(index) = found else {
            let hint = match closest(path, &names).as_slice() {
                [] => String::new(),
                some => format!("; did you mean {}?", some.join(" or ")),
            };
            problems.push(Diagnostic::at(
                &summary.path,
                entry.line,
                format!(
                    "{:?} is not a chapter of this version{hint}",
                    entry.destination
                ),
            ));
            continue;
        };
        if let Some(first) = listed_at.insert(index, entry.line) {
            problems.push(Diagnostic::at(
                &summary.path,
                entry.line,
                format!(
                    "{:?} is listed twice (first on line {first}); list a chapter once",
                    entry.destination
                ),
            ));
            continue;
        }
        listed.push(Listed {
            index,
            title: Some(entry.title).filter(|t| !t.is_empty()),
            depth: entry.depth,
            part: entry.part,
        });
    }
    listed
}

/// The line of the `n`th `key = …` in a TOML text (1 when not found).
fn key_line(text: &str, key: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .nth(n)
        .map_or(1, |(i, _)| i + 1)
}

/// The line of the `n`th table header `header` in a TOML text, else of the key that
/// holds it inline (1 when not found).
fn table_line(text: &str, header: &str, n: usize) -> usize {
    let found = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.trim() == header)
        .nth(n)
        .map(|(i, _)| i + 1);
    found.unwrap_or_else(|| key_line(text, header.trim_matches(['[', ']']), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_are_found() {
        let text = "title = \"a\"\n\nlicense = \"x\"\n[forked_from]\ntitle = \"b\"\n";
        assert_eq!(key_line(text, "license", 0), 3);
        assert_eq!(key_line(text, "title", 1), 5);
        assert_eq!(table_line(text, "[forked_from]", 0), 4);
        assert_eq!(
            table_line("forked_from = { title = \"x\" }", "[forked_from]", 0),
            1
        );
    }
}
