//! tally turns a mutual-aid network's ledger exports, assembly minutes and manuals into
//! a static transparency website.
//!
//! One pipeline, one direction: [`load`] (files → raw records) → [`check`] (raw →
//! validated) → [`model`] (the site as plain data) → [`render`] (templates, Markdown) →
//! [`output`] (temporary folder, swapped in whole). [`build`] calls them in order.

pub mod amend;
pub mod append;
pub mod beacon;
pub mod check;
pub mod cli;
pub mod codes;
pub mod config;
pub mod digest;
pub mod draw;
pub mod error;
pub mod federation;
pub mod import;
pub mod issue;
pub mod load;
pub mod manifest;
pub mod manual_import;
pub mod model;
pub mod new;
pub mod output;
pub mod paths;
pub mod payment;
pub mod release;
pub mod render;
pub mod seal;
pub mod serve;
pub mod signing;
pub mod slug;
pub mod status;
pub mod timings;
pub mod unsteerable;
pub mod verify;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use error::{Diagnostic, Error, Result};

use config::Config;
use timings::Timings;

/// What `tally build` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub site: PathBuf,
    /// Defaults to `SITE/public`.
    pub out: Option<PathBuf>,
    /// Replaces `base_url` from `tally.toml`.
    pub base_url: Option<String>,
}

/// What a build wrote.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub out: PathBuf,
    pub files: usize,
    pub pages: usize,
    pub bytes: u64,
    /// What each `[[ledger.sources]]` block read.
    pub sources: Vec<load::sources::SourceReport>,
    /// Whether `manifest.json` was signed.
    pub signing: Signing,
    /// The site's "as of" date (`YYYY-MM-DD`), if it has one.
    pub as_of: Option<String>,
    /// What the build reports without failing (an issued invoice whose recomputed
    /// figures differ from its record, one not recorded yet).
    pub warnings: Vec<String>,
    /// Closed weeks not sealed yet: their figures may still change.
    pub provisional: usize,
    /// Ledger rows read.
    pub rows: usize,
    /// The time of each stage (`tally build --timings`).
    pub timings: Timings,
}

/// What a build keeps so that the next one redoes only what changed (`tally serve`);
/// [`Caches::disabled`] keeps nothing (a one-off build).
#[derive(Default)]
pub struct Caches {
    /// Parsed source files.
    pub files: load::FileCache,
    /// What each minutes file holds on its own, checked.
    pub checks: check::CheckCache,
    /// Rendered pages and the files made from data.
    pub renders: render::RenderCache,
}

impl Caches {
    /// Caches that remember.
    pub fn new() -> Caches {
        Caches {
            files: load::FileCache::new(),
            checks: check::CheckCache::new(),
            renders: render::RenderCache::new(),
        }
    }

    /// Caches that remember nothing.
    pub fn disabled() -> Caches {
        Caches {
            files: load::FileCache::disabled(),
            checks: check::CheckCache::disabled(),
            renders: render::RenderCache::disabled(),
        }
    }

    /// Forgets everything: the next build is a full one.
    pub fn clear(&mut self) {
        self.files.clear();
        self.checks.clear();
        self.renders.clear();
    }
}

/// A site rendered in memory: its model, every output file but `manifest.json` (sorted
/// by path) and the digest of its inputs, which the manifest names.
pub struct Rendered {
    pub site: model::Site,
    pub files: Vec<render::OutputFile>,
    pub inputs: String,
}

/// Whether a build signed its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// `tally.toml` has no `[signing]`.
    NotConfigured,
    /// `[signing]` is set but no key was given: the copy is unauthenticated.
    Unsigned,
    /// `manifest.json.minisig` was written with the key of this id.
    Signed { key_id: String },
}

/// Load, check and model a site: everything short of rendering.
pub fn prepare(site: &Path, base_url: Option<&str>) -> Result<model::Site> {
    prepare_with(
        site,
        base_url,
        &mut Caches::disabled(),
        &mut Timings::default(),
    )
}

/// [`prepare`], re-reading and re-checking only what `caches` do not hold (`tally
/// serve`); the time of each stage is added to `timings`.
pub fn prepare_with(
    site: &Path,
    base_url: Option<&str>,
    caches: &mut Caches,
    timings: &mut Timings,
) -> Result<model::Site> {
    let mut since = Instant::now();
    let config = configure(site, base_url)?;
    let sources = load::load_with(site, config, &caches.files);
    timings.lap("load", &mut since);
    let checked = check::check_with(sources, &mut caches.checks)?;
    timings.lap("check", &mut since);
    let mut model = model::build(checked);
    timings.lap("model", &mut since);
    model.federation = federation::build(site, &model)?;
    timings.lap("federation", &mut since);
    Ok(model)
}

