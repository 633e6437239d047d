//! Releases: `releases.toml` (append-only; each entry chained to the one before, like
//! `tally.lock`) and `releases/<version>.json` (that release's `manifest.json`), read and
//! checked by every build; and `tally release`, which builds the site and appends the
//! release. Reading and checking collect every problem with its file and line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::digest::sha256_hex;
use crate::error::{Diagnostic, Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::model::seal::CHAIN_START;
use crate::render::OutputFile;

pub const RELEASES_FILE: &str = "releases.toml";
/// The folder of the stored release manifests, in the site and in the output.
pub const RELEASES_DIR: &str = "releases";

const HEADER: &str = "\
# The site's releases, written by `tally release`. Append-only: each entry's chain is the
# SHA-256 of the previous entry's chain and this entry's fields, so a rewritten entry
# fails the build. releases/<version>.json is that release's manifest.json.
";

pub use crate::model::release::Release;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    release: Vec<RawRelease>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelease {
    version: toml::Spanned<String>,
    date: String,
    manifest: String,
    seal_chain: String,
    inputs: String,
    #[serde(default)]
    note: String,
    chain: String,
}

/// The chain hash of an entry: SHA-256 of the previous chain and the entry's fields,
/// one a line.
fn entry_chain(previous: &str, r: &Release) -> String {
    sha256_hex(
        format!(
            "{previous}\n{}\n{}\n{}\n{}\n{}\n{}",
            r.version, r.date, r.manifest, r.seal_chain, r.inputs, r.note
        )
        .as_bytes(),
    )
}

/// Whether `version` can name a file and a URL: letters, digits, `.`, `-`, `_`.
pub fn is_version_name(version: &str) -> bool {
    !version.is_empty()
        && !version.starts_with('.')
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Reads and checks `releases.toml` and every stored manifest; no file is no releases.
pub fn read(site: &Path) -> std::result::Result<Vec<Release>, Vec<Diagnostic>> {
    let Some((text, raw)) = read_file(site)? else {
        return Ok(Vec::new());
    };
    let mut problems = Vec::new();
    let mut releases: Vec<Release> = Vec::new();
    let mut previous = CHAIN_START.to_string();
    for entry in raw.release {
        let (line, _) = crate::config::line_column(&text, entry.version.span().start);
        let at = |message: String| Diagnostic::at(RELEASES_FILE, line, message);
        let version = entry.version.into_inner();
        if !is_version_name(&version) {
            problems.push(at(format!(
                "version {version:?}: use letters, digits, '.', '-' and '_' only"
            )));
            continue;
        }
        if releases.iter().any(|r| r.version == version) {
            problems.push(at(format!("release {version} is recorded twice")));
        }
        let stored = format!("{RELEASES_DIR}/{version}.json");
        let manifest_json = std::fs::read(site.join(&stored)).unwrap_or_else(|e| {
            problems.push(Diagnostic::new(
                &stored,
                format!("release {version}'s manifest cannot be read: {e}"),
            ));
            Vec::new()
        });
        let release = Release {
            version,
            date: entry.date,
            manifest: entry.manifest,
            seal_chain: entry.seal_chain,
            inputs: entry.inputs,
            note: entry.note,
            chain: entry.chain,
            manifest_json,
        };
        let expected = entry_chain(&previous, &release);
        if release.chain != expected {
            problems.push(at(format!(
                "release {}: chain {} should be {expected}: the entry, or one before it, \
                 was rewritten after it was recorded ({RELEASES_FILE} is append-only)",
                release.version, release.chain
            )));
        }
        if !release.manifest_json.is_empty() {
            check_stored(&release, &stored, &mut problems);
        }
        previous = release.chain.clone();
        releases.push(release);
    }
    if problems.is_empty() {
        Ok(releases)
    } else {
        Err(problems)
    }
}

/// The text of `releases.toml` and its entries as written; `None` when there is no
/// such file yet.
fn read_file(site: &Path) -> std::result::Result<Option<(String, RawFile)>, Vec<Diagnostic>> {
    let path = site.join(RELEASES_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(vec![Diagnostic::new(
                RELEASES_FILE,
                format!("cannot be read: {e}"),
            )]);
        }
    };
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        vec![crate::config::toml_diagnostic(
            Path::new(RELEASES_FILE),
            &text,
            &e,
            0,
        )]
    })?;
    Ok(Some((text, raw)))
}

