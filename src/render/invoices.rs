//! Jobs for the invoices: `/invoices/`, and per invoice `/invoices/<number>/` with its
//! lines as CSV, its PDF (feature `pdf`) and its UBL XML; `/data/invoices.csv`.
//! Views here hold display-ready strings; the PDF is typeset from the same view.

use rust_decimal::Decimal;
use serde::Serialize;

use super::open_data::{DataFile, Field, size};
use super::views::long_date;
use super::{Job, OutputFile, Renderer, markdown, ubl};
use crate::config::InvoicePeriod;
use crate::error::{Error, Result};
use crate::model::Site;
use crate::model::invoice::{Invoice, InvoiceLine, Subtotal};
use crate::model::week::WeekId;

/// Whether this build can typeset PDFs (the `pdf` feature).
pub const PDF_ENABLED: bool = cfg!(feature = "pdf");

pub fn jobs(r: &Renderer<'_>) -> Result<Vec<Job<'static>>> {
    let site = r.site;
    let root = &r.site_view.root;
    let mut jobs = Vec::new();
    let report_weeks: Vec<WeekId> = site.ledger.weeks.iter().map(|w| w.week).collect();
    let views: Vec<InvoiceView> = site
        .invoices
        .iter()
        .map(|invoice| InvoiceView::new(invoice, root, &site.config.base_url, &report_weeks))
        .collect();

    let list = Renderer::with(r.context("Invoices", "invoices"), "invoices", &views);
    let list = Renderer::with(list, "pdf_enabled", &PDF_ENABLED);
    let list = Renderer::with(
        list,
        "period_word",
        period_word(site.config.invoices.period),
    );
    jobs.push(Job::page("invoices/", "invoices.html", list));

    for (invoice, view) in site.invoices.iter().zip(views) {
        let dir = format!("invoices/{}/", invoice.number);
        // An invoice is made from the ledger and its letter alone: its files are made
        // again (above all the PDF) only when one of those changed.
        let fingerprint = r.fingerprint(&(
            r.ledger_fingerprint(),
            &invoice.number,
            invoice.letter.as_ref().map(|n| &n.body),
        ));
        let files = r.made(&dir, fingerprint, || {
            invoice_files(site, invoice, &view, &dir)
        })?;
        let title = format!("Invoice {}", invoice.number);
        let context = Renderer::with(r.context(&title, "invoices"), "invoice", &view);
        jobs.push(Job::page(&dir, "invoice.html", context));
        jobs.extend(files.iter().cloned().map(Job::File));
    }
    Ok(jobs)
}

/// An invoice's lines as CSV, its UBL XML and (feature `pdf`) its PDF.
fn invoice_files(
    site: &Site,
    invoice: &Invoice,
    view: &InvoiceView,
    dir: &str,
) -> Result<Vec<OutputFile>> {
    #[cfg_attr(not(feature = "pdf"), allow(unused_mut))]
    let mut files = vec![
        OutputFile::new(format!("{dir}{}.csv", invoice.number), lines_csv(invoice)?),
        OutputFile::new(
            format!("{dir}{}.xml", invoice.number),
            ubl::invoice_xml(invoice, &site.config.invoices.unit_codes),
        ),
    ];
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

/// An address block.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub name: String,
    /// The addressee within the organisation ("Office of the Mayor").
    pub attention: Option<String>,
    pub address: Vec<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub category: String,
    pub unit: String,
    pub quantity: String,
    pub rate: String,
    pub rate_source: String,
    pub amount: String,
    pub receipts: String,
    /// `1 July – 31 July 2026`.
    pub dates: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubtotalView {
    pub category: String,
    pub amount: String,
    pub receipts: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekLink {
    pub week: String,
    pub url: String,
}

/// One invoice, ready for the page, the list and the PDF.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceView {
    pub number: String,
    pub url: String,
    pub period: String,
    pub period_start: String,
    pub period_end: String,
    pub issue_date: String,
    pub iso_issue_date: String,
    pub due_date: String,
    pub iso_due_date: String,
    pub payment_terms_days: u32,
    pub currency: String,
    pub issuer: PartyView,
    pub addressee: PartyView,
    pub lines: Vec<LineView>,
    pub subtotals: Vec<SubtotalView>,
    pub total: String,
    pub receipts: String,
    /// The cover letter as sanitized HTML (for the page).
    pub letter_html: Option<String>,
    /// The cover letter as plain paragraphs (for the PDF).
    pub letter_paragraphs: Vec<String>,
    pub note: String,
    pub tax_note: String,
    pub csv_url: String,
    pub xml_url: String,
    /// `None` when this build cannot typeset PDFs.
    pub pdf_url: Option<String>,
    /// The weekly reports of the period.
    pub weeks: Vec<WeekLink>,
    pub ledger_url: String,
    pub data_url: String,
    /// Absolute URLs, for paper.
    pub public_url: String,
    pub public_data_url: String,
    /// The rates applied, each with its source, in the order of the lines.
    pub rates: Vec<String>,
}

impl InvoiceView {
    /// `root` prefixes links; `base_url` makes the absolute ones printed on paper;
    /// `report_weeks`: the weeks that have a report page (links go only to those).
    pub fn new(
        invoice: &Invoice,
        root: &str,
        base_url: &str,
        report_weeks: &[WeekId],
    ) -> InvoiceView {
        let url = format!("{root}invoices/{}/", invoice.number);
        let start = invoice.period.start();
        let end = invoice.period.end();
        let weeks = report_weeks
            .iter()
            .filter(|w| w.monday() <= end && w.sunday() >= start)
            .map(|w| WeekLink {
                week: w.to_string(),
                url: format!("{root}reports/{w}/"),
            })
            .collect();
        let mut rates: Vec<String> = Vec::new();
        for line in &invoice.lines {
            let text = format!(
                "{}: {} {} per {} from {} ({})",
                title_case(&line.category),
                rate_text(line.rate),
                invoice.currency,
                line.unit,
                long_date(line.from),
                line.rate_source
            );
            if !rates.contains(&text) {
                rates.push(text);
            }
        }
        InvoiceView {
            number: invoice.number.clone(),
            period: invoice.period.label(),
            period_start: long_date(start),
            period_end: long_date(end),
            issue_date: long_date(invoice.issue_date),
            iso_issue_date: invoice.issue_date.to_string(),
            due_date: long_date(invoice.due_date),
            iso_due_date: invoice.due_date.to_string(),
            payment_terms_days: invoice.payment_terms_days,
            currency: invoice.currency.clone(),
            issuer: PartyView {
                name: invoice.issuer.name.clone(),
                attention: None,
                address: invoice.issuer.address.clone(),
                email: invoice.issuer.email.clone(),
            },
            addressee: PartyView {
                name: invoice.addressee.name.clone(),
                attention: invoice.addressee.addressee.clone(),
                address: invoice.addressee.address.clone(),
                email: None,
            },
            lines: invoice.lines.iter().map(line_view).collect(),
            subtotals: invoice.subtotals.iter().map(subtotal_view).collect(),
            total: amount(invoice.total),
            receipts: grouped_integer(invoice.receipts),
            letter_html: invoice.letter.as_ref().map(|n| markdown::to_html(&n.body)),
            letter_paragraphs: invoice
                .letter
                .as_ref()
                .map(|n| plain_paragraphs(&n.body))
                .unwrap_or_default(),
            note: ubl::NOTE.to_string(),
            tax_note: ubl::TAX_EXEMPTION_REASON.to_string(),
            csv_url: format!("{url}{}.csv", invoice.number),
            xml_url: format!("{url}{}.xml", invoice.number),
            pdf_url: PDF_ENABLED.then(|| format!("{url}{}.pdf", invoice.number)),
            weeks,
            ledger_url: format!("{root}data/ledger.csv"),
            data_url: format!("{root}data/"),
            public_url: format!("{base_url}invoices/{}/", invoice.number),
            public_data_url: format!("{base_url}data/"),
            rates,
            url,
        }
    }
}

fn line_view(line: &InvoiceLine) -> LineView {
    LineView {
        category: title_case(&line.category),
        unit: line.unit.clone(),
        quantity: grouped(line.quantity.normalize()),
        rate: rate_text(line.rate),
        rate_source: line.rate_source.clone(),
        amount: amount(line.amount),
        receipts: grouped_integer(line.receipts),
        dates: date_range(line.from, line.to),
        from: line.from.to_string(),
        to: line.to.to_string(),
    }
}

fn subtotal_view(subtotal: &Subtotal) -> SubtotalView {
    SubtotalView {
        category: title_case(&subtotal.category),
        amount: amount(subtotal.amount),
        receipts: grouped_integer(subtotal.receipts),
    }
}

/// A rate with at least the cents: `3.80`, `0.34`, `0.1234`.
pub fn rate_text(rate: Decimal) -> String {
    let mut r = rate.normalize();
    if r.scale() < 2 {
        r.rescale(2);
    }
    r.to_string()
}

/// `1–31 Jul 2026`, `1 Jul – 30 Sep 2026`, `1 Dec 2026 – 31 Jan 2027`: short enough
/// for a column of an A4 invoice.
pub fn date_range(from: jiff::civil::Date, to: jiff::civil::Date) -> String {
    let short = |d: jiff::civil::Date| d.strftime("%-d %b %Y").to_string();
    if from.year() != to.year() {
        format!("{} – {}", short(from), short(to))
    } else if from.month() != to.month() {
        format!("{} – {}", from.strftime("%-d %b"), short(to))
    } else if from.day() != to.day() {
        format!("{}–{}", from.day(), short(to))
    } else {
        short(from)
    }
}

/// `food` → `Food`, `child-care` → `Child care`.
pub fn title_case(slug: &str) -> String {
    let text = slug.replace(['-', '_'], " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An amount with two decimals and thousands separated: `12,345.60`.
pub fn amount(value: Decimal) -> String {
    let mut v = value;
    v.rescale(2);
    grouped(v)
}

/// A decimal with its integer digits grouped by thousands: `12,345.6`.
pub fn grouped(value: Decimal) -> String {
    let text = value.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

fn grouped_integer(n: usize) -> String {
    grouped(Decimal::from(n))
}

/// Markdown as plain paragraphs of text (for the PDF's cover letter): inline markup
/// dropped, links reduced to their text, line breaks inside a paragraph joined.
pub fn plain_paragraphs(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak => current.push(' '),
            Event::HardBreak => current.push('\n'),
            Event::Start(Tag::Item) => current.push_str("• "),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                let text = current.trim().to_string();
                if !text.is_empty() {
                    paragraphs.push(text);
                }
                current.clear();
            }
            _ => {}
        }
    }
    let text = current.trim();
    if !text.is_empty() {
        paragraphs.push(text.to_string());
    }
    paragraphs
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
            cents_text(line.amount),
            line.rate_source.clone(),
        ]);
    }
    write_csv(&mut w, &header, &rows)?;
    finish_csv(w, "invoice lines")
}

