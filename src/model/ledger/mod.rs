//! The ledger as plain data: validated [`Entry`]s (private columns included, with their
//! source file and line), the [`Rates`] that value them, the [`CityBudget`], and the
//! [`WeekReport`]s aggregated from them. Nothing here formats for display or decides
//! what is public: rendering does, and never writes `counterparty`.

mod aggregate;
mod entries;
mod names;
mod sheets;
mod sum;
#[cfg(test)]
mod tests;
mod text;
mod valuation;
mod weeks;

pub use entries::*;
pub use names::*;
pub use text::*;
pub use valuation::*;
pub use weeks::*;

use std::path::PathBuf;

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::model::week::WeekId;

/// The rows read from one ledger file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LedgerFileRows {
    pub path: PathBuf,
    pub rows: u64,
}

/// The validated ledger, ready to model.
#[derive(Debug, Clone, Default)]
pub struct CheckedLedger {
    /// In input order: files sorted by path, rows by line.
    pub entries: Entries,
    pub files: Vec<LedgerFileRows>,
    pub rates: Rates,
    pub budget: CityBudget,
    /// What the check reports without failing: names a few letters from a declared
    /// one, weeks with rows but no city budget.
    pub warnings: Vec<String>,
}

impl CheckedLedger {
    /// The latest date of any row.
    pub fn latest_date(&self) -> Option<Date> {
        self.entries.latest_date()
    }
}

/// The ledger and its weeks.
#[derive(Debug, Clone, Default, Hash)]
pub struct Ledger {
    pub entries: Entries,
    pub files: Vec<LedgerFileRows>,
    pub rates: Rates,
    pub budget: CityBudget,
    /// The site's as-of date: the week holding it is in progress.
    pub as_of: Option<Date>,
    /// Every week from the first row's to the as-of date's, oldest first, empty weeks
    /// included.
    pub weeks: Vec<WeekReport>,
    /// The site's currency: money rows and values are in it.
    pub currency: String,
}

impl Ledger {
    /// Aggregates checked entries into weeks; `as_of` is the site's as-of date (the
    /// latest date in content and data).
    pub fn build(checked: CheckedLedger, as_of: Option<Date>, currency: &str) -> Ledger {
        Ledger::build_beside(checked, as_of, currency, |_| ()).0
    }

    /// [`Ledger::build`], running `beside` on the checked ledger at the same time.
    pub fn build_beside<T: Send>(
        checked: CheckedLedger,
        as_of: Option<Date>,
        currency: &str,
        beside: impl FnOnce(&CheckedLedger) -> T + Send,
    ) -> (Ledger, T) {
        let (weeks, found) = rayon::join(
            || aggregate::aggregate(&checked.entries, &checked.rates, &checked.budget, as_of),
            || beside(&checked),
        );
        let ledger = Ledger {
            entries: checked.entries,
            files: checked.files,
            rates: checked.rates,
            budget: checked.budget,
            as_of,
            weeks,
            currency: currency.to_string(),
        };
        (ledger, found)
    }

    pub fn week(&self, id: WeekId) -> Option<&WeekReport> {
        self.weeks
            .binary_search_by(|w| w.week.cmp(&id))
            .ok()
            .and_then(|i| self.weeks.get(i))
    }

    /// The rows of a week, in input order.
    pub fn entries_of<'a>(&'a self, week: &'a WeekReport) -> impl Iterator<Item = &'a Entry> {
        week.entries
            .iter()
            .filter_map(|&i| self.entries.get(i as usize))
    }

    /// The rate row applied to an entry.
    pub fn rate_of(&self, entry: &Entry) -> Option<&Rate> {
        self.rates.of(entry)
    }

    /// An entry's value at replacement cost (service rows).
    pub fn value_of(&self, entry: &Entry) -> Option<Decimal> {
        self.rates.value_of(entry)
    }

    /// The newest week whose figures are final.
    pub fn last_closed(&self) -> Option<&WeekReport> {
        self.weeks
            .iter()
            .rev()
            .find(|w| w.status == WeekStatus::Closed)
    }

    /// The week holding the as-of date.
    pub fn current(&self) -> Option<&WeekReport> {
        self.weeks
            .last()
            .filter(|w| w.status == WeekStatus::InProgress)
    }

    pub fn rows_read(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }
}