/// The stored manifest against its entry: digest, seal chain and inputs.
fn check_stored(release: &Release, stored: &str, problems: &mut Vec<Diagnostic>) {
    let actual = sha256_hex(&release.manifest_json);
    if actual != release.manifest {
        problems.push(Diagnostic::new(
            stored,
            format!(
                "SHA-256 {actual}, but {RELEASES_FILE} records {} for release {}: \
                 the stored manifest was changed",
                release.manifest, release.version
            ),
        ));
        return;
    }
    match serde_json::from_slice::<Manifest>(&release.manifest_json) {
        Ok(m) if m.seal_chain != release.seal_chain || m.inputs != release.inputs => {
            problems.push(Diagnostic::new(
                stored,
                format!(
                    "its seal chain or inputs differ from release {}'s entry in {RELEASES_FILE}",
                    release.version
                ),
            ))
        }
        Ok(_) => {}
        Err(e) => problems.push(Diagnostic::new(stored, format!("not a manifest: {e}"))),
    }
}

/// The output files of the releases before the one being built: each one's manifest at
/// `releases/<version>/manifest.json`. A build whose inputs are those of a release is
/// that release, and publishes only the releases before it, so it builds again byte for
/// byte.
pub fn published(releases: &[Release], inputs: &str) -> Vec<OutputFile> {
    before(releases, inputs)
        .into_iter()
        .map(|r| {
            OutputFile::new(
                format!("{RELEASES_DIR}/{}/{MANIFEST_FILE}", r.version),
                r.manifest_json.clone(),
            )
        })
        .collect()
}

/// The releases before the one whose inputs are `inputs` (all, if none has them).
pub fn before<'a>(releases: &'a [Release], inputs: &str) -> Vec<&'a Release> {
    releases.iter().take_while(|r| r.inputs != inputs).collect()
}

/// What `tally release` was asked to do.
#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub site: PathBuf,
    pub version: String,
    pub note: String,
    /// The secret key to sign the release's manifest with.
    pub key: Option<PathBuf>,
}

/// What `tally release` did.
#[derive(Debug, Clone)]
pub struct ReleaseSummary {
    pub release: Release,
    pub build: crate::BuildSummary,
}

/// Builds the site into `SITE/public`, then records the release: its manifest in
/// `releases/<version>.json` and an entry appended to `releases.toml`. The footer and
/// the manifest name the release. Refuses a version already released and inputs equal
/// to the last release's.
pub fn release(options: &ReleaseOptions) -> Result<ReleaseSummary> {
    let site = &options.site;
    let version = &options.version;
    if !is_version_name(version) {
        return Err(Error::Usage(format!(
            "--version {version:?}: use letters, digits, '.', '-' and '_' only"
        )));
    }
    let releases = read(site).map_err(Error::Input)?;
    if releases.iter().any(|r| &r.version == version) {
        return Err(Error::Usage(format!(
            "release {version} exists in {RELEASES_FILE}; releases are never rewritten: \
             choose a new version"
        )));
    }
    let inputs = crate::load::inputs::digest(site)?;
    if let Some(last) = releases.last()
        && last.inputs == inputs
    {
        return Err(Error::Usage(format!(
            "nothing changed since release {}: its inputs are these ({inputs})",
            last.version
        )));
    }
    let build = crate::build_release(
        &crate::BuildOptions {
            site: site.clone(),
            out: None,
            base_url: None,
        },
        options.key.as_deref(),
        Some(version),
    )?;
    let manifest_path = build.out.join(MANIFEST_FILE);
    let manifest_json =
        std::fs::read(&manifest_path).map_err(|e| Error::io("read", &manifest_path, e))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_json)
        .map_err(|e| Error::Usage(format!("{}: {e}", manifest_path.display())))?;
    let mut release = Release {
        version: version.clone(),
        date: build.as_of.clone().unwrap_or_default(),
        manifest: sha256_hex(&manifest_json),
        seal_chain: manifest.seal_chain,
        inputs: manifest.inputs,
        note: options.note.clone(),
        chain: String::new(),
        manifest_json,
    };
    let previous = releases.last().map_or(CHAIN_START, |r| r.chain.as_str());
    release.chain = entry_chain(previous, &release);
    store(site, &release)?;
    Ok(ReleaseSummary { release, build })
}

