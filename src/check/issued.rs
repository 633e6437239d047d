//! The `[[invoice]]` entries of `tally.lock`: each names an invoice of the site's
//! periods (or a correction of one recorded before it), once; its dates and figures read,
//! its lines add up to its total, an invoice's lines are quantity × rate, and every week
//! of its period is sealed. An entry that fails any of these was rewritten or is not one
//! `tally seal` wrote: the build fails, naming the lock's line.

use std::path::Path;

use rust_decimal::Decimal;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::front_matter::parse_date;
use crate::load::issued::{RawIssued, RawIssuedEntry, RawIssuedLine};
use crate::load::seal::LOCK_FILE;
use crate::model::invoice::issued::{DocumentKind, IssuedRecord};
use crate::model::invoice::{InvoiceLine, Period, cents};
use crate::model::invoice_lifecycle::period_sealed;
use crate::model::seal::{Seals, is_digest};

/// The valid records, in lock order; every problem is reported with its line.
pub fn check(
    config: &Config,
    raw: Vec<RawIssuedEntry>,
    seals: &Seals,
    problems: &mut Diagnostics,
) -> Vec<IssuedRecord> {
    let mut records: Vec<IssuedRecord> = Vec::new();
    for entry in raw {
        let mut found = Vec::new();
        let record = record(config, &entry.record, &records, &mut found);
        if let Some(record) = &record
            && !seals.weeks.is_empty()
            && !period_sealed(seals, record.period)
        {
            found.push(format!(
                "{} is recorded as issued, but a week of {} is not sealed",
                record.number,
                record.period.label()
            ));
        }
        match record {
            Some(record) if found.is_empty() => records.push(IssuedRecord {
                line: entry.line,
                ..record
            }),
            _ => {}
        }
        for message in found {
            problems.push(Diagnostic::at(
                Path::new(LOCK_FILE),
                entry.line,
                format!(
                    "invoice {:?}: {message}; an issued invoice never changes: restore the entry as `tally seal` wrote it",
                    entry.record.number
                ),
            ));
        }
    }
    records
}

/// One record, or `None` with what is wrong with it in `found`.
fn record(
    config: &Config,
    raw: &RawIssued,
    earlier: &[IssuedRecord],
    found: &mut Vec<String>,
) -> Option<IssuedRecord> {
    let prefix = &config.invoices.prefix;
    let kind = DocumentKind::parse(&raw.kind);
    if kind.is_none() {
        found.push(format!(
            "type: {:?} is not invoice, credit-note or supplementary",
            raw.kind
        ));
    }
    let period = Period::parse(
        config.invoices.period,
        prefix,
        &format!("{prefix}-{}", raw.period),
    );
    if period.is_none() {
        found.push(format!(
            "period: {:?} is not a period of this site",
            raw.period
        ));
    }
    if earlier.iter().any(|r| r.number == raw.number) {
        found.push("number: recorded twice".into());
    }
    let issued = parse_date(&raw.issued)
        .map_err(|e| found.push(format!("issued: {e}")))
        .ok();
    let total = decimal("total", &raw.total, found);
    for (name, value) in [
        ("xml_sha256", &raw.xml_sha256),
        ("csv_sha256", &raw.csv_sha256),
    ] {
        if !is_digest(value) {
            found.push(format!("{name}: not a SHA-256 in lowercase hex"));
        }
    }
    let lines: Vec<InvoiceLine> = raw
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, l)| line(i + 1, l, kind == Some(DocumentKind::Invoice), found))
        .collect();
    let (kind, period, issued, total) = (kind?, period?, issued?, total?);
    figures(raw, &lines, total, found);
    numbering(raw, kind, period, prefix, earlier, found);
    if issued <= period.end() {
        found.push(format!(
            "issued: {issued} is not after the period's end, {}",
            period.end()
        ));
    }
    found.is_empty().then(|| IssuedRecord {
        number: raw.number.clone(),
        kind,
        references: raw.references.clone(),
        period,
        issued,
        total,
        lines,
        xml_sha256: raw.xml_sha256.clone(),
        csv_sha256: raw.csv_sha256.clone(),
        line: 0,
    })
}

