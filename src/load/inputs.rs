//! The digest of a site's inputs, written into `/manifest.json`: every source file of
//! the site, listed as `sha256sum` lists files and hashed again, so that anyone can
//! recompute it from a checkout of the site (the recipe is in the README).
//!
//! `tally serve` keeps the listing between builds ([`Memo`], held by the [`FileCache`]):
//! a rebuild hashes again only the files forgotten since ([`FileCache::forget`]) and
//! lists the files again only when a folder listing changed, so that saving one file of
//! a large site does not walk all of them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Length of a SHA-256 in hex.
const HEX_LEN: usize = 64;

/// One line per input file, sorted by path (bytes), exactly as
/// `find … -type f ! -name '.*' ! -path data/seal.key | LC_ALL=C sort | xargs -d '\n' sha256sum`
/// prints them: `<sha256>  <path>\n`. Files whose name starts with a dot are left out,
/// and so is the seal key: the published digest of the inputs depends on nothing secret,
/// and sources shared without the key give the same digest.
pub fn listing(site: &Path) -> Result<String> {
    let cache = FileCache::disabled();
    let roots = root_listings(site, &cache)?;
    let inputs = inputs_of(site, &roots, |_, path| hash_file(path))?;
    Ok(text_of(&inputs))
}

/// SHA-256 of [`listing`].
pub fn digest(site: &Path) -> Result<String> {
    Ok(sha256_hex(listing(site)?.as_bytes()))
}

/// [`digest`], hashing only the files that `cache` was told changed since the last call
/// ([`FileCache::forget`]) and listing the files again only when a folder listing of
/// the cache changed (`tally serve`). A disabled cache makes it [`digest`].
pub fn digest_with(site: &Path, cache: &FileCache) -> Result<String> {
    let Some(mut memo) = cache.inputs_memo() else {
        return digest(site);
    };
    let roots = root_listings(site, cache)?;
    if let Some(kept) = memo
        .as_mut()
        .filter(|m| m.site == site && same_listings(&m.roots, &roots))
    {
        // The same files as last time: hash again the ones that changed.
        kept.refresh(site)?;
        return Ok(kept.digest.clone());
    }
    // Files were added or removed: list them again, keeping the digests of the files
    // not changed since. Until this succeeds, the memo stays as it was.
    let old = memo.as_ref().filter(|m| m.site == site);
    let stale: Vec<String> = old
        .iter()
        .flat_map(|m| m.stale.iter().filter_map(|p| relative(site, p)))
        .collect();
    let mut reusable = old.map(|m| m.inputs.iter().peekable());
    let inputs = inputs_of(site, &roots, |rel, path| {
        if let Some(old) = reusable.as_mut() {
            // Both lists are sorted by `rel`: walk the old one along.
            while old.next_if(|o| o.rel.as_str() < rel).is_some() {}
            if let Some(o) = old.next_if(|o| o.rel == rel)
                && !stale.iter().any(|s| is_within(rel, s))
            {
                return Ok(o.digest.clone());
            }
        }
        hash_file(path)
    })?;
    let made = Memo::new(site, roots, inputs);
    let digest = made.digest.clone();
    *memo = Some(made);
    Ok(digest)
}

/// Whether two sets of folder listings list the same files (the same listings, when
/// nothing changed).
fn same_listings(a: &[Option<Arc<[PathBuf]>>], b: &[Option<Arc<[PathBuf]>>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        })
}

/// The folder listings of the input roots, in the order of [`INPUT_ROOTS`] (`None`: no
/// such file or folder), from `cache`.
fn root_listings(site: &Path, cache: &FileCache) -> Result<Vec<Option<Arc<[PathBuf]>>>> {
    let mut roots = Vec::with_capacity(INPUT_ROOTS.len());
    for root in INPUT_ROOTS {
        let start = site.join(root);
        if !start.exists() {
            roots.push(None);
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
        roots.push(Some(listed));
    }
    Ok(roots)
}

/// One input file: its path as the listing shows it, where it is, and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Input {
    rel: String,
    path: PathBuf,
    digest: String,
}

/// The input files of `roots` sorted by their path as listed, each with the digest
/// `digest_of` gives it (given the listed path and the file's own, in that order).
fn inputs_of(
    site: &Path,
    roots: &[Option<Arc<[PathBuf]>>],
    mut digest_of: impl FnMut(&str, &Path) -> Result<String>,
) -> Result<Vec<Input>> {
    let mut files: Vec<(String, &Path)> = Vec::new();
    for path in roots.iter().flatten().flat_map(|listed| listed.iter()) {
        let rel = relative(site, path).unwrap_or_else(|| path.to_string_lossy().into_owned());
        if rel != crate::load::seal::KEY_FILE {
            files.push((rel, path));
        }
    }
    files.sort_unstable();
    let mut inputs = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let digest = digest_of(&rel, path)?;
        inputs.push(Input {
            rel,
            path: path.to_path_buf(),
            digest,
        });
    }
    Ok(inputs)
}

