//! Raw manuals → [`Manual`]s: the folder name is a slug, the license an SPDX
//! expression, version folders are version numbers (ordered numerically), every version
//! has chapters with distinct URL names, origin links are web addresses, and every link
//! from a chapter to another file (`[wiring](02-wiring.md)`) names a chapter of the same
//! version. Every problem names its file and line.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::config::line_column;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::manuals::{RawChapter, RawManual, RawOrigin, RawVersion};
use crate::model::manual::title::first_heading;
use crate::model::manual::{
    CHANGES_FILE, ChangeNotes, Chapter, FileLink, License, Lineage, Manual, Origin,
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
    if !is_slug(&raw.slug) {
        problems.push(Diagnostic::new(
            &raw.path,
            format!(
                "folder name {:?} is not a URL slug (use lowercase letters, digits and dashes)",
                raw.slug
            ),
        ));
    }
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
    let forked_from = raw.file.forked_from.as_ref().map(|o| {
        let line = table_line(text, "[forked_from]", 0);
        check_origin(o, file, line, "forked_from", problems)
    });
    let ancestors: Vec<Origin> = raw
        .file
        .ancestors
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let line = table_line(text, "[[ancestors]]", i);
            check_origin(o, file, line, "ancestors", problems)
        })
        .collect();

    let mut versions: Vec<Version> = Vec::new();
    for v in raw.versions {
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
    if versions.is_empty() && problems.0.len() == before {
        problems.push(Diagnostic::new(
            &raw.path,
            "a manual needs at least one version folder, like 1.0/, holding its chapters",
        ));
    }
    versions.sort_by(|a, b| a.number.cmp(&b.number));

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
    for c in &raw.chapters {
        let slug = Chapter::slug_of(&c.file_name);
        let name_problem = if !is_slug(&slug) {
            Some(format!(
                "file name {:?} does not make a URL slug (use lowercase letters, digits and dashes, like 02-wiring.md)",
                c.file_name
            ))
        } else if RESERVED_CHAPTER_SLUGS.contains(&slug.as_str()) {
            Some(format!(
                "the chapter name {slug:?} is taken by a page of the version; rename the file"
            ))
        } else {
            slugs
                .insert(slug.clone(), c.file_name.clone())
                .map(|first| {
                    format!("chapter {first} has the same URL name {slug:?}; rename one of them")
                })
        };
        if let Some(message) = name_problem {
            problems.push(Diagnostic::new(&c.path, message));
            continue;
        }
        chapters.push(Chapter {
            path: c.path.clone(),
            file_name: c.file_name.clone(),
            title: first_heading(&c.body)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| Chapter::title_from_file_name(&c.file_name)),
            slug,
            body: c.body.clone(),
        });
    }
    let names: Vec<&str> = raw.chapters.iter().map(|c| c.file_name.as_str()).collect();
    let has_changes = raw.changes.is_some();
    if read_whole {
        for c in raw.chapters.iter().chain(&raw.changes) {
            check_links(c, &names, has_changes, problems);
        }
    }
    if problems.0.len() > before {
        return None;
    }
    Some(Version {
        label: raw.label,
        number,
        path: raw.path,
        chapters,
        notes: raw.changes.map(|c| ChangeNotes {
            path: c.path,
            body: c.body,
        }),
        changes: None,
    })
}

/// Every relative link to a Markdown file must name a chapter of the same version (or
/// its `CHANGES.md`).
fn check_links(
    chapter: &RawChapter,
    names: &[&str],
    has_changes: bool,
    problems: &mut Diagnostics,
) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    for (event, range) in Parser::new_ext(&chapter.body, options).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        let Some(link) = FileLink::parse(&dest_url) else {
            continue;
        };
        let known =
            names.contains(&link.file_name) || (has_changes && link.file_name == CHANGES_FILE);
        if !known {
            let (line, column) = line_column(&chapter.body, range.start);
            let mut available: Vec<&str> = names.to_vec();
            available.sort_unstable();
            problems.push(
                Diagnostic::at(
                    &chapter.path,
                    line,
                    format!(
                        "link to {:?}: no such chapter in this version (chapters: {})",
                        link.file_name,
                        available.join(", ")
                    ),
                )
                .with_column(column),
            );
        }
    }
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