/// [`prepare`] as if `data/amendments.csv` also held `amendment` (`tally amend` checks
/// the amendment it is about to record).
pub fn prepare_amended(site: &Path, amendment: load::seal::RawAmendment) -> Result<model::Site> {
    let config = configure(site, None)?;
    let mut sources = load::load(site, config);
    sources.amendments.push(amendment);
    let checked = check::check(sources)?;
    Ok(model::build(checked))
}

/// Reads `tally.toml`; `base_url` replaces the one it gives.
pub fn configure(site: &Path, base_url: Option<&str>) -> Result<Config> {
    let mut config = Config::load(site)?;
    if let Some(url) = base_url {
        if let Some(why) = config::base_url_problem(url) {
            return Err(Error::Usage(format!("--base-url: {why}")));
        }
        config.base_url = url.to_string();
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
    }
    Ok(config)
}

/// Builds the site into its output folder; on any error the previous output is untouched.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    build_signed(options, None)
}

/// [`build`], signing `manifest.json` with the secret key in the file `key` when given
/// (`tally build --sign --key FILE`): the key must lie outside the site and be the
/// secret half of `[signing] public_key`.
pub fn build_signed(options: &BuildOptions, key: Option<&Path>) -> Result<BuildSummary> {
    build_release(options, key, None)
}

/// [`build_signed`] as release `release` (`tally release`): the footer and the manifest
/// name it. Without it, a build whose inputs are those of a recorded release is that
/// release; any other build is labelled with `version` from `tally.toml`.
pub fn build_release(
    options: &BuildOptions,
    key: Option<&Path>,
    release: Option<&str>,
) -> Result<BuildSummary> {
    build_with(options, key, release, false)
}

/// [`build_signed`] that also writes the current release's archive,
/// `releases/<V>.zip` (`tally build --archive`): the build must be a recorded release.
pub fn build_archived(options: &BuildOptions, key: Option<&Path>) -> Result<BuildSummary> {
    build_with(options, key, None, true)
}

fn build_with(
    options: &BuildOptions,
    key: Option<&Path>,
    release: Option<&str>,
    archive: bool,
) -> Result<BuildSummary> {
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.site.join("public"));
    let out = output::guard_out_dir(&options.site, &out)?;
    output::recover(&out)?;
    let key = match key {
        Some(path) => {
            signing::guard_key_path(path, &options.site, &out)?;
            Some(signing::SecretKey::from_file(path)?)
        }
        None => None,
    };
    let mut timings = Timings::default();
    // Files are written into the staging folder as they are made; it becomes the
    // output only once the whole build succeeded, and is removed if it fails.
    let staging = output::Staging::create(&out)?;
    let mut rendered = render_pages_to(
        &options.site,
        options.base_url.as_deref(),
        release,
        &mut timings,
        &staging,
    )?;
    let mut since = Instant::now();
    let index = index_staged(&rendered.site.config.language, &rendered.files, &staging)?;
    rendered.files.extend(index);
    rendered.files.sort_by(|a, b| a.path.cmp(&b.path));
    timings.lap("search index", &mut since);
    let inputs = rendered.inputs.clone();
    let (site, mut files) = with_manifest(rendered);
    let signing = sign(&site, key.as_ref(), &mut files)?;
    if archive {
        let version = current_release(&options.site, &inputs)?;
        let archived = release::archive(&version, &files, &|f| staging.read(f))?;
        files.push(archived);
    }
    timings.lap("manifest", &mut since);
    staging.commit(&files)?;
    timings.lap("write", &mut since);
    Ok(BuildSummary {
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        bytes: files.iter().map(render::OutputFile::len).sum(),
        sources: site.ledger_sources.clone(),
        out,
        signing,
        as_of: site.as_of.map(|d| d.to_string()),
        warnings: site.warnings.clone(),
        provisional: site.seals.count(model::seal::SealState::Provisional),
        rows: site.ledger.entries.len(),
        timings,
    })
}

/// The version of the recorded release whose inputs are `inputs`, or why there is none.
fn current_release(site_dir: &Path, inputs: &str) -> Result<String> {
    let releases = release::read(site_dir).map_err(Error::Input)?;
    match releases.iter().find(|r| r.inputs == inputs) {
        Some(release) => Ok(release.version.clone()),
        None => Err(Error::Usage(match releases.last() {
            None => "--archive: the site has no release yet; record one with `tally release --version V`".to_string(),
            Some(last) => format!(
                "--archive: the sources changed since release {}; record a new one with `tally release --version V`",
                last.version
            ),
        })),
    }
}

