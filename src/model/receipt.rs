//! Commons receipts as a resident looks them up: every ledger row with a receipt id,
//! with its public columns only (never the counterparty or the memo), its value, the
//! week's seal and the invoice it was billed in.

use rust_decimal::Decimal;

use super::invoice::{Invoice, Period};
use super::ledger::{Kind, Ledger, LedgerRow, Name};
use super::week::WeekId;
use crate::config::InvoicePeriod;

/// One commons receipt: public columns only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt<'a> {
    pub id: &'a str,
    pub date: jiff::civil::Date,
    pub week: WeekId,
    pub cell: Name,
    pub category: Name,
    pub kind: Kind,
    pub quantity: Decimal,
    pub unit: Name,
    /// At replacement cost (services).
    pub value: Option<Decimal>,
    /// The number of the invoice whose period holds the receipt's date, if any.
    pub invoice: Option<&'a str>,
}

/// Every receipt of the ledger, in input order.
pub fn receipts<'a>(
    ledger: &'a Ledger,
    invoices: &'a [Invoice],
    period: InvoicePeriod,
) -> impl Iterator<Item = Receipt<'a>> + 'a {
    ledger
        .entries
        .rows()
        .filter_map(move |row| receipt_of(ledger, invoices, period, row))
}

/// The receipt of the ledger's row at `index` (in input order), if it has one.
pub fn receipt_at<'a>(
    ledger: &'a Ledger,
    invoices: &'a [Invoice],
    period: InvoicePeriod,
    index: usize,
) -> Option<Receipt<'a>> {
    receipt_of(ledger, invoices, period, ledger.entries.row(index)?)
}

fn receipt_of<'a>(
    ledger: &'a Ledger,
    invoices: &'a [Invoice],
    period: InvoicePeriod,
    row: LedgerRow<'a>,
) -> Option<Receipt<'a>> {
    let id = row.receipt().filter(|r| !r.is_empty())?;
    let billed = Period::of(period, row.date);
    let invoice = invoices
        .iter()
        .find(|i| i.period == billed && row.kind == Kind::Service)
        .map(|i| i.number.as_str());
    Some(Receipt {
        id,
        date: row.date,
        week: row.week,
        cell: row.cell,
        category: row.category,
        kind: row.kind,
        quantity: row.quantity,
        unit: row.unit,
        value: ledger.value_of(row.entry),
        invoice,
    })
}
