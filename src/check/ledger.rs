//! Ledger rows, rates and the city's budget: raw text → [`Entry`], [`Rate`] and
//! [`BudgetLine`]. Every bad row is reported as `file:line: column: reason`, all at
//! once; no row is skipped silently. Files are checked in parallel; receipt ids are
//! then checked for duplicates across the whole ledger.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;

use jiff::civil::Date;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::names::{Declared, NameKind, Verdict};
use super::root_causes::{RejectedRate, RejectedRates, RowsByCause};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::ledger::{Column, RawRow};
use crate::load::{LedgerFile, RawTable};
use crate::model::ledger::{
    CheckedLedger, CityBudget, Entries, Entry, FileEntries, Kind, LedgerFileRows, Name, Rate,
    RateIndex, Rates, RowTexts, Source, SourceFile,
};
use crate::model::week::WeekId;

/// Checks the ledger files against the rates and the site's settings; `budget` (checked
/// on its own) comes along into the checked ledger.
pub fn check(
    files: &[LedgerFile],
    rates: Option<&RawTable>,
    budget: CityBudget,
    config: &Config,
    problems: &mut Diagnostics,
) -> CheckedLedger {
    // A rates file whose header is unreadable is reported once, by its own error, not
    // again on every row that needs a rate.
    let rates_readable = rates.is_none_or(|t| t.has_columns(RATE_COLUMNS));
    let declared = Declared::from_config(config, rates);
    let (rates, rejected) = check_rates_rejecting(rates, &config.currency, problems);
    let dates = config.dates.bounds().unwrap_or_else(|why| {
        problems.push(Diagnostic::new(crate::config::CONFIG_FILE, why));
        (Date::MIN, Date::MAX)
    });
    let rules = Rules {
        currency: &config.currency,
        date_format: config.ledger.date_format.as_deref(),
        dates,
        rates: &rates,
        rates_readable,
        rejected: &rejected,
        declared: &declared,
    };
    let checked: Vec<CheckedFile> = files
        .par_iter()
        .map(|file| check_file(file, &rules))
        .collect();
    let mut parts = Vec::with_capacity(files.len());
    let mut rows = Vec::with_capacity(files.len());
    let mut receipts = Vec::with_capacity(files.len());
    let mut latest = None;
    let mut causes = Causes::default();
    for (file, checked) in files.iter().zip(checked) {
        latest = latest.max(checked.latest);
        causes.merge(checked.causes);
        parts.push(FileEntries {
            entries: checked.entries,
            texts: checked.texts,
        });
        problems.extend(checked.problems);
        receipts.push(checked.receipts);
        rows.push(LedgerFileRows {
            path: file.path.clone(),
            rows: checked.rows,
        });
    }
    let warnings = causes.report(rejected, config, problems);
    let entries = Entries::with_latest(parts, latest);
    check_receipts(&entries, &receipts, problems);
    check_case_twins(&entries, problems);
    CheckedLedger {
        entries,
        files: rows,
        rates,
        budget,
        warnings,
    }
}

/// What rows fail or are warned of for a cause they share, gathered over the files in
/// input order, to be reported once per cause where the cause is one line.
#[derive(Default)]
struct Causes {
    /// Rows without a rate because theirs was rejected, by rejected rate.
    needs: RowsByCause,
    /// Names a few letters from a declared one.
    near: NearMisses,
    money: MoneyRows,
    outside: DatesOutside,
}

impl Causes {
    /// Adds a later file's.
    fn merge(&mut self, later: Causes) {
        self.needs.merge(later.needs);
        self.near.merge(later.near);
        self.money.merge(later.money);
        self.outside.merge(later.outside);
    }

    /// Reports the errors; returns the warnings.
    fn report(
        self,
        rejected: RejectedRates,
        config: &Config,
        problems: &mut Diagnostics,
    ) -> Vec<String> {
        rejected.report(&self.needs, problems);
        self.money.report(config, problems);
        self.outside.report(config, problems);
        self.near.warnings()
    }
}

/// Money rows: how many are in the site's currency, and each one that is not (its
/// currency, the row, the row's problem), in input order.
#[derive(Default)]
struct MoneyRows {
    own: u64,
    foreign: Vec<(Name, Source, Diagnostic)>,
}

impl MoneyRows {
    fn merge(&mut self, later: MoneyRows) {
        self.own += later.own;
        self.foreign.extend(later.foreign);
    }

