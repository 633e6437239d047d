//! What a resident meets: pages that work from disk, the week in progress never read as
//! a collapse, names instead of slugs, and a page that says what it is when shared.
//! The browser checks (axe-core, the Nu HTML Checker, printing) run from `.ci/run`
//! through `tests/browser/check.mjs`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The example site, built once per test into a fresh folder.
fn example_output() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_example_site(dir.path());
    let out = build(dir.path());
    (dir, out)
}

/// Every `href`, `src` and `action` value in `html`.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in [" href=\"", " src=\"", " action=\""] {
        for part in html.split(attribute).skip(1) {
            if let Some(end) = part.find('"') {
                found.push(part[..end].replace("&amp;", "&"));
            }
        }
    }
    found
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

#[test]
fn every_link_of_every_page_reaches_a_file_from_disk() {
    let (_dir, out) = example_output();
    let pages = html_files(&out);
    assert!(pages.len() > 50, "{} pages", pages.len());
    let mut followed = 0;
    for page in &pages {
        let rel = page
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let html = std::fs::read_to_string(page).unwrap();
        for link in links(&html) {
            let external = link.contains("://") || link.starts_with("mailto:");
            if external || link.starts_with('#') {
                continue;
            }
            if rel == "404.html" {
                // A host serves the not-found page at any depth: its links stay rooted.
                assert!(link.starts_with('/'), "404.html: {link}");
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{rel}: {link} is rooted, not relative"
            );
            let path = link.split(['#', '?']).next().unwrap();
            let target = page.parent().unwrap().join(path);
            assert!(
                target.is_file(),
                "{rel}: {link} leads to nothing ({})",
                target.display()
            );
            followed += 1;
        }
    }
    assert!(followed > 1000, "{followed} links followed");
}

#[test]
fn the_home_page_leads_with_the_last_closed_week_in_words_and_units() {
    let (_dir, out) = example_output();
    let home = read(&out, "index.html");
    let lead = home
        .find("Last week: ")
        .expect("a lead on the last closed week");
    let so_far = home.find("class=\"so-far\"").expect("a so-far line");
    assert!(lead < so_far, "the closed week comes first");
    assert!(
        home.contains(
            "The network's cells provided <strong>123 hours of care, 749 kWh of energy and 385 kg of food</strong> — <strong>36%</strong> of what the city budgets for the same needs."
        ),
        "{home}"
    );
    assert!(home.contains("so far (3 of 7 days)"), "{home}");
    // The week in progress is never compared with the city's budget for a whole week.
    assert!(!home.contains("18%"), "{home}");
}

#[test]
fn the_week_in_progress_is_marked_and_not_compared_with_the_city() {
    let (_dir, out) = example_output();
    let page = read(&out, "reports/2026-W48/index.html");
    assert!(page.contains("<span class=\"badge in-progress\">so far (3 of 7 days)</span>"));
    assert!(page.contains("<div class=\"figures partial\">"));
    assert!(!page.contains("of what the city budgets, met by the network"));
    // No share of needs met until it closes: not as a figure, nor in the share chart,
    // whose row for the week is empty and whose title compares closed weeks only.
    assert!(
        !page.contains(">18%<"),
        "no share of needs met until it closes"
    );
    let share = &page[page.find("id=\"chart-share\"").expect("share chart")..];
    assert!(
        share.contains("<tr><th scope=\"row\">2026-W48</th><td class=\"num\">–</td></tr>"),
        "{share}"
    );
    assert!(page.contains("The share of needs met fell from 43% to 36% since September"));
    // The charts hatch the week and say so.
    assert!(share.contains("so far (3 of 7 days)"));
    let list = read(&out, "reports/index.html");
    assert!(list.contains("<tr class=\"partial\">"), "{list}");
    let closed = read(&out, "reports/2026-W47/index.html");
    assert!(closed.contains("<h1>16–22 November 2026 <span class=\"badge closed\">closed</span>"));
    assert!(closed.contains("(ISO week 2026-W47)"));
}

