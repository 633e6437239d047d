//! Parsed source files kept between builds, so that a rebuild (`tally serve`) re-reads
//! and re-parses only the files that changed. Whoever owns the cache says what changed
//! ([`FileCache::forget`]); nothing here looks at the clock or at modification times.
//!
//! A loader asks [`FileCache::parse`] for a file's record and gives the function that
//! reads and parses it; the record and the problems found in it are remembered together,
//! so a broken file keeps reporting its problems until it changes.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::inputs::Memo as InputsMemo;
use crate::error::{Diagnostic, Diagnostics};

/// What one parse of one file produced: the record (if any) and its problems.
struct Parsed<T> {
    record: Option<T>,
    problems: Vec<Diagnostic>,
}

type Entry = Arc<dyn Any + Send + Sync>;

/// The files of a folder by folder and extension, sorted.
type Listings = HashMap<(PathBuf, String), Arc<[PathBuf]>>;

/// Records parsed from files, by file path and record type. A disabled cache (the one
/// `tally build` uses) remembers nothing.
#[derive(Default)]
pub struct FileCache {
    enabled: bool,
    /// By record type, then by the path's bytes (hashing a `Path` walks its components:
    /// slower), so that a look-up needs no copy of the path.
    entries: Mutex<HashMap<TypeId, HashMap<OsString, Entry>>>,
    /// The files of a folder ([`super::sorted_files`]) by folder and extension, kept up
    /// to date file by file by [`FileCache::forget`].
    listings: Mutex<Listings>,
    /// The listing of the site's inputs ([`super::inputs::digest_with`]), told what
    /// [`FileCache::forget`] is told.
    inputs: Mutex<Option<InputsMemo>>,
}

impl FileCache {
    /// A cache that remembers what it parses.
    pub fn new() -> FileCache {
        FileCache {
            enabled: true,
            entries: Mutex::default(),
            listings: Mutex::default(),
            inputs: Mutex::default(),
        }
    }

    /// A cache that parses every time (a one-off build).
    pub fn disabled() -> FileCache {
        FileCache::default()
    }

    /// Whether it remembers (`tally serve`) or parses every time (a one-off build).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The record parsed from `file`: remembered from an earlier call, or made now by
    /// `parse`, which reports the file's problems into the `Diagnostics` it is given.
    /// Either way the file's problems are added to `problems`.
    pub fn parse<T>(
        &self,
        file: &Path,
        problems: &mut Diagnostics,
        parse: impl FnOnce(&mut Diagnostics) -> Option<T>,
    ) -> Option<T>
    where
        T: Clone + Send + Sync + 'static,
    {
        if !self.enabled {
            return parse(problems);
        }
        self.parse_shared(file, problems, parse)
            .map(|record| T::clone(&record))
    }

    /// [`FileCache::parse`], handing out the remembered record itself rather than a
    /// copy: until `file` changes, every build gets the same [`Arc`], so what later
    /// stages derive from it can be kept by it (see [`crate::check::CheckCache`]).
    pub fn parse_shared<T>(
        &self,
        file: &Path,
        problems: &mut Diagnostics,
        parse: impl FnOnce(&mut Diagnostics) -> Option<T>,
    ) -> Option<Arc<T>>
    where
        T: Send + Sync + 'static,
    {
        if !self.enabled {
            return parse(problems).map(Arc::new);
        }
        let kind = TypeId::of::<T>();
        let remembered = self
            .lock()
            .get(&kind)
            .and_then(|files| files.get(file.as_os_str()))
            .cloned();
        if let Some(parsed) = remembered.and_then(|e| e.downcast::<Parsed<Arc<T>>>().ok()) {
            problems.extend(parsed.problems.iter().cloned());
            return parsed.record.clone();
        }
        let mut found = Diagnostics::default();
        let record = parse(&mut found).map(Arc::new);
        let parsed = Parsed {
            record: record.clone(),
            problems: found.0,
        };
        problems.extend(parsed.problems.iter().cloned());
        self.lock()
            .entry(kind)
            .or_default()
            .insert(file.as_os_str().to_os_string(), Arc::new(parsed));
        record
    }

    /// The files under `dir` ending in `.ext`, as [`super::sorted_files`] lists them:
    /// remembered from an earlier call (and kept up to date by [`FileCache::forget`]),
    /// or listed now.
    pub fn files(&self, dir: &Path, ext: &str, problems: &mut Diagnostics) -> Arc<[PathBuf]> {
        if !self.enabled {
            return super::sorted_files(dir, ext, problems).into();
        }
        let key = (dir.to_path_buf(), ext.to_string());
        if let Some(files) = self.listings().get(&key) {
            return Arc::clone(files);
        }
        let mut found = Diagnostics::default();
        let files: Arc<[PathBuf]> = super::sorted_files(dir, ext, &mut found).into();
        // A folder that could not be read whole is listed again next time.
        if found.is_empty() {
            self.listings().insert(key, Arc::clone(&files));
        }
        problems.extend(found.0);
        files
    }

    /// Drops what was parsed from `changed` and, if it is a folder, from every file in it.
    pub fn forget(&self, changed: &Path) {
        self.update_listings(changed);
        if let Some(inputs) = self.inputs_memo().as_mut().and_then(|m| m.as_mut()) {
            inputs.forget(changed);
        }
        let changed = changed.as_os_str().as_encoded_bytes();
        for files in self.lock().values_mut() {
            files.retain(|path, _| {
                let path = path.as_encoded_bytes();
                let inside = path.starts_with(changed)
                    && (path.len() == changed.len()
                        || changed.ends_with(b"/")
                        || path[changed.len()] == b'/'
                        || (cfg!(windows) && path[changed.len()] == b'\\'));
                !inside
            });
        }
    }

