//! `[[ledger.sources]]`: real exports read as they are. One fixture per layout, built
//! from the formats' public documentation (a German cooperative bank's statement, Open
//! Collective's transactions export, hledger's `print -O csv`, a Google Forms sheet, a
//! KoboToolbox export): every row counted or skipped by a named rule, totals checked
//! against figures worked out by hand; errors and hints asserted with file and line.

mod common;

use std::path::Path;

use common::*;
use rust_decimal::Decimal;

const RATES: &str = "unit,category,rate,currency,valid_from,source\nkg,food,3.80,EUR,2026-01-01,test\nh,care,15.20,EUR,2026-01-01,test\n";

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sources")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_text(name: &str) -> String {
    String::from_utf8(fixture(name)).expect("UTF-8 fixture")
}

/// A site whose `tally.toml` holds `block` and whose ledger is the fixture `export`
/// at `at`.
fn site(export: &str, at: &str, block: &str) -> tempfile::TempDir {
    let site = site_with(&[
        ("tally.toml", &format!("{CONFIG_EUR}{block}")),
        ("data/rates.csv", RATES),
    ]);
    let path = site.path().join(at);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, fixture(export)).unwrap();
    site
}

/// (kind, category) → summed quantity, and the source's report.
fn totals(
    site: &Path,
) -> (
    Vec<(String, String, Decimal)>,
    tally::load::sources::SourceReport,
) {
    let model = tally::prepare(site, None).unwrap_or_else(|e| panic!("{e}"));
    let mut sums: std::collections::BTreeMap<(String, String), Decimal> = Default::default();
    for e in model.ledger.entries.iter() {
        *sums
            .entry((
                format!("{:?}", e.kind).to_lowercase(),
                e.category.as_str().to_string(),
            ))
            .or_default() += e.quantity;
    }
    let report = model.ledger_sources[0].clone();
    (
        sums.into_iter().map(|((k, c), q)| (k, c, q)).collect(),
        report,
    )
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn row(kind: &str, category: &str, sum: &str) -> (String, String, Decimal) {
    (kind.into(), category.into(), d(sum))
}

/// One export layout: its fixture, its source block, where it sits in the site, the
/// same counted rows in tally's own layout, and the figures worked out by hand.
struct Layout {
    export: &'static str,
    block: &'static str,
    at: &'static str,
    own: &'static str,
    /// (kind, category, sum) of the counted rows.
    sums: &'static [(&'static str, &'static str, &'static str)],
    /// Rows read, and rows skipped by each named rule.
    read: u64,
    skipped: &'static [(&'static str, u64)],
}

/// Every row counted or skipped by a named rule, the totals, and the week digests of
/// the same rows in tally's own layout.
fn check(layout: &Layout) {
    let site = site(layout.export, layout.at, &fixture_text(layout.block));
    let (sums, report) = totals(site.path());
    let expected: Vec<_> = layout.sums.iter().map(|(k, c, s)| row(k, c, s)).collect();
    assert_eq!(sums, expected, "{}", layout.export);
    let skipped: u64 = layout.skipped.iter().map(|(_, n)| n).sum();
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (layout.read, layout.read - skipped, skipped),
        "{}",
        layout.export
    );
    let reasons: Vec<(&str, u64)> = report
        .skipped
        .iter()
        .map(|(reason, n)| (reason.as_str(), *n))
        .collect();
    assert_eq!(reasons, layout.skipped, "{}", layout.export);
    let own = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/own.csv", &fixture_text(layout.own)),
    ]);
    let (a, b) = (digests(site.path()), digests(own.path()));
    assert!(a.contains("week: 48"), "{}: {a}", layout.export);
    assert_eq!(a, b, "{}", layout.export);
}

fn digests(site: &Path) -> String {
    let model = tally::prepare(site, None).unwrap_or_else(|e| panic!("{e}"));
    format!(
        "{:?}",
        tally::model::seal::week_digests(&model.ledger.entries, None)
    )
}

