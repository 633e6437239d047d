//! Views of manuals for the templates: display-ready strings and URLs, built from the
//! model. Chapter Markdown becomes sanitized HTML here, with links between chapters
//! rewritten to the chapters' URLs.

use serde::Serialize;

use super::Urls;
use crate::model::manual::diff::{ChangeKind, ChapterChange, DiffRow};
use crate::model::manual::links::Target;
use crate::model::manual::names::ordinal;
use crate::model::manual::title::first_heading;
use crate::model::manual::{Ancestor, Chapter, Manual, Version};
use crate::render::markdown;

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LicenseView {
    pub expression: String,
    pub name: String,
    pub url: String,
    pub plain: String,
    pub known: bool,
    pub allows_changes: bool,
    pub share_alike: bool,
}

impl LicenseView {
    fn new(manual: &Manual) -> LicenseView {
        let l = &manual.license;
        LicenseView {
            expression: l.expression.clone(),
            name: l.name(),
            url: l.url(),
            plain: l.plain_words(),
            known: l.terms().is_some(),
            allows_changes: l.allows_changes(),
            share_alike: l.terms().is_some_and(|t| t.share_alike),
        }
    }
}

/// One generation of a lineage, linked to this site's page when it is a manual here.
#[derive(Debug, Clone, Serialize)]
pub struct OriginView {
    pub title: String,
    pub url: Option<String>,
    pub version: Option<String>,
    /// True when `url` is a page of this site.
    pub local: bool,
}

impl OriginView {
    fn new(ancestor: &Ancestor, urls: &Urls<'_>) -> OriginView {
        let origin = &ancestor.origin;
        match &ancestor.local {
            Some(local) => OriginView {
                title: origin.title.clone(),
                url: Some(match &local.version {
                    Some(v) => urls.version(&local.slug, v),
                    None => urls.manual(&local.slug),
                }),
                version: origin.version.clone().or_else(|| local.version.clone()),
                local: true,
            },
            None => OriginView {
                title: origin.title.clone(),
                url: origin.url.clone(),
                version: origin.version.clone(),
                local: false,
            },
        }
    }
}

/// A manual in the list, and the head of each of its pages.
#[derive(Debug, Clone, Serialize)]
pub struct ManualSummary {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub authors: String,
    pub license: LicenseView,
    pub latest: String,
    pub latest_url: String,
    pub version_count: usize,
    /// The whole known line, nearest first.
    pub lineage: Vec<OriginView>,
    /// Manuals on this site forked from this one.
    pub forks: Vec<LinkView>,
}

impl ManualSummary {
    pub fn new(manual: &Manual, all: &[Manual], urls: &Urls<'_>) -> ManualSummary {
        let latest = manual.latest();
        ManualSummary {
            slug: manual.slug.clone(),
            url: urls.manual(&manual.slug),
            title: manual.title.clone(),
            summary: manual.summary.clone(),
            authors: manual.authors.join(", "),
            license: LicenseView::new(manual),
            latest: latest.label.clone(),
            latest_url: urls.version(&manual.slug, &latest.label),
            version_count: manual.versions.len(),
            lineage: manual
                .lineage
                .chain
                .iter()
                .map(|a| OriginView::new(a, urls))
                .collect(),
            forks: manual
                .lineage
                .forks
                .iter()
                .filter_map(|f| all.iter().find(|m| m.slug == f.slug))
                .map(|m| LinkView {
                    title: m.title.clone(),
                    url: urls.manual(&m.slug),
                })
                .collect(),
        }
    }
}

/// An entry of a version's table of contents, in order. Sub-chapters follow their
/// chapter: `opens` says the next entry starts a list nested in this one, `closes` how
/// many nested lists end after this one.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// `3`, `3.2`.
    pub number: String,
    pub title: String,
    pub url: String,
    pub current: bool,
    /// The part of the book this entry starts, if any.
    pub part: Option<String>,
    pub depth: usize,
    pub opens: bool,
    pub closes: usize,
}

/// The chapters of `version` in order, with their nesting from `SUMMARY.md`.
fn toc(
    manual: &Manual,
    version: &Version,
    current: Option<&Chapter>,
    urls: &Urls<'_>,
) -> Vec<TocEntry> {
    let chapters = &version.chapters;
    chapters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let next = chapters.get(i + 1).map_or(0, |n| n.depth);
            TocEntry {
                number: c.number.clone(),
                title: c.title.clone(),
                url: urls.chapter(&manual.slug, &version.label, &c.slug),
                current: current.is_some_and(|cur| cur.slug == c.slug),
                part: c.part.clone(),
                depth: c.depth,
                opens: next > c.depth,
                closes: c.depth.saturating_sub(next),
            }
        })
        .collect()
}

