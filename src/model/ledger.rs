//! The ledger as plain data: validated [`Entry`]s (private columns included, with their
//! source file and line), the [`Rates`] that value them, the [`CityBudget`], and the
//! [`WeekReport`]s aggregated from them. Nothing here formats for display or decides
//! what is public: rendering does, and never writes `counterparty`.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::interned::Table;
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
        // Once per ledger row: a match compares the length first.
        match text {
            "service" => Some(Kind::Service),
            "contribution" => Some(Kind::Contribution),
            "transfer" => Some(Kind::Transfer),
            "income" => Some(Kind::Income),
            "expense" => Some(Kind::Expense),
            "allocation" => Some(Kind::Allocation),
            _ => None,
        }
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

/// A name from the ledger (cell, category, unit, fund), kept once for the whole
/// process. A ledger of a million rows repeats a handful of names: an entry holds the
/// name's 4-byte number in one table of every name, which costs nothing to copy or to
/// free. Names are never freed; the table grows only with names not seen before, so
/// rebuilding a site (`tally serve`) keeps it the same size. Reads as `&str` through
/// `Deref`, without a lock; compares, sorts and hashes as its text.
#[derive(Clone, Copy)]
pub struct Name(NonZeroU32);

/// Every name kept so far.
static NAMES: Table<str> = Table::new();

impl Name {
    pub fn new(text: &str) -> Name {
        Name(NAMES.key(text, |text| Box::leak(Box::from(text))))
    }

    pub fn as_str(&self) -> &'static str {
        NAMES.by_key(self.0).unwrap_or("")
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        // One number per text: equal names have the same number.
        self.0 == other.0
    }
}

impl Eq for Name {}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ledger file's path relative to the site, kept once for the whole process like a
/// [`Name`]. Reads as `&Path` through `Deref`; compares, sorts and hashes as its path.
#[derive(Clone, Copy)]
pub struct SourceFile(NonZeroU32);

/// Every ledger file path kept so far.
static SOURCE_FILES: Table<Path> = Table::new();

impl SourceFile {
    pub fn new(path: &Path) -> SourceFile {
        SourceFile(SOURCE_FILES.key(path, |path| Box::leak(Box::from(path))))
    }

    pub fn as_path(&self) -> &'static Path {
        SOURCE_FILES.by_key(self.0).unwrap_or(Path::new(""))
    }
}

impl std::ops::Deref for SourceFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.as_path()
    }
}

impl AsRef<Path> for SourceFile {
    fn as_ref(&self) -> &Path {
        self.as_path()
    }
}

impl PartialEq for SourceFile {
    fn eq(&self, other: &SourceFile) -> bool {
        self.0 == other.0
    }
}

impl Eq for SourceFile {}

impl PartialOrd for SourceFile {
    fn partial_cmp(&self, other: &SourceFile) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SourceFile {
    fn cmp(&self, other: &SourceFile) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        self.as_path().cmp(other.as_path())
    }
}

impl std::hash::Hash for SourceFile {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_path().hash(state);
    }
}

impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_path(), f)
    }
}

/// Where a row came from: the file relative to the site and its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: SourceFile,
    pub line: u32,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// The own texts of one file's rows (receipt, counterparty, memo), one after the other
/// in one buffer, so that an entry holds only where its row's texts start and building
/// and freeing a million entries costs no allocation per row. Each row's texts are
/// written as their three lengths (LEB128: one byte each below 128) and then their
/// bytes; a row without any text takes no room. An empty text is an absent one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RowTexts {
    bytes: Vec<u8>,
}

/// Where a row's texts start in its file's [`RowTexts`]; only [`RowTexts::push`] makes
/// one, apart from [`TextOffset::NONE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextOffset(u32);

impl TextOffset {
    /// A row without receipt, counterparty or memo, in any file's texts.
    pub const NONE: TextOffset = TextOffset(0);
}

