//! Issued invoices, frozen: what `tally seal` records in `tally.lock` when it issues an
//! invoice, a credit note or a supplementary invoice — its number, period, issue date,
//! total, lines and the SHA-256 of its XML and CSV — and how a frozen record becomes the
//! invoice the site shows. Plain data; no file I/O.

use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{Invoice, InvoiceLine, Period, due_date, subtotals};

/// What a document is: an invoice (UNCL 1001 code 380), a credit note (381) or a
/// supplementary invoice (380 again, with a reference to the invoice it adds to: Peppol
/// allows the corrected-invoice code 384 only between German organisations).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    #[default]
    Invoice,
    /// Credits the city with what an amendment took off an issued invoice.
    CreditNote,
    /// Charges what an amendment added to an issued invoice.
    Supplementary,
}

impl DocumentKind {
    /// As written in `tally.lock`.
    pub fn key(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::CreditNote => "credit-note",
            DocumentKind::Supplementary => "supplementary",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentKind> {
        [
            DocumentKind::Invoice,
            DocumentKind::CreditNote,
            DocumentKind::Supplementary,
        ]
        .into_iter()
        .find(|k| k.key() == text)
    }

    /// `Invoice`, `Credit note`, `Supplementary invoice`.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "Invoice",
            DocumentKind::CreditNote => "Credit note",
            DocumentKind::Supplementary => "Supplementary invoice",
        }
    }

    /// The UNCL 1001 document type code of its UBL document.
    pub fn type_code(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "380",
            DocumentKind::CreditNote => "381",
            DocumentKind::Supplementary => "380",
        }
    }
}

/// Where an issued document was frozen: its `[[invoice]]` entry in `tally.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frozen {
    /// The line of its `[[invoice]]` header.
    pub line: usize,
    pub xml_sha256: String,
    pub csv_sha256: String,
}

/// One `[[invoice]]` entry of `tally.lock`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRecord {
    pub number: String,
    pub kind: DocumentKind,
    pub references: Option<String>,
    pub period: Period,
    /// The site's "as of" date when `tally seal` issued it.
    pub issued: Date,
    /// Signed: a credit note's total is below zero.
    pub total: Decimal,
    /// Signed quantities and amounts for a correction.
    pub lines: Vec<InvoiceLine>,
    pub xml_sha256: String,
    pub csv_sha256: String,
    /// The line of its `[[invoice]]` header (0 for a record not written yet).
    pub line: usize,
}

impl IssuedRecord {
    /// The record of `invoice` as issued on `issued`, with the digests of its files.
    pub fn of(invoice: &Invoice, issued: Date, xml_sha256: String, csv_sha256: String) -> Self {
        IssuedRecord {
            number: invoice.number.clone(),
            kind: invoice.kind,
            references: invoice.references.clone(),
            period: invoice.period,
            issued,
            total: invoice.total,
            lines: invoice.lines.clone(),
            xml_sha256,
            csv_sha256,
            line: 0,
        }
    }

    /// The entry as appended to `tally.lock`: a blank line, `[[invoice]]`, its lines.
    pub fn to_toml(&self) -> String {
        let mut t = String::new();
        let _ = write!(
            t,
            "\n[[invoice]]\nnumber = {}\ntype = \"{}\"\n",
            quoted(&self.number),
            self.kind.key()
        );
        if let Some(original) = &self.references {
            let _ = writeln!(t, "references = {}", quoted(original));
        }
        let _ = write!(
            t,
            "period = \"{}\"\nissued = \"{}\"\ntotal = \"{}\"\nlines = {}\nxml_sha256 = \"{}\"\ncsv_sha256 = \"{}\"\n",
            self.period,
            self.issued,
            self.total,
            self.lines.len(),
            self.xml_sha256,
            self.csv_sha256
        );
        for l in &self.lines {
            let _ = write!(
                t,
                "\n[[invoice.line]]\ncategory = {}\nunit = {}\nquantity = \"{}\"\nrate = \"{}\"\nrate_source = {}\nfrom = \"{}\"\nto = \"{}\"\nservices = {}\nreceipts = {}\namount = \"{}\"\n",
                quoted(&l.category),
                quoted(&l.unit),
                l.quantity.normalize(),
                l.rate.normalize(),
                quoted(&l.rate_source),
                l.from,
                l.to,
                l.services,
                l.receipts,
                l.amount
            );
        }
        t
    }

    /// `invoice` (recomputed from today's data, for its parties and terms) as this
    /// record froze it: the recorded lines, total and issue date.
    pub fn apply(&self, mut invoice: Invoice) -> Invoice {
        invoice.number = self.number.clone();
        invoice.kind = self.kind;
        invoice.references = self.references.clone();
        invoice.lines = self.lines.clone();
        invoice.subtotals = subtotals(&self.lines);
        invoice.total = self.total;
        invoice.receipts = self.lines.iter().map(|l| l.receipts).sum();
        invoice.issue_date = self.issued;
        invoice.due_date = due_date(self.issued, invoice.payment_terms_days);
        invoice.draft = false;
        invoice.payment_reference =
            crate::payment::creditor_reference(&self.number).unwrap_or_default();
        invoice.frozen = Some(Frozen {
            line: self.line,
            xml_sha256: self.xml_sha256.clone(),
            csv_sha256: self.csv_sha256.clone(),
        });
        invoice
    }
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The lines by which `now` differs from what was issued (`issued`: an invoice's lines
/// and those of its corrections): one per category, unit, rate and dates, with the
/// signed difference of quantity and amount, and the rows and receipts that differ.
pub fn difference(now: &[InvoiceLine], issued: &[&InvoiceLine]) -> Vec<InvoiceLine> {
    type Key = (String, String, Decimal, Date, Date, String);
    let mut sums: BTreeMap<Key, (Decimal, Decimal, i64, i64)> = BTreeMap::new();
    let signed = now
        .iter()
        .map(|l| (l, 1))
        .chain(issued.iter().map(|l| (*l, -1)));
    for (line, sign) in signed {
        let key = (
            line.category.clone(),
            line.unit.clone(),
            line.rate.normalize(),
            line.from,
            line.to,
            line.rate_source.clone(),
        );
        let entry = sums.entry(key).or_default();
        let factor = Decimal::from(sign);
        entry.0 += line.quantity * factor;
        entry.1 += line.amount * factor;
        entry.2 += line.services as i64 * sign;
        entry.3 += line.receipts as i64 * sign;
    }
    sums.into_iter()
        .filter(|(_, (q, a, _, _))| !q.is_zero() || !a.is_zero())
        .map(
            |((category, unit, rate, from, to, rate_source), (q, a, s, r))| InvoiceLine {
                category,
                unit,
                quantity: q.normalize(),
                rate,
                rate_source,
                from,
                to,
                amount: super::cents(a),
                services: s.unsigned_abs() as usize,
                receipts: r.unsigned_abs() as usize,
            },
        )
        .collect()
}
