//! Independence: how far the network can stand without wages and the city's services.
//!
//! - The **strike fund in weeks of wages**: the fund's balance at the end of each
//!   closed week ÷ the weekly living wage (`[independence]`): the weeks it can replace
//!   one neighbour's wage; ÷ (wage × `neighbours`) for that many neighbours.
//! - The **share of each need met by the commons**: for each category the city budgets
//!   for, the network's value ÷ (the network's value + the city's weekly share), per
//!   closed week — the commons' part of what both spend on that need.

use rust_decimal::Decimal;

use super::ledger::{Ledger, WeekReport, WeekStatus};
use super::week::WeekId;
use crate::config::independence::IndependenceConfig;

/// The strike fund at the end of one closed week.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FundWeek {
    pub week: WeekId,
    pub balance: Decimal,
    /// `balance ÷ wage`.
    pub weeks_of_wages: Decimal,
    /// `balance ÷ (wage × neighbours)`.
    pub weeks_for_neighbours: Decimal,
}

/// One need's share met by the commons, per closed week (`None`: neither the network
/// nor the city spent on it that week).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NeedShare {
    pub category: String,
    pub shares: Vec<Option<Decimal>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Independence {
    pub wage: Decimal,
    pub source: String,
    pub fund: String,
    pub neighbours: u32,
    /// Every closed week, oldest first.
    pub weeks: Vec<WeekId>,
    /// One per week of [`Independence::weeks`].
    pub fund_weeks: Vec<FundWeek>,
    /// One per category with a city budget, by category.
    pub needs: Vec<NeedShare>,
    /// All budgeted needs together, one per week.
    pub overall: Vec<Option<Decimal>>,
}

impl Independence {
    pub fn build(config: &IndependenceConfig, ledger: &Ledger) -> Independence {
        let wage = config.wage();
        let neighbours = Decimal::from(config.neighbours.max(1));
        let closed: Vec<&WeekReport> = ledger
            .weeks
            .iter()
            .filter(|w| w.status == WeekStatus::Closed)
            .collect();
        let fund_weeks = closed
            .iter()
            .map(|w| {
                let balance = w
                    .treasury
                    .funds
                    .iter()
                    .find(|f| f.name == config.fund)
                    .map_or(Decimal::ZERO, |f| f.balance);
                FundWeek {
                    week: w.week,
                    balance,
                    weeks_of_wages: balance.checked_div(wage).unwrap_or_default(),
                    weeks_for_neighbours: wage
                        .checked_mul(neighbours)
                        .and_then(|all| balance.checked_div(all))
                        .unwrap_or_default(),
                }
            })
            .collect();
        let needs = ledger
            .budget
            .categories()
            .into_iter()
            .map(|category| NeedShare {
                category: category.to_string(),
                shares: closed.iter().map(|w| share(w, Some(category))).collect(),
            })
            .collect();
        Independence {
            wage,
            source: config.source().to_string(),
            fund: config.fund.clone(),
            neighbours: config.neighbours,
            weeks: closed.iter().map(|w| w.week).collect(),
            fund_weeks,
            needs,
            overall: closed.iter().map(|w| share(w, None)).collect(),
        }
    }

    /// The strike fund at the end of the last closed week.
    pub fn latest(&self) -> Option<&FundWeek> {
        self.fund_weeks.last()
    }
}

/// The commons' share of `category` in a week (all budgeted categories when `None`):
/// value ÷ (value + the city's weekly share), over categories the city budgets for.
pub fn share(week: &WeekReport, category: Option<&str>) -> Option<Decimal> {
    let mut value = Decimal::ZERO;
    let mut city = Decimal::ZERO;
    for c in &week.categories {
        let Some(s) = c.city_share else { continue };
        if category.is_none_or(|k| k == c.category) {
            value += c.value;
            city += s.amount;
        }
    }
    let both = value + city;
    (both > Decimal::ZERO)
        .then(|| value.checked_div(both))
        .flatten()
}
