//! Jobs for the invoices: `/invoices/`, and per invoice `/invoices/<number>/` with its
//! lines as CSV, its PDF (feature `pdf`) and its UBL XML; `/data/invoices.csv`.
//! Views here hold display-ready strings; the PDF is typeset from the same view.

use rust_decimal::Decimal;
use serde::Serialize;

use super::data_package::{DataFile, Field, field, size};
pub use super::invoice_view::PDF_ENABLED;
use super::invoice_view::*;
use super::numbers::{Numbers, machine};
use super::{Job, OutputFile, Renderer, ubl};
use crate::config::InvoicePeriod;
use crate::error::{Error, Result};
use crate::model::Site;
use crate::model::invoice::Invoice;
use crate::model::invoice_status;
use crate::model::week::WeekId;

pub fn jobs(r: &Renderer<'_>) -> Result<Vec<Job<'static>>> {
    let site = r.site;
    let root = &r.site_view.root;
    let mut jobs = Vec::new();
    let report_weeks: Vec<WeekId> = site.ledger.weeks.iter().map(|w| w.week).collect();
    let views: Vec<InvoiceView> = site
        .invoices
        .iter()
        .map(|invoice| {
            InvoiceView::new(
                invoice,
                root,
                &site.config.base_url,
                &report_weeks,
                Numbers::of(&site.config),
            )
        })
        .collect();

    let newest_first: Vec<&InvoiceView> = views.iter().rev().collect();
    let list = Renderer::with(r.context("Invoices", "invoices"), "invoices", &newest_first);
    let list = Renderer::with(list, "pdf_enabled", &PDF_ENABLED);
    let list = Renderer::with(
        list,
        "period_word",
        period_word(site.config.invoices.period),
    );
    let list = Renderer::with(list, "headline", &headline(site));
    jobs.push(Job::page("invoices/", "invoices.html", list));

    for (invoice, view) in site.invoices.iter().zip(views) {
        let dir = invoice_dir(&invoice.number)?;
        // An invoice is made from the ledger, its letter and whether it is issued: its
        // files are made again (above all the PDF) only when one of those changed.
        let fingerprint = r.fingerprint(&(
            r.ledger_fingerprint(),
            &invoice.number,
            invoice.letter.as_ref().map(|n| &n.body),
            invoice.draft,
            (&invoice.lines, invoice.total, invoice.issue_date),
            (&invoice.references, &invoice.corrections),
        ));
        let files = r.made(&dir, fingerprint, || {
            invoice_files(site, invoice, &view, &dir)
        })?;
        let title = format!("{} {}", invoice.kind.title(), invoice.number);
        let context = Renderer::with(r.context(&title, "invoices"), "invoice", &view);
        jobs.push(Job::page(&dir, "invoice.html", context));
        jobs.extend(files.iter().cloned().map(Job::File));
    }
    Ok(jobs)
}

/// "The city has paid X of Y invoiced; Z overdue", in figures for the template.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub invoiced: String,
    pub paid: String,
    pub overdue: String,
}

fn headline(site: &Site) -> Headline {
    let totals = invoice_status::totals(&site.invoices);
    let n = Numbers::of(&site.config);
    let money = |v: Decimal| n.money(v, &site.config.currency);
    Headline {
        invoiced: money(totals.invoiced),
        paid: money(totals.paid),
        overdue: money(totals.overdue),
    }
}

/// `invoices/<number>/`. The number names a folder and files: one that is not letters,
/// digits and dashes could leave the output folder and is refused, whatever let it
/// through (the configuration check refuses such a prefix first).
pub fn invoice_dir(number: &str) -> Result<String> {
    let safe = !number.is_empty()
        && !number.starts_with('-')
        && number
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !safe {
        return Err(Error::Input(vec![crate::error::Diagnostic::new(
            crate::config::CONFIG_FILE,
            format!(
                "invoice number {number:?}: refusing to write its files, the name could leave the output folder (use letters, digits and dashes)"
            ),
        )]));
    }
    Ok(format!("invoices/{number}/"))
}

/// An invoice's lines as CSV, its UBL XML and (feature `pdf`) its PDF.
fn invoice_files(
    site: &Site,
    invoice: &Invoice,
    view: &InvoiceView,
    dir: &str,
) -> Result<Vec<OutputFile>> {
    #[cfg_attr(not(feature = "pdf"), allow(unused_mut))]
    let mut files = vec![OutputFile::new(
        format!("{dir}{}.csv", invoice.number),
        lines_csv(invoice)?,
    )];
    if !invoice.draft {
        files.push(OutputFile::new(
            format!("{dir}{}.xml", invoice.number),
            ubl::invoice_xml(invoice, &site.config.invoices.unit_codes),
        ));
    }
    #[cfg(feature = "pdf")]
    files.push(OutputFile::new(
        format!("{dir}{}.pdf", invoice.number),
        super::pdf::invoice_pdf(view).map_err(|message| Error::Template {
            template: "invoice.typ".into(),
            message: format!("{}: {message}", invoice.number),
        })?,
    ));
    #[cfg(not(feature = "pdf"))]
    let _ = view;
    Ok(files)
}

