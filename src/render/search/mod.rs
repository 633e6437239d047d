//! The site's search: the `/search/` page, and the index over the rendered pages that
//! its script (`assets/search.js`) reads in the reader's browser.
//!
//! The index is made from the rendered HTML ([`text`]) and becomes ordinary output files
//! under [`BUNDLE_DIR`] (so they are in the manifest and swapped in with the rest), the
//! same bytes build after build. It is split so that a phone fetches little: a query
//! word fetches one shard of words (those sharing its first two letters), and the
//! results fetch only the chunks of page titles they show.
//!
//! - `meta.json`: the format, the site's language, the number of pages, the chunk size
//!   and the shards there are;
//! - `words/<hex of the first two letters>.json`: each word, with the pages it is on
//!   and its weight there, flattened and numbered by the gap from the previous page
//!   (`[first page, weight, gap, weight, …]`: small numbers, short files);
//! - `pages/<n>.json`: `[path, title, opening text]` of pages `n × CHUNK` onwards.

pub mod text;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use foldhash::fast::FixedState;
use rayon::prelude::*;

use super::{Job, OutputFile, Renderer};
use crate::error::{Error, Result};

/// The folder of the index in the output.
pub const BUNDLE_DIR: &str = "search/index";

/// Pages per file of titles.
const CHUNK: usize = 100;

/// The version of the index's layout, read by `assets/search.js`.
const FORMAT: u32 = 1;

/// Whether `path` is one of the index's files, under [`BUNDLE_DIR`].
pub fn in_bundle(path: &str) -> bool {
    path.strip_prefix(BUNDLE_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The search page, whose script reads the index under [`BUNDLE_DIR`].
pub fn jobs<'a>(r: &Renderer<'a>) -> Vec<Job<'a>> {
    vec![Job::page(
        "search/",
        "search.html",
        r.context("Search", "search"),
    )]
}

/// Whether the page at `path` is indexed: every HTML page but the not-found page, the
/// search page, a manual's one-page print (its chapters are indexed one by one) and a
/// manual's own page (`manuals/<m>/`, which repeats its latest version's contents page:
/// a query would find both).
pub fn indexed(path: &str) -> bool {
    let manual_root = path
        .strip_prefix("manuals/")
        .and_then(|rest| rest.strip_suffix("/index.html"))
        .is_some_and(|slug| !slug.is_empty() && !slug.contains('/'));
    path.ends_with(".html")
        && path != "404.html"
        && path != "search/index.html"
        && !path.ends_with("/print/index.html")
        && !manual_root
        && !in_bundle(path)
}

/// The index's files for the [`indexed`] ones of `pages` (output path, bytes) in the
/// site's `language`, sorted by path; `None` once `superseded` says a newer index is
/// wanted (asked between pages: `tally serve` drops an index a later save outdates).
///
/// Pages are read in parts on every core; each part keeps its pages' words and titles
/// only, never their text, so the index of a large site holds little beside its pages.
pub fn index_pages<'p>(
    language: &str,
    pages: impl Iterator<Item = (&'p str, &'p [u8])>,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<OutputFile>>> {
    let mut pages: Vec<(&str, &[u8])> = pages.filter(|(path, _)| indexed(path)).collect();
    pages.sort_unstable_by_key(|(path, _)| *path);
    let paths: Vec<&str> = pages.iter().map(|(path, _)| *path).collect();
    let read = |n: usize| {
        Ok(Cow::Borrowed(
            pages.get(n).map_or(&[][..], |(_, bytes)| bytes),
        ))
    };
    index_read(language, &paths, &read, superseded)
}

