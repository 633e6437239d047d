//! The ledger: loading exports, every validation error with its file, line and reason,
//! valuation, the city's share, weekly balance sheets, reconciliation and privacy.

mod common;

use std::collections::BTreeMap;

use common::{
    CONFIG_EUR, LEDGER_HEADER, build, build_errors, contains, example_site, problems, read,
    read_tree, site_with, write,
};
use rust_decimal::Decimal;
use tally::BuildOptions;
use tally::model::ledger::{Kind, WeekStatus};
use tally::model::week::WeekId;
use tempfile::TempDir;

const RATES: &str = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2026-01-01,Market basket
kg,,3.20,EUR,2026-01-01,Wholesale average
h,care,14.50,EUR,2026-01-01,Wage agreement
h,care,15.20,EUR,2026-01-07,Wage agreement step
";

/// 36,500 a year is 100 a day; 73,000 is 200 a day.
const BUDGET: &str = "year,category,amount,currency,line,source
2026,food,30000,EUR,Food assistance,Budget 2026
2026,food,6500,EUR,Pantry grants,Budget 2026
2026,care,73000,EUR,Childcare,Budget 2026
";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn week(s: &str) -> WeekId {
    WeekId::parse(s).unwrap()
}

/// Two weeks of a small network, computed by hand in the comments.
fn small_network() -> TempDir {
    // Week 2026-W02 runs Monday 5 to Sunday 11 January 2026.
    let food = format!(
        "{LEDGER_HEADER}\
2026-01-05,food-coop,food,service,10,kg,F-1,,hh-1,
2026-01-06,food-coop,food,service,5.5,kg,F-2,,hh-2,
2026-01-06,food-coop,seeds,service,4,kg,F-3,,hh-3,
2026-01-07,food-coop,food,contribution,40,kg,,,farm-1,
2026-01-12,food-coop,food,service,2.25,kg,F-4,,hh-1,
"
    );
    let care = format!(
        "{LEDGER_HEADER}\
2026-01-06,care-circle,care,service,2,h,C-1,,hh-4,
2026-01-07,care-circle,care,service,3,h,C-2,,hh-5,
2026-01-08,care-circle,care,service,1,h,,,hh-6,
2026-01-08,care-circle,care,transfer,3,h,,food-coop,,sorting
"
    );
    let treasury = format!(
        "{LEDGER_HEADER}\
2026-01-05,treasury,treasury,income,100,EUR,,,org-1,dues
2026-01-09,treasury,treasury,expense,30.50,EUR,,,org-2,rent
2026-01-10,treasury,treasury,allocation,20,EUR,,strike-fund,,set aside
2026-01-13,treasury,treasury,allocation,5,EUR,,strike-fund,,set aside
"
    );
    site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/city-budget.csv", BUDGET),
        ("data/ledger/food.csv", &food),
        ("data/ledger/care.csv", &care),
        ("data/ledger/treasury.csv", &treasury),
    ])
}

