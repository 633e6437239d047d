//! The digest of a site's inputs, written into `/manifest.json`: every source file of
//! the site, listed as `sha256sum` lists files and hashed again, so that anyone can
//! recompute it from a checkout of the site (the recipe is in the README).

use std::path::Path;

use super::FileCache;
use crate::digest::sha256_hex;
use crate::error::{Diagnostics, Error, Result};

/// The files and folders whose files are the site's inputs.
pub const INPUT_ROOTS: &[&str] = &[
    "tally.toml",
    "tally.lock",
    "content",
    "data",
    "templates",
    "static",
    "themes",
];

/// One line per input file, sorted by path (bytes), exactly as
/// `find … -type f ! -name '.*' ! -path data/seal.key | LC_ALL=C sort | xargs -d '\n' sha256sum`
/// prints them: `<sha256>  <path>\n`. Files whose name starts with a dot are left out,
/// and so is the seal key: the published digest of the inputs depends on nothing secret,
/// and sources shared without the key give the same digest.
pub fn listing(site: &Path) -> Result<String> {
    listing_with(site, &FileCache::disabled())
}

/// The SHA-256 of one input file, as remembered in a [`FileCache`].
#[derive(Debug, Clone)]
struct InputDigest(String);

/// [`listing`], hashing only the files that `cache` does not hold (`tally serve`), whose
/// folder listings it keeps too.
pub fn listing_with(site: &Path, cache: &FileCache) -> Result<String> {
    let mut listings = Vec::new();
    for root in INPUT_ROOTS {
        let start = site.join(root);
        if !start.exists() {
            continue;
        }
        let mut problems = Diagnostics::default();
        let listed = cache.files(&start, "", &mut problems);
        if !problems.is_empty() {
            // Walk again to report the failure as it is.
            walk(&start)?;
            let changing = std::io::Error::other("the folder changed while it was read");
            return Err(Error::io("read", &start, changing));
        }
        listings.push(listed);
    }
    let mut files: Vec<(String, &Path)> = Vec::new();
    for path in listings.iter().flat_map(|listed| listed.iter()) {
        let rel = path.strip_prefix(site).unwrap_or(path);
        let rel = if cfg!(windows) {
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        } else {
            rel.to_string_lossy().into_owned()
        };
        if rel != crate::load::seal::KEY_FILE {
            files.push((rel, path));
        }
    }
    files.sort_unstable();
    let mut text = String::with_capacity(files.len() * 120);
    for (rel, path) in files {
        let mut failure = None;
        let digest = cache.parse(path, &mut Diagnostics::default(), |_| {
            match std::fs::read(path) {
                Ok(bytes) => Some(InputDigest(sha256_hex(&bytes))),
                Err(e) => {
                    failure = Some(e);
                    None
                }
            }
        });
        let Some(InputDigest(digest)) = digest else {
            // Do not remember the failure: the next build reads the file again.
            cache.forget(path);
            let e = failure.unwrap_or_else(|| std::io::Error::other("unreadable"));
            return Err(Error::io("read", path, e));
        };
        text.push_str(&digest);
        text.push_str("  ");
        text.push_str(&rel);
        text.push('\n');
    }
    Ok(text)
}

/// Every file under `start` (or `start` itself), failing on the first that cannot be read.
fn walk(start: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(start) {
        entry.map_err(|e| {
            let path = e.path().unwrap_or(start).to_path_buf();
            Error::io("read", &path, e.into())
        })?;
    }
    Ok(())
}

/// SHA-256 of [`listing`].
pub fn digest(site: &Path) -> Result<String> {
    Ok(sha256_hex(listing(site)?.as_bytes()))
}

/// [`digest`], hashing only the files that `cache` does not hold (`tally serve`).
pub fn digest_with(site: &Path, cache: &FileCache) -> Result<String> {
    Ok(sha256_hex(listing_with(site, cache)?.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_is_sorted_by_path_and_skips_hidden_files_and_the_output() {
        let site = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = site.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("tally.toml", "abc");
        write("content/pages/a/b.md", "x");
        write("content/pages/a.md", "y");
        write("content/.hidden", "z");
        write("public/index.html", "out");
        write("data/seal.key", "secret");
        let listing = listing(site.path()).unwrap();
        let paths: Vec<&str> = listing.lines().map(|l| &l[66..]).collect();
        assert_eq!(
            paths,
            ["content/pages/a.md", "content/pages/a/b.md", "tally.toml"]
        );
        assert!(listing.ends_with(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  tally.toml\n"
        ));
        let before = digest(site.path()).unwrap();
        write("data/ledger/x.csv", "date\n");
        assert_ne!(digest(site.path()).unwrap(), before);
    }
}