/// The listing of `inputs`: `<sha256>  <path>\n` each.
fn text_of(inputs: &[Input]) -> String {
    let mut text = String::with_capacity(inputs.iter().map(|i| HEX_LEN + 3 + i.rel.len()).sum());
    for input in inputs {
        text.push_str(&input.digest);
        text.push_str("  ");
        text.push_str(&input.rel);
        text.push('\n');
    }
    text
}

/// `path` as the listing shows it: relative to `site`, separated by `/`; `None` when it
/// is not inside `site`.
fn relative(site: &Path, path: &Path) -> Option<String> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let base = site.as_os_str().as_encoded_bytes();
    if !cfg!(windows)
        && let Some(rest) = bytes.strip_prefix(base).and_then(|r| r.strip_prefix(b"/"))
        && plain(base, rest)
    {
        // The common case, without taking the path apart: `site`, a slash, the rest.
        return Some(String::from_utf8_lossy(rest).into_owned());
    }
    let rel = path.strip_prefix(site).ok()?;
    Some(if cfg!(windows) {
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    } else {
        rel.to_string_lossy().into_owned()
    })
}

/// Whether the path `base/rest` is relative to `base` exactly as its bytes read, with
/// no separator or `.` at either end of `rest` to be dropped ([`Path::strip_prefix`]).
fn plain(base: &[u8], rest: &[u8]) -> bool {
    let dot_or_slash = |c: Option<&u8>| matches!(c, Some(b'.' | b'/'));
    !base.is_empty()
        && !dot_or_slash(base.last())
        && !rest.is_empty()
        && !dot_or_slash(rest.first())
        && !dot_or_slash(rest.last())
}

