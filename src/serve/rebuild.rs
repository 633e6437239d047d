//! The incremental build behind `tally serve`: the same pipeline as `tally build`
//! (load → check → model → render), keeping what did not change between runs.
//!
//! - load: parsed files stay in a [`FileCache`]; a change re-reads only the changed files;
//! - check: what each minutes file holds on its own is checked once per version of the
//!   file ([`CheckCache`]); the rules across files and the model run over the whole site;
//! - render: a page is rendered again only when its template or inputs changed
//!   ([`RenderCache`]); minutes pages and registers are keyed by a fingerprint of the
//!   records they show, so an unchanged one is not even given a context; Markdown is
//!   converted again only when its text changed; charts, open data, manual bundles and
//!   invoice files are made again only when the data they are made from changed (see
//!   `render::Artifacts`), and reports and the home page are keyed like minutes pages;
//! - search index: not on the way from a save to its page. [`SiteBuilder::rebuild`]
//!   keeps the previous index in the output; [`SiteBuilder::index_job`] hands out the
//!   pages to index (on another thread, see [`super::index`]) and
//!   [`SiteBuilder::install_index`] swaps the index in if no later build outdated it;
//! - write: nothing is written to disk; the output is kept in memory ([`Output`]), its
//!   bytes shared with the render cache, and compared with the previous one, so the
//!   server knows which URLs changed, and only the changed files are hashed for
//!   `manifest.json` (as is each changed input file).
//!
//! A change to `tally.toml` forgets everything: the next build is a full one.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::CONFIG_FILE;
use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::manifest::{Head, MANIFEST_FILE, Manifest};
use crate::render::{OutputFile, RenderStats, markdown, search};
use crate::timings::Timings;
use crate::{Caches, Rendered};

/// A built site in memory: file bytes by output path (`minutes/x/index.html`).
#[derive(Debug, Default)]
pub struct Output {
    /// Sorted by path.
    files: Vec<OutputEntry>,
}

/// One file of an [`Output`].
#[derive(Debug)]
struct OutputEntry {
    path: String,
    bytes: Arc<[u8]>,
    /// Its SHA-256, for the next build's manifest (none for the manifest itself).
    digest: Option<Arc<str>>,
}

impl Output {
    /// An output made of the given files (path, bytes).
    pub fn from_files<P, B>(files: impl IntoIterator<Item = (P, B)>) -> Output
    where
        P: Into<String>,
        B: AsRef<[u8]>,
    {
        let mut files: Vec<OutputEntry> = files
            .into_iter()
            .map(|(path, bytes)| OutputEntry {
                path: path.into(),
                bytes: Arc::from(bytes.as_ref()),
                digest: None,
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Output { files }
    }

    fn find(&self, path: &str) -> Option<&OutputEntry> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .and_then(|i| self.files.get(i))
    }

    pub fn get(&self, path: &str) -> Option<&Arc<[u8]>> {
        self.find(path).map(|f| &f.bytes)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.find(path).is_some()
    }

    /// Every output path, sorted.
    pub fn paths(&self) -> Vec<&str> {
        self.files.iter().map(|f| f.path.as_str()).collect()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// What one build did.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// Output paths added or whose bytes changed, sorted.
    pub changed: Vec<String>,
    /// Output paths that are gone, sorted.
    pub removed: Vec<String>,
    /// Pages rendered and pages reused.
    pub pages: RenderStats,
    /// Files in the output.
    pub files: usize,
    /// Whether every cache had been forgotten (first build, or the configuration changed).
    pub full: bool,
    pub elapsed: Duration,
    /// Where the time went, stage by stage, in order.
    pub phases: Phases,
}

/// The time each stage of one build took, in the order they ran.
pub type Phases = Timings;

/// Drops `value` on another thread (here, if no thread can be started).
fn drop_elsewhere<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("tally-free".into())
        .spawn(move || drop(value));
}

/// A site kept loaded between builds.
pub struct SiteBuilder {
    site: PathBuf,
    base_url: Option<String>,
    caches: Caches,
    output: Arc<Output>,
    built_once: bool,
    /// What the manifest of the last build says besides its files.
    head: OwnedHead,
    /// Counts the builds that changed an indexed page.
    pages_version: u64,
    /// The `pages_version` of the search index in the output.
    index_version: u64,
    /// The last `pages_version` handed out by [`SiteBuilder::index_job`].
    queued_version: u64,
}

/// [`Head`] kept beyond the build it is of.
#[derive(Default)]
struct OwnedHead {
    release: Option<String>,
    inputs: String,
    seal_chain: String,
    language: String,
}

impl OwnedHead {
    fn head(&self) -> Head<'_> {
        Head {
            release: self.release.as_deref(),
            inputs: &self.inputs,
            seal_chain: &self.seal_chain,
        }
    }
}

/// The pages of one build to index, apart from the builder (see [`super::index`]).
pub struct IndexJob {
    version: u64,
    language: String,
    pages: Vec<(String, Arc<[u8]>)>,
}

