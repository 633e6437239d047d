//! The charts on the home page, `/reports/` and every weekly report: series taken from
//! the ledger's weeks, drawn by [`charts`](super::charts), each written as an `.svg` and
//! the `.csv` it was drawn from beside it (`reports/charts/`,
//! `reports/<week>/charts/`), and a view that puts the same SVG inline in the page with
//! its table. Colours follow one site-wide order of categories, so food is the same
//! colour on every page.

use std::collections::BTreeSet;

use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::OutputFile;
use super::charts::{
    self, Chart, Comparison, Frame, Measure, NETWORK_COLOUR, Series, Table, category_colour,
};
use super::numbers::Numbers;
use super::report::headline::so_far_label;
use crate::error::Result;
use crate::model::Site;
use crate::model::ledger::{Ledger, WeekReport, WeekStatus};
use crate::model::week::WeekId;

/// Weeks in the overview's charts of value and units, and in its commons-vs-city chart.
const YEAR: usize = 52;
const QUARTER: usize = 13;
/// Weeks in a weekly report's charts: the twelve up to that week.
const REPORT_WEEKS: usize = 12;
const ID_PREFIX: &str = "chart-";

/// A chart as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub desc: String,
    /// The `<svg>` element, to put inline.
    pub svg: String,
    pub svg_url: String,
    pub csv_url: String,
    pub table: Table,
    /// A small chart (units per week), laid out several to a row.
    pub small: bool,
}

/// The charts of one page.
#[derive(Debug, Clone, Serialize)]
pub struct ChartsView {
    pub heading: String,
    /// `The 52 weeks up to 2026-W47` (and what the longer charts cover).
    pub period: String,
    pub charts: Vec<ChartView>,
}

/// Charts ready to show, and the files to write for them.
pub struct ChartSet {
    pub view: ChartsView,
    pub files: Vec<OutputFile>,
}

/// What every chart set shares: the site-wide order of categories, units and funds.
pub struct ReportCharts<'a> {
    ledger: &'a Ledger,
    numbers: Numbers,
    /// The week in progress and its label, `so far (3 of 7 days)`.
    so_far: Option<(WeekId, String)>,
    root: String,
    /// Categories with services in any week.
    served: Vec<String>,
    /// Categories with services or a city budget in any week.
    compared: Vec<String>,
    /// (category, unit) with services in any week.
    units: Vec<(String, String)>,
    funds: Vec<String>,
}