impl Default for RowTexts {
    fn default() -> RowTexts {
        RowTexts::with_capacity(0)
    }
}

impl RowTexts {
    /// Room for `bytes` bytes of texts and lengths before growing.
    pub fn with_capacity(bytes: usize) -> RowTexts {
        let mut texts = Vec::with_capacity(bytes.max(3));
        // [`TextOffset::NONE`]: three empty texts.
        texts.extend_from_slice(&[0, 0, 0]);
        RowTexts { bytes: texts }
    }

    /// Adds a row's texts. `None` once the buffer holds 4 GiB, past what an offset
    /// can point to.
    pub fn push(&mut self, receipt: &str, counterparty: &str, memo: &str) -> Option<TextOffset> {
        let parts = [receipt, counterparty, memo];
        if parts.iter().all(|p| p.is_empty()) {
            return Some(TextOffset::NONE);
        }
        let at = TextOffset(u32::try_from(self.bytes.len()).ok()?);
        for part in parts {
            let mut len = part.len();
            while len >= 0x80 {
                self.bytes.push((len & 0x7f) as u8 | 0x80);
                len >>= 7;
            }
            self.bytes.push(len as u8);
        }
        for part in parts {
            self.bytes.extend_from_slice(part.as_bytes());
        }
        Some(at)
    }

    /// The texts of the row whose texts start at `at`.
    pub fn get(&self, at: TextOffset) -> RowText<'_> {
        RowText(self.bytes.get(at.0 as usize..).unwrap_or_default())
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

impl std::fmt::Debug for RowTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowTexts")
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// One row's receipt, counterparty and memo, read from its file's [`RowTexts`].
#[derive(Clone, Copy)]
pub struct RowText<'a>(&'a [u8]);

impl<'a> RowText<'a> {
    /// The three texts, empty when absent.
    fn parts(self) -> [&'a str; 3] {
        let mut lens = [0usize; 3];
        let mut at = 0;
        for len in &mut lens {
            let mut shift = 0;
            while let Some(&byte) = self.0.get(at) {
                at += 1;
                *len |= usize::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 || shift >= usize::BITS {
                    break;
                }
            }
        }
        lens.map(|len| {
            let text = self
                .0
                .get(at..at + len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("");
            at += len;
            text
        })
    }

    fn part(self, i: usize) -> Option<&'a str> {
        self.parts().get(i).copied().filter(|text| !text.is_empty())
    }

    pub fn receipt(self) -> Option<&'a str> {
        self.part(0)
    }

    /// Whether there is a receipt, without reading it: its length's first byte is not 0.
    pub fn has_receipt(self) -> bool {
        self.0.first().is_some_and(|&len| len != 0)
    }

    pub fn counterparty(self) -> Option<&'a str> {
        self.part(1)
    }

    pub fn memo(self) -> Option<&'a str> {
        self.part(2)
    }
}

impl std::fmt::Debug for RowText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowText")
            .field("receipt", &self.receipt())
            .field("counterparty", &self.counterparty())
            .field("memo", &self.memo())
            .finish()
    }
}

/// Which rate of [`Rates::rates`] valued a row, if any, in 4 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateIndex(u32);

impl RateIndex {
    /// Not valued (rows other than services).
    pub const NONE: RateIndex = RateIndex(u32::MAX);

    pub fn new(index: Option<u32>) -> RateIndex {
        index.map_or(RateIndex::NONE, RateIndex)
    }

    pub fn get(self) -> Option<u32> {
        (self != RateIndex::NONE).then_some(self.0)
    }
}

