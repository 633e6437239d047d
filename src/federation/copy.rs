//! A member's copy under `data/members/<name>/`: which published files it holds, the
//! record of the last fetch (`fetched.toml`: source and seal chain head) and the check
//! both `tally fetch` and the build run on it (manifest digests, seal chain, the head
//! recorded at the last fetch). Reads files; writes only `fetched.toml` via [`Fetched::to_toml`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error, Result};
use crate::manifest::MANIFEST_FILE;
use crate::verify::{PartialCopy, check_partial};

/// Where fetched members live, under the federation site.
pub const MEMBERS_DIR: &str = "data/members";
/// The record of the last fetch, in a member's copy.
pub const FETCHED_FILE: &str = "fetched.toml";

pub const DATAPACKAGE: &str = "data/datapackage.json";
pub const WEEKLY: &str = "data/weekly.csv";
pub const LEDGER: &str = "data/ledger.csv";
pub const SEALS: &str = "data/seals.json";
pub const DECISIONS: &str = "data/decisions.csv";

/// The files a member must publish.
pub const REQUIRED: [&str; 4] = [DATAPACKAGE, WEEKLY, LEDGER, SEALS];

/// Whether the federation reads (and so fetches) a file of the member's manifest:
/// the required files, the decisions register and the canonical week files.
pub fn is_read(path: &str) -> bool {
    REQUIRED.contains(&path)
        || path == DECISIONS
        || (path.starts_with("data/canonical/") && path.ends_with(".txt") && !path.contains(".."))
}

/// `data/members/<name>` under the site.
pub fn member_dir(site: &Path, name: &str) -> PathBuf {
    site.join(MEMBERS_DIR).join(name)
}

/// `data/members/<name>/fetched.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fetched {
    /// The source as `tally.toml` gave it.
    pub source: String,
    /// The last chain hash of the member's seal chain at that fetch.
    pub seal_chain: String,
    /// How many files were fetched.
    pub files: usize,
}

impl Fetched {
    pub fn to_toml(&self) -> String {
        let mut text = String::from(
            "# Written by `tally fetch`: the member's seal chain must still hold this head at the next fetch.\n",
        );
        text.push_str(&toml::to_string(self).unwrap_or_default());
        text
    }

    /// The record in `dir`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<Fetched>> {
        let path = dir.join(FETCHED_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| Error::Input(vec![Diagnostic::new(path, e.to_string())]))
    }
}

/// Checks the files of a member's copy (`found`: path → bytes, the manifest among them)
/// against its manifest and seal chain, and `kept` against the chain.
pub fn check(
    found: &BTreeMap<String, Vec<u8>>,
    kept: Option<&str>,
) -> std::result::Result<PartialCopy, Vec<String>> {
    let Some(manifest) = found.get(MANIFEST_FILE) else {
        return Err(vec![format!("missing: {MANIFEST_FILE}")]);
    };
    check_partial(manifest, found, &REQUIRED, kept)
}

/// Reads the published files of the copy in `dir` (the manifest and the files the
/// federation reads), by their path in the member's site.
pub fn read(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut found = BTreeMap::new();
    let manifest = dir.join(MANIFEST_FILE);
    if manifest.is_file() {
        let bytes = std::fs::read(&manifest).map_err(|e| Error::io("read", &manifest, e))?;
        found.insert(MANIFEST_FILE.to_string(), bytes);
    }
    let data = dir.join("data");
    if !data.is_dir() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(&data).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io("read", &data, e.into()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::paths::slash_path(dir, entry.path());
        let bytes = std::fs::read(entry.path()).map_err(|e| Error::io("read", entry.path(), e))?;
        found.insert(rel, bytes);
    }
    Ok(found)
}

/// Each problem of a member's copy as a diagnostic naming the member and the file.
pub fn diagnostics(name: &str, problems: &[String]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| {
            let file = p
                .split_once(": ")
                .map(|(_, rest)| rest.split(':').next().unwrap_or(""))
                .filter(|f| is_read(f) || *f == MANIFEST_FILE)
                .unwrap_or("");
            let path = Path::new(MEMBERS_DIR).join(name).join(file);
            Diagnostic::new(path, format!("member {name}: {p}"))
        })
        .collect()
}
