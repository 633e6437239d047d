//! `data/city-budget.csv` → [`CityBudget`]: each line's period (a calendar `year`, or a
//! fiscal year as `period_start,period_end`), category and amount. A category's periods
//! must follow each other without overlap or gap; a week with ledger rows that no
//! period covers is a warning, since its report shows no share of the city's budget.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::ledger::{MAX_AMOUNT, at_most, currency_problem, parse_decimal, parse_iso_date};
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawTable;
use crate::load::valuation::RawTableRow;
use crate::model::ledger::{BudgetLine, BudgetPeriod, CityBudget, Entries};
use crate::model::week::WeekId;

/// `data/city-budget.csv` → [`CityBudget`].
pub fn check_budget(
    table: Option<&RawTable>,
    site: &str,
    problems: &mut Diagnostics,
) -> CityBudget {
    let Some(table) = table else {
        return CityBudget::default();
    };
    let mut budget = CityBudget {
        path: table.path.clone(),
        lines: Vec::new(),
    };
    let by_period = table.has_columns(&["period_start", "period_end"]);
    let period_columns: &[&str] = if by_period {
        &["period_start", "period_end", "category", "amount"]
    } else {
        &["year", "category", "amount"]
    };
    if !table.require(period_columns, problems) {
        return budget;
    }
    let columns = BudgetColumns::of(table);
    for row in &table.rows {
        match columns.read(table, row, site) {
            Ok(line) => budget.lines.push(line),
            Err(found) => problems.extend(found),
        }
    }
    check_periods(&budget, problems);
    budget
}

/// The columns of `data/city-budget.csv`, by index.
struct BudgetColumns {
    year: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    category: Option<usize>,
    amount: Option<usize>,
    currency: Option<usize>,
    name: Option<usize>,
    source: Option<usize>,
}

impl BudgetColumns {
    fn of(table: &RawTable) -> BudgetColumns {
        BudgetColumns {
            year: table.column("year"),
            start: table.column("period_start"),
            end: table.column("period_end"),
            category: table.column("category"),
            amount: table.column("amount"),
            currency: table.column("currency"),
            name: table.column("line"),
            source: table.column("source"),
        }
    }

    /// One row as a [`BudgetLine`], or all its problems.
    fn read(
        &self,
        table: &RawTable,
        row: &RawTableRow,
        site: &str,
    ) -> Result<BudgetLine, Vec<Diagnostic>> {
        let at = |message: String| Diagnostic::at(&table.path, row.line, message);
        let mut found = Vec::new();
        let period = self
            .period(row)
            .map_err(|reason| found.push(at(reason)))
            .ok();
        let category = row.get(self.category);
        if category.is_empty() {
            found.push(at("category: must not be empty".into()));
        }
        let amount_text = row.get(self.amount);
        let amount = parse_decimal(amount_text)
            .and_then(|a| {
                if a < Decimal::ZERO {
                    Err(format!("must not be negative, not {a}"))
                } else {
                    at_most(a, MAX_AMOUNT, amount_text)
                }
            })
            .map_err(|reason| found.push(at(format!("amount: {reason}"))))
            .ok();
        found.extend(currency_problem(
            table,
            row.line,
            row.get(self.currency),
            site,
        ));
        match (period, amount, found.is_empty()) {
            (Some(period), Some(amount), true) => Ok(BudgetLine {
                period,
                category: category.to_string(),
                amount,
                currency: site.to_string(),
                name: row.get(self.name).to_string(),
                source: row.get(self.source).to_string(),
                line: row.line,
            }),
            _ => Err(found),
        }
    }

    /// The row's period: its `period_start` and `period_end` when it gives them, else
    /// its `year`.
    fn period(&self, row: &RawTableRow) -> Result<BudgetPeriod, String> {
        let (start, end) = (row.get(self.start), row.get(self.end));
        if self.year.is_none() || !start.is_empty() || !end.is_empty() {
            let date = |column: &str, text: &str| {
                parse_iso_date(text).ok_or_else(|| {
                    format!("{column}: {text:?} is not a date (expected YYYY-MM-DD)")
                })
            };
            let (start, end) = (date("period_start", start)?, date("period_end", end)?);
            if end < start {
                return Err(format!("period_end: {end} is before period_start {start}"));
            }
            return Ok(BudgetPeriod { start, end });
        }
        let text = row.get(self.year);
        text.parse::<i16>()
            .ok()
            .filter(|y| (1000..=9999).contains(y))
            .map(BudgetPeriod::year)
            .ok_or_else(|| format!("year: {text:?} is not a year like 2026"))
    }
}

/// Each category's periods, in order of their start, must follow each other: one
/// overlapping another would count a day's budget twice, a gap would leave its weeks
/// without one.
fn check_periods(budget: &CityBudget, problems: &mut Diagnostics) {
    // By category, each period with the first line giving it.
    let mut periods: BTreeMap<&str, BTreeMap<BudgetPeriod, usize>> = BTreeMap::new();
    for line in &budget.lines {
        periods
            .entry(&line.category)
            .or_default()
            .entry(line.period)
            .or_insert(line.line);
    }
    for (category, periods) in periods {
        let mut previous: Option<(BudgetPeriod, usize)> = None;
        for (period, line) in periods {
            if let Some((before, before_line)) = previous {
                let at = |message: String| Diagnostic::at(&budget.path, line, message);
                if period.start <= before.end {
                    problems.push(at(format!(
                        "the {category} budget for {period} overlaps the one for {before} (line {before_line}); a category's periods must not overlap"
                    )));
                } else if before.end.tomorrow().ok() != Some(period.start) {
                    let (from, to) = (
                        before.end.tomorrow().unwrap_or(before.end),
                        period.start.yesterday().unwrap_or(period.start),
                    );
                    problems.push(at(format!(
                        "the {category} budget for {period} leaves a gap after the one for {before} (line {before_line}): no budget for {from} to {to}; a category's periods must follow each other"
                    )));
                }
            }
            if previous.is_none_or(|(before, _)| period.end > before.end) {
                previous = Some((period, line));
            }
        }
    }
}

/// One warning per budgeted category whose budget does not cover every day of the
/// weeks with ledger rows: those weeks' reports show no share of the city's budget,
/// or only part of it.
pub fn weeks_without_budget(budget: &CityBudget, entries: &Entries) -> Vec<String> {
    if budget.lines.is_empty() {
        return Vec::new();
    }
    let mut weeks: Vec<WeekId> = Vec::new();
    for entry in entries.iter() {
        if weeks.last() != Some(&entry.week) {
            weeks.push(entry.week);
        }
    }
    weeks.sort_unstable();
    weeks.dedup();
    let mut warnings = Vec::new();
    for category in budget.categories() {
        let short: Vec<WeekId> = weeks
            .iter()
            .copied()
            .filter(|w| budget.weekly_share(*w, category).is_none_or(|s| s.days < 7))
            .collect();
        let (Some(first), Some(last)) = (short.first(), short.last()) else {
            continue;
        };
        let first_day = budget
            .uncovered(category, first.monday(), first.sunday())
            .first()
            .map_or(first.monday(), |gap| gap.0);
        warnings.push(format!(
            "{}: no {category} budget covers {first_day}: {} week{} with ledger rows ({first} to {last}) show{} no share of the city's budget, or only part of it; add the budget for that period",
            budget.path.display(),
            short.len(),
            if short.len() == 1 { "" } else { "s" },
            if short.len() == 1 { "s" } else { "" },
        ));
    }
    warnings
}
