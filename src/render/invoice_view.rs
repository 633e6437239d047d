//! What an invoice page, its print view and its PDF show: the invoice as view types,
//! every amount, rate and date already written out. No file I/O.

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::Serialize;

use super::numbers::Numbers;
use super::views::long_date;
use super::{markdown, ubl};
use crate::config::{Municipality, Party};
use crate::model::invoice::{Invoice, InvoiceLine, Subtotal};
use crate::model::week::WeekId;
use crate::payment;

/// Whether this build can typeset PDFs (the `pdf` feature).
pub const PDF_ENABLED: bool = cfg!(feature = "pdf");

/// An address block.
#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub name: String,
    /// The addressee within the organisation ("Office of the Mayor").
    pub attention: Option<String>,
    pub address: Vec<String>,
    pub email: Option<String>,
    /// Legal registration number (the issuer).
    pub registration_id: Option<String>,
    pub vat_id: Option<String>,
}

/// Where and how the city pays: the same figures on the page, the PDF and the XML.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentView {
    /// `EUR 12,345.60`: the amount due.
    pub amount_due: String,
    pub account_holder: String,
    /// In groups of four, as printed on paper.
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// The ISO 11649 creditor reference in groups of four (`RF12 INV2 026Q 3`).
    pub reference: String,
}

/// One line of an invoice's history.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub date: String,
    pub iso_date: String,
    pub event: String,
    pub amount: Option<String>,
    pub note: String,
}

/// Where an invoice stands, as of the site's date.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    pub state: String,
    pub paid: String,
    pub outstanding: String,
    /// `12 days`, when overdue.
    pub overdue: Option<String>,
    pub history: Vec<EventView>,
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

/// Another invoice: the one a correction references, or a correction of this one.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLink {
    pub number: String,
    pub url: String,
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
    /// `Invoice`, `Credit note` or `Supplementary invoice`.
    pub document: String,
    /// The invoice a credit note or supplementary invoice corrects.
    pub references: Option<DocumentLink>,
    /// The credit notes and supplementary invoices correcting this invoice.
    pub corrections: Vec<DocumentLink>,
    /// The line of its record in `tally.lock`, once issued and recorded.
    pub lock_line: Option<usize>,
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
    /// The total as a number, for the column of amounts.
    pub total: String,
    /// The total with its currency: `€12,345.60`.
    pub total_money: String,
    pub receipts: String,
    /// The cover letter as sanitized HTML (for the page).
    pub letter_html: Option<String>,
    /// The cover letter as plain paragraphs (for the PDF).
    pub letter_paragraphs: Vec<String>,
    pub note: String,
    pub tax_note: String,
    pub csv_url: String,
    /// `None` for a draft: an e-invoice bears a number only once issued.
    pub xml_url: Option<String>,
    /// Not issued yet: shown as "DRAFT — not yet issued".
    pub draft: bool,
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
    /// The city's own order or contract reference.
    pub buyer_reference: Option<String>,
    pub payment: PaymentView,
    pub status: StatusView,
}

impl InvoiceView {
    /// `root` prefixes links; `base_url` makes the absolute ones printed on paper;
    /// `report_weeks`: the weeks that have a report page (links go only to those).
    pub fn new(
        invoice: &Invoice,
        root: &str,
        base_url: &str,
        report_weeks: &[WeekId],
        n: Numbers,
    ) -> InvoiceView {
        let url = format!("{root}invoices/{}/", invoice.number);
        let start = invoice.period.start();
        let end = invoice.period.end();
        let link = |number: &String| DocumentLink {
            number: number.clone(),
            url: format!("{root}invoices/{number}/"),
        };
        InvoiceView {
            number: invoice.number.clone(),
            document: invoice.kind.title().to_string(),
            references: invoice.references.as_ref().map(link),
            corrections: invoice.corrections.iter().map(link).collect(),
            lock_line: invoice.frozen.as_ref().map(|f| f.line),
            period: invoice.period.label(),
            period_start: long_date(start),
            period_end: long_date(end),
            issue_date: long_date(invoice.issue_date),
            iso_issue_date: invoice.issue_date.to_string(),
            due_date: long_date(invoice.due_date),
            iso_due_date: invoice.due_date.to_string(),
            payment_terms_days: invoice.payment_terms_days,
            currency: invoice.currency.clone(),
            issuer: PartyView::issuer(&invoice.issuer),
            addressee: PartyView::addressee(&invoice.addressee),
            buyer_reference: invoice.addressee.buyer_reference.clone(),
            payment: payment_view(invoice, n),
            status: status_view(invoice, n),
            lines: invoice.lines.iter().map(|l| line_view(l, n)).collect(),
            subtotals: invoice
                .subtotals
                .iter()
                .map(|s| subtotal_view(s, n))
                .collect(),
            total: n.fixed(invoice.total, 2),
            total_money: n.money(invoice.total, &invoice.currency),
            receipts: n.count(invoice.receipts as u64),
            letter_html: invoice.letter.as_ref().map(|n| markdown::to_html(&n.body)),
            letter_paragraphs: invoice
                .letter
                .as_ref()
                .map(|n| plain_paragraphs(&n.body))
                .unwrap_or_default(),
            note: ubl::NOTE.to_string(),
            tax_note: ubl::TAX_EXEMPTION_REASON.to_string(),
            csv_url: format!("{url}{}.csv", invoice.number),
            xml_url: (!invoice.draft).then(|| format!("{url}{}.xml", invoice.number)),
            draft: invoice.draft,
            pdf_url: PDF_ENABLED.then(|| format!("{url}{}.pdf", invoice.number)),
            weeks: week_links(report_weeks, start, end, root),
            ledger_url: format!("{root}data/ledger.csv"),
            data_url: format!("{root}data/"),
            public_url: format!("{base_url}invoices/{}/", invoice.number),
            public_data_url: format!("{base_url}data/"),
            rates: rate_sentences(invoice, n),
            url,
        }
    }
}