// A cooperative bank's statement (Atruvia's layout, used by the Volksbanken,
// Raiffeisenbanken and GLS): `;`, Windows-1252, `-1.250,50`, `23.11.2026`.
const BANK: Layout = Layout {
    export: "bank.csv",
    block: "bank.toml",
    at: "data/ledger/bank/2026-11.csv",
    own: "bank-own.csv",
    // Expenses 1,250.50 + 42.30 (food) and 84.17; income 25.00 + 1,000.00.
    sums: &[
        ("expense", "food", "1292.80"),
        ("expense", "treasury", "84.17"),
        ("income", "treasury", "1025.00"),
    ],
    read: 6,
    skipped: &[("bank charges are booked by the treasury cell", 1)],
};

// Open Collective's transactions export with its default fields, newest first,
// ending with the warning a limited export writes.
const OPEN_COLLECTIVE: Layout = Layout {
    export: "opencollective.csv",
    block: "opencollective.toml",
    at: "data/ledger/oc/transactions.csv",
    own: "opencollective-own.csv",
    // Expenses: host fees 3 + 125, the expense 529.36, the refund 30; income: the
    // contributions 30 + 1,250 and the refunded host fee 3.
    sums: &[
        ("expense", "treasury", "687.36"),
        ("income", "treasury", "1283"),
    ],
    read: 9,
    skipped: &[("payment processor fees are kept by the fiscal host", 2)],
};

// hledger's `print -O csv`: one row per posting.
const HLEDGER_PRINT: Layout = Layout {
    export: "hledger.csv",
    block: "hledger.toml",
    at: "data/ledger/hledger/journal.csv",
    own: "hledger-own.csv",
    // Food 412.80 + 36.40; rent 250 + cleaning 12.60; income 180 + 1,000.
    sums: &[
        ("expense", "food", "449.20"),
        ("expense", "treasury", "262.60"),
        ("income", "treasury", "1180.00"),
    ],
    read: 11,
    skipped: &[(
        "the bank or cash side of a posting: its other side is counted",
        5,
    )],
};

// hledger's `register -O csv` of the same journal: the commodity is in the amount.
const HLEDGER_REGISTER: Layout = Layout {
    export: "hledger-register.csv",
    block: "hledger-register.toml",
    at: "data/ledger/hledger/register.csv",
    own: "hledger-own.csv",
    sums: HLEDGER_PRINT.sums,
    read: 11,
    skipped: HLEDGER_PRINT.skipped,
};

// A Google Forms "Download responses (.csv)": every field quoted, US timestamps.
const GOOGLE_FORMS: Layout = Layout {
    export: "google-forms.csv",
    block: "google-forms.toml",
    at: "data/ledger/forms/pickups.csv",
    own: "google-forms-own.csv",
    // 12.5 + 8 + 6.75 + 15.25 kg.
    sums: &[("service", "food", "42.50")],
    read: 5,
    skipped: &[("test submissions", 1)],
};

// A KoboToolbox CSV export (XML values and headers): `;`, every field quoted, CRLF.
const KOBO: Layout = Layout {
    export: "kobo.csv",
    block: "kobo.toml",
    at: "data/ledger/kobo/visits.csv",
    own: "kobo-own.csv",
    // 3.5 + 2 + 4.25 h.
    sums: &[("service", "care", "9.75")],
    read: 5,
    skipped: &[
        ("visits not approved by the care circle", 1),
        ("visits the care circle has not yet validated", 1),
    ],
};

const LAYOUTS: [&Layout; 6] = [
    &BANK,
    &OPEN_COLLECTIVE,
    &HLEDGER_PRINT,
    &HLEDGER_REGISTER,
    &GOOGLE_FORMS,
    &KOBO,
];

#[test]
fn a_bank_statement_with_semicolons_decimal_commas_and_windows_1252_is_read_whole() {
    check(&BANK);
}

#[test]
fn an_open_collective_export_maps_credit_and_debit_and_drops_its_trailing_warning() {
    check(&OPEN_COLLECTIVE);
}

#[test]
fn an_hledger_posting_export_counts_one_side_of_each_transaction() {
    check(&HLEDGER_PRINT);
}

#[test]
fn an_hledger_register_export_reads_the_commodity_in_its_amounts() {
    check(&HLEDGER_REGISTER);
}

