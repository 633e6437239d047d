//! Invoices to the municipality: lines from the ledger's service rows, numbering,
//! closed periods, the page, the CSV, the UBL XML (validated against the OASIS schema),
//! the PDF (deterministic) and the printed page (at most two A4 pages).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use common::LEDGER_HEADER;
use common::invoicing::{RATES, SERVICES_APRIL_TO_SEPTEMBER};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;
use tally::config::{InvoiceConfig, Municipality, Party};
use tally::model::Note;
use tally::model::invoice::{self, Invoice, Parties, Period, ServiceRate, ServiceRow};
use tally::render::OutputFile;

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a decimal")
}

/// The OASIS UBL 2.1 invoice schema, carried in `tests/schemas/`.
fn schema() -> PathBuf {
    common::test_data("schemas/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd")
}

/// Whether `xmllint` can validate here (skips with a NOTICE, or fails in CI).
fn xmllint_available() -> bool {
    common::external_tool("xmllint", "UBL schema validation")
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
        registration_id: Some("IP031234".into()),
        vat_id: None,
        iban: Some("GB33BUKB20201555555555".into()),
        bic: Some("BUKBGB22".into()),
        endpoint: Some("0088:5012345678900".into()),
    };
    let addressee = Municipality {
        name: "City of Riverside".into(),
        addressee: Some("Office of the Mayor".into()),
        address: vec!["City Hall".into(), "Riverside".into()],
        country: Some("GB".into()),
        buyer_reference: Some("RIV-COMMONS-2026 & <Co>".into()),
        endpoint: Some("0088:5098765432100".into()),
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
    if !xmllint_available() {
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
    if !xmllint_available() {
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
    assert!(
        !common::contains(a, b"/CreationDate"),
        "the PDF carries a creation date"
    );
}

#[cfg(not(feature = "pdf"))]
#[test]
fn without_the_pdf_feature_no_pdf_is_written_and_the_page_says_so() {
    let files = render_with(vec![sample_invoice(None)]);
    assert!(!files.iter().any(|f| f.path.ends_with(".pdf")));
    let page = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/index.html"));
    assert!(page.contains("without PDF support"), "{page}");
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
    let files = render_with(vec![sample_invoice(Some(
        "Dear Mayor,\n\nPlease **reply**.\n",
    ))]);
    let page = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/index.html"));
    // By hand: 27.7 × 0.34 = 9.418 → 9.42; 46.2 × 0.31 = 14.322 → 14.32;
    // 15.6 × 3.80 = 59.28; 3.5 × 14.50 = 50.75; 9.42 + 14.32 + 59.28 + 50.75 = 133.77.
    assert!(page.contains("€133.77"), "{page}");
    assert!(
        page.contains("1–31 Jul 2026"),
        "the first energy line's dates"
    );
    assert!(
        page.contains("1 Aug – 30 Sep 2026"),
        "the second energy line"
    );
    assert!(
        page.contains("Please <strong>reply</strong>."),
        "the cover letter"
    );
    assert!(page.contains("Office of the Mayor"));
    let csv = String::from_utf8_lossy(file(&files, "invoices/INV-2026-Q3/INV-2026-Q3.csv"));
    assert!(csv.starts_with(
        "invoice,line,category,unit,quantity,rate,currency,from,to,services,receipts,amount"
    ));
    assert!(csv.contains("INV-2026-Q3,1,care,h,3.5,14.5,EUR,2026-07-01,2026-09-30,1,1,50.75,"));
    let data = String::from_utf8_lossy(file(&files, "data/invoices.csv"));
    assert!(
        data.contains("INV-2026-Q3,2026-07-01,2026-09-30,2026-10-01,2026-10-31,EUR,4,4,4,133.77"),
        "{data}"
    );
    let list = String::from_utf8_lossy(file(&files, "invoices/index.html"));
    assert!(
        list.contains("INV-2026-Q3") && list.contains("€133.77"),
        "{list}"
    );
}

/// Prints `page` (a file under `out`) to PDF with headless Chromium; `None` when
/// Chromium is not installed (outside CI).
fn print_with_chromium(out: &Path, page: &str) -> Option<Vec<u8>> {
    let browser = common::first_external_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "the print test",
    )?;
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
fn the_example_invoices_with_their_letters_print_on_at_most_two_a4_pages() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    // Every link is relative to its page, so the pages find their style sheet on disk.
    tally::build(&tally::BuildOptions {
        site: common::example_site(),
        out: Some(out.clone()),
        base_url: None,
    })
    .expect("the example site builds");
    for number in ["INV-2026-Q2", "INV-2026-Q3"] {
        let page = format!("invoices/{number}/index.html");
        assert!(
            common::read(&out, &page).contains("Dear Mayor"),
            "{number} has a letter"
        );
        let Some(pdf) = print_with_chromium(&out, &page) else {
            return;
        };
        let pages = count_pages(&pdf);
        assert!(
            pages >= 2,
            "{number}: the letter and the invoice, found {pages} pages"
        );
        assert!(pages <= 2, "{number} printed on {pages} pages");
    }
}

// ---- Invoices built from a fixture site's ledger, through the whole pipeline ----

/// A network with services in Q2, Q3 and (open) Q4 2026; the latest date, 2026-10-05,
/// is the site's "as of" date.
fn fixture_site(period: &str, prefix: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = format!(
        "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"EUR\"\n\
         [network]\nname = \"Test Network\"\naddress = [\"1 Hall Road\", \"Testville\"]\n\
         country = \"GB\"\nregistration_id = \"IP 4711\"\niban = \"GB33BUKB20201555555555\"\n\
         [municipality]\nname = \"City of Testville\"\naddressee = \"Office of the Mayor\"\n\
         address = [\"Town Hall\", \"Testville\"]\ncountry = \"GB\"\n\
         [invoices]\nperiod = \"{period}\"\nprefix = \"{prefix}\"\npayment_terms_days = 30\n"
    );
    common::write(dir.path(), "tally.toml", &config);
    common::write(dir.path(), "data/rates.csv", RATES);
    common::write(
        dir.path(),
        "data/ledger/network.csv",
        &format!(
            "{LEDGER_HEADER}{SERVICES_APRIL_TO_SEPTEMBER}\
2026-10-05,food-coop,food,service,3,kg,F-4,,hh-2,
2026-07-20,food-coop,food,contribution,50,kg,,,farm-1,
"
        ),
    );
    dir
}

/// The rows of a CSV, header first, split on commas (the fixtures have no quoted commas
/// in the columns read).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn total_is_the_hand_computed_sum_of_the_period_services() {
    let site = fixture_site("quarter", "INV");
    let out = common::build(site.path());
    // Q2 by hand: food 12.5 + 7.5 = 20 kg × 3.80 = 76.00; energy 33.3 kWh × 0.34 =
    // 11.322 → 11.32; care 2.5 h × 14.50 = 36.25. Total 76.00 + 11.32 + 36.25 = 123.57.
    let lines = common::read(&out, "invoices/INV-2026-Q2/INV-2026-Q2.csv");
    let rows = csv_rows(&lines);
    let amount = column(&rows, "amount");
    let amounts: Vec<&str> = rows[1..].iter().map(|r| r[amount].as_str()).collect();
    assert_eq!(amounts, ["36.25", "11.32", "76.00"], "care, energy, food");
    let all = common::read(&out, "data/invoices.csv");
    let invoices = csv_rows(&all);
    let (number, total, receipts) = (
        column(&invoices, "number"),
        column(&invoices, "total"),
        column(&invoices, "receipts"),
    );
    assert_eq!(invoices[1][number], "INV-2026-Q2");
    assert_eq!(invoices[1][total], "123.57");
    assert_eq!(
        invoices[1][receipts], "3",
        "the care row carries no receipt id"
    );
    // The same total from the published ledger: the values of the quarter's services.
    let ledger = csv_rows(&common::read(&out, "data/ledger.csv"));
    let (date, kind, value) = (
        column(&ledger, "date"),
        column(&ledger, "kind"),
        column(&ledger, "value"),
    );
    let sum: Decimal = ledger[1..]
        .iter()
        .filter(|r| {
            r[kind] == "service"
                && r[date].as_str() >= "2026-04-01"
                && r[date].as_str() <= "2026-06-30"
        })
        .map(|r| dec(&r[value]))
        .sum();
    assert_eq!(invoice::cents(sum), dec("123.57"));
    let page = common::read(&out, "invoices/INV-2026-Q2/index.html");
    assert!(page.contains("€123.57"), "{page}");
}

