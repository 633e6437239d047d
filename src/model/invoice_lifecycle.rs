//! When an invoice is issued: only once every week of its period is sealed in
//! `tally.lock` (not merely closed). Until then it is a draft, whose figures may still
//! change. Once issued, `tally seal` freezes it in `tally.lock`; an amended week of its
//! period is then corrected by a credit note or supplementary invoice, never by new
//! figures under the same number. Pure functions over the seals and records; no I/O.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::invoice::issued::{DocumentKind, IssuedRecord, difference};
use super::invoice::{Invoice, InvoiceLine, Period};
use super::seal::{SealState, Seals};
use super::week::WeekId;

/// Whether every week of `period` that the seals know of is sealed (or sealed and
/// amended), and the period's last week is among them.
pub fn period_sealed(seals: &Seals, period: Period) -> bool {
    let last = WeekId::of(period.end());
    if !seals.weeks.contains_key(&last) {
        return false;
    }
    let mut week = WeekId::of(period.start());
    loop {
        if let Some(seal) = seals.weeks.get(&week)
            && !matches!(seal.state, SealState::Sealed | SealState::Amended)
        {
            return false;
        }
        if week >= last {
            return true;
        }
        week = week.next();
    }
}

/// The site's invoices as they stand, and what a build reports about them.
#[derive(Debug, Clone, Default)]
pub struct Settled {
    /// Each invoice followed by its corrections.
    pub invoices: Vec<Invoice>,
    /// Recomputed figures that differ from an issued invoice, invoices issued but not
    /// recorded yet: reported by the build, which goes on.
    pub warnings: Vec<String>,
}

/// Invoices recomputed from today's data (`recomputed`), set against the records of
/// `tally.lock`: a recorded invoice shows its frozen figures and issue date; the
/// recorded corrections follow it; a difference left after them becomes a draft
/// correction when a week of the period was amended, and a warning otherwise.
pub fn settle(
    recomputed: Vec<Invoice>,
    records: &[IssuedRecord],
    seals: &Seals,
    as_of: Option<Date>,
) -> Settled {
    let mut settled = Settled::default();
    for invoice in recomputed {
        let original = records
            .iter()
            .find(|r| r.kind == DocumentKind::Invoice && r.number == invoice.number);
        let Some(original) = original else {
            settle_unrecorded(invoice, seals, &mut settled);
            continue;
        };
        let corrections: Vec<&IssuedRecord> = records
            .iter()
            .filter(|r| r.references.as_deref() == Some(invoice.number.as_str()))
            .collect();
        let issued: Vec<&InvoiceLine> = original
            .lines
            .iter()
            .chain(corrections.iter().flat_map(|c| c.lines.iter()))
            .collect();
        let diff = difference(&invoice.lines, &issued);
        let mut documents = vec![original.apply(invoice.clone())];
        documents.extend(corrections.iter().map(|c| c.apply(invoice.clone())));
        if !diff.is_empty() {
            let next = format!("{}-C{}", invoice.number, corrections.len() + 1);
            let amended = period_amended(seals, invoice.period);
            match draft_correction(&invoice, diff, next, as_of).filter(|_| amended) {
                Some(draft) => documents.push(draft),
                None => settled.warnings.push(format!(
                    "invoice {}: recomputed from today's data its total would be {}, but it was issued for {} (tally.lock line {}); the issued invoice stands. Only an amendment of a sealed week of its period (data/amendments.csv) makes a credit note or supplementary invoice",
                    invoice.number,
                    invoice.total,
                    issued.iter().map(|l| l.amount).sum::<Decimal>(),
                    original.line
                )),
            }
        }
        let numbers: Vec<String> = documents[1..].iter().map(|d| d.number.clone()).collect();
        documents[0].corrections = numbers;
        settled.invoices.extend(documents);
    }
    settled
}

/// An invoice without a record: a draft until its period is sealed; once sealed it is
/// issued, and reported until `tally seal` records it.
fn settle_unrecorded(mut invoice: Invoice, seals: &Seals, settled: &mut Settled) {
    invoice.draft = !period_sealed(seals, invoice.period);
    if !invoice.draft {
        settled.warnings.push(format!(
            "invoice {}: every week of its period is sealed, but it is not recorded in tally.lock yet; run `tally seal` to issue and freeze it",
            invoice.number
        ));
    }
    settled.invoices.push(invoice);
}

/// Whether a week of `period` has a recorded amendment.
pub fn period_amended(seals: &Seals, period: Period) -> bool {
    seals
        .weeks
        .iter()
        .filter(|(week, _)| week.sunday() >= period.start() && week.monday() <= period.end())
        .any(|(_, seal)| !seal.amendments.is_empty())
}

/// The credit note (a total below zero) or supplementary invoice (above zero) for the
/// lines `diff` of `invoice`, not issued yet; none when the difference nets to zero.
fn draft_correction(
    invoice: &Invoice,
    diff: Vec<InvoiceLine>,
    number: String,
    as_of: Option<Date>,
) -> Option<Invoice> {
    let total: Decimal = diff.iter().map(|l| l.amount).sum();
    let kind = if total < Decimal::ZERO {
        DocumentKind::CreditNote
    } else if total > Decimal::ZERO {
        DocumentKind::Supplementary
    } else {
        return None;
    };
    let issued = as_of.unwrap_or(invoice.issue_date);
    let mut draft = IssuedRecord {
        number,
        kind,
        references: Some(invoice.number.clone()),
        period: invoice.period,
        issued,
        total,
        lines: diff,
        xml_sha256: String::new(),
        csv_sha256: String::new(),
        line: 0,
    }
    .apply(invoice.clone());
    draft.draft = true;
    draft.frozen = None;
    Some(draft)
}

/// Whether every amendment of a week of `period` is sealed: a correction is issued only
/// once the amended rows are in `tally.lock`.
pub fn amendments_sealed(seals: &Seals, period: Period) -> bool {
    seals
        .weeks
        .iter()
        .filter(|(week, _)| week.sunday() >= period.start() && week.monday() <= period.end())
        .all(|(_, seal)| seal.state != SealState::Amended || seal.chain.is_some())
}