/// [`index_pages`] of the pages at `paths` (the [`indexed`] ones, sorted), the `n`th
/// read by `read(n)` when its part is reached: a build reads its pages back from the
/// folder they were written to, a part at a time.
pub fn index_read<'p>(
    language: &str,
    paths: &[&str],
    read: &(dyn Fn(usize) -> Result<Cow<'p, [u8]>> + Sync),
    superseded: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<OutputFile>>> {
    if u32::try_from(paths.len()).is_err() {
        return Err(failed(&"more than 4 billion pages"));
    }
    let starts: Vec<usize> = (0..paths.len()).step_by(PART).collect();
    let parts: Result<Option<Vec<Part>>> = starts
        .par_iter()
        .map(|&first| Part::read(first, paths.len().min(first + PART), read, superseded))
        .collect();
    let Some(parts) = parts? else {
        return Ok(None);
    };
    Ok(Some(files(language, paths, parts)?))
}

/// Pages per part read on one core.
const PART: usize = 128;

/// What a run of consecutive pages gives the index.
#[derive(Default)]
struct Part {
    /// Each page's title and opening text, in page order.
    titles: Vec<(String, String)>,
    /// Each word's pages in this part as (page number, weight) pairs, flattened.
    words: HashMap<String, Vec<u32>, FixedState>,
}

impl Part {
    /// Reads pages `first..end` with `read`; `None` once `superseded` says so.
    fn read<'p>(
        first: usize,
        end: usize,
        read: &(dyn Fn(usize) -> Result<Cow<'p, [u8]>> + Sync),
        superseded: &(dyn Fn() -> bool + Sync),
    ) -> Result<Option<Part>> {
        let mut part = Part::default();
        for n in first..end {
            if superseded() {
                return Ok(None);
            }
            let Ok(number) = u32::try_from(n) else {
                return Ok(None);
            };
            let bytes = read(n)?;
            // Pages are written as UTF-8: the lossy reading is for a page that is not.
            let html = match std::str::from_utf8(&bytes) {
                Ok(html) => Cow::Borrowed(html),
                Err(_) => String::from_utf8_lossy(&bytes),
            };
            let Some(page) = text::read(&html) else {
                part.titles.push(Default::default());
                continue;
            };
            for (word, weight) in page.words() {
                let postings = match part.words.get_mut(word) {
                    Some(postings) => postings,
                    None => part.words.entry(word.to_string()).or_default(),
                };
                postings.extend([number, weight]);
            }
            part.titles.push((page.title, page.excerpt));
        }
        Ok(Some(part))
    }
}

/// The index's files: `pages` are numbered by their place, `parts` hold what was read
/// of them, in order.
fn files(language: &str, pages: &[&str], parts: Vec<Part>) -> Result<Vec<OutputFile>> {
    let mut by_word: HashMap<String, Vec<u32>, FixedState> = HashMap::default();
    let mut titles = Vec::with_capacity(pages.len());
    for part in parts {
        for (word, postings) in part.words {
            by_word.entry(word).or_default().extend(postings);
        }
        titles.extend(part.titles);
    }
    // Each word's pages numbered by the gap from the previous one: small numbers.
    let mut shards: BTreeMap<String, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (word, postings) in &mut by_word {
        let mut last = 0;
        for pair in postings.chunks_exact_mut(2) {
            (pair[0], last) = (pair[0] - last, pair[0]);
        }
        shards
            .entry(shard_key(word))
            .or_default()
            .insert(word.as_str(), std::mem::take(postings));
    }
    let mut out = Vec::with_capacity(shards.len() + pages.len() / CHUNK + 2);
    for (key, words) in &shards {
        out.push(json(format!("{BUNDLE_DIR}/words/{key}.json"), words)?);
    }
    let listed = pages.iter().zip(&titles);
    let listed: Vec<[&str; 3]> = listed
        .map(|(path, (title, excerpt))| [*path, title.as_str(), excerpt.as_str()])
        .collect();
    for (n, chunk) in listed.chunks(CHUNK).enumerate() {
        out.push(json(format!("{BUNDLE_DIR}/pages/{n}.json"), &chunk)?);
    }
    let meta = serde_json::json!({
        "format": FORMAT,
        "language": language,
        "pages": pages.len(),
        "chunk": CHUNK,
        "shards": shards.keys().collect::<Vec<_>>(),
    });
    out.push(json(format!("{BUNDLE_DIR}/meta.json"), &meta)?);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The shard of `word`: the hexadecimal UTF-8 bytes of its first two letters (file names
/// stay ASCII whatever the language; `assets/search.js` computes the same).
pub fn shard_key(word: &str) -> String {
    word.chars()
        .take(2)
        .collect::<String>()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn json(path: String, value: &impl serde::Serialize) -> Result<OutputFile> {
    let bytes = serde_json::to_vec(value).map_err(|e| failed(&e))?;
    Ok(OutputFile::new(path, bytes))
}

fn failed(e: &dyn std::fmt::Display) -> Error {
    Error::Template {
        template: "search index".to_string(),
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
        assert!(
            !indexed("manuals/solar/index.html"),
            "the latest version's repeat"
        );
        assert!(indexed("manuals/solar/1.0/index.html"));
        assert!(indexed("manuals/index.html"));
        assert!(in_bundle("search/index/meta.json"));
        assert!(!in_bundle("search/index.html"));
    }

    #[test]
    fn shards_are_named_by_the_hex_of_two_letters() {
        assert_eq!(shard_key("stipend"), "7374");
        assert_eq!(shard_key("été"), "c3a974");
        assert_eq!(shard_key("x1"), "7831");
    }

    fn page(words: &str) -> String {
        format!("<title>T</title><main data-search-body><h1>{words}</h1><p>{words} body</p></main>")
    }

    #[test]
    fn a_word_lists_its_pages_with_their_weights() {
        let (a, b) = (page("pantry rota"), page("pantry"));
        let pages = [
            ("b/index.html", b.as_bytes()),
            ("a/index.html", a.as_bytes()),
            ("404.html", a.as_bytes()),
        ];
        let files = index_pages("en", pages.into_iter(), &|| false)
            .expect("indexes")
            .expect("whole");
        let file = |path: &str| -> serde_json::Value {
            let f = files.iter().find(|f| f.path == path).expect(path);
            serde_json::from_slice(&f.bytes).expect("json")
        };
        // Pages are numbered in path order: a is 0, b is 1; the 404 page is not read.
        assert_eq!(
            file("search/index/words/7061.json")["pantry"],
            serde_json::json!([0, 6, 1, 6]),
            "page 0, then 1 more: page 1"
        );
        assert_eq!(
            file("search/index/words/726f.json")["rota"],
            serde_json::json!([0, 6])
        );
        assert_eq!(
            file("search/index/pages/0.json"),
            serde_json::json!([
                ["a/index.html", "pantry rota", "pantry rota body"],
                ["b/index.html", "pantry", "pantry body"]
            ])
        );
        let meta = file("search/index/meta.json");
        assert_eq!(meta["pages"], 2);
        assert_eq!(meta["shards"], serde_json::json!(["626f", "7061", "726f"]));
    }

    #[test]
    fn a_newer_build_stops_the_index() {
        let a = page("pantry");
        let pages = [("a/index.html", a.as_bytes())];
        assert!(
            index_pages("en", pages.into_iter(), &|| true)
                .expect("no failure")
                .is_none()
        );
    }
}
