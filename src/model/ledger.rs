//! The ledger as plain data: validated [`Entry`]s (private columns included, with their
//! source file and line), the [`Rates`] that value them, the [`CityBudget`], and the
//! [`WeekReport`]s aggregated from them. Nothing here formats for display or decides
//! what is public: rendering does, and never writes `counterparty`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::week::WeekId;

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Drawn by a resident: a commons receipt, valued at replacement cost.
    Service,
    /// Given to the commons (hours, goods).
    Contribution,
    /// From one cell to another (`to_cell`).
    Transfer,
    /// Money in.
    Income,
    /// Money out.
    Expense,
    /// Money set aside into a fund (`to_cell` names the fund).
    Allocation,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Service,
        Kind::Contribution,
        Kind::Transfer,
        Kind::Income,
        Kind::Expense,
        Kind::Allocation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Contribution => "contribution",
            Kind::Transfer => "transfer",
            Kind::Income => "income",
            Kind::Expense => "expense",
            Kind::Allocation => "allocation",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == text)
    }

    /// Rows of these kinds move money and must be in the site's currency.
    pub fn is_money(self) -> bool {
        matches!(self, Kind::Income | Kind::Expense | Kind::Allocation)
    }

    /// Rows of these kinds name a receiver in `to_cell`.
    pub fn needs_to_cell(self) -> bool {
        matches!(self, Kind::Transfer | Kind::Allocation)
    }
}

/// Where a row came from: the file relative to the site and its line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: Arc<Path>,
    pub line: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A row's own text (receipt, counterparty, memo). Short values, the usual case, are
