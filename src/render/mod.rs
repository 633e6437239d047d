//! Stage 4, **render**: the model → output files in memory (HTML from Tera templates,
//! Markdown to HTML, sitemap). Pages render in parallel. No file I/O here.

mod beacon_view;
mod cache;
pub mod charts;
pub mod commons;
pub mod csv_safe;
pub mod data_package;
pub mod decisions_data;
pub mod escape;
mod federation;
mod feed;
pub use report::headline;
pub mod invoice;
pub mod invoice_view;
pub mod manual;
pub mod markdown;
pub mod names;
pub mod numbers;
pub mod open_data;
mod pages;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod receipt;
pub mod register;
mod relative;
pub mod release;
pub mod report;
pub mod report_charts;
pub mod seal;
pub mod search;
mod share_card;
pub mod signing;
mod sources;
pub mod ubl;
pub mod views;

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::error::{Error, Result};
use crate::model::Site;
use views::SiteView;

pub use cache::{Artifacts, RenderCache, RenderStats};

/// One file of the output, its path relative to the output folder (`/`-separated).
/// The bytes are shared: a page kept between rebuilds (`tally serve`) is not copied.
/// A file already written to a build's staging folder ([`Sink`]) holds no bytes but
/// their length and digest ([`Stored`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Arc<[u8]>,
    /// Set when the bytes were written out and let go.
    pub stored: Option<Stored>,
}

/// What is kept of a file written out by a [`Sink`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub len: u64,
    /// Its SHA-256; `None` when nothing will ask (`tally check` keeps no pages).
    pub sha256: Option<[u8; 32]>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        OutputFile {
            path: path.into(),
            bytes: Arc::from(bytes.into()),
            stored: None,
        }
    }

    /// A file whose bytes are already shared.
    pub fn shared(path: impl Into<String>, bytes: Arc<[u8]>) -> Self {
        OutputFile {
            path: path.into(),
            bytes,
            stored: None,
        }
    }

    /// Its size in bytes, held or stored.
    pub fn len(&self) -> u64 {
        self.stored.map_or(self.bytes.len() as u64, |s| s.len)
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its SHA-256 in lowercase hex: the stored digest, or that of the bytes held.
    pub fn sha256_hex(&self) -> String {
        match self.stored.and_then(|s| s.sha256) {
            Some(digest) => crate::digest::to_hex(&digest),
            None => crate::digest::sha256_hex(&self.bytes),
        }
    }
}

/// Where a build puts its files as they are made, so that a large site is never whole in
/// memory: [`crate::output::Staging`] writes each into the folder that becomes the
/// output and keeps its length and digest.
pub trait Sink: Sync {
    /// Writes `bytes` out as the file at `path`; what is kept of it.
    fn store(&self, path: String, bytes: &[u8]) -> Result<OutputFile>;
}

/// Makes a page's context when it has to be rendered.
pub type MakeContext<'a> = Box<dyn FnOnce() -> Result<Context> + Send + 'a>;

/// Something to produce: a page from a template and its context, or a finished file.
pub enum Job<'a> {
    /// A page whose context is made at once; a rebuild compares it with the last one.
    Page {
        path: String,
        template: &'static str,
        context: Context,
    },
    /// A page known by a fingerprint of everything its context is made from: a rebuild
    /// makes the context (and renders) only when the fingerprint changed.
    Keyed {
        path: String,
        template: &'static str,
        fingerprint: u64,
        context: MakeContext<'a>,
    },
    File(OutputFile),
}

impl<'a> Job<'a> {
    /// A page at `url_path` (`minutes/x/` → `minutes/x/index.html`).
    pub fn page(url_path: &str, template: &'static str, context: Context) -> Job<'a> {
        Job::Page {
            path: page_path(url_path),
            template,
            context,
        }
    }

    /// A page at `url_path` whose context `make` builds from exactly the data hashed into
    /// `fingerprint` (see [`Renderer::fingerprint`]).
    pub fn keyed(
        url_path: &str,
        template: &'static str,
        fingerprint: u64,
        make: impl FnOnce() -> Result<Context> + Send + 'a,
    ) -> Job<'a> {
        Job::Keyed {
            path: page_path(url_path),
            template,
            fingerprint,
            context: Box::new(make),
        }
    }
}

fn page_path(url_path: &str) -> String {
    if url_path.is_empty() || url_path.ends_with('/') {
        // Not `format!`: this is made for every page of a rebuild.
        [url_path, "index.html"].concat()
    } else {
        url_path.to_string()
    }
}

/// Templates plus what every page shares.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub site_view: SiteView,
    tera: Arc<Tera>,
    /// A hash of `site_view`, the part of every page's context that is the same for all.
    site_fingerprint: u64,
    /// What is dear to make, kept between renders (see [`Renderer::made`]).
    made: Arc<Artifacts>,
    /// A hash of the ledger, made when first asked for.
    ledger_fingerprint: OnceLock<u64>,
    /// What the files are made for.
    purpose: Purpose,
    /// Where files go as they are made (a build); without one they are held.
    sink: Option<&'a dyn Sink>,
}

