//! Ledger rows and rates: raw text → [`Entry`] and [`Rate`](crate::model::ledger::Rate)
//! (the city's budget, checked in `check::budget`, is read with the same numbers and
//! dates). Every bad row is reported as `file:line: column: reason`, all at once; no
//! row is skipped silently. Files are checked in parallel; receipt ids are then checked
//! for duplicates across the whole ledger, and names for twins spelt alike but for case.
//!
//! Here, the whole check and each file's; `row` reads a row into an entry, `declared`
//! sets its names, rate and currency against what is declared, `recall` remembers a
//! file's names, dates and rates, `causes` gathers the rows that fail for a shared
//! cause, `receipts` finds repeated receipts, `rates` reads `data/rates.csv`, and
//! `amounts` reads numbers and dates.

mod amounts;
mod causes;
mod declared;
mod rates;
mod recall;
mod receipt;
mod row;
#[cfg(test)]
mod tests;

pub use amounts::{
    MAX_AMOUNT, MAX_QUANTITY, MAX_RATE, parse_decimal, parse_iso_date, parse_quantity,
};
pub(super) use amounts::{at_most, currency_problem};
pub use rates::check_rates;

use std::collections::HashMap;

use jiff::civil::Date;
use rayon::prelude::*;

use super::names::Declared;
use super::root_causes::RejectedRates;
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::ledger::Column;
use crate::load::{LedgerFile, RawTable};
use crate::model::ledger::{
    CheckedLedger, CityBudget, Entries, Entry, FileEntries, LedgerFileRows, Name, Rates, RowTexts,
    Source,
};
use causes::Causes;
use rates::{RATE_COLUMNS, check_rates_rejecting};
use receipt::{ReceiptHashes, check_receipts, receipt_hash};
use row::RowChecker;

/// Checks the ledger files against the rates and the site's settings; `budget` (checked
/// on its own) comes along into the checked ledger.
pub fn check(
    files: &[LedgerFile],
    rates: Option<&RawTable>,
    budget: CityBudget,
    config: &Config,
    problems: &mut Diagnostics,
) -> CheckedLedger {
    // A rates file whose header is unreadable is reported once, by its own error, not
    // again on every row that needs a rate.
    let rates_readable = rates.is_none_or(|t| t.has_columns(RATE_COLUMNS));
    let declared = Declared::from_config(config, rates);
    let (rates, rejected) = check_rates_rejecting(rates, &config.currency, problems);
    let dates = config.dates.bounds().unwrap_or_else(|why| {
        problems.push(Diagnostic::new(crate::config::CONFIG_FILE, why));
        (Date::MIN, Date::MAX)
    });
    let rules = Rules {
        currency: &config.currency,
        date_format: config.ledger.date_format.as_deref(),
        dates,
        rates: &rates,
        rates_readable,
        rejected: &rejected,
        declared: &declared,
    };
    let checked: Vec<CheckedFile> = files
        .par_iter()
        .map(|file| check_file(file, &rules))
        .collect();
    let mut parts = Vec::with_capacity(files.len());
    let mut rows = Vec::with_capacity(files.len());
    let mut receipts = Vec::with_capacity(files.len());
    let mut latest = None;
    let mut causes = Causes::default();
    for (file, checked) in files.iter().zip(checked) {
        latest = latest.max(checked.latest);
        causes.merge(checked.causes);
        parts.push(FileEntries {
            entries: checked.entries,
            texts: checked.texts,
        });
        problems.extend(checked.problems);
        receipts.push(checked.receipts);
        rows.push(LedgerFileRows {
            path: file.path.clone(),
            rows: checked.rows,
        });
    }
    let warnings = causes.report(rejected, config, problems);
    let entries = Entries::with_latest(parts, latest);
    check_receipts(&entries, &receipts, problems);
    check_case_twins(&entries, problems);
    CheckedLedger {
        entries,
        files: rows,
        rates,
        budget,
        warnings,
    }
}

