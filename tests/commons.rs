//! Residents check it themselves: receipt lookup, the People's Audit, independence,
//! standing rules and acts, on a fixture whose figures are worked out by hand below,
//! and every new input's mistakes reported with file and line.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;

const CONFIG: &str = r#"title = "Test Network"
base_url = "https://test.example/"
[privacy]
publish_memos = true
[independence]
weekly_living_wage = "500"
source = "Fixture living wage"
neighbours = 4
"#;

/// Food at 2 EUR a kg; the city budgets 36,500 EUR for food in 2026, 700 EUR a week.
const RATES: &str =
    "unit,category,rate,currency,valid_from,source\nkg,food,2,EUR,2026-01-01,market\n";
const BUDGET: &str =
    "year,category,amount,currency,line,source\n2026,food,36500,EUR,Food line,budget p. 1\n";

/// W10 (2–8 March): 75 kg served (150 EUR), 1,250 EUR into the strike fund.
/// W11 (9–15 March): 100 kg (200 EUR), 750 EUR more. W12 (in progress): 10 kg.
const LEDGER: &str = "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo
2026-03-02,food-coop,food,service,50,kg,R-1,,SECRET-HH-1,private note one
2026-03-03,food-coop,food,service,25,kg,R-2,,SECRET-HH-2,
2026-03-04,treasury,treasury,income,3000,EUR,,,SECRET-DONOR,
2026-03-05,treasury,treasury,allocation,1250,EUR,,strike-fund,,
2026-03-10,food-coop,food,service,100,kg,R-3,,SECRET-HH-3,private note three
2026-03-11,treasury,treasury,allocation,750,EUR,,strike-fund,,
2026-03-16,food-coop,food,service,10,kg,R-4,,SECRET-HH-4,
";

/// Ten residents pledging 600 EUR a year by 3 March, five more (400 EUR) by 10 March.
const PLEDGES: &str = "date,pledges,amount,currency,source
2026-03-03,10,600,EUR,pledge cards
2026-03-10,5,400,EUR,online form
";

/// quiet-hours and bike-racks adopted on 5 January; the Winter Fair (1 February)
/// re-adopts quiet-hours only; open-books is adopted after it. The garden committee
/// lapses (sunset 3 February) and is created again on 20 February; the kitchen
/// committee lapses for good.
const JANUARY: &str = r#"+++
title = "January Assembly"
date = 2026-01-05
assembly = "north-ward"

[[decisions]]
text = "No drilling before ten on Sundays"
outcome = "passed"
rule = "quiet-hours"

[[decisions]]
text = "Bike racks stay unlocked"
outcome = "passed"
rule = "bike-racks"

[[committees]]
name = "garden"
action = "create"

[[committees]]
name = "kitchen"
action = "create"

[[acts]]
kind = "tree-planted"
count = 3
+++
We met.
"#;

const FEBRUARY: &str = r#"+++
title = "Winter Fair"
date = 2026-02-01
assembly = "north-ward"

[[festivals]]
name = "Winter Fair"
readopted = ["quiet-hours"]

[[acts]]
kind = "tree-planted"
count = 2

[[acts]]
kind = "soup-served"
count = 30
note = "Leek and potato"
+++
We feasted.
"#;

const LATE_FEBRUARY: &str = r#"+++
title = "Late February Assembly"
date = 2026-02-20
assembly = "north-ward"

[[decisions]]
text = "Open the books every month"
outcome = "passed"
rule = "open-books"

[[committees]]
name = "garden"
action = "create"
+++
We met again.
"#;

fn fixture() -> tempfile::TempDir {
    minimal_site_with(&[
        ("tally.toml", CONFIG),
        ("data/rates.csv", RATES),
        ("data/city-budget.csv", BUDGET),
        ("data/ledger/food.csv", LEDGER),
        ("data/pledges.csv", PLEDGES),
        ("content/minutes/2026-01-05-january.md", JANUARY),
        ("content/minutes/2026-02-01-winter-fair.md", FEBRUARY),
        ("content/minutes/2026-02-20-late-february.md", LATE_FEBRUARY),
    ])
}

/// The text of an HTML page with tags dropped and spaces collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => {
                inside = false;
                text.push(' ');
            }
            _ if !inside => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_home_page_states_the_hand_computed_figures() {
    let site = fixture();
    let out = build(site.path());
    let home = text_of(&read(&out, "index.html"));
    // The fund at the end of W11: 2,000 EUR ÷ 500 = 4.0 weeks; ÷ (4 × 500) = 1.0.
    assert!(
        home.contains("The strike fund (€2,000.00) could replace a living wage of €500.00 a week for one neighbour for 4.0 weeks, or for 4 neighbours for 1.0 weeks."),
        "{home}"
    );
    // W11: 200 ÷ (200 + 700) = 22%; W10, one week before: 150 ÷ 850 = 18%.
    assert!(
        home.contains("the commons met 22% in 9–15 March 2026, against 18% the week before."),
        "{home}"
    );
    // 15 residents, 1,000 EUR a year: 1,000 ÷ 36,500 = 2.7%, shown as 3%.
    assert!(
        home.contains("15 residents have pledged €1,000.00 a year of their taxes to the commons treasury — 3% of what the city budgets in a year for the same needs."),
        "{home}"
    );
    assert!(
        home.contains("neighbours have recorded 30 × soup served, 5 × tree planted."),
        "{home}"
    );
    assert!(
        home.contains("3 standing rules so far: 1 endured the last festival they met, 1 lapsed, 1 not yet tested by a festival."),
        "{home}"
    );
}