#[test]
fn weekly_balance_sheet_matches_hand_computed_figures() {
    let dir = small_network();
    let site = tally::prepare(dir.path(), None).unwrap();
    let ledger = &site.ledger;
    assert_eq!(ledger.as_of, Some(jiff::civil::date(2026, 1, 13)));
    assert_eq!(ledger.weeks.len(), 2);
    let w2 = ledger.week(week("2026-W02")).unwrap();
    assert_eq!(w2.status, WeekStatus::Closed);
    let w3 = ledger.week(week("2026-W03")).unwrap();
    assert_eq!(w3.status, WeekStatus::InProgress);

    // Per category and unit: (category, unit, drawn, receipts, contributed, value).
    let lines: Vec<(String, String, Decimal, u64, Decimal, Decimal)> = w2
        .lines
        .iter()
        .map(|l| {
            (
                l.category.to_string(),
                l.unit.to_string(),
                l.drawn,
                l.receipts,
                l.contributed,
                l.value,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            // 2 h at 14.50 on the 6th, 3 h and 1 h at 15.20 from the 7th: 29 + 45.6 + 15.2.
            ("care".into(), "h".into(), d("6"), 2, d("0"), d("89.80")),
            // 10 kg and 5.5 kg at 3.80: 38 + 20.9; 40 kg contributed.
            (
                "food".into(),
                "kg".into(),
                d("15.5"),
                2,
                d("40"),
                d("58.90")
            ),
            // No rate for seeds: the blank-category rate 3.20 applies.
            ("seeds".into(), "kg".into(), d("4"), 1, d("0"), d("12.80")),
        ]
    );

    // City: food 36,500/year = 700/week; care 73,000/year = 1,400/week.
    let sheet: BTreeMap<&str, (Decimal, Option<Decimal>, Option<Decimal>)> = w2
        .categories
        .iter()
        .map(|c| {
            (
                c.category.as_str(),
                (c.value, c.city_share.map(|s| s.amount), c.ratio),
            )
        })
        .collect();
    assert_eq!(
        sheet["food"],
        (d("58.90"), Some(d("700")), Some(d("58.90") / d("700")))
    );
    assert_eq!(
        sheet["care"],
        (d("89.80"), Some(d("1400")), Some(d("89.80") / d("1400")))
    );
    assert_eq!(sheet["seeds"], (d("12.80"), None, None));
    assert_eq!(w2.value(), d("161.50"));

    // Treasury: +100 − 30.50 − 20 set aside; W03 sets aside 5 more.
    assert_eq!(w2.treasury.closing, d("49.50"));
    assert_eq!(w2.treasury.funds[0].name, "strike-fund");
    assert_eq!(w2.treasury.funds[0].balance, d("20"));
    assert_eq!(w3.treasury.opening, d("49.50"));
    assert_eq!(w3.treasury.closing, d("44.50"));
    assert_eq!(w3.treasury.funds[0].balance, d("25"));

    // Transfers and allocations as flows.
    let flows: Vec<(String, String, Kind, Decimal)> = w2
        .flows
        .iter()
        .map(|f| (f.from.to_string(), f.to.to_string(), f.kind, f.quantity))
        .collect();
    assert_eq!(
        flows,
        vec![
            (
                "care-circle".into(),
                "food-coop".into(),
                Kind::Transfer,
                d("3")
            ),
            (
                "treasury".into(),
                "strike-fund".into(),
                Kind::Allocation,
                d("20")
            ),
        ]
    );

    // Per cell.
    let care_cell = w2
        .cells
        .iter()
        .find(|l| l.cell.as_deref() == Some("care-circle"))
        .unwrap();
    assert_eq!((care_cell.drawn, care_cell.value), (d("6"), d("89.80")));

    // Reconciliation: 11 rows this week (4 food, 4 care, 3 treasury), every one counted.
    assert_eq!(w2.reconciliation.rows_read, 11);
    assert_eq!(w2.reconciliation.rows_counted(), 11);
    assert_eq!(w2.reconciliation.by_kind, [6, 1, 1, 1, 1, 1]);
}

#[test]
fn report_pages_show_the_hand_computed_figures() {
    let dir = small_network();
    let out = build(dir.path());
    let page = read(&out, "reports/2026-W02/index.html");
    // 58.90 / 700 = 8.4 %; 89.80 / 1400 = 6.4 %; in all 148.70 / 2100 = 7.1 %.
    assert!(page.contains("€58.90"), "food value");
    assert!(page.contains("€700.00"), "food city share");
    assert!(
        page.contains("<strong>8%</strong> of what the city budgets for food"),
        "{page}"
    );
    assert!(page.contains("<strong>6%</strong> of what the city budgets for care"));
    assert!(page.contains("€161.50"), "week value");
    assert!(page.contains("€2,100.00"), "week city share");
    assert!(page.contains(">7%<"), "week ratio");
    assert!(page.contains("€49.50"), "treasury balance");
    assert!(page.contains("Rows read: <strong>11</strong>. Rows counted: <strong>11</strong>"));
    assert!(page.contains("€15.20 per h"), "rate applied");
    assert!(
        page.contains("12–18 January 2026 <span class=\"iso-week\">2026-W03</span> →"),
        "next week, by its dates"
    );
    assert!(page.contains("badge closed"));
    let current = read(&out, "reports/2026-W03/index.html");
    assert!(current.contains("badge in-progress"));
    assert!(
        current.contains("← 5–11 January 2026 <span class=\"iso-week\">2026-W02</span>"),
        "previous week, by its dates"
    );
    // The week in progress is labelled by its days and not compared with the city's
    // budget for a whole week.
    assert!(current.contains("so far ("), "{current}");
    assert!(!current.contains("of what the city budgets, met by the network"));
    let list = read(&out, "reports/index.html");
    assert!(list.contains("href=\"2026-W02/index.html\""));
    assert!(list.contains("href=\"2026-W03/index.html\""));
    let home = read(&out, "index.html");
    // The home page leads with the last closed week, in words and units.
    assert!(
        home.contains("Last week: <a href=\"reports/2026-W02/index.html\">5–11 January 2026</a>"),
        "{home}"
    );
    assert!(
        home.contains("The network's cells provided <strong>"),
        "{home}"
    );
    assert!(
        home.contains("so far ("),
        "the week in progress as a small line"
    );
}

#[test]
fn every_validation_error_is_reported_with_file_line_and_reason() {
    let bad = format!(
        "{LEDGER_HEADER}\
2026-01-05,food-coop,food,service,10,kg,F-1,,,
2026-13-01,food-coop,food,service,1,kg,F-2,,,
2026-01-05,food-coop,food,service,12;5,kg,F-3,,,
2026-01-05,food-coop,food,service,12,5,kg,F-4,,,
2026-01-05,food-coop,food,service,0,kg,F-5,,,
2026-01-05,food-coop,food,service,-3,kg,F-6,,,
2026-01-05,food-coop,food,gift,1,kg,F-7,,,
2026-01-05,food-coop,care,transfer,1,h,,,,
2026-01-05,treasury,treasury,allocation,5,EUR,,,,
2026-01-05,food-coop,food,service,2,kg,F-1,,,
2026-01-05,food-coop,fuel,service,2,l,F-8,,,
2026-01-05,treasury,treasury,income,5,USD,,,,
2025-12-31,care-circle,care,service,1,h,C-1,,,
,,food,service,1,kg,,,,
"
    );
    let other = format!("{LEDGER_HEADER}2026-01-06,food-coop,food,service,1,kg,F-1,,,\n");
    let rates = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2026-01-01,Market
h,care,abc,EUR,2026-01-01,Wages
h,care,14,USD,2026-01-01,Wages
h,care,14,EUR,2026-02-30,Wages
";
    let budget = "year,category,amount,currency,line,source
2026,food,1000,EUR,Food,Budget
twenty,food,1000,EUR,Food,Budget
2026,food,12.5.1,EUR,Food,Budget
2026,care,1000,GBP,Care,Budget
";
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", rates),
        ("data/city-budget.csv", budget),
        ("data/ledger/a.csv", &bad),
        ("data/ledger/b.csv", &other),
        ("data/ledger/c.csv", "date,cell,kind,amount,unit\n"),
    ]);
    let found = problems(dir.path());
    let expected = [
        "data/city-budget.csv:3: year: \"twenty\" is not a year like 2026",
        "data/city-budget.csv:4: amount: \"12.5.1\" is not a decimal",
        "data/city-budget.csv:5: currency: \"GBP\" is not the site's currency EUR",
        "data/ledger/a.csv:3: date: \"2026-13-01\" is not a date (expected YYYY-MM-DD)",
        "data/ledger/a.csv:4: quantity: \"12;5\" is not a decimal",
        "data/ledger/a.csv:5: expected 10 fields like the header, found 11",
        "data/ledger/a.csv:6: quantity: must be greater than 0, not 0",
        "data/ledger/a.csv:7: quantity: must be greater than 0, not -3",
        "data/ledger/a.csv:8: kind: \"gift\" is not a kind; use one of service, contribution, transfer, income, expense, allocation, or map the word in its source's values: `[ledger.sources.values] kind = { \"gift\" = \"…\" }`",
        "data/ledger/a.csv:9: to_cell: a transfer row needs to_cell (the receiving cell)",
        "data/ledger/a.csv:10: to_cell: an allocation row needs to_cell (the fund)",
        "data/ledger/a.csv:12: unit: no rate for l (category fuel) in force on 2026-01-05 in data/rates.csv",
        "data/ledger/a.csv:13: unit: income is money in the site's currency EUR, not \"USD\"",
        "data/ledger/a.csv:14: unit: no rate for h (category care) in force on 2025-12-31 in data/rates.csv",
        "data/ledger/a.csv:15: cell: must not be empty",
        "data/ledger/a.csv:15: date: \"\" is not a date (expected YYYY-MM-DD)",
        "data/ledger/a.csv:11: receipt: \"F-1\" is already used at data/ledger/a.csv:2",
        "data/ledger/b.csv:2: receipt: \"F-1\" is already used at data/ledger/a.csv:2",
        "data/ledger/c.csv:1: category: missing required column; expected the columns date, cell, category, kind, quantity, unit; found date, cell, kind, amount, unit; if the export calls it something else, map it in tally.toml: [ledger.columns] category = \"the export's header\"",
        "data/ledger/c.csv:1: quantity: missing required column; expected the columns date, cell, category, kind, quantity, unit; found date, cell, kind, amount, unit; if the export calls it something else, map it in tally.toml: [ledger.columns] quantity = \"the export's header\"",
        "data/rates.csv:3: rate: \"abc\" is not a decimal",
        "data/rates.csv:4: currency: \"USD\" is not the site's currency EUR",
        "data/rates.csv:5: valid_from: \"2026-02-30\" is not a date (expected YYYY-MM-DD)",
    ];
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    let mut sorted = found.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        expected,
        "all problems, at once:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_decimal_comma_is_explained() {
    let ledger = format!("{LEDGER_HEADER}2026-01-05,food-coop,food,service,\"12,5\",kg,F-1,,,\n");
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/a.csv", &ledger),
    ]);
    assert_eq!(
        problems(dir.path()),
        vec!["data/ledger/a.csv:2: quantity: \"12,5\" is not a decimal (use a dot)"]
    );
}