/// The count of lines and their sum; a correction's total has the sign of its kind.
fn figures(raw: &RawIssued, lines: &[InvoiceLine], total: Decimal, found: &mut Vec<String>) {
    if raw.lines != raw.items.len() as u64 {
        found.push(format!(
            "lines: {} recorded, {} [[invoice.line]] entries",
            raw.lines,
            raw.items.len()
        ));
    }
    let sum: Decimal = lines.iter().map(|l| l.amount).sum();
    if lines.len() == raw.items.len() && sum != total {
        found.push(format!(
            "total: {total} recorded, its lines add up to {sum}"
        ));
    }
    let negative = total < Decimal::ZERO;
    match DocumentKind::parse(&raw.kind) {
        Some(DocumentKind::CreditNote) if !negative => {
            found.push("total: a credit note's total is below zero".into())
        }
        Some(DocumentKind::Supplementary | DocumentKind::Invoice) if negative => {
            found.push("total: below zero".into())
        }
        _ => {}
    }
}

/// An invoice is numbered by its period; its corrections `<number>-C1`, `-C2`, … in
/// the order they were recorded, after it.
fn numbering(
    raw: &RawIssued,
    kind: DocumentKind,
    period: Period,
    prefix: &str,
    earlier: &[IssuedRecord],
    found: &mut Vec<String>,
) {
    let own = period.number(prefix);
    if kind == DocumentKind::Invoice {
        if raw.number != own || raw.references.is_some() {
            found.push(format!(
                "number: the invoice for {} is {own}, without references",
                period.label()
            ));
        }
        return;
    }
    let original = earlier
        .iter()
        .any(|r| r.kind == DocumentKind::Invoice && r.number == own);
    if raw.references.as_deref() != Some(own.as_str()) || !original {
        found.push(format!(
            "references: a correction references the invoice of its period, {own}, recorded before it"
        ));
        return;
    }
    let k = earlier
        .iter()
        .filter(|r| r.references.as_deref() == Some(own.as_str()))
        .count();
    let expected = format!("{own}-C{}", k + 1);
    if raw.number != expected {
        found.push(format!(
            "number: the next correction of {own} is {expected}"
        ));
    }
}

fn decimal(name: &str, text: &str, found: &mut Vec<String>) -> Option<Decimal> {
    text.parse::<Decimal>()
        .map_err(|_| found.push(format!("{name}: {text:?} is not a decimal")))
        .ok()
}

/// Line `n`; an invoice's line is a quantity above zero at its rate, rounded to cents.
fn line(
    n: usize,
    raw: &RawIssuedLine,
    invoice: bool,
    found: &mut Vec<String>,
) -> Option<InvoiceLine> {
    let mut local = Vec::new();
    let quantity = decimal("quantity", &raw.quantity, &mut local);
    let rate = decimal("rate", &raw.rate, &mut local);
    let amount = decimal("amount", &raw.amount, &mut local);
    let from = parse_date(&raw.from)
        .map_err(|e| local.push(format!("from: {e}")))
        .ok();
    let to = parse_date(&raw.to)
        .map_err(|e| local.push(format!("to: {e}")))
        .ok();
    let done = |local: Vec<String>, found: &mut Vec<String>| {
        found.extend(local.into_iter().map(|m| format!("line {n}: {m}")));
    };
    let (Some(quantity), Some(rate), Some(amount), Some(from), Some(to)) =
        (quantity, rate, amount, from, to)
    else {
        done(local, found);
        return None;
    };
    if invoice && (quantity <= Decimal::ZERO || cents(quantity * rate) != amount) {
        local.push(format!(
            "amount: {amount} is not quantity {quantity} × rate {rate} rounded to cents"
        ));
    }
    let ok = local.is_empty();
    done(local, found);
    ok.then(|| InvoiceLine {
        category: raw.category.clone(),
        unit: raw.unit.clone(),
        quantity,
        rate,
        rate_source: raw.rate_source.clone(),
        from,
        to,
        amount,
        services: raw.services.unsigned_abs() as usize,
        receipts: raw.receipts.unsigned_abs() as usize,
    })
}