    /// Brings the listings holding `changed` up to date: a file is added or removed as
    /// it now is; a listing whose folder (or a folder in it) changed is dropped.
    fn update_listings(&self, changed: &Path) {
        let mut listings = self.listings();
        let now = std::fs::symlink_metadata(changed).ok();
        listings.retain(|(dir, ext), files| {
            if dir.starts_with(changed) {
                return false;
            }
            if !changed.starts_with(dir) {
                return true;
            }
            // Listings are sorted as paths compare (by component), so what was inside
            // `changed`, had it been a folder, comes right where `changed` would be.
            let at = files.binary_search_by(|f| f.as_path().cmp(changed));
            let was_folder = at
                .err()
                .and_then(|i| files.get(i))
                .is_some_and(|f| f.starts_with(changed));
            if was_folder || now.as_ref().is_some_and(|m| m.is_dir()) {
                return false;
            }
            let listed =
                now.as_ref().is_some_and(|m| m.is_file()) && super::is_listed(changed, ext);
            match (at, listed) {
                (Ok(i), false) => {
                    let mut kept = files.to_vec();
                    kept.remove(i);
                    *files = kept.into();
                }
                (Err(i), true) => {
                    let mut kept = files.to_vec();
                    kept.insert(i, changed.to_path_buf());
                    *files = kept.into();
                }
                _ => {}
            }
            true
        });
    }

    /// Drops everything (the configuration changed).
    pub fn clear(&self) {
        self.lock().clear();
        self.listings().clear();
        if let Some(mut inputs) = self.inputs_memo() {
            *inputs = None;
        }
    }

    /// Where [`super::inputs::digest_with`] keeps the listing of the inputs; `None` for a
    /// disabled cache, which keeps nothing.
    pub(super) fn inputs_memo(&self) -> Option<MutexGuard<'_, Option<InputsMemo>>> {
        self.enabled
            .then(|| self.inputs.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// How many parsed files are remembered.
    pub fn len(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn listings(&self) -> MutexGuard<'_, Listings> {
        self.listings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<TypeId, HashMap<OsString, Entry>>> {
        // A panic elsewhere cannot leave a half-made entry: entries are inserted whole.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn parses_once_until_forgotten() {
        let cache = FileCache::new();
        let calls = Cell::new(0);
        let parse = |_: &mut Diagnostics| {
            calls.set(calls.get() + 1);
            Some(calls.get())
        };
        let mut problems = Diagnostics::default();
        let file = Path::new("/site/content/minutes/a.md");
        assert_eq!(cache.parse(file, &mut problems, parse), Some(1));
        assert_eq!(cache.parse(file, &mut problems, parse), Some(1));
        cache.forget(Path::new("/site/cont"));
        assert_eq!(
            cache.parse(file, &mut problems, parse),
            Some(1),
            "not a folder of it"
        );
        cache.forget(Path::new("/site/content"));
        assert_eq!(cache.parse(file, &mut problems, parse), Some(2));
        assert!(problems.is_empty());
    }

    #[test]
    fn remembers_problems_with_the_record() {
        let cache = FileCache::new();
        let file = Path::new("/site/content/minutes/bad.md");
        let bad = |p: &mut Diagnostics| -> Option<u32> {
            p.push(Diagnostic::at(
                "content/minutes/bad.md",
                3,
                "title: missing",
            ));
            None
        };
        for _ in 0..2 {
            let mut problems = Diagnostics::default();
            assert_eq!(cache.parse(file, &mut problems, bad), None);
            assert_eq!(
                problems.0.len(),
                1,
                "a remembered file reports its problems again"
            );
        }
    }

    #[test]
    fn listings_follow_added_removed_and_nested_files() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("content");
        let write = |rel: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "x").unwrap();
            path
        };
        for rel in ["a.md", "a/b.md", "a-b.md", "b.md", "z/y/x.md", "c.txt"] {
            write(rel);
        }
        let cache = FileCache::new();
        let mut problems = Diagnostics::default();
        let fresh = |problems: &mut Diagnostics| super::super::sorted_files(&dir, "md", problems);
        let listed = cache.files(&dir, "md", &mut problems);
        let mut by_path = listed.to_vec();
        by_path.sort();
        assert_eq!(
            listed.to_vec(),
            by_path,
            "listed in the order paths compare"
        );
        assert_eq!(listed.to_vec(), fresh(&mut problems));

        // A new file, a new hidden file, a removed file, a file of another kind.
        let added = write("a/a.md");
        let hidden = write(".c.md");
        let other = write("d.txt");
        std::fs::remove_file(dir.join("b.md")).unwrap();
        for changed in [&added, &hidden, &other, &dir.join("b.md")] {
            cache.forget(changed);
        }
        assert_eq!(
            cache.files(&dir, "md", &mut problems).to_vec(),
            fresh(&mut problems)
        );

        // A removed folder, and a folder that appeared.
        std::fs::remove_dir_all(dir.join("z")).unwrap();
        cache.forget(&dir.join("z"));
        assert_eq!(
            cache.files(&dir, "md", &mut problems).to_vec(),
            fresh(&mut problems)
        );
        write("n/m.md");
        cache.forget(&dir.join("n"));
        assert_eq!(
            cache.files(&dir, "md", &mut problems).to_vec(),
            fresh(&mut problems)
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn a_disabled_cache_always_parses() {
        let cache = FileCache::disabled();
        let calls = Cell::new(0);
        let mut problems = Diagnostics::default();
        for _ in 0..2 {
            cache.parse(Path::new("/a"), &mut problems, |_| {
                calls.set(calls.get() + 1);
                Some(())
            });
        }
        assert_eq!(calls.get(), 2);
        assert!(cache.is_empty());
    }
}
