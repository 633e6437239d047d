//! The `[[invoice]]` entries of `tally.lock`: every invoice, credit note and
//! supplementary invoice as it was issued, with its lines. Raw records with their lines;
//! `check` validates them.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::read_text;
use super::seal::LOCK_FILE;
use crate::config::{line_column, toml_diagnostic};
use crate::error::{Diagnostic, Diagnostics};

/// One `[[invoice]]` entry, as written by `tally seal`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssued {
    pub number: String,
    /// `invoice`, `credit-note` or `supplementary`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The invoice a credit note or supplementary invoice corrects.
    #[serde(default)]
    pub references: Option<String>,
    pub period: String,
    pub issued: String,
    pub total: String,
    pub lines: u64,
    pub xml_sha256: String,
    pub csv_sha256: String,
    #[serde(default, rename = "line")]
    pub items: Vec<RawIssuedLine>,
}

/// One `[[invoice.line]]`: a line of the issued document, as it was issued.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssuedLine {
    pub category: String,
    pub unit: String,
    pub quantity: String,
    pub rate: String,
    #[serde(default)]
    pub rate_source: String,
    pub from: String,
    pub to: String,
    pub services: i64,
    pub receipts: i64,
    pub amount: String,
}

/// A raw record and the line of its `[[invoice]]` header.
#[derive(Debug, Clone)]
pub struct RawIssuedEntry {
    pub line: usize,
    pub record: RawIssued,
}

/// The lock read for its invoices only; the seals are read by [`super::seals`].
#[derive(Debug, Deserialize)]
struct InvoicesOfLock {
    #[serde(default)]
    invoice: Vec<Spanned<RawIssued>>,
}

/// Reads the `[[invoice]]` entries of `SITE/tally.lock`; no file means none.
pub fn load(site: &Path, problems: &mut Diagnostics) -> Vec<RawIssuedEntry> {
    let file = site.join(LOCK_FILE);
    if !file.exists() {
        return Vec::new();
    }
    let shown = Path::new(LOCK_FILE);
    // A lock that cannot be read is reported once, by the seals' reader.
    let mut ignored = Diagnostics::default();
    let Some(text) = read_text(site, &file, shown, &mut ignored) else {
        return Vec::new();
    };
    match parse(&text, shown) {
        Ok(entries) => entries,
        Err(d) => {
            problems.push(d);
            Vec::new()
        }
    }
}

/// Parses the `[[invoice]]` entries of a lock's text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Vec<RawIssuedEntry>, Diagnostic> {
    let lock: InvoicesOfLock =
        toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e, 0))?;
    Ok(lock
        .invoice
        .into_iter()
        .map(|spanned| {
            let start = spanned.span().start;
            let end = (start + "[[invoice]]".len()).min(text.len());
            let header = text
                .get(..end)
                .and_then(|before| before.rfind("[[invoice]]"))
                .unwrap_or(start);
            RawIssuedEntry {
                line: line_column(text, header).0,
                record: spanned.into_inner(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_entries_are_read_with_their_lines_beside_the_seals() {
        let text = "[[seal]]\nweek = \"2026-W01\"\n\n[[invoice]]\nnumber = \"INV-2026-Q1\"\ntype = \"invoice\"\nperiod = \"2026-Q1\"\nissued = \"2026-04-06\"\ntotal = \"10.00\"\nlines = 1\nxml_sha256 = \"a\"\ncsv_sha256 = \"b\"\n\n[[invoice.line]]\ncategory = \"care\"\nunit = \"h\"\nquantity = \"1\"\nrate = \"10\"\nfrom = \"2026-01-01\"\nto = \"2026-03-31\"\nservices = 1\nreceipts = 0\namount = \"10.00\"\n";
        let entries = parse(text, Path::new(LOCK_FILE)).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].line, 4);
        assert_eq!(entries[0].record.items.len(), 1);
        assert_eq!(entries[0].record.items[0].amount, "10.00");
        let bad = text.replace("lines = 1", "lines = 1\nnote = \"x\"");
        let err = parse(&bad, Path::new(LOCK_FILE)).unwrap_err();
        assert!(err.message.contains("note"), "{}", err.message);
    }
}
