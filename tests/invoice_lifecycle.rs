//! An invoice, once issued, never changes: a quarter with a provisional week is a draft;
//! the seal of its last week issues it and freezes it in `tally.lock`; later data does
//! not change it; an amended sealed week of its period gives a credit note for the
//! difference, referencing it; a rewritten record fails the build.

mod common;

use std::path::Path;
use std::process::Command;

use common::LEDGER_HEADER;

const CONFIG: &str = "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"EUR\"\n\
[network]\nname = \"Test Network\"\naddress = [\"1 Hall Road\", \"Testville\"]\ncountry = \"IE\"\n\
registration_id = \"IP 1234\"\niban = \"IE29 AIBK 9311 5212 3456 78\"\nbic = \"AIBKIE2D\"\n\
endpoint = \"0088:5012345678900\"\n\
[municipality]\nname = \"City of Testville\"\naddress = [\"Town Hall\", \"Testville\"]\ncountry = \"IE\"\n\
buyer_reference = \"TV/2026/17\"\nendpoint = \"0088:5098765432100\"\n\
[invoices]\nperiod = \"quarter\"\nprefix = \"TN\"\n";

const RATES: &str = "unit,category,rate,currency,valid_from,source
kg,food,4.00,EUR,2026-01-01,Market basket
h,care,15.00,EUR,2026-01-01,Care worker wage
";

/// Q3 2026 (weeks W27 to W40) with services; its last row on 2 October, in W40.
const Q3_ROWS: &str = "2026-07-06,food-coop,food,service,10,kg,F-1,,hh-1,
2026-07-21,care-circle,care,service,2,h,C-1,,hh-2,
2026-08-12,food-coop,food,service,5,kg,F-2,,hh-3,
2026-09-30,care-circle,care,service,3,h,C-2,,hh-4,
2026-10-02,food-coop,food,service,1,kg,F-3,,hh-5,
";

/// Q3: 16 kg × 4 (F-3 is in Q4) … 15 kg = 60.00 and 5 h × 15 = 75.00.
const Q3_TOTAL: &str = "135.00";

fn site() -> tempfile::TempDir {
    common::site_with(&[
        ("tally.toml", CONFIG),
        ("data/rates.csv", RATES),
        (
            "data/ledger/network.csv",
            &format!("{LEDGER_HEADER}{Q3_ROWS}"),
        ),
    ])
}

fn add_rows(site: &Path, rows: &str) {
    let file = site.join("data/ledger/network.csv");
    let mut text = std::fs::read_to_string(&file).expect("ledger");
    text.push_str(rows);
    std::fs::write(&file, text).expect("write ledger");
}

/// A site whose Q3 is issued: a row in W41 closes W40, and the seal issues Q3 as of
/// that row's date.
fn issued_site() -> tempfile::TempDir {
    let site = site();
    add_rows(
        site.path(),
        "2026-10-06,food-coop,food,service,2,kg,F-4,,hh-1,\n",
    );
    let summary = tally::seal::seal(site.path(), true).expect("seals");
    let numbers: Vec<&str> = summary.issued.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(numbers, ["TN-2026-Q3"]);
    site
}

fn page(out: &Path, number: &str) -> String {
    common::read(out, &format!("invoices/{number}/index.html"))
}

