//! Jobs for the manuals: the list at `/manuals/`; for each manual its latest version at
//! `/manuals/<slug>/`; for each version its contents, chapters, printable page, what
//! changed and source bundle:
//!
//! ```text
//! /manuals/<slug>/<version>/             contents, remix section
//! /manuals/<slug>/<version>/<chapter>/   a chapter, with sidebar, previous/next, version switcher
//! /manuals/<slug>/<version>/print/       every chapter on one page
//! /manuals/<slug>/<version>/changes/     what changed since the previous version
//! /manuals/<slug>/<slug>-<version>.zip   the source bundle
//! ```

mod bundle;
pub mod views;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Job, OutputFile, Renderer};
use crate::error::Result;
use crate::model::manual::{Manual, Version};
use views::{ChangeView, ChapterView, ManualPage, ManualSummary, PageKind, PrintChapter};

/// The URLs of manual pages, each starting with the site's root path.
pub struct Urls<'a> {
    pub root: &'a str,
    pub base_url: &'a str,
}

impl Urls<'_> {
    pub fn manual(&self, slug: &str) -> String {
        format!("{}manuals/{slug}/", self.root)
    }

    pub fn version(&self, slug: &str, label: &str) -> String {
        format!("{}manuals/{slug}/{label}/", self.root)
    }

    pub fn chapter(&self, slug: &str, label: &str, chapter: &str) -> String {
        format!("{}manuals/{slug}/{label}/{chapter}/", self.root)
    }

    pub fn print(&self, slug: &str, label: &str) -> String {
        format!("{}manuals/{slug}/{label}/print/", self.root)
    }

    pub fn changes(&self, slug: &str, label: &str) -> String {
        format!("{}manuals/{slug}/{label}/changes/", self.root)
    }

    pub fn bundle(&self, slug: &str, label: &str) -> String {
        format!(
            "{}manuals/{slug}/{}",
            self.root,
            Urls::bundle_name(slug, label)
        )
    }

    pub fn bundle_name(slug: &str, label: &str) -> String {
        format!("{slug}-{label}.zip")
    }

    /// A root-relative URL of this site made absolute with `base_url`.
    pub fn absolute(&self, url: &str) -> String {
        match url.strip_prefix(self.root) {
            Some(rest) => format!("{}{rest}", self.base_url),
            None => url.to_string(),
        }
    }

    /// The output path of a URL of this site (`/manuals/x/` → `manuals/x/`).
    fn output_path(&self, url: &str) -> String {
        url.strip_prefix(self.root).unwrap_or(url).to_string()
    }
}

pub fn jobs(r: &Renderer<'_>) -> Result<Vec<Job<'static>>> {
    let site = r.site;
    let urls = Urls {
        root: &r.site_view.root,
        base_url: &site.config.base_url,
    };
    let mut jobs = Vec::new();

    let mut sizes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for manual in &site.manuals {
        for version in &manual.versions {
            // Zipped again only when what goes into the bundle changed.
            let entries = bundle::entries(manual, version, &urls)?;
            let path = urls.output_path(&urls.bundle(&manual.slug, &version.label));
            let bytes = r.made(&path, r.fingerprint(&entries), || {
                Ok(Arc::<[u8]>::from(bundle::zip(&entries)?))
            })?;
            sizes.insert((manual.slug.clone(), version.label.clone()), bytes.len());
            jobs.push(Job::File(OutputFile::shared(path, Arc::clone(&bytes))));
        }
    }

    let summaries: Vec<ManualSummary> = site
        .manuals
        .iter()
        .map(|m| ManualSummary::new(m, &site.manuals, &urls))
        .collect();
    let list = Renderer::with(r.context("Manuals", "manuals"), "manuals", &summaries);
    jobs.push(Job::page("manuals/", "manuals_list.html", list));

    for (manual, summary) in site.manuals.iter().zip(&summaries) {
        let size_of = |label: &str| {
            sizes
                .get(&(manual.slug.clone(), label.to_string()))
                .copied()
                .unwrap_or(0)
        };
        let latest = manual.latest();
        let page = ManualPage::new(manual, latest, PageKind::Contents, summary, &urls, &size_of);
        let context = Renderer::with(r.context(&manual.title, "manuals"), "page", &page);
        jobs.push(Job::page(
            &urls.output_path(&urls.manual(&manual.slug)),
            "manual.html",
            context,
        ));
        for version in &manual.versions {
            jobs.extend(version_jobs(r, &urls, manual, version, summary, &size_of));
        }
    }
    Ok(jobs)
}

fn version_jobs(
    r: &Renderer<'_>,
    urls: &Urls<'_>,
    manual: &Manual,
    version: &Version,
    summary: &ManualSummary,
    size_of: &dyn Fn(&str) -> usize,
) -> Vec<Job<'static>> {
    let slug = &manual.slug;
    let label = &version.label;
    let mut jobs = Vec::new();
    let page_of = |kind| ManualPage::new(manual, version, kind, summary, urls, size_of);
    let title = format!("{} {label}", manual.title);

    let page = page_of(PageKind::Contents);
    let context = Renderer::with(r.context(&title, "manuals"), "page", &page);
    jobs.push(Job::page(
        &urls.output_path(&urls.version(slug, label)),
        "manual.html",
        context,
    ));

    for asset in &version.assets {
        let path = format!(
            "{}{}",
            urls.output_path(&urls.version(slug, label)),
            asset.path
        );
        jobs.push(Job::File(OutputFile::shared(
            path,
            Arc::clone(&asset.bytes),
        )));
    }

    for (i, chapter) in version.chapters.iter().enumerate() {
        let page = page_of(PageKind::Chapter(chapter));
        jobs.push(chapter_job(r, urls, manual, version, i, &page));
    }

    jobs.push(print_job(
        r,
        urls,
        manual,
        version,
        &page_of(PageKind::Print),
    ));
    jobs.push(changes_job(
        r,
        urls,
        manual,
        version,
        &page_of(PageKind::Changes),
    ));
    jobs
}

