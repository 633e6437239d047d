//! tally turns a mutual-aid network's ledger exports, assembly minutes and manuals into
//! a static transparency website.
//!
//! One pipeline, one direction: [`load`] (files → raw records) → [`check`] (raw →
//! validated) → [`model`] (the site as plain data) → [`render`] (templates, Markdown) →
//! [`output`] (temporary folder, swapped in whole). [`build`] calls them in order.

pub mod check;
pub mod cli;
pub mod config;
pub mod draw;
pub mod error;
pub mod import;
pub mod load;
pub mod manifest;
pub mod model;
pub mod new;
pub mod output;
pub mod render;
pub mod seal;
pub mod serve;
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
        config.base_url = url.to_string();
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
    }
    Ok(config)
}

/// Builds the site into its output folder; on any error the previous output is untouched.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.site.join("public"));
    let out = output::guard_out_dir(&options.site, &out)?;
    let site = prepare(&options.site, options.base_url.as_deref())?;
    let inputs = load::inputs::digest(&options.site)?;
    let files = render::render(&site)?;
    // Last: the manifest lists every other file.
    let files = manifest::add(files, &inputs, site.seals.head());
    output::write(&out, &files)?;
    Ok(BuildSummary {
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes.len() as u64).sum(),
        sources: site.ledger_sources.clone(),
        out,
    })
}

/// Checks a site as `build` would, writing nothing.
pub fn check(site: &Path) -> Result<model::Site> {
    let site = prepare(site, None)?;
    render::render(&site)?;
    Ok(site)
}