#[test]
fn the_pages_show_the_rules_the_audit_and_the_fund_week_by_week() {
    let site = fixture();
    let out = build(site.path());
    let rules = text_of(&read(&out, "rules/index.html"));
    for row in [
        "bike racks lapsed 5 January 2026 0 of 1",
        "open books standing 20 February 2026 0 of 0",
        "quiet hours endured 5 January 2026 1 of 1",
        "Winter Fair, 1 February 2026: endured, adopted again on 1 February 2026",
    ] {
        assert!(rules.contains(row), "{row:?} in {rules}");
    }
    let audit = text_of(&read(&out, "audit/index.html"));
    // 3 March: 600 ÷ 36,500 = 1.6% → 2%; value to date 150 EUR; 600 ÷ 150 = 400%.
    assert!(
        audit.contains("3 March 2026 10 €600.00 €36,500.00 2% €150.00 400% pledge cards"),
        "{audit}"
    );
    // 10 March: 1,000 ÷ 36,500 = 2.7% → 3%; value 150 + 200 = 350 EUR; 1,000 ÷ 350 = 286%.
    assert!(
        audit.contains("10 March 2026 15 €1,000.00 €36,500.00 3% €350.00 286% online form"),
        "{audit}"
    );
    let independence = text_of(&read(&out, "independence/index.html"));
    // W10: 1,250 ÷ 500 = 2.5; 1,250 ÷ 2,000 = 0.625 → 0.6.
    assert!(
        independence.contains("2–8 March 2026 2026-W10 €1,250.00 2.5 0.6"),
        "{independence}"
    );
    assert!(
        independence.contains("source: Fixture living wage"),
        "{independence}"
    );
    let chart = read(&out, "independence/charts/needs-met.csv");
    assert!(chart.contains("2026-W10,2026-03-08,17.6,17.6"), "{chart}");
    assert!(chart.contains("2026-W11,2026-03-15,22.2,22.2"), "{chart}");
    let committees = text_of(&read(&out, "committees/index.html"));
    assert!(
        committees.contains(
            "Lunar cycles that ended without a renewal: 2 . Committees resurrected after one, by an assembly creating them again: 1 . Let lapse: 1 ."
        ),
        "{committees}"
    );
    let acts = text_of(&read(&out, "acts/index.html"));
    assert!(acts.contains("soup served 30 tree planted 5"), "{acts}");
    assert!(
        acts.contains("30 × soup served : Leek and potato"),
        "{acts}"
    );
}

/// Every shard of `out`, parsed.
fn shards(out: &Path) -> Vec<(String, serde_json::Value)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(out.join("receipts/shards")).expect("shards folder") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        all.push((
            text.clone(),
            serde_json::from_str(&text).expect("a shard is JSON"),
        ));
    }
    all
}

#[test]
fn shards_hold_every_public_receipt_once_and_no_private_column() {
    let site = fixture();
    let out = build(site.path());
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (text, shard) in shards(&out) {
        for secret in ["SECRET", "private note"] {
            assert!(!text.contains(secret), "a shard holds {secret:?}: {text}");
        }
        for (id, receipt) in shard["receipts"].as_object().unwrap() {
            *seen.entry(id.clone()).or_default() += 1;
            assert_eq!(receipt.as_array().unwrap().len(), 9, "{id}: {receipt}");
        }
    }
    let expected: BTreeMap<String, usize> = ["R-1", "R-2", "R-3", "R-4"]
        .map(|id| (id.to_string(), 1))
        .into();
    assert_eq!(seen, expected);

    // The weeks the receipts name are in one file beside the shards, each with its
    // dates and seal, and no shard repeats them.
    let weeks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("receipts/weeks.json")).expect("weeks.json"),
    )
    .expect("weeks.json is JSON");
    for (_, shard) in shards(&out) {
        assert!(shard.get("weeks").is_none(), "{shard}");
        for receipt in shard["receipts"].as_object().unwrap().values() {
            let week = receipt[1].as_str().unwrap();
            let entry = weeks[week]
                .as_array()
                .unwrap_or_else(|| panic!("{week} in {weeks}"));
            assert_eq!(entry.len(), 3, "{week}: {entry:?}");
            assert!(entry[0].as_str().unwrap().contains('–'), "dates: {entry:?}");
            assert!(!entry[1].as_str().unwrap().is_empty(), "state: {entry:?}");
        }
    }
}