/// What a render is for. A build makes every file. A check (`tally check`) renders every
/// page, chart and document, since a template or a drawing can fail, but not the files
/// made from checked data alone without a template, which cannot: the receipt shards,
/// the rows of `data/ledger.csv` and the share cards' pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Build,
    Check,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site) -> Result<Renderer<'a>> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default also escapes `/`, which mangles every URL; these five suffice
        // inside text and quoted attributes.
        tera.set_escape_fn(views::xml_escape);
        let templates: Vec<(&str, &str)> = site
            .theme
            .templates
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str()))
            .collect();
        tera.add_raw_templates(templates)
            .map_err(|e| Error::Template {
                template: "theme".into(),
                message: error_chain(&e),
            })?;
        Ok(Renderer::with_tera(site, Arc::new(tera), Arc::default()))
    }

    /// A renderer with templates already compiled from `site.theme.templates`.
    fn with_tera(site: &'a Site, tera: Arc<Tera>, made: Arc<Artifacts>) -> Renderer<'a> {
        let site_view = SiteView::new(site);
        Renderer {
            site,
            site_fingerprint: hash_of(&site_view),
            site_view,
            tera,
            made,
            ledger_fingerprint: OnceLock::new(),
            purpose: Purpose::Build,
            sink: None,
        }
    }

    /// The output file `bytes` at `path`: written out at once when the render has a
    /// [`Sink`], else held.
    pub fn file(&self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Result<OutputFile> {
        match self.sink {
            Some(sink) => sink.store(path.into(), &bytes.into()),
            None => Ok(OutputFile::new(path, bytes)),
        }
    }

    /// [`Renderer::file`] of borrowed bytes: copied only when held.
    pub fn file_from(&self, path: impl Into<String>, bytes: &[u8]) -> Result<OutputFile> {
        match self.sink {
            Some(sink) => sink.store(path.into(), bytes),
            None => Ok(OutputFile::new(path, bytes)),
        }
    }

    /// What is kept of a page rendered at `path`: written out when the render has a
    /// [`Sink`]; in a check only its length (nothing reads a page after a check).
    fn finished(&self, path: String, bytes: Arc<[u8]>) -> Result<OutputFile> {
        if let Some(sink) = self.sink {
            return sink.store(path, &bytes);
        }
        if self.checking() {
            return Ok(OutputFile {
                path,
                stored: Some(Stored {
                    len: bytes.len() as u64,
                    sha256: None,
                }),
                bytes: Arc::from(Vec::new()),
            });
        }
        Ok(OutputFile::shared(path, bytes))
    }

    /// Whether this render only checks (see [`Purpose::Check`]).
    pub fn checking(&self) -> bool {
        self.purpose == Purpose::Check
    }

    /// The value kept under `key` by the previous render if it was made from data with
    /// the same `fingerprint` (see [`Renderer::fingerprint`]), else the one `make` makes
    /// now. For what is dear to make and needs no template: charts, open data, bundles,
    /// invoice files. `key` names it in [`RenderStats::made`].
    pub fn made<T: Send + Sync + 'static>(
        &self,
        key: &str,
        fingerprint: u64,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        self.made.get_or_make(key, fingerprint, make)
    }

    /// A hash of the whole ledger: its rows, rates, city budget, as-of date and weeks.
    /// Everything made from the ledger alone is keyed by it. Zero in a one-off build,
    /// which keeps nothing (no need to hash a large ledger).
    pub fn ledger_fingerprint(&self) -> u64 {
        *self.ledger_fingerprint.get_or_init(|| {
            if self.made.is_enabled() {
                hash_of(&self.site.ledger)
            } else {
                0
            }
        })
    }

    /// The fingerprint of a page made from `site_view` and `data`: `data` must hold
    /// everything else the page's context is made from (see [`Job::keyed`]).
    pub fn fingerprint(&self, data: &impl Hash) -> u64 {
        hash_of(&(self.site_fingerprint, data))
    }

    /// A hash of a list of records, to go into a [`Renderer::fingerprint`]: each record
    /// hashed by `hash`, and (in `tally serve`) not hashed again while it is the same
    /// [`Arc`] (see [`Artifacts::hash_items`]); `key` names the list.
    pub fn hash_items<T: Send + Sync + 'static>(
        &self,
        key: &str,
        items: &[Arc<T>],
        hash: impl Fn(&T) -> u64,
    ) -> u64 {
        self.made.hash_items(key, items, hash)
    }

    /// A context holding `site` and `title`, to which a section adds its view.
    pub fn context(&self, title: &str, section: &str) -> Context {
        let mut context = Context::new();
        context.insert("site", &self.site_view);
        context.insert("title", title);
        context.insert("section", section);
        context
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<String> {
        self.tera
            .render(template, context)
            .map_err(|e| Error::Template {
                template: template.to_string(),
                message: error_chain(&e),
            })
    }

    /// The page at `path` (in the output folder): `template` rendered, its site links
    /// made relative to it (but in the not-found page, which is served at any depth).
    pub fn render_page(&self, path: &str, template: &str, context: &Context) -> Result<String> {
        let html = self.render(template, context)?;
        if path == "404.html" || !path.ends_with(".html") {
            return Ok(html);
        }
        Ok(relative::relative_links(path, &html, &self.site_view.root))
    }

    /// Adds a serializable view to a context under `key`.
    pub fn with<T: Serialize + ?Sized>(mut context: Context, key: &str, value: &T) -> Context {
        context.insert(key, value);
        context
    }
}