/// Whether the listed path `rel` is `within` or inside the folder `within`.
fn is_within(rel: &str, within: &str) -> bool {
    within.is_empty()
        || rel
            .strip_prefix(within)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The SHA-256 of the file at `path`.
fn hash_file(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    Ok(sha256_hex(&bytes))
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

/// The listing of a site's inputs kept between builds by a [`FileCache`].
#[derive(Debug)]
pub(super) struct Memo {
    site: PathBuf,
    /// The folder listings the inputs were taken from: while the cache hands out the
    /// same ones, the same files are the inputs.
    roots: Vec<Option<Arc<[PathBuf]>>>,
    /// Sorted by `rel`.
    inputs: Vec<Input>,
    /// The listing; input `i`'s digest starts at `at[i]`.
    text: String,
    at: Vec<usize>,
    /// SHA-256 of `text`.
    digest: String,
    /// Files and folders changed since `text` was made, as given to [`FileCache::forget`].
    stale: Vec<PathBuf>,
}

impl Memo {
    fn new(site: &Path, roots: Vec<Option<Arc<[PathBuf]>>>, inputs: Vec<Input>) -> Memo {
        let text = text_of(&inputs);
        let mut at = Vec::with_capacity(inputs.len());
        let mut offset = 0;
        for input in &inputs {
            at.push(offset);
            offset += HEX_LEN + 3 + input.rel.len();
        }
        Memo {
            site: site.to_path_buf(),
            roots,
            digest: sha256_hex(text.as_bytes()),
            inputs,
            text,
            at,
            stale: Vec::new(),
        }
    }

    /// Remembers that `changed` (a file or a folder) changed.
    pub(super) fn forget(&mut self, changed: &Path) {
        self.stale.push(changed.to_path_buf());
    }

    /// Hashes again the inputs in a stale file or folder; the listing and its digest
    /// follow. On failure the same files are stale still, to be hashed again next time.
    fn refresh(&mut self, site: &Path) -> Result<()> {
        if self.stale.is_empty() {
            return Ok(());
        }
        for stale in &self.stale {
            let Some(rel) = relative(site, stale) else {
                continue;
            };
            // Sorted by `rel` as bytes: the file itself, then what a folder holds
            // (`rel/…`), with other names (`rel.md`, `rel-b`) possibly between.
            let exact = self.inputs.partition_point(|i| i.rel < rel);
            let mut folder = format!("{rel}/");
            if rel.is_empty() {
                folder.clear();
            }
            let from = self.inputs.partition_point(|i| i.rel < folder);
            let inside = (from..self.inputs.len())
                .take_while(|&i| self.inputs[i].rel.starts_with(&folder))
                .chain(
                    (exact < self.inputs.len() && self.inputs[exact].rel == rel).then_some(exact),
                );
            let indices: Vec<usize> = inside.collect();
            for i in indices {
                let digest = hash_file(&self.inputs[i].path)?;
                let at = self.at[i];
                self.text.replace_range(at..at + HEX_LEN, &digest);
                self.inputs[i].digest = digest;
            }
        }
        self.digest = sha256_hex(self.text.as_bytes());
        self.stale.clear();
        Ok(())
    }
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

    /// A site on disk, its files written through `write`.
    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(site.path(), rel, text);
        }
        site
    }

    fn write(site: &Path, rel: &str, text: &str) -> PathBuf {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_kept_digest_follows_changed_added_and_removed_files() {
        let site = site_with(&[
            ("tally.toml", "title = 'x'"),
            ("content/minutes/a.md", "a"),
            ("content/minutes/b.md", "b"),
            ("content/minutes/b/c.md", "c"),
            ("content/minutes/b-d.md", "d"),
            ("data/ledger/2026.csv", "date\n"),
            ("data/seal.key", "secret"),
        ]);
        let site = site.path();
        let cache = FileCache::new();
        let mut seen = vec![digest_with(site, &cache).unwrap()];
        assert_eq!(seen[0], digest(site).unwrap());
        // As `tally serve` does: write, tell the cache, build again.
        let saved = |changed: &Path, seen: &mut Vec<String>| {
            cache.forget(changed);
            let kept = digest_with(site, &cache).unwrap();
            assert_eq!(kept, digest(site).unwrap(), "after {}", changed.display());
            assert!(!seen.contains(&kept), "after {}", changed.display());
            seen.push(kept);
        };
        let b = write(site, "content/minutes/b.md", "b, amended");
        saved(&b, &mut seen);
        let c = write(site, "content/minutes/b/c.md", "c, amended");
        saved(&c, &mut seen);
        let added = write(site, "content/minutes/b/a.md", "new");
        saved(&added, &mut seen);
        let templates = write(site, "templates/minutes.html", "{{ x }}");
        saved(templates.parent().unwrap(), &mut seen);
        std::fs::remove_file(site.join("content/minutes/a.md")).unwrap();
        saved(&site.join("content/minutes/a.md"), &mut seen);
        // A file changed and another added, told in one folder.
        write(site, "content/minutes/b/c.md", "c, again");
        write(site, "content/minutes/b/e.md", "e");
        saved(&site.join("content/minutes/b"), &mut seen);
        std::fs::remove_dir_all(site.join("content/minutes/b")).unwrap();
        saved(&site.join("content/minutes/b"), &mut seen);

        // Neither a hidden file nor the seal key is an input.
        let before = seen.len();
        let hidden = write(site, "content/.draft.md", "x");
        cache.forget(&hidden);
        let key = write(site, "data/seal.key", "another secret");
        cache.forget(&key);
        assert_eq!(digest_with(site, &cache).unwrap(), seen[before - 1]);
        assert_eq!(digest(site).unwrap(), seen[before - 1]);
    }

    #[test]
    fn unchanged_files_are_not_read_again() {
        let site = site_with(&[("tally.toml", "a"), ("content/a.md", "a")]);
        let site = site.path();
        let cache = FileCache::new();
        let first = digest_with(site, &cache).unwrap();
        // Changed behind the cache's back: the kept digest is used.
        write(site, "content/a.md", "b");
        assert_eq!(digest_with(site, &cache).unwrap(), first);
        cache.forget(&site.join("content/a.md"));
        assert_eq!(digest_with(site, &cache).unwrap(), digest(site).unwrap());
        assert_ne!(digest(site).unwrap(), first);
        // Forgetting everything lists and hashes everything again.
        write(site, "content/a.md", "c");
        cache.clear();
        assert_eq!(digest_with(site, &cache).unwrap(), digest(site).unwrap());
    }

    #[test]
    fn a_file_that_cannot_be_read_is_hashed_again_next_time() {
        let site = site_with(&[("tally.toml", "a"), ("content/a.md", "a")]);
        let site = site.path();
        let cache = FileCache::new();
        digest_with(site, &cache).unwrap();
        // The file became a folder: the listing still names it until told of the
        // folder; reading it fails.
        let a = site.join("content/a.md");
        std::fs::remove_file(&a).unwrap();
        std::fs::create_dir(&a).unwrap();
        cache.inputs_memo().unwrap().as_mut().unwrap().forget(&a);
        assert!(digest_with(site, &cache).is_err());
        std::fs::remove_dir(&a).unwrap();
        std::fs::write(&a, "b").unwrap();
        assert_eq!(digest_with(site, &cache).unwrap(), digest(site).unwrap());
    }

    #[test]
    fn a_path_is_listed_relative_to_the_site_as_strip_prefix_makes_it() {
        let cases = [
            ("/s/site", "/s/site/content/a.md"),
            ("/s/site/", "/s/site/content/a.md"),
            ("/s/./site", "/s/./site/content/a.md"),
            ("/s/site", "/s/site//content/a.md"),
            ("/s/site", "/s/site/./content/a.md"),
            ("/s/site", "/s/site/content/a.md/"),
            ("site", "site/content/b.md"),
            ("/s/site", "/s/sites/content/a.md"),
            ("/s/site", "/s/site"),
        ];
        for (site, path) in cases {
            let (site, path) = (Path::new(site), Path::new(path));
            let expected = path.strip_prefix(site).ok().map(|rel| {
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            });
            assert_eq!(relative(site, path), expected, "{}", path.display());
        }
    }
}
