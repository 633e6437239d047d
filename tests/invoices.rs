//! Invoices to the municipality: lines from the ledger's service rows, numbering,
//! closed periods, the page, the CSV, the UBL XML (validated against the OASIS schema),
//! the PDF (deterministic) and the printed page (at most two A4 pages).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use jiff::civil::{Date, date};
use rust_decimal::Decimal;
use tally::config::{InvoiceConfig, Municipality, Party};
use tally::model::Note;
use tally::model::invoice::{self, Invoice, Parties, Period, ServiceRate, ServiceRow};
use tally::render::OutputFile;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a decimal")
}

fn schema() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/schemas/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd"
    ))
}

fn has(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// An invoice made directly from rows, with awkward text in every field that reaches XML.
fn sample_invoice(letter: Option<&str>) -> Invoice {
    let issuer = Party {
        name: "Riverside Mutual Aid <Network> & Friends".into(),
        address: vec![
            "Community Hall".into(),
            "4 Mill Lane".into(),
            "\"Old\" Mill".into(),
            "Riverside".into(),
        ],
        email: Some("treasury@riverside.example".into()),
        country: Some("GB".into()),
    };
    let addressee = Municipality {
        name: "City of Riverside".into(),
        addressee: Some("Office of the Mayor".into()),
        address: vec!["City Hall".into(), "Riverside".into()],
        country: None,
    };
    let terms = InvoiceConfig::default();
    let parties = Parties {
        issuer: &issuer,
        addressee: &addressee,
        currency: "EUR",
        terms: &terms,
    };
    let rate = |from: Date, r: &str| ServiceRate {
        valid_from: from,
        rate: dec(r),
        source: format!("Tariff & index from {from}"),
    };
    let kwh_old = rate(date(2026, 1, 1), "0.34");
    let kwh_new = rate(date(2026, 8, 1), "0.31");
    let food = rate(date(2026, 1, 1), "3.80");
    let care = rate(date(2026, 1, 1), "14.50");
    let row = |d: Date, category: &str, unit: &str, q: &str, r: &ServiceRate| ServiceRow {
        date: d,
        category: category.into(),
        unit: unit.into(),
        quantity: dec(q),
        receipt: true,
        rate: r.clone(),
    };
    let rows = [
        row(date(2026, 7, 2), "energy", "kWh", "27.7", &kwh_old),
        row(date(2026, 8, 2), "energy", "kWh", "46.2", &kwh_new),
        row(date(2026, 7, 3), "food", "kg", "15.6", &food),
        row(date(2026, 9, 3), "care", "h", "3.5", &care),
    ];
    let period = Period::of(tally::config::InvoicePeriod::Quarter, date(2026, 7, 1));
    let letter = letter.map(|body| Note {
        path: "content/invoices/INV-2026-Q3.md".into(),
        body: body.to_string(),
    });
    invoice::invoice(parties, period, rows.iter().collect(), letter)
}

/// Renders a minimal site holding `invoices`, in memory.
fn render_with(invoices: Vec<Invoice>) -> Vec<OutputFile> {
    let dir = common::minimal_site();
    let mut site = tally::prepare(dir.path(), None).expect("the minimal site is valid");
    site.invoices = invoices;
    tally::render::render(&site).expect("renders")
}

fn file<'a>(files: &'a [OutputFile], path: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} in the output"))
        .bytes
}

fn xmllint(schema: &Path, xml: &Path) -> std::process::Output {
    Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(xml)
        .output()
        .expect("run xmllint")
}