/// A hash of `value`, the same for equal values within one run of the program.
pub(crate) fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// Renders the whole site into files, sorted by path.
pub fn render(site: &Site) -> Result<Vec<OutputFile>> {
    render_with(site, &mut RenderCache::disabled())
}

/// Renders the whole site into files, sorted by path, taking from `cache` every page
/// whose template and context are those of the previous render (`tally serve`).
/// Sections need do nothing for this: a page is re-rendered exactly when what its
/// template sees changed.
pub fn render_with(site: &Site, cache: &mut RenderCache) -> Result<Vec<OutputFile>> {
    render_for(site, cache, Purpose::Build, None)
}

/// [`render_with`] for `purpose` (a check leaves out what [`Purpose::Check`] says), each
/// file put into `sink` as it is made when there is one.
pub fn render_for<'s>(
    site: &'s Site,
    cache: &mut RenderCache,
    purpose: Purpose,
    sink: Option<&'s dyn Sink>,
) -> Result<Vec<OutputFile>> {
    let made = cache.begin();
    let mut renderer = match cache.compiled(&site.theme.templates) {
        Some(tera) => Renderer::with_tera(site, tera, made),
        None => {
            let mut renderer = Renderer::new(site)?;
            renderer.made = made;
            cache.keep_compiled(&site.theme.templates, &renderer.tera);
            renderer
        }
    };
    renderer.purpose = purpose;
    renderer.sink = sink;
    let started = std::time::Instant::now();
    let jobs = all_jobs(&renderer)?;
    let contexts = started.elapsed();
    let mut files = cache.run(&renderer, jobs)?;
    cache.timed(contexts, started.elapsed() - contexts);
    for (path, bytes) in &site.theme.statics {
        files.push(OutputFile::new(path.clone(), bytes.clone()));
    }
    files.push(sitemap(site, &files));
    finish(files)
}

/// Every page and file of the site to render, section by section; the sections make
/// their jobs on every core (in `tally serve` this is most of a rebuild's time).
fn all_jobs<'r>(renderer: &'r Renderer<'_>) -> Result<Vec<Job<'r>>> {
    type Section<'s> = for<'r> fn(&'r Renderer<'s>) -> Result<Vec<Job<'r>>>;
    let sections: [Section<'_>; 13] = [
        |r| pages::jobs(r),
        |r| seal::jobs(r),
        |r| Ok(signing::jobs(r.site)),
        |r| register::jobs(r),
        |r| report::jobs(r),
        |r| open_data::jobs(r),
        |r| Ok(feed::jobs(r)),
        |r| manual::jobs(r),
        |r| invoice::jobs(r),
        |r| commons::jobs(r),
        |r| receipt::jobs(r),
        |r| Ok(search::jobs(r)),
        |r| federation::jobs(r),
    ];
    let made: Vec<Vec<Job<'r>>> = sections
        .par_iter()
        .map(|section| section(renderer))
        .collect::<Result<_>>()?;
    Ok(made.into_iter().flatten().collect())
}

/// Sorts the files by path; two files at one path mean two things claim one URL.
fn finish(mut files: Vec<OutputFile>) -> Result<Vec<OutputFile>> {
    // A site's static file may deliberately replace a generated one: keep the last. The
    // sort is stable, so of the files at one path the last one pushed comes last.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.reverse();
    files.dedup_by(|later, kept| later.path == kept.path);
    files.reverse();
    Ok(files)
}

/// `sitemap.xml`: every HTML page but the not-found page.
fn sitemap(site: &Site, files: &[OutputFile]) -> OutputFile {
    let mut pages: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.strip_suffix("index.html"))
        .collect();
    pages.sort_unstable();
    let base = views::xml_escape(&site.config.base_url);
    let mut xml = String::with_capacity(120 + pages.len() * (base.len() + 40));
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&base);
        views::push_xml_escaped(&mut xml, page);
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    OutputFile::new("sitemap.xml", xml)
}