#[test]
fn a_rate_change_inside_the_period_splits_the_line() {
    let site = fixture_site("quarter", "INV");
    let out = common::build(site.path());
    let rows = csv_rows(&common::read(&out, "invoices/INV-2026-Q3/INV-2026-Q3.csv"));
    let energy: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == "energy").collect();
    let pick = |r: &Vec<String>, name: &str| r[column(&rows, name)].clone();
    assert_eq!(energy.len(), 2, "{rows:?}");
    // 10.1 + 0.4 = 10.5 kWh × 0.34 = 3.57 in July; 20.05 kWh × 0.31 = 6.2155 → 6.22 after.
    assert_eq!(
        ["from", "to", "quantity", "rate", "receipts", "amount"].map(|c| pick(energy[0], c)),
        ["2026-07-01", "2026-07-31", "10.5", "0.34", "2", "3.57"]
    );
    assert_eq!(
        ["from", "to", "quantity", "rate", "receipts", "amount"].map(|c| pick(energy[1], c)),
        ["2026-08-01", "2026-09-30", "20.05", "0.31", "1", "6.22"]
    );
    let page = common::read(&out, "invoices/INV-2026-Q3/index.html");
    assert!(page.contains("1–31 Jul 2026") && page.contains("1 Aug – 30 Sep 2026"));
    // 3.57 + 6.22 + food 1.3 kg × 3.80 = 4.94 → 14.73; the contribution is not invoiced.
    assert!(page.contains("€14.73"), "{page}");
}