/// One version, as a page's sidebar and head see it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub label: String,
    pub url: String,
    /// `url` with the site's `base_url`, for print.
    pub absolute_url: String,
    pub is_latest: bool,
    pub toc: Vec<TocEntry>,
    pub chapter_count: usize,
    pub print_url: String,
    pub changes_url: String,
    pub bundle_url: String,
    pub bundle_name: String,
    pub bundle_size: String,
    pub previous: Option<LinkView>,
    /// A line like "2 chapters changed, 1 added, 1 renamed".
    pub changes_summary: Option<String>,
}

/// A link to a version in the version switcher.
#[derive(Debug, Clone, Serialize)]
pub struct VersionLink {
    pub label: String,
    /// The same chapter in that version when it has one, else the version's contents.
    pub url: String,
    pub current: bool,
    pub latest: bool,
    pub changes_url: Option<String>,
    pub changes_summary: Option<String>,
    pub bundle_url: String,
    pub chapters: usize,
}

/// What every page of a manual version shares: the manual, the version and its
/// contents, the version switcher, the link to the latest version.
#[derive(Debug, Clone, Serialize)]
pub struct ManualPage {
    pub manual: ManualSummary,
    pub version: VersionView,
    pub versions: Vec<VersionLink>,
    /// The latest version's counterpart of this page (for the old-version notice).
    pub latest_link: LinkView,
}

/// Which page of a version is shown: the version switcher and the old-version notice
/// lead to the same page of another version when it has one.
#[derive(Debug, Clone, Copy)]
pub enum PageKind<'a> {
    Contents,
    Chapter(&'a Chapter),
    Print,
    Changes,
}

impl ManualPage {
    pub fn new(
        manual: &Manual,
        version: &Version,
        kind: PageKind<'_>,
        summary: &ManualSummary,
        urls: &Urls<'_>,
        bundle_sizes: &dyn Fn(&str) -> usize,
    ) -> ManualPage {
        let slug = &manual.slug;
        let latest = manual.latest();
        let chapter = match kind {
            PageKind::Chapter(c) => Some(c),
            _ => None,
        };
        ManualPage {
            manual: summary.clone(),
            version: VersionView::new(manual, version, chapter, urls, bundle_sizes),
            versions: manual
                .versions
                .iter()
                .rev()
                .map(|v| VersionLink {
                    label: v.label.clone(),
                    url: kind.url_in(slug, v, urls),
                    current: v.label == version.label,
                    latest: v.label == latest.label,
                    changes_url: v.changes.as_ref().map(|_| urls.changes(slug, &v.label)),
                    changes_summary: v.changes.as_ref().map(changes_summary),
                    bundle_url: urls.bundle(slug, &v.label),
                    chapters: v.chapters.len(),
                })
                .collect(),
            latest_link: LinkView {
                title: latest.label.clone(),
                url: kind.url_in(slug, latest, urls),
            },
        }
    }
}

impl PageKind<'_> {
    /// This page in version `v` of manual `slug`: the same chapter, print or changes
    /// page, or the version's contents when it has no such page.
    fn url_in(self, slug: &str, v: &Version, urls: &Urls<'_>) -> String {
        match self {
            PageKind::Chapter(c) => v.chapter_by_slug(&c.slug).map_or_else(
                || urls.version(slug, &v.label),
                |c| urls.chapter(slug, &v.label, &c.slug),
            ),
            PageKind::Print => urls.print(slug, &v.label),
            PageKind::Changes if v.changes.is_some() => urls.changes(slug, &v.label),
            PageKind::Contents | PageKind::Changes => urls.version(slug, &v.label),
        }
    }
}

impl VersionView {
    /// The version shown, its contents with `chapter` marked, its print, changes and
    /// bundle links, and the version before it.
    fn new(
        manual: &Manual,
        version: &Version,
        chapter: Option<&Chapter>,
        urls: &Urls<'_>,
        bundle_sizes: &dyn Fn(&str) -> usize,
    ) -> VersionView {
        let slug = &manual.slug;
        let previous = manual
            .versions
            .iter()
            .take_while(|v| v.label != version.label)
            .last();
        VersionView {
            label: version.label.clone(),
            url: urls.version(slug, &version.label),
            absolute_url: urls.absolute(&urls.version(slug, &version.label)),
            is_latest: version.label == manual.latest().label,
            toc: toc(manual, version, chapter, urls),
            chapter_count: version.chapters.len(),
            print_url: urls.print(slug, &version.label),
            changes_url: urls.changes(slug, &version.label),
            bundle_url: urls.bundle(slug, &version.label),
            bundle_name: Urls::bundle_name(slug, &version.label),
            bundle_size: human_size(bundle_sizes(&version.label)),
            previous: previous.map(|p| LinkView {
                title: p.label.clone(),
                url: urls.version(slug, &p.label),
            }),
            changes_summary: version.changes.as_ref().map(changes_summary),
        }
    }
}

