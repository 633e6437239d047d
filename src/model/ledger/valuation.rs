//! What values the rows and what they are set against: the rates of
//! `data/rates.csv` and the city's budget.

use std::path::PathBuf;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::model::week::WeekId;

/// One row of `data/rates.csv`: the replacement cost of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rate {
    pub unit: String,
    /// `None`: any category.
    pub category: Option<String>,
    pub rate: Decimal,
    pub currency: String,
    pub valid_from: Date,
    pub source: String,
    /// Line in `data/rates.csv`.
    pub line: usize,
}

/// The valuation table.
#[derive(Debug, Clone, Default, Hash)]
pub struct Rates {
    pub path: PathBuf,
    pub rates: Vec<Rate>,
}

impl Rates {
    /// The rate in force for `unit` and `category` on `date`: among the rates of that
    /// unit with `valid_from` not after the date, the most specific category (its own
    /// before blank), then the latest `valid_from`.
    pub fn lookup(&self, unit: &str, category: &str, date: Date) -> Option<u32> {
        let mut best: Option<(bool, Date, usize)> = None;
        for (i, rate) in self.rates.iter().enumerate() {
            if rate.unit != unit || rate.valid_from > date {
                continue;
            }
            let specific = match &rate.category {
                Some(c) if c == category => true,
                Some(_) => continue,
                None => false,
            };
            let key = (specific, rate.valid_from, i);
            if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
                best = Some(key);
            }
        }
        best.and_then(|(_, _, i)| u32::try_from(i).ok())
    }

    /// The rate row applied to an entry, if it was valued.
    pub fn of(&self, entry: &Entry) -> Option<&Rate> {
        entry.rate.get().and_then(|i| self.rates.get(i as usize))
    }

    /// An entry's value at replacement cost, `quantity × rate`, in the site's currency
    /// (service rows): the product the check made sure of, to the same scale.
    pub fn value_of(&self, entry: &Entry) -> Option<Decimal> {
        self.of(entry)
            .and_then(|rate| entry.quantity.checked_mul(rate.rate))
    }

    pub fn get(&self, index: u32) -> Option<&Rate> {
        self.rates.get(index as usize)
    }
}

/// The days a budget is set for, first and last included: a calendar year (`year` in
/// `data/city-budget.csv`) or a fiscal year (`period_start`, `period_end`: 1 April to 31
/// March for a UK council).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BudgetPeriod {
    pub start: Date,
    pub end: Date,
}

impl BudgetPeriod {
    /// 1 January to 31 December of `year`.
    pub fn year(year: i16) -> BudgetPeriod {
        BudgetPeriod {
            start: Date::new(year, 1, 1).unwrap_or(Date::MIN),
            end: Date::new(year, 12, 31).unwrap_or(Date::MAX),
        }
    }

    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    /// How many days it holds (at least 1).
    pub fn days(&self) -> i64 {
        let span = self
            .start
            .until(self.end)
            .map_or(0, |s| i64::from(s.get_days()));
        span.max(0) + 1
    }
}

impl std::fmt::Display for BudgetPeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if *self == BudgetPeriod::year(self.start.year()) {
            write!(f, "{}", self.start.year())
        } else {
            write!(f, "{} to {}", self.start, self.end)
        }
    }
}

/// One line of `data/city-budget.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BudgetLine {
    pub period: BudgetPeriod,
    pub category: String,
    pub amount: Decimal,
    pub currency: String,
    /// The budget line's name (`Food assistance programme`).
    pub name: String,
    pub source: String,
    /// Line in `data/city-budget.csv`.
    pub line: usize,
}

/// The city's spending on the needs the network meets, period by period.
#[derive(Debug, Clone, Default, Hash)]
pub struct CityBudget {
    pub path: PathBuf,
    pub lines: Vec<BudgetLine>,
}

/// The city's budget for one category over one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeeklyShare {
    pub amount: Decimal,
    /// Days of the week (0–7) that fall in a period with a budget for the category.
    pub days: u8,
}

impl CityBudget {
    /// The budget for a category in the period holding `day` (all its lines added up),
    /// and that period, if one holds it.
    pub fn in_force(&self, day: Date, category: &str) -> Option<(Decimal, BudgetPeriod)> {
        let mut found: Option<(Decimal, BudgetPeriod)> = None;
        for line in &self.lines {
            if line.category == category && line.period.contains(day) {
                match &mut found {
                    Some((total, period)) if *period == line.period => *total += line.amount,
                    Some(_) => {}
                    None => found = Some((line.amount, line.period)),
                }
            }
        }
        found
    }

    /// The categories with a budget, sorted.
    pub fn categories(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.lines.iter().map(|l| l.category.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The week's pro-rata share: `amount × days of the week in that period ÷ days in
    /// the period`, added over the periods the week touches. `None` when no period
    /// holding one of its days has a budget.
    pub fn weekly_share(&self, week: WeekId, category: &str) -> Option<WeeklyShare> {
        let monday = week.monday();
        // The week's days by the period holding them: (amount, days in period, days).
        let mut per_period: Vec<(BudgetPeriod, Decimal, u8)> = Vec::new();
        for d in 0..7 {
            let day = monday.saturating_add(jiff::Span::new().days(d));
            let Some((amount, period)) = self.in_force(day, category) else {
                continue;
            };
            match per_period.last_mut() {
                Some((p, _, n)) if *p == period => *n += 1,
                _ => per_period.push((period, amount, 1)),
            }
        }
        let mut share: Option<WeeklyShare> = None;
        for (period, amount, days) in per_period {
            let s = share.get_or_insert(WeeklyShare {
                amount: Decimal::ZERO,
                days: 0,
            });
            s.amount += amount * Decimal::from(days) / Decimal::from(period.days());
            s.days += days;
        }
        share
    }

    /// The days from `first` to `last` no period budgets `category` for, as ranges.
    pub fn uncovered(&self, category: &str, first: Date, last: Date) -> Vec<(Date, Date)> {
        let mut gaps: Vec<(Date, Date)> = Vec::new();
        let mut day = first;
        while day <= last {
            if self.in_force(day, category).is_none() {
                match gaps.last_mut() {
                    Some((_, end)) if end.tomorrow().ok() == Some(day) => *end = day,
                    _ => gaps.push((day, day)),
                }
            }
            let Ok(next) = day.tomorrow() else {
                break;
            };
            day = next;
        }
        gaps
    }
}
