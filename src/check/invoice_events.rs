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
use crate::model::invoice::{self, Invoice, Parties, service_rows_of};
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
    let issued = issued_invoices(config, ledger, as_of);
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
        let text = row.get(date_col);
        let Ok(date) = Date::from_str(text) else {
            problems.push(at(format!("date: {text:?} is not a date (YYYY-MM-DD)")));
            continue;
        };
        if date < invoice.issue_date {
            problems.push(at(format!(
                "date: {date} is before {number} was issued, on {}",
                invoice.issue_date
            )));
            continue;
        }
        let text = row.get(event_col);
        let Some(kind) = EventKind::parse(text) else {
            let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
            problems.push(at(format!(
                "event: {text:?} is not one of {}",
                names.join(", ")
            )));
            continue;
        };
        let amount_text = row.get(amount_col);
        let amount = match (kind, amount_text) {
            (EventKind::Paid, "") => {
                problems.push(at("amount: a payment needs its amount".into()));
                continue;
            }
            (EventKind::Paid, text) => match Decimal::from_str_exact(text) {
                Ok(amount) if amount > Decimal::ZERO && amount.scale() <= 2 => Some(amount),
                _ => {
                    problems.push(at(format!(
                        "amount: {text:?} is not an amount above zero in cents, like 1250.50"
                    )));
                    continue;
                }
            },
            (_, "") => None,
            (kind, text) => {
                problems.push(at(format!(
                    "amount: {text:?} given for a {:?} event; only payments have an amount",
                    kind.name()
                )));
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

/// The invoices the site issues, as the model will make them.
fn issued_invoices(config: &Config, ledger: &CheckedLedger, as_of: Option<Date>) -> Vec<Invoice> {
    let Some(as_of) = as_of else {
        return Vec::new();
    };
    let parties = Parties {
        issuer: &config.network,
        addressee: &config.municipality,
        currency: &config.currency,
        terms: &config.invoices,
    };
    let rows = service_rows_of(&ledger.entries, &ledger.rates);
    invoice::invoices(parties, &rows, as_of, &BTreeMap::new())
}

fn list(invoices: &[Invoice]) -> String {
    if invoices.is_empty() {
        return "none yet".into();
    }
    let numbers: Vec<&str> = invoices.iter().map(|i| i.number.as_str()).collect();
    numbers.join(", ")
}