#[test]
fn a_quarter_with_a_provisional_week_is_a_draft_and_the_seal_of_its_last_week_issues_it() {
    let site = site();
    tally::seal::seal(site.path(), true).expect("seals");
    let out = common::build(site.path());
    assert!(page(&out, "TN-2026-Q3").contains("DRAFT — not yet issued"));
    assert!(!out.join("invoices/TN-2026-Q3/TN-2026-Q3.xml").exists());
    let lock = common::read(site.path(), "tally.lock");
    assert!(
        !lock.contains("[[invoice]]"),
        "a draft is not recorded:\n{lock}"
    );

    add_rows(
        site.path(),
        "2026-10-06,food-coop,food,service,2,kg,F-4,,hh-1,\n",
    );
    let summary = tally::seal::seal(site.path(), true).expect("seals W40");
    assert_eq!(
        summary.sealed.last().map(|s| s.week.to_string()).as_deref(),
        Some("2026-W40")
    );
    assert_eq!(summary.issued.len(), 1);
    let record = &summary.issued[0];
    assert_eq!(
        record.issued.to_string(),
        "2026-10-06",
        "the seal's as-of date"
    );
    let lock = common::read(site.path(), "tally.lock");
    for expected in [
        "[[invoice]]\nnumber = \"TN-2026-Q3\"\ntype = \"invoice\"\nperiod = \"2026-Q3\"\nissued = \"2026-10-06\"",
        &format!("total = \"{Q3_TOTAL}\"\nlines = 2\n"),
        "[[invoice.line]]\ncategory = \"care\"",
    ] {
        assert!(lock.contains(expected), "missing {expected:?} in\n{lock}");
    }
    let out = common::build(site.path());
    let html = page(&out, "TN-2026-Q3");
    assert!(!html.contains("DRAFT"));
    let xml = std::fs::read(out.join("invoices/TN-2026-Q3/TN-2026-Q3.xml")).expect("an e-invoice");
    let csv = std::fs::read(out.join("invoices/TN-2026-Q3/TN-2026-Q3.csv")).expect("a CSV");
    assert!(lock.contains(&format!("xml_sha256 = \"{}\"", common::sha256(&xml))));
    assert!(lock.contains(&format!("csv_sha256 = \"{}\"", common::sha256(&csv))));
    assert!(String::from_utf8_lossy(&xml).contains("<cbc:IssueDate>2026-10-06</cbc:IssueDate>"));
    // A second seal issues nothing new and leaves the lock as it was.
    assert!(
        tally::seal::seal(site.path(), true)
            .expect("seals")
            .issued
            .is_empty()
    );
    assert_eq!(common::read(site.path(), "tally.lock"), lock);
}

#[test]
fn later_data_does_not_change_an_issued_invoice() {
    let site = issued_site();
    let before = common::build(site.path());
    let xml = common::read(&before, "invoices/TN-2026-Q3/TN-2026-Q3.xml");
    // A new rate for Q3 would value it differently: the issued invoice stands, with a warning.
    common::replace(
        site.path(),
        "data/rates.csv",
        "h,care,15.00",
        "h,care,17.00",
    );
    // Later weeks go on: new rows, a new seal, a later "as of" date.
    add_rows(
        site.path(),
        "2026-10-20,food-coop,food,service,9,kg,F-5,,hh-2,\n",
    );
    tally::seal::seal(site.path(), true).expect("seals");
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = tally::build(&tally::BuildOptions {
        site: site.path().to_path_buf(),
        out: Some(dir.path().join("public")),
        base_url: None,
    })
    .expect("builds");
    let out = dir.path().join("public");
    assert_eq!(
        common::read(&out, "invoices/TN-2026-Q3/TN-2026-Q3.xml"),
        xml
    );
    assert!(page(&out, "TN-2026-Q3").contains(Q3_TOTAL));
    let warning = summary
        .warnings
        .iter()
        .find(|w| w.contains("TN-2026-Q3"))
        .unwrap_or_else(|| panic!("no warning in {:?}", summary.warnings));
    assert!(
        warning.contains("145.00") && warning.contains("135.00"),
        "{warning}"
    );
    assert!(
        !out.join("invoices/TN-2026-Q3-C1").exists(),
        "no amendment, no credit note"
    );
}

/// Amends W30 (20–26 July) of the issued Q3: the care visit C-1 was 1 hour, not 2.
fn amend_w30(site: &Path) {
    common::replace(
        site,
        "data/ledger/network.csv",
        "2026-07-21,care-circle,care,service,2,h,C-1",
        "2026-07-21,care-circle,care,service,1,h,C-1",
    );
    common::write(
        site,
        "data/amendments.csv",
        "week,date,reason\n2026-W30,2026-10-07,C-1 was one hour; the visit sheet was misread\n",
    );
}