/// kept inside the entry itself; only longer ones take an allocation of their own, so
/// building and freeing a million entries does not cost millions of allocations.
/// Reads as `&str` through `Deref`: `entry.receipt.as_deref()` is an `Option<&str>`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(TextRepr);

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum TextRepr {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// The longest text kept inline, in bytes.
    pub const INLINE: usize = 22;

    pub fn new(text: &str) -> Text {
        let b = text.as_bytes();
        if b.len() <= Text::INLINE {
            let mut bytes = [0u8; Text::INLINE];
            bytes[..b.len()].copy_from_slice(b);
            Text(TextRepr::Inline {
                len: b.len() as u8,
                bytes,
            })
        } else {
            Text(TextRepr::Heap(Box::from(text)))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always the bytes of a whole `&str`: valid UTF-8.
            TextRepr::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
            TextRepr::Heap(text) => text,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl From<Box<str>> for Text {
    fn from(text: Box<str>) -> Text {
        Text::new(&text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::new(&text)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One validated ledger row. `counterparty` and `memo` are private: they are kept for
/// seals and checks, never rendered (memo only when `privacy.publish_memos`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub date: Date,
    pub week: WeekId,
    pub cell: Arc<str>,
    pub category: Arc<str>,
    pub kind: Kind,
    pub quantity: Decimal,
    pub unit: Arc<str>,
    pub receipt: Option<Text>,
    pub to_cell: Option<Arc<str>>,
    /// PRIVATE: never written to the output.
    pub counterparty: Option<Text>,
    /// Private unless `privacy.publish_memos`.
    pub memo: Option<Text>,
    /// Index into [`Rates::rates`] of the rate applied (service rows).
    pub rate: Option<u32>,
    /// `quantity × rate`, in the site's currency (service rows).
    pub value: Option<Decimal>,
    pub source: Source,
}

/// One row of `data/rates.csv`: the replacement cost of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub unit: String,
    /// `None`: any category.
    pub category: Option<String>,
    pub rate: Decimal,
    pub currency: String,
    pub valid_from: Date,
    pub source: String,
    /// Line in `data/rates.csv`.
    pub line: usize,
}

/// The valuation table.
#[derive(Debug, Clone, Default)]
pub struct Rates {
    pub path: PathBuf,
    pub rates: Vec<Rate>,
}

impl Rates {
    /// The rate in force for `unit` and `category` on `date`: among the rates of that
    /// unit with `valid_from` not after the date, the most specific category (its own
    /// before blank), then the latest `valid_from`.
    pub fn lookup(&self, unit: &str, category: &str, date: Date) -> Option<u32> {
        let mut best: Option<(bool, Date, usize)> = None;
        for (i, rate) in self.rates.iter().enumerate() {
            if rate.unit != unit || rate.valid_from > date {
                continue;
            }
            let specific = match &rate.category {
                Some(c) if c == category => true,
                Some(_) => continue,
                None => false,
            };
            let key = (specific, rate.valid_from, i);
            if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
                best = Some(key);
            }
        }
        best.and_then(|(_, _, i)| u32::try_from(i).ok())
    }

    /// The rate row applied to an entry, if it was valued.
    pub fn of(&self, entry: &Entry) -> Option<&Rate> {
        entry.rate.and_then(|i| self.rates.get(i as usize))
    }

    pub fn get(&self, index: u32) -> Option<&Rate> {
        self.rates.get(index as usize)
    }
}

/// One line of `data/city-budget.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub year: i16,
    pub category: String,
    pub amount: Decimal,
    pub currency: String,
    /// The budget line's name (`Food assistance programme`).
    pub name: String,
    pub source: String,
    /// Line in `data/city-budget.csv`.
    pub line: usize,
}

/// The city's annual spending on the needs the network meets.
#[derive(Debug, Clone, Default)]
pub struct CityBudget {
    pub path: PathBuf,
    pub lines: Vec<BudgetLine>,
}

/// The city's budget for one category over one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyShare {
    pub amount: Decimal,
    /// Days of the week (0–7) that fall in a year with a budget for the category.
    pub days: u8,
}

impl CityBudget {
    /// The annual amount for a category (all its lines added up), if the year has any.
    pub fn annual(&self, year: i16, category: &str) -> Option<Decimal> {
        let mut total = None;
        for line in &self.lines {
            if line.year == year && line.category == category {
                *total.get_or_insert(Decimal::ZERO) += line.amount;
            }
        }
        total
    }

    /// The categories with a budget, sorted.
    pub fn categories(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self.lines.iter().map(|l| l.category.as_str()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The week's pro-rata share: `amount × days of the week in that year ÷ days in the
    /// year`, added over the years the week touches. `None` when no year has a budget.
    pub fn weekly_share(&self, week: WeekId, category: &str) -> Option<WeeklyShare> {
        let monday = week.monday();
        let mut per_year: Vec<(i16, i16, u8)> = Vec::new(); // year, days in year, days
        for d in 0..7 {
            let day = monday.saturating_add(jiff::Span::new().days(d));
            match per_year.last_mut() {
                Some((y, _, n)) if *y == day.year() => *n += 1,
                _ => per_year.push((day.year(), day.days_in_year(), 1)),
            }
        }
        let mut share: Option<WeeklyShare> = None;
        for (year, days_in_year, days) in per_year {
            if let Some(annual) = self.annual(year, category) {
                let s = share.get_or_insert(WeeklyShare {
                    amount: Decimal::ZERO,
                    days: 0,
                });
                s.amount += annual * Decimal::from(days) / Decimal::from(days_in_year);
                s.days += days;
            }
        }
        share
    }
}

/// Whether a week is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WeekStatus {
    /// Before the week holding the as-of date: its figures are final.
    Closed,
    /// The week holding the as-of date: more rows may come.
    InProgress,
}

/// Totals for one category and unit (or one cell, category and unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub cell: Option<Arc<str>>,
    pub category: Arc<str>,
    pub unit: Arc<str>,
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
    fn new(cell: Option<Arc<str>>, category: Arc<str>, unit: Arc<str>) -> Line {
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

    fn matches(&self, cell: Option<&Arc<str>>, category: &Arc<str>, unit: &Arc<str>) -> bool {
        same(&self.category, category)
            && same(&self.unit, unit)
            && match (&self.cell, cell) {
                (Some(a), Some(b)) => same(a, b),
                (None, None) => true,
                _ => false,
            }
    }

    fn add(&mut self, entry: &Entry) {
        match entry.kind {
            Kind::Service => {
                self.services += 1;
                self.drawn += entry.quantity;
                self.receipts += u64::from(entry.receipt.is_some());
                self.value += entry.value.unwrap_or_default();
            }
            Kind::Contribution => {
                self.contribution_rows += 1;
                self.contributed += entry.quantity;
            }
            _ => {}
        }
    }
}

fn same(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Commons against city for one category in one week.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub from: Arc<str>,
    pub to: Arc<str>,
    pub kind: Kind,
    pub category: Arc<str>,
    pub unit: Arc<str>,
    pub quantity: Decimal,
    pub rows: u64,
}

/// A fund's position at the end of a week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fund {
    pub name: String,
    pub allocated: Decimal,
    pub balance: Decimal,
}

/// The treasury's week: money in, out, set aside, and the running balances.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTotal {
    pub unit: Arc<str>,
    pub rows: u64,
    /// Sum of every row's quantity in this unit, whatever its kind.
    pub quantity: Decimal,
}