#[test]
fn values_too_large_to_add_up_exactly_are_reported_not_a_crash() {
    // Two rows at a decimal's largest value used to overflow the week's sum.
    let huge = "79228162514264337593543950335";
    let ledger = format!(
        "{LEDGER_HEADER}2026-01-05,food-coop,food,contribution,{huge},kg,,,,\n\
2026-01-06,food-coop,food,contribution,{huge},kg,,,,\n"
    );
    let rates = format!("{RATES}kg,food,1000000.01,EUR,2026-01-02,Too dear\n");
    let budget = format!("{BUDGET}2026,care,1000000000000000.5,EUR,Too much,Budget\n");
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", &rates),
        ("data/city-budget.csv", &budget),
        ("data/ledger/a.csv", &ledger),
    ]);
    let mut found = build_errors(dir.path());
    found.sort();
    assert_eq!(
        found,
        [
            "data/city-budget.csv:5: amount: 1000000000000000.5 is too large: at most 1000000000000000",
            &format!("data/ledger/a.csv:2: quantity: {huge} is too large: at most 1000000000000"),
            &format!("data/ledger/a.csv:3: quantity: {huge} is too large: at most 1000000000000"),
            "data/rates.csv:6: rate: 1000000.01 is too large: at most 1000000",
        ]
    );
}