#[test]
fn the_example_sites_shards_hold_each_receipt_of_its_ledger_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    build_to(&example_site(), &out);
    let mut ledger_ids = Vec::new();
    for entry in walkdir::WalkDir::new(example_site().join("data/ledger")) {
        let path = entry.unwrap().into_path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        // The cells' own exports, in tally's layout, carry the receipts.
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.starts_with(LEDGER_HEADER.trim_end()) {
            for line in text.lines().skip(1) {
                let id = line.split(',').nth(6).unwrap_or("");
                if !id.is_empty() {
                    ledger_ids.push(id.to_string());
                }
            }
        }
    }
    let mut shard_ids = Vec::new();
    let mut sizes = Vec::new();
    for (text, shard) in shards(&out) {
        sizes.push(text.len());
        shard_ids.extend(shard["receipts"].as_object().unwrap().keys().cloned());
        assert!(!text.contains("hh-"), "a shard holds a household code");
    }
    ledger_ids.sort();
    shard_ids.sort();
    assert!(ledger_ids.len() > 3000, "{} receipts", ledger_ids.len());
    assert_eq!(shard_ids, ledger_ids);
    assert!(sizes.iter().all(|&s| s < 16 * 1024), "{sizes:?}");
}

#[test]
fn bad_rules_festivals_pledges_and_living_wage_are_reported_with_file_and_line() {
    // tally.toml is read first: its problems are reported on their own.
    let site = fixture();
    replace(
        site.path(),
        "tally.toml",
        "source = \"Fixture living wage\"\n",
        "",
    );
    let found = build_errors(site.path());
    assert!(
        found[0].starts_with("tally.toml:5: independence.source: missing"),
        "{found:#?}"
    );
    let site = fixture();
    let root = site.path();
    replace(
        root,
        "data/pledges.csv",
        "2026-03-10,5,400",
        "2026-03-10,-5,400",
    );
    replace(
        root,
        "content/minutes/2026-02-01-winter-fair.md",
        "readopted = [\"quiet-hours\"]",
        "readopted = [\"no-such-rule\"]\n\n[[festivals]]\nname = \"New Year\"\ndate = 2026-01-01\nreadopted = [\"quiet-hours\"]",
    );
    let found = build_errors(root);
    let expected = [
        "data/pledges.csv:3: pledges: -5 is negative",
        "content/minutes/2026-02-01-winter-fair.md:6: readopted: unknown rule \"no-such-rule\"",
        "content/minutes/2026-02-01-winter-fair.md:10: readopted: festival before adoption",
    ];
    for e in expected {
        assert!(
            found.iter().any(|f| f.starts_with(e)),
            "{e:?} in {found:#?}"
        );
    }
}

#[test]
fn bad_acts_and_rules_on_decisions_are_reported_with_file_and_line() {
    let site = fixture();
    let root = site.path();
    replace(
        root,
        "content/minutes/2026-01-05-january.md",
        "count = 3",
        "count = 0",
    );
    replace(
        root,
        "content/minutes/2026-01-05-january.md",
        "outcome = \"passed\"\nrule = \"bike-racks\"",
        "outcome = \"failed\"\nrule = \"bike-racks\"",
    );
    replace(
        root,
        "content/minutes/2026-02-20-late-february.md",
        "open-books",
        "Open Books",
    );
    let found = problems(root);
    for e in [
        "content/minutes/2026-01-05-january.md:24: count: 0 is not a count of one or more",
        "content/minutes/2026-01-05-january.md:11: rule: only a passed decision adopts a standing rule",
        "content/minutes/2026-02-20-late-february.md:6: rule: \"Open Books\" is not a slug",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(e)),
            "{e:?} in {found:#?}"
        );
    }
}

/// A resident opens `/receipts/#FC-000001` from disk in headless Chromium: the page's
/// script reads the shard and shows the receipt's week and invoice.
#[test]
fn a_resident_looks_a_receipt_up_in_a_browser() {
    let Some(browser) = first_external_tool(
        &["chromium", "chromium-browser", "google-chrome"],
        "the receipt lookup test",
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("public");
    build_to(&example_site(), &out);
    let profile = tempfile::tempdir().expect("temp dir");
    let page = format!(
        "file://{}#FC-000001",
        out.join("receipts/index.html").display()
    );
    let run = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(&page)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&run.stdout);
    let result = dom
        .split("id=\"receipt-result\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no result in {dom}\n{}", stderr(&run)));
    let shown = text_of(result.split("</div></dl>").next().unwrap_or(result));
    assert!(
        shown.contains("30 March – 5 April 2026 (2026-W14)"),
        "{shown}"
    );
    assert!(shown.contains("Invoice INV-2026-Q2"), "{shown}");
    assert!(shown.contains("Riverside Food Co-op"), "{shown}");
    assert!(!shown.contains("hh-"), "{shown}");
}
