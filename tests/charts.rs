//! Charts in built sites: the home page, `/reports/` and every weekly report show
//! accessible SVG charts with their tables and CSV files, for one week of data and for
//! five years of it.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{CONFIG_EUR, LEDGER_HEADER, build, read, site_with};
use tally::model::week::WeekId;
use tempfile::TempDir;

const RATES: &str = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2020-01-01,Market basket
h,care,14.50,EUR,2020-01-01,Wage agreement
";

/// The `.svg` files in a folder, by name.
fn svgs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    names.sort();
    names
}

/// Parses a chart file and checks what every chart must have; returns its x-axis
/// labels (the text under the plot), left to right.
fn check_chart(path: &Path) -> Vec<(i32, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not well-formed: {e}", path.display()));
    let svg = doc.root_element();
    assert_eq!(svg.attribute("role"), Some("img"), "{}", path.display());
    assert!(svg.attribute("viewBox").is_some());
    assert!(svg.attribute("width").is_none());
    let title = svg.children().find(|n| n.has_tag_name("title")).unwrap();
    let desc = svg.children().find(|n| n.has_tag_name("desc")).unwrap();
    assert!(title.text().is_some_and(|t| !t.is_empty()));
    assert!(
        desc.text().is_some_and(|t| t.ends_with('.')),
        "{}",
        path.display()
    );
    // The x labels are the centred texts hanging below the plot.
    let mut labels: Vec<(i32, String)> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("text")
                && n.attribute("text-anchor") == Some("middle")
                && n.attribute("dy") == Some("0.76em")
                && n.attribute("transform").is_none()
        })
        .map(|n| {
            (
                n.attribute("x").unwrap().parse().unwrap(),
                n.text().unwrap_or("").trim().to_string(),
            )
        })
        .collect();
    labels.sort();
    labels
}

/// No two x labels overlap (15px text is at most 9px a character wide).
fn assert_no_overlap(labels: &[(i32, String)]) {
    for pair in labels.windows(2) {
        let room = (pair[0].1.chars().count() + pair[1].1.chars().count()) as i32 * 9 / 2;
        assert!(pair[1].0 - pair[0].0 > room, "{pair:?} overlap");
    }
}

fn one_week() -> TempDir {
    // 2026-W02: Monday 5 to Sunday 11 January 2026.
    site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        (
            "data/city-budget.csv",
            "year,category,amount,currency,line,source\n\
             2026,food,36500,EUR,Food assistance,Budget 2026\n\
             2026,care,73000,EUR,Childcare,Budget 2026\n",
        ),
        (
            "data/ledger/cells.csv",
            &format!(
                "{LEDGER_HEADER}\
2026-01-05,food-coop,food,service,10,kg,F-1,,hh-1,
2026-01-06,food-coop,food,service,5.5,kg,F-2,,hh-2,
2026-01-07,care-circle,care,service,2,h,C-1,,hh-3,
2026-01-05,treasury,treasury,income,500,EUR,,,,
2026-01-08,treasury,treasury,allocation,100,EUR,,strike-fund,,
"
            ),
        ),
    ])
}

#[test]
fn one_week_of_data_shows_charts_on_the_home_page_reports_and_the_weekly_report() {
    let dir = one_week();
    let out = build(dir.path());

    // The overview's files: four charts and one per unit, each with its CSV.
    let overview = svgs(&out.join("reports/charts"));
    assert_eq!(
        overview,
        vec![
            "balances.svg",
            "commons-vs-city.svg",
            "governance.svg",
            "share.svg",
            "units-care-h.svg",
            "units-food-kg.svg"
        ]
    );
    for name in &overview {
        check_chart(&out.join("reports/charts").join(name));
        assert!(
            out.join("reports/charts")
                .join(name.replace(".svg", ".csv"))
                .exists()
        );
    }
    // Hand-computed: food 15.5 kg × 3.80 = 58.90, care 2 h × 14.50 = 29.00; the city's
    // share is 100 a day for food and 200 a day for care.
    assert_eq!(
        read(&out, "reports/charts/governance.csv"),
        "week,week_start,care,food,total,city_share\n\
         2026-W02,2026-01-05,29.00,58.90,87.90,2100.00\n"
    );
    assert_eq!(
        read(&out, "reports/charts/balances.csv"),
        "week,week_end,Treasury,Strike fund\n2026-W02,2026-01-11,400.00,100.00\n"
    );
    let governance = read(&out, "reports/charts/governance.svg");
    assert!(
        governance.contains("in the latest week, 2026-W02, the network provided €87.90 against the city's €2,100.00."),
        "{governance}"
    );

    // The weekly report has the same set for its (single) week.
    assert_eq!(svgs(&out.join("reports/2026-W02/charts")), overview);

    // Pages embed the SVG inline (title and desc stay accessible), with the table and
    // links to the files.
    for (page, charts) in [
        ("index.html", "reports/charts/"),
        ("reports/index.html", "charts/"),
        ("reports/2026-W02/index.html", "charts/"),
    ] {
        let html = read(&out, page);
        assert_eq!(html.matches("id=\"chart-governance\"").count(), 1, "{page}");
        assert!(
            html.contains("aria-labelledby=\"chart-governance-title chart-governance-desc\""),
            "{page}"
        );
        assert!(
            html.contains("<summary>Show the numbers</summary>"),
            "{page}"
        );
        assert!(
            html.contains(&format!("href=\"{charts}governance.csv\"")),
            "{page}"
        );
        assert!(html.contains("<td class=\"num\">87.90</td>"), "{page}");
    }
    // The home page shows the headline charts, not every one.
    let home = read(&out, "index.html");
    assert!(home.contains("id=\"chart-share\""));
    assert!(!home.contains("id=\"chart-units-food-kg\""));
    let report = read(&out, "reports/2026-W02/index.html");
    assert!(report.contains("id=\"chart-units-food-kg\""));
}

