//! `/releases/`: the site's releases before this build, newest first, each with its
//! date, note, seal chain head and manifest digest, and what changed since the release
//! before it — in words first, then the files — worked out from the stored manifests.
//! No file I/O here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::model::Site;
use crate::model::release::Release;
use crate::render::{OutputFile, Renderer};

#[derive(Debug, Serialize)]
struct ReleaseView {
    version: String,
    date: String,
    note: String,
    seal_chain: String,
    manifest: String,
    manifest_url: String,
    /// "3 new weekly reports, 2 minutes, manual community-solar 1.2".
    summary: String,
    added: Vec<String>,
    changed: Vec<String>,
    removed: Vec<String>,
}

/// The part of a release's stored `manifest.json` the page compares: output path →
/// SHA-256.
#[derive(Deserialize)]
struct StoredManifest {
    files: BTreeMap<String, String>,
}

/// The page, when there is a release to show.
pub fn page(site: &Site, releases: &[&Release]) -> Result<Option<OutputFile>> {
    if releases.is_empty() {
        return Ok(None);
    }
    let renderer = Renderer::new(site)?;
    let root = site.config.root_path();
    let mut previous: BTreeMap<String, String> = BTreeMap::new();
    let mut views = Vec::new();
    for (i, release) in releases.iter().enumerate() {
        let files = serde_json::from_slice::<StoredManifest>(&release.manifest_json)
            .map(|m| m.files)
            .unwrap_or_default();
        let added: Vec<String> = files
            .keys()
            .filter(|p| !previous.contains_key(*p))
            .cloned()
            .collect();
        let changed: Vec<String> = files
            .iter()
            .filter(|(p, d)| previous.get(*p).is_some_and(|old| old != *d))
            .map(|(p, _)| p.clone())
            .collect();
        let removed: Vec<String> = previous
            .keys()
            .filter(|p| !files.contains_key(*p))
            .cloned()
            .collect();
        let summary = if i == 0 {
            format!("the first release: {} files", files.len())
        } else {
            summary(&added, &changed, &removed)
        };
        views.push(ReleaseView {
            version: release.version.clone(),
            date: release.date.clone(),
            note: release.note.clone(),
            seal_chain: release.seal_chain.clone(),
            manifest: release.manifest.clone(),
            manifest_url: format!("{root}releases/{}/manifest.json", release.version),
            summary,
            added: if i == 0 { Vec::new() } else { added },
            changed,
            removed,
        });
        previous = files;
    }
    views.reverse();
    let context = Renderer::with(renderer.context("Releases", "releases"), "releases", &views);
    let html = renderer.render_page("releases/index.html", "releases.html", &context)?;
    Ok(Some(OutputFile::new("releases/index.html", html)))
}

/// What changed, in words: new weekly reports, minutes and manual versions, then the
/// other pages and files.
fn summary(added: &[String], changed: &[String], removed: &[String]) -> String {
    let pages = |paths: &[String]| paths.iter().filter(|p| p.ends_with("index.html")).count();
    let mut reports = 0;
    let mut minutes = 0;
    let mut manuals = Vec::new();
    let mut others = Vec::new();
    for path in added {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["reports", _, "index.html"] => reports += 1,
            ["minutes", _, "index.html"] => minutes += 1,
            ["manuals", slug, version, "index.html"]
                if version.chars().next().is_some_and(|c| c.is_ascii_digit()) =>
            {
                manuals.push(format!("manual {slug} {version}"))
            }
            [slug, "index.html"] => others.push(format!("page /{slug}/")),
            _ => {}
        }
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut words = Vec::new();
    if reports > 0 {
        words.push(plural(reports, "new weekly report", "new weekly reports"));
    }
    if minutes > 0 {
        words.push(plural(minutes, "minutes", "minutes"));
    }
    words.extend(manuals);
    words.extend(others);
    words.push(format!(
        "{} added, {} changed, {} removed",
        plural(pages(added), "page", "pages"),
        pages(changed),
        pages(removed)
    ));
    words.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_new_reports_minutes_and_manual_versions() {
        let added: Vec<String> = [
            "reports/2026-W48/index.html",
            "reports/2026-W49/index.html",
            "minutes/x/index.html",
            "manuals/solar/1.2/index.html",
            "data/x.csv",
            "volunteer/index.html",
        ]
        .map(String::from)
        .to_vec();
        let changed = vec!["index.html".to_string()];
        assert_eq!(
            summary(&added, &changed, &[]),
            "2 new weekly reports, 1 minutes, manual solar 1.2, page /volunteer/, 5 pages added, 1 changed, 0 removed"
        );
    }
}
