//! `tally.lock` and `data/amendments.csv` → raw records with their lines. Whether the
//! lock's chain holds and the sealed weeks still match the ledger is judged in `check`.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::read_text;
use crate::config::{line_column, toml_diagnostic};
use crate::digest::SealKey;
use crate::error::{Diagnostic, Diagnostics};

pub const LOCK_FILE: &str = "tally.lock";
pub const AMENDMENTS_FILE: &str = "data/amendments.csv";
/// The seal key: never published, never copied to the output.
pub const KEY_FILE: &str = "data/seal.key";

/// One `[[seal]]` entry of `tally.lock`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeal {
    pub week: String,
    pub rows: u64,
    pub digest: String,
    pub public_digest: String,
    pub chain: String,
    /// Set on an entry that seals the amended rows of an already sealed week: the date
    /// of the amendment recorded in `data/amendments.csv`.
    #[serde(default)]
    pub amended: Option<String>,
    /// The id of the seal key the digest was computed with; absent on an entry sealed
    /// before the site had a key (its digest is the unkeyed SHA-256).
    #[serde(default)]
    pub key: Option<String>,
    /// Set on an entry written by `tally seal --rekey`: the date the week was sealed
    /// again with the key.
    #[serde(default)]
    pub rekeyed: Option<String>,
}

/// A raw seal and the line of its `[[seal]]` header.
#[derive(Debug, Clone)]
pub struct RawSealEntry {
    pub line: usize,
    pub seal: RawSeal,
    /// The public rows the entry sealed, as kept in `data/sealed/` (see
    /// [`crate::model::seal::sealed_rows_path`]), when that file exists.
    pub rows: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockFile {
    #[serde(default)]
    seal: Vec<Spanned<RawSeal>>,
    /// The issued invoices, read by [`super::issued`].
    #[serde(default, rename = "invoice")]
    _invoices: Vec<toml::Value>,
}

/// Reads `SITE/tally.lock`; no file is an empty lock.
pub fn load_lock(site: &Path, problems: &mut Diagnostics) -> Vec<RawSealEntry> {
    let file = site.join(LOCK_FILE);
    if !file.exists() {
        return Vec::new();
    }
    let shown = Path::new(LOCK_FILE);
    let Some(text) = read_text(site, &file, shown, problems) else {
        return Vec::new();
    };
    match parse_lock(&text, shown) {
        Ok(mut entries) => {
            for entry in &mut entries {
                entry.rows = load_sealed_rows(site, &entry.seal, problems);
            }
            entries
        }
        Err(d) => {
            problems.push(d);
            Vec::new()
        }
    }
}

/// Reads `SITE/data/seal.key`; `None` when there is none (or it is not a key, which is
/// reported).
pub fn load_key(site: &Path, problems: &mut Diagnostics) -> Option<SealKey> {
    let file = site.join(KEY_FILE);
    if !file.exists() {
        return None;
    }
    let shown = Path::new(KEY_FILE);
    let text = read_text(site, &file, shown, problems)?;
    match SealKey::parse(&text) {
        Ok(key) => Some(key),
        Err(reason) => {
            problems.push(Diagnostic::at(
                shown,
                1,
                format!("not a seal key: {reason}"),
            ));
            None
        }
    }
}

/// The kept public rows of one lock entry; `None` when the entry names no valid week or
/// digest (the check reports that) or no file was kept.
fn load_sealed_rows(site: &Path, seal: &RawSeal, problems: &mut Diagnostics) -> Option<String> {
    let week = crate::model::week::WeekId::parse(&seal.week)?;
    if !crate::model::seal::is_digest(&seal.public_digest) {
        return None;
    }
    let rel = crate::model::seal::sealed_rows_path(week, &seal.public_digest);
    let file = site.join(&rel);
    if !file.is_file() {
        return None;
    }
    read_text(site, &file, Path::new(&rel), problems)
}

/// Parses the text of a lock file; `path` names it in the error.
pub fn parse_lock(text: &str, path: &Path) -> Result<Vec<RawSealEntry>, Diagnostic> {
    let lock: LockFile = toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e, 0))?;
    Ok(lock
        .seal
        .into_iter()
        .map(|spanned| {
            let start = spanned.span().start;
            // The span starts at the entry's header (or its first key, below the header).
            let end = (start + "[[seal]]".len()).min(text.len());
            let header = text
                .get(..end)
                .and_then(|before| before.rfind("[[seal]]"))
                .unwrap_or(start);
            RawSealEntry {
                line: line_column(text, header).0,
                seal: spanned.into_inner(),
                rows: None,
            }
        })
        .collect())
}