impl IndexJob {
    /// The `pages` (output path, bytes) of build `version`, in the site's `language`.
    pub(crate) fn new(version: u64, language: &str, pages: Vec<(String, Arc<[u8]>)>) -> IndexJob {
        IndexJob {
            version,
            language: language.to_string(),
            pages,
        }
    }

    /// Which build's pages these are: [`SiteBuilder::install_index`] takes only the latest.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The search index of these pages; `None` once `superseded` says so.
    pub fn run(&self, superseded: &(dyn Fn() -> bool + Sync)) -> Result<Option<Vec<OutputFile>>> {
        let pages = self.pages.iter().map(|(p, b)| (p.as_str(), &b[..]));
        search::index_pages(&self.language, pages, superseded)
    }
}

/// What swapping a new search index in changed.
#[derive(Debug, Clone)]
pub struct Reindexed {
    /// Output paths added or whose bytes changed (the manifest among them), sorted.
    pub changed: Vec<String>,
    /// Output paths that are gone, sorted.
    pub removed: Vec<String>,
}

impl SiteBuilder {
    /// `site` must exist; `base_url` replaces the one in `tally.toml` (the server's address).
    pub fn new(site: &Path, base_url: Option<String>) -> Result<SiteBuilder> {
        let site = site
            .canonicalize()
            .map_err(|e| Error::io("open the site folder", site, e))?;
        markdown::remember_conversions(true);
        Ok(SiteBuilder {
            site,
            base_url,
            caches: Caches::new(),
            output: Arc::default(),
            built_once: false,
            head: OwnedHead::default(),
            pages_version: 0,
            index_version: 0,
            queued_version: 0,
        })
    }

    /// The site folder, absolute and with symlinks resolved (as the watcher reports paths).
    pub fn site(&self) -> &Path {
        &self.site
    }

    /// The output of the last successful build (empty before the first).
    pub fn output(&self) -> Arc<Output> {
        Arc::clone(&self.output)
    }

    /// Builds the site again after the files or folders `changed` (absolute paths, or
    /// relative to the site) were written, created or removed, through the library's
    /// stages ([`crate::render_pages`]) with this builder's caches. The output keeps the
    /// previous search index until [`SiteBuilder::install_index`] replaces it. On
    /// failure the previous output stays as it was.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Rebuild> {
        let started = Instant::now();
        let full = self.forget(changed);
        let mut phases = Phases::default();
        let rendered = crate::render_pages(
            &self.site,
            self.base_url.as_deref(),
            None,
            &mut self.caches,
            &mut phases,
        )?;
        let stats = self.caches.renders.stats();
        if stats.reused == 0 {
            // Every page was made again: the conversions not used now are of no page.
            markdown::forget_unused_conversions();
        }
        self.built_once = true;
        let mut since = Instant::now();
        let Rendered {
            site,
            mut files,
            inputs,
        } = rendered;
        self.head = OwnedHead {
            release: site.config.version.clone(),
            inputs,
            seal_chain: site.seals.head().to_string(),
            language: site.config.language.clone(),
        };
        keep_index(&self.output, &mut files);
        let (after, changed, removed) = diff(&self.output, files, &self.head.head());
        if changed.iter().chain(&removed).any(|p| search::indexed(p)) {
            self.pages_version += 1;
        }
        phases.lap("diff", &mut since);
        let before = std::mem::replace(&mut self.output, Arc::new(after));
        // Freeing the previous model, contexts and files takes a while; not on this path.
        drop_elsewhere((site, self.caches.renders.take_garbage(), before));
        phases.lap("free", &mut since);
        Ok(Rebuild {
            changed,
            removed,
            pages: self.caches.renders.stats(),
            files: self.output.len(),
            full,
            elapsed: started.elapsed(),
            phases,
        })
    }

    /// [`SiteBuilder::rebuild`], then the search index built and swapped in at once (as
    /// `tally build` does): what changed is the pages' and the index's together.
    pub fn rebuild_indexed(&mut self, changed: &[PathBuf]) -> Result<Rebuild> {
        let mut rebuild = self.rebuild(changed)?;
        let started = Instant::now();
        if let Some(job) = self.index_job() {
            let files = job.run(&|| false)?.unwrap_or_default();
            if let Some(reindexed) = self.install_index(job.version(), files) {
                rebuild.changed.extend(reindexed.changed);
                rebuild.removed.extend(reindexed.removed);
                rebuild.changed.sort_unstable();
                rebuild.changed.dedup();
                rebuild.removed.sort_unstable();
                rebuild.removed.dedup();
            }
        }
        rebuild.phases.0.push(("search index", started.elapsed()));
        rebuild.elapsed = rebuild.phases.total();
        Ok(rebuild)
    }

    /// The pages to index when the output's search index is older than its pages and
    /// they were not handed out yet.
    pub fn index_job(&mut self) -> Option<IndexJob> {
        if self.pages_version == self.index_version || self.pages_version == self.queued_version {
            return None;
        }
        self.queued_version = self.pages_version;
        let pages = self
            .output
            .files
            .iter()
            .filter(|f| search::indexed(&f.path))
            .map(|f| (f.path.clone(), Arc::clone(&f.bytes)))
            .collect();
        Some(IndexJob::new(
            self.pages_version,
            &self.head.language,
            pages,
        ))
    }

    /// Swaps in the search index `files` made of the pages of build `version`, unless a
    /// later build changed the pages since (`None`: that index is already outdated).
    pub fn install_index(&mut self, version: u64, files: Vec<OutputFile>) -> Option<Reindexed> {
        if version != self.pages_version {
            return None;
        }
        let mut all: Vec<OutputFile> = self
            .output
            .files
            .iter()
            .filter(|f| !search::in_bundle(&f.path) && f.path != MANIFEST_FILE)
            .map(|f| OutputFile::shared(f.path.clone(), Arc::clone(&f.bytes)))
            .collect();
        all.extend(files);
        all.sort_by(|a, b| a.path.cmp(&b.path));
        let (after, changed, removed) = diff(&self.output, all, &self.head.head());
        let before = std::mem::replace(&mut self.output, Arc::new(after));
        drop_elsewhere(before);
        self.index_version = version;
        Some(Reindexed { changed, removed })
    }

    /// Forgets the cached files that `changed`; everything when the configuration or
    /// the whole site changed, or nothing was built yet. Whether the build is a full one.
    fn forget(&mut self, changed: &[PathBuf]) -> bool {
        let mut full = !self.built_once;
        for path in changed {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                self.site.join(path)
            };
            if path == self.site.join(CONFIG_FILE) || path == self.site {
                full = true;
            }
            self.caches.files.forget(&path);
        }
        if full {
            self.caches.clear();
        }
        full
    }
}

