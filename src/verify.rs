//! `tally verify DIR`: checks a downloaded copy of a published site against its
//! `manifest.json` (every file's SHA-256, no file missing, no file added) and its seal
//! chain (`data/seals.json`, the canonical week files). With a public key it first checks
//! `manifest.json.minisig`, without which whoever holds the copy could rewrite the
//! manifest with the files; with the site's sources it rebuilds the site and compares
//! byte for byte. Reads only; writes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::model::seal::{CHAIN_START, chain, is_digest};
use crate::render::seal::{SEALS_FILE, SealRecord, SealsFile, WeekRecord};
use crate::signing::{PublicKey, SIGNATURE_FILE};

/// What `tally verify` checks.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The folder holding the copy.
    pub dir: &'a Path,
    /// A chain hash seen in an earlier copy: the seal chain must still contain it.
    pub kept: Option<&'a str>,
    /// The network's public key: `manifest.json.minisig` must verify with it.
    pub key: Option<&'a PublicKey>,
    /// The site's sources: the copy must equal their build byte for byte.
    pub source: Option<&'a Path>,
    /// A site or a newer copy holding release manifests: the copy must be one of them.
    pub releases: Option<&'a Path>,
}

/// What a copy holds when everything matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub files: usize,
    pub generator: String,
    pub seals: usize,
    pub head: String,
    /// The release the manifest names.
    pub release: Option<String>,
    /// The id of the key whose signature of the manifest verified; `None` when no key
    /// was given: the copy is then unauthenticated.
    pub signed_by: Option<String>,
    /// The number of files compared with a rebuild from the sources (`--source`).
    pub rebuilt: Option<usize>,
    /// The release this copy is exactly (`--releases`).
    pub is_release: Option<String>,
}

/// Checks `dir`; every mismatch is listed in the error, one per line. `kept` is a chain
/// hash seen in an earlier copy: the seal chain must still contain it, or history was
/// rewritten.
pub fn verify(dir: &Path, kept: Option<&str>) -> Result<Verified> {
    verify_with(&VerifyOptions {
        dir,
        kept,
        key: None,
        source: None,
        releases: None,
    })
}

/// Checks a copy: the signature first (with a key), then every file, the seal chain and
/// the canonical weeks, then (with sources) the rebuild. Every problem is listed in the
/// error, one per line, the signature's first.
pub fn verify_with(options: &VerifyOptions) -> Result<Verified> {
    let (dir, kept) = (options.dir, options.kept);
    if let Some(kept) = kept
        && !is_digest(kept)
    {
        return Err(Error::Usage(format!(
            "--chain {kept:?} is not a SHA-256 in lowercase hex (64 characters)"
        )));
    }
    let mut problems = Vec::new();
    let (manifest, signed_by) = read_manifest(options, &mut problems)?;
    let found = read_tree(dir)?;
    problems.extend(check_files(&manifest, &found));
    let (seals, chains) = match found.get(SEALS_FILE) {
        Some(bytes) => check_seals(&manifest, bytes, &found, &mut problems),
        None => (0, Vec::new()),
    };
    let head = chain_head(&manifest, &chains);
    if let Some(kept) = lost(kept, &chains) {
        problems.push(format!(
            "seals: the chain hash {kept} is not in this copy's seal chain: \
             sealed history was rewritten or dropped since it was seen"
        ));
    }
    let is_release = match options.releases {
        Some(releases) => identify_release(releases, &found, &mut problems)?,
        None => None,
    };
    let rebuilt = match options.source {
        Some(source) => Some(compare_with_rebuild(source, &found, &mut problems)?),
        None => None,
    };
    if problems.is_empty() {
        Ok(Verified {
            files: manifest.files.len(),
            generator: manifest.generator,
            seals,
            head,
            release: manifest.release,
            signed_by,
            rebuilt,
            is_release,
        })
    } else {
        let n = problems.len();
        problems.push(format!(
            "{n} mismatch{} in {}",
            if n == 1 { "" } else { "es" },
            dir.display()
        ));
        Err(Error::Verify(problems.join("\n")))
    }
}

/// What a partial copy (a federation's copy of a member's `data/`) holds when it checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialCopy {
    /// The last chain hash of its seal chain.
    pub head: String,
    /// Every chain hash of its seal chain, oldest first.
    pub chains: Vec<String>,
}