#[test]
fn a_google_forms_sheet_of_pickups_reads_its_timestamps() {
    check(&GOOGLE_FORMS);
    let site = site(
        "google-forms.csv",
        "data/ledger/forms/pickups.csv",
        &fixture_text("google-forms.toml"),
    );
    let model = tally::prepare(site.path(), None).unwrap();
    let last = model.ledger.entries.iter().last().unwrap();
    assert_eq!(last.date.to_string(), "2026-11-25");
}

#[test]
fn a_kobotoolbox_export_skips_what_was_not_approved() {
    check(&KOBO);
}

#[test]
fn every_fixture_names_the_source_it_was_verified_against() {
    let readme = fixture_text("README.md");
    for layout in LAYOUTS {
        let line = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", layout.export)))
            .unwrap_or_else(|| panic!("{} is not in the README", layout.export));
        assert!(line.contains("github.com/"), "{line}");
    }
}

#[test]
fn the_build_summary_and_data_page_account_for_every_row_by_source() {
    let site = site(
        "bank.csv",
        "data/ledger/bank/2026-11.csv",
        &fixture_text("bank.toml"),
    );
    let out = tally(&["build", site.path().to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout.contains("source \"gls-bank\": 6 rows read from 1 file: 5 counted, 1 skipped (bank charges are booked by the treasury cell: 1)"),
        "{stdout}"
    );
    let page = read(&site.path().join("public"), "data/index.html");
    assert!(page.contains("<td>gls-bank</td>"), "{page}");
    assert!(page.contains("<code>data/ledger/bank/2026-11.csv</code></td><td>6</td><td>5</td><td>1<ul><li>1: bank charges are booked by the treasury cell</li>"), "{page}");
    // Private columns stay private.
    let all = read_tree(&site.path().join("public"));
    for (path, bytes) in &all {
        assert!(!contains(bytes, "Großmarkt".as_bytes()), "{path}");
        assert!(!contains(bytes, b"Verwendungszweck"), "{path}");
    }
}

#[test]
fn a_semicolon_file_read_with_commas_gets_one_error_and_the_delimiter_to_set() {
    let block = fixture_text("kobo.toml").replace("delimiter = \";\"\n", "");
    let site = site("kobo.csv", "data/ledger/kobo/visits.csv", &block);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .starts_with("data/ledger/kobo/visits.csv:1: the header is one field \"start;end;"),
        "{errors:?}"
    );
    assert!(
        errors[0].contains("this file looks `;`-separated: set `delimiter = \";\"` for its source")
    );
    // The same in tally's own layout.
    let own = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/a.csv",
            "date;cell;category;kind;quantity;unit\n",
        ),
    ]);
    let errors = problems(own.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("this file looks `;`-separated"),
        "{errors:?}"
    );
}

#[test]
fn windows_1252_read_as_utf8_says_which_encoding_to_set() {
    let block = fixture_text("bank.toml").replace("encoding = \"windows-1252\"\n", "");
    let site = site("bank.csv", "data/ledger/bank/2026-11.csv", &block);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(
            "data/ledger/bank/2026-11.csv:2: not valid UTF-8 text; it reads as Windows-1252"
        ),
        "{errors:?}"
    );
    assert!(errors[0].contains("set `encoding = \"windows-1252\"`"));
}

#[test]
fn a_decimal_comma_read_with_a_dot_says_which_mark_to_set() {
    let block = fixture_text("bank.toml").replace("decimal = \",\"\n", "");
    let site = site("bank.csv", "data/ledger/bank/2026-11.csv", &block);
    let errors = problems(site.path());
    assert!(
        errors.contains(&"data/ledger/bank/2026-11.csv:2: quantity: \"-1.250,50\" is not a number (with '.' as the decimal mark); it reads with a decimal ',': set `decimal = \",\"` for its source".to_string()),
        "{errors:?}"
    );
}

