//! The home page's lead: the last closed week in words and units first ("Last week the
//! network's cells provided 385 kg of food, 749 kWh of energy and 122 hours of care —
//! 36% of what the city budgets for the same needs"), money second, and the week in
//! progress as a small "so far" line that is never compared with the city's budget.

use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::super::names;
use super::super::numbers::Numbers;
use super::WeekLink;
use crate::config::Config;
use crate::model::ledger::{Ledger, WeekReport, WeekStatus};
use crate::model::week::WeekId;

/// The last closed week, in words.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    #[serde(flatten)]
    pub link: WeekLink,
    /// `385 kg of food, 749 kWh of energy and 122 hours of care`; empty without services.
    pub provided: String,
    /// `36%`, or empty when the city publishes no budget for these needs.
    pub ratio: String,
    pub value: String,
    pub city_share: String,
    pub receipts: String,
}

/// The week in progress: what it holds so far, and how many of its days have passed.
#[derive(Debug, Clone, Serialize)]
pub struct SoFar {
    #[serde(flatten)]
    pub link: WeekLink,
    /// `so far (3 of 7 days)`.
    pub label: String,
    pub provided: String,
    pub value: String,
    pub receipts: String,
}

impl Headline {
    pub fn new(config: &Config, ledger: &Ledger, w: &WeekReport, root: &str) -> Headline {
        let n = Numbers::of(config);
        Headline {
            link: WeekLink::new(w.week, root),
            provided: provided(config, w),
            ratio: w.ratio().map(|r| n.percent(r)).unwrap_or_default(),
            value: n.money(w.value(), &ledger.currency),
            city_share: w
                .city_share()
                .map(|s| n.money(s, &ledger.currency))
                .unwrap_or_default(),
            receipts: n.count(w.lines.iter().map(|l| l.receipts).sum()),
        }
    }
}

impl SoFar {
    pub fn new(config: &Config, ledger: &Ledger, w: &WeekReport, root: &str) -> SoFar {
        let n = Numbers::of(config);
        SoFar {
            link: WeekLink::new(w.week, root),
            label: so_far_label(w.week, ledger.as_of),
            provided: provided(config, w),
            value: n.money(w.value(), &ledger.currency),
            receipts: n.count(w.lines.iter().map(|l| l.receipts).sum()),
        }
    }
}

/// A week's report summed up in a sentence, for its `<meta name="description">` and the
/// card a chat shows when the report is shared.
pub fn description(config: &Config, ledger: &Ledger, w: &WeekReport) -> String {
    let dates = super::week_dates(w.week);
    let what = provided(config, w);
    let what = if what.is_empty() {
        "no services recorded".to_string()
    } else {
        what
    };
    match (w.status, w.ratio()) {
        (WeekStatus::InProgress, _) => format!(
            "{dates}, {}: the network's cells provided {what}.",
            so_far_label(w.week, ledger.as_of)
        ),
        (WeekStatus::Closed, Some(ratio)) => format!(
            "{dates}: the network's cells provided {what}, {} of what the city budgets for the same needs.",
            Numbers::of(config).percent(ratio)
        ),
        (WeekStatus::Closed, None) => format!("{dates}: the network's cells provided {what}."),
    }
}

/// `so far (3 of 7 days)`: the days of `week` up to and including `as_of`.
pub fn so_far_label(week: WeekId, as_of: Option<Date>) -> String {
    format!("so far ({} of 7 days)", days_so_far(week, as_of))
}

/// Days of `week` up to and including `as_of`, 1 to 7.
pub fn days_so_far(week: WeekId, as_of: Option<Date>) -> i64 {
    let Some(as_of) = as_of else {
        return 7;
    };
    let monday = week.monday();
    let days = monday
        .until(as_of)
        .map(|span| i64::from(span.get_days()))
        .unwrap_or(6);
    (days + 1).clamp(1, 7)
}

/// What the week's services provided, unit by unit, in a sentence.
fn provided(config: &Config, w: &WeekReport) -> String {
    let parts: Vec<String> = provided_parts(config, w)
        .into_iter()
        .map(|(measure, need)| format!("{measure} of {need}"))
        .collect();
    join_words(&parts)
}

/// What the week's services provided, unit by unit: (`385 kg`, `food`).
pub fn provided_parts(config: &Config, w: &WeekReport) -> Vec<(String, String)> {
    let n = Numbers::of(config);
    w.lines
        .iter()
        .filter(|l| l.services > 0 && !l.drawn.is_zero())
        .map(|l| {
            let need = names::in_sentence(&names::category(config, &l.category));
            (measure(&n, l.drawn, &l.unit), need)
        })
        .collect()
}

/// `385 kg of food`, `122 hours of care`: whole units from ten up, as exact as
/// recorded below.
pub fn amount(n: &Numbers, q: Decimal, unit: &str, need: &str) -> String {
    format!("{} of {need}", measure(n, q, unit))
}

/// `385 kg`, `122 hours`, `2.3 kWh`: whole units from ten up, one decimal below.
fn measure(n: &Numbers, q: Decimal, unit: &str) -> String {
    let shown = if q.abs() >= Decimal::TEN {
        q.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
    } else {
        q.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
    };
    let number = n.quantity(shown);
    let unit = match unit {
        "h" if shown == Decimal::ONE => "hour",
        "h" => "hours",
        other => other,
    };
    format!("{number} {unit}")
}

/// `a`, `a and b`, `a, b and c`.
fn join_words(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_words_and_units() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let en = Numbers::default();
        assert_eq!(amount(&en, d("385.4"), "kg", "food"), "385 kg of food");
        assert_eq!(amount(&en, d("122"), "h", "care"), "122 hours of care");
        assert_eq!(amount(&en, d("1"), "h", "care"), "1 hour of care");
        assert_eq!(amount(&en, d("2.25"), "kWh", "energy"), "2.3 kWh of energy");
        assert_eq!(
            amount(&en, d("12749.5"), "kWh", "energy"),
            "12,750 kWh of energy"
        );
    }

    #[test]
    fn lists_join_with_commas_and_a_last_and() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_words(&s(&["a"])), "a");
        assert_eq!(join_words(&s(&["a", "b"])), "a and b");
        assert_eq!(join_words(&s(&["a", "b", "c"])), "a, b and c");
    }

    #[test]
    fn a_week_in_progress_counts_its_days_up_to_the_as_of_date() {
        let week = WeekId::parse("2026-W48").unwrap();
        let wed = jiff::civil::date(2026, 11, 25);
        assert_eq!(days_so_far(week, Some(wed)), 3);
        assert_eq!(so_far_label(week, Some(wed)), "so far (3 of 7 days)");
        assert_eq!(days_so_far(week, None), 7);
    }
}
