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

/// One line of `data/city-budget.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BudgetLine {
    pub year: i16,
    pub category: String,
    pub amount: Decimal,
    pub currency: String,
    /// The budget line's name (`Food assistance programme`).
    pub name: String,
    pub source: String,
    /// Line in `data/city-budget.csv`.
    pub line: usize,
}

/// The city's annual spending on the needs the network meets.
#[derive(Debug, Clone, Default, Hash)]
pub struct CityBudget {
    pub path: PathBuf,
    pub lines: Vec<BudgetLine>,
}

/// The city's budget for one category over one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeeklyShare {
    pub amount: Decimal,
    /// Days of the week (0–7) that fall in a year with a budget for the category.
    pub days: u8,
}

impl CityBudget {
    /// The annual amount for a category (all its lines added up), if the year has any.
    pub fn annual(&self, year: i16, category: &str) -> Option<Decimal> {
        let mut total = None;
        for line in &self.lines {
            if line.year == year && line.category == category {
                *total.get_or_insert(Decimal::ZERO) += line.amount;
            }
        }
        total
    }

    /// The categories with a budget, sorted.
    pub fn categories(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.lines.iter().map(|l| l.category.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The week's pro-rata share: `amount × days of the week in that year ÷ days in the
    /// year`, added over the years the week touches. `None` when no year has a budget.
    pub fn weekly_share(&self, week: WeekId, category: &str) -> Option<WeeklyShare> {
        let monday = week.monday();
        let mut per_year: Vec<(i16, i16, u8)> = Vec::new(); // year, days in year, days
        for d in 0..7 {
            let day = monday.saturating_add(jiff::Span::new().days(d));
            match per_year.last_mut() {
                Some((y, _, n)) if *y == day.year() => *n += 1,
                _ => per_year.push((day.year(), day.days_in_year(), 1)),
            }
        }
        let mut share: Option<WeeklyShare> = None;
        for (year, days_in_year, days) in per_year {
            if let Some(annual) = self.annual(year, category) {
                let s = share.get_or_insert(WeeklyShare {
                    amount: Decimal::ZERO,
                    days: 0,
                });
                s.amount += annual * Decimal::from(days) / Decimal::from(days_in_year);
                s.days += days;
            }
        }
        share
    }
}