fn changes_summary(changes: &crate::model::manual::Changes) -> String {
    let mut parts = Vec::new();
    for (kind, word) in [
        (ChangeKind::Changed, "changed"),
        (ChangeKind::Added, "added"),
        (ChangeKind::Renamed, "renamed"),
        (ChangeKind::Moved, "moved"),
        (ChangeKind::Removed, "removed"),
    ] {
        let n = changes.count(kind);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    if parts.is_empty() {
        "no chapter changed".to_string()
    } else {
        let n: usize = [
            ChangeKind::Changed,
            ChangeKind::Added,
            ChangeKind::Renamed,
            ChangeKind::Moved,
            ChangeKind::Removed,
        ]
        .iter()
        .map(|k| changes.count(*k))
        .sum();
        let chapters = if n == 1 { "chapter" } else { "chapters" };
        format!("{n} {chapters}: {}", parts.join(", "))
    }
}

/// `2.4 KB`.
fn human_size(bytes: usize) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// A chapter page's own part.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterView {
    pub number: String,
    pub slug: String,
    pub title: String,
    /// Whether the chapter has its own `# ` heading (else the page shows the title).
    pub has_heading: bool,
    pub html: String,
    pub source: String,
    pub previous: Option<LinkView>,
    pub next: Option<LinkView>,
}

impl ChapterView {
    pub fn new(manual: &Manual, version: &Version, index: usize, urls: &Urls<'_>) -> ChapterView {
        let chapter = &version.chapters[index];
        let link = |c: &Chapter| LinkView {
            title: c.title.clone(),
            url: urls.chapter(&manual.slug, &version.label, &c.slug),
        };
        ChapterView {
            number: chapter.number.clone(),
            slug: chapter.slug.clone(),
            title: chapter.title.clone(),
            has_heading: first_heading(&chapter.body).is_some(),
            html: chapter_html(&chapter.body, &chapter.file_name, manual, version, urls),
            source: chapter.path.display().to_string(),
            previous: index
                .checked_sub(1)
                .and_then(|i| version.chapters.get(i))
                .map(link),
            next: version.chapters.get(index + 1).map(link),
        }
    }
}

/// A chapter's (or `CHANGES.md`'s) HTML, with links to other files of the version
/// rewritten to their pages and images to where they are published. `from` is its path
/// in the version folder.
pub fn chapter_html(
    body: &str,
    from: &str,
    manual: &Manual,
    version: &Version,
    urls: &Urls<'_>,
) -> String {
    markdown::to_html_with_links(body, |dest| {
        let (base, fragment) = match version.resolve(from, dest) {
            Target::Chapter { index, fragment } => {
                let target = &version.chapters[index];
                (
                    urls.chapter(&manual.slug, &version.label, &target.slug),
                    fragment,
                )
            }
            Target::Changes { fragment } => (urls.changes(&manual.slug, &version.label), fragment),
            Target::Asset { path } => (asset_url(manual, version, &path, urls), None),
            Target::Here { .. } | Target::Missing { .. } | Target::Outside => return None,
        };
        Some(match fragment {
            Some(f) => format!("{base}#{f}"),
            None => base,
        })
    })
}

/// Where a file beside the chapters is published: below the version's URL.
pub fn asset_url(manual: &Manual, version: &Version, path: &str, urls: &Urls<'_>) -> String {
    let encoded: Vec<String> = path
        .split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, PATH_SEGMENT).to_string())
        .collect();
    format!(
        "{}{}",
        urls.version(&manual.slug, &version.label),
        encoded.join("/")
    )
}

/// What a URL path segment must escape.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// A chapter on the printable page: its ids are prefixed with the chapter's slug so
/// that they stay unique on one page, and links to other chapters point inside it.
#[derive(Debug, Clone, Serialize)]
pub struct PrintChapter {
    pub number: String,
    pub depth: usize,
    pub slug: String,
    pub title: String,
    pub has_heading: bool,
    pub html: String,
}

