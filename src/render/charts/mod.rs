//! Charts of governance performed: pure functions from plain series (one value per
//! week, exact decimals) to a finished [`Chart`] — an accessible SVG, a table of the same
//! numbers and the CSV it was drawn from. No file I/O and no model types beyond
//! [`WeekId`]; the caller decides where the files go.
//!
//! Plotting uses plotters' SVG backend ([`plot`]); [`svg`] then makes the result
//! scalable, accessible, colour-blind safe and readable in greyscale and dark mode.
//! Floats are used for drawing only: tables and CSV files print the decimals.

pub mod axis;
pub mod commons;
pub mod finding;
pub mod flows;
mod plot;
pub mod svg;

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::error::ChartError;
use crate::model::week::WeekId;
use crate::render::numbers::{Numbers, machine};
use crate::render::views::long_date;
use plot::{EndLabel, Ink, Key, Layer, Plot, XAxis};

/// Width and plot height of a full-size chart, and of a small one (units per week).
const WIDE: (u32, u32) = (480, 300);
const SMALL: (u32, u32) = (420, 250);

/// The palette entry kept for the network as a whole (blue); categories use the others.
pub const NETWORK_COLOUR: u8 = 4;

/// Palette entry of the `i`-th category (in a fixed, site-wide order), skipping
/// [`NETWORK_COLOUR`].
pub fn category_colour(i: usize) -> u8 {
    let order = [0u8, 1, 2, 3, 5, 6];
    let round = (i / order.len()) as u8;
    order[i % order.len()] + round * svg::PALETTE.len() as u8
}

/// One named series of values, one per week of the chart (`None`: no value that week).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// Palette entry (see [`category_colour`]).
    pub colour: u8,
    pub values: Vec<Option<Decimal>>,
}

impl Series {
    pub fn new(name: impl Into<String>, colour: u8, values: Vec<Option<Decimal>>) -> Series {
        Series {
            name: name.into(),
            colour,
            values,
        }
    }

    /// A series with a value every week.
    pub fn full(name: impl Into<String>, colour: u8, values: Vec<Decimal>) -> Series {
        Series::new(name, colour, values.into_iter().map(Some).collect())
    }

    fn get(&self, i: usize) -> Option<Decimal> {
        self.values.get(i).copied().flatten()
    }

    fn floats(&self, n: usize) -> Vec<Option<f64>> {
        (0..n)
            .map(|i| self.get(i).and_then(|d| d.to_f64()))
            .collect()
    }
}

/// A table of the numbers a chart shows; the first column names the row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A finished chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chart {
    /// Unique on a page; the id of the `<svg>` and the prefix of the ids inside it.
    pub id: String,
    /// The file name stem for the `.svg` and `.csv` files: `governance`, `units-food-kg`.
    pub slug: String,
    pub title: String,
    /// One sentence: what the chart shows, with the latest figure.
    pub desc: String,
    pub svg: String,
    pub table: Table,
    pub csv: String,
}

/// The weeks a chart covers, in words: `the 12 weeks from 7 September to 29 November
/// 2026`, `the week 2026-W48, 23 November 2026 to 29 November 2026`.
fn period(weeks: &[WeekId]) -> String {
    match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) if weeks.len() > 1 => format!(
            "the {} weeks from {} to {}",
            weeks.len(),
            long_date(first.monday()),
            long_date(last.sunday())
        ),
        (Some(only), _) => format!(
            "the week {only}, {} to {}",
            long_date(only.monday()),
            long_date(only.sunday())
        ),
        _ => "no weeks yet".to_string(),
    }
}

/// What every chart of a page shares: the prefix of its element ids, its weeks, and how
/// the site writes numbers and money.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub id_prefix: &'a str,
    pub weeks: &'a [WeekId],
    pub numbers: Numbers,
    pub currency: &'a str,
    /// The last week is in progress, labelled so (`so far`): hatched in the plot and
    /// left out of the title's finding and the labelled latest values.
    pub partial: Option<&'a str>,
}

