//! A row's names, rate and currency set against what is declared: its names against
//! `tally.toml` (an undeclared one is an error under `strict`, a near miss a warning),
//! a service row's rate against `data/rates.csv`, a money row's currency against the
//! site's.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::row::RowChecker;
use crate::check::names::{NameKind, Verdict};
use crate::error::Diagnostic;
use crate::load::ledger::Column;
use crate::model::ledger::{Kind, Name, RateIndex, Source};

impl RowChecker<'_> {
    /// The row's cell, category, unit and to_cell as interned names, each with its
    /// verdict against the declared names; or the problems of undeclared ones.
    pub(super) fn declared_names(
        &mut self,
        line: u64,
        kind: Kind,
        [cell, category, unit, to_cell]: [&str; 4],
    ) -> Result<[(Column, Name, Verdict); 4], Vec<Diagnostic>> {
        let (cell, cell_verdict) = self.recall.name(0, cell);
        let (category, category_verdict) = self.recall.name(1, category);
        let (unit, unit_verdict) = self.recall.name(2, unit);
        // Only a transfer's to_cell is a cell (an allocation's is a fund).
        let (to, to_verdict) = if kind == Kind::Transfer {
            self.recall.name(3, to_cell)
        } else {
            (cell, Verdict::Fine)
        };
        let names = [
            (Column::Cell, cell, cell_verdict),
            (Column::Category, category, category_verdict),
            (Column::Unit, unit, unit_verdict),
            (Column::ToCell, to, to_verdict),
        ];
        let undeclared = self.judge_names(line, &names);
        if undeclared.is_empty() {
            Ok(names)
        } else {
            Err(undeclared)
        }
    }

    /// The rate a service row is valued at, checked to value its `quantity` without
    /// overflow; or the row's problem (no rate, or too large).
    pub(super) fn service_rate(
        &mut self,
        line: u64,
        names: &[(Column, Name, Verdict); 4],
        date: Date,
        quantity: Decimal,
    ) -> Result<RateIndex, Vec<Diagnostic>> {
        let (category, unit) = (names[1].1, names[2].1);
        let Some(index) = self.recall.rate(unit, category, date) else {
            return Err(self.no_rate(line, names, date));
        };
        let per_unit = self.rules.rates.get(index).map(|r| r.rate);
        // The same product as `Rates::value_of` gives later: it must not overflow.
        match per_unit.and_then(|r| quantity.checked_mul(r)) {
            Some(_) => Ok(RateIndex::new(Some(index))),
            None => Err(vec![self.problem(
                line,
                Column::Quantity,
                "too large to value at its rate".into(),
            )]),
        }
    }

    /// Counts a money row's currency: `false` when it is not the site's (the row's
    /// problem is kept back, to be reported per row or, when most money rows share the
    /// currency, once against `tally.toml`).
    pub(super) fn money_unit(&mut self, line: u64, kind: Kind, unit: &str) -> bool {
        if !kind.is_money() || unit.is_empty() {
            return true;
        }
        if unit == self.rules.currency {
            self.causes.money.own += 1;
            return true;
        }
        let problem = self.problem(
            line,
            Column::Unit,
            format!(
                "{} is money in the site's currency {}, not {unit:?}",
                kind.name(),
                self.rules.currency
            ),
        );
        let row = Source {
            file: self.file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        };
        self.causes
            .money
            .foreign
            .push((Name::new(unit), row, problem));
        false
    }

    /// The row's names that are not declared: errors under `strict = true`, else near
    /// misses counted for one warning each.
    fn judge_names(&mut self, line: u64, names: &[(Column, Name, Verdict)]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        if names.iter().all(|n| n.2 == Verdict::Fine) {
            return problems;
        }
        for &(column, name, verdict) in names {
            let kind = match column {
                Column::Category => NameKind::Category,
                Column::Unit => NameKind::Unit,
                _ => NameKind::Cell,
            };
            match verdict {
                Verdict::Fine => {}
                Verdict::Undeclared(near) => problems.push(self.problem(
                    line,
                    column,
                    crate::check::names::undeclared(kind, &name, near),
                )),
                Verdict::Near(near) => {
                    let row = Source {
                        file: self.file,
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                    };
                    self.causes.near.add(kind, name, near, row);
                }
            }
        }
        problems
    }

    /// The problem of a service row without a rate, or none when the cause is a rate
    /// already reported (a rate file without its columns, a rejected rate row).
    fn no_rate(
        &mut self,
        line: u64,
        names: &[(Column, Name, Verdict)],
        date: Date,
    ) -> Vec<Diagnostic> {
        let [_, (_, category, category_verdict), (_, unit, unit_verdict)] = names[..3] else {
            return Vec::new();
        };
        if !self.rules.rates_readable {
            return Vec::new();
        }
        if let Some(cause) = self.rules.rejected.cause(&unit, &category, date) {
            let row = Source {
                file: self.file,
                line: u32::try_from(line).unwrap_or(u32::MAX),
            };
            self.causes.needs.add(cause, row);
            return Vec::new();
        }
        let mut reason = format!(
            "no rate for {unit} (category {category}) in force on {date} in data/rates.csv"
        );
        for (what, verdict) in [("unit", unit_verdict), ("category", category_verdict)] {
            if let Verdict::Near(near) = verdict {
                reason.push_str(&format!(
                    "; the {what} is not declared: did you mean `{near}`?"
                ));
            }
        }
        vec![self.problem(line, Column::Unit, reason)]
    }
}