/// Checks a partial copy as [`verify`] checks a whole one: every file in `found` must
/// have the digest `manifest` gives it, each of `required` must be there, the seal
/// chain of `data/seals.json` is recomputed and each canonical week file present is
/// checked against its public digest (`found` may hold the manifest too: it is not
/// checked against itself); `kept` (the head seen at an earlier fetch) must
/// still be in the chain. Every problem is listed, one per entry.
pub fn check_partial(
    manifest: &[u8],
    found: &BTreeMap<String, Vec<u8>>,
    required: &[&str],
    kept: Option<&str>,
) -> std::result::Result<PartialCopy, Vec<String>> {
    let manifest: Manifest = serde_json::from_slice(manifest)
        .map_err(|e| vec![format!("{MANIFEST_FILE}: not a tally manifest: {e}")])?;
    let mut problems = Vec::new();
    for path in required {
        if !manifest.files.contains_key(*path) {
            problems.push(format!(
                "missing: {MANIFEST_FILE} lists no {path} (a site built by an older tally, or not a tally site)"
            ));
        } else if !found.contains_key(*path) {
            problems.push(format!("missing: {path}"));
        }
    }
    for (path, bytes) in found.iter().filter(|(p, _)| p.as_str() != MANIFEST_FILE) {
        match manifest.files.get(path) {
            Some(expected) => {
                let actual = sha256_hex(bytes);
                if &actual != expected {
                    problems.push(format!(
                        "changed: {path}: expected sha256 {expected}, found {actual}"
                    ));
                }
            }
            None => problems.push(format!("unexpected: {path} is not in the manifest")),
        }
    }
    let (_, chains) = match found.get(SEALS_FILE) {
        Some(bytes) => check_seals(&manifest, bytes, found, &mut problems),
        None => (0, Vec::new()),
    };
    let head = chain_head(&manifest, &chains);
    if let Some(kept) = lost(kept, &chains) {
        problems.push(format!(
            "seals: the chain hash {kept} recorded at the last fetch is not in the seal chain: \
             sealed history was rewritten or dropped since"
        ));
    }
    if problems.is_empty() {
        Ok(PartialCopy { head, chains })
    } else {
        Err(problems)
    }
}

/// The copy's seal chain head: its last chain hash, or the manifest's when it has no
/// seals file.
fn chain_head(manifest: &Manifest, chains: &[String]) -> String {
    chains
        .last()
        .cloned()
        .unwrap_or_else(|| manifest.seal_chain.clone())
}

/// `kept`, a chain hash seen earlier, when the copy's chain no longer holds it.
fn lost<'a>(kept: Option<&'a str>, chains: &[String]) -> Option<&'a str> {
    kept.filter(|kept| *kept != CHAIN_START && !chains.iter().any(|c| c == kept))
}

/// Changed, missing and unexpected files, in path order.
fn check_files(manifest: &Manifest, found: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut paths: Vec<&String> = manifest.files.keys().chain(found.keys()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        // Release archives are not in the manifest, which they hold (see
        // `release::archive_path`).
        if path == MANIFEST_FILE || path == SIGNATURE_FILE || crate::release::is_archive_path(path)
        {
            continue;
        }
        match (manifest.files.get(path), found.get(path)) {
            (Some(expected), Some(bytes)) => {
                let actual = sha256_hex(bytes);
                if &actual != expected {
                    problems.push(format!(
                        "changed: {path}: expected sha256 {expected}, found {actual}"
                    ));
                }
            }
            (Some(_), None) => problems.push(format!("missing: {path}")),
            (None, Some(_)) => problems.push(format!("unexpected: {path} is not in the manifest")),
            (None, None) => {}
        }
    }
    problems
}

/// The chain of `data/seals.json` recomputed link by link, its head against the
/// manifest, and each week's canonical file against its public digest. Returns the
/// number of seals and their chain hashes, in order.
fn check_seals(
    manifest: &Manifest,
    bytes: &[u8],
    found: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) -> (usize, Vec<String>) {
    let file: SealsFile = match serde_json::from_slice(bytes) {
        Ok(file) => file,
        Err(e) => {
            problems.push(format!("seals: {SEALS_FILE} cannot be read: {e}"));
            return (0, Vec::new());
        }
    };
    let mut previous = file.chain_start.clone();
    for seal in &file.seals {
        let expected = chain(&previous, &seal.digest);
        if seal.chain != expected {
            problems.push(format!(
                "seals: {} in {SEALS_FILE}: chain {} should be {expected} \
                 (SHA-256 of the previous chain and the digest)",
                seal.week, seal.chain
            ));
        }
        previous = seal.chain.clone();
    }
    if previous != file.head {
        problems.push(format!(
            "seals: {SEALS_FILE}: head {} is not the last chain hash {previous}",
            file.head
        ));
    }
    if file.head != manifest.seal_chain {
        problems.push(format!(
            "seals: {MANIFEST_FILE} names the seal chain {}, {SEALS_FILE} ends at {}",
            manifest.seal_chain, file.head
        ));
    }
    for week in &file.weeks {
        if let Some(bytes) = found.get(&week.canonical) {
            let actual = sha256_hex(bytes);
            if actual != week.public_digest {
                problems.push(format!(
                    "seals: {}: public digest {} in {SEALS_FILE}, but {} hashes to {actual}",
                    week.week, week.public_digest, week.canonical
                ));
            }
        }
        // A sealed week's rows are those of its latest entry.
        let latest = file.seals.iter().rev().find(|s| s.week == week.week);
        if let (Some(seal), "sealed") = (latest, week.state.as_str()) {
            sealed_mismatch(week, seal, problems);
        }
    }
    let chains = file.seals.iter().map(|s| s.chain.clone()).collect();
    (file.seals.len(), chains)
}

