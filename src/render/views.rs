//! Views: what templates see. Plain serializable structs with display-ready strings,
//! built from the model; templates never see domain types.

use jiff::civil::Date;
use serde::Serialize;

pub use super::escape::{push_xml_escaped, xml_escape};
use super::markdown;
use crate::model::{Minutes, Page, Site};

#[derive(Debug, Clone, Hash, Serialize)]
pub struct NavItem {
    pub title: &'static str,
    pub section: &'static str,
    pub url: String,
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct SiteView {
    pub title: String,
    pub base_url: String,
    /// The path prefix of every link: `/` or `/riverside/`.
    pub root: String,
    pub language: String,
    pub currency: String,
    pub version: Option<String>,
    /// `/releases/`, when the site has recorded releases.
    pub releases_url: Option<String>,
    pub network: String,
    pub as_of: Option<String>,
    pub nav: Vec<NavItem>,
    /// The id of the public key in `[signing]` (16 hex digits), if the site is signed.
    pub public_key_id: Option<String>,
    /// The methodology page that defines every figure (`content/pages/methodology.md`),
    /// linked from the figures it defines; absent when the site has none.
    pub methodology: Option<String>,
}

impl SiteView {
    pub fn new(site: &Site) -> SiteView {
        let root = site.config.root_path();
        let mut nav: Vec<NavItem> = [
            ("Reports", "reports"),
            ("Minutes", "minutes"),
            ("Manuals", "manuals"),
            ("Invoices", "invoices"),
            ("Data", "data"),
        ]
        .into_iter()
        .map(|(title, section)| NavItem {
            title,
            section,
            url: format!("{root}{section}/"),
        })
        .collect();
        if site.federation.is_some() {
            for (title, section, path) in [
                ("Federation", "federation", "federation/"),
                ("Flows", "flows", "flows/"),
            ] {
                nav.push(NavItem {
                    title,
                    section,
                    url: format!("{root}{path}"),
                });
            }
        }
        if site.pages.iter().any(|p| p.slug == "about") {
            nav.push(NavItem {
                title: "About",
                section: "about",
                url: format!("{root}about/"),
            });
        }
        let methodology = site
            .pages
            .iter()
            .any(|p| p.slug == "methodology")
            .then(|| format!("{root}methodology/"));
        let releases_url = (!site.releases.is_empty()).then(|| format!("{root}releases/"));
        SiteView {
            title: site.config.title.clone(),
            base_url: site.config.base_url.clone(),
            root,
            language: site.config.language.clone(),
            currency: site.config.currency.clone(),
            version: site.config.version.clone(),
            releases_url,
            network: if site.config.network.name.is_empty() {
                site.config.title.clone()
            } else {
                site.config.network.name.clone()
            },
            as_of: site.as_of.map(long_date),
            methodology,
            nav,
            public_key_id: crate::render::signing::public_key(site).map(|key| key.id()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub html: String,
}

impl PageView {
    pub fn new(page: &Page) -> PageView {
        PageView {
            slug: page.slug.clone(),
            title: page.title.clone(),
            description: page.description.clone(),
            html: markdown::to_html(markdown::without_repeated_title(&page.body, &page.title)),
        }
    }
}

/// A minutes entry in a list.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesSummary {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub date: String,
    pub iso_date: String,
    pub assembly: String,
    pub attendance: Option<u32>,
}

impl MinutesSummary {
    /// Everything a summary is made from (with the site's root): its fingerprint.
    pub fn source(m: &Minutes) -> impl std::hash::Hash + '_ {
        (&m.slug, &m.title, m.date, &m.assembly, m.attendance)
    }

    pub fn new(m: &Minutes, root: &str) -> MinutesSummary {
        MinutesSummary {
            slug: m.slug.clone(),
            url: format!("{root}minutes/{}/", m.slug),
            title: m.title.clone(),
            date: long_date(m.date),
            iso_date: m.date.to_string(),
            assembly: m.assembly.clone(),
            attendance: m.attendance,
        }
    }
}

/// One minutes page.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesView {
    #[serde(flatten)]
    pub summary: MinutesSummary,
    pub html: String,
    pub source: String,
}

impl MinutesView {
    pub fn new(m: &Minutes, root: &str) -> MinutesView {
        MinutesView {
            summary: MinutesSummary::new(m, root),
            html: markdown::to_html(markdown::without_repeated_title(&m.body, &m.title)),
            source: m.path.display().to_string(),
        }
    }
}

/// `2 November 2026`.
pub fn long_date(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}
