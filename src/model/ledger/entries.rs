//! Validated ledger rows: what a row records ([`Kind`]), the 60-byte [`Entry`], and
//! every file's entries in input order.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::*;
use crate::model::week::WeekId;

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
            file: SourceFile::new(std::path::Path::new("l.csv")),
            line,
        },
        text,
        kind: Kind::Contribution,
    }
}
