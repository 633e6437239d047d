//! Jobs for the home page, free pages, minutes and the not-found page.

use super::views::{MinutesSummary, MinutesView, PageView};
use super::{Job, Renderer};
use crate::error::Result;

/// The site's own pages: home, free pages, the minutes and their list, the glossary
/// and the page for a missing address.
pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let site = r.site;
    let mut jobs = vec![home(r)?];
    for page in &site.pages {
        let view = PageView::new(page);
        let context = Renderer::with(r.context(&page.title, &page.slug), "page", &view);
        jobs.push(Job::page(&format!("{}/", page.slug), "page.html", context));
    }
    minutes_jobs(r, &mut jobs);
    // Every figure, defined once; the figures on reports and the home page link here.
    jobs.push(Job::page(
        "glossary/",
        "glossary.html",
        r.context("What the figures mean", "glossary"),
    ));
    jobs.push(Job::page(
        "404.html",
        "404.html",
        r.context("Page not found", "404"),
    ));
    Ok(jobs)
}

/// The home page: the latest minutes and decisions and the ledger's figures and
/// charts, keyed by exactly those.
fn home<'a>(r: &'a Renderer<'_>) -> Result<Job<'a>> {
    let site = r.site;
    let root = &r.site_view.root;
    let charter = super::report_charts::ReportCharts::new(site, root);
    let overview = super::report::overview(r, &charter)?;
    let latest_decisions: Vec<_> = site.registers.decisions.iter().take(5).collect();
    let latest_minutes: Vec<_> = site
        .minutes
        .iter()
        .take(5)
        .map(|m| MinutesSummary::source(m))
        .collect();
    let commons = super::commons::home(site);
    let fingerprint = r.fingerprint(&(
        r.ledger_fingerprint(),
        &latest_decisions,
        &latest_minutes,
        &commons,
    ));
    Ok(Job::keyed("", "index.html", fingerprint, move || {
        let latest: Vec<MinutesSummary> = site
            .minutes
            .iter()
            .take(5)
            .map(|m| MinutesSummary::new(m, root))
            .collect();
        let home = Renderer::with(
            super::register::with_latest_decisions(
                r.context(&site.config.title, "home"),
                site,
                root,
            ),
            "latest_minutes",
            &latest,
        );
        let home = Renderer::with(home, "glance", &super::report::glance(site, root));
        let home = Renderer::with(home, "commons", &commons);
        Ok(Renderer::with(
            home,
            "charts",
            &super::report_charts::home(&overview.view),
        ))
    }))
}

/// The list of minutes and a page for each minutes.
fn minutes_jobs<'a>(r: &'a Renderer<'_>, jobs: &mut Vec<Job<'a>>) {
    let site = r.site;
    let root = &r.site_view.root;
    // The list shows what a summary shows of each minutes, nothing of their text.
    let listed = r.hash_items("minutes summaries", &site.minutes, |m| {
        super::hash_of(&MinutesSummary::source(m))
    });
    jobs.push(Job::keyed(
        "minutes/",
        "minutes_list.html",
        r.fingerprint(&listed),
        move || {
            let all: Vec<MinutesSummary> = site
                .minutes
                .iter()
                .map(|m| MinutesSummary::new(m, root))
                .collect();
            Ok(Renderer::with(
                r.context("Minutes", "minutes"),
                "minutes",
                &all,
            ))
        },
    ));
    for m in &site.minutes {
        jobs.push(Job::keyed(
            &["minutes/", &m.slug, "/"].concat(),
            "minutes.html",
            r.fingerprint(&(m.fingerprint, site.as_of)),
            move || {
                let view = MinutesView::new(m, root);
                let context = Renderer::with(r.context(&m.title, "minutes"), "minutes", &view);
                let records = super::register::MinutesRecordsView::new(m, site.as_of, root);
                Ok(Renderer::with(context, "records", &records))
            },
        ));
    }
}
