//! One ledger row → an [`Entry`]: each field read and checked on its own, every problem
//! of the row reported at once; the row's names, rate and currency are then set against
//! what is declared (`declared.rs`).

use std::path::Path;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::Rules;
use super::amounts::parse_quantity;
use super::causes::Causes;
use super::recall::Recall;
use crate::error::Diagnostic;
use crate::load::ledger::{Column, RawRow};
use crate::model::ledger::{Entry, Kind, RateIndex, RowTexts, Source, SourceFile};
use crate::model::week::WeekId;

/// Checks rows of one file, remembering recent values: rows of one export share dates,
/// cells, categories and units.
pub(super) struct RowChecker<'a> {
    path: &'a Path,
    pub(super) file: SourceFile,
    pub(super) rules: &'a Rules<'a>,
    pub(super) recall: Recall<'a>,
    /// What the file's rows failed or were warned of for a cause they share.
    pub(super) causes: Causes,
}

/// A row's fields, each read and checked on its own.
struct Fields<'r> {
    date: Date,
    week: WeekId,
    kind: Kind,
    quantity: Decimal,
    /// The cell, category, unit and to_cell as written.
    names: [&'r str; 4],
}

impl<'a> RowChecker<'a> {
    pub(super) fn new(path: &'a Path, rules: &'a Rules<'a>) -> RowChecker<'a> {
        RowChecker {
            path,
            file: SourceFile::new(path),
            rules,
            recall: Recall::new(rules),
            causes: Causes::default(),
        }
    }

    pub(super) fn source(&self, line: u64) -> Source {
        Source {
            file: self.file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    pub(super) fn problem(&self, line: u64, column: Column, reason: String) -> Diagnostic {
        Diagnostic::at(
            self.path,
            line as usize,
            format!("{}: {reason}", column.name()),
        )
    }

    /// Fields longer than a field may be.
    fn oversized(&self, row: &RawRow<'_>) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for column in Column::ALL {
            let limit = if column == Column::Memo {
                crate::load::limits::MAX_MEMO_BYTES
            } else {
                crate::load::limits::MAX_FIELD_BYTES
            };
            let length = row.get(column).len();
            if length > limit {
                problems.push(self.problem(
                    row.line,
                    column,
                    format!("{length} bytes; a field may hold at most {limit}"),
                ));
            }
        }
        problems
    }

    /// The row's date and its week; or `None`, with the problem of a text that is not a
    /// date added to `problems`, or kept back in [`Causes`] for a date outside `[dates]`.
    fn date(
        &mut self,
        line: u64,
        text: &str,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<(Date, WeekId)> {
        match self.recall.date(text) {
            Ok(date) => Some(date),
            Err(reason) => {
                let problem = self.problem(line, Column::Date, reason);
                match self.recall.out_of_range() {
                    Some(after) => self.causes.outside.add(after, self.source(line), problem),
                    None => problems.push(problem),
                }
                None
            }
        }
    }

    /// The row's fields, or every problem found in them. A date outside `[dates]` and a
    /// money row in another currency are kept back in [`Causes`], to be reported with
    /// the rows that share the cause.
    fn fields<'r>(&mut self, row: &RawRow<'r>) -> Result<Fields<'r>, Vec<Diagnostic>> {
        let line = row.line;
        let mut problems = self.oversized(row);
        if !problems.is_empty() {
            return Err(problems);
        }
        let date = self.date(line, row.get(Column::Date), &mut problems);
        let text = |column: Column, problems: &mut Vec<Diagnostic>| {
            let value = row.get(column);
            if value.is_empty() {
                problems.push(self.problem(line, column, "must not be empty".into()));
            }
            value
        };
        let cell = text(Column::Cell, &mut problems);
        let category = text(Column::Category, &mut problems);
        let unit = text(Column::Unit, &mut problems);
        let kind_text = row.get(Column::Kind);
        let kind = Kind::parse(kind_text);
        if kind.is_none() {
            problems.push(self.problem(line, Column::Kind, unknown_kind(kind_text)));
        }
        let quantity = parse_quantity(row.get(Column::Quantity))
            .map_err(|reason| problems.push(self.problem(line, Column::Quantity, reason)))
            .ok();
        let to_cell = row.get(Column::ToCell);
        let mut foreign_money = false;
        if let Some(kind) = kind {
            if kind.needs_to_cell() && to_cell.is_empty() {
                let what = if kind == Kind::Transfer {
                    "a transfer row needs to_cell (the receiving cell)"
                } else {
                    "an allocation row needs to_cell (the fund)"
                };
                problems.push(self.problem(line, Column::ToCell, what.into()));
            }
            foreign_money = !self.money_unit(line, kind, unit);
        }
        let (Some((date, week)), Some(kind), Some(quantity), true) =
            (date, kind, quantity, problems.is_empty() && !foreign_money)
        else {
            return Err(problems);
        };
        Ok(Fields {
            date,
            week,
            kind,
            quantity,
            names: [cell, category, unit, to_cell],
        })
    }

    /// Adds the row's entry to `entries` and its texts to `texts`, and returns the entry,
    /// or returns every problem of the row.
    pub(super) fn check<'e>(
        &mut self,
        row: &RawRow<'_>,
        entries: &'e mut Vec<Entry>,
        texts: &mut RowTexts,
    ) -> Result<&'e Entry, Vec<Diagnostic>> {
        let line = row.line;
        let Fields {
            date,
            week,
            kind,
            quantity,
            names: written,
        } = self.fields(row)?;
        let names = self.declared_names(line, kind, written)?;
        let [(_, cell, _), (_, category, _), (_, unit, _), _] = names;
        let rate = if kind == Kind::Service {
            self.service_rate(line, &names, date, quantity)?
        } else {
            RateIndex::NONE
        };
        let to_cell = written[3];
        let to_cell = (!to_cell.is_empty()).then(|| self.recall.name(3, to_cell).0);
        let Some(text) = texts.push(
            row.get(Column::Receipt),
            row.get(Column::Counterparty),
            row.get(Column::Memo),
        ) else {
            return Err(vec![self.problem(
                line,
                Column::Receipt,
                "the file's receipts, counterparties and memos pass 4 GiB; split the file".into(),
            )]);
        };
        entries.push(Entry {
            date,
            week,
            cell,
            category,
            unit,
            to_cell,
            quantity,
            rate,
            source: Source {
                file: self.file,
                line: u32::try_from(line).unwrap_or(u32::MAX),
            },
            text,
            kind,
        });
        entries.last().ok_or_else(Vec::new)
    }
}

/// "is not a kind", with the vocabulary and the `values` map of a source that would
/// read the word as a kind.
fn unknown_kind(word: &str) -> String {
    let vocabulary = Kind::ALL.map(Kind::name).join(", ");
    if word.is_empty() {
        return format!("{word:?} is not a kind; use one of {vocabulary}");
    }
    let lower = word.to_lowercase();
    let guess = if ["debit", "out", "pay", "withdraw", "fee", "charge"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "expense"
    } else if ["credit", "in", "deposit", "donation", "contribution"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "income"
    } else {
        "…"
    };
    format!(
        "{word:?} is not a kind; use one of {vocabulary}, or map the word in its source's values: `[ledger.sources.values] kind = {{ {word:?} = \"{guess}\" }}`"
    )
}