    /// A currency more of the ledger's money rows are in than the site's own is the
    /// site's currency mistaken in `tally.toml`: one error there, with the count. Other
    /// rows in another currency are each an error of their own.
    fn report(self, config: &Config, problems: &mut Diagnostics) {
        let mut counts: HashMap<Name, (Source, u64)> = HashMap::new();
        for (unit, row, _) in &self.foreign {
            counts.entry(*unit).or_insert((*row, 0)).1 += 1;
        }
        let mistaken = |unit: &Name| counts.get(unit).is_some_and(|(_, n)| *n > self.own.max(1));
        let mut causes: Vec<(&Name, &(Source, u64))> =
            counts.iter().filter(|(unit, _)| mistaken(unit)).collect();
        causes.sort_unstable_by_key(|(unit, _)| **unit);
        for (unit, (first, rows)) in causes {
            let site = &config.currency;
            let message = format!(
                "currency: the site's currency is {site}, but {} money rows of the ledger are in {unit} (first: {first}) and {} in {site}; if the network's money is {unit}, set currency = \"{unit}\"",
                super::root_causes::grouped(*rows),
                super::root_causes::grouped(self.own),
            );
            problems.push(match config.currency_line {
                Some(line) => Diagnostic::at(crate::config::CONFIG_FILE, line, message),
                None => Diagnostic::new(crate::config::CONFIG_FILE, message),
            });
        }
        problems.extend(
            self.foreign
                .into_iter()
                .filter(|(unit, _, _)| !mistaken(unit))
                .map(|(_, _, problem)| problem),
        );
    }
}

/// Rows dated outside `[dates]`, before the earliest and after the latest, each with
/// its problem, in input order.
#[derive(Default)]
struct DatesOutside {
    before: Vec<(Source, Diagnostic)>,
    after: Vec<(Source, Diagnostic)>,
}

impl DatesOutside {
    fn add(&mut self, after: bool, row: Source, problem: Diagnostic) {
        let side = if after {
            &mut self.after
        } else {
            &mut self.before
        };
        side.push((row, problem));
    }

    fn merge(&mut self, later: DatesOutside) {
        self.before.extend(later.before);
        self.after.extend(later.after);
    }

    /// Many rows beyond a bound `tally.toml` sets are more likely a typo in the bound
    /// than in all of them: one error on its line, with the count. Otherwise (or with
    /// the default bounds) each row is an error of its own.
    fn report(self, config: &Config, problems: &mut Diagnostics) {
        let dates = &config.dates;
        let sides = [
            (
                "earliest",
                "before",
                &dates.earliest,
                dates.earliest_line,
                self.before,
            ),
            (
                "latest",
                "after",
                &dates.latest,
                dates.latest_line,
                self.after,
            ),
        ];
        for (key, side, bound, line, rows) in sides {
            match (bound, line, rows.first()) {
                (Some(bound), Some(line), Some((first, _))) if rows.len() > crate::error::MANY => {
                    problems.push(Diagnostic::at(
                        crate::config::CONFIG_FILE,
                        line,
                        format!(
                            "dates.{key}: {bound:?} leaves out {} ledger rows dated {side} it (first: {first}); is it a typo?",
                            super::root_causes::grouped(rows.len() as u64)
                        ),
                    ));
                }
                _ => problems.extend(rows.into_iter().map(|(_, problem)| problem)),
            }
        }
    }
}

