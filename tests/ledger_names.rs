//! Declared names and root causes: `[ledger] strict = true` makes an undeclared cell,
//! category or unit an error with a "did you mean"; without it a near miss is a
//! warning; one bad rate is reported once, with the rows that need it.

mod common;

use common::{LEDGER_HEADER, minimal_site_with, problems, tally};

const DECLARED: &str = "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"GBP\"\n\
[cells.bike-kitchen]\nname = \"Bike Kitchen\"\n[cells.food-coop]\nname = \"Food Co-op\"\n\
[categories.transport]\nname = \"Transport\"\n[categories.food]\nname = \"Food\"\n";

const RATES: &str = "unit,category,rate,currency,valid_from,source\n\
h,transport,12.00,GBP,2026-01-01,wage\nkg,food,3.00,GBP,2026-01-01,market\n";

/// A site of `config` and `rates` with one ledger file of `rows` after the header.
fn site(config: &str, rates: &str, rows: &str) -> tempfile::TempDir {
    minimal_site_with(&[
        ("tally.toml", config),
        ("data/rates.csv", rates),
        ("data/ledger/2026.csv", &format!("{LEDGER_HEADER}{rows}")),
    ])
}

fn strict(config: &str) -> String {
    format!("{config}[ledger]\nstrict = true\n")
}

const TYPOS: &str = "2026-03-02,bike-kitchn,transport,service,2,h,R1,,,\n\
2026-03-02,food-coop,transprot,service,2,h,R2,,,\n\
2026-03-03,food-coop,food,contribution,2,kgs,R3,,,\n\
2026-03-03,bike-kitchen,transport,transfer,1,h,R4,food-cop,,\n";

#[test]
fn strict_names_name_the_row_and_the_declared_name_meant() {
    let site = site(&strict(DECLARED), RATES, TYPOS);
    let found = problems(site.path());
    assert_eq!(
        found,
        [
            "data/ledger/2026.csv:2: cell: \"bike-kitchn\" is not a declared cell ([ledger] strict = true); did you mean `bike-kitchen`?",
            "data/ledger/2026.csv:3: category: \"transprot\" is not a declared category ([ledger] strict = true); did you mean `transport`?",
            "data/ledger/2026.csv:4: unit: \"kgs\" is not a declared unit ([ledger] strict = true); did you mean `kg`?",
            "data/ledger/2026.csv:5: to_cell: \"food-cop\" is not a declared cell ([ledger] strict = true); did you mean `food-coop`?",
        ]
    );
}

#[test]
fn strict_names_far_from_every_declared_one_say_where_to_declare() {
    let rows = "2026-03-02,pantries,food,contribution,2,kg,R1,,,\n";
    let found = problems(site(&strict(DECLARED), RATES, rows).path());
    assert_eq!(
        found,
        [
            "data/ledger/2026.csv:2: cell: \"pantries\" is not a declared cell ([ledger] strict = true); declare it in a [cells.<slug>] table in tally.toml"
        ]
    );
    // Declared, the same row is fine.
    let declared = format!("{DECLARED}[cells.pantries]\nname = \"Pantries\"\n");
    assert!(problems(site(&strict(&declared), RATES, rows).path()).is_empty());
}

#[test]
fn strict_without_declarations_is_one_error_in_tally_toml() {
    let config = "title = \"T\"\nbase_url = \"https://t.example/\"\n[ledger]\nstrict = true\n";
    let found = problems(site(config, RATES, "").path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found[0].starts_with("tally.toml:4: ledger.strict: strict = true needs"));
    assert!(found.iter().any(|p| p.contains("[categories.<slug>]")));
}

#[test]
fn without_strict_a_near_miss_is_a_warning_with_its_first_row_and_count() {
    let rows = "2026-03-02,bike-kitchn,transport,service,2,h,R1,,,\n\
2026-03-03,bike-kitchn,transport,service,1,h,R2,,,\n\
2026-03-03,pantries,food,contribution,2,kg,R3,,,\n";
    let site = site(DECLARED, RATES, rows);
    let model = tally::prepare(site.path(), None).expect("a near miss is not an error");
    assert_eq!(
        model.warnings,
        [
            "data/ledger/2026.csv:2: cell: \"bike-kitchn\" is not declared; did you mean `bike-kitchen`? (2 rows use it; declare it in a [cells.<slug>] table in tally.toml if it is new)"
        ]
    );
    // `tally check` says it, and still succeeds.
    let checked = tally(&["check", site.path().to_str().unwrap()]);
    assert!(checked.status.success());
    assert!(
        String::from_utf8_lossy(&checked.stderr)
            .contains("warning: data/ledger/2026.csv:2: cell: \"bike-kitchn\" is not declared")
    );
}