/// Writes `releases/<version>.json`, then appends the entry to `releases.toml` (the old
/// bytes kept as they are; the file replaced whole).
fn store(site: &Path, release: &Release) -> Result<()> {
    let dir = site.join(RELEASES_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
    let stored = dir.join(format!("{}.json", release.version));
    std::fs::write(&stored, &release.manifest_json).map_err(|e| Error::io("write", &stored, e))?;
    let path = site.join(RELEASES_FILE);
    let mut bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HEADER.as_bytes().to_vec(),
        Err(e) => return Err(Error::io("read", &path, e)),
    };
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(entry_toml(release).as_bytes());
    let tmp = site.join(".releases.toml.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io("replace", &path, e))
}

/// One `[[release]]` entry.
fn entry_toml(r: &Release) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "\n[[release]]\nversion = {}\ndate = {}\nmanifest = {}\nseal_chain = {}\ninputs = {}\nnote = {}\nchain = {}\n",
        quote(&r.version),
        quote(&r.date),
        quote(&r.manifest),
        quote(&r.seal_chain),
        quote(&r.inputs),
        quote(&r.note),
        quote(&r.chain)
    )
}

/// Which release a copy is: the release manifest (from `releases/<version>.json` of a
/// site, or `releases/<version>/manifest.json` of a published copy under `dir`) whose
/// files differ least from `files` (path → SHA-256 of the copy's files), with the paths
/// that differ. `None` when `dir` holds no release manifest.
pub fn identify(
    dir: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<Option<(String, Vec<String>)>> {
    let mut best: Option<(String, Vec<String>)> = None;
    for (version, manifest) in release_manifests(dir)? {
        let mut differ: Vec<String> = manifest
            .files
            .iter()
            .filter(|(path, digest)| files.get(*path) != Some(digest))
            .map(|(path, _)| path.clone())
            .chain(
                files
                    .keys()
                    .filter(|p| !manifest.files.contains_key(*p))
                    .cloned(),
            )
            .collect();
        differ.sort();
        differ.dedup();
        if best.as_ref().is_none_or(|(_, d)| differ.len() < d.len()) {
            best = Some((version, differ));
        }
    }
    Ok(best)
}

/// Every release manifest under `dir`, by version (sorted).
fn release_manifests(dir: &Path) -> Result<Vec<(String, Manifest)>> {
    let releases = dir.join(RELEASES_DIR);
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(&releases) else {
        return Ok(found);
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read", &releases, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let (version, file) = match name.strip_suffix(".json") {
            Some(version) => (version.to_string(), path.clone()),
            None => (name.clone(), path.join(MANIFEST_FILE)),
        };
        if let Ok(bytes) = std::fs::read(&file)
            && let Ok(manifest) = serde_json::from_slice::<Manifest>(&bytes)
        {
            found.push((version, manifest));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

/// The path of release `version`'s archive in the output: `releases/<version>.zip`.
/// The manifest does not list it (the archive holds the manifest, so it cannot be listed
/// in it); `tally verify` skips it, and its content is checked by unzipping it and
/// verifying the folder.
pub fn archive_path(version: &str) -> String {
    format!("{RELEASES_DIR}/{version}.zip")
}

/// Whether `path` in an output folder is a release archive (see [`archive_path`]).
pub fn is_archive_path(path: &str) -> bool {
    path.strip_prefix(RELEASES_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|name| name.strip_suffix(".zip"))
        .is_some_and(is_version_name)
}

/// `tally build --archive`: the whole built site (`files`, manifest included) zipped as
/// `releases/<version>.zip`. The bytes depend only on the files: entries in path order,
/// fixed timestamps and permissions. Links in the site are relative, so the unzipped
/// folder opens from disk. `read` gives each file's bytes (held, or read back from
/// where the build wrote it).
pub fn archive(
    version: &str,
    files: &[OutputFile],
    read: &dyn for<'f> Fn(&'f OutputFile) -> Result<std::borrow::Cow<'f, [u8]>>,
) -> Result<OutputFile> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime, ZipWriter};
    let failed = |e: &dyn std::fmt::Display| {
        Error::Usage(format!("cannot write {}: {e}", archive_path(version)))
    };
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut sorted: Vec<&OutputFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for file in sorted {
        writer
            .start_file(file.path.as_str(), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(&read(file)?).map_err(|e| failed(&e))?;
    }
    let cursor = writer.finish().map_err(|e| failed(&e))?;
    Ok(OutputFile::new(archive_path(version), cursor.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names_are_safe_file_names() {
        assert!(is_version_name("2026.48"));
        assert!(is_version_name("v1-rc_2"));
        assert!(!is_version_name("../x"));
        assert!(!is_version_name(".hidden"));
        assert!(!is_version_name(""));
        assert!(!is_version_name("a b"));
    }
}
