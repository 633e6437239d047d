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

#[test]
fn a_bank_statement_with_semicolons_decimal_commas_and_windows_1252_is_read_whole() {
    let site = site(
        "bank.csv",
        "data/ledger/bank/2026-11.csv",
        &fixture_text("bank.toml"),
    );
    let (sums, report) = totals(site.path());
    // Expenses 1,250.50 + 42.30 (food) and 84.17; income 25.00 + 1,000.00.
    assert_eq!(
        sums,
        [
            row("expense", "food", "1292.80"),
            row("expense", "treasury", "84.17"),
            row("income", "treasury", "1025.00"),
        ]
    );
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (6, 5, 1)
    );
    assert_eq!(
        report
            .skipped
            .get("bank charges are booked by the treasury cell"),
        Some(&1)
    );
}

#[test]
fn the_same_rows_in_tallys_own_layout_give_the_same_week_digests() {
    let mapped = site(
        "bank.csv",
        "data/ledger/bank/2026-11.csv",
        &fixture_text("bank.toml"),
    );
    let own = site("bank-own.csv", "data/ledger/bank/2026-11.csv", "");
    let digests = |site: &Path| {
        let model = tally::prepare(site, None).unwrap_or_else(|e| panic!("{e}"));
        format!(
            "{:?}",
            tally::model::seal::week_digests(&model.ledger.entries, None)
        )
    };
    let (a, b) = (digests(mapped.path()), digests(own.path()));
    assert!(a.contains("week: 48") && a.contains("rows: 5"), "{a}");
    assert_eq!(a, b);
}

#[test]
fn an_open_collective_export_maps_its_kinds_and_drops_its_trailing_warning() {
    let site = site(
        "opencollective.csv",
        "data/ledger/oc/transactions.csv",
        &fixture_text("opencollective.toml"),
    );
    let (sums, report) = totals(site.path());
    // Expense 3.00 (host fee) + 529.36 (EXPENSE) + 30.00 (refund); income 30 + 1,250.
    assert_eq!(
        sums,
        [
            row("expense", "treasury", "562.36"),
            row("income", "treasury", "1280.00")
        ]
    );
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (6, 5, 1)
    );
}

#[test]
fn an_hledger_posting_export_counts_one_side_of_each_transaction() {
    let site = site(
        "hledger.csv",
        "data/ledger/hledger/journal.csv",
        &fixture_text("hledger.toml"),
    );
    let (sums, report) = totals(site.path());
    // Food 412.80 + 36.40; rent 250 + cleaning 12.60; income 180 + 1,000.
    assert_eq!(
        sums,
        [
            row("expense", "food", "449.20"),
            row("expense", "treasury", "262.60"),
            row("income", "treasury", "1180.00"),
        ]
    );
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (11, 6, 5)
    );
}

#[test]
fn a_google_forms_sheet_of_pickups_reads_its_timestamps() {
    let site = site(
        "google-forms.csv",
        "data/ledger/forms/pickups.csv",
        &fixture_text("google-forms.toml"),
    );
    let (sums, report) = totals(site.path());
    // 12.5 + 8 + 6.75 + 15.25 kg; the test submission skipped.
    assert_eq!(sums, [row("service", "food", "42.50")]);
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (5, 4, 1)
    );
    let model = tally::prepare(site.path(), None).unwrap();
    let last = model.ledger.entries.iter().last().unwrap();
    assert_eq!(last.date.to_string(), "2026-11-25");
}

#[test]
fn a_kobotoolbox_export_skips_what_was_not_approved() {
    let site = site(
        "kobo.csv",
        "data/ledger/kobo/visits.csv",
        &fixture_text("kobo.toml"),
    );
    let (sums, report) = totals(site.path());
    // 3.5 + 2 + 4.25 h.
    assert_eq!(sums, [row("service", "care", "9.75")]);
    assert_eq!(
        (report.read, report.counted(), report.skipped_rows()),
        (4, 3, 1)
    );
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
            "data/ledger/bank/2026-11.csv:5: not valid UTF-8 text; it reads as Windows-1252"
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
        errors.contains(&"data/ledger/bank/2026-11.csv:5: quantity: \"-1.250,50\" is not a number (with '.' as the decimal mark); it reads with a decimal ',': set `decimal = \",\"` for its source".to_string()),
        "{errors:?}"
    );
}

#[test]
fn an_unknown_kind_names_the_vocabulary_and_the_values_map_that_fixes_it() {
    let block = fixture_text("opencollective.toml").replace(
        "kind = { CONTRIBUTION = \"income\", HOST_FEE = \"expense\" }\n",
        "kind = { CONTRIBUTION = \"income\" }\n",
    );
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", &block);
    let errors = problems(site.path());
    assert_eq!(
        errors,
        [
            "data/ledger/oc/t.csv:3: kind: \"HOST_FEE\" is not a kind; use one of service, contribution, transfer, income, expense, allocation, or map the word in its source's values: `[ledger.sources.values] kind = { \"HOST_FEE\" = \"expense\" }`"
        ]
    );
}

#[test]
fn without_a_rule_the_trailing_warning_line_is_an_error_with_a_hint() {
    let block = fixture_text("opencollective.toml").replace("ignore_lines = [\"^Warning:\"]\n", "");
    let site = site("opencollective.csv", "data/ledger/oc/t.csv", &block);
    let errors = problems(site.path());
    assert_eq!(
        errors,
        [
            "data/ledger/oc/t.csv:8: expected 16 fields like the header, found 1; if this line is not a row, add `ignore_lines = [\"^Warning\"]` to its source"
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
                "tally.toml:{}: [[ledger.sources]] \"b\": rule: when \"Nope\": data/ledger/oc/t.csv has no such column; its header has datetime, shortId, shortGroup, description, type, kind, isRefund, isRefunded, displayAmount, amount, paymentProcessorFee, netAmount, currency, accountSlug, oppositeAccountSlug, oppositeAccountName",
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
    for (export, rows) in [
        ("bank.csv", 6),
        ("opencollective.csv", 6),
        ("hledger.csv", 6),
        ("google-forms.csv", 5),
        ("kobo.csv", 4),
    ] {
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
        assert_eq!(report.counted() as usize, rows, "{export}: {block}");
        assert_eq!(model.ledger.entries.iter().count(), rows, "{export}");
    }
}