#[test]
fn ubl_xml_validates_against_the_oasis_schema() {
    if !has("xmllint") {
        eprintln!("NOTICE: xmllint is not installed; skipping UBL schema validation");
        return;
    }
    let files = render_with(vec![sample_invoice(None)]);
    let xml = file(&files, "invoices/INV-2026-Q3/INV-2026-Q3.xml");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("INV-2026-Q3.xml");
    std::fs::write(&path, xml).expect("write xml");
    let out = xmllint(&schema(), &path);
    assert!(
        out.status.success(),
        "xmllint rejected the invoice:\n{}\n{}",
        common::stderr(&out),
        String::from_utf8_lossy(xml)
    );
    let text = String::from_utf8_lossy(xml);
    for expected in [
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>",
        "<cbc:ID>INV-2026-Q3</cbc:ID>",
        "<cbc:IssueDate>2026-10-01</cbc:IssueDate>",
        "<cbc:DueDate>2026-10-31</cbc:DueDate>",
        "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
        "<cbc:InvoicedQuantity unitCode=\"KWH\">27.7</cbc:InvoicedQuantity>",
        "<cbc:InvoicedQuantity unitCode=\"KGM\">15.6</cbc:InvoicedQuantity>",
        "<cbc:InvoicedQuantity unitCode=\"HUR\">3.5</cbc:InvoicedQuantity>",
        "<cbc:PayableAmount currencyID=\"EUR\">133.77</cbc:PayableAmount>",
        "<cbc:TaxAmount currencyID=\"EUR\">0.00</cbc:TaxAmount>",
        "Riverside Mutual Aid &lt;Network&gt; &amp; Friends",
        "<cbc:IdentificationCode>GB</cbc:IdentificationCode>",
        "services rendered to residents",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
}

#[test]
fn the_schema_check_can_fail() {
    // Guards the test above: a document missing its mandatory ID is rejected.
    if !has("xmllint") {
        eprintln!("NOTICE: xmllint is not installed; skipping UBL schema validation");
        return;
    }
    let files = render_with(vec![sample_invoice(None)]);
    let xml = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/INV-2026-Q3.xml"))
        .replace("<cbc:IssueDate>", "<cbc:IssueDateX>")
        .replace("</cbc:IssueDate>", "</cbc:IssueDateX>");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.xml");
    std::fs::write(&path, xml).expect("write xml");
    assert!(!xmllint(&schema(), &path).status.success());
}

#[cfg(feature = "pdf")]
#[test]
fn pdf_is_a_pdf_and_byte_identical_across_builds() {
    let letter = Some("Dear Mayor,\n\nWe *enclose* our statement.\n");
    let first = render_with(vec![sample_invoice(letter)]);
    let second = render_with(vec![sample_invoice(letter)]);
    let a = file(&first, "invoices/INV-2026-Q3/INV-2026-Q3.pdf");
    let b = file(&second, "invoices/INV-2026-Q3/INV-2026-Q3.pdf");
    assert!(a.starts_with(b"%PDF"), "not a PDF");
    assert!(a == b, "two builds gave different PDF bytes");
    // The cover letter page and the invoice page.
    assert_eq!(count_pages(a), 2);
    let without_letter = render_with(vec![sample_invoice(None)]);
    let c = file(&without_letter, "invoices/INV-2026-Q3/INV-2026-Q3.pdf");
    assert_eq!(count_pages(c), 1);
    assert!(!contains(a, b"/CreationDate"), "the PDF carries a creation date");
}

#[cfg(not(feature = "pdf"))]
#[test]
fn without_the_pdf_feature_no_pdf_is_written_and_the_page_says_so() {
    let files = render_with(vec![sample_invoice(None)]);
    assert!(!files.iter().any(|f| f.path.ends_with(".pdf")));
    let page = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/index.html"));
    assert!(page.contains("without PDF support"), "{page}");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Counts the page objects of a PDF (`/Type /Page`, not `/Type /Pages`), with or
/// without the space.
fn count_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    for pattern in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
        let mut i = 0;
        while i + pattern.len() <= pdf.len() {
            if &pdf[i..i + pattern.len()] == pattern {
                let next = pdf.get(i + pattern.len()).copied().unwrap_or(b' ');
                if !next.is_ascii_alphanumeric() {
                    n += 1;
                }
                i += pattern.len();
            } else {
                i += 1;
            }
        }
    }
    n
}

#[test]
fn page_csv_and_list_show_the_lines_and_the_total() {
    let files = render_with(vec![sample_invoice(Some("Dear Mayor,\n\nPlease **reply**.\n"))]);
    let page = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/index.html"));
    // By hand: 27.7 × 0.34 = 9.418 → 9.42; 46.2 × 0.31 = 14.322 → 14.32;
    // 15.6 × 3.80 = 59.28; 3.5 × 14.50 = 50.75; 9.42 + 14.32 + 59.28 + 50.75 = 133.77.
    assert!(page.contains("EUR 133.77"), "{page}");
    assert!(page.contains("1–31 July 2026"), "the first energy line's dates");
    assert!(page.contains("1 August – 30 September 2026"), "the second energy line");
    assert!(page.contains("Please <strong>reply</strong>."), "the cover letter");
    assert!(page.contains("Office of the Mayor"));
    let csv = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/INV-2026-Q3.csv"));
    assert!(csv.starts_with("invoice,line,category,unit,quantity,rate,currency,from,to,receipts,amount"));
    assert!(csv.contains("INV-2026-Q3,1,care,h,3.5,14.5,EUR,2026-07-01,2026-09-30,1,50.75,"));
    let data = String::from_utf8_lossy(file(&files, "data/invoices.csv"));
    assert!(data.contains("INV-2026-Q3,2026-07-01,2026-09-30,2026-10-01,2026-10-31,EUR,4,4,133.77"), "{data}");
    let list = String::from_utf8_lossy(file(&files, "invoices/index.html"));
    assert!(list.contains("INV-2026-Q3") && list.contains("EUR 133.77"), "{list}");
}

/// Prints `page` (a file under `out`) to PDF with headless Chromium; `None` when
/// Chromium is not installed.
fn print_with_chromium(out: &Path, page: &str) -> Option<Vec<u8>> {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| has(b))?;
    let pdf = out.join("printed.pdf");
    let profile = tempfile::tempdir().expect("temp dir");
    let status = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", out.join(page).display()))
        .output()
        .expect("run chromium");
    assert!(
        pdf.exists(),
        "chromium printed nothing: {}",
        common::stderr(&status)
    );
    Some(std::fs::read(&pdf).expect("read printed pdf"))
}

#[test]
fn an_invoice_page_with_its_letter_prints_on_at_most_two_a4_pages() {
    let dir = common::minimal_site();
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    // Links relative to the output folder, so that the page finds its style sheet.
    let base = format!("file://{}/", out.display());
    let mut site = tally::prepare(dir.path(), Some(&base)).expect("valid");
    let letter = "Dear Mayor,\n\n".to_string()
        + &"We enclose our statement of the services our cells rendered to residents. "
            .repeat(12)
        + "\n\nYours sincerely,\n\nThe Treasury\n";
    site.invoices = vec![sample_invoice(Some(&letter))];
    let files = tally::render::render(&site).expect("renders");
    tally::output::write(&out, &files).expect("write");
    let Some(pdf) = print_with_chromium(&out, "invoices/INV-2026-Q3/index.html") else {
        eprintln!("NOTICE: chromium is not installed; skipping the print test");
        return;
    };
    let pages = count_pages(&pdf);
    assert!(pages >= 1, "no pages found in the printed PDF");
    assert!(pages <= 2, "the invoice printed on {pages} pages");
}