/// One validated ledger row, in 60 bytes and without anything to free: names are
/// numbers, the row's own texts (receipt, counterparty, memo) are in its file's
/// [`RowTexts`] (read them through [`Entries::rows`] or [`Entries::row`]), and its
/// value is `quantity × rate`, given by [`Rates::value_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Entry {
    pub date: Date,
    pub week: WeekId,
    pub cell: Name,
    pub category: Name,
    pub unit: Name,
    pub to_cell: Option<Name>,
    pub quantity: Decimal,
    /// The rate applied (service rows).
    pub rate: RateIndex,
    pub source: Source,
    /// Where the row's receipt, counterparty (PRIVATE: never written to the output) and
    /// memo (private unless `privacy.publish_memos`) are in its file's texts.
    pub text: TextOffset,
    pub kind: Kind,
}

/// An entry with its row's own texts.
#[derive(Debug, Clone, Copy)]
pub struct LedgerRow<'a> {
    pub entry: &'a Entry,
    pub text: RowText<'a>,
}

impl<'a> LedgerRow<'a> {
    /// The commons receipt id, if the row has one.
    pub fn receipt(&self) -> Option<&'a str> {
        self.text.receipt()
    }

    /// PRIVATE: never written to the output.
    pub fn counterparty(&self) -> Option<&'a str> {
        self.text.counterparty()
    }

    /// Private unless `privacy.publish_memos`.
    pub fn memo(&self) -> Option<&'a str> {
        self.text.memo()
    }
}

impl std::ops::Deref for LedgerRow<'_> {
    type Target = Entry;

    fn deref(&self) -> &Entry {
        self.entry
    }
}

/// One ledger file's entries, in line order, and their rows' own texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileEntries {
    pub entries: Vec<Entry>,
    pub texts: RowTexts,
}

impl FileEntries {
    /// The entry at `index` in the file, with its texts.
    pub fn row(&self, index: usize) -> Option<LedgerRow<'_>> {
        let entry = self.entries.get(index)?;
        Some(LedgerRow {
            entry,
            text: self.texts.get(entry.text),
        })
    }

    /// The file's entries with their texts, in order.
    pub fn rows(&self) -> impl DoubleEndedIterator<Item = LedgerRow<'_>> + Clone {
        self.entries.iter().map(|entry| LedgerRow {
            entry,
            text: self.texts.get(entry.text),
        })
    }
}

/// Every entry of the ledger in input order (files sorted by path, rows by line), kept
/// as one list per file (with that file's texts) so that files are checked and added up
/// in parallel without copying their rows into one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Entries {
    parts: Vec<FileEntries>,
    /// The index of each part's first entry.
    starts: Vec<usize>,
    len: usize,
    /// The latest date of any entry.
    latest: Option<Date>,
}

impl Entries {
    /// The entries of each file, in order.
    pub fn from_parts(parts: Vec<FileEntries>) -> Entries {
        let latest = parts.iter().flat_map(|p| &p.entries).map(|e| e.date).max();
        Entries::with_latest(parts, latest)
    }

    /// The entries of each file, in order, and the latest date among them (which the
    /// checker notes as it goes, sparing another pass over a million rows).
    pub(crate) fn with_latest(parts: Vec<FileEntries>, latest: Option<Date>) -> Entries {
        let mut starts = Vec::with_capacity(parts.len());
        let mut len = 0;
        for part in &parts {
            starts.push(len);
            len += part.entries.len();
        }
        Entries {
            parts,
            starts,
            len,
            latest,
        }
    }

    /// The latest date of any entry.
    pub fn latest_date(&self) -> Option<Date> {
        self.latest
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The part holding `index` in input order, and the index there.
    fn locate(&self, index: usize) -> Option<(&FileEntries, usize)> {
        let part = self
            .starts
            .partition_point(|&s| s <= index)
            .checked_sub(1)?;
        let start = *self.starts.get(part)?;
        Some((self.parts.get(part)?, index - start))
    }

    /// The entry at `index` in input order.
    pub fn get(&self, index: usize) -> Option<&Entry> {
        let (part, i) = self.locate(index)?;
        part.entries.get(i)
    }

    /// The entry at `index` in input order, with its texts.
    pub fn row(&self, index: usize) -> Option<LedgerRow<'_>> {
        let (part, i) = self.locate(index)?;
        part.row(i)
    }

