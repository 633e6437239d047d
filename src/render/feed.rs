//! `/feed.xml`: an Atom feed with one entry per closed week, newest first, and one per
//! recorded release. Dates come from the weeks and releases themselves, never the
//! clock, so the feed is the same on every build.

use super::markdown;
use super::numbers::Numbers;
use super::views::xml_escape;
use super::{Job, OutputFile, Renderer};
use crate::model::Site;
use crate::model::ledger::{WeekReport, WeekStatus};
use crate::model::release::Release;

/// How many closed weeks the feed carries.
const ENTRIES: usize = 52;

pub fn jobs(r: &Renderer<'_>) -> Vec<Job<'static>> {
    vec![Job::File(OutputFile::new("feed.xml", atom(r)))]
}

/// When a week's entry last changed: the end of the week, or the day of its latest
/// amendment after that, so that feed readers show the correction.
fn timestamp(site: &Site, week: &WeekReport) -> String {
    let amended = site
        .seals
        .weeks
        .get(&week.week)
        .and_then(|s| s.amendments.iter().map(|a| a.date).max())
        .filter(|d| *d > week.week.sunday());
    match amended {
        Some(date) => format!("{date}T00:00:00Z"),
        None => format!("{}T23:59:59Z", week.week.sunday()),
    }
}

fn atom(r: &Renderer<'_>) -> String {
    let site = r.site;
    let ledger = &site.ledger;
    let base = &site.config.base_url;
    let closed: Vec<&WeekReport> = ledger
        .weeks
        .iter()
        .rev()
        .filter(|w| w.status == WeekStatus::Closed)
        .take(ENTRIES)
        .collect();
    let updated = closed
        .iter()
        .map(|w| timestamp(site, w))
        .max()
        .unwrap_or_else(|| {
            site.as_of.map_or_else(
                || "1970-01-01T00:00:00Z".into(),
                |d| format!("{d}T00:00:00Z"),
            )
        });
    let mut xml = feed_head(site, &updated);
    let n = Numbers::of(&site.config);
    for w in closed {
        week_entry(&mut xml, site, n, w);
    }
    for release in site.releases.iter().rev() {
        release_entry(&mut xml, base, release);
    }
    xml.push_str("</feed>\n");
    xml
}

/// The XML declaration and the feed's own elements: title, id, links, when it was
/// last updated, author and generator.
fn feed_head(site: &Site, updated: &str) -> String {
    let base = &site.config.base_url;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    xml.push_str(&xml_escape(&site.config.language));
    xml.push_str("\">\n");
    xml.push_str(&format!(
        "  <title>{}: weekly reports</title>\n",
        xml_escape(&site.config.title)
    ));
    xml.push_str(&format!("  <id>{}</id>\n", xml_escape(base)));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}reports/\"/>\n",
        xml_escape(base)
    ));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>\n",
        xml_escape(base)
    ));
    xml.push_str(&format!("  <updated>{updated}</updated>\n"));
    let author = if site.config.network.name.is_empty() {
        &site.config.title
    } else {
        &site.config.network.name
    };
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(author)
    ));
    xml.push_str("  <generator>tally</generator>\n");
    xml
}

/// A closed week's entry: its value (and share of the city's budget) as the title,
/// each category and the week's commentary as its content.
fn week_entry(xml: &mut String, site: &Site, n: Numbers, w: &WeekReport) {
    let currency = &site.ledger.currency;
    let url = format!("{}reports/{}/", site.config.base_url, w.week);
    let value = n.money(w.value(), currency);
    let title = match w.ratio() {
        Some(ratio) => format!(
            "Week {}: {value} of services, {} of the city's budget",
            w.week,
            n.percent(ratio)
        ),
        None => format!("Week {}: {value} of services", w.week),
    };
    let mut html = String::from("<ul>");
    for c in &w.categories {
        html.push_str(&format!(
            "<li>{}: {} of services",
            xml_escape(&c.category),
            n.money(c.value, currency)
        ));
        if let Some(ratio) = c.ratio {
            html.push_str(&format!(", {} of what the city budgets", n.percent(ratio)));
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    if let Some(note) = site.report_notes.get(&w.week.to_string()) {
        html.push_str(&markdown::to_html(&note.body));
    }
    xml.push_str("  <entry>\n");
    xml.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
    xml.push_str(&format!("    <id>{}</id>\n", xml_escape(&url)));
    xml.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&url)
    ));
    xml.push_str(&format!("    <updated>{}</updated>\n", timestamp(site, w)));
    xml.push_str(&format!(
        "    <summary>{} rows, {} receipts</summary>\n",
        w.reconciliation.rows_read,
        w.lines.iter().map(|l| l.receipts).sum::<u64>()
    ));
    xml.push_str(&format!(
        "    <content type=\"html\">{}</content>\n",
        xml_escape(&html)
    ));
    xml.push_str("  </entry>\n");
}

/// One entry per recorded release, dated with its "as of" date, linking to `/releases/`.
fn release_entry(xml: &mut String, base: &str, release: &Release) {
    let url = format!("{base}releases/");
    let title = if release.note.is_empty() {
        format!("Release {}", release.version)
    } else {
        format!("Release {}: {}", release.version, release.note)
    };
    xml.push_str("  <entry>\n");
    xml.push_str(&format!("    <title>{}</title>\n", xml_escape(&title)));
    xml.push_str(&format!(
        "    <id>{}</id>\n",
        xml_escape(&format!("{base}releases/{}/manifest.json", release.version))
    ));
    xml.push_str(&format!(
        "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&url)
    ));
    xml.push_str(&format!(
        "    <updated>{}T00:00:00Z</updated>\n",
        release.date
    ));
    xml.push_str(&format!(
        "    <summary>Manifest SHA-256 {}, seal chain {}</summary>\n",
        xml_escape(&release.manifest),
        xml_escape(&release.seal_chain)
    ));
    xml.push_str("  </entry>\n");
}