impl<'a> ReportCharts<'a> {
    pub fn new(site: &'a Site, root: &str) -> ReportCharts<'a> {
        let ledger = &site.ledger;
        let mut served = BTreeSet::new();
        let mut compared = BTreeSet::new();
        let mut units = BTreeSet::new();
        let mut funds = BTreeSet::new();
        for week in &ledger.weeks {
            for c in &week.categories {
                if !c.value.is_zero() {
                    served.insert(c.category.clone());
                }
                if !c.value.is_zero() || c.city_share.is_some() {
                    compared.insert(c.category.clone());
                }
            }
            for line in &week.lines {
                if line.services > 0 {
                    units.insert((line.category.to_string(), line.unit.to_string()));
                }
            }
            for fund in &week.treasury.funds {
                funds.insert(fund.name.clone());
            }
        }
        ReportCharts {
            ledger,
            numbers: Numbers::of(&site.config),
            so_far: ledger
                .current()
                .map(|w| (w.week, so_far_label(w.week, ledger.as_of))),
            root: root.to_string(),
            served: served.into_iter().collect(),
            compared: compared.into_iter().collect(),
            units: units.into_iter().collect(),
            funds: funds.into_iter().collect(),
        }
    }

    /// The colour of a category: its place among all the site's categories.
    fn colour(&self, category: &str) -> u8 {
        let i = self
            .compared
            .iter()
            .position(|c| c == category)
            .unwrap_or(self.compared.len());
        category_colour(i)
    }

    /// The overview at `reports/charts/`: value and units over the last 52 weeks,
    /// commons vs city over the last 13, balances and the share over every week; all
    /// ending with the last closed week (the week in progress would look like a drop).
    pub fn overview(&self) -> Result<ChartSet> {
        let weeks = &self.ledger.weeks;
        let end = weeks
            .iter()
            .rposition(|w| w.status == WeekStatus::Closed)
            .map_or(weeks.len(), |i| i + 1);
        let all = &weeks[..end];
        let year = &all[all.len().saturating_sub(YEAR)..];
        let quarter = &all[all.len().saturating_sub(QUARTER)..];
        let dir = "reports/charts/";
        let period = match (all.first(), year.first(), all.last()) {
            (Some(first), Some(from), Some(last)) => format!(
                "Value per week: the {} weeks from {} to {}; commons vs city: the last {}; \
                 balances and the share: every week since {}.",
                year.len(),
                from.week,
                last.week,
                plural(quarter.len(), "week"),
                first.week
            ),
            _ => "No weeks recorded yet.".to_string(),
        };
        let mut charts = vec![self.governance(year)?, self.commons_vs_city(quarter)?];
        charts.extend(self.units(year)?);
        charts.push(self.balances(all)?);
        charts.push(self.share(all)?);
        Ok(self.set("Charts", period, dir, charts))
    }

    /// A weekly report's charts, at `reports/<week>/charts/`: the twelve weeks up to
    /// the week at `index` (fewer at the start of the ledger).
    pub fn week(&self, index: usize) -> Result<ChartSet> {
        let weeks = &self.ledger.weeks;
        let end = (index + 1).min(weeks.len());
        let span = &weeks[end.saturating_sub(REPORT_WEEKS)..end];
        let Some(this) = span.last() else {
            return Ok(self.set("Charts", String::new(), "", Vec::new()));
        };
        let dir = format!("reports/{}/charts/", this.week);
        let period = match span.first() {
            Some(first) if span.len() > 1 => {
                format!(
                    "The {} weeks from {} to {}.",
                    span.len(),
                    first.week,
                    this.week
                )
            }
            _ => format!("The week {}.", this.week),
        };
        let mut charts = vec![self.governance(span)?, self.commons_vs_city(span)?];
        charts.extend(self.units(span)?);
        charts.push(self.balances(span)?);
        charts.push(self.share(span)?);
        let heading = match span.len() {
            1 => "This week in charts".to_string(),
            n => format!("The {} weeks up to this one", words(n)),
        };
        Ok(self.set(&heading, period, &dir, charts))
    }

    /// Every week's charts, in the ledger's order, drawn in parallel.
    pub fn weeks(&self) -> Result<Vec<ChartSet>> {
        (0..self.ledger.weeks.len())
            .into_par_iter()
            .map(|i| self.week(i))
            .collect()
    }

    fn set(&self, heading: &str, period: String, dir: &str, charts: Vec<Chart>) -> ChartSet {
        let mut files = Vec::new();
        let mut views = Vec::new();
        for chart in charts {
            let svg_path = format!("{dir}{}.svg", chart.slug);
            let csv_path = format!("{dir}{}.csv", chart.slug);
            views.push(ChartView {
                small: chart.slug.starts_with("units-"),
                svg_url: format!("{}{svg_path}", self.root),
                csv_url: format!("{}{csv_path}", self.root),
                id: chart.id,
                title: chart.title,
                desc: chart.desc,
                table: chart.table,
                svg: chart.svg.clone(),
            });
            let mut file = String::with_capacity(chart.svg.len() + 40);
            file.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            file.push_str(&chart.svg);
            files.push(OutputFile::new(svg_path, file));
            files.push(OutputFile::new(csv_path, chart.csv));
        }
        ChartSet {
            view: ChartsView {
                heading: heading.to_string(),
                period,
                charts: views,
            },
            files,
        }
    }

    fn frame<'w>(&'w self, weeks: &'w [WeekId]) -> Frame<'w> {
        Frame {
            id_prefix: ID_PREFIX,
            weeks,
            numbers: self.numbers,
            currency: &self.ledger.currency,
            partial: self
                .so_far
                .as_ref()
                .filter(|(week, _)| weeks.last() == Some(week))
                .map(|(_, label)| label.as_str()),
        }
    }

    fn ids(span: &[WeekReport]) -> Vec<WeekId> {
        span.iter().map(|w| w.week).collect()
    }

    fn governance(&self, span: &[WeekReport]) -> Result<Chart> {
        let categories: Vec<Series> = self
            .served
            .iter()
            .map(|name| {
                let values = span
                    .iter()
                    .map(|w| {
                        Some(
                            w.categories
                                .iter()
                                .find(|c| &c.category == name)
                                .map_or(Decimal::ZERO, |c| c.value),
                        )
                    })
                    .collect();
                Series::new(name.clone(), self.colour(name), values)
            })
            .collect();
        let city: Vec<Option<Decimal>> = span.iter().map(|w| w.city_share()).collect();
        Ok(charts::governance(
            &self.frame(&Self::ids(span)),
            &categories,
            &city,
        )?)
    }

    fn commons_vs_city(&self, span: &[WeekReport]) -> Result<Chart> {
        let rows: Vec<Comparison> = self
            .compared
            .iter()
            .map(|name| {
                let mut network = Decimal::ZERO;
                let mut city = Decimal::ZERO;
                for c in span
                    .iter()
                    .flat_map(|w| &w.categories)
                    .filter(|c| &c.category == name)
                {
                    network += c.value;
                    city += c.city_share.map_or(Decimal::ZERO, |s| s.amount);
                }
                Comparison {
                    category: name.clone(),
                    network,
                    city,
                }
            })
            .collect();
        Ok(charts::commons_vs_city(
            &self.frame(&Self::ids(span)),
            &rows,
        )?)
    }

    fn units(&self, span: &[WeekReport]) -> Result<Vec<Chart>> {
        let mut out = Vec::new();
        for (category, unit) in &self.units {
            let values = span
                .iter()
                .map(|w| {
                    Some(
                        w.lines
                            .iter()
                            .filter(|l| &*l.category == category && &*l.unit == unit)
                            .map(|l| l.drawn)
                            .sum(),
                    )
                })
                .collect();
            let measure = Measure {
                label: capitalised(category),
                unit: unit.clone(),
                decimals: if unit == &self.ledger.currency { 2 } else { 1 },
            };
            let series = Series::new(category.clone(), self.colour(category), values);
            out.push(charts::units(
                &self.frame(&Self::ids(span)),
                &measure,
                &series,
            )?);
        }
        Ok(out)
    }

    fn balances(&self, span: &[WeekReport]) -> Result<Chart> {
        let mut accounts = vec![Series::full(
            "Treasury",
            NETWORK_COLOUR,
            span.iter().map(|w| w.treasury.closing).collect(),
        )];
        for (k, name) in self.funds.iter().enumerate() {
            let values = span
                .iter()
                .map(|w| {
                    w.treasury
                        .funds
                        .iter()
                        .find(|f| &f.name == name)
                        .map(|f| f.balance)
                })
                .collect();
            accounts.push(Series::new(
                capitalised(&name.replace('-', " ")),
                category_colour(4 + k),
                values,
            ));
        }
        Ok(charts::balances(&self.frame(&Self::ids(span)), &accounts)?)
    }

    fn share(&self, span: &[WeekReport]) -> Result<Chart> {
        // A week in progress is never compared with the city's budget for a whole week.
        let ratios: Vec<Option<Decimal>> = span
            .iter()
            .map(|w| w.ratio().filter(|_| w.status == WeekStatus::Closed))
            .collect();
        Ok(charts::share(&self.frame(&Self::ids(span)), &ratios)?)
    }
}

/// The home page's charts: the overview's without the units (their files are the
/// overview's).
pub fn home(overview: &ChartsView) -> ChartsView {
    let mut set = overview.clone();
    set.charts.retain(|c| !c.small);
    set.heading = "Governance performed".to_string();
    set
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `twelve`, `3`: small counts in words.
fn words(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
