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
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::{Diagnostic, Diagnostics};

/// What one parse of one file produced: the record (if any) and its problems.
struct Parsed<T> {
    record: Option<T>,
    problems: Vec<Diagnostic>,
}

type Entry = Arc<dyn Any + Send + Sync>;

/// Records parsed from files, by file path and record type. A disabled cache (the one
/// `tally build` uses) remembers nothing.
#[derive(Default)]
pub struct FileCache {
    enabled: bool,
    /// Keyed by the path's bytes (hashing a `Path` walks its components: slower).
    entries: Mutex<HashMap<(OsString, TypeId), Entry>>,
}

impl FileCache {
    /// A cache that remembers what it parses.
    pub fn new() -> FileCache {
        FileCache {
            enabled: true,
            entries: Mutex::default(),
        }
    }

    /// A cache that parses every time (a one-off build).
    pub fn disabled() -> FileCache {
        FileCache::default()
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
        let key = (file.as_os_str().to_os_string(), TypeId::of::<T>());
        let remembered = self.lock().get(&key).cloned();
        if let Some(parsed) = remembered.and_then(|e| e.downcast::<Parsed<T>>().ok()) {
            problems.extend(parsed.problems.iter().cloned());
            return parsed.record.clone();
        }
        let mut found = Diagnostics::default();
        let record = parse(&mut found);
        let parsed = Parsed {
            record: record.clone(),
            problems: found.0,
        };
        problems.extend(parsed.problems.iter().cloned());
        self.lock().insert(key, Arc::new(parsed));
        record
    }

    /// Drops what was parsed from `changed` and, if it is a folder, from every file in it.
    pub fn forget(&self, changed: &Path) {
        let changed = changed.as_os_str().as_encoded_bytes();
        self.lock().retain(|(path, _), _| {
            let path = path.as_encoded_bytes();
            let inside = path.starts_with(changed)
                && (path.len() == changed.len()
                    || changed.ends_with(b"/")
                    || path[changed.len()] == b'/'
                    || (cfg!(windows) && path[changed.len()] == b'\\'));
            !inside
        });
    }

    /// Drops everything (the configuration changed).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many parsed files are remembered.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<(OsString, TypeId), Entry>> {
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
