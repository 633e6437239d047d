//! Lines over weeks for the People's Audit and the independence page: one line per
//! series, its numbers in a table and a CSV file, as the other charts.

use rust_decimal::Decimal;

use super::plot::{Ink, Key, Layer, Plot};
use super::{Chart, Figures, Series, WIDE, finish, period, weekly_plot};
use crate::error::ChartError;
use crate::model::week::WeekId;
use crate::render::numbers::Numbers;

/// What a line chart says about itself.
pub struct Lines<'a> {
    pub slug: &'a str,
    pub title: String,
    /// What the chart shows: the period is added to it.
    pub what: String,
    /// The y axis: `weeks of a living wage`, `% met by the commons`.
    pub y_desc: String,
    /// The table's caption.
    pub caption: String,
    pub decimals: u32,
    /// Values are fractions, drawn and tabled as percentages.
    pub percent: bool,
    /// How the site's language writes the table's numbers.
    pub numbers: Numbers,
}

/// A line per series over `weeks`.
pub fn lines(
    id_prefix: &str,
    weeks: &[WeekId],
    series: &[Series],
    about: Lines<'_>,
) -> Result<Chart, ChartError> {
    let scale = if about.percent {
        Decimal::ONE_HUNDRED
    } else {
        Decimal::ONE
    };
    let value = |s: &Series, i: usize| s.get(i).map(|v| v * scale);
    let mut head = vec!["Week".to_string()];
    head.extend(series.iter().map(|s| s.name.clone()));
    let mut csv_head = vec!["week".to_string(), "week_end".to_string()];
    csv_head.extend(series.iter().map(|s| s.name.clone()));
    let mut figures = Figures::new(about.numbers, head, csv_head);
    for (i, week) in weeks.iter().enumerate() {
        let values: Vec<Option<Decimal>> = series.iter().map(|s| value(s, i)).collect();
        figures.week(*week, week.sunday(), &values, about.decimals);
    }
    let ink = |k: usize, s: &Series| Ink::Line {
        colour: s.colour,
        dash: (k % 4) as u8,
    };
    let layers = series
        .iter()
        .enumerate()
        .map(|(k, s)| Layer::Line {
            ink: ink(k, s),
            values: (0..weeks.len())
                .map(|i| value(s, i).and_then(|d| rust_decimal::prelude::ToPrimitive::to_f64(&d)))
                .collect(),
            area: false,
        })
        .collect();
    let keys = series
        .iter()
        .enumerate()
        .map(|(k, s)| Key {
            ink: ink(k, s),
            line: true,
            label: s.name.clone(),
        })
        .collect();
    let plot = Plot {
        percent: about.percent,
        ..weekly_plot(WIDE, weeks, about.y_desc, layers, keys)
    };
    let desc = format!("{} for {}.", about.what, period(weeks));
    finish(
        about.slug,
        id_prefix,
        about.title,
        desc,
        &plot,
        figures,
        about.caption,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_tables_every_week() {
        let weeks = [
            WeekId::parse("2026-W40").unwrap(),
            WeekId::parse("2026-W41").unwrap(),
        ];
        let series = [Series::full(
            "Fund",
            4,
            vec![Decimal::new(15, 1), Decimal::from(2)],
        )];
        let about = Lines {
            slug: "fund",
            title: "Fund".into(),
            what: "The fund".into(),
            y_desc: "weeks".into(),
            caption: "Fund".into(),
            decimals: 1,
            percent: false,
            numbers: Numbers::for_language("en"),
        };
        let chart = lines("chart-", &weeks, &series, about).unwrap();
        assert_eq!(chart.table.rows.len(), 2);
        assert_eq!(chart.table.rows[1][1], "2.0");
        assert!(
            chart.csv.contains("2026-W41,2026-10-11,2.0"),
            "{}",
            chart.csv
        );
        assert!(chart.svg.contains("<title"));
    }
}