/// Every row of the week accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

fn ratio(value: Decimal, share: Decimal) -> Option<Decimal> {
    (share > Decimal::ZERO).then(|| value / share)
}

/// The rows read from one ledger file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerFileRows {
    pub path: PathBuf,
    pub rows: u64,
}

/// The validated ledger, ready to model.
#[derive(Debug, Clone, Default)]
pub struct CheckedLedger {
    /// In input order: files sorted by path, rows by line.
    pub entries: Vec<Entry>,
    pub files: Vec<LedgerFileRows>,
    pub rates: Rates,
    pub budget: CityBudget,
}

impl CheckedLedger {
    /// The latest date of any row.
    pub fn latest_date(&self) -> Option<Date> {
        self.entries.iter().map(|e| e.date).max()
    }
}

/// The ledger and its weeks.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub entries: Vec<Entry>,
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
        let weeks = aggregate(&checked.entries, &checked.budget, as_of);
        Ledger {
            entries: checked.entries,
            files: checked.files,
            rates: checked.rates,
            budget: checked.budget,
            as_of,
            weeks,
            currency: currency.to_string(),
        }
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

/// A week being added up. Each row touches one accumulator only; the per-category
/// lines and the reconciliation's unit totals are derived from them when the week is
/// finished.
struct Acc {
    entries: Vec<u32>,
    cells: Vec<Line>,
    flows: Vec<Flow>,
    income: Decimal,
    expense: Decimal,
    /// Income and expense rows, and the unit they are in (the site's currency).
    money_rows: u64,
    money_unit: Option<Arc<str>>,
    allocations: BTreeMap<String, Decimal>,
    by_kind: [u64; 6],
}

