//! Unit tests of the charts: well-formed, accessible, the expected marks for a fixture,
//! byte-identical, and no panic on empty, single-week or five-year series.

use super::*;

fn weeks(first: &str, n: usize) -> Vec<WeekId> {
    let mut w = WeekId::parse(first).unwrap();
    (0..n)
        .map(|_| {
            let this = w;
            w = w.next();
            this
        })
        .collect()
}

/// English numbers, money in euros.
fn frame<'a>(id_prefix: &'a str, weeks: &'a [WeekId]) -> Frame<'a> {
    Frame {
        id_prefix,
        weeks,
        numbers: Numbers::default(),
        currency: "EUR",
        partial: None,
    }
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A deterministic, wavy series of `n` values around `base`.
fn wave(n: usize, base: i64, seed: i64) -> Vec<Decimal> {
    (0..n as i64)
        .map(|i| Decimal::new(base * 100 + ((i * 37 + seed * 11) % 23) * 1000 - 9000, 2))
        .collect()
}

/// The five charts over `n` weeks ending at 2026-W48.
fn all_charts(n: usize) -> Vec<Chart> {
    let weeks: Vec<WeekId> = {
        let mut w = WeekId::parse("2026-W48").unwrap();
        let mut out = vec![];
        for _ in 0..n {
            out.push(w);
            w = w.previous();
        }
        out.reverse();
        out
    };
    let categories = vec![
        Series::full("care", category_colour(0), wave(n, 900, 1)),
        Series::full("energy", category_colour(1), wave(n, 400, 2)),
        Series::full("food", category_colour(2), wave(n, 1500, 3)),
    ];
    let city: Vec<Option<Decimal>> = wave(n, 5000, 4).into_iter().map(Some).collect();
    let comparison: Vec<Comparison> = categories
        .iter()
        .map(|s| Comparison {
            category: s.name.clone(),
            network: s.values.iter().flatten().sum(),
            city: Decimal::new(123_456, 2),
        })
        .collect();
    let kg = Measure {
        label: "Food handed out".into(),
        unit: "kg".into(),
        decimals: 1,
    };
    let accounts = vec![
        Series::full("Treasury", NETWORK_COLOUR, wave(n, 12000, 5)),
        Series::full("Strike fund", category_colour(4), wave(n, 3000, 6)),
    ];
    let ratios: Vec<Option<Decimal>> = (0..n)
        .map(|i| (i % 7 != 3).then(|| Decimal::new(20 + (i as i64 * 13) % 90, 2)))
        .collect();
    vec![
        governance(&frame("chart-", &weeks), &categories, &city).unwrap(),
        commons_vs_city(&frame("chart-", &weeks), &comparison).unwrap(),
        units(&frame("chart-", &weeks), &kg, &categories[2]).unwrap(),
        balances(&frame("chart-", &weeks), &accounts).unwrap(),
        share(&frame("chart-", &weeks), &ratios).unwrap(),
    ]
}

/// Checks what every chart must be: well-formed, `role="img"`, labelled by its own
/// `<title>` and `<desc>`, scalable, no placeholder colours left, unique ids.
fn assert_accessible(chart: &Chart) {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}\n{}", chart.id, chart.svg));
    let svg = doc.root_element();
    assert_eq!(svg.tag_name().name(), "svg");
    assert_eq!(svg.attribute("role"), Some("img"));
    assert!(svg.attribute("width").is_none() && svg.attribute("height").is_none());
    assert!(svg.attribute("viewBox").is_some());
    let labelled = svg.attribute("aria-labelledby").unwrap();
    for id in labelled.split(' ') {
        assert!(
            doc.descendants().any(|n| n.attribute("id") == Some(id)),
            "{id} missing"
        );
    }
    let title = svg
        .children()
        .find(|n| n.has_tag_name("title"))
        .expect("a <title>");
    let desc = svg
        .children()
        .find(|n| n.has_tag_name("desc"))
        .expect("a <desc>");
    assert_eq!(title.text(), Some(chart.title.as_str()));
    assert_eq!(desc.text(), Some(chart.desc.as_str()));
    assert!(chart.desc.ends_with('.'), "{}", chart.desc);
    assert_eq!(
        chart.desc.matches(". ").count(),
        0,
        "one sentence: {}",
        chart.desc
    );
    let mut ids = std::collections::BTreeSet::new();
    for node in doc.descendants() {
        if let Some(id) = node.attribute("id") {
            assert!(id.starts_with(&chart.id), "{id} is not prefixed");
            assert!(ids.insert(id), "{id} twice");
        }
        for attr in ["fill", "stroke"] {
            if let Some(v) = node.attribute(attr) {
                assert!(!v.starts_with("#01"), "placeholder {attr}={v} left");
                if let Some(url) = v.strip_prefix("url(#") {
                    let target = url.trim_end_matches(')');
                    assert!(
                        ids.contains(target) || chart.svg.contains(&format!("id=\"{target}\""))
                    );
                }
            }
        }
    }
    // Text takes the page's colour, and the chart has its own dark-mode colours.
    for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
        assert_eq!(text.attribute("fill"), Some("currentColor"));
    }
    assert!(chart.svg.contains("@media (prefers-color-scheme:dark)"));
}

