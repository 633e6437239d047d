//! A week's report: its lines, category sheets, flows, funds, treasury and
//! reconciliation, as plain data.

use rust_decimal::Decimal;

use super::*;
use crate::model::week::WeekId;

/// Whether a week is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WeekStatus {
    /// Before the week holding the as-of date: its figures are final.
    Closed,
    /// The week holding the as-of date: more rows may come.
    InProgress,
}

/// Totals for one category and unit (or one cell, category and unit).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    pub cell: Option<Name>,
    pub category: Name,
    pub unit: Name,
    /// Service rows.
    pub services: u64,
    /// Quantity of services drawn.
    pub drawn: Decimal,
    /// Service rows carrying a commons receipt id.
    pub receipts: u64,
    /// Contribution rows.
    pub contribution_rows: u64,
    /// Quantity contributed.
    pub contributed: Decimal,
    /// Value of the services at replacement cost.
    pub value: Decimal,
}

impl Line {
    pub(super) fn new(cell: Option<Name>, category: Name, unit: Name) -> Line {
        Line {
            cell,
            category,
            unit,
            services: 0,
            drawn: Decimal::ZERO,
            receipts: 0,
            contribution_rows: 0,
            contributed: Decimal::ZERO,
            value: Decimal::ZERO,
        }
    }
}

/// Commons against city for one category in one week.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CategorySheet {
    pub category: String,
    /// Value of the services drawn, at replacement cost.
    pub value: Decimal,
    /// The city's budget for the category over this week, pro rata by days.
    pub city_share: Option<WeeklyShare>,
    /// `value ÷ city share` (0.37 is 37 %), when the share is above zero.
    pub ratio: Option<Decimal>,
}

/// Goods, hours or money passed from one cell to another (or set aside into a fund).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flow {
    pub from: Name,
    pub to: Name,
    pub kind: Kind,
    pub category: Name,
    pub unit: Name,
    pub quantity: Decimal,
    pub rows: u64,
}

/// A fund's position at the end of a week.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fund {
    pub name: String,
    pub allocated: Decimal,
    pub balance: Decimal,
}

/// The treasury's week: money in, out, set aside, and the running balances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Treasury {
    pub opening: Decimal,
    pub income: Decimal,
    pub expense: Decimal,
    pub allocated: Decimal,
    /// `opening + income − expense − allocated`.
    pub closing: Decimal,
    /// Every fund allocated to so far, sorted by name.
    pub funds: Vec<Fund>,
}

/// Totals of one unit in a week's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitTotal {
    pub unit: Name,
    pub rows: u64,
    /// Sum of every row's quantity in this unit, whatever its kind.
    pub quantity: Decimal,
}

/// Every row of the week accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Reconciliation {
    /// Rows of the input dated in this week.
    pub rows_read: u64,
    /// Rows counted in the tables, by kind (in [`Kind::ALL`] order).
    pub by_kind: [u64; 6],
    pub units: Vec<UnitTotal>,
    /// Sum of the value of every row.
    pub value: Decimal,
}

impl Reconciliation {
    pub fn rows_counted(&self) -> u64 {
        self.by_kind.iter().sum()
    }
}

/// One week's balance sheet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WeekReport {
    pub week: WeekId,
    pub status: WeekStatus,
    /// Indices into [`Ledger::entries`] of the week's rows, in input order.
    pub entries: Vec<u32>,
    /// Per category and unit, sorted.
    pub lines: Vec<Line>,
    /// Per cell, category and unit, sorted.
    pub cells: Vec<Line>,
    /// Per category with services or a city budget, sorted.
    pub categories: Vec<CategorySheet>,
    /// Transfers and allocations, sorted.
    pub flows: Vec<Flow>,
    pub treasury: Treasury,
    pub reconciliation: Reconciliation,
}

impl WeekReport {
    /// Value of all services drawn this week.
    pub fn value(&self) -> Decimal {
        self.categories.iter().map(|c| c.value).sum()
    }

    /// The city's share over the categories that have a budget.
    pub fn city_share(&self) -> Option<Decimal> {
        let mut total = None;
        for c in &self.categories {
            if let Some(s) = c.city_share {
                *total.get_or_insert(Decimal::ZERO) += s.amount;
            }
        }
        total
    }

    /// Value of services in budgeted categories ÷ the city's share of them.
    pub fn ratio(&self) -> Option<Decimal> {
        let share = self.city_share()?;
        let value: Decimal = self
            .categories
            .iter()
            .filter(|c| c.city_share.is_some())
            .map(|c| c.value)
            .sum();
        ratio(value, share)
    }
}

/// `value` over `share`, when there is a share and the ratio can be shown as a
/// percentage (a tiny budget line beside a large value can make it too large to).
pub fn ratio(value: Decimal, share: Decimal) -> Option<Decimal> {
    if share <= Decimal::ZERO {
        return None;
    }
    value
        .checked_div(share)
        .filter(|r| r.checked_mul(Decimal::ONE_HUNDRED).is_some())
}
