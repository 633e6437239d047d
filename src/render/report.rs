//! Jobs for the weekly balance sheets (`/reports/`, `/reports/<week>/`) and the views of
//! them that the home page shows. Views carry display-ready strings only; no private
//! column (counterparty, memo) is ever put into one.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

pub mod headline;

use self::headline::{Headline, SoFar, so_far_label};
use super::markdown;
use super::names;
use super::numbers::Numbers;
use super::report_charts::{ChartSet, ReportCharts};
use super::seal::SealView;
use super::views::{MinutesSummary, long_date};
use super::{Job, Renderer};
use super::{OutputFile, share_card};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::ledger::{
    Flow, Kind, Ledger, Line, Reconciliation, Treasury, WeekReport, WeekStatus,
};
use crate::model::week::WeekId;
use crate::model::{Minutes, Site};

pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let site = r.site;
    let mut jobs = Vec::new();
    let charter = ReportCharts::new(site, &r.site_view.root);
    let overview = overview(r, &charter)?;
    jobs.extend(overview.files.iter().cloned().map(Job::File));
    jobs.push(list_job(r, overview));
    let week_charts = week_charts(r, &charter)?;
    let mut minutes_of: BTreeMap<WeekId, Vec<&Minutes>> = BTreeMap::new();
    for m in &site.minutes {
        minutes_of.entry(WeekId::of(m.date)).or_default().push(m);
    }
    for ((i, week), charts) in site.ledger.weeks.iter().enumerate().zip(week_charts) {
        jobs.extend(charts.files.iter().cloned().map(Job::File));
        let minutes = minutes_of.get(&week.week).map_or(&[][..], Vec::as_slice);
        jobs.push(week_job(r, (i, week), charts, minutes));
    }
    Ok(jobs)
}

/// `/reports/`: every week, newest first, under the overview's charts.
///
/// Pages and charts made from the ledger alone are keyed by its fingerprint, so a change
/// to a week's commentary re-renders that week's page and draws no chart.
fn list_job<'a>(r: &'a Renderer<'_>, overview: Arc<ChartSet>) -> Job<'a> {
    let site = r.site;
    let ledger = &site.ledger;
    let root = &r.site_view.root;
    let seal_states = super::seal::states(&site.seals);
    let fingerprint = r.fingerprint(&(r.ledger_fingerprint(), &seal_states));
    Job::keyed("reports/", "reports_list.html", fingerprint, move || {
        let rows: Vec<WeekSummary> = ledger
            .weeks
            .iter()
            .rev()
            .map(|w| WeekSummary::new(w, site, root))
            .collect();
        let list = ReportsView {
            weeks: rows,
            rows_read: ledger.rows_read().to_string(),
            files: ledger.files.len(),
            method: METHOD,
        };
        let mut context = Renderer::with(r.context("Weekly reports", "reports"), "reports", &list);
        context.insert("seal_states", &seal_states);
        Ok(Renderer::with(context, "charts", &overview.view))
    })
}

/// Each week's charts and share card, drawn in parallel where their data changed.
fn week_charts(r: &Renderer<'_>, charter: &ReportCharts<'_>) -> Result<Vec<Arc<ChartSet>>> {
    let site = r.site;
    let ledger_fingerprint = r.ledger_fingerprint();
    site.ledger
        .weeks
        .par_iter()
        .enumerate()
        .map(|(i, week)| {
            r.made(
                &format!("reports/{}/charts/", week.week),
                r.fingerprint(&(ledger_fingerprint, i)),
                || {
                    let mut set = charter.week(i)?;
                    if !r.checking() {
                        set.files.push(share_card_file(r, week)?);
                    }
                    Ok(set)
                },
            )
        })
        .collect()
}