#[test]
fn a_ratio_too_large_to_show_is_left_out() {
    // A budget line of a billionth of a euro beside a large value: no percentage fits.
    let ledger =
        format!("{LEDGER_HEADER}2026-01-05,food-coop,food,service,1000000000000,kg,F-1,,,\n");
    let rates =
        "unit,category,rate,currency,valid_from,source\nkg,food,1000000,EUR,2026-01-01,Dear\n";
    let budget =
        "year,category,amount,currency,line,source\n2026,food,0.000000001,EUR,Crumbs,Budget\n";
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", rates),
        ("data/city-budget.csv", budget),
        ("data/ledger/a.csv", &ledger),
    ]);
    let out = build(dir.path());
    let report =
        std::fs::read_to_string(out.join("reports/2026-W02/index.html")).expect("the report");
    assert!(
        report.contains("1,000,000,000,000"),
        "the quantity is shown"
    );
}

#[test]
fn a_bad_build_writes_nothing_and_exits_with_status_one() {
    let ledger = format!("{LEDGER_HEADER}2026-01-05,food-coop,food,service,x,kg,F-1,,,\n");
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/a.csv", &ledger),
    ]);
    let err = tally::build(&BuildOptions {
        site: dir.path().to_path_buf(),
        out: Some(dir.path().join("public")),
        base_url: None,
    })
    .unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(!dir.path().join("public").exists());
}

#[test]
fn column_mapping_and_date_format_read_a_spreadsheet_export_with_bom_and_crlf() {
    let config = format!(
        "{CONFIG_EUR}\n[ledger]\ndate_format = \"%d/%m/%Y\"\n[ledger.columns]\ndate = \"Transaction Date\"\nquantity = \"Amount\"\ncell = \"Group\"\n"
    );
    let export = "\u{feff}Amount,Transaction Date,Group,category,kind,unit,receipt,Notes\r\n\
\"1,000.5\",05/01/2026,food-coop,food,service,kg,F-1,x\r\n\
2.5,31/01/2026,food-coop,food,service,kg,F-2,\"a\r\nb\"\r\n\
3,32/01/2026,food-coop,food,service,kg,F-3,\r\n";
    let dir = site_with(&[
        ("tally.toml", &config),
        ("data/rates.csv", RATES),
        ("data/ledger/export.csv", export),
    ]);
    assert_eq!(
        problems(dir.path()),
        vec![
            "data/ledger/export.csv:2: quantity: \"1,000.5\" is not a decimal (use a dot)",
            "data/ledger/export.csv:5: date: \"32/01/2026\" is not a date in the format \"%d/%m/%Y\" set in tally.toml",
        ]
    );
    let fixed = export
        .replace("\"1,000.5\"", "1000.5")
        .replace("3,32/01", "3,30/01");
    std::fs::write(dir.path().join("data/ledger/export.csv"), fixed).unwrap();
    let site = tally::prepare(dir.path(), None).unwrap();
    let entries: Vec<(String, String, Decimal, u32)> = site
        .ledger
        .entries
        .iter()
        .map(|e| {
            (
                e.date.to_string(),
                e.cell.to_string(),
                e.quantity,
                e.source.line,
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            ("2026-01-05".into(), "food-coop".into(), d("1000.5"), 2),
            ("2026-01-31".into(), "food-coop".into(), d("2.5"), 3),
            ("2026-01-30".into(), "food-coop".into(), d("3"), 5),
        ]
    );
}

#[test]
fn an_unknown_mapped_column_is_an_error_in_tally_toml() {
    let config = format!("{CONFIG_EUR}\n[ledger.columns]\namount = \"Amount\"\n");
    let dir = site_with(&[("tally.toml", &config)]);
    let found = problems(dir.path());
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("tally.toml: [ledger.columns]: \"amount\" is not a ledger column"),
        "{}",
        found[0]
    );
}

