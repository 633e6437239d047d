//! City budgets by fiscal year: `data/city-budget.csv` may give `period_start,period_end`
//! instead of `year` (a UK council's 1 April to 31 March); a week's share is prorated
//! per day across the periods it touches; overlapping or gapped periods are errors; a
//! week with ledger rows but no budget is a warning in `tally check` and `tally status`.

mod common;

use common::{LEDGER_HEADER, build, problems, read, site_with, tally};

const CONFIG_GBP: &str =
    "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"GBP\"\n";

const RATES: &str =
    "unit,category,rate,currency,valid_from,source\nh,care,10.00,GBP,2026-01-01,wage\n";

/// The council's 2026/27 and 2027/28 care budgets: 100 a day, then 200 a day (2027/28
/// has 366 days).
const UK_BUDGET: &str = "period_start,period_end,category,amount,currency,line,source\n\
2026-04-01,2027-03-31,care,36500,GBP,Adult social care,Council budget 2026/27 p. 12\n\
2027-04-01,2028-03-31,care,73200,GBP,Adult social care,Council budget 2027/28 p. 14\n";

/// A GBP site with `budget` and care hours on each of `dates`.
fn site(budget: &str, dates: &[&str]) -> tempfile::TempDir {
    let rows: String = dates
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{d},care-circle,care,service,2,h,C{i},,,\n"))
        .collect();
    site_with(&[
        ("tally.toml", CONFIG_GBP),
        ("data/rates.csv", RATES),
        ("data/city-budget.csv", budget),
        ("data/ledger/care.csv", &format!("{LEDGER_HEADER}{rows}")),
    ])
}

/// The `city_share` of `week` in the published `weekly.csv`.
fn city_share(weekly: &str, week: &str) -> String {
    let mut lines = weekly.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = header.iter().position(|h| *h == "city_share").unwrap();
    let row = lines
        .find(|l| l.starts_with(week))
        .unwrap_or_else(|| panic!("no row for {week} in {weekly}"));
    row.split(',').nth(column).unwrap().to_string()
}

#[test]
fn a_uk_budget_is_shared_per_day_across_the_end_of_its_fiscal_year() {
    // 2027-W13 runs Monday 29 March to Sunday 4 April 2027: 3 days of 2026/27 at 100 and
    // 4 of 2027/28 at 200. 2027-W12 is wholly in 2026/27.
    let site = site(UK_BUDGET, &["2027-03-23", "2027-03-30", "2027-04-06"]);
    let out = build(site.path());
    let weekly = read(&out, "data/weekly.csv");
    assert_eq!(city_share(&weekly, "2027-W12"), "700");
    assert_eq!(city_share(&weekly, "2027-W13"), "1100");
    assert_eq!(city_share(&weekly, "2027-W14"), "1400");
}

#[test]
fn overlapping_and_gapped_periods_are_errors_naming_the_line() {
    let budget = "period_start,period_end,category,amount,currency,line,source\n\
2026-04-01,2027-03-31,care,36500,GBP,Care,2026/27\n\
2027-01-01,2027-12-31,care,36500,GBP,Care,calendar 2027\n\
2028-05-01,2029-03-31,care,36500,GBP,Care,2028/29 from May\n\
2026-04-01,2026-03-01,food,100,GBP,Food,backwards\n";
    let found = problems(site(budget, &["2026-06-01"]).path());
    assert_eq!(
        found,
        [
            "data/city-budget.csv:3: the care budget for 2027 overlaps the one for 2026-04-01 to 2027-03-31 (line 2); a category's periods must not overlap",
            "data/city-budget.csv:4: the care budget for 2028-05-01 to 2029-03-31 leaves a gap after the one for 2027 (line 3): no budget for 2028-01-01 to 2028-04-30; a category's periods must follow each other",
            "data/city-budget.csv:5: period_end: 2026-03-01 is before period_start 2026-04-01",
        ]
    );
}

#[test]
fn calendar_years_and_fiscal_years_can_share_a_file() {
    let budget = "year,period_start,period_end,category,amount,currency,line,source\n\
2026,,,care,36500,GBP,Care,calendar 2026\n\
,2027-01-01,2027-12-31,care,36500,GBP,Care,the same as a period\n";
    let site = site(budget, &["2026-12-29"]);
    assert!(problems(site.path()).is_empty());
    let out = build(site.path());
    assert_eq!(
        city_share(&read(&out, "data/weekly.csv"), "2026-W53"),
        "700"
    );
}

#[test]
fn a_week_with_rows_but_no_budget_is_a_warning_in_check_and_status() {
    // Rows from March 2026, before the 2026/27 budget begins on 1 April.
    let site = site(UK_BUDGET, &["2026-03-17", "2026-03-24", "2026-03-31"]);
    let warning = "data/city-budget.csv: no care budget covers 2026-03-16: 3 weeks with ledger rows (2026-W12 to 2026-W14) show no share of the city's budget, or only part of it; add the budget for that period";
    let model = tally::prepare(site.path(), None).expect("a missing budget is no error");
    assert_eq!(model.warnings, [warning]);
    let path = site.path().to_str().unwrap();
    let checked = tally(&["check", path]);
    assert!(checked.status.success());
    assert!(
        String::from_utf8_lossy(&checked.stderr).contains(&format!("warning: {warning}")),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let status = tally(&["status", path]);
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(said.contains(warning), "{said}");
    // Covered from the first row on, the warning is gone.
    let covered = format!("{UK_BUDGET}2025-04-01,2026-03-31,care,36500,GBP,Care,2025/26\n");
    let site = self::site(&covered, &["2026-03-17", "2026-03-24", "2026-03-31"]);
    let model = tally::prepare(site.path(), None).expect("a clean site");
    assert!(model.warnings.is_empty(), "{:?}", model.warnings);
}

#[test]
fn status_names_the_coming_days_without_a_budget() {
    // As of Tuesday 23 March 2027: the coming weeks reach into 2027/28, not yet entered.
    let budget = "period_start,period_end,category,amount,currency,line,source\n\
2026-04-01,2027-03-31,care,36500,GBP,Care,2026/27\n";
    let site = site(budget, &["2027-03-23"]);
    let status = tally(&["status", site.path().to_str().unwrap()]);
    let said = String::from_utf8_lossy(&status.stdout);
    assert!(
        said.contains(
            "no city budget for care from 2027-04-01 to 2027-04-04 (data/city-budget.csv)"
        ),
        "{said}"
    );
}
