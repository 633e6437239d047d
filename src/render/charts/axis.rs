//! Axis labels: which weeks get a date label (thinned so labels never overlap, from a
//! dozen weeks to many years) and how numbers read on an axis and in a table.

use jiff::civil::Date;

use crate::model::week::WeekId;
use crate::render::numbers::Numbers;

/// A labelled position on the x axis: the index of a week and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub index: usize,
    pub label: String,
}

/// Estimated width of `text` in pixels at `font_px` (sans-serif, digits and letters).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.6
}

/// Labels for a run of consecutive weeks, thinned to fit `width` pixels.
///
/// Tries, finest first: every week, every 2nd, 3rd or 4th week (`16 Nov`); the first
/// week of every month, 2nd, 3rd or 6th month (`Mar`, `Jan 2026`); the first week of
/// every year, 2nd or 5th year (`2026`). The first that fits is used; a level fits when
/// its labels, at their widest, side by side with a gap, fill no more than `width`.
pub fn week_ticks(weeks: &[WeekId], width: f64, font_px: f64) -> Vec<Tick> {
    if weeks.is_empty() {
        return Vec::new();
    }
    let gap = font_px * 1.2;
    let fits = |ticks: &[Tick]| {
        let widest = ticks
            .iter()
            .map(|t| text_width(&t.label, font_px))
            .fold(0.0, f64::max);
        !ticks.is_empty() && ticks.len() as f64 * (widest + gap) <= width
    };
    for step in 1..=4 {
        let ticks = week_step_ticks(weeks, step);
        if fits(&ticks) {
            return ticks;
        }
    }
    let starts = month_starts(weeks);
    for step in [1, 2, 3, 6] {
        let ticks = month_ticks(&starts, step);
        if ticks.len() >= 2 && fits(&ticks) {
            return ticks;
        }
    }
    for step in [1, 2, 5, 10, 25] {
        let ticks = year_ticks(&starts, step);
        if ticks.len() >= 2 && fits(&ticks) {
            return ticks;
        }
    }
    // Too few month or year starts to label (or too many): the first and the last week.
    let mut ticks = vec![Tick {
        index: 0,
        label: day_month_year(weeks[0].monday()),
    }];
    let last = weeks.len() - 1;
    if last > 0 && fits(&[ticks[0].clone(), ticks[0].clone()]) {
        ticks.push(Tick {
            index: last,
            label: day_month_year(weeks[last].monday()),
        });
    }
    ticks
}

/// Every `step`th week by the day and month of its Monday, counted back from the latest
/// week so that it is always labelled.
fn week_step_ticks(weeks: &[WeekId], step: usize) -> Vec<Tick> {
    let mut ticks: Vec<Tick> = (0..weeks.len())
        .rev()
        .step_by(step)
        .map(|i| Tick {
            index: i,
            label: day_month(weeks[i].monday()),
        })
        .collect();
    ticks.reverse();
    ticks
}

/// The weeks where every `step`th month of the year starts (January, then every
/// `step` months), by the month's name; the year is given at January and the first tick.
fn month_ticks(starts: &[(usize, Date)], step: usize) -> Vec<Tick> {
    let mut ticks = Vec::new();
    for &(i, date) in starts {
        if !(date.month() as usize - 1).is_multiple_of(step) {
            continue;
        }
        let label = if date.month() == 1 || ticks.is_empty() {
            date.strftime("%b %Y").to_string()
        } else {
            date.strftime("%b").to_string()
        };
        ticks.push(Tick { index: i, label });
    }
    ticks
}

/// The weeks where a year divisible by `step` starts, by the year.
fn year_ticks(starts: &[(usize, Date)], step: usize) -> Vec<Tick> {
    starts
        .iter()
        .filter(|(_, date)| date.month() == 1 && (date.year() as usize).is_multiple_of(step))
        .map(|&(i, date)| Tick {
            index: i,
            label: date.year().to_string(),
        })
        .collect()
}

/// The weeks whose Monday is the first Monday of its month, with that Monday; the first
/// week counts only when it starts its month.
fn month_starts(weeks: &[WeekId]) -> Vec<(usize, Date)> {
    weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let monday = w.monday();
            (monday.day() <= 7).then_some((i, monday))
        })
        .collect()
}

/// `16 Nov`.
pub fn day_month(date: Date) -> String {
    date.strftime("%-d %b").to_string()
}

/// `16 Nov 2026`.
pub fn day_month_year(date: Date) -> String {
    date.strftime("%-d %b %Y").to_string()
}

/// The years a run of weeks spans, for the x axis description: `2026`, `2025–2026`.
pub fn year_span(weeks: &[WeekId]) -> String {
    match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) => {
            let (a, b) = (first.monday().year(), last.sunday().year());
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        }
        _ => String::new(),
    }
}

