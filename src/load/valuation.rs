//! `data/rates.csv` and `data/city-budget.csv` → [`RawTable`]s: header and rows as text,
//! each row with its line. Parsing the values is `check`'s work.

use std::path::{Path, PathBuf};

use csv::StringRecord;

use super::ledger::line_of;
use super::{read_bytes, relative};
use crate::error::{Diagnostic, Diagnostics};

pub const RATES_FILE: &str = "data/rates.csv";
pub const BUDGET_FILE: &str = "data/city-budget.csv";

/// A small CSV table read whole.
#[derive(Debug, Clone, Default)]
pub struct RawTable {
    /// Relative to the site.
    pub path: PathBuf,
    /// Trimmed header names.
    pub header: Vec<String>,
    pub rows: Vec<RawTableRow>,
}

#[derive(Debug, Clone)]
pub struct RawTableRow {
    pub line: usize,
    pub fields: StringRecord,
}

impl RawTable {
    /// The index of a column by name (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// `true` when the header names every column of `required`.
    pub fn has_columns(&self, required: &[&str]) -> bool {
        required.iter().all(|name| self.column(name).is_some())
    }

    /// Reports the columns of `required` missing from the header, in one problem (a
    /// file without a header line misses them all); `true` when all are there.
    pub fn require(&self, required: &[&str], problems: &mut Diagnostics) -> bool {
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|name| self.column(name).is_none())
            .collect();
        if missing.is_empty() {
            return true;
        }
        let hint = if missing.len() == required.len() {
            " (is the header line missing? the first line must name the columns)"
        } else {
            ""
        };
        problems.push(Diagnostic::at(
            &self.path,
            1,
            format!(
                "missing required column{} {}; expected {}; found {}{hint}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                required.join(", "),
                self.header.join(", ")
            ),
        ));
        false
    }
}

impl RawTableRow {
    /// The trimmed field at `index`; empty when absent.
    pub fn get(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.fields.get(i))
            .map(str::trim)
            .unwrap_or("")
    }
}

/// Reads `site/rel` when it exists; `None` when it does not (or cannot be read, which
/// is reported).
pub fn load_table(site: &Path, rel: &str, problems: &mut Diagnostics) -> Option<RawTable> {
    let file = site.join(rel);
    if !file.exists() {
        return None;
    }
    let path = relative(site, &file);
    let mut bytes = read_bytes(site, &file, &path, problems)?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Some(parse_table(path, &bytes, problems))
}

/// Parses a table's bytes; unreadable rows are reported and left out.
pub fn parse_table(path: PathBuf, bytes: &[u8], problems: &mut Diagnostics) -> RawTable {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let header = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            problems.push(Diagnostic::at(
                &path,
                1,
                format!("cannot read the header row: {e}"),
            ));
            return RawTable {
                path,
                ..RawTable::default()
            };
        }
    };
    let mut table = RawTable {
        path,
        header,
        rows: Vec::new(),
    };
    for record in reader.records() {
        match record {
            Ok(fields) => {
                let line = fields.position().map_or(0, |p| line_of(bytes, p)) as usize;
                if fields.len() != table.header.len() {
                    problems.push(Diagnostic::at(
                        &table.path,
                        line,
                        format!(
                            "expected {} fields like the header, found {}",
                            table.header.len(),
                            fields.len()
                        ),
                    ));
                    continue;
                }
                table.rows.push(RawTableRow { line, fields });
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| line_of(bytes, p)) as usize;
                problems.push(Diagnostic::at(
                    &table.path,
                    line,
                    format!("cannot read this row as CSV: {e}"),
                ));
            }
        }
    }
    table
}