/// Every output file of the site in memory, the manifest last; nothing is written.
/// `tally verify --source` compares a copy with this.
pub fn render_site(
    site_dir: &Path,
    base_url: Option<&str>,
) -> Result<(model::Site, Vec<render::OutputFile>)> {
    render_release(site_dir, base_url, None)
}

/// [`render_site`] labelled as `release` (see [`build_release`]).
fn render_release(
    site_dir: &Path,
    base_url: Option<&str>,
    release: Option<&str>,
) -> Result<(model::Site, Vec<render::OutputFile>)> {
    let rendered = render_with(
        site_dir,
        base_url,
        release,
        &mut Caches::disabled(),
        &mut Timings::default(),
    )?;
    Ok(with_manifest(rendered))
}

/// The site's files with `manifest.json`, which lists every other file, added last.
fn with_manifest(rendered: Rendered) -> (model::Site, Vec<render::OutputFile>) {
    let Rendered {
        site,
        files,
        inputs,
    } = rendered;
    let head = manifest::Head {
        release: site.config.version.as_deref(),
        inputs: &inputs,
        seal_chain: site.seals.head(),
    };
    let files = manifest::add(files, &head);
    (site, files)
}

/// The pipeline short of the manifest: load, check, model, render (and the release
/// pages), taking from `caches` what did not change (`tally serve`) and adding the time
/// of each stage to `timings`. `release` labels the build as [`build_release`] says.
pub fn render_with(
    site_dir: &Path,
    base_url: Option<&str>,
    release: Option<&str>,
    caches: &mut Caches,
    timings: &mut Timings,
) -> Result<Rendered> {
    let mut rendered = render_pages(site_dir, base_url, release, caches, timings)?;
    let mut since = Instant::now();
    let language = &rendered.site.config.language;
    let pages = rendered
        .files
        .iter()
        .map(|f| (f.path.as_str(), &f.bytes[..]));
    let index = render::search::index_pages(language, pages, &|| false)?.unwrap_or_default();
    rendered.files.extend(index);
    rendered.files.sort_by(|a, b| a.path.cmp(&b.path));
    timings.lap("search index", &mut since);
    Ok(rendered)
}

/// The search index of `files`, reading the pages written to `staging` back a part at
/// a time.
fn index_staged(
    language: &str,
    files: &[render::OutputFile],
    staging: &output::Staging,
) -> Result<Vec<render::OutputFile>> {
    let pages: Vec<&render::OutputFile> = files
        .iter()
        .filter(|f| render::search::indexed(&f.path))
        .collect();
    let paths: Vec<&str> = pages.iter().map(|f| f.path.as_str()).collect();
    let read = |n: usize| match pages.get(n) {
        Some(file) => staging.read(file),
        None => Ok(std::borrow::Cow::Borrowed(&[][..])),
    };
    Ok(render::search::index_read(language, &paths, &read, &|| false)?.unwrap_or_default())
}

/// [`render_with`] short of the search index: `tally serve` shows the pages at once and
/// indexes them in the background.
pub fn render_pages(
    site_dir: &Path,
    base_url: Option<&str>,
    release: Option<&str>,
    caches: &mut Caches,
    timings: &mut Timings,
) -> Result<Rendered> {
    render_pages_for(
        site_dir,
        base_url,
        release,
        caches,
        timings,
        (render::Purpose::Build, None),
    )
}

/// [`render_pages`] of a one-off build: each file written into `staging` as it is made.
fn render_pages_to(
    site_dir: &Path,
    base_url: Option<&str>,
    release: Option<&str>,
    timings: &mut Timings,
    staging: &output::Staging,
) -> Result<Rendered> {
    render_pages_for(
        site_dir,
        base_url,
        release,
        &mut Caches::disabled(),
        timings,
        (render::Purpose::Build, Some(staging)),
    )
}