/// Categories (or units) spelt alike but for case (`Food`, `food`) name the same chart
/// and CSV files on a case-insensitive file system, so one would overwrite the other:
/// an error at the first row of each later spelling.
fn check_case_twins(entries: &Entries, problems: &mut Diagnostics) {
    let mut first: HashMap<(bool, Name), Source, receipt::ReceiptHasher> = HashMap::default();
    // Rows of a file mostly repeat the category and unit of the row before.
    let mut last = None;
    for entry in entries.iter() {
        if last == Some((entry.category, entry.unit)) {
            continue;
        }
        last = Some((entry.category, entry.unit));
        for key in [(true, entry.category), (false, entry.unit)] {
            first.entry(key).or_insert(entry.source);
        }
    }
    let mut by_lower: HashMap<(bool, String), Vec<(Source, &str)>> = HashMap::new();
    for ((is_category, name), source) in first {
        let spelling = name.as_str();
        by_lower
            .entry((is_category, spelling.to_lowercase()))
            .or_default()
            .push((source, spelling));
    }
    for ((is_category, _), mut twins) in by_lower.into_iter().filter(|(_, t)| t.len() > 1) {
        twins.sort_unstable();
        let (first_source, first_spelling) = twins[0];
        let column = if is_category { "category" } else { "unit" };
        for (source, spelling) in &twins[1..] {
            problems.push(Diagnostic::at(
                source.file.as_path(),
                usize::try_from(source.line).unwrap_or(usize::MAX),
                format!(
                    "{column}: {spelling:?} differs from {first_spelling:?} ({first_source}) only in case; \
                     their charts would collide on a case-insensitive file system: spell them alike"
                ),
            ));
        }
    }
}

/// What every row is checked against.
struct Rules<'a> {
    currency: &'a str,
    date_format: Option<&'a str>,
    /// The first and last plausible dates (`[dates]` in `tally.toml`).
    dates: (Date, Date),
    rates: &'a Rates,
    /// `false` when `data/rates.csv` lacks a required column (already reported).
    rates_readable: bool,
    /// Rates left out for their own problems: the root cause of rows without a rate.
    rejected: &'a RejectedRates,
    /// The cells, categories and units `tally.toml` declares.
    declared: &'a Declared,
}

/// What checking one file found.
struct CheckedFile {
    entries: Vec<Entry>,
    /// The entries' own texts.
    texts: RowTexts,
    problems: Vec<Diagnostic>,
    /// Data rows read.
    rows: u64,
    receipts: ReceiptHashes,
    /// The latest date of its entries.
    latest: Option<Date>,
    /// What its rows failed or were warned of for a cause they share.
    causes: Causes,
}

fn check_file(file: &LedgerFile, rules: &Rules<'_>) -> CheckedFile {
    let capacity = usize::try_from(file.size / 64).unwrap_or(0);
    let mut entries = Vec::with_capacity(capacity);
    // Receipts and counterparties make up about a third of a file's bytes.
    let mut texts = RowTexts::with_capacity(usize::try_from(file.size / 3).unwrap_or(0));
    let mut receipts = ReceiptHashes::new(capacity);
    let mut problems = Vec::new();
    let mut rows = 0u64;
    let mut latest: Option<Date> = None;
    // A source's dates are read by its own format when mapped.
    let mapped_rules;
    let rules = if file.mapped.is_some() {
        mapped_rules = Rules {
            date_format: None,
            ..*rules
        };
        &mapped_rules
    } else {
        rules
    };
    let mut row_checker = RowChecker::new(&file.path, rules);
    file.read_rows(|row| {
        rows += 1;
        match row {
            // The place the row's entry takes, if it makes one.
            Ok(row) => match (
                entries.len(),
                row_checker.check(&row, &mut entries, &mut texts),
            ) {
                (index, Ok(entry)) => {
                    latest = latest.max(Some(entry.date));
                    // The texts keep the row's receipt as it is: hash it from the row.
                    let receipt = row.get(Column::Receipt);
                    if !receipt.is_empty() {
                        receipts.add(receipt_hash(receipt), index);
                    }
                }
                (_, Err(found)) => problems.extend(found),
            },
            Err(d) => problems.push(d),
        }
    });
    entries.shrink_to_fit();
    texts.shrink_to_fit();
    CheckedFile {
        entries,
        texts,
        problems,
        rows,
        receipts,
        latest,
        causes: row_checker.causes,
    }
}