/// A week marked sealed whose digests differ from its entry's: each digest that
/// differs named once, with both values.
fn sealed_mismatch(week: &WeekRecord, seal: &SealRecord, problems: &mut Vec<String>) {
    for (what, sealed, now) in [
        ("digest", &seal.digest, &week.digest),
        ("public digest", &seal.public_digest, &week.public_digest),
    ] {
        if sealed != now {
            problems.push(format!(
                "seals: {} is marked sealed with {what} {sealed}, but {SEALS_FILE} gives its rows the {what} {now}",
                week.week
            ));
        }
    }
}

/// The copy's `manifest.json`, and the signing key's id when a public key was given and
/// the signature verifies (when it does not, that is one of `problems`).
fn read_manifest(
    options: &VerifyOptions,
    problems: &mut Vec<String>,
) -> Result<(Manifest, Option<String>)> {
    let manifest_path = options.dir.join(MANIFEST_FILE);
    let text = std::fs::read(&manifest_path).map_err(|e| Error::io("read", &manifest_path, e))?;
    let signed_by = options
        .key
        .and_then(|key| check_signature(options.dir, &text, key, problems));
    match serde_json::from_slice(&text) {
        Ok(manifest) => Ok((manifest, signed_by)),
        Err(e) => {
            problems.push(format!(
                "{}: not a tally manifest: {e}",
                manifest_path.display()
            ));
            Err(Error::Verify(problems.join("\n")))
        }
    }
}

/// Checks `manifest.json.minisig` against the manifest's bytes with `key`; the key's id
/// when it verifies, else a problem saying plainly what is wrong.
fn check_signature(
    dir: &Path,
    manifest: &[u8],
    key: &PublicKey,
    problems: &mut Vec<String>,
) -> Option<String> {
    let path = dir.join(SIGNATURE_FILE);
    let signature = match std::fs::read_to_string(&path) {
        Ok(signature) => signature,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(format!(
                "signature: {SIGNATURE_FILE} is missing: this copy is not signed, so nothing \
                 shows that its manifest is the one key {} signed",
                key.id()
            ));
            return None;
        }
        Err(e) => {
            problems.push(format!("signature: cannot read {}: {e}", path.display()));
            return None;
        }
    };
    match crate::signing::verify(manifest, &signature, key) {
        Ok(()) => Some(key.id()),
        Err(why) => {
            problems.push(format!("signature: BAD SIGNATURE: {why}"));
            None
        }
    }
}

/// The release whose manifest lists exactly the copy's files; else a problem naming
/// the nearest release and the files that differ from it.
fn identify_release(
    releases: &Path,
    found: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) -> Result<Option<String>> {
    let digests = found
        .iter()
        .filter(|(path, _)| *path != MANIFEST_FILE && *path != SIGNATURE_FILE)
        .map(|(path, bytes)| (path.clone(), sha256_hex(bytes)))
        .collect();
    match crate::release::identify(releases, &digests)? {
        Some((version, differ)) if differ.is_empty() => Ok(Some(version)),
        Some((version, differ)) => {
            problems.push(format!(
                "release: this copy is no release of {}; the nearest is release {version}, \
                 from which {} file{} differ: {}",
                releases.display(),
                differ.len(),
                if differ.len() == 1 { "" } else { "s" },
                differ.join(", ")
            ));
            Ok(None)
        }
        None => {
            problems.push(format!(
                "release: {} holds no release manifests (releases/<version>.json or \
                 releases/<version>/manifest.json)",
                releases.display()
            ));
            Ok(None)
        }
    }
}

/// Rebuilds the site at `source` in memory and compares every file with the copy's,
/// byte for byte (all but the signature, which needs the secret key). Returns the
/// number of files compared.
fn compare_with_rebuild(
    source: &Path,
    found: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) -> Result<usize> {
    let (_, rebuilt) = crate::render_site(source, None)?;
    let rebuilt: BTreeMap<&str, &[u8]> = rebuilt
        .iter()
        .map(|f| (f.path.as_str(), &*f.bytes))
        .collect();
    let mut paths: Vec<&str> = rebuilt
        .keys()
        .copied()
        .chain(found.keys().map(String::as_str))
        .filter(|p| *p != SIGNATURE_FILE)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let from = source.display();
    for path in &paths {
        match (rebuilt.get(path), found.get(*path)) {
            (Some(expected), Some(bytes)) if *expected != bytes.as_slice() => {
                problems.push(format!("source: {path} differs from the rebuild of {from}"))
            }
            (Some(_), None) => problems.push(format!(
                "source: {path} is in the rebuild of {from} but not in the copy"
            )),
            (None, Some(_)) => problems.push(format!(
                "source: {path} is in the copy but not in the rebuild of {from}"
            )),
            _ => {}
        }
    }
    Ok(paths.len())
}

/// Every file under `dir` by its `/`-separated relative path.
fn read_tree(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io("read", &path, e.into())
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = crate::paths::slash_path(dir, entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        files.insert(rel, bytes);
    }
    Ok(files)
}
