//! Rules for invoices: every unit of a service has a UN/ECE Recommendation 20 code for
//! the e-invoice, and every cover letter is named after an invoice number.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawNote;
use crate::model::invoice::{Period, unit_code};
use crate::model::ledger::{CheckedLedger, Kind};

pub fn check(
    config: &Config,
    ledger: &CheckedLedger,
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
                format!(
                    "unit: {unit:?} has no UN/ECE Recommendation 20 code for the invoices; \
                     add one under [invoices] unit_codes in tally.toml (e.g. {unit:?} = \"XBG\" for bags)"
                ),
            ));
        }
    }
    let prefix = &config.invoices.prefix;
    for letter in letters {
        if Period::parse(config.invoices.period, prefix, &letter.key).is_none() {
            let example = Period::of(config.invoices.period, jiff::civil::date(2026, 7, 1));
            problems.push(Diagnostic::at(
                &letter.path,
                1,
                format!(
                    "file name {:?} is not an invoice number like {} (a cover letter is named after its invoice)",
                    letter.key,
                    example.number(prefix)
                ),
            ));
        }
    }
}