#[test]
fn an_unknown_kind_names_the_vocabulary_and_the_values_map_that_fixes_it() {
    let block = fixture_text("opencollective.toml").replace(
        "kind = { CREDIT = \"income\", DEBIT = \"expense\" }\n",
        "kind = { CREDIT = \"income\" }\n",
    );
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", &block);
    let errors = problems(site.path());
    // The DEBIT rows but the skipped payment processor fees (lines 4 and 8).
    let expected: Vec<String> = [2, 5, 7, 9]
        .iter()
        .map(|line| format!("data/ledger/oc/t.csv:{line}: kind: \"DEBIT\" is not a kind; use one of service, contribution, transfer, income, expense, allocation, or map the word in its source's values: `[ledger.sources.values] kind = {{ \"DEBIT\" = \"expense\" }}`"))
        .collect();
    assert_eq!(errors, expected);
}

#[test]
fn without_a_rule_the_trailing_warning_line_is_an_error_with_a_hint() {
    let block = fixture_text("opencollective.toml").replace("ignore_lines = [\"^Warning:\"]\n", "");
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", &block);
    let errors = problems(site.path());
    assert_eq!(
        errors,
        [
            "data/ledger/oc/t.csv:11: expected 27 fields like the header, found 1; if this line is not a row, add `ignore_lines = [\"^Warning\"]` to its source"
        ]
    );
}

#[test]
fn mistakes_in_a_source_name_tally_toml_s_line_and_the_source() {
    let block = "\n[[ledger.sources]]\nname = \"a\"\nfiles = \"data/ledger/oc/*.csv\"\nencoding = \"klingon\"\n\n[[ledger.sources]]\nname = \"b\"\nfiles = \"data/ledger/**/*.csv\"\n[[ledger.sources.rules]]\nwhen = { Nope = \"x\" }\nskip = \"r\"\n\n[[ledger.sources]]\nname = \"c\"\nfiles = \"data/ledger/none/*.csv\"\n[[ledger.sources.rules]]\nwhen = { kind = \"(\" }\nskip = \"r\"\n";
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", block);
    let all = problems(site.path());
    // Source "b" also names each column it gives no value: asserted elsewhere.
    let errors: Vec<&String> = all.iter().filter(|e| e.starts_with("tally.toml")).collect();
    let line = |n: usize| 3 + n; // CONFIG_EUR has three lines
    assert_eq!(
        errors,
        [
            &format!(
                "tally.toml:{}: [[ledger.sources]] \"a\": encoding \"klingon\" is not known; use \"utf-8\", \"windows-1252\", \"latin-1\" or \"utf-16\"",
                line(2)
            ),
            &format!(
                "tally.toml:{}: [[ledger.sources]] \"b\": rule: when \"Nope\": data/ledger/oc/t.csv has no such column; its header has datetime, shortId, shortGroup, description, type, kind, isRefund, isRefunded, shortRefundId, refundKind, displayAmount, amount, netAmount, balance, currency, accountSlug, accountName, oppositeAccountSlug, oppositeAccountName, paymentMethodService, paymentMethodType, expenseType, expenseTags, payoutMethodType, merchantId, orderMemo, orderProcessedDate",
                line(10)
            ),
            &format!(
                "tally.toml:{}: [[ledger.sources]] \"c\": rule: when \"kind\": \"(\" is not a regex: regex parse error: ( ^ error: unclosed group",
                line(17)
            ),
        ]
    );
}

#[test]
fn a_source_that_gives_no_cell_says_how_to_give_one() {
    let block = fixture_text("kobo.toml").replace("cell = \"care-circle\"\n", "");
    let site = site("kobo.csv", "data/ledger/kobo/visits.csv", &block);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("data/ledger/kobo/visits.csv:1: cell: source \"care-visits\" gives no cell: map a column with `columns.cell` or set one for the whole file with `set.cell = \"…\"`"),
        "{errors:?}"
    );
}