/// [`render_pages`] for `purpose` (a check leaves out what [`render::Purpose::Check`]
/// says), the files put into the sink as they are made when there is one.
fn render_pages_for(
    site_dir: &Path,
    base_url: Option<&str>,
    release: Option<&str>,
    caches: &mut Caches,
    timings: &mut Timings,
    (purpose, sink): (render::Purpose, Option<&dyn render::Sink>),
) -> Result<Rendered> {
    // Problems in releases.toml are reported with those of the other sources.
    // A one-off build digests its inputs beside loading, checking and modelling them
    // (reading and hashing every file again, on the other core); `tally serve` keeps
    // the digest and hashes only what changed, after the model.
    let (prepared, digested) = if caches.files.is_enabled() {
        (prepare_with(site_dir, base_url, caches, timings), None)
    } else {
        let (prepared, digested) = rayon::join(
            || prepare_with(site_dir, base_url, caches, timings),
            || {
                let started = Instant::now();
                (load::inputs::digest(site_dir), started.elapsed())
            },
        );
        (prepared, Some(digested))
    };
    let (mut site, releases) = match (prepared, release::read(site_dir)) {
        (Ok(site), Ok(releases)) => (site, releases),
        (Err(Error::Input(mut all)), Err(more)) => {
            all.extend(more);
            all.sort();
            all.dedup();
            return Err(Error::Input(all));
        }
        (Err(e), _) => return Err(e),
        (Ok(_), Err(all)) => return Err(Error::Input(all)),
    };
    let mut since = Instant::now();
    let inputs = match digested {
        Some((digest, took)) => {
            timings.0.push(("inputs (beside load..model)", took));
            digest?
        }
        None => {
            let digest = load::inputs::digest_with(site_dir, &caches.files)?;
            timings.lap("inputs", &mut since);
            digest
        }
    };
    let recorded = releases.iter().find(|r| r.inputs == inputs);
    if let Some(version) = release.or(recorded.map(|r| r.version.as_str())) {
        site.config.version = Some(version.to_string());
    }
    site.releases = release::before(&releases, &inputs)
        .into_iter()
        .cloned()
        .collect();
    let mut files = render::render_for(&site, &mut caches.renders, purpose, sink)?;
    let stats = caches.renders.stats();
    timings.0.push(("contexts", stats.contexts));
    timings.0.push(("render", stats.rendering));
    since += stats.contexts + stats.rendering;
    let (frozen_errors, warnings) = issue::check_files(&site, &files);
    if !frozen_errors.is_empty() {
        return Err(Error::Input(frozen_errors));
    }
    site.warnings.extend(warnings);
    files.extend(release::published(&releases, &inputs));
    files.extend(render::release::page(
        &site,
        &release::before(&releases, &inputs),
    )?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    timings.lap("issued invoices, releases", &mut since);
    Ok(Rendered {
        site,
        files,
        inputs,
    })
}

/// Adds `manifest.json.minisig` to `files` when `key` is given; the key must be the
/// one `[signing]` publishes.
fn sign(
    site: &model::Site,
    key: Option<&signing::SecretKey>,
    files: &mut Vec<render::OutputFile>,
) -> Result<Signing> {
    let published = render::signing::public_key(site);
    let (key, published) = match (key, published) {
        (None, None) => return Ok(Signing::NotConfigured),
        (None, Some(_)) => return Ok(Signing::Unsigned),
        (Some(key), None) => {
            return Err(Error::Usage(format!(
                "cannot sign: {} has no [signing] public_key; add\n[signing]\npublic_key = \"{}\"",
                config::CONFIG_FILE,
                key.public().to_base64()
            )));
        }
        (Some(key), Some(published)) => (key, published),
    };
    if key.public().id() != published.id() {
        return Err(Error::Usage(format!(
            "cannot sign: the secret key is key {}, but {} publishes key {} in [signing]",
            key.public().id(),
            config::CONFIG_FILE,
            published.id()
        )));
    }
    let Some(manifest) = files.iter().find(|f| f.path == manifest::MANIFEST_FILE) else {
        return Ok(Signing::Unsigned);
    };
    let comment = format!(
        "tally manifest of {} release {} seal chain {}",
        site.config.base_url,
        site.config.version.as_deref().unwrap_or("(none)"),
        site.seals.head()
    );
    let signature = key.sign(&manifest.bytes, &comment)?;
    files.push(render::OutputFile::new(signing::SIGNATURE_FILE, signature));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Signing::Signed {
        key_id: published.id(),
    })
}

/// Checks a site as `build` would, writing nothing: its sources, `releases.toml`, every
/// page and document rendered (a template can fail) and the issued invoices against
/// their records. The files made from checked data alone are not made
/// ([`render::Purpose::Check`]); the search index, made from the pages, is not either.
pub fn check(site: &Path) -> Result<model::Site> {
    check_timed(site, &mut Timings::default())
}

/// [`check`], adding the time of each stage to `timings` (`tally check --timings`).
pub fn check_timed(site: &Path, timings: &mut Timings) -> Result<model::Site> {
    let rendered = render_pages_for(
        site,
        None,
        None,
        &mut Caches::disabled(),
        timings,
        (render::Purpose::Check, None),
    )?;
    Ok(rendered.site)
}
