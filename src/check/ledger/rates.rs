//! `data/rates.csv` → [`Rates`]: each row read with all its problems; a row rejected
//! for its own problems is kept back to be reported with the ledger rows that need it.

use std::collections::HashMap;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::amounts::{MAX_RATE, at_most, currency_problem, parse_decimal, parse_iso_date};
use crate::check::root_causes::{RejectedRate, RejectedRates, RowsByCause};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawTable;
use crate::model::ledger::{Rate, Rates};

/// The columns `data/rates.csv` must have.
pub(super) const RATE_COLUMNS: &[&str] = &["unit", "rate", "valid_from"];

/// `data/rates.csv` → [`Rates`]; two rates for one unit, category and day are an error.
pub fn check_rates(table: Option<&RawTable>, site: &str, problems: &mut Diagnostics) -> Rates {
    let (rates, rejected) = check_rates_rejecting(table, site, problems);
    rejected.report(&RowsByCause::default(), problems);
    rates
}

/// [`check_rates`], keeping back the rows rejected for their own problems (with those
/// problems), to be reported with the ledger rows that needed them.
pub(super) fn check_rates_rejecting(
    table: Option<&RawTable>,
    site: &str,
    problems: &mut Diagnostics,
) -> (Rates, RejectedRates) {
    let mut rejected = RejectedRates::default();
    let Some(table) = table else {
        return (Rates::default(), rejected);
    };
    let mut rates = Rates {
        path: table.path.clone(),
        rates: Vec::new(),
    };
    if !table.require(RATE_COLUMNS, problems) {
        return (rates, rejected);
    }
    let columns = RateColumns::of(table);
    let mut seen: HashMap<(String, Option<String>, Date), usize> = HashMap::new();
    for row in &table.rows {
        let rate = match columns.read(table, row, site) {
            Ok(rate) => rate,
            Err(rate) if rate.unit.is_empty() => {
                problems.extend(rate.problems);
                continue;
            }
            Err(rate) => {
                rejected.0.push(rate);
                continue;
            }
        };
        let key = (rate.unit.clone(), rate.category.clone(), rate.valid_from);
        if let Some(first) = seen.insert(key, row.line) {
            problems.push(Diagnostic::at(
                &table.path,
                row.line,
                format!(
                    "valid_from: a second rate for {} ({}) from {}; the first is at {}:{first}",
                    rate.unit,
                    rate.category.as_deref().unwrap_or("any category"),
                    rate.valid_from,
                    table.path.display()
                ),
            ));
            continue;
        }
        rates.rates.push(rate);
    }
    (rates, rejected)
}

/// The columns of `data/rates.csv`, by index.
struct RateColumns {
    unit: Option<usize>,
    category: Option<usize>,
    rate: Option<usize>,
    currency: Option<usize>,
    valid_from: Option<usize>,
    source: Option<usize>,
}

impl RateColumns {
    fn of(table: &RawTable) -> RateColumns {
        RateColumns {
            unit: table.column("unit"),
            category: table.column("category"),
            rate: table.column("rate"),
            currency: table.column("currency"),
            valid_from: table.column("valid_from"),
            source: table.column("source"),
        }
    }

    /// One row as a [`Rate`], or as a rejected rate holding all its problems.
    fn read(
        &self,
        table: &RawTable,
        row: &crate::load::valuation::RawTableRow,
        site: &str,
    ) -> Result<Rate, RejectedRate> {
        let at = |message: String| Diagnostic::at(&table.path, row.line, message);
        let mut found = Vec::new();
        let unit = row.get(self.unit);
        if unit.is_empty() {
            found.push(at("unit: must not be empty".into()));
        }
        let rate_text = row.get(self.rate);
        let value = parse_decimal(rate_text)
            .and_then(|r| {
                if r < Decimal::ZERO {
                    Err(format!("must not be negative, not {r}"))
                } else {
                    at_most(r, MAX_RATE, rate_text)
                }
            })
            .map_err(|reason| found.push(at(format!("rate: {reason}{}", symbol_hint(rate_text)))))
            .ok();
        let from_text = row.get(self.valid_from);
        let from = parse_iso_date(from_text);
        if from.is_none() {
            found.push(at(format!(
                "valid_from: {from_text:?} is not a date (expected YYYY-MM-DD)"
            )));
        }
        found.extend(currency_problem(
            table,
            row.line,
            row.get(self.currency),
            site,
        ));
        let category = row.get(self.category);
        let category = (!category.is_empty()).then(|| category.to_string());
        match (value, from, found.is_empty()) {
            (Some(rate), Some(valid_from), true) => Ok(Rate {
                unit: unit.to_string(),
                category,
                rate,
                currency: site.to_string(),
                valid_from,
                source: row.get(self.source).to_string(),
                line: row.line,
            }),
            _ => Err(RejectedRate {
                unit: unit.to_string(),
                category,
                valid_from: from.or_else(|| year_of(from_text)),
                problems: found,
            }),
        }
    }
}

/// 1 January of the year a mistyped date starts with (`2026-02-30`): the earliest the
/// date can have meant.
fn year_of(text: &str) -> Option<Date> {
    let year: i16 = text.get(..4)?.parse().ok()?;
    Date::new(year, 1, 1).ok()
}

/// A hint for an amount written with its currency (`£6.50`, `6,50 €`).
fn symbol_hint(text: &str) -> &'static str {
    let code = text
        .as_bytes()
        .windows(3)
        .any(|w| w.iter().all(u8::is_ascii_uppercase));
    if code || text.chars().any(|c| matches!(c, '£' | '€' | '$' | '¥')) {
        " (write the number alone: the currency is the site's, set in tally.toml)"
    } else {
        ""
    }
}
