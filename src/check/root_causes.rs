//! Root causes first: a rate of `data/rates.csv` rejected for its own problem (`£6.50`,
//! a EUR rate in a GBP site) leaves every ledger row that needs it without a rate. Such
//! rows are not reported one by one: the rate's own error says how many rows need it
//! and where the first is. Counts only; the rows themselves are `check::ledger`'s.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::error::{Diagnostic, Diagnostics};
use crate::model::ledger::Source;

/// A row of `data/rates.csv` left out for its own problems, with what it would have
/// applied to had it been right.
#[derive(Debug, Clone)]
pub struct RejectedRate {
    pub unit: String,
    /// `None`: any category.
    pub category: Option<String>,
    /// 1 January of its year when the date itself is what is wrong (`2026-02-30`);
    /// `None` when not even the year can be read: then any date.
    pub valid_from: Option<Date>,
    /// The rate row's own problems, reported whether or not a row needs it.
    pub problems: Vec<Diagnostic>,
}

/// The rejected rates of a site.
#[derive(Debug, Clone, Default)]
pub struct RejectedRates(pub Vec<RejectedRate>);

impl RejectedRates {
    /// The rejected rate a row of `unit` and `category` dated `date` would have taken:
    /// its own category before a blank one, then the latest date. Its index.
    pub fn cause(&self, unit: &str, category: &str, date: Date) -> Option<usize> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unit == unit)
            .filter(|(_, r)| r.category.as_deref().is_none_or(|c| c == category))
            .filter(|(_, r)| r.valid_from.is_none_or(|from| from <= date))
            .max_by_key(|(i, r)| (r.category.is_some(), r.valid_from, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
    }

    /// Reports every rejected rate once, each with the rows that needed it: how many
    /// and the first (`needs`, by rate index, over the ledger in input order).
    pub fn report(self, needs: &RowsByCause, problems: &mut Diagnostics) {
        for (i, rate) in self.0.into_iter().enumerate() {
            let mut found = rate.problems;
            if let (Some((first, rows)), Some(head)) = (needs.0.get(&i), found.first_mut()) {
                head.message.push_str(&format!(
                    "; {} ledger row{} need{} this rate (first: {first})",
                    grouped(*rows),
                    if *rows == 1 { "" } else { "s" },
                    if *rows == 1 { "s" } else { "" },
                ));
            }
            problems.extend(found);
        }
    }
}

/// By the index of a rejected rate: the first row that needed it and how many did.
#[derive(Debug, Clone, Default)]
pub struct RowsByCause(pub HashMap<usize, (Source, u64)>);

impl RowsByCause {
    /// One more row needing rate `cause`.
    pub fn add(&mut self, cause: usize, row: Source) {
        self.0.entry(cause).or_insert((row, 0)).1 += 1;
    }

    /// Adds a later file's counts: its rows come after this one's.
    pub fn merge(&mut self, later: RowsByCause) {
        for (cause, (first, rows)) in later.0 {
            self.0.entry(cause).or_insert((first, 0)).1 += rows;
        }
    }
}

/// `1203` as `1,203`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(category: Option<&str>, from: Option<Date>) -> RejectedRate {
        RejectedRate {
            unit: "h".into(),
            category: category.map(String::from),
            valid_from: from,
            problems: vec![Diagnostic::at(
                "data/rates.csv",
                4,
                "rate: \"£6.50\" is not a decimal",
            )],
        }
    }

    #[test]
    fn a_row_takes_the_rate_it_would_have_had() {
        let day = |d| jiff::civil::date(2026, 1, d);
        let rates = RejectedRates(vec![
            rejected(None, Some(day(1))),
            rejected(Some("care"), Some(day(1))),
            rejected(Some("care"), Some(day(20))),
        ]);
        assert_eq!(rates.cause("h", "care", day(10)), Some(1));
        assert_eq!(rates.cause("h", "care", day(25)), Some(2));
        assert_eq!(rates.cause("h", "food", day(25)), Some(0));
        assert_eq!(rates.cause("kg", "care", day(25)), None);
        let undated = RejectedRates(vec![rejected(Some("care"), None)]);
        assert_eq!(undated.cause("h", "care", day(1)), Some(0));
    }

    #[test]
    fn the_rate_reports_its_rows_once() {
        let rates = RejectedRates(vec![rejected(None, None)]);
        let mut needs = RowsByCause::default();
        let file = crate::model::ledger::SourceFile::new(std::path::Path::new("l.csv"));
        for line in 17..1220 {
            needs.add(0, Source { file, line });
        }
        let mut problems = Diagnostics::default();
        rates.report(&needs, &mut problems);
        let found: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            [
                "data/rates.csv:4: rate: \"£6.50\" is not a decimal; 1,203 ledger rows need this rate (first: l.csv:17)"
            ]
        );
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