#[test]
fn chart_files_are_byte_identical_across_builds() {
    let dir = one_week();
    let outs = tempfile::tempdir().unwrap();
    let (a, b) = (outs.path().join("a"), outs.path().join("b"));
    common::build_to(dir.path(), &a);
    common::build_to(dir.path(), &b);
    for rel in ["reports/charts", "reports/2026-W02/charts"] {
        for name in svgs(&a.join(rel)) {
            let one = std::fs::read(a.join(rel).join(&name)).unwrap();
            let two = std::fs::read(b.join(rel).join(&name)).unwrap();
            assert!(one == two, "{rel}/{name} differs");
        }
    }
    assert_eq!(read(&a, "index.html"), read(&b, "index.html"));
}

/// Five years of weekly rows, 2021-W48 to 2026-W47, with a budget for every year.
fn five_years() -> TempDir {
    let mut rows = String::from(LEDGER_HEADER);
    let mut week = WeekId::parse("2021-W48").unwrap();
    let last = WeekId::parse("2026-W47").unwrap();
    let mut n = 0u32;
    while week <= last {
        let monday = week.monday();
        let kg = 100 + (n * 37) % 60;
        let h = 20 + (n * 11) % 15;
        let _ = writeln!(rows, "{monday},food-coop,food,service,{kg},kg,F-{n},,,");
        let _ = writeln!(rows, "{monday},care-circle,care,service,{h},h,C-{n},,,");
        if n.is_multiple_of(4) {
            let _ = writeln!(rows, "{monday},treasury,treasury,income,300,EUR,,,,");
            let _ = writeln!(
                rows,
                "{monday},treasury,treasury,allocation,50,EUR,,strike-fund,,"
            );
        }
        week = week.next();
        n += 1;
    }
    let mut budget = String::from("year,category,amount,currency,line,source\n");
    for year in 2021..=2026 {
        let _ = writeln!(
            budget,
            "{year},food,40000,EUR,Food assistance,Budget {year}"
        );
        let _ = writeln!(budget, "{year},care,60000,EUR,Childcare,Budget {year}");
    }
    site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/city-budget.csv", &budget),
        ("data/ledger/cells.csv", &rows),
    ])
}

#[test]
fn five_years_of_data_build_readable_charts_on_every_report() {
    let dir = five_years();
    let out = build(dir.path());

    // Balances and the share cover every week: labelled by year, no overlap.
    for name in ["balances.svg", "share.svg"] {
        let labels = check_chart(&out.join("reports/charts").join(name));
        let years: Vec<&str> = labels.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            years,
            vec!["2022", "2023", "2024", "2025", "2026"],
            "{name}"
        );
        assert_no_overlap(&labels);
    }
    // Value and units cover the last 52 weeks: labelled by month.
    for name in ["governance.svg", "units-food-kg.svg", "units-care-h.svg"] {
        let labels = check_chart(&out.join("reports/charts").join(name));
        assert!(labels.len() >= 2, "{name}: {labels:?}");
        assert!(
            labels.iter().any(|(_, l)| l == "Jan 2026"),
            "{name}: {labels:?}"
        );
        assert_no_overlap(&labels);
    }
    let governance = read(&out, "reports/charts/governance.csv");
    assert_eq!(governance.lines().count(), 1 + 52);

    // Every weekly report has charts of the twelve weeks up to it (fewer at the start).
    let weeks: Vec<_> = std::fs::read_dir(out.join("reports"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("-W"))
        .collect();
    assert_eq!(weeks.len(), 260);
    for entry in &weeks {
        let charts = entry.path().join("charts");
        assert_eq!(svgs(&charts).len(), 6, "{}", charts.display());
    }
    let csv = read(&out, "reports/2024-W10/charts/governance.csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 12);
    assert!(rows[0].starts_with("2023-W51,"), "{csv}");
    assert!(rows[11].starts_with("2024-W10,"), "{csv}");
    let labels = check_chart(&out.join("reports/2024-W10/charts/governance.svg"));
    assert!(labels.len() >= 3, "{labels:?}");
    assert_no_overlap(&labels);
    assert_eq!(
        read(&out, "reports/2021-W48/charts/share.csv")
            .lines()
            .count(),
        2
    );
}