#[test]
fn cells_and_categories_are_shown_by_their_names_from_tally_toml() {
    let (_dir, out) = example_output();
    let page = read(&out, "reports/2026-W47/index.html");
    assert!(page.contains("<th scope=\"row\">North Ward Care Circle</th>"));
    assert!(page.contains("<th scope=\"row\">Food</th>"));
    assert!(page.contains("<th scope=\"row\">Strike fund</th>"));
    assert!(
        !page.contains(">care-circle<"),
        "no slug where a name is known"
    );
    // In a sentence the name loses its capital.
    assert!(page.contains("of what the city budgets for food this week"));
}

#[test]
fn every_page_describes_itself_for_sharing_and_has_an_icon() {
    let (_dir, out) = example_output();
    for page in html_files(&out) {
        let rel = page
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let html = std::fs::read_to_string(&page).unwrap();
        for tag in [
            "<meta name=\"description\" content=\"",
            "<meta property=\"og:title\" content=\"",
            "<meta property=\"og:description\" content=\"",
            "<meta property=\"og:image\" content=\"https://riverside.example/",
            "<meta name=\"twitter:card\" content=\"summary",
            "favicon.svg\" type=\"image/svg+xml\">",
            "<link rel=\"apple-touch-icon\" href=\"",
        ] {
            // Manual print pages and invoices have their own heads.
            if html.contains("<meta name=\"description\"") {
                assert_eq!(html.matches(tag).count(), 1, "{rel}: {tag}");
            }
        }
    }
    let report = read(&out, "reports/2026-W47/index.html");
    assert!(report.contains(
        "<meta name=\"description\" content=\"16–22 November 2026: the network&apos;s cells provided 123 hours of care, 749 kWh of energy and 385 kg of food, 36% of what the city budgets for the same needs.\">"
    ), "{report}");
    assert!(out.join("favicon.svg").is_file());
    let png = std::fs::read(out.join("assets/apple-touch-icon.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn every_scroll_box_can_be_reached_by_keyboard_and_is_named() {
    let (_dir, out) = example_output();
    for rel in ["reports/index.html", "reports/2026-W47/index.html"] {
        let html = read(&out, rel);
        for part in html.split("<div class=\"table-scroll\"").skip(1) {
            let tag = &part[..part.find('>').unwrap()];
            assert!(tag.contains("tabindex=\"0\""), "{rel}: {tag}");
            assert!(tag.contains("aria-label=\""), "{rel}: {tag}");
        }
    }
}

#[test]
fn every_figure_is_defined_once_on_the_glossary_and_the_figures_link_to_it() {
    let (_dir, out) = example_output();
    let glossary = read(&out, "glossary/index.html");
    for id in [
        "replacement-value",
        "city-weekly-budget",
        "share-of-needs",
        "commons-receipts",
        "week-in-progress",
        "provisional",
        "sealed",
        "amendment",
    ] {
        let dfn = format!("<dfn id=\"{id}\">");
        assert_eq!(glossary.matches(&dfn).count(), 1, "{id} defined once");
    }
    let report = read(&out, "reports/2026-W47/index.html");
    for id in [
        "replacement-value",
        "city-weekly-budget",
        "share-of-needs",
        "commons-receipts",
    ] {
        let link = format!("href=\"../../glossary/index.html#{id}\"");
        assert!(report.contains(&link), "the report links {id}");
    }
    let home = read(&out, "index.html");
    assert!(home.contains("href=\"glossary/index.html#replacement-value\""));
    // One name per figure: the older names are gone from reports and charts.
    for page in [&report, &home, &read(&out, "reports/index.html")] {
        for old in [
            "City's share",
            "city's budget share",
            "Share of the city's budget",
        ] {
            assert!(!page.replace("&apos;", "'").contains(old), "{old} is gone");
        }
    }
}

#[test]
fn a_weekly_report_is_shared_with_a_card_of_its_figures() {
    let (_dir, out) = example_output();
    let page = read(&out, "reports/2026-W47/index.html");
    assert!(page.contains(
        "<meta property=\"og:image\" content=\"https://riverside.example/reports/2026-W47/share.png\">"
    ));
    assert!(page.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    let png = std::fs::read(out.join("reports/2026-W47/share.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1200, 630));
    // Other pages keep the site's icon.
    let home = read(&out, "index.html");
    assert!(home.contains("assets/icon-512.png") && !home.contains("share.png"));
}