impl Acc {
    fn new() -> Acc {
        Acc {
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

    fn add(&mut self, index: u32, e: &Entry) {
        self.entries.push(index);
        self.by_kind[e.kind as usize] += 1;
        match e.kind {
            Kind::Service | Kind::Contribution => {
                line_for(&mut self.cells, Some(&e.cell), e).add(e);
            }
            Kind::Transfer | Kind::Allocation => {
                let to = e.to_cell.as_ref().unwrap_or(&e.cell);
                match self.flows.iter_mut().find(|f| {
                    f.kind == e.kind
                        && same(&f.from, &e.cell)
                        && same(&f.to, to)
                        && same(&f.category, &e.category)
                        && same(&f.unit, &e.unit)
                }) {
                    Some(f) => {
                        f.quantity += e.quantity;
                        f.rows += 1;
                    }
                    None => self.flows.push(Flow {
                        from: e.cell.clone(),
                        to: to.clone(),
                        kind: e.kind,
                        category: e.category.clone(),
                        unit: e.unit.clone(),
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
                    self.money_unit = Some(e.unit.clone());
                }
            }
        }
    }

    /// The per-category lines: the cells' lines added up.
    fn lines(&self) -> Vec<Line> {
        let mut lines: Vec<Line> = Vec::new();
        for c in &self.cells {
            let line = match lines
                .iter_mut()
                .find(|l| same(&l.category, &c.category) && same(&l.unit, &c.unit))
            {
                Some(l) => l,
                None => {
                    lines.push(Line::new(None, c.category.clone(), c.unit.clone()));
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
    fn reconciliation(&self) -> Reconciliation {
        let mut units: Vec<UnitTotal> = Vec::new();
        let mut add = |unit: &Arc<str>, rows: u64, quantity: Decimal| match units
            .iter_mut()
            .find(|u| same(&u.unit, unit))
        {
            Some(u) => {
                u.rows += rows;
                u.quantity += quantity;
            }
            None => units.push(UnitTotal {
                unit: unit.clone(),
                rows,
                quantity,
            }),
        };
        for c in &self.cells {
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
        units.sort_by(|a, b| a.unit.cmp(&b.unit));
        Reconciliation {
            rows_read: self.entries.len() as u64,
            by_kind: self.by_kind,
            units,
            value: self.cells.iter().map(|c| c.value).sum(),
        }
    }
}

fn line_for<'a>(lines: &'a mut Vec<Line>, cell: Option<&Arc<str>>, e: &Entry) -> &'a mut Line {
    let found = lines
        .iter()
        .position(|l| l.matches(cell, &e.category, &e.unit));
    let i = match found {
        Some(i) => i,
        None => {
            lines.push(Line::new(cell.cloned(), e.category.clone(), e.unit.clone()));
            lines.len() - 1
        }
    };
    &mut lines[i]
}

/// Adds up every entry into its week, then fills the weeks between the first row and
/// the as-of date, runs the treasury balances and sets each week beside the city.
fn aggregate(entries: &[Entry], budget: &CityBudget, as_of: Option<Date>) -> Vec<WeekReport> {
    let mut accs: Vec<(WeekId, Acc)> = Vec::new();
    let mut slot: HashMap<WeekId, usize> = HashMap::new();
    let mut last: Option<(WeekId, usize)> = None;
    for (i, e) in entries.iter().enumerate() {
        let at = match last {
            Some((w, at)) if w == e.week => at,
            _ => {
                let at = *slot.entry(e.week).or_insert_with(|| {
                    accs.push((e.week, Acc::new()));
                    accs.len() - 1
                });
                last = Some((e.week, at));
                at
            }
        };
        if let (Some((_, acc)), Ok(index)) = (accs.get_mut(at), u32::try_from(i)) {
            acc.add(index, e);
        }
    }
    let mut by_week: BTreeMap<WeekId, Acc> = accs.into_iter().collect();
    let (Some(first), Some(last_row)) = (
        by_week.keys().next().copied(),
        by_week.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let current = as_of.map(WeekId::of).map_or(last_row, |w| w.max(last_row));
    let mut week = first;
    while week < current {
        week = week.next();
        by_week.entry(week).or_insert_with(Acc::new);
    }

    let budget_categories = budget.categories();
    let mut balance = Decimal::ZERO;
    let mut funds: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut weeks = Vec::with_capacity(by_week.len());
    for (week, acc) in by_week {
        let mut lines = acc.lines();
        let reconciliation = acc.reconciliation();
        lines.sort_by(|a, b| (&a.category, &a.unit).cmp(&(&b.category, &b.unit)));
        let mut cells = acc.cells;
        cells.sort_by(|a, b| (&a.cell, &a.category, &a.unit).cmp(&(&b.cell, &b.category, &b.unit)));
        let mut flows = acc.flows;
        flows.sort_by(|a, b| {
            (a.kind, &a.from, &a.to, &a.category, &a.unit).cmp(&(
                b.kind,
                &b.from,
                &b.to,
                &b.category,
                &b.unit,
            ))
        });

        let mut categories: BTreeMap<String, Decimal> = budget_categories
            .iter()
            .map(|c| (c.to_string(), Decimal::ZERO))
            .collect();
        for line in lines.iter().filter(|l| l.services > 0) {
            *categories.entry(line.category.to_string()).or_default() += line.value;
        }
        let categories = categories
            .into_iter()
            .map(|(category, value)| {
                let city_share = budget.weekly_share(week, &category);
                CategorySheet {
                    ratio: city_share.and_then(|s| ratio(value, s.amount)),
                    category,
                    value,
                    city_share,
                }
            })
            .collect();

        let allocated: Decimal = acc.allocations.values().copied().sum();
        let opening = balance;
        balance = opening + acc.income - acc.expense - allocated;
        for (name, amount) in &acc.allocations {
            *funds.entry(name.clone()).or_default() += *amount;
        }
        let treasury = Treasury {
            opening,
            income: acc.income,
            expense: acc.expense,
            allocated,
            closing: balance,
            funds: funds
                .iter()
                .map(|(name, balance)| Fund {
                    name: name.clone(),
                    allocated: acc.allocations.get(name).copied().unwrap_or_default(),
                    balance: *balance,
                })
                .collect(),
        };
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
            flows,
            treasury,
            reconciliation,
        });
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn text_reads_back_short_long_and_multibyte_values() {
        let at_limit = "x".repeat(Text::INLINE);
        let over_limit = "x".repeat(Text::INLINE + 1);
        for value in [
            "",
            "FC-00000123",
            &at_limit,
            &over_limit,
            "sorting, shift after the market closed",
            "café à côté — œuvre",
        ] {
            let text = Text::new(value);
            assert_eq!(text.as_str(), value);
            assert_eq!(format!("{text:?}"), format!("{value:?}"));
            assert_eq!(Some(text).as_deref(), Some(value));
        }
        assert_eq!(Text::new("a"), Text::from(String::from("a")));
        assert_ne!(Text::new("a"), Text::new("b"));
    }

    fn rate(unit: &str, category: Option<&str>, rate: &str, from: Date) -> Rate {
        Rate {
            unit: unit.into(),
            category: category.map(Into::into),
            rate: rate.parse().unwrap(),
            currency: "EUR".into(),
            valid_from: from,
            source: String::new(),
            line: 0,
        }
    }

    #[test]
    fn rate_is_the_most_specific_category_then_the_latest_in_force() {
        let rates = Rates {
            path: PathBuf::new(),
            rates: vec![
                rate("kg", Some("food"), "3.80", date(2026, 1, 1)),
                rate("kg", None, "3.20", date(2026, 1, 1)),
                rate("kg", Some("food"), "4.00", date(2026, 6, 1)),
                rate("kg", None, "9.99", date(2026, 7, 1)),
                rate("h", Some("food"), "1", date(2020, 1, 1)),
            ],
        };
        assert_eq!(rates.lookup("kg", "food", date(2026, 5, 31)), Some(0));
        assert_eq!(rates.lookup("kg", "food", date(2026, 6, 1)), Some(2));
        assert_eq!(rates.lookup("kg", "food", date(2026, 8, 1)), Some(2));
        assert_eq!(rates.lookup("kg", "seeds", date(2026, 6, 30)), Some(1));
        assert_eq!(rates.lookup("kg", "seeds", date(2026, 7, 1)), Some(3));
        assert_eq!(rates.lookup("kg", "food", date(2025, 12, 31)), None);
        assert_eq!(rates.lookup("h", "care", date(2026, 1, 1)), None);
    }

    #[test]
    fn weekly_share_is_pro_rata_by_days_across_new_year() {
        let line = |year, amount: &str| BudgetLine {
            year,
            category: "food".into(),
            amount: amount.parse().unwrap(),
            currency: "EUR".into(),
            name: String::new(),
            source: String::new(),
            line: 0,
        };
        let budget = CityBudget {
            path: PathBuf::new(),
            lines: vec![
                line(2026, "36500"),
                line(2027, "36500"),
                line(2027, "36500"),
            ],
        };
        // 2026-W53 runs Monday 28 December 2026 to Sunday 3 January 2027:
        // 4 days of 2026 at 100/day and 3 days of 2027 at 200/day.
        let share = budget
            .weekly_share(WeekId::parse("2026-W53").unwrap(), "food")
            .unwrap();
        assert_eq!(share.amount, Decimal::from(1000));
        assert_eq!(share.days, 7);
        // Without a 2027 budget only the 2026 days count.
        let only_2026 = CityBudget {
            path: PathBuf::new(),
            lines: vec![line(2026, "36500")],
        };
        let share = only_2026
            .weekly_share(WeekId::parse("2026-W53").unwrap(), "food")
            .unwrap();
        assert_eq!((share.amount, share.days), (Decimal::from(400), 4));
        assert!(
            only_2026
                .weekly_share(WeekId::parse("2026-W53").unwrap(), "care")
                .is_none()
        );
    }
}