#[test]
fn a_category_without_a_rate_suggests_the_declared_one() {
    let rows = "2026-03-02,food-coop,transprot,service,2,h,R1,,,\n";
    let found = problems(site(DECLARED, RATES, rows).path());
    assert_eq!(
        found,
        [
            "data/ledger/2026.csv:2: unit: no rate for h (category transprot) in force on 2026-03-02 in data/rates.csv; the category is not declared: did you mean `transport`?"
        ]
    );
}

/// `rows` service rows of `h` for transport, one a day from 2026-03-02.
fn hours(rows: usize) -> String {
    let start = jiff::civil::date(2026, 3, 2);
    (0..rows)
        .map(|i| {
            let day = start.saturating_add(jiff::Span::new().days(i as i64 % 200));
            format!("{day},bike-kitchen,transport,service,1,h,H{i},,,\n")
        })
        .collect()
}

#[test]
fn one_bad_rate_is_reported_once_with_the_rows_that_need_it() {
    let rates = "unit,category,rate,currency,valid_from,source\n\
kg,food,3.00,GBP,2026-01-01,market\n\
h,,10.00,GBP,2027-01-01,next year's wage\n\
h,transport,£6.50,GBP,2026-01-01,wage\n";
    let found = problems(site(DECLARED, rates, &hours(500)).path());
    assert_eq!(
        found,
        [
            "data/rates.csv:4: rate: \"£6.50\" is not a decimal (write the number alone: the currency is the site's, set in tally.toml); 500 ledger rows need this rate (first: data/ledger/2026.csv:2)"
        ]
    );
}

#[test]
fn a_rate_in_another_currency_is_reported_once_with_its_count() {
    let rates = "unit,category,rate,currency,valid_from,source\n\
h,transport,12.00,EUR,2026-01-01,wage\n";
    let found = problems(site(DECLARED, rates, &hours(1203)).path());
    assert_eq!(
        found,
        [
            "data/rates.csv:2: currency: \"EUR\" is not the site's currency GBP; 1,203 ledger rows need this rate (first: data/ledger/2026.csv:2)"
        ]
    );
}

#[test]
fn a_bad_rate_no_row_needs_is_still_an_error_and_other_rows_still_fail() {
    let rates = format!("{RATES}kWh,energy,0.3x,GBP,2026-01-01,tariff\n");
    let rows = "2026-03-02,food-coop,food,service,2,l,R1,,,\n";
    let found = problems(site(DECLARED, &rates, rows).path());
    assert_eq!(
        found,
        [
            "data/ledger/2026.csv:2: unit: no rate for l (category food) in force on 2026-03-02 in data/rates.csv",
            "data/rates.csv:4: rate: \"0.3x\" is not a decimal",
        ]
    );
}

#[test]
fn a_mistaken_site_currency_is_one_error_in_tally_toml() {
    // The network's money is EUR, but tally.toml says GBP: 30 rows in EUR, 1 in GBP.
    let mut rows: String = (0..30)
        .map(|i| format!("2026-03-02,food-coop,food,income,5,EUR,I{i},,,\n"))
        .collect();
    rows.push_str("2026-03-03,food-coop,food,expense,5,GBP,E1,,,\n");
    rows.push_str("2026-03-03,food-coop,food,expense,5,USD,E2,,,\n");
    let found = problems(site(DECLARED, RATES, &rows).path());
    assert_eq!(
        found,
        [
            "data/ledger/2026.csv:33: unit: expense is money in the site's currency GBP, not \"USD\"",
            "tally.toml:3: currency: the site's currency is GBP, but 30 money rows of the ledger are in EUR (first: data/ledger/2026.csv:2) and 1 in GBP; if the network's money is EUR, set currency = \"EUR\"",
        ]
    );
}

#[test]
fn a_mistyped_latest_date_is_one_error_in_tally_toml() {
    // `latest` meant 2026-12-31: every row of 2026 is after 2025-12-31.
    let config = format!("{DECLARED}[dates]\nlatest = \"2025-12-31\"\n");
    let found = problems(site(&config, RATES, &hours(30)).path());
    assert_eq!(
        found,
        [
            "tally.toml:13: dates.latest: \"2025-12-31\" leaves out 30 ledger rows dated after it (first: data/ledger/2026.csv:2); is it a typo?"
        ]
    );
    // A few rows beyond it are each a typo of their own.
    let found = problems(site(&config, RATES, &hours(2)).path());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0]
            .starts_with("data/ledger/2026.csv:2: date: 2026-03-02 is outside the plausible dates")
    );
}