    /// The receipt id of the entry at `index` in input order, if it has one.
    pub fn receipt(&self, index: usize) -> Option<&str> {
        self.row(index)?.receipt()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> + Clone {
        self.parts.iter().flat_map(|p| &p.entries)
    }

    /// Every entry with its texts, in input order.
    pub fn rows(&self) -> impl DoubleEndedIterator<Item = LedgerRow<'_>> + Clone {
        self.parts.iter().flat_map(FileEntries::rows)
    }

    /// Each part with the index of its first entry.
    pub fn parts(&self) -> impl Iterator<Item = (usize, &FileEntries)> {
        self.starts.iter().copied().zip(&self.parts)
    }
}

/// One row of `data/rates.csv`: the replacement cost of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, Default, Hash)]
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
        entry.rate.get().and_then(|i| self.rates.get(i as usize))
    }

    /// An entry's value at replacement cost, `quantity × rate`, in the site's currency
    /// (service rows): the product the check made sure of, to the same scale.
    pub fn value_of(&self, entry: &Entry) -> Option<Decimal> {
        self.of(entry)
            .and_then(|rate| entry.quantity.checked_mul(rate.rate))
    }

    pub fn get(&self, index: u32) -> Option<&Rate> {
        self.rates.get(index as usize)
    }
}

/// One line of `data/city-budget.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, Default, Hash)]
pub struct CityBudget {
    pub path: PathBuf,
    pub lines: Vec<BudgetLine>,
}

/// The city's budget for one category over one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    pub cell: Option<Name>,
    pub category: Name,
    pub unit: Name,
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
    fn new(cell: Option<Name>, category: Name, unit: Name) -> Line {
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
}

/// A running sum of decimals that is, read back, the very decimal (value, scale and sign)
/// that adding them one by one with `Decimal`'s `+` gives: it keeps `Decimal`'s own
/// parts and does the common case itself. A decimal of the sign and scale of a sum that
/// is not zero adds up to the two sizes added, in that sign and scale, as long as that
/// fits 96 bits; anything else (the first value, another scale or sign, a sum `+` would
/// round) is left to `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sum {
    /// `Decimal`'s flags: sign and scale.
    flags: u32,
    /// The size, below 2^96.
    size: u128,
}

/// The smallest size too large for a `Decimal`.
const SIZE_LIMIT: u128 = 1 << 96;

impl Sum {
    const ZERO: Sum = Sum { flags: 0, size: 0 };

    /// A decimal's flags and size.
    #[inline]
    fn parts(x: Decimal) -> (u32, u128) {
        let b = x.serialize();
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        (
            word(0),
            u128::from(word(4)) | u128::from(word(8)) << 32 | u128::from(word(12)) << 64,
        )
    }

    #[inline]
    fn add(&mut self, x: Decimal) {
        let (flags, size) = Sum::parts(x);
        // `d + 0` is `d`, whatever the zero's sign and scale.
        if self.size != 0 && (flags == self.flags || size == 0) {
            let sum = self.size + size;
            if sum < SIZE_LIMIT {
                self.size = sum;
                return;
            }
        }
        self.add_slowly(x);
    }

    #[inline(never)]
    fn add_slowly(&mut self, x: Decimal) {
        (self.flags, self.size) = Sum::parts(self.get() + x);
    }

    fn get(self) -> Decimal {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.flags.to_le_bytes());
        b[4..].copy_from_slice(&self.size.to_le_bytes()[..12]);
        Decimal::deserialize(b)
    }
}

/// One cell's totals for a category and unit while its week is being added up.
#[derive(Debug, Clone)]
struct CellSums {
    cell: Name,
    category: Name,
    unit: Name,
    services: u64,
    drawn: Sum,
    receipts: u64,
    contribution_rows: u64,
    contributed: Sum,
    value: Sum,
}

