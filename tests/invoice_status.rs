//! What a city's accounts office needs of an invoice, and what became of it: the
//! invoicing keys of `tally.toml` checked with file and line, a prefix that could leave
//! the output folder refused, payment details and references the same on the page and in
//! the XML, and the status register of `data/invoice-events.csv` on `/invoices/`, on each
//! invoice's page and in `/data/invoices.csv`.

mod common;

use common::LEDGER_HEADER;
use common::invoicing::{RATES, SERVICES_APRIL_TO_SEPTEMBER};

const CONFIG: &str = "title = \"Test Network\"
base_url = \"https://test.example/\"
currency = \"EUR\"
[network]
name = \"Test Network\"
address = [\"1 Hall Road\", \"Testville\"]
country = \"GB\"
registration_id = \"IP 4711\"
iban = \"GB33BUKB20201555555555\"
bic = \"BUKBGB22\"
[municipality]
name = \"City of Testville\"
address = [\"Town Hall\", \"Testville\"]
country = \"GB\"
buyer_reference = \"TV-ORDER-17\"
[invoices]
prefix = \"TN\"
";

/// Services in Q1, Q2 and Q3 2026 and one in Q4 (open): the site is "as of" 2026-11-20.
/// By hand: Q1 1 h × 14.50 = 14.50. Q2 20 kg × 3.80 = 76.00, 33.3 kWh × 0.34 = 11.32,
/// 2.5 h × 14.50 = 36.25: 123.57. Q3 10.5 kWh × 0.34 = 3.57, 20.05 kWh × 0.31 = 6.22,
/// 1.3 kg × 3.80 = 4.94: 14.73.
fn site(events: Option<&str>) -> tempfile::TempDir {
    let ledger = format!(
        "{LEDGER_HEADER}\
2026-02-10,care-circle,care,service,1,h,,,hh-9,
{SERVICES_APRIL_TO_SEPTEMBER}\
2026-11-20,food-coop,food,service,3,kg,F-4,,hh-2,
"
    );
    let site = common::site_with(&[("tally.toml", CONFIG), ("data/rates.csv", RATES)]);
    // Sealed as the quarters close: a treasurers' meeting on the Monday after each
    // quarter's last week seals it, which issues the quarter's invoice on that day.
    for day in ["2026-04-06", "2026-07-06", "2026-10-05"] {
        let rows: String = ledger
            .lines()
            .skip(1)
            .filter(|row| &row[..10] <= day)
            .map(|row| format!("{row}\n"))
            .collect();
        common::write(
            site.path(),
            "data/ledger/network.csv",
            &format!("{LEDGER_HEADER}{rows}"),
        );
        common::write(
            site.path(),
            &format!("content/minutes/{day}-treasury.md"),
            &format!(
                "+++\ntitle = \"Treasury\"\ndate = {day}\nassembly = \"treasury\"\n+++\nWe sealed the quarter.\n"
            ),
        );
        tally::seal::seal(site.path(), true).expect("seals");
    }
    common::write(site.path(), "data/ledger/network.csv", ledger.as_str());
    tally::seal::seal(site.path(), true).expect("seals");
    if let Some(events) = events {
        common::write(site.path(), "data/invoice-events.csv", events);
    }
    site
}

const EVENTS: &str = "number,date,event,amount,note
TN-2026-Q1,2026-04-01,sent,,By e-mail
TN-2026-Q1,2026-04-20,paid,14.50,In full
TN-2026-Q2,2026-07-01,sent,,By post
TN-2026-Q2,2026-08-01,paid,100.00,First part
TN-2026-Q3,2026-10-01,sent,,Through Peppol
TN-2026-Q3,2026-10-15,disputed,,The city asks for the tariff
";

/// The data rows of `/data/invoices.csv` as maps from column to value.
fn data_rows(out: &std::path::Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = common::read(out, "data/invoices.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn paid_partly_paid_overdue_and_disputed_invoices_show_on_the_list_the_pages_and_the_data() {
    let site = site(Some(EVENTS));
    let out = common::build(site.path());
    let rows = data_rows(&out);
    let view: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| {
            [
                r["number"].as_str(),
                r["total"].as_str(),
                r["status"].as_str(),
                r["paid"].as_str(),
                r["outstanding"].as_str(),
                r["days_overdue"].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        view,
        [
            ["TN-2026-Q1", "14.50", "paid", "14.50", "0.00", ""],
            [
                "TN-2026-Q2",
                "123.57",
                "partly paid",
                "100.00",
                "23.57",
                "107"
            ],
            ["TN-2026-Q3", "14.73", "disputed", "0.00", "14.73", "16"],
        ]
    );

    let list = common::read(&out, "invoices/index.html");
    assert!(
        list.contains("The city has paid €114.50 of €152.80 invoiced; €38.30 overdue."),
        "{list}"
    );
    let q3 = list.find("TN-2026-Q3/").expect("Q3 listed");
    let q1 = list.find("TN-2026-Q1/").expect("Q1 listed");
    assert!(q3 < q1, "newest first");
    assert!(list.contains("107 days") && list.contains("partly paid"));

    let page = common::read(&out, "invoices/TN-2026-Q2/index.html");
    assert!(
        page.contains("Status: <strong>partly paid</strong>. Paid €100.00; outstanding €23.57, 107 days overdue."),
        "{page}"
    );
    assert!(page.contains("First part") && page.contains("By post"));
    let history = &page[page.find("invoice-history").expect("a history table")..];
    assert!(
        history.find("By post") < history.find("First part"),
        "oldest first"
    );
}

#[test]
fn without_events_every_invoice_is_issued_and_overdue_once_past_its_due_date() {
    let site = site(None);
    let out = common::build(site.path());
    let rows = data_rows(&out);
    let states: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["status"].as_str(), r["days_overdue"].as_str()))
        .collect();
    // Issued 6 April, 6 July and 5 October, due 30 days later: 6 May, 5 August and
    // 4 November; the site is as of 20 November.
    assert_eq!(
        states,
        [("issued", "198"), ("issued", "107"), ("issued", "16")]
    );
}

#[test]
fn each_bad_event_is_an_error_with_file_and_line() {
    let site = site(Some(
        "number,date,event,amount,note
TN-2026-Q9,2026-10-01,sent,,
TN-2026-Q2,2026-06-30,sent,,too early
TN-2026-Q2,2026-07-02,payed,,
TN-2026-Q3,2026-10-20,paid,10.00,
TN-2026-Q3,2026-10-21,paid,4.74,one cent too many
TN-2026-Q3,2026-10-22,paid,,
TN-2026-Q3,2026-10-23,sent,5.00,
TN-2026-Q3,2026-13-01,sent,,
",
    ));
    let errors = common::problems(site.path());
    let expected = [
        "data/invoice-events.csv:2: number: there is no invoice \"TN-2026-Q9\"",
        "data/invoice-events.csv:3: date: 2026-06-30 is before TN-2026-Q2 was issued, on 2026-07-01",
        "data/invoice-events.csv:4: event: \"payed\" is not one of sent, acknowledged, paid, disputed, withdrawn",
        "data/invoice-events.csv:6: amount: the payments of TN-2026-Q3 add up to 14.74, above its total of 14.73",
        "data/invoice-events.csv:7: amount: a payment needs its amount",
        "data/invoice-events.csv:8: amount: \"5.00\" given for a \"sent\" event",
        "data/invoice-events.csv:9: date: \"2026-13-01\" is not a date",
    ];
    for e in expected {
        assert!(
            errors.iter().any(|found| found.starts_with(e)),
            "missing {e:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    // And nothing is written.
    common::build_errors(site.path());
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_quarter_with_a_provisional_week_is_a_draft_without_an_e_invoice_until_sealed() {
    let site = site(None);
    // Without tally.lock every closed week is provisional.
    std::fs::remove_file(site.path().join("tally.lock")).expect("remove lock");
    let out = common::build(site.path());
    let page = common::read(&out, "invoices/TN-2026-Q3/index.html");
    assert!(page.contains("DRAFT — not yet issued"), "{page}");
    assert!(!out.join("invoices/TN-2026-Q3/TN-2026-Q3.xml").exists());
    let rows = data_rows(&out);
    assert!(
        rows.iter()
            .all(|r| r["status"] == "draft" && r["days_overdue"].is_empty())
    );
    let list = common::read(&out, "invoices/index.html");
    assert!(
        list.contains("The city has paid €0.00 of €0.00 invoiced; €0.00 overdue."),
        "drafts are not invoiced yet: {list}"
    );
    tally::seal::seal(site.path(), true).expect("seals");
    let out = common::build(site.path());
    assert!(out.join("invoices/TN-2026-Q3/TN-2026-Q3.xml").exists());
    assert!(!common::read(&out, "invoices/TN-2026-Q3/index.html").contains("DRAFT"));
}

#[test]
fn each_invoicing_key_is_checked_with_file_line_and_reason() {
    let site = common::site_with(&[(
        "tally.toml",
        "title = \"x\"
base_url = \"https://t.example/\"
currency = \"EUR\"
[network]
name = \"N\"
country = \"UK\"
iban = \"GB34BUKB20201555555555\"
endpoint = \"1234:5\"
[municipality]
name = \"City\"
country = \"XX\"
[invoices]
prefix = \"../../escape\"
unit_codes = { bag = \"BAGS\" }
profile = \"peppol\"
",
    )]);
    let errors = common::problems(site.path());
    let expected = [
        "tally.toml:4: [network] registration_id: an invoice names its issuer's legal registration",
        "tally.toml:6: [network] country: \"UK\" is not an ISO 3166-1 alpha-2 country code (the United Kingdom is \"GB\")",
        "tally.toml:7: [network] iban: \"GB34BUKB20201555555555\" is not an IBAN: its check digits are wrong (mod 97)",
        "tally.toml:8: [network] endpoint: \"1234:5\": \"1234\" is not a known ISO 6523",
        "tally.toml:9: [municipality] buyer_reference: profile \"peppol\" needs the city's order or contract reference",
        "tally.toml:9: [municipality] endpoint: profile \"peppol\" needs the electronic address",
        "tally.toml:11: [municipality] country: \"XX\" is not an ISO 3166-1 alpha-2 country code",
        "tally.toml:13: [invoices] prefix: \"../../escape\" may hold only letters, digits and dashes",
        "tally.toml:14: [invoices] unit_codes: bag = \"BAGS\": \"BAGS\" is not a UN/ECE Recommendation 20 unit code",
    ];
    for e in expected {
        assert!(
            errors.iter().any(|found| found.starts_with(e)),
            "missing {e:?} in {errors:#?}"
        );
    }
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
}

#[test]
fn a_prefix_that_would_leave_the_output_folder_is_refused_and_nothing_is_written() {
    let site = site(None);
    common::replace(
        site.path(),
        "tally.toml",
        "prefix = \"TN\"",
        "prefix = \"../../escape\"",
    );
    let stderr = common::fails(&["build", &site.path().to_string_lossy()]);
    assert!(
        stderr.contains("tally.toml:17: [invoices] prefix: \"../../escape\""),
        "{stderr}"
    );
    let left: Vec<String> = std::fs::read_dir(site.path())
        .expect("read site")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("escape") || n == "public"),
        "{left:?}"
    );
}

#[test]
fn payment_details_and_references_are_the_same_on_the_page_and_in_the_xml() {
    let site = site(None);
    let out = common::build(site.path());
    let reference = tally::payment::creditor_reference("TN-2026-Q3").expect("a reference");
    assert!(tally::payment::is_creditor_reference(&reference));
    let page = common::read(&out, "invoices/TN-2026-Q3/index.html");
    for expected in [
        "Amount due <strong>€14.73</strong>",
        "GB33 BUKB 2020 1555 5555 55",
        "BUKBGB22",
        &tally::payment::grouped(&reference),
        "Registration no. IP 4711",
        "TV-ORDER-17",
    ] {
        assert!(page.contains(expected), "{expected} missing from the page");
    }
    let xml = common::read(&out, "invoices/TN-2026-Q3/TN-2026-Q3.xml");
    for expected in [
        "<cbc:PaymentMeansCode name=\"SEPA credit transfer\">58</cbc:PaymentMeansCode>".to_string(),
        format!("<cbc:PaymentID>{reference}</cbc:PaymentID>"),
        "<cbc:ID>GB33BUKB20201555555555</cbc:ID>".into(),
        "<cbc:ID>BUKBGB22</cbc:ID>".into(),
        "<cbc:CompanyID>IP 4711</cbc:CompanyID>".into(),
        "<cbc:BuyerReference>TV-ORDER-17</cbc:BuyerReference>".into(),
        "<cbc:IdentificationCode>GB</cbc:IdentificationCode>".into(),
        "<cbc:PayableAmount currencyID=\"EUR\">14.73</cbc:PayableAmount>".into(),
    ] {
        assert!(xml.contains(&expected), "{expected} missing from\n{xml}");
    }
    assert!(!xml.contains("<cbc:BuyerReference>TN-2026-Q3"));
}