/// The page of the version's `i`th chapter.
fn chapter_job(
    r: &Renderer<'_>,
    urls: &Urls<'_>,
    manual: &Manual,
    version: &Version,
    i: usize,
    page: &ManualPage,
) -> Job<'static> {
    let chapter = &version.chapters[i];
    let view = ChapterView::new(manual, version, i, urls);
    let title = format!("{} · {} {}", chapter.title, manual.title, version.label);
    let context = Renderer::with(r.context(&title, "manuals"), "page", page);
    let context = Renderer::with(context, "chapter", &view);
    Job::page(
        &urls.output_path(&urls.chapter(&manual.slug, &version.label, &chapter.slug)),
        "manual_chapter.html",
        context,
    )
}

/// The version's print page: every chapter on one page.
fn print_job(
    r: &Renderer<'_>,
    urls: &Urls<'_>,
    manual: &Manual,
    version: &Version,
    page: &ManualPage,
) -> Job<'static> {
    let chapters: Vec<PrintChapter> = (0..version.chapters.len())
        .map(|i| PrintChapter::new(manual, version, i, urls))
        .collect();
    let title = format!("{} {}", manual.title, version.label);
    let context = Renderer::with(r.context(&title, "manuals"), "page", page);
    let context = Renderer::with(context, "chapters", &chapters);
    Job::page(
        &urls.output_path(&urls.print(&manual.slug, &version.label)),
        "manual_print.html",
        context,
    )
}

/// What changed in the version: each chapter's change since the version before, and
/// the version's own notes (`CHANGES.md`).
fn changes_job(
    r: &Renderer<'_>,
    urls: &Urls<'_>,
    manual: &Manual,
    version: &Version,
    page: &ManualPage,
) -> Job<'static> {
    let changes: Vec<ChangeView> = version
        .changes
        .as_ref()
        .map(|c| {
            c.chapters
                .iter()
                .map(|change| ChangeView::new(change, manual, version, &c.from, urls))
                .collect()
        })
        .unwrap_or_default();
    let notes = version.notes.as_ref().map(|n| {
        views::chapter_html(
            &n.body,
            crate::model::manual::CHANGES_FILE,
            manual,
            version,
            urls,
        )
    });
    let title = format!("What changed in {} {}", manual.title, version.label);
    let context = Renderer::with(r.context(&title, "manuals"), "page", page);
    let context = Renderer::with(context, "changes", &changes);
    let context = Renderer::with(context, "notes_html", &notes);
    Job::page(
        &urls.output_path(&urls.changes(&manual.slug, &version.label)),
        "manual_changes.html",
        context,
    )
}
