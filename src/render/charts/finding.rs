//! A chart's title states what its data shows, as Our World in Data's do: "Care held
//! steady; energy fell 30 % since September". The rules: compare the first and the last
//! closed week of the chart (a week in progress never counts); a change under 10 % of
//! the first value "held steady", otherwise it "rose" or "fell" by the rounded
//! percentage "since" the month of the first week (or "since last week" over two
//! weeks); a series that starts at zero "started from nothing". Steady series are
//! named first, then the changes, largest first, at most three in all.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::render::numbers::Numbers;

/// Changes smaller than this share of the first value read as "held steady".
const STEADY: Decimal = Decimal::from_parts(10, 0, 0, false, 2);
/// At most this many series are named in a title.
const NAMED: usize = 3;

/// One series of a chart: its name in a sentence (`food`) and its first and last
/// closed values.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub name: String,
    pub first: Decimal,
    pub last: Decimal,
}

impl Trend {
    /// The first and the last present value of `values` (closed weeks only).
    pub fn of(name: impl Into<String>, values: &[Option<Decimal>]) -> Option<Trend> {
        let first = values.iter().flatten().next()?;
        let last = values.iter().rev().flatten().next()?;
        Some(Trend {
            name: name.into(),
            first: *first,
            last: *last,
        })
    }

    /// The change as a share of the first value; `None` when the first is not above zero.
    fn change(&self) -> Option<Decimal> {
        (self.first > Decimal::ZERO).then(|| (self.last - self.first) / self.first)
    }
}

/// `since September`, `since last week`: the start of a chart of `weeks` closed weeks
/// beginning on `monday`.
pub fn since(monday: Date, weeks: usize) -> String {
    if weeks <= 2 {
        "since last week".to_string()
    } else {
        format!("since {}", monday.strftime("%B"))
    }
}

/// The finding over `trends`, or `None` when there is nothing to compare (fewer than
/// two closed weeks, or no series with a value).
pub fn sentence(trends: &[Trend], since: &str, numbers: Numbers) -> Option<String> {
    let mut steady = Vec::new();
    let mut moved: Vec<(Decimal, String)> = Vec::new();
    let mut began = Vec::new();
    for t in trends {
        match t.change() {
            Some(c) if c.abs() < STEADY => steady.push(t.name.clone()),
            Some(c) => {
                let verb = if c > Decimal::ZERO { "rose" } else { "fell" };
                let amount = numbers.percent(c.abs());
                moved.push((c.abs(), format!("{} {verb} {amount}", t.name)));
            }
            None if t.last > Decimal::ZERO => began.push(t.name.clone()),
            None => {}
        }
    }
    moved.sort_by_key(|m| std::cmp::Reverse(m.0));
    let mut parts = Vec::new();
    let steady: Vec<String> = steady.into_iter().take(NAMED).collect();
    if !steady.is_empty() {
        parts.push(format!("{} held steady", and_list(&steady)));
    }
    let room = NAMED.saturating_sub(steady.len()).max(1);
    let moved: Vec<String> = moved.into_iter().take(room).map(|(_, p)| p).collect();
    if !moved.is_empty() {
        parts.push(format!("{} {since}", and_list(&moved)));
    }
    if !began.is_empty() && parts.len() < NAMED {
        parts.push(format!("{} started from nothing", and_list(&began)));
    }
    if parts.is_empty() {
        return None;
    }
    Some(capitalise(&parts.join("; ")))
}

/// The share of needs met, first and last closed week (fractions: 0.36 is 36 %): "held
/// at 36%" within one percentage point, else "rose from 30% to 36% since September".
pub fn share_sentence(first: Decimal, last: Decimal, since: &str, numbers: Numbers) -> String {
    let points = ((last - first) * Decimal::ONE_HUNDRED).abs();
    if points < Decimal::ONE {
        format!("The share of needs met held at {}", numbers.percent(last))
    } else {
        let verb = if last > first { "rose" } else { "fell" };
        format!(
            "The share of needs met {verb} from {} to {} {since}",
            numbers.percent(first),
            numbers.percent(last)
        )
    }
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn trend(name: &str, first: &str, last: &str) -> Trend {
        Trend {
            name: name.into(),
            first: d(first),
            last: d(last),
        }
    }

    #[test]
    fn small_changes_hold_steady_and_large_ones_rise_or_fall() {
        let en = Numbers::default();
        let title = sentence(
            &[trend("care", "120", "123"), trend("energy", "1000", "700")],
            "since September",
            en,
        );
        assert_eq!(
            title.as_deref(),
            Some("Care held steady; energy fell 30% since September")
        );
        let title = sentence(&[trend("food", "100", "150")], "since last week", en);
        assert_eq!(title.as_deref(), Some("Food rose 50% since last week"));
    }

    #[test]
    fn the_largest_changes_are_named_first_and_at_most_three_series() {
        let en = Numbers::default();
        let title = sentence(
            &[
                trend("a", "100", "120"),
                trend("b", "100", "10"),
                trend("c", "100", "200"),
                trend("d", "100", "130"),
            ],
            "since June",
            en,
        );
        assert_eq!(
            title.as_deref(),
            Some("C rose 100%, b fell 90% and d rose 30% since June")
        );
    }

    #[test]
    fn a_series_from_zero_began_and_nothing_to_compare_gives_no_finding() {
        let en = Numbers::default();
        assert_eq!(
            sentence(&[trend("energy", "0", "5")], "since May", en).as_deref(),
            Some("Energy started from nothing")
        );
        assert_eq!(
            sentence(&[trend("energy", "0", "0")], "since May", en),
            None
        );
        assert_eq!(sentence(&[], "since May", en), None);
    }

    #[test]
    fn the_share_is_told_in_percentage_points() {
        let en = Numbers::default();
        assert_eq!(
            share_sentence(d("0.30"), d("0.36"), "since September", en),
            "The share of needs met rose from 30% to 36% since September"
        );
        assert_eq!(
            share_sentence(d("0.36"), d("0.364"), "since September", en),
            "The share of needs met held at 36%"
        );
        assert_eq!(
            share_sentence(d("0.5"), d("0.2"), "since last week", en),
            "The share of needs met fell from 50% to 20% since last week"
        );
    }

    #[test]
    fn trends_skip_missing_weeks_and_the_start_is_named_by_its_month() {
        let values = [None, Some(d("4")), None, Some(d("6")), None];
        assert_eq!(Trend::of("x", &values), Some(trend("x", "4", "6")));
        assert_eq!(Trend::of("x", &[None, None]), None);
        let monday = jiff::civil::date(2026, 9, 7);
        assert_eq!(since(monday, 12), "since September");
        assert_eq!(since(monday, 2), "since last week");
    }
}
