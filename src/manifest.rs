//! `/manifest.json`: the SHA-256 of every output file (sorted by path), the tally version,
//! the release (`version` in `tally.toml`), the seal chain head and the digest of the
//! inputs, so that a downloaded copy of a site can be checked file
//! by file (`tally verify`, or `sha256sum` by hand). Built after every other file is known;
//! the manifest does not list itself, nor its signature (`manifest.json.minisig`), which
//! binds all of it. No file I/O here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::render::OutputFile;
use crate::signing::SIGNATURE_FILE;

pub const MANIFEST_FILE: &str = "manifest.json";

/// What the manifest says of the whole site besides its files.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// The release label (`version` in `tally.toml`).
    pub release: Option<&'a str>,
    /// The digest of the site's sources.
    pub inputs: &'a str,
    /// The last chain hash of `tally.lock`.
    pub seal_chain: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `tally <version>`.
    pub generator: String,
    /// The release label (`version` in `tally.toml`), if any.
    #[serde(default)]
    pub release: Option<String>,
    /// The digest of the site's sources (see [`crate::load::inputs`]).
    pub inputs: String,
    /// The last chain hash of `tally.lock` (64 zeros when nothing is sealed).
    pub seal_chain: String,
    /// Output path (`/`-separated, relative to the site root) → SHA-256 in lowercase hex.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest of `files` (any file already at `manifest.json` is left out).
    pub fn of(files: &[OutputFile], head: &Head) -> Manifest {
        use rayon::prelude::*;
        // Each file is hashed on its own: on every core at once.
        let digests: Vec<(String, String)> = files
            .par_iter()
            .map(|f| (f.path.clone(), f.sha256_hex()))
            .collect();
        let digests = digests.into_iter().collect();
        Manifest::from_digests(digests, head)
    }

    /// The manifest of files whose SHA-256 digests are already known (path → digest);
    /// `tally serve` hashes only the files that changed.
    pub fn from_digests(mut digests: BTreeMap<String, String>, head: &Head) -> Manifest {
        digests.remove(MANIFEST_FILE);
        digests.remove(SIGNATURE_FILE);
        Manifest {
            generator: format!("tally {}", env!("CARGO_PKG_VERSION")),
            release: head.release.map(str::to_string),
            inputs: head.inputs.to_string(),
            seal_chain: head.seal_chain.to_string(),
            files: digests,
        }
    }

    /// Pretty JSON with a final newline; keys in a fixed order, files sorted by path.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).unwrap_or_default();
        json.push('\n');
        json
    }

    /// The JSON of [`Manifest::from_digests`] for `digests` (path, SHA-256), which
    /// must be sorted by path and must not hold the manifest itself, written straight
    /// from them (`tally serve`, on every rebuild): the same bytes as [`Self::to_json`].
    pub fn json_of_digests<'a>(
        digests: impl Iterator<Item = (&'a str, &'a str)>,
        head: &Head,
    ) -> String {
        let files = digests.size_hint().1.unwrap_or(0);
        let mut json = Vec::with_capacity(300 + files * 120);
        let generator = format!("tally {}", env!("CARGO_PKG_VERSION"));
        json.extend_from_slice(b"{\n  \"generator\": ");
        push_json_string(&mut json, &generator);
        json.extend_from_slice(b",\n  \"release\": ");
        match head.release {
            Some(release) => push_json_string(&mut json, release),
            None => json.extend_from_slice(b"null"),
        }
        json.extend_from_slice(b",\n  \"inputs\": ");
        push_json_string(&mut json, head.inputs);
        json.extend_from_slice(b",\n  \"seal_chain\": ");
        push_json_string(&mut json, head.seal_chain);
        json.extend_from_slice(b",\n  \"files\": {");
        let mut any = false;
        for (path, digest) in digests {
            json.extend_from_slice(if any { b",\n    " } else { b"\n    " });
            push_json_string(&mut json, path);
            json.extend_from_slice(b": ");
            push_json_string(&mut json, digest);
            any = true;
        }
        json.extend_from_slice(if any { b"\n  }\n}\n" } else { b"}\n}\n" });
        String::from_utf8(json).unwrap_or_default()
    }
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
fn push_json_string(json: &mut Vec<u8>, text: &str) {
    if serde_json::to_writer(&mut *json, text).is_err() {
        json.extend_from_slice(b"\"\"");
    }
}

/// Adds `manifest.json` to the rendered files, replacing any file of that name, and
/// keeps them sorted by path.
pub fn add(mut files: Vec<OutputFile>, head: &Head) -> Vec<OutputFile> {
    files.retain(|f| f.path != MANIFEST_FILE && f.path != SIGNATURE_FILE);
    let manifest = Manifest::of(&files, head);
    files.push(OutputFile::new(MANIFEST_FILE, manifest.to_json()));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;

    #[test]
    fn the_manifest_of_known_digests_is_the_manifest_of_the_files() {
        let none: Vec<OutputFile> = Vec::new();
        let odd = vec![
            OutputFile::new("a \"quoted\" \\ name\u{1}.css", "abc"),
            OutputFile::new("b/index.html", "b"),
            OutputFile::new("ü/ß.txt", "x"),
        ];
        for files in [none, odd] {
            let digests: Vec<(String, String)> = files
                .iter()
                .map(|f| (f.path.clone(), sha256_hex(&f.bytes)))
                .collect();
            let borrowed = digests.iter().map(|(p, d)| (p.as_str(), d.as_str()));
            for release in [None, Some("2026.\"48")] {
                let head = Head {
                    release,
                    inputs: "in\"puts",
                    seal_chain: "chain",
                };
                assert_eq!(
                    Manifest::json_of_digests(borrowed.clone(), &head),
                    Manifest::of(&files, &head).to_json()
                );
            }
        }
    }

    #[test]
    fn the_manifest_lists_every_file_but_itself_sorted() {
        let files = vec![
            OutputFile::new("b/index.html", "b"),
            OutputFile::new("a.css", "abc"),
            OutputFile::new(MANIFEST_FILE, "stale"),
        ];
        let head = Head {
            release: Some("2026.48"),
            inputs: "inputs",
            seal_chain: "chain",
        };
        let files = add(files, &head);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.css", "b/index.html", MANIFEST_FILE]);
        let manifest: Manifest = serde_json::from_slice(&files[2].bytes).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert_eq!(
            manifest.files["a.css"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(manifest.inputs, "inputs");
        assert_eq!(manifest.seal_chain, "chain");
        assert_eq!(manifest.release.as_deref(), Some("2026.48"));
        assert_eq!(
            manifest.generator,
            format!("tally {}", env!("CARGO_PKG_VERSION"))
        );
        let text = String::from_utf8(files[2].bytes.to_vec()).unwrap();
        assert!(text.find("\"a.css\"") < text.find("\"b/index.html\""));
    }
}