/// `/reports/<week>/`: the `i`th week's balance sheet, its charts, seal, commentary and
/// the minutes of its meetings.
fn week_job<'a>(
    r: &'a Renderer<'_>,
    (i, week): (usize, &'a WeekReport),
    charts: Arc<ChartSet>,
    minutes: &[&Minutes],
) -> Job<'a> {
    let site = r.site;
    let ledger = &site.ledger;
    let root = &r.site_view.root;
    let seal = SealView::of(&site.seals, week.week, root);
    let commentary = site.report_notes.get(&week.week.to_string());
    let minutes: Vec<_> = minutes.iter().map(|m| MinutesSummary::source(m)).collect();
    let fingerprint = r.fingerprint(&(
        r.ledger_fingerprint(),
        i,
        commentary.map(|n| &n.body),
        &minutes,
        &seal,
    ));
    Job::keyed(
        &format!("reports/{}/", week.week),
        "report.html",
        fingerprint,
        move || {
            let previous = i
                .checked_sub(1)
                .and_then(|p| ledger.weeks.get(p))
                .map(|w| WeekLink::new(w.week, root));
            let next = ledger.weeks.get(i + 1).map(|w| WeekLink::new(w.week, root));
            let view = ReportView::new(site, week, root, previous, next);
            let title = format!("{} · week {}", week_dates(week.week), week.week);
            let mut context = Renderer::with(r.context(&title, "reports"), "report", &view);
            context.insert(
                "description",
                &super::headline::description(&site.config, ledger, week),
            );
            context.insert("charts", &charts.view);
            context.insert(
                "og_image",
                &format!("{}reports/{}/share.png", site.config.base_url, week.week),
            );
            context.insert("seal", &seal);
            Ok(context)
        },
    )
}

/// `reports/<week>/share.png`: the card a chat shows when the report is shared.
fn share_card_file(r: &Renderer<'_>, w: &WeekReport) -> Result<OutputFile> {
    let site = r.site;
    let config = &site.config;
    let ledger = &site.ledger;
    let n = Numbers::of(config);
    let closed = w.status == WeekStatus::Closed;
    let card = share_card::Card {
        network: if config.network.name.is_empty() {
            config.title.clone()
        } else {
            config.network.name.clone()
        },
        dates: week_dates(w.week),
        status: if closed {
            format!("ISO week {} · closed", w.week)
        } else {
            format!(
                "ISO week {} · {}",
                w.week,
                so_far_label(w.week, ledger.as_of)
            )
        },
        figures: super::headline::provided_parts(config, w),
        share: match w.ratio().filter(|_| closed) {
            Some(r) => format!(
                "{} of what the city budgets for the same needs",
                n.percent(r)
            ),
            None if closed => "The city publishes no budget for these needs".to_string(),
            None => "Compared with the city's budget once the week closes".to_string(),
        },
        value: format!(
            "{} of services at replacement cost",
            n.money_whole(w.value(), &ledger.currency)
        ),
    };
    let bytes = share_card::png(&card).map_err(|message| Error::Template {
        template: "share card".into(),
        message,
    })?;
    r.file(format!("reports/{}/share.png", w.week), bytes)
}

/// The overview's charts (`reports/charts/`), shared by `/reports/` and the home page:
/// drawn again only when the ledger changed.
pub fn overview(r: &Renderer<'_>, charter: &ReportCharts<'_>) -> Result<Arc<ChartSet>> {
    r.made(
        "reports/charts/",
        r.fingerprint(&r.ledger_fingerprint()),
        || charter.overview(),
    )
}

/// How values are computed, stated on the pages.
pub const METHOD: &str = "Each service is valued at replacement cost: its quantity times the rate in force on the day it was drawn (data/rates.csv: the rate for its unit and, where there is one, its category, with the latest valid_from not after that day). The city's weekly share is its annual budget for the need, pro rata by days: amount × days of the week in that year ÷ days in the year.";

#[derive(Debug, Clone, Serialize)]
pub struct ReportsView {
    pub weeks: Vec<WeekSummary>,
    pub rows_read: String,
    pub files: usize,
    pub method: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekLink {
    pub week: String,
    pub url: String,
    pub dates: String,
}

impl WeekLink {
    pub fn new(week: WeekId, root: &str) -> WeekLink {
        WeekLink {
            week: week.to_string(),
            url: format!("{root}reports/{week}/"),
            dates: week_dates(week),
        }
    }
}

/// A week in the list of reports and on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct WeekSummary {
    #[serde(flatten)]
    pub link: WeekLink,
    pub status: &'static str,
    pub status_label: &'static str,
    /// `so far (3 of 7 days)` for the week in progress, else empty.
    pub so_far: String,
    pub rows: String,
    pub receipts: String,
    pub value: String,
    pub city_share: String,
    pub ratio: String,
    /// Headline per category: "37% of what the city budgets for food".
    pub categories: Vec<CategoryView>,
}