impl CellSums {
    fn new(cell: Name, category: Name, unit: Name) -> CellSums {
        CellSums {
            cell,
            category,
            unit,
            services: 0,
            drawn: Sum::ZERO,
            receipts: 0,
            contribution_rows: 0,
            contributed: Sum::ZERO,
            value: Sum::ZERO,
        }
    }

    fn is(&self, cell: &Name, category: &Name, unit: &Name) -> bool {
        same(&self.category, category) && same(&self.unit, unit) && same(&self.cell, cell)
    }

    /// Adds a row, `value` being its value (service rows).
    fn add(&mut self, row: LedgerRow<'_>, value: Option<Decimal>) {
        match row.kind {
            Kind::Service => {
                self.services += 1;
                self.drawn.add(row.quantity);
                self.receipts += u64::from(row.text.has_receipt());
                if let Some(value) = value {
                    self.value.add(value);
                }
            }
            Kind::Contribution => {
                self.contribution_rows += 1;
                self.contributed.add(row.quantity);
            }
            _ => {}
        }
    }

    /// Adds what `later` counted from later rows.
    fn merge(&mut self, later: &CellSums) {
        self.services += later.services;
        self.drawn.add(later.drawn.get());
        self.receipts += later.receipts;
        self.contribution_rows += later.contribution_rows;
        self.contributed.add(later.contributed.get());
        self.value.add(later.value.get());
    }

    fn line(&self) -> Line {
        Line {
            cell: Some(self.cell),
            category: self.category,
            unit: self.unit,
            services: self.services,
            drawn: self.drawn.get(),
            receipts: self.receipts,
            contribution_rows: self.contribution_rows,
            contributed: self.contributed.get(),
            value: self.value.get(),
        }
    }
}

fn same(a: &Name, b: &Name) -> bool {
    a == b
}

/// Commons against city for one category in one week.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flow {
    pub from: Name,
    pub to: Name,
    pub kind: Kind,
    pub category: Name,
    pub unit: Name,
    pub quantity: Decimal,
    pub rows: u64,
}

/// A fund's position at the end of a week.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fund {
    pub name: String,
    pub allocated: Decimal,
    pub balance: Decimal,
}

/// The treasury's week: money in, out, set aside, and the running balances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitTotal {
    pub unit: Name,
    pub rows: u64,
    /// Sum of every row's quantity in this unit, whatever its kind.
    pub quantity: Decimal,
}

/// Every row of the week accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// `value` over `share`, when there is a share and the ratio can be shown as a
/// percentage (a tiny budget line beside a large value can make it too large to).
pub fn ratio(value: Decimal, share: Decimal) -> Option<Decimal> {
    if share <= Decimal::ZERO {
        return None;
    }
    value
        .checked_div(share)
        .filter(|r| r.checked_mul(Decimal::ONE_HUNDRED).is_some())
}

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
    /// Each file's entries added up by week as they were checked, one per part of
    /// `entries`; when they do not match the parts, the weeks are added up again.
    pub weeks: Vec<FileWeeks>,
    pub files: Vec<LedgerFileRows>,
    pub rates: Rates,
    pub budget: CityBudget,
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
        let weeks = aggregate(
            &checked.entries,
            checked.weeks,
            &checked.rates,
            &checked.budget,
            as_of,
        );
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

