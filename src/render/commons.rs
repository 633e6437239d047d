//! `/rules/`, `/acts/`, `/audit/` (the People's Audit) and `/independence/`, their
//! charts, and the home page's sentences about them ([`home`]).

use serde::Serialize;

use super::charts::commons::{Lines, lines};
use super::charts::{Chart, NETWORK_COLOUR, Series, category_colour};
use super::numbers::Numbers;
use super::report::week_dates;
use super::report_charts::{ChartView, ChartsView};
use super::views::long_date;
use super::{Job, OutputFile, Renderer};
use crate::error::Result;
use crate::model::Site;
use crate::model::audit::AuditPoint;
use crate::model::independence::Independence;
use crate::model::register::Record;
use crate::model::rule::{RuleState, Standing};
use crate::model::week::WeekId;

const ID_PREFIX: &str = "chart-";

/// The fund's name in `[cells]`, or its slug in words (`strike-fund` → `strike fund`).
fn fund_name(site: &Site, slug: &str) -> String {
    match site.config.cells.get(slug) {
        Some(named) => named.name.clone(),
        None => act_name(slug),
    }
}

/// `tree-planted` → `tree planted`.
pub fn act_name(kind: &str) -> String {
    kind.replace('-', " ")
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordLink {
    pub title: String,
    pub date: String,
    pub iso_date: String,
    pub url: String,
}

impl RecordLink {
    fn new(record: &Record, root: &str) -> RecordLink {
        RecordLink {
            title: record.title.clone(),
            date: long_date(record.date),
            iso_date: record.date.to_string(),
            url: format!("{root}minutes/{}/", record.slug),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageView {
    pub festival: String,
    pub date: String,
    pub endured: bool,
    pub readopted: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub slug: String,
    pub name: String,
    pub state: &'static str,
    pub adopted: String,
    pub adoptions: Vec<(String, RecordLink)>,
    pub passages: Vec<PassageView>,
    pub endured: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FestivalView {
    pub name: String,
    pub date: String,
    pub iso_date: String,
    pub note: Option<String>,
    pub minutes: RecordLink,
}

#[derive(Debug, Clone, Serialize)]
pub struct RulesView {
    pub rules: Vec<RuleView>,
    pub festivals: Vec<FestivalView>,
    pub endured: usize,
    pub lapsed: usize,
    pub standing: usize,
}

impl RulesView {
    pub fn new(standing: &Standing, root: &str) -> RulesView {
        let rules = standing
            .rules
            .iter()
            .map(|r| RuleView {
                slug: r.slug.clone(),
                name: act_name(&r.slug),
                state: r.state.as_str(),
                adopted: r
                    .adoptions
                    .first()
                    .map(|a| long_date(a.date))
                    .unwrap_or_default(),
                adoptions: r
                    .adoptions
                    .iter()
                    .map(|a| (a.text.clone(), RecordLink::new(&a.record, root)))
                    .collect(),
                passages: r
                    .passages
                    .iter()
                    .filter_map(|p| {
                        let f = standing.festivals.get(p.festival)?;
                        Some(PassageView {
                            festival: f.name.clone(),
                            date: long_date(f.date),
                            endured: p.readopted.is_some(),
                            readopted: p.readopted.map(long_date),
                        })
                    })
                    .collect(),
                endured: r.endured(),
            })
            .collect();
        RulesView {
            rules,
            festivals: standing
                .festivals
                .iter()
                .map(|f| FestivalView {
                    name: f.name.clone(),
                    date: long_date(f.date),
                    iso_date: f.date.to_string(),
                    note: f.note.clone(),
                    minutes: RecordLink::new(&f.record, root),
                })
                .collect(),
            endured: standing.count(RuleState::Endured),
            lapsed: standing.count(RuleState::Lapsed),
            standing: standing.count(RuleState::Standing),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActView {
    pub name: String,
    pub count: u64,
    pub note: Option<String>,
    pub minutes: RecordLink,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActsView {
    /// `12 trees planted`-like lines: (name, total).
    pub tally: Vec<(String, String)>,
    pub acts: Vec<ActView>,
}

impl ActsView {
    pub fn new(standing: &Standing, n: Numbers, root: &str) -> ActsView {
        ActsView {
            tally: standing
                .tally()
                .into_iter()
                .map(|t| (act_name(&t.kind), n.count(t.count)))
                .collect(),
            acts: standing
                .acts
                .iter()
                .map(|a| ActView {
                    name: act_name(&a.kind),
                    count: a.count,
                    note: a.note.clone(),
                    minutes: RecordLink::new(&a.record, root),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    pub date: String,
    pub iso_date: String,
    pub residents: String,
    pub pledged: String,
    pub city_budget: String,
    pub of_city: String,
    pub value_performed: String,
    pub of_value: String,
    pub source: String,
}

impl AuditRow {
    fn new(p: &AuditPoint, n: Numbers, currency: &str) -> AuditRow {
        AuditRow {
            date: long_date(p.date),
            iso_date: p.date.to_string(),
            residents: n.count(p.residents),
            pledged: n.money(p.pledged, currency),
            city_budget: p.city_budget.map_or("—".into(), |b| n.money(b, currency)),
            of_city: p.of_city().map_or("—".into(), |r| n.percent(r)),
            value_performed: n.money(p.value_performed, currency),
            of_value: p.of_value().map_or("—".into(), |r| n.percent(r)),
            source: p.source.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FundRow {
    pub week: String,
    pub dates: String,
    pub balance: String,
    pub weeks_of_wages: String,
    pub weeks_for_neighbours: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndependenceView {
    pub wage: String,
    pub source: String,
    pub fund: String,
    pub neighbours: u32,
    /// Newest first.
    pub fund_weeks: Vec<FundRow>,
}

impl IndependenceView {
    fn new(site: &Site, ind: &Independence) -> IndependenceView {
        let currency = &site.config.currency;
        let n = Numbers::of(&site.config);
        IndependenceView {
            wage: n.money(ind.wage, currency),
            source: ind.source.clone(),
            fund: super::names::in_sentence(&fund_name(site, &ind.fund)),
            neighbours: ind.neighbours,
            fund_weeks: ind
                .fund_weeks
                .iter()
                .rev()
                .map(|w| FundRow {
                    week: w.week.to_string(),
                    dates: week_dates(w.week),
                    balance: n.money(w.balance, currency),
                    weeks_of_wages: n.fixed(w.weeks_of_wages, 1),
                    weeks_for_neighbours: n.fixed(w.weeks_for_neighbours, 1),
                })
                .collect(),
        }
    }
}

/// What the home page says about pledges, independence, rules and acts: one
/// sentence each, with the page that explains it.
#[derive(Debug, Clone, Default, Hash, Serialize)]
pub struct HomeView {
    pub audit: Option<String>,
    pub fund: Option<String>,
    pub share: Option<String>,
    pub rules: Option<String>,
    pub acts: Option<String>,
}

pub fn home(site: &Site) -> HomeView {
    let currency = &site.config.currency;
    let n = Numbers::of(&site.config);
    let audit = site.audit.latest().map(|p| {
        let of_city = p
            .of_city()
            .map(|r| {
                format!(
                    " — {} of what the city budgets in a year for the same needs",
                    n.percent(r)
                )
            })
            .unwrap_or_default();
        format!(
            "{} residents have pledged {} a year of their taxes to the commons treasury{of_city}.",
            n.count(p.residents),
            n.money(p.pledged, currency)
        )
    });
    let ind = site.independence.as_ref();
    let fund = ind.and_then(|i| Some((i, i.latest()?))).map(|(i, w)| {
        format!(
            "The {} ({}) could replace a living wage of {} a week for one neighbour for {} \
             weeks, or for {} neighbours for {} weeks.",
            super::names::in_sentence(&fund_name(site, &i.fund)),
            n.money(w.balance, currency),
            n.money(i.wage, currency),
            n.fixed(w.weeks_of_wages, 1),
            i.neighbours,
            n.fixed(w.weeks_for_neighbours, 1)
        )
    });
    HomeView {
        audit,
        fund,
        share: ind.and_then(|i| share_sentence(i, n)),
        rules: rules_sentence(&site.standing),
        acts: acts_sentence(&site.standing, n),
    }
}

/// The commons' share of the budgeted needs in the last closed week, against twelve
/// weeks before (or the first week, if fewer).
fn share_sentence(ind: &Independence, n: Numbers) -> Option<String> {
    let last = ind.overall.iter().rposition(Option::is_some)?;
    let now = ind.overall.get(last).copied().flatten()?;
    let back = last.saturating_sub(12);
    let then = ind
        .overall
        .get(back)
        .copied()
        .flatten()
        .filter(|_| back < last);
    let trend = match (then, last - back) {
        (Some(t), 1) => format!(", against {} the week before", n.percent(t)),
        (Some(t), weeks) => format!(", against {} {weeks} weeks before", n.percent(t)),
        (None, _) => String::new(),
    };
    Some(format!(
        "Of what the commons and the city together spent on the needs the city budgets for, \
         the commons met {} in {}{trend}.",
        n.percent(now),
        week_dates(*ind.weeks.get(last)?)
    ))
}

fn rules_sentence(standing: &Standing) -> Option<String> {
    if standing.rules.is_empty() {
        return None;
    }
    let plural = |n: usize| if n == 1 { "rule" } else { "rules" };
    let n = standing.rules.len();
    Some(format!(
        "{n} standing {} so far: {} endured the last festival they met, {} lapsed, {} not yet tested by a festival.",
        plural(n),
        standing.count(RuleState::Endured),
        standing.count(RuleState::Lapsed),
        standing.count(RuleState::Standing),
    ))
}

fn acts_sentence(standing: &Standing, n: Numbers) -> Option<String> {
    let tally = standing.tally();
    if tally.is_empty() {
        return None;
    }
    let parts: Vec<String> = tally
        .iter()
        .map(|t| format!("{} × {}", n.count(t.count), act_name(&t.kind)))
        .collect();
    Some(format!(
        "After assemblies, neighbours have recorded {}.",
        parts.join(", ")
    ))
}

/// A chart written under `dir`, and its view.
fn chart_view(chart: Chart, dir: &str, root: &str, files: &mut Vec<OutputFile>) -> ChartView {
    let svg_path = format!("{dir}{}.svg", chart.slug);
    let csv_path = format!("{dir}{}.csv", chart.slug);
    let mut file = String::with_capacity(chart.svg.len() + 40);
    file.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    file.push_str(&chart.svg);
    files.push(OutputFile::new(svg_path.clone(), file));
    files.push(OutputFile::new(csv_path.clone(), chart.csv));
    ChartView {
        svg_url: format!("{root}{svg_path}"),
        csv_url: format!("{root}{csv_path}"),
        id: chart.id,
        title: chart.title,
        desc: chart.desc,
        table: chart.table,
        svg: chart.svg,
        small: false,
    }
}

/// The independence page's charts: the fund in weeks of wages, the share per need.
fn independence_charts(
    site: &Site,
    ind: &Independence,
    files: &mut Vec<OutputFile>,
) -> Result<Vec<ChartView>> {
    let root = site.config.root_path();
    let dir = "independence/charts/";
    let fund = strike_fund_chart(site, ind)?;
    let needs = needs_chart(site, ind)?;
    Ok(vec![
        chart_view(fund, dir, &root, files),
        chart_view(needs, dir, &root, files),
    ])
}

/// The strike fund in weeks of a living wage: for one neighbour and for all of them.
fn strike_fund_chart(site: &Site, ind: &Independence) -> Result<Chart> {
    let fund = [
        Series::full(
            "One neighbour",
            NETWORK_COLOUR,
            ind.fund_weeks.iter().map(|w| w.weeks_of_wages).collect(),
        ),
        Series::full(
            format!("{} neighbours", ind.neighbours),
            category_colour(0),
            ind.fund_weeks
                .iter()
                .map(|w| w.weeks_for_neighbours)
                .collect(),
        ),
    ];
    Ok(lines(
        ID_PREFIX,
        &ind.weeks,
        &fund,
        Lines {
            slug: "strike-fund-weeks",
            title: "The strike fund in weeks of a living wage".into(),
            what: "The strike fund's balance at the end of each week divided by the weekly living wage".into(),
            y_desc: "weeks of wages".into(),
            caption: "Weeks of a living wage the strike fund can replace".into(),
            decimals: 1,
            percent: false,
            numbers: Numbers::of(&site.config),
        },
    )?)
}

/// Each need's share met by the commons, week by week, and all of them together.
fn needs_chart(site: &Site, ind: &Independence) -> Result<Chart> {
    let mut needs: Vec<Series> = ind
        .needs
        .iter()
        .enumerate()
        .map(|(k, n)| {
            Series::new(
                super::names::category(&site.config, &n.category),
                category_colour(k),
                n.shares.clone(),
            )
        })
        .collect();
    needs.push(Series::new(
        "All these needs",
        NETWORK_COLOUR,
        ind.overall.clone(),
    ));
    Ok(lines(
        ID_PREFIX,
        &ind.weeks,
        &needs,
        Lines {
            slug: "needs-met",
            title: "Each need: the commons' part beside the city's".into(),
            what: "For each need the city budgets for, the commons' value as a share of the commons' value and the city's weekly budget together".into(),
            y_desc: "% met by the commons".into(),
            caption: "Share of each need met by the commons (%)".into(),
            decimals: 1,
            percent: true,
            numbers: Numbers::of(&site.config),
        },
    )?)
}

/// The audit's chart: pledged beside the city's budget and the value performed,
/// carried week by week from each count.
fn audit_chart(site: &Site, files: &mut Vec<OutputFile>) -> Result<Option<ChartView>> {
    let points = &site.audit.points;
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Ok(None);
    };
    let mut weeks = vec![WeekId::of(first.date)];
    while let Some(&w) = weeks.last().filter(|w| **w < WeekId::of(last.date)) {
        weeks.push(w.next());
    }
    let at = |week: &WeekId| points.iter().rev().find(|p| p.date <= week.sunday());
    let series = [
        Series::new(
            "Pledged",
            NETWORK_COLOUR,
            weeks.iter().map(|w| at(w).map(|p| p.pledged)).collect(),
        ),
        Series::new(
            "City's budget for the same needs",
            category_colour(1),
            weeks
                .iter()
                .map(|w| at(w).and_then(|p| p.city_budget))
                .collect(),
        ),
        Series::new(
            "Value performed",
            category_colour(0),
            weeks
                .iter()
                .map(|w| at(w).map(|p| p.value_performed))
                .collect(),
        ),
    ];
    let currency = &site.config.currency;
    let chart = lines(
        ID_PREFIX,
        &weeks,
        &series,
        Lines {
            slug: "pledges",
            title: "Pledges beside the city's budget and the value performed".into(),
            what: "Yearly pledges so far, the city's yearly budget for the same needs and the value the network performed so far".into(),
            y_desc: currency.clone(),
            caption: format!("Pledges, the city's budget and the value performed ({currency})"),
            decimals: 2,
            percent: false,
            numbers: Numbers::of(&site.config),
        },
    )?;
    Ok(Some(chart_view(
        chart,
        "audit/charts/",
        &site.config.root_path(),
        files,
    )))
}

pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let site = r.site;
    let root = &r.site_view.root;
    let mut jobs = Vec::new();
    let rules = RulesView::new(&site.standing, root);
    jobs.push(Job::page(
        "rules/",
        "rules.html",
        Renderer::with(r.context("Standing rules", "minutes"), "rules", &rules),
    ));
    let acts = ActsView::new(&site.standing, Numbers::of(&site.config), root);
    jobs.push(Job::page(
        "acts/",
        "acts.html",
        Renderer::with(r.context("Acts after assemblies", "minutes"), "acts", &acts),
    ));
    let mut files = Vec::new();
    if !site.audit.points.is_empty() {
        let rows: Vec<AuditRow> = site
            .audit
            .points
            .iter()
            .rev()
            .map(|p| AuditRow::new(p, Numbers::of(&site.config), &site.config.currency))
            .collect();
        let chart = audit_chart(site, &mut files)?;
        let context = Renderer::with(r.context("The People's Audit", "audit"), "audit", &rows);
        let charts = ChartsView {
            heading: "Pledges over time".into(),
            period: "Every count, carried week by week.".into(),
            charts: chart.into_iter().collect(),
        };
        jobs.push(Job::page(
            "audit/",
            "audit.html",
            Renderer::with(context, "charts", &charts),
        ));
    }
    if let Some(ind) = &site.independence {
        let charts = ChartsView {
            heading: "Over time".into(),
            period: "Every closed week.".into(),
            charts: independence_charts(site, ind, &mut files)?,
        };
        let view = IndependenceView::new(site, ind);
        let context = Renderer::with(
            r.context("Independence", "independence"),
            "independence",
            &view,
        );
        jobs.push(Job::page(
            "independence/",
            "independence.html",
            Renderer::with(context, "charts", &charts),
        ));
    }
    jobs.extend(files.into_iter().map(Job::File));
    Ok(jobs)
}