/// Names a few letters from a declared one (`bike-kitchn`), by kind and name: the
/// first row using each and how many do.
#[derive(Default)]
struct NearMisses(HashMap<(NameKind, Name, &'static str), (Source, u64)>);

impl NearMisses {
    fn add(&mut self, kind: NameKind, name: Name, near: &'static str, row: Source) {
        self.0.entry((kind, name, near)).or_insert((row, 0)).1 += 1;
    }

    /// Adds a later file's: its rows come after this one's.
    fn merge(&mut self, later: NearMisses) {
        for (key, (first, rows)) in later.0 {
            self.0.entry(key).or_insert((first, 0)).1 += rows;
        }
    }

    /// One warning per name, in order of kind and name.
    fn warnings(self) -> Vec<String> {
        let mut all: Vec<_> = self.0.into_iter().collect();
        all.sort_unstable_by_key(|a| (a.0.0, a.0.1));
        all.into_iter()
            .map(|((kind, name, near), (first, rows))| {
                super::names::near_miss(kind, &name, near, &first.to_string(), rows)
            })
            .collect()
    }
}

/// Categories (or units) spelt alike but for case (`Food`, `food`) name the same chart
/// and CSV files on a case-insensitive file system, so one would overwrite the other:
/// an error at the first row of each later spelling.
fn check_case_twins(entries: &Entries, problems: &mut Diagnostics) {
    let mut first: HashMap<(bool, Name), Source> = HashMap::new();
    for entry in entries.iter() {
        for key in [(true, entry.category), (false, entry.unit)] {
            first.entry(key).or_insert(entry.source);
        }
    }
    let mut by_lower: HashMap<(bool, String), Vec<(Source, &str)>> = HashMap::new();
    for ((is_category, name), source) in first {
        let spelling = name.as_str();
        by_lower
            .entry((is_category, spelling.to_lowercase()))
            .or_default()
            .push((source, spelling));
    }
    for ((is_category, _), mut twins) in by_lower.into_iter().filter(|(_, t)| t.len() > 1) {
        twins.sort_unstable();
        let (first_source, first_spelling) = twins[0];
        let column = if is_category { "category" } else { "unit" };
        for (source, spelling) in &twins[1..] {
            problems.push(Diagnostic::at(
                source.file.as_path(),
                usize::try_from(source.line).unwrap_or(usize::MAX),
                format!(
                    "{column}: {spelling:?} differs from {first_spelling:?} ({first_source}) only in case; \
                     their charts would collide on a case-insensitive file system: spell them alike"
                ),
            ));
        }
    }
}

/// What every row is checked against.
struct Rules<'a> {
    currency: &'a str,
    date_format: Option<&'a str>,
    /// The first and last plausible dates (`[dates]` in `tally.toml`).
    dates: (Date, Date),
    rates: &'a Rates,
    /// `false` when `data/rates.csv` lacks a required column (already reported).
    rates_readable: bool,
    /// Rates left out for their own problems: the root cause of rows without a rate.
    rejected: &'a RejectedRates,
    /// The cells, categories and units `tally.toml` declares.
    declared: &'a Declared,
}

/// What checking one file found.
struct CheckedFile {
    entries: Vec<Entry>,
    /// The entries' own texts.
    texts: RowTexts,
    problems: Vec<Diagnostic>,
    /// Data rows read.
    rows: u64,
    receipts: ReceiptHashes,
    /// The latest date of its entries.
    latest: Option<Date>,
    /// What its rows failed or were warned of for a cause they share.
    causes: Causes,
}

fn check_file(file: &LedgerFile, rules: &Rules<'_>) -> CheckedFile {
    let capacity = usize::try_from(file.size / 64).unwrap_or(0);
    let mut entries = Vec::with_capacity(capacity);
    // Receipts and counterparties make up about a third of a file's bytes.
    let mut texts = RowTexts::with_capacity(usize::try_from(file.size / 3).unwrap_or(0));
    let mut receipts = ReceiptHashes::new(capacity);
    let mut problems = Vec::new();
    let mut rows = 0u64;
    let mut latest: Option<Date> = None;
    // A source's dates are read by its own format when mapped.
    let mapped_rules;
    let rules = if file.mapped.is_some() {
        mapped_rules = Rules {
            date_format: None,
            ..*rules
        };
        &mapped_rules
    } else {
        rules
    };
    let mut row_checker = RowChecker::new(&file.path, rules);
    file.read_rows(|row| {
        rows += 1;
        match row {
            // The place the row's entry takes, if it makes one.
            Ok(row) => match (
                entries.len(),
                row_checker.check(&row, &mut entries, &mut texts),
            ) {
                (index, Ok(entry)) => {
                    latest = latest.max(Some(entry.date));
                    // The texts keep the row's receipt as it is: hash it from the row.
                    let receipt = row.get(Column::Receipt);
                    if !receipt.is_empty() {
                        receipts.add(receipt_hash(receipt), index);
                    }
                }
                (_, Err(found)) => problems.extend(found),
            },
            Err(d) => problems.push(d),
        }
    });
    entries.shrink_to_fit();
    texts.shrink_to_fit();
    CheckedFile {
        entries,
        texts,
        problems,
        rows,
        receipts,
        latest,
        causes: row_checker.causes,
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

/// The last rate looked up: unit, category, date and the rate found.
type RateMemo = (Name, Name, Date, Option<u32>);

/// Checks rows of one file, remembering recent values: rows of one export share dates,
/// cells, categories and units.
struct RowChecker<'a> {
    path: &'a Path,
    file: SourceFile,
    rules: &'a Rules<'a>,
    interned: HashMap<Box<str>, Name, Fast>,
    /// The last name read as cell, category, unit and to_cell, with its text and the
    /// verdict on it.
    recent: [Option<(Name, &'static str, Verdict)>; 4],
    /// The verdict on each name read, by slot.
    verdicts: HashMap<(usize, Name), Verdict, Fast>,
    last_date: Option<(Box<str>, Date, WeekId)>,
    last_rate: Option<RateMemo>,
    causes: Causes,
    /// Set by [`RowChecker::date`] for a date outside `[dates]`: after the latest?
    out_of_range: Option<bool>,
}

/// What the name in each of [`RowChecker::name`]'s slots is read as.
const SLOT_KINDS: [NameKind; 4] = [
    NameKind::Cell,
    NameKind::Category,
    NameKind::Unit,
    NameKind::Cell,
];

impl<'a> RowChecker<'a> {
    fn new(path: &'a Path, rules: &'a Rules<'a>) -> RowChecker<'a> {
        RowChecker {
            path,
            file: SourceFile::new(path),
            rules,
            interned: HashMap::default(),
            recent: [None; 4],
            verdicts: HashMap::default(),
            last_date: None,
            last_rate: None,
            causes: Causes::default(),
            out_of_range: None,
        }
    }

    fn source(&self, line: u64) -> Source {
        Source {
            file: self.file,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    /// The name in `text`, read as cell, category, unit or to_cell (`slot` 0 to 3), and
    /// the verdict on it.
    fn name(&mut self, slot: usize, text: &str) -> (Name, Verdict) {
        // Rows of one export repeat the same few names: look at the column's last first.
        if let Some(Some((name, kept, verdict))) = self.recent.get(slot)
            && *kept == text
        {
            return (*name, *verdict);
        }
        let name = match self.interned.get(text) {
            Some(name) => *name,
            None => {
                let name = Name::new(text);
                self.interned.insert(Box::from(text), name);
                name
            }
        };
        let declared = self.rules.declared;
        let verdict = *self.verdicts.entry((slot, name)).or_insert_with(|| {
            SLOT_KINDS
                .get(slot)
                .map_or(Verdict::Fine, |&kind| declared.judge(kind, text))
        });
        if let Some(recent) = self.recent.get_mut(slot) {
            *recent = Some((name, name.as_str(), verdict));
        }
        (name, verdict)
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

    /// Counts a money row's currency: `false` when it is not the site's (the row's
    /// problem is kept back, to be reported per row or, when most money rows share the
    /// currency, once against `tally.toml`).
    fn money_unit(&mut self, line: u64, kind: Kind, unit: &str) -> bool {
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
                    super::names::undeclared(kind, &name, near),
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

    fn problem(&self, line: u64, column: Column, reason: String) -> Diagnostic {
        Diagnostic::at(
            self.path,
            line as usize,
            format!("{}: {reason}", column.name()),
        )
    }

    fn date(&mut self, text: &str) -> Result<(Date, WeekId), String> {
        if let Some((t, d, w)) = &self.last_date
            && t.as_ref() == text
        {
            return Ok((*d, *w));
        }
        let parsed = match self.rules.date_format {
            None => parse_iso_date(text)
                .ok_or_else(|| format!("{text:?} is not a date (expected YYYY-MM-DD)")),
            Some(format) => Date::strptime(format, text).map_err(|_| {
                format!("{text:?} is not a date in the format {format:?} set in tally.toml")
            }),
        }?;
        let (earliest, latest) = self.rules.dates;
        if parsed < earliest || parsed > latest {
            self.out_of_range = Some(parsed > latest);
            return Err(format!(
                "{parsed} is outside the plausible dates {earliest} to {latest} (a typo? [dates] in tally.toml sets the range)"
            ));
        }
        let week = WeekId::of(parsed);
        self.last_date = Some((Box::from(text), parsed, week));
        Ok((parsed, week))
    }

    fn rate(&mut self, unit: Name, category: Name, date: Date) -> Option<u32> {
        if let Some((u, c, d, r)) = &self.last_rate
            && *u == unit
            && *c == category
            && *d == date
        {
            return *r;
        }
        let found = self.rules.rates.lookup(&unit, &category, date);
        self.last_rate = Some((unit, category, date, found));
        found
    }

    /// The row's cell, category, unit and to_cell as interned names, each with its
    /// verdict against the declared names; or the problems of undeclared ones.
    fn declared_names(
        &mut self,
        line: u64,
        kind: Kind,
        [cell, category, unit, to_cell]: [&str; 4],
    ) -> Result<[(Column, Name, Verdict); 4], Vec<Diagnostic>> {
        let (cell, cell_verdict) = self.name(0, cell);
        let (category, category_verdict) = self.name(1, category);
        let (unit, unit_verdict) = self.name(2, unit);
        // Only a transfer's to_cell is a cell (an allocation's is a fund).
        let (to, to_verdict) = if kind == Kind::Transfer {
            self.name(3, to_cell)
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
    fn service_rate(
        &mut self,
        line: u64,
        names: &[(Column, Name, Verdict); 4],
        date: Date,
        quantity: Decimal,
    ) -> Result<RateIndex, Vec<Diagnostic>> {
        let (category, unit) = (names[1].1, names[2].1);
        let Some(index) = self.rate(unit, category, date) else {
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

    /// Adds the row's entry to `entries` and its texts to `texts`, and returns the entry,
    /// or returns every problem of the row.
    fn check<'e>(
        &mut self,
        row: &RawRow<'_>,
        entries: &'e mut Vec<Entry>,
        texts: &mut RowTexts,
    ) -> Result<&'e Entry, Vec<Diagnostic>> {
        let line = row.line;
        let mut problems = self.oversized(row);
        if !problems.is_empty() {
            return Err(problems);
        }
        let date = match self.date(row.get(Column::Date)) {
            Ok(date) => Some(date),
            Err(reason) => {
                let problem = self.problem(line, Column::Date, reason);
                match self.out_of_range.take() {
                    Some(after) => self.causes.outside.add(after, self.source(line), problem),
                    None => problems.push(problem),
                }
                None
            }
        };
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
        let names = self.declared_names(line, kind, [cell, category, unit, to_cell])?;
        let [(_, cell, _), (_, category, _), (_, unit, _), _] = names;
        let rate = if kind == Kind::Service {
            self.service_rate(line, &names, date, quantity)?
        } else {
            RateIndex::NONE
        };
        let to_cell = (!to_cell.is_empty()).then(|| self.name(3, to_cell).0);
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

/// A receipt id is unique across the ledger: each repeat names the first use.
///
/// A million receipts are checked through tables of their 64-bit hashes; ids whose
/// hashes collide fall back to a table of the ids. Each file's checker hashes its
/// receipts as it reads them and spreads them over parts by some of the hashes' bits,
/// so that each part's table is small enough to stay in the processor's cache and the
/// parts are checked in parallel, each over the files in input order.
fn receipt_hash(receipt: &str) -> u64 {
    Fast::default().hash_one(receipt.as_bytes())
}

/// Number of parts the receipts' hashes are spread over.
const RECEIPT_PARTS: usize = 256;

/// One file's receipts spread over [`RECEIPT_PARTS`] parts by bits 32 to 39 of their
/// hashes, each as (the hash's low 32 bits, index of the entry in the file), in input
/// order: 8 bytes a receipt.
struct ReceiptHashes(Vec<Vec<(u32, u32)>>);

impl ReceiptHashes {
    fn new(rows: usize) -> ReceiptHashes {
        ReceiptHashes(
            (0..RECEIPT_PARTS)
                .map(|_| Vec::with_capacity(rows / RECEIPT_PARTS * 9 / 8))
                .collect(),
        )
    }

    fn add(&mut self, hash: u64, index: usize) {
        let Ok(index) = u32::try_from(index) else {
            return;
        };
        if let Some(part) = self.0.get_mut((hash >> 32) as usize % RECEIPT_PARTS) {
            part.push((hash as u32, index));
        }
    }
}

/// Reports every repeated receipt, given each file's receipt hashes.
fn check_receipts(entries: &Entries, hashes: &[ReceiptHashes], problems: &mut Diagnostics) {
    let starts: Vec<usize> = entries.parts().map(|(start, _)| start).collect();
    let mut repeats: Vec<(u32, u32)> = (0..RECEIPT_PARTS)
        .into_par_iter()
        .flat_map_iter(|p| {
            let part: Vec<(usize, &[(u32, u32)])> = starts
                .iter()
                .zip(hashes)
                .filter_map(|(&start, file)| file.0.get(p).map(|h| (start, h.as_slice())))
                .collect();
            repeats_in(entries, &part)
        })
        .collect();
    // Reported in input order, as the rows are.
    repeats.sort_unstable();
    for (repeat, first) in repeats {
        let (Some(e), Some(first)) = (entries.row(repeat as usize), entries.get(first as usize))
        else {
            continue;
        };
        problems.push(Diagnostic::at(
            &*e.source.file,
            e.source.line as usize,
            format!(
                "receipt: {:?} is already used at {}",
                e.receipt().unwrap_or(""),
                first.source
            ),
        ));
    }
}

/// The repeats among one part's receipts (each file's index of its first entry, and
/// its (hash bits, index in the file) in input order): each repeat's index in the
/// ledger and its first use's.
fn repeats_in(entries: &Entries, part: &[(usize, &[(u32, u32)])]) -> Vec<(u32, u32)> {
    use std::collections::hash_map::Entry as Slot;
    let receipt_of = |i: u32| entries.receipt(i as usize);
    let mut seen: HashMap<u32, u32, Fast> =
        HashMap::with_capacity_and_hasher(part.iter().map(|(_, p)| p.len()).sum(), Fast::default());
    let mut collided: HashMap<&str, u32, Fast> = HashMap::default();
    let mut repeats = Vec::new();
    let in_order = part.iter().flat_map(|&(start, hashes)| {
        hashes
            .iter()
            .filter_map(move |&(h, i)| Some((h, u32::try_from(start + i as usize).ok()?)))
    });
    for (h, index) in in_order {
        match seen.entry(h) {
            Slot::Vacant(slot) => {
                slot.insert(index);
            }
            Slot::Occupied(slot) => {
                // Only here are the ids themselves read: a million lookups in the
                // entries would cost more than the whole table.
                let Some(receipt) = receipt_of(index) else {
                    continue;
                };
                let first = *slot.get();
                if receipt_of(first) == Some(receipt) {
                    repeats.push((index, first));
                } else {
                    match collided.entry(receipt) {
                        Slot::Vacant(other) => {
                            other.insert(index);
                        }
                        Slot::Occupied(other) => repeats.push((index, *other.get())),
                    }
                }
            }
        }
    }
    repeats
}

/// `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        let mut n: i16 = 0;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i16::from(c - b'0');
        }
        Some(n)
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// An exact decimal: digits with an optional dot and sign, no exponent, no grouping.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    if let Some(plain) = plain_decimal(text.as_bytes()) {
        return Ok(plain);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut dots = 0;
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|c| {
            dots += usize::from(c == b'.');
            c.is_ascii_digit() || c == b'.'
        })
        && dots <= 1
        && digits.bytes().any(|c| c.is_ascii_digit());
    if !well_formed {
        return Err(if text.is_empty() {
            "must not be empty".to_string()
        } else if text.contains(',') {
            format!("{text:?} is not a decimal (use a dot)")
        } else {
            format!("{text:?} is not a decimal")
        });
    }
    Decimal::from_str_exact(text).map_err(|_| format!("{text:?} has too many digits"))
}

/// The common case read directly, once per ledger row: up to 18 digits with at most
/// one dot between digits, and no sign. The same value and scale as
/// `Decimal::from_str_exact` gives (`2.50` keeps its two places).
fn plain_decimal(text: &[u8]) -> Option<Decimal> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale: Option<usize> = None;
    for (i, &c) in text.iter().enumerate() {
        match c {
            b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(c - b'0'),
            b'.' if scale.is_none() && i > 0 && i + 1 < text.len() => {
                scale = Some(text.len() - i - 1);
            }
            _ => return None,
        }
    }
    Some(Decimal::new(
        mantissa,
        u32::try_from(scale.unwrap_or(0)).ok()?,
    ))
}

/// The largest quantity a row may have, the largest rate and the largest annual budget
/// amount. Within them every sum the site shows stays exact: a row's value is at most
/// 10^18, and four billion rows of it add up to less than the 28 digits a decimal
/// holds.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);
pub const MAX_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0);

/// A decimal above zero, at most [`MAX_QUANTITY`].
pub fn parse_quantity(text: &str) -> Result<Decimal, String> {
    let q = parse_decimal(text)?;
    if q <= Decimal::ZERO {
        return Err(format!("must be greater than 0, not {text}"));
    }
    at_most(q, MAX_QUANTITY, text)
}

/// `value` (zero or more) if it is at most `max`; `text` is how it was written.
pub(super) fn at_most(value: Decimal, max: Decimal, text: &str) -> Result<Decimal, String> {
    // A value is at most its digits read as a whole number: compared first, that
    // settles nearly every row without bringing the two to one scale.
    if value.mantissa() > max.mantissa() && value > max {
        return Err(format!("{text} is too large: at most {max}"));
    }
    Ok(value)
}

pub(super) fn currency_problem(
    table: &RawTable,
    line: usize,
    currency: &str,
    site: &str,
) -> Option<Diagnostic> {
    (!currency.is_empty() && currency != site).then(|| {
        Diagnostic::at(
            &table.path,
            line,
            format!("currency: {currency:?} is not the site's currency {site}"),
        )
    })
}

/// The columns `data/rates.csv` must have.
const RATE_COLUMNS: &[&str] = &["unit", "rate", "valid_from"];

/// `data/rates.csv` → [`Rates`]; two rates for one unit, category and day are an error.
pub fn check_rates(table: Option<&RawTable>, site: &str, problems: &mut Diagnostics) -> Rates {
    let (rates, rejected) = check_rates_rejecting(table, site, problems);
    rejected.report(&RowsByCause::default(), problems);
    rates
}

/// [`check_rates`], keeping back the rows rejected for their own problems (with those
/// problems), to be reported with the ledger rows that needed them.
fn check_rates_rejecting(
    table: Option<&RawTable>,
    site: &str,
    problems: &mut Diagnostics,
) -> (Rates, RejectedRates) {
    let mut rejected = RejectedRates::default();
    let Some(table) = table else {
        return (Rates::default(), rejected);
    };
    let mut rates = Rates {
        path: table.path.clone(),
        rates: Vec::new(),
    };
    if !table.require(RATE_COLUMNS, problems) {
        return (rates, rejected);
    }
    let columns = RateColumns::of(table);
    let mut seen: HashMap<(String, Option<String>, Date), usize> = HashMap::new();
    for row in &table.rows {
        let rate = match columns.read(table, row, site) {
            Ok(rate) => rate,
            Err(rate) if rate.unit.is_empty() => {
                problems.extend(rate.problems);
                continue;
            }
            Err(rate) => {
                rejected.0.push(rate);
                continue;
            }
        };
        let key = (rate.unit.clone(), rate.category.clone(), rate.valid_from);
        if let Some(first) = seen.insert(key, row.line) {
            problems.push(Diagnostic::at(
                &table.path,
                row.line,
                format!(
                    "valid_from: a second rate for {} ({}) from {}; the first is at {}:{first}",
                    rate.unit,
                    rate.category.as_deref().unwrap_or("any category"),
                    rate.valid_from,
                    table.path.display()
                ),
            ));
            continue;
        }
        rates.rates.push(rate);
    }
    (rates, rejected)
}

/// The columns of `data/rates.csv`, by index.
struct RateColumns {
    unit: Option<usize>,
    category: Option<usize>,
    rate: Option<usize>,
    currency: Option<usize>,
    valid_from: Option<usize>,
    source: Option<usize>,
}

impl RateColumns {
    fn of(table: &RawTable) -> RateColumns {
        RateColumns {
            unit: table.column("unit"),
            category: table.column("category"),
            rate: table.column("rate"),
            currency: table.column("currency"),
            valid_from: table.column("valid_from"),
            source: table.column("source"),
        }
    }

    /// One row as a [`Rate`], or as a rejected rate holding all its problems.
    fn read(
        &self,
        table: &RawTable,
        row: &crate::load::valuation::RawTableRow,
        site: &str,
    ) -> Result<Rate, RejectedRate> {
        let at = |message: String| Diagnostic::at(&table.path, row.line, message);
        let mut found = Vec::new();
        let unit = row.get(self.unit);
        if unit.is_empty() {
            found.push(at("unit: must not be empty".into()));
        }
        let rate_text = row.get(self.rate);
        let value = parse_decimal(rate_text)
            .and_then(|r| {
                if r < Decimal::ZERO {
                    Err(format!("must not be negative, not {r}"))
                } else {
                    at_most(r, MAX_RATE, rate_text)
                }
            })
            .map_err(|reason| found.push(at(format!("rate: {reason}{}", symbol_hint(rate_text)))))
            .ok();
        let from_text = row.get(self.valid_from);
        let from = parse_iso_date(from_text);
        if from.is_none() {
            found.push(at(format!(
                "valid_from: {from_text:?} is not a date (expected YYYY-MM-DD)"
            )));
        }
        found.extend(currency_problem(
            table,
            row.line,
            row.get(self.currency),
            site,
        ));
        let category = row.get(self.category);
        let category = (!category.is_empty()).then(|| category.to_string());
        match (value, from, found.is_empty()) {
            (Some(rate), Some(valid_from), true) => Ok(Rate {
                unit: unit.to_string(),
                category,
                rate,
                currency: site.to_string(),
                valid_from,
                source: row.get(self.source).to_string(),
                line: row.line,
            }),
            _ => Err(RejectedRate {
                unit: unit.to_string(),
                category,
                valid_from: from.or_else(|| year_of(from_text)),
                problems: found,
            }),
        }
    }
}

/// 1 January of the year a mistyped date starts with (`2026-02-30`): the earliest the
/// date can have meant.
fn year_of(text: &str) -> Option<Date> {
    let year: i16 = text.get(..4)?.parse().ok()?;
    Date::new(year, 1, 1).ok()
}

/// A hint for an amount written with its currency (`£6.50`, `6,50 €`).
fn symbol_hint(text: &str) -> &'static str {
    let code = text
        .as_bytes()
        .windows(3)
        .any(|w| w.iter().all(u8::is_ascii_uppercase));
    if code || text.chars().any(|c| matches!(c, '£' | '€' | '$' | '¥')) {
        " (write the number alone: the currency is the site's, set in tally.toml)"
    } else {
        ""
    }
}

/// Hash tables for keys read a million times (receipt ids, cells): foldhash, with a
/// fixed seed so that a build does the same work each time. Not resistant to crafted
/// collisions, which a site's own ledger has no reason to contain (and a collision
/// only costs time: the ids themselves are compared).
type Fast = foldhash::fast::FixedState;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_largest_values_are_round_numbers() {
        assert_eq!(MAX_QUANTITY.to_string(), "1000000000000");
        assert_eq!(MAX_RATE.to_string(), "1000000");
        assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
        assert_eq!(
            parse_quantity("1000000000000.5").unwrap_err(),
            "1000000000000.5 is too large: at most 1000000000000"
        );
        assert!(parse_quantity("1000000000000").is_ok());
        // More digits than the largest value, yet no larger.
        assert!(parse_quantity("1000000000000.000").is_ok());
        assert!(parse_quantity("999999999999.99999").is_ok());
        assert!(parse_quantity("1000000000000.001").is_err());
        // A row's value stays far inside a decimal's 28 digits, however many rows.
        let most = MAX_QUANTITY * MAX_RATE * Decimal::from(u32::MAX);
        assert!(most < Decimal::MAX / Decimal::from(10));
    }

    #[test]
    fn decimals_are_exact_and_plain() {
        assert_eq!(parse_decimal("12.50").unwrap().to_string(), "12.50");
        assert_eq!(
            parse_decimal("12,5").unwrap_err(),
            "\"12,5\" is not a decimal (use a dot)"
        );
        assert!(parse_decimal("1e3").is_err());
        assert!(parse_decimal("1_000").is_err());
        assert!(parse_decimal(".").is_err());
        assert!(parse_decimal("1.2.3").is_err());
        assert_eq!(
            parse_quantity("0").unwrap_err(),
            "must be greater than 0, not 0"
        );
        assert_eq!(
            parse_quantity("-2").unwrap_err(),
            "must be greater than 0, not -2"
        );
    }

    #[test]
    fn repeated_receipts_are_found_even_when_every_hash_collides() {
        let part = |receipts: &[(&str, u32)]| {
            let mut file = FileEntries::default();
            for &(receipt, line) in receipts {
                let text = file.texts.push(receipt, "", "").unwrap();
                file.entries
                    .push(crate::model::ledger::test_entry(line, text));
            }
            file
        };
        // Two files: repeats are found across them, and reported in input order.
        let entries = Entries::from_parts(vec![
            part(&[("A", 2), ("B", 3)]),
            part(&[("A", 4), ("B", 5), ("C", 6)]),
        ]);
        for hash in [
            |_: &str| 0u64,
            |r: &str| r.len() as u64 + u64::from(r.as_bytes()[0]),
        ] {
            let hashes: Vec<ReceiptHashes> = entries
                .parts()
                .map(|(_, part)| {
                    let mut hashes = ReceiptHashes::new(part.entries.len());
                    for (i, row) in part.rows().enumerate() {
                        hashes.add(hash(row.receipt().unwrap()), i);
                    }
                    hashes
                })
                .collect();
            let mut problems = Diagnostics::default();
            check_receipts(&entries, &hashes, &mut problems);
            let found: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
            assert_eq!(
                found,
                vec![
                    "l.csv:4: receipt: \"A\" is already used at l.csv:2",
                    "l.csv:5: receipt: \"B\" is already used at l.csv:3",
                ]
            );
        }
    }

    #[test]
    fn receipt_numbers_rarely_share_a_hash() {
        let mut hashes = std::collections::HashSet::new();
        let mut n = 0;
        for prefix in ["FC", "SC", "CC"] {
            for year in 0..5 {
                for i in (0..2_000_000).step_by(41) {
                    hashes.insert(receipt_hash(&format!("{prefix}-{year}{i:07}")));
                    n += 1;
                }
            }
        }
        assert_eq!(hashes.len(), n);
    }

    #[test]
    fn plain_decimals_read_directly_equal_the_general_reading() {
        for text in [
            "0",
            "1",
            "12.50",
            "0.00",
            "007",
            "3.0",
            "40.0",
            "0.001",
            "123456789012345678",
            "12345678901234567.8",
            "1234567890123456789",
            "-2",
            "-0",
            "1.",
            ".5",
            "1.2.3",
            "",
            "1e3",
            "00.10",
        ] {
            let general = Decimal::from_str_exact(text).ok();
            if let Some(plain) = plain_decimal(text.as_bytes()) {
                assert_eq!(Some(plain), general, "{text}");
                assert_eq!(plain.to_string(), general.unwrap().to_string(), "{text}");
                assert_eq!(plain.serialize(), general.unwrap().serialize(), "{text}");
            }
        }
        assert!(plain_decimal(b"-2").is_none());
        assert!(plain_decimal(b"1.").is_none());
        assert!(plain_decimal(b"1234567890123456789").is_none());
        assert_eq!(plain_decimal(b"12.50").unwrap().to_string(), "12.50");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            parse_iso_date("2026-02-28"),
            Some(jiff::civil::date(2026, 2, 28))
        );
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("2026-2-28"), None);
        assert_eq!(parse_iso_date("28/02/2026"), None);
    }
}
