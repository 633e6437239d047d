//! Adding up: every entry into its week, once, each file in parallel; then the empty
//! weeks, and each week's sheets (`sheets.rs`): the treasury balances and the week
//! beside the city.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::sheets::{RunningTreasury, category_sheets};
use super::sum::CellSums;
use super::*;
use crate::model::week::WeekId;

/// A week being added up. Each row touches one accumulator only; the per-category
/// lines and the reconciliation's unit totals are derived from them when the week is
/// finished.
#[derive(Debug, Clone)]
struct WeekSums {
    entries: Vec<u32>,
    cells: Vec<CellSums>,
    flows: Vec<Flow>,
    income: Decimal,
    expense: Decimal,
    /// Income and expense rows, and the unit they are in (the site's currency).
    money_rows: u64,
    money_unit: Option<Name>,
    allocations: BTreeMap<String, Decimal>,
    by_kind: [u64; 6],
}

impl WeekSums {
    fn new() -> WeekSums {
        WeekSums {
            entries: Vec::new(),
            cells: Vec::new(),
            flows: Vec::new(),
            income: Decimal::ZERO,
            expense: Decimal::ZERO,
            money_rows: 0,
            money_unit: None,
            allocations: BTreeMap::new(),
            by_kind: [0; 6],
        }
    }

    /// Adds a row, `value` being its value (service rows).
    fn add(&mut self, index: u32, row: LedgerRow<'_>, value: Option<Decimal>) {
        let e = row.entry;
        self.entries.push(index);
        self.by_kind[e.kind as usize] += 1;
        match e.kind {
            Kind::Service | Kind::Contribution => {
                cell_for(&mut self.cells, e).add(row, value);
            }
            Kind::Transfer | Kind::Allocation => {
                let to = e.to_cell.as_ref().unwrap_or(&e.cell);
                match self.flows.iter_mut().find(|f| {
                    f.kind == e.kind
                        && f.from == e.cell
                        && f.to == *to
                        && f.category == e.category
                        && f.unit == e.unit
                }) {
                    Some(f) => {
                        f.quantity += e.quantity;
                        f.rows += 1;
                    }
                    None => self.flows.push(Flow {
                        from: e.cell,
                        to: *to,
                        kind: e.kind,
                        category: e.category,
                        unit: e.unit,
                        quantity: e.quantity,
                        rows: 1,
                    }),
                }
                if e.kind == Kind::Allocation {
                    *self.allocations.entry(to.to_string()).or_default() += e.quantity;
                }
            }
            Kind::Income | Kind::Expense => {
                if e.kind == Kind::Income {
                    self.income += e.quantity;
                } else {
                    self.expense += e.quantity;
                }
                self.money_rows += 1;
                if self.money_unit.is_none() {
                    self.money_unit = Some(e.unit);
                }
            }
        }
    }

    /// Adds up what `later` counted from rows after this one's, keeping input order.
    fn merge(&mut self, later: WeekSums) {
        self.entries.extend(later.entries);
        for c in later.cells {
            match self
                .cells
                .iter_mut()
                .find(|l| l.is(&c.cell, &c.category, &c.unit))
            {
                Some(l) => l.merge(&c),
                None => self.cells.push(c),
            }
        }
        for f in later.flows {
            match self.flows.iter_mut().find(|g| {
                g.kind == f.kind
                    && g.from == f.from
                    && g.to == f.to
                    && g.category == f.category
                    && g.unit == f.unit
            }) {
                Some(g) => {
                    g.quantity += f.quantity;
                    g.rows += f.rows;
                }
                None => self.flows.push(f),
            }
        }
        self.income += later.income;
        self.expense += later.expense;
        self.money_rows += later.money_rows;
        if self.money_unit.is_none() {
            self.money_unit = later.money_unit;
        }
        for (name, amount) in later.allocations {
            *self.allocations.entry(name).or_default() += amount;
        }
        for (n, m) in self.by_kind.iter_mut().zip(later.by_kind) {
            *n += m;
        }
    }