/// The lines of one invoice as CSV: one row per line, plain decimals.
pub fn lines_csv(invoice: &Invoice) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "invoice",
        "line",
        "category",
        "unit",
        "quantity",
        "rate",
        "currency",
        "from",
        "to",
        "services",
        "receipts",
        "amount",
        "rate_source",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, line) in invoice.lines.iter().enumerate() {
        rows.push(vec![
            invoice.number.clone(),
            (i + 1).to_string(),
            line.category.clone(),
            line.unit.clone(),
            line.quantity.normalize().to_string(),
            line.rate.normalize().to_string(),
            invoice.currency.clone(),
            line.from.to_string(),
            line.to.to_string(),
            line.services.to_string(),
            line.receipts.to_string(),
            machine(line.amount, 2),
            line.rate_source.clone(),
        ]);
    }
    write_csv(&mut w, &header, &rows)?;
    finish_csv(w, "invoice lines")
}

/// The columns of `/data/invoices.csv`: name, Table Schema type, whether it is an
/// amount in the site's currency, and its description (`{currency}` filled in).
const INVOICE_COLUMNS: &[(&str, &str, bool, &str)] = &[
    (
        "number",
        "string",
        false,
        "The invoice number, like INV-2026-Q3.",
    ),
    (
        "period_start",
        "date",
        false,
        "The first day of the period invoiced.",
    ),
    (
        "period_end",
        "date",
        false,
        "The last day of the period invoiced.",
    ),
    (
        "issue_date",
        "date",
        false,
        "The date of the tally seal that issued it (recorded in tally.lock); for a draft, a provisional date.",
    ),
    (
        "due_date",
        "date",
        false,
        "The issue date plus the payment terms.",
    ),
    ("currency", "string", false, "The currency of the amounts."),
    (
        "lines",
        "integer",
        false,
        "Lines: one per category, unit and rate.",
    ),
    (
        "services",
        "integer",
        false,
        "Service rows behind the invoice.",
    ),
    (
        "receipts",
        "integer",
        false,
        "Commons receipts behind the invoice.",
    ),
    (
        "total",
        "number",
        true,
        "The sum of the lines, each quantity × rate rounded to the cent, in {currency}.",
    ),
    (
        "status",
        "string",
        false,
        "Where the invoice stands: draft (a week of its period is not sealed yet, or a correction not yet issued by tally seal), issued, sent, acknowledged, disputed, partly paid, paid or withdrawn (data/invoice-events.csv).",
    ),
    (
        "document",
        "string",
        false,
        "invoice, credit note (UBL CreditNote, type 381) or supplementary invoice (type 380 referencing the invoice it adds to).",
    ),
    (
        "references",
        "string",
        false,
        "For a credit note or supplementary invoice: the number of the issued invoice it corrects.",
    ),
    (
        "paid",
        "number",
        true,
        "The sum of the payments received, in {currency}.",
    ),
    (
        "outstanding",
        "number",
        true,
        "The total less the payments (0 once withdrawn), in {currency}.",
    ),
    (
        "days_overdue",
        "integer",
        false,
        "Days past the due date with an amount outstanding, as of the site's latest date; empty when not overdue.",
    ),
];

/// The described columns of `/data/invoices.csv`, amounts in `currency`.
fn invoice_fields(currency: &str) -> Vec<Field> {
    INVOICE_COLUMNS
        .iter()
        .map(|&(name, kind, amount, description)| {
            let described = field(name, kind, description.replace("{currency}", currency));
            if amount {
                described.unit(currency)
            } else {
                described
            }
        })
        .collect()
}

/// One invoice's row of `/data/invoices.csv`, in the order of [`INVOICE_COLUMNS`].
fn invoice_row(inv: &Invoice) -> Vec<String> {
    vec![
        inv.number.clone(),
        inv.period.start().to_string(),
        inv.period.end().to_string(),
        inv.issue_date.to_string(),
        inv.due_date.to_string(),
        inv.currency.clone(),
        inv.lines.len().to_string(),
        inv.lines
            .iter()
            .map(|l| l.services)
            .sum::<usize>()
            .to_string(),
        inv.receipts.to_string(),
        machine(inv.total, 2),
        inv.status.state.name().to_string(),
        inv.kind.title().to_lowercase(),
        inv.references.clone().unwrap_or_default(),
        machine(inv.status.paid, 2),
        machine(inv.status.outstanding, 2),
        inv.status
            .days_overdue
            .map(|d| d.to_string())
            .unwrap_or_default(),
    ]
}

