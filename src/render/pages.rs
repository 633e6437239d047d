//! Jobs for the home page, free pages, minutes and the not-found page.

use super::views::{MinutesSummary, MinutesView, PageView};
use super::{Job, Renderer};
use crate::error::Result;

pub fn jobs(r: &Renderer<'_>) -> Result<Vec<Job>> {
    let site = r.site;
    let root = &r.site_view.root;
    let mut jobs = Vec::new();

    let latest: Vec<MinutesSummary> = site
        .minutes
        .iter()
        .take(5)
        .map(|m| MinutesSummary::new(m, root))
        .collect();
    let home = Renderer::with(
        super::registers::with_latest_decisions(r.context(&site.config.title, "home"), site, root),
        "latest_minutes",
        &latest,
    );
    let home = Renderer::with(home, "glance", &super::reports::glance(site, root));
    let home = Renderer::with(
        home,
        "charts",
        &super::report_charts::ReportCharts::new(site, root).home()?,
    );
    jobs.push(Job::page("", "index.html", home));

    for page in &site.pages {
        let view = PageView::new(page);
        let context = Renderer::with(r.context(&page.title, &page.slug), "page", &view);
        jobs.push(Job::page(&format!("{}/", page.slug), "page.html", context));
    }

    let all: Vec<MinutesSummary> = site
        .minutes
        .iter()
        .map(|m| MinutesSummary::new(m, root))
        .collect();
    let list = Renderer::with(r.context("Minutes", "minutes"), "minutes", &all);
    jobs.push(Job::page("minutes/", "minutes_list.html", list));
    for m in &site.minutes {
        let view = MinutesView::new(m, root);
        let context = Renderer::with(r.context(&m.title, "minutes"), "minutes", &view);
        let records = super::registers::MinutesRecordsView::new(m, site.as_of, root);
        let context = Renderer::with(context, "records", &records);
        jobs.push(Job::page(
            &format!("minutes/{}/", m.slug),
            "minutes.html",
            context,
        ));
    }

    jobs.push(Job::page(
        "404.html",
        "404.html",
        r.context("Page not found", "404"),
    ));
    Ok(jobs)
}