    /// The cells' lines.
    fn cells(&self) -> Vec<Line> {
        self.cells.iter().map(CellSums::line).collect()
    }

    /// The per-category lines: the cells' lines added up.
    fn lines(cells: &[Line]) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        for c in cells {
            let line = match lines
                .iter_mut()
                .find(|l| l.category == c.category && l.unit == c.unit)
            {
                Some(l) => l,
                None => {
                    lines.push(Line::new(None, c.category, c.unit));
                    let last = lines.len() - 1;
                    &mut lines[last]
                }
            };
            line.services += c.services;
            line.drawn += c.drawn;
            line.receipts += c.receipts;
            line.contribution_rows += c.contribution_rows;
            line.contributed += c.contributed;
            line.value += c.value;
        }
        lines
    }

    /// Rows and quantities per unit over every kind, and the value of every row.
    fn reconciliation(&self, cells: &[Line]) -> Reconciliation {
        let mut units: Vec<UnitTotal> = Vec::new();
        let mut add = |unit: &Name, rows: u64, quantity: Decimal| match units
            .iter_mut()
            .find(|u| u.unit == *unit)
        {
            Some(u) => {
                u.rows += rows;
                u.quantity += quantity;
            }
            None => units.push(UnitTotal {
                unit: *unit,
                rows,
                quantity,
            }),
        };
        for c in cells {
            add(
                &c.unit,
                c.services + c.contribution_rows,
                c.drawn + c.contributed,
            );
        }
        for f in &self.flows {
            add(&f.unit, f.rows, f.quantity);
        }
        if let Some(unit) = &self.money_unit {
            add(unit, self.money_rows, self.income + self.expense);
        }
        units.sort_by_key(|u| u.unit);
        Reconciliation {
            rows_read: self.entries.len() as u64,
            by_kind: self.by_kind,
            units,
            value: cells.iter().map(|c| c.value).sum(),
        }
    }
}

fn cell_for<'a>(cells: &'a mut Vec<CellSums>, e: &Entry) -> &'a mut CellSums {
    let found = cells
        .iter()
        .position(|c| c.is(&e.cell, &e.category, &e.unit));
    let i = match found {
        Some(i) => i,
        None => {
            cells.push(CellSums::new(e.cell, e.category, e.unit));
            cells.len() - 1
        }
    };
    &mut cells[i]
}

/// One file's entries added up by week, in input order, each entry known by its index
/// in the whole ledger.
#[derive(Debug, Clone, Default)]
struct FileWeeks {
    accs: Vec<(WeekId, WeekSums)>,
    slot: HashMap<WeekId, usize>,
    /// The last entry's week and its place in `accs`: rows come in date order.
    last: Option<(WeekId, usize)>,
}

impl FileWeeks {
    /// Adds the file's next entry; `index` is its place in the file's entries, `value`
    /// its value (service rows).
    fn add(&mut self, index: u32, row: LedgerRow<'_>, value: Option<Decimal>) {
        let e = row.entry;
        let at = match self.last {
            Some((w, at)) if w == e.week => at,
            _ => {
                let accs = &mut self.accs;
                let at = *self.slot.entry(e.week).or_insert_with(|| {
                    accs.push((e.week, WeekSums::new()));
                    accs.len() - 1
                });
                self.last = Some((e.week, at));
                at
            }
        };
        if let Some((_, acc)) = self.accs.get_mut(at) {
            acc.add(index, row, value);
        }
    }

    /// The weeks of one part of the entries, `start` being the index of its first entry.
    fn of(start: usize, part: &FileEntries, rates: &Rates) -> FileWeeks {
        let mut weeks = FileWeeks::default();
        for (i, row) in part.rows().enumerate() {
            if let Ok(index) = u32::try_from(i) {
                weeks.add(index, row, rates.value_of(row.entry));
            }
        }
        weeks.into_ledger(start)
    }