#[test]
fn city_share_is_pro_rata_across_a_year_boundary() {
    // 2026-W53: Monday 28 December 2026 to Sunday 3 January 2027, four days in 2026.
    let budget = "year,category,amount,currency,line,source
2026,food,36500,EUR,Food,Budget 2026
2027,food,73000,EUR,Food,Budget 2027
";
    let ledger = format!(
        "{LEDGER_HEADER}2026-12-31,food-coop,food,service,10,kg,F-1,,,\n2027-01-02,food-coop,food,service,10,kg,F-2,,,\n"
    );
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/city-budget.csv", budget),
        ("data/ledger/a.csv", &ledger),
    ]);
    let site = tally::prepare(dir.path(), None).unwrap();
    assert_eq!(site.ledger.weeks.len(), 1);
    let w = &site.ledger.weeks[0];
    assert_eq!(w.week.to_string(), "2026-W53");
    let food = &w.categories[0];
    // 4 days × 100 + 3 days × 200.
    assert_eq!(food.city_share.unwrap().amount, d("1000"));
    assert_eq!(food.value, d("76.00"));
    assert_eq!(food.ratio, Some(d("0.076")));
}

#[test]
fn rates_use_the_most_specific_category_and_the_latest_valid_from() {
    let rates = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2026-01-01,Food basket
kg,,3.20,EUR,2026-01-01,Any kg
kg,food,4.00,EUR,2026-03-01,Food basket, March
kg,,9.00,EUR,2026-04-01,Any kg, April
";
    let rates = rates.replace("Food basket, March", "\"Food basket, March\"");
    let rates = rates.replace("Any kg, April", "\"Any kg, April\"");
    let ledger = format!(
        "{LEDGER_HEADER}\
2026-02-28,food-coop,food,service,1,kg,F-1,,,
2026-03-01,food-coop,food,service,1,kg,F-2,,,
2026-04-02,food-coop,food,service,1,kg,F-3,,,
2026-03-31,food-coop,seeds,service,1,kg,F-4,,,
2026-04-01,food-coop,seeds,service,1,kg,F-5,,,
"
    );
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", &rates),
        ("data/ledger/a.csv", &ledger),
    ]);
    let site = tally::prepare(dir.path(), None).unwrap();
    let applied: Vec<(Decimal, String, String)> = site
        .ledger
        .entries
        .iter()
        .map(|e| {
            let rate = site.ledger.rate_of(e).unwrap();
            (
                site.ledger.value_of(e).unwrap(),
                rate.valid_from.to_string(),
                rate.source.clone(),
            )
        })
        .collect();
    assert_eq!(
        applied,
        vec![
            (d("3.80"), "2026-01-01".into(), "Food basket".into()),
            (d("4.00"), "2026-03-01".into(), "Food basket, March".into()),
            (d("4.00"), "2026-03-01".into(), "Food basket, March".into()),
            (d("3.20"), "2026-01-01".into(), "Any kg".into()),
            (d("9.00"), "2026-04-01".into(), "Any kg, April".into()),
        ]
    );
}

