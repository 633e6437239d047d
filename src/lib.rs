//! tally turns a mutual-aid network's ledger exports, assembly minutes and manuals into
//! a static transparency website.
//!
//! One pipeline, one direction: [`load`] (files → raw records) → [`check`] (raw →
//! validated) → [`model`] (the site as plain data) → [`render`] (templates, Markdown) →
//! [`output`] (temporary folder, swapped in whole). [`build`] calls them in order.

pub mod beacon;
pub mod check;
pub mod cli;
pub mod codes;
pub mod config;
pub mod digest;
pub mod draw;
pub mod error;
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
pub mod releases;
pub mod render;
pub mod seal;
pub mod serve;
pub mod signing;
pub mod slug;
pub mod unsteerable;
pub mod verify;

use std::path::{Path, PathBuf};

pub use error::{Diagnostic, Error, Result};

use config::Config;

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

/// Load, check and model a site: everything short of rendering. `tally check` is this.
pub fn prepare(site: &Path, base_url: Option<&str>) -> Result<model::Site> {
    prepare_with(site, base_url, &load::FileCache::disabled())
}

/// [`prepare`], re-reading only the files that `cache` does not hold (`tally serve`).
pub fn prepare_with(
    site: &Path,
    base_url: Option<&str>,
    cache: &load::FileCache,
) -> Result<model::Site> {
    let config = configure(site, base_url)?;
    let sources = load::load_with(site, config, cache);
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
    let (site, mut files) = render_release(&options.site, options.base_url.as_deref(), release)?;
    let signing = sign(&site, key.as_ref(), &mut files)?;
    output::write(&out, &files)?;
    Ok(BuildSummary {
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        sources: site.ledger_sources.clone(),
        out,
        signing,
        as_of: site.as_of.map(|d| d.to_string()),
        warnings: site.warnings.clone(),
    })
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
    // Problems in releases.toml are reported with those of the other sources.
    let (mut site, releases) = match (prepare(site_dir, base_url), releases::read(site_dir)) {
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
    let inputs = load::inputs::digest(site_dir)?;
    let recorded = releases.iter().find(|r| r.inputs == inputs);
    if let Some(version) = release.or(recorded.map(|r| r.version.as_str())) {
        site.config.version = Some(version.to_string());
    }
    site.releases = releases::before(&releases, &inputs)
        .into_iter()
        .cloned()
        .collect();
    let mut files = render::render(&site)?;
    let (frozen_errors, warnings) = issue::check_files(&site, &files);
    if !frozen_errors.is_empty() {
        return Err(Error::Input(frozen_errors));
    }
    site.warnings.extend(warnings);
    files.extend(releases::published(&releases, &inputs));
    files.extend(render::releases::page(
        &site,
        &releases::before(&releases, &inputs),
    )?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    // Last: the manifest lists every other file.
    let head = manifest::Head {
        release: site.config.version.as_deref(),
        inputs: &inputs,
        seal_chain: site.seals.head(),
    };
    let files = manifest::add(files, &head);
    Ok((site, files))
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

/// Checks a site as `build` would, writing nothing.
pub fn check(site: &Path) -> Result<model::Site> {
    let site = prepare(site, None)?;
    render::render(&site)?;
    Ok(site)
}