/// Adds the search index of `before` to `files` (sorted, without one), unchanged.
fn keep_index(before: &Output, files: &mut Vec<OutputFile>) {
    let index: Vec<OutputFile> = before
        .files
        .iter()
        .filter(|f| search::in_bundle(&f.path))
        .map(|f| OutputFile::shared(f.path.clone(), Arc::clone(&f.bytes)))
        .collect();
    if index.is_empty() {
        return;
    }
    // Every path of the index sorts after `search/index/` and before any later path.
    let folder = format!("{}/", search::BUNDLE_DIR);
    let at = files.partition_point(|f| f.path < folder);
    files.splice(at..at, index);
}

/// The new output made of `files` (sorted, without the manifest) and the manifest,
/// with the paths added or changed and the paths gone since `before`.
///
/// The digests of unchanged files are kept; only the changed ones are hashed. Both
/// lists are sorted by path: one pass over them pairs each file with its previous
/// version. A page taken from the render cache shares its bytes with the previous
/// output: no comparison.
fn diff(
    before: &Output,
    files: Vec<OutputFile>,
    head: &Head<'_>,
) -> (Output, Vec<String>, Vec<String>) {
    let mut after = Output {
        files: Vec::with_capacity(files.len() + 1),
    };
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    let mut old = before.files.iter().peekable();
    for file in files {
        if file.path == MANIFEST_FILE {
            continue;
        }
        while let Some(gone) = old.next_if(|k| k.path < file.path) {
            if gone.path != MANIFEST_FILE {
                removed.push(gone.path.clone());
            }
        }
        let unchanged = old
            .next_if(|k| k.path == file.path)
            .filter(|k| Arc::ptr_eq(&k.bytes, &file.bytes) || k.bytes[..] == file.bytes[..]);
        let (bytes, digest) = match unchanged.and_then(|k| Some((k, k.digest.as_ref()?))) {
            Some((kept, digest)) => (Arc::clone(&kept.bytes), Arc::clone(digest)),
            None => {
                changed.push(file.path.clone());
                let digest: Arc<str> = sha256_hex(&file.bytes).into();
                (file.bytes, digest)
            }
        };
        after.files.push(OutputEntry {
            path: file.path,
            bytes,
            digest: Some(digest),
        });
    }
    removed.extend(
        old.filter(|k| k.path != MANIFEST_FILE)
            .map(|k| k.path.clone()),
    );
    add_manifest(before, &mut after, head, &mut changed);
    changed.sort_unstable();
    removed.sort_unstable();
    (after, changed, removed)
}

/// Adds the manifest, which lists every other file of `after`, as `tally build` does.
fn add_manifest(before: &Output, after: &mut Output, head: &Head<'_>, changed: &mut Vec<String>) {
    let manifest = Manifest::json_of_digests(
        after
            .files
            .iter()
            .filter_map(|f| Some((f.path.as_str(), f.digest.as_deref()?))),
        head,
    );
    if before
        .get(MANIFEST_FILE)
        .is_none_or(|old| **old != *manifest.as_bytes())
    {
        changed.push(MANIFEST_FILE.to_string());
    }
    let at = after
        .files
        .partition_point(|f| f.path.as_str() < MANIFEST_FILE);
    after.files.insert(
        at,
        OutputEntry {
            path: MANIFEST_FILE.to_string(),
            bytes: Arc::from(manifest.into_bytes()),
            digest: None,
        },
    );
}
