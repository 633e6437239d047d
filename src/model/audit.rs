//! The People's Audit: residents pledging to redirect a symbolic slice of their taxes
//! into the commons treasury (`data/pledges.csv`), set beside the city's budget for the
//! same needs and the value the network performed.
//!
//! Each row of the file records the pledges **received since the row before** (a
//! count of residents and the yearly amount they pledge). At each row's date:
//! - *pledged*: the running totals of residents and of yearly amounts;
//! - *the city's budget*: the city's budget for that year over the categories the
//!   network serves (every category of `data/city-budget.csv`);
//! - *value performed*: the value at replacement cost of every service recorded on or
//!   before that date.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::ledger::{Kind, Ledger};

/// One row of `data/pledges.csv`, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pledge {
    pub date: Date,
    /// Residents who pledged since the row before.
    pub pledges: u64,
    /// The yearly amount they pledged, in the site's currency.
    pub amount: Decimal,
    pub source: String,
    pub line: usize,
}

/// The running totals at one pledge row's date.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditPoint {
    pub date: Date,
    pub residents: u64,
    pub pledged: Decimal,
    /// The city's budget for that year over its budgeted categories, when it has one.
    pub city_budget: Option<Decimal>,
    pub value_performed: Decimal,
    pub source: String,
}

impl AuditPoint {
    /// What was pledged as a fraction of the city's budget (0.02 is 2%).
    pub fn of_city(&self) -> Option<Decimal> {
        self.city_budget
            .filter(|b| *b > Decimal::ZERO)
            .and_then(|b| self.pledged.checked_div(b))
    }

    /// What was pledged as a fraction of the value performed.
    pub fn of_value(&self) -> Option<Decimal> {
        (self.value_performed > Decimal::ZERO)
            .then(|| self.pledged.checked_div(self.value_performed))
            .flatten()
    }
}

/// The audit: the running totals at every pledge row, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PeoplesAudit {
    pub points: Vec<AuditPoint>,
}

impl PeoplesAudit {
    pub fn build(mut pledges: Vec<Pledge>, ledger: &Ledger) -> PeoplesAudit {
        if pledges.is_empty() {
            // No point to value the services for.
            return PeoplesAudit { points: Vec::new() };
        }
        pledges.sort_by(|a, b| a.date.cmp(&b.date).then(a.line.cmp(&b.line)));
        let mut services: Vec<(Date, Decimal)> = ledger
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Service)
            .filter_map(|e| Some((e.date, ledger.value_of(e)?)))
            .collect();
        services.sort_by_key(|(date, _)| *date);
        let mut residents = 0u64;
        let mut pledged = Decimal::ZERO;
        let mut value = Decimal::ZERO;
        let mut next = 0;
        let mut points = Vec::with_capacity(pledges.len());
        for pledge in pledges {
            residents = residents.saturating_add(pledge.pledges);
            pledged = pledged.saturating_add(pledge.amount);
            while let Some((_, v)) = services.get(next).filter(|(d, _)| *d <= pledge.date) {
                value = value.saturating_add(*v);
                next += 1;
            }
            let budget = ledger
                .budget
                .categories()
                .into_iter()
                .filter_map(|c| ledger.budget.in_force(pledge.date, c).map(|(a, _)| a))
                .reduce(|a, b| a.saturating_add(b));
            points.push(AuditPoint {
                date: pledge.date,
                residents,
                pledged,
                city_budget: budget,
                value_performed: value,
                source: pledge.source,
            });
        }
        PeoplesAudit { points }
    }

    /// The latest totals.
    pub fn latest(&self) -> Option<&AuditPoint> {
        self.points.last()
    }
}