/// One row of `data/amendments.csv`: `week,date,reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAmendment {
    pub line: usize,
    pub week: String,
    pub date: String,
    pub reason: String,
}

/// Reads `data/amendments.csv`; no file means no amendments.
pub fn load_amendments(site: &Path, problems: &mut Diagnostics) -> Vec<RawAmendment> {
    let file = site.join(AMENDMENTS_FILE);
    if !file.exists() {
        return Vec::new();
    }
    let shown = Path::new(AMENDMENTS_FILE);
    let Some(text) = read_text(site, &file, shown, problems) else {
        return Vec::new();
    };
    parse_amendments(&text, shown, problems)
}

pub fn parse_amendments(text: &str, path: &Path, problems: &mut Diagnostics) -> Vec<RawAmendment> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(Diagnostic::at(
                path,
                1,
                format!("cannot read the header: {e}"),
            ));
            return Vec::new();
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(week), Some(date), Some(reason)) = (column("week"), column("date"), column("reason"))
    else {
        let found: Vec<&str> = headers.iter().collect();
        problems.push(Diagnostic::at(
            path,
            1,
            format!(
                "header: expected the columns week,date,reason, found {}",
                found.join(",")
            ),
        ));
        return Vec::new();
    };
    let mut amendments = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let field = |i: usize| record.get(i).unwrap_or("").to_string();
                amendments.push(RawAmendment {
                    line,
                    week: field(week),
                    date: field(date),
                    reason: field(reason),
                });
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(Diagnostic::at(
                    path,
                    line,
                    format!("cannot read the row: {e}"),
                ));
            }
        }
    }
    amendments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_entries_remember_their_header_line() {
        let text = "# sealed weeks\n\n[[seal]]\nweek = \"2026-W01\"\nrows = 2\ndigest = \"a\"\npublic_digest = \"b\"\nchain = \"c\"\n\n[[seal]]\nweek = \"2026-W02\"\nrows = 0\ndigest = \"a\"\npublic_digest = \"b\"\nchain = \"c\"\namended = \"2026-02-01\"\n";
        let entries = parse_lock(text, Path::new(LOCK_FILE)).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].line, 3);
        assert_eq!(entries[1].line, 10);
        assert_eq!(entries[1].seal.amended.as_deref(), Some("2026-02-01"));
    }

    #[test]
    fn unknown_lock_keys_are_errors_with_their_line() {
        let text = "[[seal]]\nweek = \"2026-W01\"\nrows = 2\ndigest = \"a\"\npublic_digest = \"b\"\nchain = \"c\"\nnote = \"x\"\n";
        let err = parse_lock(text, Path::new(LOCK_FILE)).unwrap_err();
        assert_eq!(err.line, Some(7));
        assert!(err.message.contains("note"), "{}", err.message);
    }

    #[test]
    fn amendments_are_read_with_their_lines() {
        let mut problems = Diagnostics::default();
        let rows = parse_amendments(
            "week,date,reason\n2026-W14,2026-04-20,\"a receipt, entered twice\"\n",
            Path::new(AMENDMENTS_FILE),
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(
            rows,
            vec![RawAmendment {
                line: 2,
                week: "2026-W14".into(),
                date: "2026-04-20".into(),
                reason: "a receipt, entered twice".into(),
            }]
        );
        parse_amendments("week,when\n", Path::new(AMENDMENTS_FILE), &mut problems);
        assert_eq!(problems.0.len(), 1);
        assert!(problems.0[0].message.contains("week,date,reason"));
    }
}
