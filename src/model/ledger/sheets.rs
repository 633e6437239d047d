//! A week's two sheets: the value of its services in each category beside the city's
//! weekly share of that category's budget, and the treasury carried from week to week.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::*;
use crate::model::week::WeekId;

/// The value of the week's services in each category (every budget category, even
/// at zero), beside the city's weekly share of that category's budget.
pub(super) fn category_sheets(
    week: WeekId,
    lines: &[Line],
    budget: &CityBudget,
    budget_categories: &[&str],
) -> Vec<CategorySheet> {
    let mut categories: BTreeMap<String, Decimal> = budget_categories
        .iter()
        .map(|c| (c.to_string(), Decimal::ZERO))
        .collect();
    for line in lines.iter().filter(|l| l.services > 0) {
        *categories.entry(line.category.to_string()).or_default() += line.value;
    }
    categories
        .into_iter()
        .map(|(category, value)| {
            let city_share = budget.weekly_share(week, &category);
            CategorySheet {
                ratio: city_share.and_then(|s| ratio(value, s.amount)),
                category,
                value,
                city_share,
            }
        })
        .collect()
}

/// The treasury carried from week to week: the balance and each fund's balance.
#[derive(Default)]
pub(super) struct RunningTreasury {
    balance: Decimal,
    funds: BTreeMap<String, Decimal>,
}

impl RunningTreasury {
    /// The week's treasury sheet, given its income, expense and allocations by fund:
    /// opening balance, income, expense and allocations, closing balance and every
    /// fund so far; carries the closing balances forward.
    pub(super) fn week(
        &mut self,
        income: Decimal,
        expense: Decimal,
        allocations: &BTreeMap<String, Decimal>,
    ) -> Treasury {
        let allocated: Decimal = allocations.values().copied().sum();
        let opening = self.balance;
        self.balance = opening + income - expense - allocated;
        for (name, amount) in allocations {
            *self.funds.entry(name.clone()).or_default() += *amount;
        }
        Treasury {
            opening,
            income,
            expense,
            allocated,
            closing: self.balance,
            funds: self
                .funds
                .iter()
                .map(|(name, balance)| Fund {
                    name: name.clone(),
                    allocated: allocations.get(name).copied().unwrap_or_default(),
                    balance: *balance,
                })
                .collect(),
        }
    }
}
