//! Every link and image of a version's chapters (and `CHANGES.md`) that points inside
//! the version must name something it has: a chapter (by `name.md`, `name.html` or
//! `name`), a heading of that chapter after `#`, or a file beside the chapters. A
//! missing one is an error at its file and line, with the closest names.

use std::collections::BTreeSet;
use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::config::line_column;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::manual::links::Target;
use crate::model::manual::names::{closest, distance};
use crate::model::manual::{CHANGES_FILE, Version};
use crate::model::markup::{anchors, image_sources};

/// Checks every chapter of `version` and its notes.
pub fn check(version: &Version, problems: &mut Diagnostics) {
    let chapter_anchors: Vec<BTreeSet<String>> =
        version.chapters.iter().map(|c| anchors(&c.body)).collect();
    for (i, c) in version.chapters.iter().enumerate() {
        let own = &chapter_anchors[i];
        check_text(
            version,
            &c.path,
            &c.file_name,
            &c.body,
            own,
            &chapter_anchors,
            problems,
        );
    }
    if let Some(notes) = &version.notes {
        let own = anchors(&notes.body);
        check_text(
            version,
            &notes.path,
            CHANGES_FILE,
            &notes.body,
            &own,
            &chapter_anchors,
            problems,
        );
    }
}

fn check_text(
    version: &Version,
    path: &Path,
    from: &str,
    body: &str,
    own: &BTreeSet<String>,
    chapter_anchors: &[BTreeSet<String>],
    problems: &mut Diagnostics,
) {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        let found: Vec<(String, bool, usize)> = match &event {
            Event::Start(Tag::Link { dest_url, .. }) => vec![(dest_url.to_string(), false, 0)],
            Event::Start(Tag::Image { dest_url, .. }) => vec![(dest_url.to_string(), true, 0)],
            // `<img src="…">` written as HTML.
            Event::Html(html) | Event::InlineHtml(html) => image_sources(html)
                .into_iter()
                .map(|(at, src)| (src, true, at.start))
                .collect(),
            _ => continue,
        };
        for (destination, image, offset) in found {
            let Some(message) = problem(version, from, &destination, image, own, chapter_anchors)
            else {
                continue;
            };
            let (line, column) = line_column(body, range.start + offset);
            problems.push(Diagnostic::at(path, line, message).with_column(column));
        }
    }
}

/// What is wrong with one destination, if anything.
fn problem(
    version: &Version,
    from: &str,
    destination: &str,
    image: bool,
    own: &BTreeSet<String>,
    chapter_anchors: &[BTreeSet<String>],
) -> Option<String> {
    let what = if image { "image" } else { "link to" };
    match version.resolve(from, destination) {
        Target::Outside | Target::Changes { .. } | Target::Asset { .. } => None,
        Target::Chapter { index, fragment } => {
            let fragment = fragment?;
            let chapter = &version.chapters[index];
            missing_anchor(fragment, &chapter_anchors[index]).map(|hint| {
                format!(
                    "{what} {destination:?}: {} has no heading #{fragment}{hint}",
                    chapter.file_name
                )
            })
        }
        Target::Here { fragment } => missing_anchor(fragment, own).map(|hint| {
            format!("{what} {destination:?}: this page has no heading #{fragment}{hint}")
        }),
        Target::Missing { path } => {
            let names: Vec<&str> = if image {
                version.assets.iter().map(|a| a.path.as_str()).collect()
            } else {
                version
                    .chapters
                    .iter()
                    .map(|c| c.file_name.as_str())
                    .chain(version.assets.iter().map(|a| a.path.as_str()))
                    .collect()
            };
            let hint = match closest(&path, &names).as_slice() {
                [] if !image && version.chapters.len() <= 10 => {
                    let chapters: Vec<&str> = version
                        .chapters
                        .iter()
                        .map(|c| c.file_name.as_str())
                        .collect();
                    format!("; chapters: {}", chapters.join(", "))
                }
                [] => String::new(),
                some => format!("; did you mean {}?", some.join(" or ")),
            };
            let kind = if image {
                "no such file in this version"
            } else {
                "no such chapter or file in this version"
            };
            Some(format!("{what} {destination:?}: {kind} ({path}){hint}"))
        }
    }
}

/// `None` when `fragment` is one of `anchors`; else a "did you mean" (maybe empty).
fn missing_anchor(fragment: &str, anchors: &BTreeSet<String>) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    if anchors.contains(decoded.as_ref()) {
        return None;
    }
    let best = anchors
        .iter()
        .map(|a| (distance(&decoded, a), a))
        .filter(|(d, _)| *d <= (decoded.len() / 3).max(2))
        .min();
    Some(match best {
        Some((_, a)) => format!("; did you mean #{a}?"),
        None => String::new(),
    })
}