#[test]
fn counterparty_never_reaches_the_output_and_memo_only_when_published() {
    let ledger = format!(
        "{LEDGER_HEADER}\
2026-01-05,food-coop,food,service,10,kg,F-1,,Xq7-counterparty-secret,Zp9-memo-secret
2026-01-06,treasury,treasury,income,5,EUR,,,Xq7-counterparty-secret,Zp9-memo-secret
"
    );
    let dir = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/a.csv", &ledger),
    ]);
    let out = build(dir.path());
    let files = read_tree(&out);
    assert!(files.len() > 5);
    for (path, bytes) in &files {
        for secret in ["Xq7-counterparty-secret", "Zp9-memo-secret"] {
            assert!(
                !contains(bytes, secret.as_bytes()),
                "{secret} found in {path}"
            );
        }
    }

    let published = format!("{CONFIG_EUR}\n[privacy]\npublish_memos = true\n");
    common::write(dir.path(), "tally.toml", &published);
    let out = build(dir.path());
    let files = read_tree(&out);
    assert!(
        files.iter().any(|(_, b)| contains(b, b"Zp9-memo-secret")),
        "memos are published when asked"
    );
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, b"Xq7-counterparty-secret"),
            "counterparty found in {path}"
        );
    }
}

#[test]
fn sums_over_weeks_equal_sums_over_input_rows_per_unit_and_value() {
    // The example site without the exports read through `[[ledger.sources]]` (those
    // have tests of their own in tests/sources.rs): every file is in tally's layout.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    common::copy_example_site(&root);
    for folder in ["data/ledger/bank", "data/ledger/forms"] {
        std::fs::remove_dir_all(root.join(folder)).unwrap();
    }
    let config = std::fs::read_to_string(root.join("tally.toml")).unwrap();
    let mut kept = String::new();
    let mut in_sources = false;
    for line in config.lines() {
        if line.starts_with('[') {
            in_sources =
                line.starts_with("[[ledger.sources") || line.starts_with("[ledger.sources");
        }
        if !in_sources {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    std::fs::write(root.join("tally.toml"), kept).unwrap();
    // Read the input independently of tally: every data row, quantity per unit.
    let mut input: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut rows = 0u64;
    for entry in std::fs::read_dir(root.join("data/ledger")).unwrap() {
        let path = entry.unwrap().path();
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let header = reader.headers().unwrap().clone();
        let q = header.iter().position(|h| h == "quantity").unwrap();
        let u = header.iter().position(|h| h == "unit").unwrap();
        for record in reader.records() {
            let record = record.unwrap();
            rows += 1;
            *input.entry(record[u].to_string()).or_default() += d(&record[q]);
        }
    }
    let site = tally::prepare(&root, None).unwrap();
    let ledger = &site.ledger;
    let mut weekly: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut weekly_rows = 0;
    let mut weekly_value = Decimal::ZERO;
    let mut sheet_value = Decimal::ZERO;
    for w in &ledger.weeks {
        weekly_rows += w.reconciliation.rows_read;
        assert_eq!(w.reconciliation.rows_read, w.reconciliation.rows_counted());
        for u in &w.reconciliation.units {
            *weekly.entry(u.unit.to_string()).or_default() += u.quantity;
        }
        weekly_value += w.reconciliation.value;
        sheet_value += w.value();
    }
    assert_eq!(weekly_rows, rows);
    assert_eq!(ledger.rows_read(), rows);
    assert_eq!(weekly, input);
    // The value of every row, recomputed from its rate.
    let input_value: Decimal = ledger
        .entries
        .iter()
        .filter_map(|e| ledger.rate_of(e).map(|r| e.quantity * r.rate))
        .sum();
    assert!(input_value > Decimal::ZERO);
    assert_eq!(weekly_value, input_value);
    assert_eq!(sheet_value, input_value);
}

#[test]
fn example_site_has_a_report_for_every_week_of_its_data() {
    let root = example_site();
    let site = tally::prepare(&root, None).unwrap();
    let ledger = &site.ledger;
    assert!(ledger.weeks.len() >= 26, "{} weeks", ledger.weeks.len());
    let first = ledger.entries.iter().map(|e| e.week).min().unwrap();
    let last = WeekId::of(site.as_of.unwrap());
    let mut expected = first;
    for w in &ledger.weeks {
        assert_eq!(w.week, expected);
        expected = expected.next();
    }
    assert_eq!(ledger.weeks.last().unwrap().week, last);
    assert_eq!(ledger.weeks.last().unwrap().status, WeekStatus::InProgress);
    assert!(
        ledger.weeks[..ledger.weeks.len() - 1]
            .iter()
            .all(|w| w.status == WeekStatus::Closed)
    );
    // Three cells, a transfer, a strike-fund allocation, a rate change.
    let cells: std::collections::BTreeSet<&str> =
        ledger.entries.iter().map(|e| e.cell.as_ref()).collect();
    for cell in ["food-coop", "solar-coop", "care-circle"] {
        assert!(cells.contains(cell), "{cell}");
    }
    assert!(ledger.entries.iter().any(|e| e.kind == Kind::Transfer));
    assert!(
        ledger
            .entries
            .iter()
            .any(|e| e.kind == Kind::Allocation && e.to_cell.as_deref() == Some("strike-fund"))
    );
    let energy_rates: std::collections::BTreeSet<Decimal> = ledger
        .entries
        .iter()
        .filter(|e| e.unit.as_ref() == "kWh")
        .filter_map(|e| ledger.rate_of(e).map(|r| r.rate))
        .collect();
    assert!(energy_rates.len() >= 2, "a rate change in the middle");
}

#[test]
fn as_of_is_the_latest_date_in_content_and_data() {
    let dir = small_network();
    let minutes = "+++\ntitle = \"Later assembly\"\ndate = 2026-01-20\nassembly = \"north-ward\"\n+++\nBody.\n";
    std::fs::create_dir_all(dir.path().join("content/minutes")).unwrap();
    std::fs::write(
        dir.path().join("content/minutes/2026-01-20-later.md"),
        minutes,
    )
    .unwrap();
    let site = tally::prepare(dir.path(), None).unwrap();
    assert_eq!(site.as_of, Some(jiff::civil::date(2026, 1, 20)));
    let weeks: Vec<(String, WeekStatus)> = site
        .ledger
        .weeks
        .iter()
        .map(|w| (w.week.to_string(), w.status))
        .collect();
    assert_eq!(
        weeks,
        vec![
            ("2026-W02".into(), WeekStatus::Closed),
            ("2026-W03".into(), WeekStatus::Closed),
            ("2026-W04".into(), WeekStatus::InProgress),
        ]
    );
    let out = build(dir.path());
    let w4 = read(&out, "reports/2026-W04/index.html");
    assert!(
        w4.contains("Later assembly"),
        "the week's minutes are listed"
    );
}

#[test]
fn a_week_shows_its_commentary() {
    let dir = small_network();
    std::fs::create_dir_all(dir.path().join("content/reports")).unwrap();
    std::fs::write(
        dir.path().join("content/reports/2026-W02.md"),
        "The *first* full week.\n",
    )
    .unwrap();
    let out = build(dir.path());
    assert!(read(&out, "reports/2026-W02/index.html").contains("The <em>first</em> full week."));
}

#[test]
fn commentary_front_matter_is_read_as_front_matter_not_shown() {
    let dir = small_network();
    write(
        dir.path(),
        "content/reports/2026-W02.md",
        "+++\ntitle = \"Week two\"\n+++\n\nThe *first* full week.\n",
    );
    write(
        dir.path(),
        "content/reports/2026-W03.md",
        "---\nauthor: the communicator\n---\nA quiet week.\n",
    );
    let out = build(dir.path());
    let w2 = read(&out, "reports/2026-W02/index.html");
    assert!(w2.contains("The <em>first</em> full week."), "{w2}");
    assert!(!w2.contains("Week two") && !w2.contains("+++"), "{w2}");
    let w3 = read(&out, "reports/2026-W03/index.html");
    assert!(w3.contains("A quiet week."), "{w3}");
    assert!(!w3.contains("author"), "{w3}");
    // A broken front matter is an error with its line, as in other content.
    write(
        dir.path(),
        "content/reports/2026-W03.md",
        "---\nauthor: [unclosed\n---\nA quiet week.\n",
    );
    let found = problems(dir.path());
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("content/reports/2026-W03.md:")),
        "{found:?}"
    );
}