impl Frame<'_> {
    /// Money as on the report pages: `€1,234.50`.
    fn money(&self, value: Decimal) -> String {
        self.numbers.money(value, self.currency)
    }

    /// How many weeks from the start are closed.
    fn closed(&self) -> usize {
        self.weeks.len() - usize::from(self.partial.is_some() && !self.weeks.is_empty())
    }

    /// The last closed week's index.
    fn latest_closed(&self) -> Option<usize> {
        self.closed().checked_sub(1)
    }

    /// `since September` for the closed weeks, or `None` under two of them.
    fn since(&self) -> Option<String> {
        let closed = self.closed();
        (closed >= 2).then(|| finding::since(self.weeks[0].monday(), closed))
    }

    /// The trend of each of `series` over the closed weeks, named as in a sentence:
    /// `care` for "Care", but a proper name ("Hillside Mutual Aid") as it is written.
    fn trends(&self, series: &[Series]) -> Vec<finding::Trend> {
        let closed = self.closed();
        series
            .iter()
            .filter_map(|s| {
                let values: Vec<Option<Decimal>> = (0..closed).map(|i| s.get(i)).collect();
                finding::Trend::of(in_sentence(&s.name), &values)
            })
            .collect()
    }

    /// The finding over `trends` (closed weeks only), or `fallback`.
    fn title(&self, trends: &[finding::Trend], fallback: String) -> String {
        self.since()
            .and_then(|since| finding::sentence(trends, &since, self.numbers))
            .unwrap_or(fallback)
    }

    /// Marks `plot`'s last week when it is in progress.
    fn mark(&self, mut plot: Plot, end_labels: Vec<EndLabel>) -> Plot {
        plot.partial = self.partial.map(str::to_string);
        plot.end_labels = end_labels;
        plot
    }
}

/// `name` as it reads inside a sentence: lower case when only its first letter is a
/// capital ("Care", "Food bank"), as written otherwise ("Hillside Mutual Aid", "kWh").
fn in_sentence(name: &str) -> String {
    if name.chars().skip(1).any(char::is_uppercase) {
        name.to_string()
    } else {
        name.to_lowercase()
    }
}

/// A plot of `size` over `weeks`, a bar or point a week, in `y_desc` units.
fn weekly_plot(
    size: (u32, u32),
    weeks: &[WeekId],
    y_desc: String,
    layers: Vec<Layer>,
    keys: Vec<Key>,
) -> Plot {
    Plot {
        width: size.0,
        height: size.1,
        x: XAxis::Weeks(weeks.to_vec()),
        x_desc: format!("Week starting Monday, {}", axis::year_span(weeks)),
        y_desc,
        percent: false,
        layers,
        keys,
        empty_note: "No weeks recorded yet".into(),
        partial: None,
        end_labels: Vec::new(),
    }
}

/// The index of the latest week where `present` holds.
fn latest(n: usize, present: impl Fn(usize) -> bool) -> Option<usize> {
    (0..n).rev().find(|&i| present(i))
}

fn cell(numbers: Numbers, value: Option<Decimal>, decimals: u32) -> String {
    value.map_or_else(|| "–".to_string(), |v| numbers.fixed(v, decimals))
}

fn csv_cell(value: Option<Decimal>, decimals: u32) -> String {
    value.map_or_else(String::new, |v| machine(v, decimals))
}