impl PartyView {
    /// The network as it signs its invoices.
    fn issuer(party: &Party) -> PartyView {
        PartyView {
            name: party.name.clone(),
            attention: None,
            address: party.address.clone(),
            email: party.email.clone(),
            registration_id: party.registration_id.clone(),
            vat_id: party.vat_id.clone(),
        }
    }

    /// The municipality, for the attention of its addressee.
    fn addressee(city: &Municipality) -> PartyView {
        PartyView {
            name: city.name.clone(),
            attention: city.addressee.clone(),
            address: city.address.clone(),
            email: None,
            registration_id: None,
            vat_id: None,
        }
    }
}

/// Links to the report pages of the weeks that overlap `start` to `end`.
fn week_links(report_weeks: &[WeekId], start: Date, end: Date, root: &str) -> Vec<WeekLink> {
    report_weeks
        .iter()
        .filter(|w| w.monday() <= end && w.sunday() >= start)
        .map(|w| WeekLink {
            week: w.to_string(),
            url: format!("{root}reports/{w}/"),
        })
        .collect()
}

/// Each rate the invoice applies, once, in words: `Food: €3.80 per kg from 1 January
/// 2026 (Market basket)`.
fn rate_sentences(invoice: &Invoice, n: Numbers) -> Vec<String> {
    let mut rates: Vec<String> = Vec::new();
    for line in &invoice.lines {
        let text = format!(
            "{}: {} per {} from {} ({})",
            title_case(&line.category),
            n.price(line.rate, &invoice.currency),
            line.unit,
            long_date(line.from),
            line.rate_source
        );
        if !rates.contains(&text) {
            rates.push(text);
        }
    }
    rates
}

fn payment_view(invoice: &Invoice, n: Numbers) -> PaymentView {
    let compact = |text: &str| -> String {
        text.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    PaymentView {
        amount_due: n.money(invoice.total, &invoice.currency),
        account_holder: invoice.issuer.name.clone(),
        iban: invoice
            .issuer
            .iban
            .as_deref()
            .map(|i| payment::grouped(&compact(i))),
        bic: invoice.issuer.bic.clone(),
        reference: payment::grouped(&invoice.payment_reference),
    }
}

fn status_view(invoice: &Invoice, n: Numbers) -> StatusView {
    let status = &invoice.status;
    let money = |d: Decimal| n.money(d, &invoice.currency);
    StatusView {
        state: status.state.name().to_string(),
        paid: money(status.paid),
        outstanding: money(status.outstanding),
        overdue: status
            .days_overdue
            .map(|d| format!("{d} day{}", if d == 1 { "" } else { "s" })),
        history: status
            .events
            .iter()
            .map(|e| EventView {
                date: long_date(e.date),
                iso_date: e.date.to_string(),
                event: e.kind.name().to_string(),
                amount: e.amount.map(|a| n.fixed(a, 2)),
                note: e.note.clone(),
            })
            .collect(),
    }
}

fn line_view(line: &InvoiceLine, n: Numbers) -> LineView {
    LineView {
        category: title_case(&line.category),
        unit: line.unit.clone(),
        quantity: n.quantity(line.quantity),
        rate: n.rate(line.rate),
        rate_source: line.rate_source.clone(),
        amount: n.fixed(line.amount, 2),
        receipts: n.count(line.receipts as u64),
        dates: date_range(line.from, line.to),
        from: line.from.to_string(),
        to: line.to.to_string(),
    }
}

fn subtotal_view(subtotal: &Subtotal, n: Numbers) -> SubtotalView {
    SubtotalView {
        category: title_case(&subtotal.category),
        amount: n.fixed(subtotal.amount, 2),
        receipts: n.count(subtotal.receipts as u64),
    }
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