#[test]
fn a_commentary_for_a_week_without_rows_is_an_error_naming_the_file() {
    let dir = small_network();
    write(
        dir.path(),
        "content/reports/2026-W09.md",
        "Typo in the week.\n",
    );
    let found = problems(dir.path());
    assert_eq!(
        found,
        [
            "content/reports/2026-W09.md:1: a commentary for 2026-W09, a week with no ledger rows (the ledger has weeks 2026-W02 to 2026-W03); rename it after the week it is about, or remove it"
        ]
    );
}

#[test]
fn open_data_publishes_public_columns_and_weekly_figures() {
    let dir = small_network();
    let out = build(dir.path());
    // The /data/ page says once, with the ledger file, what is never published.
    let page = read(&out, "data/index.html");
    assert_eq!(page.matches("never published").count(), 1, "{page}");
    let ledger = read(&out, "data/ledger.csv");
    let mut lines = ledger.lines();
    assert_eq!(
        lines.next(),
        Some("date,week,cell,category,kind,quantity,unit,receipt,to_cell,rate,value")
    );
    assert_eq!(
        lines.next(),
        Some("2026-01-05,2026-W02,food-coop,food,service,10,kg,F-1,,3.80,38.00")
    );
    assert_eq!(ledger.lines().count(), 1 + 13, "every row, once");
    assert!(
        ledger.contains("2026-01-10,2026-W02,treasury,treasury,allocation,20,EUR,,strike-fund,,\n")
    );

    let weekly = read(&out, "data/weekly.csv");
    assert!(weekly.starts_with("week,start,end,status,category,unit,services,drawn,receipts,contributions,contributed,value,category_value,city_share,ratio\n"));
    assert!(
        weekly.contains(
            "2026-W02,2026-01-05,2026-01-11,closed,food,kg,2,15.5,2,1,40,58.90,58.90,700,0.0841\n"
        ),
        "{weekly}"
    );
    assert!(
        weekly.contains(
            "2026-W03,2026-01-12,2026-01-18,in-progress,care,,0,0,0,0,0,0.00,0.00,1400,0\n"
        )
    );

    // The Data Package describes every CSV published under /data/, column by column.
    let package: serde_json::Value =
        serde_json::from_str(&read(&out, "data/datapackage.json")).unwrap();
    assert_eq!(package["profile"], "tabular-data-package");
    let resources = package["resources"].as_array().unwrap();
    let mut described: Vec<&str> = resources
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    described.sort();
    let mut published: Vec<String> = std::fs::read_dir(out.join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    published.sort();
    assert_eq!(described, published);
    for resource in resources {
        let path = resource["path"].as_str().unwrap();
        let header = read(&out, &format!("data/{path}"));
        let header = header.lines().next().unwrap();
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(fields.join(","), header, "{path}");
    }
    assert!(
        package["valuation"]["method"]
            .as_str()
            .unwrap()
            .contains("rate in force")
    );
    let sources = package["sources"].to_string();
    assert!(sources.contains("Market basket") && sources.contains("Budget 2026"));
    let page = read(&out, "data/index.html");
    assert!(
        page.contains("ledger.csv")
            && page.contains("weekly.csv")
            && page.contains("datapackage.json")
    );
}

#[test]
fn the_feed_has_one_entry_per_closed_week() {
    let dir = small_network();
    let out = build(dir.path());
    let feed = read(&out, "feed.xml");
    assert_eq!(feed.matches("<entry>").count(), 1, "W03 is in progress");
    assert!(feed.contains("<id>https://test.example/reports/2026-W02/</id>"));
    assert!(feed.contains("<updated>2026-01-11T23:59:59Z</updated>"));
    assert!(feed.contains(
        "<title>Week 2026-W02: €161.50 of services, 7% of the city&apos;s budget</title>"
    ));
}

#[test]
fn builds_are_byte_identical() {
    let dir = small_network();
    let first = read_tree(&build(dir.path()));
    let second = read_tree(&build(dir.path()));
    assert_eq!(first, second);
}

#[test]
fn numbers_follow_the_sites_language_on_pages_and_stay_plain_in_csv() {
    let dir = small_network();
    common::replace(
        dir.path(),
        "tally.toml",
        "currency = \"EUR\"\n",
        "currency = \"EUR\"\nlanguage = \"fr\"\n",
    );
    let out = build(dir.path());
    let page = read(&out, "reports/2026-W02/index.html");
    // Narrow no-break space between thousands, no-break space before the euro sign.
    assert!(page.contains("2\u{202f}100,00\u{a0}€"), "week city share");
    assert!(page.contains("58,90\u{a0}€"), "food value");
    assert!(page.contains("15,20\u{a0}€ per h"), "rate applied");
    assert!(!page.contains("€58"), "no English money on a French site");
    // The axes of the charts too: `2 000`, not `2,000`.
    let chart = read(&out, "reports/charts/commons-vs-city.svg");
    let ticks: Vec<&str> = chart
        .split('>')
        .filter_map(|t| t.split('<').next())
        .map(str::trim)
        .filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    assert!(
        ticks.iter().any(|t| t.contains('\u{202f}')),
        "grouped the French way: {ticks:?}"
    );
    assert!(
        !ticks
            .iter()
            .any(|t| t.contains(',') && !t.contains('\u{202f}')),
        "no English grouping: {ticks:?}"
    );
    let weekly = read(&out, "data/weekly.csv");
    assert!(
        weekly.contains(",58.90,58.90,700,0.0841\n"),
        "CSV keeps machine numbers: {weekly}"
    );
}