/// A CSV file from a header and rows (fields quoted as needed).
fn csv_text(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for record in std::iter::once(head).chain(rows.iter().map(|r| r.as_slice())) {
        let fields: Vec<String> = record
            .iter()
            .map(|f| {
                let f = crate::render::csv_safe::cell(f);
                if f.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.into_owned()
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The numbers a chart shows, row by row, written twice: for the table on the page
/// (`1,234.50`, `–` where there is no value) and for the CSV file (`1234.50`, empty).
struct Figures {
    numbers: Numbers,
    head: Vec<String>,
    csv_head: Vec<String>,
    rows: Vec<Vec<String>>,
    csv_rows: Vec<Vec<String>>,
}

impl Figures {
    fn new(numbers: Numbers, head: Vec<String>, csv_head: Vec<String>) -> Figures {
        Figures {
            numbers,
            head,
            csv_head,
            rows: Vec::new(),
            csv_rows: Vec::new(),
        }
    }

    /// A row of both: `label` opens the table's row and `csv_label` the CSV file's; the
    /// `values` follow, with `decimals` decimals.
    fn row(
        &mut self,
        label: String,
        csv_label: Vec<String>,
        values: &[Option<Decimal>],
        decimals: u32,
    ) {
        self.table_row(label, values, decimals);
        let mut csv_row = csv_label;
        csv_row.extend(values.iter().map(|&v| csv_cell(v, decimals)));
        self.csv_rows.push(csv_row);
    }

    /// A week's row: the table names the week, the CSV file the week and `date` (its
    /// first or last day).
    fn week(&mut self, week: WeekId, date: Date, values: &[Option<Decimal>], decimals: u32) {
        let label = week.to_string();
        self.row(
            label.clone(),
            vec![label, date.to_string()],
            values,
            decimals,
        );
    }

    /// A row of the table only, such as a total the CSV file leaves to its reader.
    fn table_row(&mut self, label: String, values: &[Option<Decimal>], decimals: u32) {
        let mut row = vec![label];
        row.extend(values.iter().map(|&v| cell(self.numbers, v, decimals)));
        self.rows.push(row);
    }
}

/// Draws `plot` and finishes the chart around it, with the table (under `caption`) and
/// the CSV file of its `figures`.
fn finish(
    slug: &str,
    id_prefix: &str,
    title: String,
    desc: String,
    plot: &Plot,
    figures: Figures,
    caption: String,
) -> Result<Chart, ChartError> {
    let table = Table {
        caption,
        head: figures.head,
        rows: figures.rows,
    };
    let csv = csv_text(&figures.csv_head, &figures.csv_rows);
    let id = format!("{id_prefix}{slug}");
    let raw = plot::render(plot, figures.numbers).map_err(|message| ChartError {
        chart: slug.to_string(),
        message,
    })?;
    Ok(Chart {
        svg: svg::finish(&raw, &id, &title, &desc),
        id,
        slug: slug.to_string(),
        title,
        desc,
        table,
        csv,
    })
}

/// Chart 1, governance performed: the network's value per week by category, stacked, with the
/// city's weekly budget share for the same categories as a dashed line.
pub fn governance(
    frame: &Frame<'_>,
    categories: &[Series],
    city: &[Option<Decimal>],
) -> Result<Chart, ChartError> {
    let n = frame.weeks.len();
    let totals: Vec<Decimal> = (0..n)
        .map(|i| categories.iter().filter_map(|s| s.get(i)).sum())
        .collect();
    let city: Vec<Option<Decimal>> = (0..n).map(|i| city.get(i).copied().flatten()).collect();
    let title = frame.title(
        &frame.trends(categories),
        "Governance performed: value per week by category".to_string(),
    );
    let end_labels = frame
        .latest_closed()
        .map(|i| EndLabel {
            index: i,
            y: totals[i].to_f64().unwrap_or(0.0),
            text: frame.numbers.money_whole(totals[i], frame.currency),
        })
        .into_iter()
        .collect();
    let desc = governance_desc(frame, &totals, &city);
    let figures = governance_figures(frame, categories, &totals, &city);
    let plot = frame.mark(governance_plot(frame, categories, &city), end_labels);
    finish(
        "governance",
        frame.id_prefix,
        title,
        desc,
        &plot,
        figures,
        format!(
            "Value per week by category and the city's weekly budget ({})",
            frame.currency
        ),
    )
}

/// What chart 1 shows, with the latest week's total beside the city's.
fn governance_desc(frame: &Frame<'_>, totals: &[Decimal], city: &[Option<Decimal>]) -> String {
    match latest(frame.weeks.len(), |_| true) {
        Some(i) => format!(
            "The value at replacement cost of the services the network provided, stacked by \
             category, per week for {}, with the city's weekly budget share for the same needs \
             as a dashed line; in the latest week, {}, the network provided {}{}.",
            period(frame.weeks),
            frame.weeks[i],
            frame.money(totals[i]),
            match city[i] {
                Some(c) => format!(" against the city's {}", frame.money(c)),
                None => String::new(),
            }
        ),
        None => "The value of the services the network provided per week: no weeks recorded yet."
            .to_string(),
    }
}

/// Chart 1's numbers: a week a row, each category, the total and the city's share.
fn governance_figures(
    frame: &Frame<'_>,
    categories: &[Series],
    totals: &[Decimal],
    city: &[Option<Decimal>],
) -> Figures {
    let currency = frame.currency;
    let mut head = vec!["Week".to_string()];
    head.extend(
        categories
            .iter()
            .map(|s| format!("{} ({currency})", s.name)),
    );
    head.push(format!("Total ({currency})"));
    head.push(format!("City's weekly budget ({currency})"));
    let mut csv_head = vec!["week".to_string(), "week_start".to_string()];
    csv_head.extend(categories.iter().map(|s| s.name.clone()));
    csv_head.extend(["total".to_string(), "city_share".to_string()]);
    let mut figures = Figures::new(frame.numbers, head, csv_head);
    for (i, week) in frame.weeks.iter().enumerate() {
        let mut values: Vec<Option<Decimal>> = categories.iter().map(|s| s.get(i)).collect();
        values.extend([Some(totals[i]), city[i]]);
        figures.week(*week, week.monday(), &values, 2);
    }
    figures
}

/// Chart 1's plot: the categories stacked, the city's share a line over them.
fn governance_plot(frame: &Frame<'_>, categories: &[Series], city: &[Option<Decimal>]) -> Plot {
    let n = frame.weeks.len();
    let mut keys: Vec<Key> = categories
        .iter()
        .map(|s| Key {
            ink: Ink::Fill(s.colour),
            line: false,
            label: s.name.clone(),
        })
        .collect();
    keys.push(Key {
        ink: Ink::City,
        line: true,
        label: "City's weekly budget".into(),
    });
    let stacked = categories
        .iter()
        .map(|s| {
            let v = s.floats(n).into_iter().map(|v| v.unwrap_or(0.0)).collect();
            (Ink::Fill(s.colour), v)
        })
        .collect();
    weekly_plot(
        WIDE,
        frame.weeks,
        format!("{} per week", frame.currency),
        vec![
            Layer::Stacked(stacked),
            Layer::Line {
                ink: Ink::City,
                values: city.iter().map(|c| c.and_then(|d| d.to_f64())).collect(),
                area: false,
            },
        ],
        keys,
    )
}

/// One category's totals over a period, for [`commons_vs_city`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub category: String,
    pub network: Decimal,
    pub city: Decimal,
}

/// Chart 2, commons vs city: per category, the network's value over `weeks` beside the city's
/// budget share for the same weeks.
pub fn commons_vs_city(frame: &Frame<'_>, rows: &[Comparison]) -> Result<Chart, ChartError> {
    let (weeks, currency) = (frame.weeks, frame.currency);
    let rows = if weeks.is_empty() { &[][..] } else { rows };
    let network: Decimal = rows.iter().map(|r| r.network).sum();
    let city: Decimal = rows.iter().map(|r| r.city).sum();
    let title = "Commons vs city, by category".to_string();
    let desc = if weeks.is_empty() || rows.is_empty() {
        "The network's value beside the city's weekly budget, per category: no weeks recorded yet."
            .to_string()
    } else {
        format!(
            "The value at replacement cost of what the network provided in each category over {} \
             beside the city's weekly budget for the same needs and weeks; in all, the network \
             provided {} against the city's {}.",
            period(weeks),
            frame.money(network),
            frame.money(city)
        )
    };
    let head = vec![
        "Category".to_string(),
        format!("Network ({currency})"),
        format!("City's weekly budget ({currency})"),
    ];
    let csv_head = vec![
        "category".to_string(),
        "network".to_string(),
        "city_share".to_string(),
    ];
    let mut figures = Figures::new(frame.numbers, head, csv_head);
    for r in rows {
        let label = r.category.clone();
        figures.row(
            label.clone(),
            vec![label],
            &[Some(r.network), Some(r.city)],
            2,
        );
    }
    if !rows.is_empty() {
        figures.table_row("All".to_string(), &[Some(network), Some(city)], 2);
    }
    let plot = comparison_plot(weeks, currency, rows);
    let caption = format!(
        "The network's value and the city's weekly budget per category ({currency}){}",
        match (weeks.first(), weeks.last()) {
            (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
            (Some(a), _) => format!(", {a}"),
            _ => String::new(),
        }
    );
    finish(
        "commons-vs-city",
        frame.id_prefix,
        title,
        desc,
        &plot,
        figures,
        caption,
    )
}

/// Chart 2's plot: per category, the network's bar beside the city's.
fn comparison_plot(weeks: &[WeekId], currency: &str, rows: &[Comparison]) -> Plot {
    let floats = |f: fn(&Comparison) -> Decimal| -> Vec<f64> {
        rows.iter().map(|r| f(r).to_f64().unwrap_or(0.0)).collect()
    };
    Plot {
        width: WIDE.0,
        height: WIDE.1,
        x: XAxis::Groups(rows.iter().map(|r| r.category.clone()).collect()),
        x_desc: match (weeks.first(), weeks.last()) {
            (Some(a), Some(b)) => format!("Category, weeks {a} to {b}"),
            _ => "Category".to_string(),
        },
        y_desc: currency.to_string(),
        percent: false,
        layers: vec![Layer::Grouped(vec![
            (Ink::Fill(NETWORK_COLOUR), floats(|r| r.network)),
            (Ink::City, floats(|r| r.city)),
        ])],
        keys: vec![
            Key {
                ink: Ink::Fill(NETWORK_COLOUR),
                line: false,
                label: "The network".into(),
            },
            Key {
                ink: Ink::City,
                line: false,
                label: "City's weekly budget".into(),
            },
        ],
        empty_note: "No weeks recorded yet".into(),
        partial: None,
        end_labels: Vec::new(),
    }
}

/// What a unit counts, for [`units`]: `Food handed out`, `kg`, `kilograms of food`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measure {
    /// For the title: `Food handed out`.
    pub label: String,
    /// The unit as in the ledger: `kg`.
    pub unit: String,
    /// Decimals shown in tables.
    pub decimals: u32,
}

/// Chart 3, units per week: one small bar chart of one unit (kg of food, kWh, care hours).
pub fn units(frame: &Frame<'_>, measure: &Measure, series: &Series) -> Result<Chart, ChartError> {
    let weeks = frame.weeks;
    let n = weeks.len();
    let unit = &measure.unit;
    let slug = format!("units-{}-{}", slug_of(&series.name), slug_of(unit));
    let subject = format!("{} per week ({unit})", measure.label);
    let closed = frame.closed();
    let values: Vec<Option<Decimal>> = (0..closed).map(|i| series.get(i)).collect();
    let title = frame.title(
        &finding::Trend::of(measure.label.clone(), &values)
            .into_iter()
            .collect::<Vec<_>>(),
        subject.clone(),
    );
    let end_labels = frame
        .latest_closed()
        .map(|i| {
            let v = series.get(i).unwrap_or_default();
            EndLabel {
                index: i,
                y: v.to_f64().unwrap_or(0.0),
                text: format!("{} {unit}", frame.numbers.fixed(v, 0)),
            }
        })
        .into_iter()
        .collect();
    let desc = units_description(frame, measure, series);
    let head = vec!["Week".to_string(), format!("{} ({unit})", measure.label)];
    let csv_head = vec!["week".to_string(), "week_start".to_string(), unit.clone()];
    let mut figures = Figures::new(frame.numbers, head, csv_head);
    for (i, week) in weeks.iter().enumerate() {
        let value = Some(series.get(i).unwrap_or_default());
        figures.week(*week, week.monday(), &[value], measure.decimals);
    }
    let plot = weekly_plot(
        SMALL,
        weeks,
        format!("{unit} per week"),
        vec![Layer::Stacked(vec![(
            Ink::Fill(series.colour),
            series
                .floats(n)
                .into_iter()
                .map(|v| v.unwrap_or(0.0))
                .collect(),
        )])],
        Vec::new(),
    );
    let plot = frame.mark(plot, end_labels);
    finish(&slug, frame.id_prefix, title, desc, &plot, figures, subject)
}

/// A unit's chart in words: the measure, the period and the latest week's quantity.
fn units_description(frame: &Frame<'_>, measure: &Measure, series: &Series) -> String {
    let (weeks, unit) = (frame.weeks, &measure.unit);
    match latest(weeks.len(), |_| true) {
        Some(i) => format!(
            "{} per week in {unit} for {}; in the latest week, {}, {} {unit}.",
            measure.label,
            period(weeks),
            weeks[i],
            cell(
                frame.numbers,
                Some(series.get(i).unwrap_or_default()),
                measure.decimals
            )
        ),
        None => format!(
            "{} per week in {unit}: no weeks recorded yet.",
            measure.label
        ),
    }
}

/// `kWh` → `kwh`: a file-name-safe form of a unit or category name. When characters
/// had to be dropped (`Food Bank`, `food bank!`, `m³`), the first 8 hex digits of the
/// name's SHA-256 are added, so that two names never share a chart file or element id.
fn slug_of(text: &str) -> String {
    let slug: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let dropped = slug.len() != text.len();
    let slug = if slug.is_empty() {
        "unit".to_string()
    } else {
        slug
    };
    if dropped {
        let hash = crate::digest::sha256_hex(text.as_bytes());
        format!("{slug}-{}", &hash[..8])
    } else {
        slug
    }
}

/// Chart 4, treasury and fund balances at the end of each week, one line each.
pub fn balances(frame: &Frame<'_>, accounts: &[Series]) -> Result<Chart, ChartError> {
    let (weeks, currency) = (frame.weeks, frame.currency);
    let title = frame.title(
        &frame.trends(accounts),
        "Treasury and fund balances".to_string(),
    );
    // The treasury's latest balance, beside its line.
    let end_labels = frame
        .latest_closed()
        .and_then(|i| Some((i, accounts.first()?.get(i)?)))
        .map(|(i, v)| EndLabel {
            index: i,
            y: v.to_f64().unwrap_or(0.0),
            text: frame.numbers.money_whole(v, currency),
        })
        .into_iter()
        .collect();
    let desc = balances_desc(frame, accounts);
    let mut head = vec!["Week".to_string()];
    head.extend(accounts.iter().map(|a| format!("{} ({currency})", a.name)));
    let mut csv_head = vec!["week".to_string(), "week_end".to_string()];
    csv_head.extend(accounts.iter().map(|a| a.name.clone()));
    let mut figures = Figures::new(frame.numbers, head, csv_head);
    for (i, week) in weeks.iter().enumerate() {
        let values: Vec<Option<Decimal>> = accounts.iter().map(|a| a.get(i)).collect();
        figures.week(*week, week.sunday(), &values, 2);
    }
    let plot = frame.mark(balances_plot(frame, accounts), end_labels);
    finish(
        "balances",
        frame.id_prefix,
        title,
        desc,
        &plot,
        figures,
        format!("Balances at the end of each week ({currency})"),
    )
}

/// What chart 4 shows, with every account's balance at the end of the latest week
/// that has one.
fn balances_desc(frame: &Frame<'_>, accounts: &[Series]) -> String {
    let weeks = frame.weeks;
    match latest(weeks.len(), |i| accounts.iter().any(|a| a.get(i).is_some())) {
        Some(i) => format!(
            "The balance of the treasury and of each fund at the end of every week for {}; at \
             the end of {}: {}.",
            period(weeks),
            weeks[i],
            accounts
                .iter()
                .filter_map(|a| a.get(i).map(|v| format!("{} {}", a.name, frame.money(v))))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "The balance of the treasury and of each fund: no weeks recorded yet.".to_string(),
    }
}

/// Chart 4's plot: a line an account, each in its colour and dash style.
fn balances_plot(frame: &Frame<'_>, accounts: &[Series]) -> Plot {
    let n = frame.weeks.len();
    let ink = |k: usize, a: &Series| Ink::Line {
        colour: a.colour,
        dash: (k % 4) as u8,
    };
    weekly_plot(
        WIDE,
        frame.weeks,
        format!("{} at the end of the week", frame.currency),
        accounts
            .iter()
            .enumerate()
            .map(|(k, a)| Layer::Line {
                ink: ink(k, a),
                values: a.floats(n),
                area: false,
            })
            .collect(),
        accounts
            .iter()
            .enumerate()
            .map(|(k, a)| Key {
                ink: ink(k, a),
                line: true,
                label: a.name.clone(),
            })
            .collect(),
    )
}

/// Chart 5, the share of needs met by the commons: the network's value ÷ the city's weekly
/// share for the same needs, per week (`ratios` as fractions: 0.42 is 42%).
pub fn share(frame: &Frame<'_>, ratios: &[Option<Decimal>]) -> Result<Chart, ChartError> {
    let weeks = frame.weeks;
    let n = weeks.len();
    let ratio = |i: usize| ratios.get(i).copied().flatten();
    let percent: Vec<Option<Decimal>> = (0..n)
        .map(|i| ratio(i).map(|r| r * Decimal::ONE_HUNDRED))
        .collect();
    let closed = frame.closed();
    let first = (0..closed).find_map(ratio);
    let last = (0..closed).rev().find_map(ratio);
    let title = match (first, last, frame.since()) {
        (Some(a), Some(b), Some(since)) => finding::share_sentence(a, b, &since, frame.numbers),
        _ => "Share of needs met".to_string(),
    };
    let end_labels = (0..closed)
        .rev()
        .find_map(|i| Some((i, ratio(i)?)))
        .map(|(i, r)| EndLabel {
            index: i,
            y: (r * Decimal::ONE_HUNDRED).to_f64().unwrap_or(0.0),
            text: frame.numbers.percent(r),
        })
        .into_iter()
        .collect();
    let desc = share_desc(frame, &percent);
    let head = vec!["Week".to_string(), "Share of needs met (%)".to_string()];
    let csv_head = vec![
        "week".to_string(),
        "week_start".to_string(),
        "share_percent".to_string(),
    ];
    let mut figures = Figures::new(frame.numbers, head, csv_head);
    for (week, value) in weeks.iter().zip(&percent) {
        figures.week(*week, week.monday(), &[*value], 1);
    }
    let plot = frame.mark(share_plot(weeks, &percent), end_labels);
    finish(
        "share",
        frame.id_prefix,
        title,
        desc,
        &plot,
        figures,
        "The network's value as a percentage of the city's weekly budget".into(),
    )
}

/// What chart 5 shows, with the latest week's share, or why there is none.
fn share_desc(frame: &Frame<'_>, percent: &[Option<Decimal>]) -> String {
    let weeks = frame.weeks;
    let n = weeks.len();
    match latest(n, |i| percent[i].is_some()) {
        Some(i) => format!(
            "The value of the network's services as a percentage of the city's weekly budget \
             for the same needs, per week for {}; in {} the commons met {}%.",
            period(weeks),
            weeks[i],
            cell(frame.numbers, percent[i], 1)
        ),
        None if n > 0 => format!(
            "The value of the network's services as a percentage of the city's weekly budget \
             for the same needs, per week for {}; the city budgets nothing for these needs, so \
             there is no share to show.",
            period(weeks)
        ),
        None => "The share of needs met by the commons: no weeks recorded yet.".to_string(),
    }
}

/// Chart 5's plot: the share as a shaded line, with a rule at 100% once it comes
/// within reach (50% or more).
fn share_plot(weeks: &[WeekId], percent: &[Option<Decimal>]) -> Plot {
    let values: Vec<Option<f64>> = percent.iter().map(|p| p.and_then(|d| d.to_f64())).collect();
    let highest = values.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
    let ink = Ink::Line {
        colour: NETWORK_COLOUR,
        dash: 0,
    };
    let mut layers = vec![Layer::Line {
        ink,
        values,
        area: true,
    }];
    let mut keys = vec![Key {
        ink,
        line: true,
        label: "Share of needs met".into(),
    }];
    if highest >= 50.0 {
        layers.push(Layer::Rule { y: 100.0 });
        keys.push(Key {
            ink: Ink::City,
            line: true,
            label: "100%: as much as the city".into(),
        });
    }
    Plot {
        percent: true,
        ..weekly_plot(
            WIDE,
            weeks,
            "% of the city's weekly budget".to_string(),
            layers,
            keys,
        )
    }
}

#[cfg(test)]
mod tests;