#[test]
fn an_amended_sealed_week_gives_a_credit_note_for_the_difference() {
    let site = issued_site();
    amend_w30(site.path());
    // Before the seal: the original stands, the credit note is a draft.
    let out = common::build(site.path());
    assert!(page(&out, "TN-2026-Q3").contains(Q3_TOTAL));
    assert!(page(&out, "TN-2026-Q3-C1").contains("DRAFT — not yet issued"));
    assert!(
        !out.join("invoices/TN-2026-Q3-C1/TN-2026-Q3-C1.xml")
            .exists()
    );

    let summary = tally::seal::seal(site.path(), true).expect("seals the amendment");
    assert_eq!(summary.sealed.len(), 1, "the amended W30");
    let numbers: Vec<&str> = summary.issued.iter().map(|r| r.number.as_str()).collect();
    assert_eq!(numbers, ["TN-2026-Q3-C1"]);
    assert_eq!(summary.issued[0].total.to_string(), "-15.00");
    let lock = common::read(site.path(), "tally.lock");
    assert!(lock.contains(
        "number = \"TN-2026-Q3-C1\"\ntype = \"credit-note\"\nreferences = \"TN-2026-Q3\""
    ));

    let out = common::build(site.path());
    let original = page(&out, "TN-2026-Q3");
    assert!(
        original.contains("135.00") && original.contains("TN-2026-Q3-C1/"),
        "links to its credit note"
    );
    let note = page(&out, "TN-2026-Q3-C1");
    assert!(
        note.contains("Credit note") && note.contains("TN-2026-Q3/"),
        "links to the original"
    );
    let xml = common::read(&out, "invoices/TN-2026-Q3-C1/TN-2026-Q3-C1.xml");
    for expected in [
        "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\"",
        "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
        "<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n      <cbc:ID>TN-2026-Q3</cbc:ID>",
        "<cbc:CreditedQuantity unitCode=\"HUR\">1</cbc:CreditedQuantity>",
        "<cbc:PayableAmount currencyID=\"EUR\">15.00</cbc:PayableAmount>",
    ] {
        assert!(xml.contains(expected), "missing {expected:?} in\n{xml}");
    }
    let list = common::read(&out, "invoices/index.html");
    assert!(list.contains("TN-2026-Q3-C1") && list.contains("credit note to TN-2026-Q3"));
    let data = common::read(&out, "data/invoices.csv");
    assert!(
        data.lines().any(|l| l.starts_with("TN-2026-Q3-C1,")
            && l.contains(",-15.00,issued,credit note,TN-2026-Q3,")),
        "{data}"
    );
    assert!(
        data.lines()
            .any(|l| l.starts_with("TN-2026-Q3,") && l.contains(",135.00,")),
        "{data}"
    );
    schema_check(&out.join("invoices/TN-2026-Q3-C1/TN-2026-Q3-C1.xml"));
}

/// The credit note against the OASIS UBL 2.1 CreditNote schema (skipped with a NOTICE
/// without xmllint, failing in CI).
fn schema_check(xml: &Path) {
    if !common::external_tool("xmllint", "UBL schema validation") {
        return;
    }
    let schema = common::test_data("schemas/ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(xml)
        .output()
        .expect("run xmllint");
    assert!(out.status.success(), "{}", common::stderr(&out));
    // The check can fail: a credit note without its type code is refused.
    let broken = std::fs::read_to_string(xml).expect("xml").replace(
        "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>",
        "<cbc:InvoiceTypeCode>381</cbc:InvoiceTypeCode>",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.xml");
    std::fs::write(&path, broken).expect("write");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&path)
        .output()
        .expect("run xmllint");
    assert!(!out.status.success());
}

#[test]
fn a_rewritten_invoice_record_fails_the_build() {
    let site = issued_site();
    let lock = common::read(site.path(), "tally.lock");
    let out = common::build(site.path());
    let manifest = common::read(&out, "manifest.json");
    // A total changed by hand no longer adds up.
    common::replace(
        site.path(),
        "tally.lock",
        "total = \"135.00\"",
        "total = \"175.00\"",
    );
    let errors = common::build_errors(site.path());
    assert!(
        errors.iter().any(|e| e.starts_with("tally.lock:")
            && e.contains("TN-2026-Q3")
            && e.contains("175.00")),
        "{errors:?}"
    );
    // A line and the total rewritten together give a CSV that no longer matches its digest.
    std::fs::write(site.path().join("tally.lock"), &lock).expect("restore");
    common::replace(
        site.path(),
        "tally.lock",
        "total = \"135.00\"",
        "total = \"150.00\"",
    );
    common::replace(
        site.path(),
        "tally.lock",
        "quantity = \"5\"\nrate = \"15\"",
        "quantity = \"6\"\nrate = \"15\"",
    );
    common::replace(
        site.path(),
        "tally.lock",
        "amount = \"75.00\"",
        "amount = \"90.00\"",
    );
    let errors = common::build_errors(site.path());
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("tally.lock:") && e.contains("csv_sha256")),
        "{errors:?}"
    );
    // `tally check` finds what the build finds.
    assert_eq!(common::check_errors(site.path()), errors);
    // That build had written its pages into its staging folder before it failed: the
    // folder is gone and the previous output is untouched.
    assert_eq!(common::read(&out, "manifest.json"), manifest);
    let leftovers: Vec<String> = std::fs::read_dir(site.path())
        .expect("the site")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // Restored as `tally seal` wrote it, it builds again.
    std::fs::write(site.path().join("tally.lock"), &lock).expect("restore");
    common::build(site.path());
}
