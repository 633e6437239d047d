//! `/manifest.json`: the SHA-256 of every output file (sorted by path), the tally version
//! and the digest of the inputs, so that a downloaded copy of a site can be checked file
//! by file (`tally verify`, or `sha256sum` by hand). Built after every other file is known;
//! the manifest does not list itself. No file I/O here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::seal::sha256_hex;
use crate::render::OutputFile;

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `tally <version>`.
    pub generator: String,
    /// The digest of the site's sources (see [`crate::load::inputs`]).
    pub inputs: String,
    /// The last chain hash of `tally.lock` (64 zeros when nothing is sealed).
    pub seal_chain: String,
    /// Output path (`/`-separated, relative to the site root) → SHA-256 in lowercase hex.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest of `files` (any file already at `manifest.json` is left out).
    pub fn of(files: &[OutputFile], inputs: &str, seal_chain: &str) -> Manifest {
        let digests = files
            .iter()
            .map(|f| (f.path.clone(), sha256_hex(&f.bytes)))
            .collect();
        Manifest::from_digests(digests, inputs, seal_chain)
    }

    /// The manifest of files whose SHA-256 digests are already known (path → digest);
    /// `tally serve` hashes only the files that changed.
    pub fn from_digests(
        mut digests: BTreeMap<String, String>,
        inputs: &str,
        seal_chain: &str,
    ) -> Manifest {
        digests.remove(MANIFEST_FILE);
        Manifest {
            generator: format!("tally {}", env!("CARGO_PKG_VERSION")),
            inputs: inputs.to_string(),
            seal_chain: seal_chain.to_string(),
            files: digests,
        }
    }

    /// Pretty JSON with a final newline; keys in a fixed order, files sorted by path.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// The JSON of [`Manifest::from_digests`], made without copying `digests`, which
    /// must not hold the manifest itself (`tally serve`, on every rebuild).
    pub fn json_of_digests(
        digests: &BTreeMap<String, String>,
        inputs: &str,
        seal_chain: &str,
    ) -> String {
        /// [`Manifest`], borrowed: the same fields in the same order.
        #[derive(Serialize)]
        struct Borrowed<'a> {
            generator: String,
            inputs: &'a str,
            seal_chain: &'a str,
            files: &'a BTreeMap<String, String>,
        }
        let manifest = Borrowed {
            generator: format!("tally {}", env!("CARGO_PKG_VERSION")),
            inputs,
            seal_chain,
            files: digests,
        };
        let mut json = Vec::with_capacity(200 + digests.len() * 120);
        if serde_json::to_writer_pretty(&mut json, &manifest).is_err() {
            json.clear();
        }
        json.push(b'\n');
        String::from_utf8(json).unwrap_or_default()
    }
}

/// Adds `manifest.json` to the rendered files, replacing any file of that name, and
/// keeps them sorted by path.
pub fn add(mut files: Vec<OutputFile>, inputs: &str, seal_chain: &str) -> Vec<OutputFile> {
    files.retain(|f| f.path != MANIFEST_FILE);
    let manifest = Manifest::of(&files, inputs, seal_chain);
    files.push(OutputFile::new(MANIFEST_FILE, manifest.to_json()));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_of_known_digests_is_the_manifest_of_the_files() {
        let files = vec![
            OutputFile::new("a.css", "abc"),
            OutputFile::new("b/index.html", "b"),
        ];
        let digests: BTreeMap<String, String> = files
            .iter()
            .map(|f| (f.path.clone(), sha256_hex(&f.bytes)))
            .collect();
        assert_eq!(
            Manifest::json_of_digests(&digests, "in", "chain"),
            Manifest::of(&files, "in", "chain").to_json()
        );
    }

    #[test]
    fn the_manifest_lists_every_file_but_itself_sorted() {
        let files = vec![
            OutputFile::new("b/index.html", "b"),
            OutputFile::new("a.css", "abc"),
            OutputFile::new(MANIFEST_FILE, "stale"),
        ];
        let files = add(files, "inputs", "chain");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.css", "b/index.html", MANIFEST_FILE]);
        let manifest: Manifest = serde_json::from_slice(&files[2].bytes).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert_eq!(
            manifest.files["a.css"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(manifest.inputs, "inputs");
        assert_eq!(
            manifest.generator,
            format!("tally {}", env!("CARGO_PKG_VERSION"))
        );
        let text = String::from_utf8(files[2].bytes.to_vec()).unwrap();
        assert!(text.find("\"a.css\"") < text.find("\"b/index.html\""));
    }
}