/// A week being added up. Each row touches one accumulator only; the per-category
/// lines and the reconciliation's unit totals are derived from them when the week is
/// finished.
#[derive(Debug, Clone)]
struct Acc {
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
    fn merge(&mut self, later: Acc) {
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
                .find(|l| same(&l.category, &c.category) && same(&l.unit, &c.unit))
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
            .find(|u| same(&u.unit, unit))
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
/// in the file. The checker adds each entry as it makes it, so that the weeks are
/// ready without another pass over a million entries.
#[derive(Debug, Clone, Default)]
pub struct FileWeeks {
    accs: Vec<(WeekId, Acc)>,
    slot: HashMap<WeekId, usize>,
    /// The last entry's week and its place in `accs`: rows come in date order.
    last: Option<(WeekId, usize)>,
    /// Entries added.
    len: usize,
}

impl FileWeeks {
    /// Adds the file's next entry; `index` is its place in the file's entries, `value`
    /// its value (service rows).
    pub fn add(&mut self, index: u32, row: LedgerRow<'_>, value: Option<Decimal>) {
        let e = row.entry;
        let at = match self.last {
            Some((w, at)) if w == e.week => at,
            _ => {
                let accs = &mut self.accs;
                let at = *self.slot.entry(e.week).or_insert_with(|| {
                    accs.push((e.week, Acc::new()));
                    accs.len() - 1
                });
                self.last = Some((e.week, at));
                at
            }
        };
        if let Some((_, acc)) = self.accs.get_mut(at) {
            acc.add(index, row, value);
        }
        self.len += 1;
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

/// Adds up every entry into its week (each file's part in parallel, unless the checker
/// added them up as it went, then merged in input order), then fills the weeks between
/// the first row and the as-of date, runs the treasury balances and sets each week
/// beside the city.
fn aggregate(
    entries: &Entries,
    added: Vec<FileWeeks>,
    rates: &Rates,
    budget: &CityBudget,
    as_of: Option<Date>,
) -> Vec<WeekReport> {
    use rayon::prelude::*;
    let parts: Vec<(usize, &FileEntries)> = entries.parts().collect();
    let matches = added.len() == parts.len()
        && added
            .iter()
            .zip(&parts)
            .all(|(weeks, (_, part))| weeks.len == part.entries.len());
    let added: Vec<FileWeeks> = if matches {
        added
            .into_par_iter()
            .zip(parts)
            .map(|(weeks, (start, _))| weeks.into_ledger(start))
            .collect()
    } else {
        parts
            .into_par_iter()
            .map(|(start, part)| FileWeeks::of(start, part, rates))
            .collect()
    };
    let mut by_week: BTreeMap<WeekId, Acc> = BTreeMap::new();
    for (week, acc) in added.into_iter().flat_map(|weeks| weeks.accs) {
        match by_week.entry(week) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(acc);
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => slot.get_mut().merge(acc),
        }
    }
    let (Some(first), Some(last_row)) = (
        by_week.keys().next().copied(),
        by_week.keys().next_back().copied(),
    ) else {
        return Vec::new();
    };
    let current = as_of.map(WeekId::of).map_or(last_row, |w| w.max(last_row));
    let mut week = first;
    while week < current {
        let Some(next) = week.checked_next() else {
            break;
        };
        week = next;
        by_week.entry(week).or_insert_with(Acc::new);
    }

    let budget_categories = budget.categories();
    let mut balance = Decimal::ZERO;
    let mut funds: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut weeks = Vec::with_capacity(by_week.len());
    for (week, acc) in by_week {
        let mut cells = acc.cells();
        let mut lines = Acc::lines(&cells);
        let reconciliation = acc.reconciliation(&cells);
        lines.sort_by(|a, b| (&a.category, &a.unit).cmp(&(&b.category, &b.unit)));
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

/// A contribution entry of `l.csv` at `line`, for tests.
#[cfg(test)]
pub(crate) fn test_entry(line: u32, text: TextOffset) -> Entry {
    Entry {
        date: jiff::civil::date(2026, 1, 5),
        week: WeekId::of(jiff::civil::date(2026, 1, 5)),
        cell: Name::new("c"),
        category: Name::new("food"),
        unit: Name::new("kg"),
        to_cell: None,
        quantity: Decimal::ONE,
        rate: RateIndex::NONE,
        source: Source {
            file: SourceFile::new(Path::new("l.csv")),
            line,
        },
        text,
        kind: Kind::Contribution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn row_texts_read_back_short_long_multibyte_and_absent_values() {
        let long = "x".repeat(200);
        let longer = "y".repeat(70_000);
        let rows = [
            ("", "", ""),
            ("FC-00000123", "hh-0042", ""),
            ("", "", "sorting, shift"),
            ("a", &long, "b"),
            ("a", "", &longer),
            ("FC-1", "", "sorting, shift after the market closed"),
            ("café", "à côté", "— œuvre"),
            ("", "", ""),
        ];
        let mut texts = RowTexts::default();
        let offsets: Vec<TextOffset> = rows
            .iter()
            .map(|(r, c, m)| texts.push(r, c, m).unwrap())
            .collect();
        assert_eq!(offsets[0], TextOffset::NONE);
        assert_eq!(offsets[7], TextOffset::NONE);
        for ((receipt, counterparty, memo), at) in rows.iter().zip(offsets) {
            let text = texts.get(at);
            let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
            assert_eq!(text.receipt().map(String::from), some(receipt));
            assert_eq!(text.has_receipt(), !receipt.is_empty());
            assert_eq!(text.counterparty().map(String::from), some(counterparty));
            assert_eq!(text.memo().map(String::from), some(memo));
        }
        let a = texts.push("a", "", "").unwrap();
        let b = texts.push("", "a", "").unwrap();
        assert_eq!(texts.get(a).receipt(), Some("a"));
        assert_eq!(texts.get(b).receipt(), None);
        assert_eq!(texts.get(b).counterparty(), Some("a"));
    }

    #[test]
    fn an_entry_takes_at_most_64_bytes_and_frees_nothing() {
        assert!(size_of::<Entry>() <= 64, "{} bytes", size_of::<Entry>());
        assert!(!std::mem::needs_drop::<Entry>());
        assert_eq!(size_of::<Option<Name>>(), 4);
    }

    #[test]
    fn values_are_quantity_times_rate_to_the_same_scale() {
        let rates = Rates {
            path: PathBuf::new(),
            rates: vec![rate("kg", None, "3.80", date(2026, 1, 1))],
        };
        let mut entry = test_entry(2, TextOffset::NONE);
        entry.quantity = "2.5".parse().unwrap();
        assert_eq!(rates.value_of(&entry), None);
        entry.rate = RateIndex::new(Some(0));
        assert_eq!(rates.value_of(&entry).unwrap().to_string(), "9.500");
        entry.rate = RateIndex::new(Some(1));
        assert_eq!(rates.value_of(&entry), None);
    }

    #[test]
    fn names_are_kept_once_and_compare_as_text() {
        let a = Name::new("food-coop");
        let b = Name::new(&String::from("food-coop"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, b);
        assert!(Name::new("care") < a);
        assert_eq!(&*a, "food-coop");
        assert_eq!(a.to_string(), "food-coop");
        // Numbered in the order first seen, sorted by text.
        let (late, early) = (Name::new("zz-kept-first"), Name::new("aa-kept-later"));
        assert!(early < late);
        assert_ne!(early, late);
        let (b_file, a_file) = (
            SourceFile::new(Path::new("data/ledger/b.csv")),
            SourceFile::new(Path::new("data/ledger/a.csv")),
        );
        assert!(a_file < b_file);
        assert_eq!(&*a_file, Path::new("data/ledger/a.csv"));
        assert_eq!(a_file, SourceFile::new(Path::new("data/ledger/a.csv")));
    }

    #[test]
    fn entries_are_found_by_index_across_parts() {
        let part = |lines: &[u32]| {
            let mut file = FileEntries::default();
            for &line in lines {
                let text = file.texts.push(&format!("R-{line}"), "", "").unwrap();
                file.entries.push(test_entry(line, text));
            }
            file
        };
        let entries = Entries::from_parts(vec![part(&[2, 3]), part(&[]), part(&[4])]);
        assert_eq!(entries.len(), 3);
        let lines: Vec<u32> = (0..4)
            .filter_map(|i| entries.get(i))
            .map(|e| e.source.line)
            .collect();
        assert_eq!(lines, vec![2, 3, 4]);
        let receipts: Vec<&str> = (0..4).filter_map(|i| entries.receipt(i)).collect();
        assert_eq!(receipts, vec!["R-2", "R-3", "R-4"]);
        assert_eq!(entries.iter().rev().map(|e| e.source.line).next(), Some(4));
        assert_eq!(
            entries.rows().rev().map(|r| r.receipt()).next(),
            Some(Some("R-4"))
        );
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

    /// Adds `values` one by one with `Decimal`'s `+` and through a [`Sum`], checking
    /// after each that the two give the same value, scale and sign.
    fn assert_sums_like_decimal(values: &[Decimal]) {
        let mut plain = Decimal::ZERO;
        let mut sum = Sum::ZERO;
        for (i, &x) in values.iter().enumerate() {
            plain += x;
            sum.add(x);
            let got = sum.get();
            assert_eq!(
                (got.to_string(), got.scale(), got.is_sign_negative()),
                (plain.to_string(), plain.scale(), plain.is_sign_negative()),
                "after adding {x} (value {i})"
            );
        }
        // Two sums added together, as weeks of two files are merged.
        let (a, b) = values.split_at(values.len() / 2);
        let (mut first, mut second) = (Sum::ZERO, Sum::ZERO);
        a.iter().for_each(|&x| first.add(x));
        b.iter().for_each(|&x| second.add(x));
        let mut merged = first.get();
        merged += second.get();
        first.add(second.get());
        assert_eq!(
            (first.get().to_string(), first.get().scale()),
            (merged.to_string(), merged.scale())
        );
    }

    /// A small deterministic generator of test values.
    struct Values(u64);

    impl Values {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn sums_give_the_same_decimal_as_adding_one_by_one() {
        let mut values = Values(0x9e37_79b9_7f4a_7c15);
        for round in 0..400 {
            let negatives = round % 2 == 1;
            let row: Vec<Decimal> = (0..250)
                .map(|_| {
                    let r = values.next();
                    let mantissa = match r % 7 {
                        // Zeros, whose scale `+` ignores.
                        0 => 0,
                        1 => (r >> 8) as i64 % 100,
                        2 => (r >> 8) as i64 % 1_000_000_000,
                        _ => (r >> 8) as i64 % 4_000,
                    };
                    let mantissa = if negatives && r & 1 == 1 {
                        -mantissa
                    } else {
                        mantissa
                    };
                    Decimal::new(mantissa, ((r >> 4) % 7) as u32)
                })
                .collect();
            assert_sums_like_decimal(&row);
        }
    }

    #[test]
    fn sums_that_cancel_out_or_need_rounding_give_what_decimal_gives() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // Back to zero (with the scale and sign `+` leaves), then on.
        assert_sums_like_decimal(&[d("1.50"), d("-1.5"), d("0.000"), d("2.5")]);
        assert_sums_like_decimal(&[d("-1.5"), d("1.50"), d("-0"), d("0.0")]);
        assert_sums_like_decimal(&[d("0.00"), d("0"), d("-0.0")]);
        // Past 96 bits at the largest scale: `+` rounds, and so does the sum.
        let large = Decimal::from_i128_with_scale(70_000_000_000_000_000_000_000_000_000, 0);
        assert_sums_like_decimal(&[large, d("0.1"), d("0.25"), d("-0.35"), d("1")]);
        assert_sums_like_decimal(&[d("0.0000000001"), large, -large, d("3.3")]);
        let precise = Decimal::from_i128_with_scale(7_000_000_000_000_000_000_000_000_000, 27);
        assert_sums_like_decimal(&[precise, precise, d("1.5"), precise, d("0.1")]);
        assert_sums_like_decimal(&[Decimal::MAX, -Decimal::MAX, Decimal::MAX, -Decimal::ONE]);
    }
}