/// An axis tick value: `0`, `2,500`, `12k`, `1.2M`, `0.5`. `step` is the distance
/// between ticks and decides the decimals; `largest` is the largest absolute tick on the
/// axis, so that every tick of one axis is written the same way.
pub fn axis_number(value: f64, step: f64, largest: f64, numbers: Numbers) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = step.abs().max(largest.abs());
    if magnitude >= 1_000_000.0 && step.abs() >= 100_000.0 {
        return format!("{}M", numbers.plain(&trim_float(value / 1_000_000.0, 1)));
    }
    if magnitude >= 10_000.0 && step.abs() >= 1_000.0 {
        return format!("{}k", numbers.plain(&trim_float(value / 1_000.0, 1)));
    }
    let decimals = if step.abs() >= 1.0 || step == 0.0 {
        0
    } else if step.abs() >= 0.1 {
        1
    } else {
        2
    };
    numbers.plain(&format!("{value:.decimals$}"))
}

/// `value` with at most `decimals` decimals, trailing zeros dropped: `1.5`, `12`.
fn trim_float(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(first: &str, n: usize) -> Vec<WeekId> {
        let mut w = WeekId::parse(first).unwrap();
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(w);
            w = w.next();
        }
        out
    }

    fn assert_no_overlap(ticks: &[Tick], weeks: usize, width: f64, font_px: f64) {
        let px = width / weeks as f64;
        for pair in ticks.windows(2) {
            let a = pair[0].index as f64 * px + text_width(&pair[0].label, font_px) / 2.0;
            let b = pair[1].index as f64 * px - text_width(&pair[1].label, font_px) / 2.0;
            assert!(a < b, "{pair:?} overlap");
        }
    }

    #[test]
    fn twelve_weeks_get_day_and_month_labels_ending_on_the_latest_week() {
        let weeks = run("2026-W37", 12);
        let ticks = week_ticks(&weeks, 460.0, 15.0);
        assert_eq!(ticks.last().unwrap().index, 11);
        assert_eq!(ticks.last().unwrap().label, "23 Nov");
        assert!(ticks.len() >= 4, "{ticks:?}");
        assert_no_overlap(&ticks, 12, 460.0, 15.0);
    }

    #[test]
    fn a_year_of_weeks_gets_month_labels_with_the_year_on_january() {
        let weeks = run("2025-W49", 52);
        let ticks = week_ticks(&weeks, 460.0, 15.0);
        assert!(ticks.iter().any(|t| t.label == "Jan 2026"), "{ticks:?}");
        assert!(ticks.len() >= 4 && ticks.len() <= 8, "{ticks:?}");
        assert_no_overlap(&ticks, 52, 460.0, 15.0);
    }

    #[test]
    fn five_years_of_weeks_get_year_labels_that_do_not_overlap() {
        let weeks = run("2021-W48", 261);
        let ticks = week_ticks(&weeks, 460.0, 15.0);
        assert!(ticks.len() >= 4, "{ticks:?}");
        assert_no_overlap(&ticks, 261, 460.0, 15.0);
        // Forty years on a phone: still no overlap.
        let weeks = run("1986-W48", 40 * 52);
        let ticks = week_ticks(&weeks, 300.0, 15.0);
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert_no_overlap(&ticks, 40 * 52, 300.0, 15.0);
    }

    #[test]
    fn one_week_and_no_weeks_do_not_panic() {
        let one = week_ticks(&run("2026-W48", 1), 460.0, 15.0);
        assert_eq!(one.len(), 1);
        assert!(week_ticks(&[], 460.0, 15.0).is_empty());
    }

    #[test]
    fn numbers_read_well_on_axes_and_in_tables() {
        let en = Numbers::for_language("en");
        let axis = |v, step, largest| axis_number(v, step, largest, en);
        assert_eq!(axis(2500.0, 500.0, 3000.0), "2,500");
        assert_eq!(axis(12000.0, 2000.0, 12000.0), "12k");
        assert_eq!(axis(12500.0, 2500.0, 12500.0), "12.5k");
        // One axis, one style: 7,500 beside 12.5k reads as 7.5k.
        assert_eq!(axis(7500.0, 2500.0, 12500.0), "7.5k");
        assert_eq!(axis(0.5, 0.1, 1.0), "0.5");
        assert_eq!(axis(-0.0, 1.0, 5.0), "0");
        assert_eq!(axis(-2000.0, 1000.0, 3000.0), "−2,000");
        assert_eq!(axis(2_000_000.0, 500_000.0, 2_000_000.0), "2M");
    }

    #[test]
    fn axes_write_numbers_as_the_sites_language_does() {
        let fr = Numbers::for_language("fr");
        assert_eq!(axis_number(2500.0, 500.0, 3000.0, fr), "2\u{202f}500");
        assert_eq!(axis_number(12500.0, 2500.0, 12500.0, fr), "12,5k");
        assert_eq!(axis_number(0.5, 0.1, 1.0, fr), "0,5");
        let de = Numbers::for_language("de");
        assert_eq!(axis_number(-2000.0, 1000.0, 3000.0, de), "−2.000");
    }

    #[test]
    fn year_spans_name_both_years() {
        assert_eq!(year_span(&run("2025-W50", 4)), "2025–2026");
    }
}