#[test]
fn a_file_claimed_twice_and_a_glob_matching_nothing_are_errors() {
    let mut block = fixture_text("opencollective.toml");
    block.push_str("\n[[ledger.sources]]\nname = \"again\"\nfiles = \"data/ledger/oc/t.csv\"\n\n[[ledger.sources]]\nname = \"empty\"\nfiles = \"data/ledger/nothing/*.csv\"\n");
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", &block);
    let errors = problems(site.path());
    let start = 3 + block.lines().position(|l| l == "name = \"again\"").unwrap();
    assert_eq!(
        errors,
        [
            format!(
                "tally.toml:{start}: [[ledger.sources]] \"again\": data/ledger/oc/t.csv is claimed by source \"open-collective\" too; a file is read by one source"
            ),
            format!(
                "tally.toml:{}: [[ledger.sources]] \"empty\": files = \"data/ledger/nothing/*.csv\" matches no file",
                start + 4
            ),
        ]
    );
}

#[test]
fn two_unknown_keys_in_tally_toml_are_both_reported() {
    let block = fixture_text("kobo.toml").replace(
        "delimiter = \";\"",
        "delimeter = \";\"\nencodng = \"utf-8\"",
    );
    let site = site("kobo.csv", "data/ledger/kobo/visits.csv", &block);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("tally.toml:7:") && errors[0].contains("delimeter"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("tally.toml:8:") && errors[1].contains("encodng"),
        "{errors:?}"
    );
}

#[test]
fn many_rows_failing_for_one_reason_are_summed_up() {
    let mut text = String::from("Datum;Betrag\n");
    for day in 1..=25 {
        text.push_str(&format!("{day:02}.11.2026;12,50\n"));
    }
    let block = "\n[[ledger.sources]]\nname = \"bank\"\nfiles = \"data/ledger/b.csv\"\ndelimiter = \";\"\ndate_format = \"%d.%m.%Y\"\n[ledger.sources.columns]\ndate = \"Datum\"\nquantity = \"Betrag\"\n[ledger.sources.set]\ncell = \"x\"\ncategory = \"treasury\"\nkind = \"income\"\nunit = \"EUR\"\n";
    let site = site_with(&[
        ("tally.toml", &format!("{CONFIG_EUR}{block}")),
        ("data/ledger/b.csv", &text),
    ]);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(
        errors[0].starts_with("data/ledger/b.csv:2: quantity: \"12,50\" is not a number"),
        "{errors:?}"
    );
    assert!(errors[2].starts_with("data/ledger/b.csv:4: "), "{errors:?}");
    assert_eq!(
        errors[3],
        "data/ledger/b.csv: … and 22 more rows (lines 5–26)"
    );
}

#[test]
fn tally_import_proposes_a_block_that_builds_for_every_layout() {
    for layout in LAYOUTS {
        let (export, rows) = (layout.export, layout.read);
        let site = site_with(&[("tally.toml", CONFIG_EUR), ("data/rates.csv", RATES)]);
        let at = site.path().join("data/ledger/imported").join(export);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, fixture(export)).unwrap();
        let out = tally(&[
            "import",
            at.to_str().unwrap(),
            "--site",
            site.path().to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{export}: {}", stderr(&out));
        let block = String::from_utf8(out.stdout).unwrap();
        assert!(
            block.contains(&format!("files = \"data/ledger/imported/{export}\"")),
            "{block}"
        );
        assert!(!block.contains("# missing"), "{export}: {block}");
        // The first rows as tally reads them with the block, not a parse error.
        assert!(!block.contains("does not parse"), "{export}: {block}");
        assert!(block.contains("\n# line "), "{export}: {block}");
        // It wrote nothing.
        assert_eq!(read(site.path(), "tally.toml"), CONFIG_EUR);
        write(site.path(), "tally.toml", &format!("{CONFIG_EUR}{block}"));
        let model =
            tally::prepare(site.path(), None).unwrap_or_else(|e| panic!("{export}: {e}\n{block}"));
        let report = &model.ledger_sources[0];
        // Every row read, and every row counted but those its proposed rules skip (the
        // other side of hledger's postings).
        assert_eq!(report.read, rows, "{export}: {block}");
        let skipped = if export.starts_with("hledger") { 5 } else { 0 };
        assert_eq!(report.skipped_rows(), skipped, "{export}: {block}");
        assert_eq!(
            model.ledger.entries.iter().count() as u64,
            rows - skipped,
            "{export}"
        );
    }
}
