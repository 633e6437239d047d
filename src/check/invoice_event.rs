//! `data/invoice-events.csv` (`number,date,event,amount,note`) → each invoice's events.
//! An event names an invoice the site issues, happens on or after its issue date, is one
//! of the known kinds; a payment has a positive amount and the payments of an invoice do
//! not add up to more than its total. Every problem names the file and the line.

use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawTable;
use crate::model::invoice::{self, Invoice};
use crate::model::invoice_status::{EventKind, InvoiceEvent};
use crate::model::ledger::CheckedLedger;

/// The events of each invoice, by number, in the order of the file.
pub type Events = BTreeMap<String, Vec<InvoiceEvent>>;

pub fn check(
    config: &Config,
    ledger: &CheckedLedger,
    as_of: Option<Date>,
    table: Option<&RawTable>,
    problems: &mut Diagnostics,
) -> Events {
    let mut events = Events::new();
    let Some(table) = table else {
        return events;
    };
    if !table.require(&["number", "date", "event"], problems) {
        return events;
    }
    // The invoices the site issues, as the model will make them.
    let issued = invoice::of_checked(config, ledger, as_of, &BTreeMap::new());
    let col = |name| table.column(name);
    let (number_col, date_col, event_col) = (col("number"), col("date"), col("event"));
    let (amount_col, note_col) = (col("amount"), col("note"));
    let mut paid: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in &table.rows {
        let at = |message: String| Diagnostic::at(&table.path, row.line, message);
        let number = row.get(number_col);
        let Some(invoice) = issued.iter().find(|i| i.number == number) else {
            problems.push(at(format!(
                "number: there is no invoice {number:?} (the site issues {})",
                list(&issued)
            )));
            continue;
        };
        let row_event = event_date(row.get(date_col), invoice).and_then(|date| {
            let kind = event_kind(row.get(event_col))?;
            Ok((date, kind, event_amount(kind, row.get(amount_col))?))
        });
        let (date, kind, amount) = match row_event {
            Ok(parsed) => parsed,
            Err(problem) => {
                problems.push(at(problem));
                continue;
            }
        };
        if let Some(amount) = amount {
            let sum = paid.entry(number.to_string()).or_default();
            *sum += amount;
            if *sum > invoice.total {
                problems.push(at(format!(
                    "amount: the payments of {number} add up to {sum}, above its total of {}",
                    invoice.total
                )));
                continue;
            }
        }
        events
            .entry(number.to_string())
            .or_default()
            .push(InvoiceEvent {
                date,
                kind,
                amount,
                note: row.get(note_col).to_string(),
            });
    }
    events
}

/// The date of an event of `invoice`: a date, not before the invoice was issued.
fn event_date(text: &str, invoice: &Invoice) -> Result<Date, String> {
    let Ok(date) = Date::from_str(text) else {
        return Err(format!("date: {text:?} is not a date (YYYY-MM-DD)"));
    };
    if date < invoice.issue_date {
        return Err(format!(
            "date: {date} is before {} was issued, on {}",
            invoice.number, invoice.issue_date
        ));
    }
    Ok(date)
}

/// The kind of event, by its name.
fn event_kind(text: &str) -> Result<EventKind, String> {
    EventKind::parse(text).ok_or_else(|| {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        format!("event: {text:?} is not one of {}", names.join(", "))
    })
}

/// The amount of an event: a payment's, above zero in cents; no other event has one.
fn event_amount(kind: EventKind, text: &str) -> Result<Option<Decimal>, String> {
    match (kind, text) {
        (EventKind::Paid, "") => Err("amount: a payment needs its amount".into()),
        (EventKind::Paid, text) => match Decimal::from_str_exact(text) {
            Ok(amount) if amount > Decimal::ZERO && amount.scale() <= 2 => Ok(Some(amount)),
            _ => Err(format!(
                "amount: {text:?} is not an amount above zero in cents, like 1250.50"
            )),
        },
        (_, "") => Ok(None),
        (kind, text) => Err(format!(
            "amount: {text:?} given for a {:?} event; only payments have an amount",
            kind.name()
        )),
    }
}

fn list(invoices: &[Invoice]) -> String {
    if invoices.is_empty() {
        return "none yet".into();
    }
    let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
    numbers.join(", ")
}
