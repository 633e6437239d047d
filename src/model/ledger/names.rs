//! Names and ledger file paths, each kept once for the whole process and held by an
//! entry as a 4-byte number.

use std::num::NonZeroU32;
use std::path::Path;

use crate::model::interned::Table;

/// A name from the ledger (cell, category, unit, fund), kept once for the whole
/// process. A ledger of a million rows repeats a handful of names: an entry holds the
/// name's 4-byte number in one table of every name, which costs nothing to copy or to
/// free. Names are never freed; the table grows only with names not seen before, so
/// rebuilding a site (`tally serve`) keeps it the same size. Reads as `&str` through
/// `Deref`, without a lock; compares, sorts and hashes as its text.
#[derive(Clone, Copy)]
pub struct Name(NonZeroU32);

/// Every name kept so far.
static NAMES: Table<str> = Table::new();

impl Name {
    pub fn new(text: &str) -> Name {
        Name(NAMES.key(text, |text| Box::leak(Box::from(text))))
    }

    pub fn as_str(&self) -> &'static str {
        NAMES.by_key(self.0).unwrap_or("")
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // One number per text: equal names have the same number.
        self.0 == other.0
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ledger file's path relative to the site, kept once for the whole process like a
/// [`Name`]. Reads as `&Path` through `Deref`; compares, sorts and hashes as its path.
#[derive(Clone, Copy)]
pub struct SourceFile(NonZeroU32);

/// Every ledger file path kept so far.
static SOURCE_FILES: Table<Path> = Table::new();

impl SourceFile {
    pub fn new(path: &Path) -> SourceFile {
        SourceFile(SOURCE_FILES.key(path, |path| Box::leak(Box::from(path))))
    }

    pub fn as_path(&self) -> &'static Path {
        SOURCE_FILES.by_key(self.0).unwrap_or(Path::new(""))
    }
}

impl std::ops::Deref for SourceFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.as_path()
    }
}

impl AsRef<Path> for SourceFile {
    fn as_ref(&self) -> &Path {
        self.as_path()
    }
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &SourceFile) -> bool {
        self.0 == other.0
    }
}

impl Eq for SourceFile {}

impl PartialOrd for SourceFile {
    fn partial_cmp(&self, other: &SourceFile) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SourceFile {
    fn cmp(&self, other: &SourceFile) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_path().cmp(other.as_path())
    }
}

impl std::hash::Hash for SourceFile {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_path().hash(state);
    }
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_path(), f)
    }
}

/// Where a row came from: the file relative to the site and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: SourceFile,
    pub line: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}
