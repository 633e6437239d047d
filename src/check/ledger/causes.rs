//! What ledger rows fail or are warned of for a cause they share (a rejected rate, a
//! currency or a `[dates]` bound mistaken in `tally.toml`, a name a few letters from a
//! declared one), gathered per file, merged in input order and reported once per cause.

use std::collections::HashMap;

use crate::check::names::NameKind;
use crate::check::root_causes::{RejectedRates, RowsByCause};
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::model::ledger::{Name, Source};

/// What rows fail or are warned of for a cause they share, gathered over the files in
/// input order, to be reported once per cause where the cause is one line.
#[derive(Default)]
pub(super) struct Causes {
    /// Rows without a rate because theirs was rejected, by rejected rate.
    pub(super) needs: RowsByCause,
    /// Names a few letters from a declared one.
    pub(super) near: NearMisses,
    pub(super) money: MoneyRows,
    pub(super) outside: DatesOutside,
}

impl Causes {
    /// Adds a later file's.
    pub(super) fn merge(&mut self, later: Causes) {
        self.needs.merge(later.needs);
        self.near.merge(later.near);
        self.money.merge(later.money);
        self.outside.merge(later.outside);
    }

    /// Reports the errors; returns the warnings.
    pub(super) fn report(
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
pub(super) struct MoneyRows {
    pub(super) own: u64,
    pub(super) foreign: Vec<(Name, Source, Diagnostic)>,
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
                crate::check::root_causes::grouped(*rows),
                crate::check::root_causes::grouped(self.own),
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
pub(super) struct DatesOutside {
    before: Vec<(Source, Diagnostic)>,
    after: Vec<(Source, Diagnostic)>,
}

impl DatesOutside {
    pub(super) fn add(&mut self, after: bool, row: Source, problem: Diagnostic) {
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
                            crate::check::root_causes::grouped(rows.len() as u64)
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
pub(super) struct NearMisses(HashMap<(NameKind, Name, &'static str), (Source, u64)>);

impl NearMisses {
    pub(super) fn add(&mut self, kind: NameKind, name: Name, near: &'static str, row: Source) {
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
                crate::check::names::near_miss(kind, &name, near, &first.to_string(), rows)
            })
            .collect()
    }
}