#[test]
fn no_invoice_for_the_period_holding_the_as_of_date() {
    let site = fixture_site("quarter", "INV");
    let out = common::build(site.path());
    assert!(out.join("invoices/INV-2026-Q3/index.html").exists());
    assert!(
        !out.join("invoices/INV-2026-Q4").exists(),
        "Q4 holds 2026-10-05"
    );
    let numbers: Vec<String> = csv_rows(&common::read(&out, "data/invoices.csv"))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(numbers, ["INV-2026-Q2", "INV-2026-Q3"]);
    let list = common::read(&out, "invoices/index.html");
    assert!(list.contains("INV-2026-Q3") && !list.contains("INV-2026-Q4"));
}

#[test]
fn monthly_invoices_are_numbered_by_month_and_dated_after_it() {
    let site = fixture_site("month", "RMA");
    // Issued, with an e-invoice, once every week is sealed.
    tally::seal::seal(site.path(), true).expect("seals");
    let out = common::build(site.path());
    let rows = csv_rows(&common::read(&out, "data/invoices.csv"));
    let numbers: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    // Every month from April to September has services; October holds the as-of date.
    assert_eq!(
        numbers,
        [
            "RMA-2026-04",
            "RMA-2026-05",
            "RMA-2026-06",
            "RMA-2026-07",
            "RMA-2026-08",
            "RMA-2026-09"
        ]
    );
    // Sealed all at once, as of 5 October: that seal issued every month that day.
    let june = &rows[3];
    let (issue, due) = (column(&rows, "issue_date"), column(&rows, "due_date"));
    assert_eq!(
        (june[issue].as_str(), june[due].as_str()),
        ("2026-10-05", "2026-11-04")
    );
    assert!(out.join("invoices/RMA-2026-09/RMA-2026-09.xml").exists());
}

#[test]
fn quarterly_invoices_are_numbered_by_quarter_and_dated_after_it() {
    let site = fixture_site("quarter", "INV");
    let out = common::build(site.path());
    let rows = csv_rows(&common::read(&out, "data/invoices.csv"));
    let (issue, due) = (column(&rows, "issue_date"), column(&rows, "due_date"));
    assert_eq!(rows[1][issue], "2026-07-01");
    assert_eq!(rows[1][due], "2026-07-31");
    assert_eq!(rows[2][issue], "2026-10-01");
    assert_eq!(rows[2][due], "2026-10-31");
    // Stable: a second build numbers and dates them the same.
    let again = csv_rows(&common::read(
        &common::build(site.path()),
        "data/invoices.csv",
    ));
    assert_eq!(rows, again);
}

#[test]
fn a_cover_letter_appears_on_its_invoice_only() {
    let site = fixture_site("quarter", "INV");
    common::write(
        site.path(),
        "content/invoices/INV-2026-Q3.md",
        "Dear Mayor,\n\nWe enclose our **third** statement.\n\nYours sincerely,\n",
    );
    let out = common::build(site.path());
    let q3 = common::read(&out, "invoices/INV-2026-Q3/index.html");
    assert!(
        q3.contains("We enclose our <strong>third</strong> statement."),
        "{q3}"
    );
    assert!(q3.contains("invoice-letter"));
    let q2 = common::read(&out, "invoices/INV-2026-Q2/index.html");
    assert!(!q2.contains("third statement") && !q2.contains("class=\"invoice-letter\""));
}

#[test]
fn a_letter_not_named_after_an_invoice_number_is_an_error() {
    let site = fixture_site("quarter", "INV");
    common::write(
        site.path(),
        "content/invoices/INV-2026-Q03.md",
        "Dear Mayor,\n",
    );
    let problems = common::problems(site.path());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("content/invoices/INV-2026-Q03.md:1: "),
        "{problems:?}"
    );
    assert!(problems[0].contains("INV-2026-Q3"), "{problems:?}");
}