impl WeekSummary {
    pub fn new(w: &WeekReport, site: &Site, root: &str) -> WeekSummary {
        let ledger = &site.ledger;
        let currency = &ledger.currency;
        let n = Numbers::of(&site.config);
        // A week in progress is not compared with the city's budget for the whole week:
        // three days of seven would read as a collapse.
        let closed = w.status == WeekStatus::Closed;
        let not_yet = || "—".to_string();
        WeekSummary {
            link: WeekLink::new(w.week, root),
            so_far: if closed {
                String::new()
            } else {
                so_far_label(w.week, ledger.as_of)
            },
            status: status_class(w.status),
            status_label: status_label(w.status),
            rows: n.count(w.reconciliation.rows_read),
            receipts: n.count(w.lines.iter().map(|l| l.receipts).sum()),
            value: n.money(w.value(), currency),
            city_share: w
                .city_share()
                .map_or_else(|| "—".into(), |s| n.money(s, currency)),
            ratio: w
                .ratio()
                .filter(|_| closed)
                .map_or_else(not_yet, |r| n.percent(r)),
            categories: w
                .categories
                .iter()
                .map(|c| CategoryView {
                    category: names::category(&site.config, &c.category),
                    need: names::in_sentence(&names::category(&site.config, &c.category)),
                    value: n.money(c.value, currency),
                    city_share: c
                        .city_share
                        .map_or_else(|| "—".into(), |s| n.money(s.amount, currency)),
                    partial: c.city_share.is_some_and(|s| s.days < 7),
                    budget_days: c.city_share.map_or(0, |s| s.days),
                    ratio: c
                        .ratio
                        .filter(|_| closed)
                        .map_or_else(not_yet, |r| n.percent(r)),
                    bar: c.ratio.filter(|_| closed).map_or(0, bar_width),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub category: String,
    /// The category's name inside a sentence: `food`.
    pub need: String,
    pub value: String,
    pub city_share: String,
    /// The week reaches into a year without a published budget.
    pub partial: bool,
    pub budget_days: u8,
    pub ratio: String,
    /// 0–100, for a bar beside the ratio.
    pub bar: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub cell: String,
    pub category: String,
    pub unit: String,
    pub services: String,
    pub drawn: String,
    pub receipts: String,
    pub contributions: String,
    pub contributed: String,
    pub value: String,
    /// The cell's value against the city's share for the category (cell rows only).
    pub ratio: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowView {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub category: String,
    pub quantity: String,
    pub unit: String,
    pub rows: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FundView {
    pub name: String,
    pub allocated: String,
    pub balance: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TreasuryView {
    pub opening: String,
    pub income: String,
    pub expense: String,
    pub allocated: String,
    pub closing: String,
    pub funds: Vec<FundView>,
}

impl TreasuryView {
    fn new(t: &Treasury, currency: &str, config: &crate::config::Config) -> TreasuryView {
        let n = Numbers::of(config);
        let money = |d: Decimal, currency: &str| n.money(d, currency);
        TreasuryView {
            opening: money(t.opening, currency),
            income: money(t.income, currency),
            expense: money(t.expense, currency),
            allocated: money(t.allocated, currency),
            closing: money(t.closing, currency),
            funds: t
                .funds
                .iter()
                .map(|f| FundView {
                    name: names::cell(config, &f.name),
                    allocated: money(f.allocated, currency),
                    balance: money(f.balance, currency),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RateView {
    pub unit: String,
    pub category: String,
    pub rate: String,
    pub valid_from: String,
    pub source: String,
    pub rows: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub rows: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitView {
    pub unit: String,
    pub rows: String,
    pub quantity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationView {
    pub rows_read: String,
    pub rows_counted: String,
    pub balanced: bool,
    pub kinds: Vec<KindCount>,
    pub units: Vec<UnitView>,
    pub value: String,
}

/// One week's balance sheet.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    #[serde(flatten)]
    pub summary: WeekSummary,
    pub monday: String,
    pub sunday: String,
    pub in_progress: bool,
    pub lines: Vec<LineView>,
    pub cells: Vec<LineView>,
    pub flows: Vec<FlowView>,
    pub treasury: TreasuryView,
    pub rates: Vec<RateView>,
    pub reconciliation: ReconciliationView,
    pub commentary: Option<String>,
    pub minutes: Vec<MinutesSummary>,
    pub previous: Option<WeekLink>,
    pub next: Option<WeekLink>,
    pub method: &'static str,
    pub currency: String,
}

impl ReportView {
    pub fn new(
        site: &Site,
        w: &WeekReport,
        root: &str,
        previous: Option<WeekLink>,
        next: Option<WeekLink>,
    ) -> ReportView {
        let ledger = &site.ledger;
        let currency = &ledger.currency;
        let n = Numbers::of(&site.config);
        let line = |l: &Line| LineView::new(l, w, &site.config, &n, currency);
        let minutes = site
            .minutes
            .iter()
            .filter(|m| WeekId::of(m.date) == w.week)
            .map(|m| MinutesSummary::new(m, root))
            .collect();
        ReportView {
            summary: WeekSummary::new(w, site, root),
            monday: long_date(w.week.monday()),
            sunday: long_date(w.week.sunday()),
            in_progress: w.status == WeekStatus::InProgress,
            lines: w.lines.iter().map(line).collect(),
            cells: w.cells.iter().map(line).collect(),
            flows: w
                .flows
                .iter()
                .map(|f| FlowView::new(f, &site.config, &n))
                .collect(),
            treasury: TreasuryView::new(&w.treasury, currency, &site.config),
            rates: RateView::used_in(ledger, w, &n),
            reconciliation: ReconciliationView::new(&w.reconciliation, currency, &n),
            commentary: site
                .report_notes
                .get(&w.week.to_string())
                .map(|n| markdown::to_html(&n.body)),
            minutes,
            previous,
            next,
            method: METHOD,
            currency: currency.clone(),
        }
    }
}

impl LineView {
    /// A line of week `w`'s balance sheet; a cell's line is set against the city's share
    /// for its category.
    fn new(l: &Line, w: &WeekReport, config: &Config, n: &Numbers, currency: &str) -> LineView {
        let share = w
            .categories
            .iter()
            .find(|c| c.category == *l.category)
            .and_then(|c| c.city_share);
        LineView {
            cell: l
                .cell
                .as_deref()
                .map(|c| names::cell(config, c))
                .unwrap_or_default(),
            category: names::category(config, &l.category),
            unit: l.unit.to_string(),
            services: n.count(l.services),
            drawn: n.quantity(l.drawn),
            receipts: n.count(l.receipts),
            contributions: n.count(l.contribution_rows),
            contributed: n.quantity(l.contributed),
            value: n.money(l.value, currency),
            ratio: share
                .filter(|_| l.services > 0)
                .and_then(|s| crate::model::ledger::ratio(l.value, s.amount))
                .map_or_else(String::new, |r| n.percent(r)),
        }
    }
}

impl FlowView {
    fn new(f: &Flow, config: &Config, n: &Numbers) -> FlowView {
        FlowView {
            from: names::cell(config, &f.from),
            to: names::cell(config, &f.to),
            kind: f.kind.name(),
            category: names::category(config, &f.category),
            quantity: n.quantity(f.quantity),
            unit: f.unit.to_string(),
            rows: n.count(f.rows),
        }
    }
}

impl RateView {
    /// The rates week `w`'s entries were valued at, in the order of the rates file, each
    /// with the number of rows valued at it.
    fn used_in(ledger: &Ledger, w: &WeekReport, n: &Numbers) -> Vec<RateView> {
        let mut rates: Vec<(u32, u64)> = Vec::new();
        for e in ledger.entries_of(w) {
            if let Some(index) = e.rate.get() {
                match rates.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, n)) => *n += 1,
                    None => rates.push((index, 1)),
                }
            }
        }
        rates.sort_unstable();
        let currency = &ledger.currency;
        rates
            .into_iter()
            .filter_map(|(index, rows)| {
                let rate = ledger.rates.get(index)?;
                Some(RateView {
                    unit: rate.unit.clone(),
                    category: rate.category.clone().unwrap_or_else(|| "any".to_string()),
                    rate: format!("{} per {}", n.money(rate.rate, currency), rate.unit),
                    valid_from: long_date(rate.valid_from),
                    source: rate.source.clone(),
                    rows: n.count(rows),
                })
            })
            .collect()
    }
}

impl ReconciliationView {
    fn new(rec: &Reconciliation, currency: &str, n: &Numbers) -> ReconciliationView {
        ReconciliationView {
            rows_read: n.count(rec.rows_read),
            rows_counted: n.count(rec.rows_counted()),
            balanced: rec.rows_read == rec.rows_counted(),
            kinds: Kind::ALL
                .into_iter()
                .map(|k| KindCount {
                    kind: k.name(),
                    rows: n.count(rec.by_kind[k as usize]),
                })
                .collect(),
            units: rec
                .units
                .iter()
                .map(|u| UnitView {
                    unit: u.unit.to_string(),
                    rows: n.count(u.rows),
                    quantity: n.quantity(u.quantity),
                })
                .collect(),
            value: n.money(rec.value, currency),
        }
    }
}

/// "This week at a glance" on the home page.
#[derive(Debug, Clone, Serialize)]
pub struct GlanceView {
    pub current: Option<WeekSummary>,
    pub last_closed: Option<WeekSummary>,
    /// The last closed week in words and units.
    pub headline: Option<Headline>,
    /// The week in progress, never compared with the city's budget.
    pub so_far: Option<SoFar>,
    pub weeks: usize,
    pub as_of: Option<String>,
    pub treasury: Option<TreasuryView>,
}

pub fn glance(site: &Site, root: &str) -> Option<GlanceView> {
    let ledger = &site.ledger;
    let latest = ledger.weeks.last()?;
    let currency = &ledger.currency;
    let t = &latest.treasury;
    Some(GlanceView {
        current: ledger.current().map(|w| WeekSummary::new(w, site, root)),
        last_closed: ledger
            .last_closed()
            .map(|w| WeekSummary::new(w, site, root)),
        headline: ledger
            .last_closed()
            .map(|w| Headline::new(&site.config, ledger, w, root)),
        so_far: ledger
            .current()
            .map(|w| SoFar::new(&site.config, ledger, w, root)),
        weeks: ledger.weeks.len(),
        as_of: ledger.as_of.map(long_date),
        treasury: Some(TreasuryView::new(t, currency, &site.config)),
    })
}

pub fn status_class(status: WeekStatus) -> &'static str {
    match status {
        WeekStatus::Closed => "closed",
        WeekStatus::InProgress => "in-progress",
    }
}

pub fn status_label(status: WeekStatus) -> &'static str {
    match status {
        WeekStatus::Closed => "closed",
        WeekStatus::InProgress => "in progress",
    }
}

/// `16–22 November 2026` (or across months and years).
pub fn week_dates(week: WeekId) -> String {
    let (m, s) = (week.monday(), week.sunday());
    if m.year() != s.year() {
        format!("{} – {}", long_date(m), long_date(s))
    } else if m.month() != s.month() {
        format!("{} – {}", m.strftime("%-d %B"), long_date(s))
    } else {
        format!("{}–{}", m.day(), long_date(s))
    }
}

/// A bar's width (0–100) for a ratio, capped at 100.
fn bar_width(ratio: Decimal) -> u32 {
    let p = (ratio * Decimal::ONE_HUNDRED).round();
    if p >= Decimal::ONE_HUNDRED {
        100
    } else if p <= Decimal::ZERO {
        0
    } else {
        p.to_string().parse().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn bars_are_capped_at_full_width() {
        assert_eq!(bar_width(d("1.5")), 100);
        assert_eq!(bar_width(d("0.374")), 37);
        assert_eq!(bar_width(d("-1")), 0);
    }

    #[test]
    fn week_dates_span_months_and_years() {
        assert_eq!(
            week_dates(WeekId::parse("2026-W47").unwrap()),
            "16–22 November 2026"
        );
        assert_eq!(
            week_dates(WeekId::parse("2026-W53").unwrap()),
            "28 December 2026 – 3 January 2027"
        );
    }
}