#[test]
fn every_chart_is_well_formed_and_accessible_for_12_weeks_a_year_and_five_years() {
    for n in [12, 13, 52, 261] {
        for chart in all_charts(n) {
            assert_accessible(&chart);
        }
    }
}

#[test]
fn empty_and_single_week_series_make_sensible_charts() {
    for chart in all_charts(0) {
        assert_accessible(&chart);
        assert!(
            chart.desc.contains("no weeks recorded yet"),
            "{}",
            chart.desc
        );
        assert!(chart.svg.contains("No weeks recorded yet"));
        assert!(chart.table.rows.is_empty());
    }
    for chart in all_charts(1) {
        assert_accessible(&chart);
        assert!(chart.desc.contains("2026-W48"), "{}", chart.desc);
    }
    // A single week's line still shows: its latest point has a marker.
    let one = all_charts(1);
    assert!(one[3].svg.contains("<circle"), "{}", one[3].svg);
}

#[test]
fn governance_draws_one_bar_per_category_and_week_and_the_city_line() {
    let weeks = weeks("2026-W45", 4);
    let categories = vec![
        Series::full("care", category_colour(0), vec![dec("10"); 4]),
        Series::full("energy", category_colour(1), vec![dec("20"); 4]),
        Series::new(
            "food",
            category_colour(2),
            vec![Some(dec("30")), None, Some(dec("30")), Some(dec("0"))],
        ),
    ];
    let city = vec![Some(dec("100")); 4];
    let chart = governance(&frame("chart-", &weeks), &categories, &city).unwrap();
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    let rects_filled = |fill: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
            .count()
    };
    // Bars plus one legend swatch each; a missing or zero week draws no bar.
    assert_eq!(rects_filled("url(#chart-governance-f0)"), 4 + 1);
    assert_eq!(rects_filled("url(#chart-governance-f1)"), 4 + 1);
    assert_eq!(rects_filled("url(#chart-governance-f2)"), 2 + 1);
    let dashed: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-dasharray").is_some())
        .collect();
    // The city's line and its legend sample.
    assert_eq!(dashed.len(), 2);
    assert!(
        chart.desc.contains(
            "in the latest week, 2026-W48, the network provided €30.00 against the city's €100.00"
        ),
        "{}",
        chart.desc
    );
    assert_eq!(chart.table.rows.len(), 4);
    assert_eq!(
        chart.table.rows[1],
        vec!["2026-W46", "10.00", "20.00", "–", "30.00", "100.00"]
    );
    assert_eq!(
        chart.csv.lines().next(),
        Some("week,week_start,care,energy,food,total,city_share")
    );
    assert_eq!(
        chart.csv.lines().nth(1),
        Some("2026-W45,2026-11-02,10.00,20.00,30.00,60.00,100.00")
    );
}