    /// The same weeks with each entry known by its index in the whole ledger.
    fn into_ledger(mut self, start: usize) -> FileWeeks {
        if let Ok(start) = u32::try_from(start)
            && start > 0
        {
            for (_, acc) in &mut self.accs {
                for index in &mut acc.entries {
                    *index = index.saturating_add(start);
                }
            }
        }
        self
    }
}

/// Adds up every entry into its week (each file's part in parallel, then merged in
/// input order), then fills the weeks between the first row and the as-of date, runs
/// the treasury balances and sets each week beside the city. The one place the ledger
/// is added up.
pub(super) fn aggregate(
    entries: &Entries,
    rates: &Rates,
    budget: &CityBudget,
    as_of: Option<Date>,
) -> Vec<WeekReport> {
    let mut by_week = add_up_by_week(entries, rates);
    let Some(current) = fill_weeks(&mut by_week, as_of) else {
        return Vec::new();
    };
    let budget_categories = budget.categories();
    let mut treasury = RunningTreasury::default();
    let mut weeks = Vec::with_capacity(by_week.len());
    for (week, acc) in by_week {
        let mut cells = acc.cells();
        let mut lines = WeekSums::lines(&cells);
        let reconciliation = acc.reconciliation(&cells);
        lines.sort_by(|a, b| (&a.category, &a.unit).cmp(&(&b.category, &b.unit)));
        cells.sort_by(|a, b| (&a.cell, &a.category, &a.unit).cmp(&(&b.cell, &b.category, &b.unit)));
        let categories = category_sheets(week, &lines, budget, &budget_categories);
        let treasury = treasury.week(acc.income, acc.expense, &acc.allocations);
        weeks.push(WeekReport {
            week,
            status: if week == current && as_of.is_some() {
                WeekStatus::InProgress
            } else {
                WeekStatus::Closed
            },
            entries: acc.entries,
            lines,
            cells,
            categories,
            flows: sorted_flows(acc.flows),
            treasury,
            reconciliation,
        });
    }
    weeks
}

/// Every entry added into its week: each file's part in parallel, then merged in
/// input order.
fn add_up_by_week(entries: &Entries, rates: &Rates) -> BTreeMap<WeekId, WeekSums> {
    use rayon::prelude::*;
    let parts: Vec<(usize, &FileEntries)> = entries.parts().collect();
    let added: Vec<FileWeeks> = parts
        .into_par_iter()
        .map(|(start, part)| FileWeeks::of(start, part, rates))
        .collect();
    let mut by_week: BTreeMap<WeekId, WeekSums> = BTreeMap::new();
    for (week, acc) in added.into_iter().flat_map(|weeks| weeks.accs) {
        match by_week.entry(week) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(acc);
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => slot.get_mut().merge(acc),
        }
    }
    by_week
}

/// Adds an empty week for each week without rows between the first row and the
/// current week (the later of the last row's and the as-of date's); returns the
/// current week, or `None` when there are no rows at all.
fn fill_weeks(by_week: &mut BTreeMap<WeekId, WeekSums>, as_of: Option<Date>) -> Option<WeekId> {
    let first = by_week.keys().next().copied()?;
    let last_row = by_week.keys().next_back().copied()?;
    let current = as_of.map(WeekId::of).map_or(last_row, |w| w.max(last_row));
    let mut week = first;
    while week < current {
        let Some(next) = week.checked_next() else {
            break;
        };
        week = next;
        by_week.entry(week).or_insert_with(WeekSums::new);
    }
    Some(current)
}

/// The week's flows in a stable order: kind, from, to, category, unit.
fn sorted_flows(mut flows: Vec<Flow>) -> Vec<Flow> {
    flows.sort_by(|a, b| {
        (a.kind, &a.from, &a.to, &a.category, &a.unit).cmp(&(
            b.kind,
            &b.from,
            &b.to,
            &b.category,
            &b.unit,
        ))
    });
    flows
}