impl PrintChapter {
    pub fn new(manual: &Manual, version: &Version, index: usize, urls: &Urls<'_>) -> PrintChapter {
        let chapter = &version.chapters[index];
        let print_url = urls.print(&manual.slug, &version.label);
        let html = markdown::to_html_with_links(&chapter.body, |dest| {
            match version.resolve(&chapter.file_name, dest) {
                Target::Chapter { index, fragment } => {
                    let target = &version.chapters[index];
                    Some(match fragment {
                        Some(f) => format!("{print_url}#{}--{f}", target.slug),
                        None => format!("{print_url}#{}", target.slug),
                    })
                }
                Target::Changes { .. } => Some(urls.changes(&manual.slug, &version.label)),
                Target::Asset { path } => Some(asset_url(manual, version, &path, urls)),
                Target::Here { .. } | Target::Missing { .. } | Target::Outside => None,
            }
        });
        // Sanitized HTML: `id="` and `href="#` only occur as attributes (quotes in text
        // are escaped).
        let prefix = &chapter.slug;
        let html = html
            .replace("id=\"", &format!("id=\"{prefix}--"))
            .replace("href=\"#", &format!("href=\"#{prefix}--"));
        PrintChapter {
            number: chapter.number.clone(),
            depth: chapter.depth,
            slug: chapter.slug.clone(),
            title: chapter.title.clone(),
            has_heading: first_heading(&chapter.body).is_some(),
            html,
        }
    }
}

/// One chapter's entry on the changes page.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    /// `added`, `removed`, `renamed`, `changed`, `unchanged`.
    pub kind: &'static str,
    pub title: String,
    pub old_title: Option<String>,
    pub old_file: Option<String>,
    pub new_file: Option<String>,
    /// The chapter in this version, or in the previous one when it was removed.
    pub url: String,
    pub old_url: Option<String>,
    /// "moved from 3rd to 5th", when the chapter left the order of the others.
    pub moved: Option<String>,
    pub inserted: usize,
    pub deleted: usize,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// `same`, `del`, `ins` or `fold`.
    pub kind: &'static str,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub parts: Vec<PartView>,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub text: String,
    pub em: bool,
}

impl ChangeView {
    pub fn new(
        change: &ChapterChange,
        manual: &Manual,
        version: &Version,
        previous: &str,
        urls: &Urls<'_>,
    ) -> ChangeView {
        let slug = &manual.slug;
        let old_url = change
            .old
            .as_ref()
            .map(|o| urls.chapter(slug, previous, &o.slug));
        let url = match &change.new {
            Some(n) => urls.chapter(slug, &version.label, &n.slug),
            None => old_url.clone().unwrap_or_default(),
        };
        let title = change
            .new
            .as_ref()
            .or(change.old.as_ref())
            .map(|c| c.title.clone())
            .unwrap_or_default();
        ChangeView {
            kind: change.kind.as_str(),
            old_title: change
                .old
                .as_ref()
                .map(|o| o.title.clone())
                .filter(|t| *t != title),
            title,
            old_file: change.old.as_ref().map(|o| o.file_name.clone()),
            new_file: change.new.as_ref().map(|n| n.file_name.clone()),
            url,
            old_url,
            moved: change
                .moved
                .map(|(from, to)| format!("moved from {} to {}", ordinal(from), ordinal(to))),
            inserted: change.inserted,
            deleted: change.deleted,
            rows: change.rows.iter().map(RowView::new).collect(),
        }
    }
}

impl RowView {
    fn new(row: &DiffRow) -> RowView {
        let parts = |parts: &[crate::model::manual::diff::Part]| {
            parts
                .iter()
                .map(|p| PartView {
                    text: p.text.clone(),
                    em: p.emphasized,
                })
                .collect()
        };
        match row {
            DiffRow::Same { old, new, text } => RowView {
                kind: "same",
                old: Some(*old),
                new: Some(*new),
                parts: vec![PartView {
                    text: text.clone(),
                    em: false,
                }],
                count: 0,
            },
            DiffRow::Deleted { old, parts: p } => RowView {
                kind: "del",
                old: Some(*old),
                new: None,
                parts: parts(p),
                count: 0,
            },
            DiffRow::Inserted { new, parts: p } => RowView {
                kind: "ins",
                old: None,
                new: Some(*new),
                parts: parts(p),
                count: 0,
            },
            DiffRow::Folded { count } => RowView {
                kind: "fold",
                old: None,
                new: None,
                parts: Vec::new(),
                count: *count,
            },
        }
    }
}