#[test]
fn commons_vs_city_draws_two_bars_per_category() {
    let rows = vec![
        Comparison {
            category: "care".into(),
            network: dec("1200"),
            city: dec("3000"),
        },
        Comparison {
            category: "food".into(),
            network: dec("5400.5"),
            city: dec("2000"),
        },
    ];
    let chart = commons_vs_city(&frame("chart-", &weeks("2026-W36", 13)), &rows).unwrap();
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    let count = |fill: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
            .count()
    };
    assert_eq!(count(svg::colour(NETWORK_COLOUR)), 2 + 1);
    assert_eq!(count("url(#chart-commons-vs-city-city)"), 2 + 1);
    assert!(
        chart
            .desc
            .contains("the network provided €6,600.50 against the city's €5,000.00"),
        "{}",
        chart.desc
    );
    assert_eq!(chart.table.rows.last().unwrap()[0], "All");
    assert_eq!(
        chart.csv,
        "category,network,city_share\ncare,1200.00,3000.00\nfood,5400.50,2000.00\n"
    );
}

#[test]
fn balances_draw_one_distinct_line_per_account_with_a_marker_on_the_latest_week() {
    let w = weeks("2026-W40", 9);
    let accounts = vec![
        Series::full("Treasury", NETWORK_COLOUR, wave(9, 8000, 1)),
        Series::full("Strike fund", category_colour(4), wave(9, 2000, 2)),
        Series::full("Repair fund", category_colour(5), wave(9, 500, 3)),
    ];
    let chart = balances(&frame("chart-", &w), &accounts).unwrap();
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    let lines: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("3"))
        .collect();
    // One line per account plus one legend sample each.
    assert_eq!(lines.len(), 6);
    let dashes: std::collections::BTreeSet<_> = lines
        .iter()
        .map(|n| n.attribute("stroke-dasharray").unwrap_or("solid"))
        .collect();
    assert_eq!(dashes.len(), 3, "each line has its own dash style");
    assert!(
        chart.desc.contains("at the end of 2026-W48: Treasury "),
        "{}",
        chart.desc
    );
    assert!(chart.desc.contains("Strike fund "), "{}", chart.desc);
}

#[test]
fn share_is_in_percent_with_gaps_where_the_city_budgets_nothing() {
    let w = weeks("2026-W44", 5);
    let ratios = vec![
        Some(dec("0.5")),
        None,
        Some(dec("0.75")),
        Some(dec("1.2")),
        Some(dec("0.423")),
    ];
    let chart = share(&frame("chart-", &w), &ratios).unwrap();
    assert!(
        chart.desc.contains("in 2026-W48 the commons met 42.3%"),
        "{}",
        chart.desc
    );
    assert_eq!(chart.table.rows[1], vec!["2026-W45", "–"]);
    assert_eq!(chart.table.rows[3], vec!["2026-W47", "120.0"]);
    assert!(
        chart.csv.contains("2026-W45,2026-11-02,\n"),
        "{}",
        chart.csv
    );
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    // Two runs of the line (the gap breaks it), the legend sample, and the 100% rule
    // with its legend sample.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") != Some("1"))
            .count(),
        2 + 1 + 2,
        "{}",
        chart.svg
    );
    assert!(chart.svg.contains(">\n100%\n</text>") || chart.svg.contains("100%"));
}