/// `/data/invoices.csv`: one row per invoice, described for the open data page and the
/// Data Package.
pub fn invoices_data(site: &Site) -> Result<(DataFile, Vec<u8>)> {
    let fields = invoice_fields(&site.config.currency);
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let rows: Vec<Vec<String>> = site.invoices.iter().map(invoice_row).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    write_csv(&mut w, &header, &rows)?;
    let bytes = finish_csv(w, "data/invoices.csv")?;
    let file = DataFile {
        name: "invoices",
        path: "invoices.csv",
        title: "Invoices to the municipality",
        description: format!(
            "One row per invoice: each closed {} with services, its dates and its total. \
             The lines of each invoice are at /invoices/<number>/<number>.csv.",
            period_word(site.config.invoices.period)
        ),
        fields,
        rows_shown: Numbers::of(&site.config).count(rows.len() as u64),
        rows: rows.len(),
        bytes: bytes.len(),
        size: size(bytes.len()),
    };
    Ok((file, bytes))
}

pub fn period_word(period: InvoicePeriod) -> &'static str {
    match period {
        InvoicePeriod::Month => "month",
        InvoicePeriod::Quarter => "quarter",
    }
}

fn write_csv(w: &mut csv::Writer<Vec<u8>>, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let fail = |e: csv::Error| Error::Template {
        template: "csv".into(),
        message: e.to_string(),
    };
    w.write_record(header).map_err(fail)?;
    for row in rows {
        w.write_record(super::csv_safe::record(row.iter().map(String::as_str)))
            .map_err(fail)?;
    }
    Ok(())
}

fn finish_csv(w: csv::Writer<Vec<u8>>, what: &str) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::Template {
        template: what.into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::str::FromStr;

    #[test]
    fn an_invoice_number_that_could_leave_the_output_folder_is_refused() {
        assert_eq!(invoice_dir("INV-2026-Q3").unwrap(), "invoices/INV-2026-Q3/");
        for bad in [
            "../../escape-2026-Q3",
            "a/b",
            "",
            "..",
            "/etc",
            "-x",
            "a\\b",
        ] {
            assert!(invoice_dir(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn invoice_amounts_have_cents_a_true_minus_and_the_sites_separators() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let en = Numbers::for_language("en");
        assert_eq!(en.fixed(d("12345.6"), 2), "12,345.60");
        assert_eq!(en.fixed(d("-1234567.891"), 2), "−1,234,567.89");
        assert_eq!(en.rate(d("14.500")), "14.50");
        assert_eq!(en.rate(d("0.1234")), "0.1234");
        assert_eq!(Numbers::for_language("de").rate(d("3.8")), "3,80");
        assert_eq!(machine(d("-1234567.891"), 2), "-1234567.89");
    }

    #[test]
    fn date_ranges_say_each_part_once() {
        assert_eq!(
            date_range(date(2026, 7, 1), date(2026, 7, 31)),
            "1–31 Jul 2026"
        );
        assert_eq!(
            date_range(date(2026, 7, 1), date(2026, 9, 30)),
            "1 Jul – 30 Sep 2026"
        );
        assert_eq!(
            date_range(date(2026, 12, 1), date(2027, 1, 31)),
            "1 Dec 2026 – 31 Jan 2027"
        );
        assert_eq!(date_range(date(2026, 7, 1), date(2026, 7, 1)), "1 Jul 2026");
    }

    #[test]
    fn letters_become_plain_paragraphs() {
        let paragraphs =
            plain_paragraphs("Dear Mayor,\n\nWe *enclose* our\nstatement.\n\n- one\n- two\n");
        assert_eq!(
            paragraphs,
            ["Dear Mayor,", "We enclose our statement.", "• one", "• two"]
        );
    }

    #[test]
    fn invoice_amount_columns_carry_the_currency_in_unit_and_description() {
        let fields = invoice_fields("EUR");
        let amounts: Vec<&str> = fields
            .iter()
            .filter(|f| f.unit.as_deref() == Some("EUR"))
            .map(|f| f.name)
            .collect();
        assert_eq!(amounts, ["total", "paid", "outstanding"]);
        assert!(fields.iter().all(|f| !f.description.contains("{currency}")));
        assert!(fields[9].description.ends_with("in EUR."));
    }
}
