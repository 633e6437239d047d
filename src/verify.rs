//! `tally verify DIR`: checks a downloaded copy of a published site against its
//! `manifest.json` (every file's SHA-256, no file missing, no file added) and its seal
//! chain (`data/seals.json`, the canonical week files). Reads only; writes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use crate::digest::sha256_hex;
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};
use crate::model::seal::{CHAIN_START, chain, is_digest};
use crate::render::seals::{SEALS_FILE, SealsFile};

/// What a copy holds when everything matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub files: usize,
    pub generator: String,
    pub seals: usize,
    pub head: String,
}

/// Checks `dir`; every mismatch is listed in the error, one per line. `kept` is a chain
/// hash seen in an earlier copy: the seal chain must still contain it, or history was
/// rewritten.
pub fn verify(dir: &Path, kept: Option<&str>) -> Result<Verified> {
    if let Some(kept) = kept
        && !is_digest(kept)
    {
        return Err(Error::Usage(format!(
            "--chain {kept:?} is not a SHA-256 in lowercase hex (64 characters)"
        )));
    }
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = std::fs::read(&manifest_path).map_err(|e| Error::io("read", &manifest_path, e))?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        Error::Verify(format!(
            "{}: not a tally manifest: {e}",
            manifest_path.display()
        ))
    })?;
    let found = read_tree(dir)?;
    let mut problems = check_files(&manifest, &found);
    let (seals, chains) = match found.get(SEALS_FILE) {
        Some(bytes) => check_seals(&manifest, bytes, &found, &mut problems),
        None => (0, Vec::new()),
    };
    let head = chains
        .last()
        .cloned()
        .unwrap_or_else(|| manifest.seal_chain.clone());
    if let Some(kept) = kept
        && kept != CHAIN_START
        && !chains.iter().any(|c| c == kept)
    {
        problems.push(format!(
            "seals: the chain hash {kept} is not in this copy's seal chain: \
             sealed history was rewritten or dropped since it was seen"
        ));
    }
    if problems.is_empty() {
        Ok(Verified {
            files: manifest.files.len(),
            generator: manifest.generator,
            seals,
            head,
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

/// Changed, missing and unexpected files, in path order.
fn check_files(manifest: &Manifest, found: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut paths: Vec<&String> = manifest.files.keys().chain(found.keys()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        if path == MANIFEST_FILE {
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
        if let (Some(seal), "sealed") = (latest, week.state.as_str())
            && (seal.digest != week.digest || seal.public_digest != week.public_digest)
        {
            problems.push(format!(
                "seals: {} is marked sealed with digest {}, but {SEALS_FILE} gives its rows as {}",
                week.week, seal.digest, week.digest
            ));
        }
    }
    let chains = file.seals.iter().map(|s| s.chain.clone()).collect();
    (file.seals.len(), chains)
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
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        files.insert(rel, bytes);
    }
    Ok(files)
}