#[test]
fn units_chart_is_small_and_named_after_its_unit() {
    let measure = Measure {
        label: "Energy supplied".into(),
        unit: "kWh".into(),
        decimals: 1,
    };
    let series = Series::full(
        "energy",
        category_colour(1),
        vec![dec("1234.56"), dec("99")],
    );
    let chart = units(&frame("w-", &weeks("2026-W47", 2)), &measure, &series).unwrap();
    assert_eq!(chart.slug, "units-energy-kwh");
    assert_eq!(chart.id, "w-units-energy-kwh");
    // The title states the finding; the table's caption still names the measure.
    assert_eq!(chart.title, "Energy supplied fell 92% since last week");
    assert_eq!(chart.table.caption, "Energy supplied per week (kWh)");
    assert!(
        chart
            .desc
            .contains("in the latest week, 2026-W48, 99.0 kWh"),
        "{}",
        chart.desc
    );
    assert_eq!(chart.table.rows[0], vec!["2026-W47", "1,234.6"]);
    assert!(
        chart.svg.contains("viewBox=\"0 0 420 "),
        "{}",
        &chart.svg[..200]
    );
}

#[test]
fn charts_are_byte_identical_across_runs() {
    let a = all_charts(52);
    let b = all_charts(52);
    assert_eq!(a, b);
    // No float noise in the output: every number attribute is an integer or short.
    for chart in &a {
        assert!(!chart.svg.contains("0000000"), "{}", chart.id);
    }
}

#[test]
fn five_years_of_weeks_label_the_axis_by_year_without_crowding() {
    let charts = all_charts(261);
    let governance = &charts[0];
    let doc = roxmltree::Document::parse(&governance.svg).unwrap();
    let years: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| t.len() == 4 && t.starts_with("20"))
        .collect();
    assert_eq!(years, vec!["2022", "2023", "2024", "2025", "2026"]);
}

#[test]
fn the_week_in_progress_is_hatched_labelled_and_left_out_of_the_finding() {
    let w = weeks("2026-W45", 4);
    let frame = Frame {
        partial: Some("so far (3 of 7 days)"),
        ..frame("chart-", &w)
    };
    // Three closed weeks at 100, 100, 70; the week in progress at 20 would read as a
    // collapse.
    let series = Series::full(
        "food",
        category_colour(2),
        vec![dec("100"), dec("100"), dec("70"), dec("20")],
    );
    let measure = Measure {
        label: "Food handed out".into(),
        unit: "kg".into(),
        decimals: 1,
    };
    let chart = units(&frame, &measure, &series).unwrap();
    assert_eq!(chart.title, "Food handed out fell 30% since November");
    assert!(chart.svg.contains("so far (3 of 7 days)"), "{}", chart.svg);
    assert!(
        chart.svg.contains("url(#chart-units-food-kg-city)"),
        "hatched"
    );
    // The latest closed week's value is written beside its bar.
    assert!(chart.svg.contains("70 kg"), "{}", chart.svg);
    assert!(!chart.svg.contains("20 kg"));

    let ratios = vec![
        Some(dec("0.30")),
        Some(dec("0.33")),
        Some(dec("0.36")),
        None,
    ];
    let share = share(&frame, &ratios).unwrap();
    assert_eq!(
        share.title,
        "The share of needs met rose from 30% to 36% since November"
    );
    assert!(share.svg.contains("36%"));
}

#[test]
fn without_a_week_in_progress_nothing_is_hatched_as_partial() {
    let w = weeks("2026-W45", 3);
    let series = Series::full("food", category_colour(2), vec![dec("1"); 3]);
    let measure = Measure {
        label: "Food handed out".into(),
        unit: "kg".into(),
        decimals: 1,
    };
    let chart = units(&frame("chart-", &w), &measure, &series).unwrap();
    assert!(!chart.svg.contains("so far"));
    assert_eq!(chart.title, "Food handed out held steady");
}

#[test]
fn a_finding_names_a_need_in_lower_case_and_a_member_as_written() {
    assert_eq!(in_sentence("Care"), "care");
    assert_eq!(in_sentence("Food bank"), "food bank");
    assert_eq!(in_sentence("Hillside Mutual Aid"), "Hillside Mutual Aid");
    assert_eq!(in_sentence("kWh"), "kWh");
}