#[test]
fn a_letter_for_a_closed_period_without_services_is_an_error_but_a_draft_is_not() {
    let site = fixture_site("quarter", "INV");
    // Q1 is closed and has no services; Q4 is open: a draft for the coming invoice.
    common::write(
        site.path(),
        "content/invoices/INV-2026-Q1.md",
        "Dear Mayor,\n",
    );
    common::write(
        site.path(),
        "content/invoices/INV-2026-Q4.md",
        "Dear Mayor,\n",
    );
    let problems = common::problems(site.path());
    assert_eq!(
        problems,
        [
            "content/invoices/INV-2026-Q1.md:1: there is no invoice INV-2026-Q1: the ledger has no services in Q1 2026"
        ]
    );
}

#[test]
fn a_service_unit_without_an_e_invoice_code_is_an_error_until_mapped() {
    let site = fixture_site("quarter", "INV");
    common::write(
        site.path(),
        "data/rates.csv",
        &format!("{RATES}bag,,2.00,EUR,2026-01-01,Shop\n"),
    );
    common::write(
        site.path(),
        "data/ledger/bags.csv",
        &format!(
            "{LEDGER_HEADER}2026-05-01,food-coop,food,service,3,bag,B-1,,hh-1,\n2026-05-02,food-coop,food,service,1,bag,B-2,,hh-1,\n"
        ),
    );
    let problems = common::problems(site.path());
    assert_eq!(problems.len(), 1, "one problem per unit: {problems:?}");
    assert!(
        problems[0].starts_with("data/ledger/bags.csv:2: unit: \"bag\""),
        "{problems:?}"
    );
    let config = common::read(site.path(), "tally.toml");
    common::write(
        site.path(),
        "tally.toml",
        &format!("{config}[invoices.unit_codes]\nbag = \"XBG\"\n"),
    );
    tally::seal::seal(site.path(), true).expect("seals");
    let out = common::build(site.path());
    let xml = common::read(&out, "invoices/INV-2026-Q2/INV-2026-Q2.xml");
    assert!(
        xml.contains("<cbc:InvoicedQuantity unitCode=\"XBG\">4</cbc:InvoicedQuantity>"),
        "{xml}"
    );
}

#[test]
fn meals_without_a_code_are_told_c62_not_bags() {
    let site = fixture_site("quarter", "INV");
    common::write(
        site.path(),
        "data/rates.csv",
        &format!("{RATES}meals,,4.00,EUR,2026-01-01,Canteen\nwidgets,,1.00,EUR,2026-01-01,Shop\n"),
    );
    common::write(
        site.path(),
        "data/ledger/meals.csv",
        &format!(
            "{LEDGER_HEADER}2026-05-01,food-coop,food,service,30,meals,M-1,,hh-1,\n2026-05-02,food-coop,food,service,1,widgets,W-1,,hh-1,\n"
        ),
    );
    let problems = common::problems(site.path());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("\"meals\" = \"C62\" (one: a count of things)"),
        "{problems:?}"
    );
    // A word that says nothing certain gets no code of its own, and never a package's.
    assert!(problems[1].contains("\"widgets\" = \"…\""), "{problems:?}");
    assert!(problems.iter().all(|p| !p.contains("XBG")), "{problems:?}");
}

#[test]
fn the_example_site_has_two_closed_quarters_whose_xml_validates() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    common::build_to(&common::example_site(), &out);
    let numbers: Vec<String> = csv_rows(&common::read(&out, "data/invoices.csv"))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(
        numbers,
        ["INV-2026-Q2", "INV-2026-Q3", "INV-2026-Q3-C1"],
        "as of 2026-11-25, Q4 is open; Q3 has a credit note for its amended W30"
    );
    let q3 = common::read(&out, "invoices/INV-2026-Q3/index.html");
    assert!(q3.contains("Dear Mayor,"), "the example's cover letter");
    assert!(
        q3.contains("/reports/2026-W27/"),
        "links to the weekly reports"
    );
    assert!(!q3.contains("hh-0"), "no household ids on an invoice");
    if !xmllint_available() {
        return;
    }
    for number in numbers {
        let xml = out.join(format!("invoices/{number}/{number}.xml"));
        let schema = if number.ends_with("-C1") {
            common::test_data("schemas/ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd")
        } else {
            schema()
        };
        let result = xmllint(&schema, &xml);
        assert!(
            result.status.success(),
            "{number}: {}",
            common::stderr(&result)
        );
    }
}
