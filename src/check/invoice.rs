//! Rules for invoices: every unit of a service has a UN/ECE Recommendation 20 code for
//! the e-invoice, and every cover letter is named after an invoice that exists or will
//! (a letter for a closed period without services would never be shown).

use std::collections::BTreeSet;

use jiff::civil::Date;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawNote;
use crate::model::invoice::{Period, unit_code};
use crate::model::ledger::{CheckedLedger, Kind};

/// A unit without a code: what to add, with a code suggested only where the unit's
/// word makes it plain (`meals` → `C62`, one).
fn no_unit_code(unit: &str) -> String {
    let example = match crate::codes::suggest_unit(unit) {
        Some((code, meaning)) => format!("{unit:?} = \"{code}\" ({meaning})"),
        None => format!(
            "{unit:?} = \"…\" with its code from UN/ECE Recommendation 20; C62 (one) counts things"
        ),
    };
    format!(
        "unit: {unit:?} has no UN/ECE Recommendation 20 code for the invoices; \
         add one under [invoices] unit_codes in tally.toml: {example}"
    )
}

/// `as_of`: the site's "as of" date; periods before the one holding it are closed.
pub fn check(
    config: &Config,
    ledger: &CheckedLedger,
    as_of: Option<Date>,
    letters: &[RawNote],
    problems: &mut Diagnostics,
) {
    let codes = &config.invoices.unit_codes;
    let mut reported = BTreeSet::new();
    for entry in ledger.entries.iter().filter(|e| e.kind == Kind::Service) {
        let unit = &*entry.unit;
        if unit_code(unit, codes).is_none() && reported.insert(unit.to_string()) {
            problems.push(Diagnostic::at(
                &*entry.source.file,
                entry.source.line as usize,
                no_unit_code(unit),
            ));
        }
    }
    let prefix = &config.invoices.prefix;
    let kind = config.invoices.period;
    let with_services: BTreeSet<Period> = ledger
        .entries
        .iter()
        .filter(|e| e.kind == Kind::Service)
        .map(|e| Period::of(kind, e.date))
        .collect();
    let open = as_of.map(|d| Period::of(kind, d));
    for letter in letters {
        let message = match Period::parse(kind, prefix, &letter.key) {
            None => format!(
                "file name {:?} is not an invoice number like {} (a cover letter is named after its invoice)",
                letter.key,
                Period::of(kind, jiff::civil::date(2026, 7, 1)).number(prefix)
            ),
            Some(period)
                if open.is_some_and(|open| period < open) && !with_services.contains(&period) =>
            {
                format!(
                    "there is no invoice {}: the ledger has no services in {}",
                    letter.key,
                    period.label()
                )
            }
            // An invoice, or a draft for a period still open.
            Some(_) => continue,
        };
        problems.push(Diagnostic::at(&letter.path, 1, message));
    }
}