/// `/data/invoices.csv`: one row per invoice, described for the open data page and the
/// Data Package.
pub fn invoices_data(site: &Site) -> Result<(DataFile, Vec<u8>)> {
    let currency = &site.config.currency;
    let field = |name: &'static str, kind: &'static str, description: String| Field {
        name,
        kind,
        description,
        unit: None,
    };
    let mut fields = vec![
        field(
            "number",
            "string",
            "The invoice number, like INV-2026-Q3.".into(),
        ),
        field(
            "period_start",
            "date",
            "The first day of the period invoiced.".into(),
        ),
        field(
            "period_end",
            "date",
            "The last day of the period invoiced.".into(),
        ),
        field(
            "issue_date",
            "date",
            "The day after the period ends.".into(),
        ),
        field(
            "due_date",
            "date",
            "The issue date plus the payment terms.".into(),
        ),
        field("currency", "string", "The currency of the amounts.".into()),
        field(
            "lines",
            "integer",
            "Lines: one per category, unit and rate.".into(),
        ),
        field(
            "services",
            "integer",
            "Service rows behind the invoice.".into(),
        ),
        field(
            "receipts",
            "integer",
            "Commons receipts behind the invoice.".into(),
        ),
        field(
            "total",
            "number",
            format!(
                "The sum of the lines, each quantity × rate rounded to the cent, in {currency}."
            ),
        ),
    ];
    if let Some(total) = fields.last_mut() {
        total.unit = Some(currency.clone());
    }
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    let rows: Vec<Vec<String>> = site
        .invoices
        .iter()
        .map(|inv| {
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
                cents_text(inv.total),
            ]
        })
        .collect();
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
        rows_shown: grouped_integer(rows.len()),
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

fn cents_text(value: Decimal) -> String {
    let mut v = value;
    v.rescale(2);
    v.to_string()
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
    fn amounts_have_cents_and_thousands_separators() {
        assert_eq!(amount(Decimal::from_str("12345.6").unwrap()), "12,345.60");
        assert_eq!(amount(Decimal::from_str("999").unwrap()), "999.00");
        assert_eq!(
            amount(Decimal::from_str("-1234567.891").unwrap()),
            "-1,234,567.89"
        );
        assert_eq!(grouped(Decimal::from_str("1000.25").unwrap()), "1,000.25");
    }

    #[test]
    fn rates_show_at_least_the_cents() {
        assert_eq!(rate_text(Decimal::from_str("3.8").unwrap()), "3.80");
        assert_eq!(rate_text(Decimal::from_str("14.500").unwrap()), "14.50");
        assert_eq!(rate_text(Decimal::from_str("0.1234").unwrap()), "0.1234");
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
}
