//! What one `[[ledger.sources]]` block read: rows read, and rows skipped by a named
//! rule, by reason. Made by the load stage, shown in the build summary and on `/data/`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// What one source read, for the build summary and `/data/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceReport {
    pub name: String,
    pub files: Vec<PathBuf>,
    /// Data rows read.
    pub read: u64,
    /// Rows skipped by a rule, by reason.
    pub skipped: BTreeMap<String, u64>,
}

impl SourceReport {
    pub fn skipped_rows(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Rows counted in the ledger: on a build that succeeds, every row not skipped.
    pub fn counted(&self) -> u64 {
        self.read - self.skipped_rows()
    }
}
