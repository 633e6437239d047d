//! The site's search: the `/search/` page, and pagefind's index over the rendered pages.
//!
//! The index is built in memory from the rendered HTML by pagefind's library and becomes
//! ordinary output files under `pagefind/` (so they are in the manifest and swapped in
//! with the rest). Templates mark what is indexed: `data-pagefind-body` on each page's
//! main content, `data-pagefind-ignore` on navigation, `data-pagefind-weight` on the
//! decisions of a minutes page so that a decision's words find its minutes first.

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::{Job, OutputFile, Renderer};
use crate::error::{Error, Result};

/// The folder of the index and pagefind's scripts in the output.
pub const BUNDLE_DIR: &str = "pagefind";

/// Whether `path` is one of pagefind's files, under [`BUNDLE_DIR`].
pub fn in_bundle(path: &str) -> bool {
    path.strip_prefix(BUNDLE_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The search page, which loads pagefind's UI from [`BUNDLE_DIR`].
pub fn jobs<'a>(r: &Renderer<'a>) -> Vec<Job<'a>> {
    vec![Job::page(
        "search/",
        "search.html",
        r.context("Search", "search"),
    )]
}

/// Whether the page at `path` is indexed: every HTML page but the not-found page, the
/// search page and a manual's one-page print (its chapters are indexed one by one).
pub fn indexed(path: &str) -> bool {
    path.ends_with(".html")
        && path != "404.html"
        && path != "search/index.html"
        && !path.ends_with("/print/index.html")
        && !path.starts_with(BUNDLE_DIR)
}

/// pagefind's files for the [`indexed`] ones of `pages` (output path, bytes) in the
/// site's `language`, sorted by path; `None` once `superseded` says a newer index is
/// wanted (asked between pages: `tally serve` drops an index a later save outdates).
pub fn index_pages<'p>(
    language: &str,
    pages: impl Iterator<Item = (&'p str, &'p [u8])>,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<OutputFile>>> {
    let pages: Vec<(String, String)> = pages
        .filter(|(path, _)| indexed(path))
        .map(|(path, bytes)| {
            let html = String::from_utf8_lossy(bytes).into_owned();
            (format!("/{path}"), html)
        })
        .collect();
    let language = primary_language(language);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| failed(&e))?;
    let built = runtime
        .block_on(build(language, pages, superseded))
        .map_err(|e| failed(e.as_ref()))?;
    let Some(built) = built else {
        return Ok(None);
    };
    let mut out: Vec<OutputFile> = built
        .into_iter()
        .map(|(name, bytes)| OutputFile::new(bundle_path(&name), bytes))
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Some(out))
}

/// pagefind's files in memory.
type Bundle = Vec<(std::path::PathBuf, Vec<u8>)>;

/// Indexes `pages` (URL, HTML) and returns pagefind's files, in memory; `None` when
/// `superseded` said so before the last page.
async fn build(
    language: String,
    pages: Vec<(String, String)>,
    superseded: &(dyn Fn() -> bool + Sync),
) -> std::result::Result<Option<Bundle>, Box<dyn std::error::Error>> {
    let config = PagefindServiceConfig::builder()
        .keep_index_url(true)
        .force_language(language)
        .build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| e.to_string())?;
    for (url, html) in pages {
        if superseded() {
            return Ok(None);
        }
        index
            .add_html_file(None, Some(url), html)
            .await
            .map_err(|e| e.to_string())?;
    }
    let files = index.get_files().await.map_err(|e| e.to_string())?;
    Ok(Some(
        files
            .into_iter()
            .map(|f| (f.filename, f.contents))
            .collect(),
    ))
}

/// `pagefind/…` for a file pagefind names under its own output folder.
fn bundle_path(filename: &std::path::Path) -> String {
    let parts: Vec<String> = filename
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    // The bundle's own files sit at its top or in one folder (`fragment/`, `index/`).
    let nested = matches!(
        parts.iter().rev().nth(1).map(String::as_str),
        Some("fragment" | "index" | "filter" | "playground")
    );
    let keep = if nested { 2 } else { 1 };
    let tail = parts[parts.len().saturating_sub(keep)..].join("/");
    format!("{BUNDLE_DIR}/{tail}")
}

/// `fr` for `fr-CA`: pagefind's stemmers are per language.
fn primary_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase()
}

fn failed(e: &dyn std::fmt::Display) -> Error {
    Error::Template {
        template: "search index (pagefind)".to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_readable_pages_are_indexed() {
        assert!(indexed("minutes/a/index.html"));
        assert!(indexed("index.html"));
        assert!(!indexed("404.html"));
        assert!(!indexed("search/index.html"));
        assert!(!indexed("manuals/m/1.0/print/index.html"));
        assert!(!indexed("feed.xml"));
    }

    #[test]
    fn bundle_files_keep_their_folder() {
        let p = std::path::Path::new;
        assert_eq!(
            bundle_path(p("x/pagefind/pagefind.js")),
            "pagefind/pagefind.js"
        );
        assert_eq!(
            bundle_path(p("pagefind/fragment/en_1a.pf_fragment")),
            "pagefind/fragment/en_1a.pf_fragment"
        );
        assert_eq!(
            bundle_path(p("index/en_2.pf_index")),
            "pagefind/index/en_2.pf_index"
        );
    }

    #[test]
    fn languages_are_reduced_to_their_primary_tag() {
        assert_eq!(primary_language("fr-CA"), "fr");
        assert_eq!(primary_language("EN"), "en");
    }
}
