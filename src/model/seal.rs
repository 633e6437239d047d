//! Seals: the canonical form of a ledger row, a week's digest and the chain that links
//! the weeks in `tally.lock`. Pure functions over text, so that anyone can recompute
//! every public value with `sha256sum`, and whoever holds the seal key the keyed digest
//! with `openssl` (the recipes are in the README). No file I/O here.
//!
//! - A row's **canonical line** is its ten columns in a fixed order — `date, cell,
//!   category, kind, quantity, unit, receipt, to_cell, counterparty, memo` — joined by
//!   `,`, with ISO dates, decimals without trailing zeros (`12.50` → `12.5`), empty
//!   optional fields left empty, and `%`, `,`, line feed and carriage return inside a
//!   field written as `%25`, `%2C`, `%0A`, `%0D`, so a field can never forge another
//!   field or row.
//! - A row's **public line** is the first eight of those columns (no counterparty, no memo).
//! - A week's **digest** is the HMAC-SHA256, under the site's seal key (`data/seal.key`),
//!   of its canonical lines sorted by their text (bytes), each followed by `\n`; its
//!   **public digest** the SHA-256 of its public lines, likewise. Which file a row came
//!   from, and where, does not matter; any edit changes the digest. Keyed, because the
//!   digest covers the private columns: a plain SHA-256 of them would let anyone test a
//!   guess of a memo or a counterparty against the published digest. Entries sealed
//!   before a site had a key carry the plain SHA-256 (the **unkeyed** digest) and no
//!   `key`; `tally seal --rekey` seals their weeks again with the key.
//! - The **chain**: `chain = SHA-256(previous chain + digest)` over the lowercase hex
//!   texts, the first link's previous chain being 64 zeros ([`CHAIN_START`]).

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::ledger::{Entries, LedgerRow};
use super::week::WeekId;
use crate::digest::{SealKey, sha256_hex};

/// The "previous chain" of the first sealed week: 64 zeros.
pub const CHAIN_START: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The SHA-256 of nothing: the digest of a week without rows.
pub const EMPTY_DIGEST: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The columns of a ledger row that a seal covers, borrowed from a validated entry.
#[derive(Debug, Clone, Copy)]
pub struct SealedColumns<'a> {
    pub date: Date,
    pub cell: &'a str,
    pub category: &'a str,
    pub kind: &'a str,
    pub quantity: Decimal,
    pub unit: &'a str,
    pub receipt: Option<&'a str>,
    pub to_cell: Option<&'a str>,
    pub counterparty: Option<&'a str>,
    pub memo: Option<&'a str>,
}

impl SealedColumns<'_> {
    /// All ten columns: what the week's digest covers.
    pub fn canonical_line(&self) -> String {
        let mut line = self.public_line();
        self.write_private(&mut line);
        line
    }

    /// Adds the two private columns to a line of the public ones.
    fn write_private(&self, line: &mut String) {
        for field in [self.counterparty, self.memo] {
            line.push(',');
            escape_into(line, field.unwrap_or(""));
        }
    }

    /// The eight public columns: what the published canonical file lists.
    pub fn public_line(&self) -> String {
        let mut line = String::new();
        self.write_public(&mut line);
        line
    }

    /// [`SealedColumns::public_line`] added to `line`. The date and the quantity are
    /// written as they are: neither holds a character that is escaped.
    fn write_public(&self, line: &mut String) {
        write_date(line, self.date);
        line.push(',');
        for field in [self.cell, self.category, self.kind] {
            escape_into(line, field);
            line.push(',');
        }
        write_decimal(line, self.quantity.normalize());
        for field in [
            self.unit,
            self.receipt.unwrap_or(""),
            self.to_cell.unwrap_or(""),
        ] {
            line.push(',');
            escape_into(line, field);
        }
    }
}

impl<'a> From<LedgerRow<'a>> for SealedColumns<'a> {
    fn from(e: LedgerRow<'a>) -> Self {
        SealedColumns {
            date: e.date,
            cell: e.cell.as_str(),
            category: e.category.as_str(),
            kind: e.kind.name(),
            quantity: e.quantity,
            unit: e.unit.as_str(),
            receipt: e.receipt(),
            to_cell: e.to_cell.map(|n| n.as_str()),
            counterparty: e.counterparty(),
            memo: e.memo(),
        }
    }
}

/// The digest of every week that has rows, keyed with `key` when the site has one (weeks
/// are digested in parallel; the result does not depend on the order of the entries).
pub fn week_digests(
    entries: &Entries,
    key: Option<&SealKey>,
) -> std::collections::BTreeMap<WeekId, WeekDigest> {
    use rayon::prelude::*;
    // Each week's rows by their index (not a copy of their columns).
    let mut by_week: std::collections::BTreeMap<WeekId, Vec<usize>> =
        std::collections::BTreeMap::new();
    // Rows come in runs of one week (a file's rows mostly in date order): each run is
    // gathered, then added to its week's.
    let mut run: Vec<usize> = Vec::new();
    let mut run_week = None;
    for (index, entry) in entries.iter().enumerate() {
        if run_week != Some(entry.week)
            && let Some(week) = run_week.replace(entry.week)
        {
            by_week.entry(week).or_default().append(&mut run);
        }
        run.push(index);
    }
    if let Some(week) = run_week {
        by_week.entry(week).or_default().append(&mut run);
    }
    by_week
        .into_par_iter()
        .map(|(week, rows)| {
            let count = rows.len();
            let rows = rows
                .into_iter()
                .filter_map(|i| entries.row(i))
                .map(SealedColumns::from);
            (week, WeekDigest::of_count(week, rows, count, key))
        })
        .collect()
}

/// `date` as it displays (`2026-11-16`), written without the formatting machinery for a
/// year of four digits.
fn write_date(out: &mut String, date: Date) {
    let (year, month, day) = (date.year(), date.month(), date.day());
    match (u16::try_from(year), u8::try_from(month), u8::try_from(day)) {
        (Ok(year @ 0..=9999), Ok(month @ 1..=12), Ok(day @ 1..=31)) => {
            let digit = |n: u16| char::from(b'0' + (n % 10) as u8);
            for n in [year / 1000, year / 100, year / 10, year] {
                out.push(digit(n));
            }
            out.push('-');
            out.push(digit(u16::from(month) / 10));
            out.push(digit(u16::from(month)));
            out.push('-');
            out.push(digit(u16::from(day) / 10));
            out.push(digit(u16::from(day)));
        }
        _ => {
            use std::fmt::Write as _;
            // Writing into a String cannot fail.
            let _ = write!(out, "{date}");
        }
    }
}

/// `value` as it displays (`-12.5`, `0.05`), written from its digits.
fn write_decimal(out: &mut String, value: Decimal) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut rest = value.mantissa().unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let digits = &digits[at..];
    let scale = value.scale() as usize;
    if value.is_sign_negative() {
        out.push('-');
    }
    let push = |out: &mut String, bytes: &[u8]| {
        out.extend(bytes.iter().map(|&b| char::from(b)));
    };
    if scale == 0 {
        push(out, digits);
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        push(out, whole);
        out.push('.');
        push(out, fraction);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        push(out, digits);
    }
}

/// `12.50` → `12.5`, `3.0` → `3`, `100` stays `100`.
pub fn normal_decimal(value: Decimal) -> String {
    value.normalize().to_string()
}

fn escape_into(out: &mut String, field: &str) {
    // Most fields hold none of the escaped characters: written whole.
    if !field
        .bytes()
        .any(|b| matches!(b, b'%' | b',' | b'\n' | b'\r'))
    {
        out.push_str(field);
        return;
    }
    for c in field.chars() {
        match c {
            '%' => out.push_str("%25"),
            ',' => out.push_str("%2C"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            c => out.push(c),
        }
    }
}

/// A line of a week's canonical text: where it starts and ends, and where its public
/// columns end (a canonical line is its public line followed by the private columns).
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    public_end: usize,
    end: usize,
    /// Eight bytes of the line from the depth it is being sorted at (see [`sort_lines`]).
    key: u64,
}

/// Up to eight bytes of `line` from `depth`, big-endian, zeros past its end: a key whose
/// order is the order of the bytes it holds, a line that ends within it before any
/// line that goes on.
fn key_at(line: &[u8], depth: usize) -> u64 {
    let mut key = [0u8; 8];
    if let Some(rest) = line.get(depth..) {
        let n = rest.len().min(8);
        key[..n].copy_from_slice(&rest[..n]);
    }
    u64::from_be_bytes(key)
}

/// Deepest a run of lines alike is sorted eight bytes at a time before its lines are
/// compared whole (from that depth).
const MAX_KEY_DEPTH: usize = 512;

/// Sorts `lines` of `text` by their bytes (`[start, end)`), all of whose first `depth`
/// bytes are alike: by eight bytes at a time, each run of lines alike in those eight
/// bytes then on by the next eight (a week's lines share long beginnings: the date,
/// cell, category and kind), rather than by comparing whole lines.
fn sort_lines(text: &[u8], lines: &mut [Line], depth: usize) {
    if lines.len() < 2 {
        return;
    }
    let bytes = |l: &Line| text.get(l.start..l.end).unwrap_or_default();
    if depth > MAX_KEY_DEPTH {
        lines.sort_unstable_by(|a, b| bytes(a).get(depth..).cmp(&bytes(b).get(depth..)));
        return;
    }
    for line in lines.iter_mut() {
        line.key = key_at(bytes(line), depth);
    }
    lines.sort_unstable_by_key(|l| l.key);
    let mut rest = lines;
    while let Some(first) = rest.first() {
        let key = first.key;
        let run = rest.iter().take_while(|l| l.key == key).count();
        let (alike, after) = rest.split_at_mut(run);
        if alike.len() > 1 {
            if alike.iter().all(|l| l.end - l.start > depth + 8) {
                sort_lines(text, alike, depth + 8);
            } else {
                // Some end within these eight bytes: the rest of each decides.
                alike.sort_unstable_by(|a, b| bytes(a).get(depth..).cmp(&bytes(b).get(depth..)));
            }
        }
        rest = after;
    }
}

/// The lines of `text` at `lines`, in their order, each up to `end(line)` and followed
/// by `\n`.
fn joined(text: &str, lines: &[Line], end: impl Fn(&Line) -> usize) -> String {
    let length: usize = lines.iter().map(|l| end(l) - l.start + 1).sum();
    let mut joined = String::with_capacity(length);
    for l in lines {
        joined.push_str(text.get(l.start..end(l)).unwrap_or(""));
        joined.push('\n');
    }
    joined
}

/// The lines sorted by their bytes, each followed by `\n`: the text a digest is taken of.
pub fn sorted_text(mut lines: Vec<String>) -> String {
    lines.sort_unstable();
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// `SHA-256(previous + digest)` over the two hex texts.
pub fn chain(previous: &str, digest: &str) -> String {
    sha256_hex(format!("{previous}{digest}").as_bytes())
}

/// Whether `text` is a SHA-256 in lowercase hex.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| crate::digest::HEX.contains(&b))
}

/// A week's rows, digested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekDigest {
    pub week: WeekId,
    pub rows: usize,
    /// Over all ten columns: keyed (HMAC-SHA256) when the site has a seal key, else the
    /// unkeyed SHA-256. What is published for the week, unless its latest entry was
    /// sealed unkeyed (see [`WeekDigest::under`]).
    pub digest: String,
    /// The SHA-256 over all ten columns, without the key: compared only with entries
    /// sealed before the site had a key, and published only where such an entry
    /// already published it.
    pub unkeyed: String,
    /// Over the eight public columns.
    pub public_digest: String,
    /// The published canonical file: the sorted public lines; its SHA-256 is `public_digest`.
    pub public_text: String,
}

impl WeekDigest {
    pub fn of<'a>(
        week: WeekId,
        rows: impl IntoIterator<Item = SealedColumns<'a>>,
        key: Option<&SealKey>,
    ) -> WeekDigest {
        WeekDigest::of_count(week, rows, 0, key)
    }

    /// [`WeekDigest::of`] `count` rows (room is made for that many).
    fn of_count<'a>(
        week: WeekId,
        rows: impl IntoIterator<Item = SealedColumns<'a>>,
        count: usize,
        key: Option<&SealKey>,
    ) -> WeekDigest {
        // Every line is written into one text, not a String of its own; a line's public
        // columns come first, so its public line is a beginning of it.
        let mut lines = Vec::with_capacity(count);
        let mut text = String::new();
        for row in rows {
            let start = text.len();
            row.write_public(&mut text);
            let public_end = text.len();
            row.write_private(&mut text);
            if lines.is_empty() {
                // Room for the other lines, about as long as the first.
                text.reserve((text.len() + 8) * count.saturating_sub(1));
            }
            lines.push(Line {
                start,
                public_end,
                end: text.len(),
                key: 0,
            });
        }
        let rows = lines.len();
        sort_lines(text.as_bytes(), &mut lines, 0);
        let canonical = joined(&text, &lines, |l| l.end);
        let unkeyed = sha256_hex(canonical.as_bytes());
        let digest = key.map_or_else(|| unkeyed.clone(), |key| key.digest(canonical.as_bytes()));
        drop(canonical);
        // Lines in canonical order are in public order but where one line's public
        // columns begin another's (a `to_cell` that begins another): a stable sort,
        // which takes runs already in order as they are, puts those few in place.
        let public = |l: &Line| text.get(l.start..l.public_end).unwrap_or("");
        lines.sort_by(|a, b| public(a).cmp(public(b)));
        let public_text = joined(&text, &lines, |l| l.public_end);
        WeekDigest {
            week,
            rows,
            digest,
            unkeyed,
            public_digest: sha256_hex(public_text.as_bytes()),
            public_text,
        }
    }

    /// The rows' digest as `entry` computes it: keyed for an entry sealed with the key,
    /// unkeyed for one sealed before the site had a key.
    pub fn under(&self, entry: &Seal) -> &str {
        match entry.key {
            Some(_) => &self.digest,
            None => &self.unkeyed,
        }
    }
}

/// One entry of `tally.lock`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    pub week: WeekId,
    pub rows: u64,
    pub digest: String,
    pub public_digest: String,
    pub chain: String,
    /// On an entry that seals the amended rows of an already sealed week: the date of
    /// the amendment (from `data/amendments.csv`).
    pub amended: Option<Date>,
    /// The id of the seal key the digest was computed with ([`SealKey::id`]); `None` on
    /// an entry sealed before the site had a key, whose digest is the unkeyed SHA-256.
    pub key: Option<String>,
    /// On an entry written by `tally seal --rekey`: the week was sealed unkeyed before,
    /// and this entry seals the same rows again with the key, on this date.
    pub rekeyed: Option<Date>,
    /// The line of its `[[seal]]` header in `tally.lock` (0 for an entry not written yet).
    pub line: usize,
}

impl Seal {
    /// The entry as appended to `tally.lock`: a blank line, then the `[[seal]]` table.
    pub fn to_toml(&self) -> String {
        let mut text = format!(
            "\n[[seal]]\nweek = \"{}\"\nrows = {}\ndigest = \"{}\"\npublic_digest = \"{}\"\nchain = \"{}\"\n",
            self.week, self.rows, self.digest, self.public_digest, self.chain
        );
        if let Some(key) = &self.key {
            text.push_str(&format!("key = \"{key}\"\n"));
        }
        if let Some(date) = self.amended {
            text.push_str(&format!("amended = \"{date}\"\n"));
        }
        if let Some(date) = self.rekeyed {
            text.push_str(&format!("rekeyed = \"{date}\"\n"));
        }
        text
    }

    /// Whether the entry seals a week for the first time (not an amendment, not a rekey).
    pub fn is_first_seal(&self) -> bool {
        self.amended.is_none() && self.rekeyed.is_none()
    }

    /// Whether `rows` digest to what this entry sealed, under the entry's own scheme.
    pub fn matches(&self, rows: &WeekDigest) -> bool {
        self.digest == rows.under(self)
    }
}

/// The first lines of a new `tally.lock`.
pub const LOCK_HEADER: &str = "\
# tally.lock: the sealed weeks of the ledger, written by `tally seal`.
# Append-only: entries are added at the end and an entry, once written, never changes.
# Each entry holds a week, its number of rows, the digest of its canonical rows (all ten
# columns, HMAC-SHA256 with the key data/seal.key, whose id is `key`: `digest`), the
# SHA-256 of its eight public columns (`public_digest`) and the chain hash
# SHA-256(previous chain + digest), the first previous chain being 64 zeros.
# The README explains how to recompute every value with sha256sum.
";

/// A recorded amendment of a sealed week (`data/amendments.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub week: WeekId,
    pub date: Date,
    pub reason: String,
    /// Its line in `data/amendments.csv`.
    pub line: usize,
}

/// Where a week stands with respect to its seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealState {
    /// The week holding the "as of" date: not closed, not sealable yet.
    InProgress,
    /// Closed but not sealed yet: its figures may still change.
    Provisional,
    /// Sealed, and its rows still match the seal.
    Sealed,
    /// Sealed, then changed with an amendment recorded in `data/amendments.csv`.
    Amended,
}

impl SealState {
    pub fn as_str(self) -> &'static str {
        match self {
            SealState::InProgress => "in progress",
            SealState::Provisional => "provisional",
            SealState::Sealed => "sealed",
            SealState::Amended => "amended",
        }
    }
}

/// A week's rows as they are now, beside what was sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekSeal {
    pub state: SealState,
    /// The rows as they are now.
    pub current: WeekDigest,
    /// What the week was first sealed with (a sealed week that had no rows when its
    /// successors were sealed was sealed empty, without an entry of its own).
    pub sealed_digest: Option<String>,
    pub sealed_rows: Option<u64>,
    /// The chain hash of the lock entry that seals the rows as they are now.
    pub chain: Option<String>,
    /// Amendments recorded for this week, oldest first.
    pub amendments: Vec<Amendment>,
    /// The public rows the week was first sealed with, when the site keeps them
    /// (`data/sealed/`, written by `tally seal`; empty for a week sealed empty).
    pub sealed_public_text: Option<String>,
    /// The rows are as sealed by an entry written before the site had a key: the
    /// unkeyed digest is shown, which that entry published already.
    pub shown_unkeyed: bool,
}

impl WeekSeal {
    /// The digest published for the week's rows: keyed, unless they are as an unkeyed
    /// entry sealed them.
    pub fn shown_digest(&self) -> &str {
        if self.shown_unkeyed {
            &self.current.unkeyed
        } else {
            &self.current.digest
        }
    }
}

/// The site's seals: the lock as written and every week's standing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seals {
    /// The entries of `tally.lock`, in file order.
    pub lock: Vec<Seal>,
    /// Every week from the first week in the ledger or the lock to the week in progress.
    pub weeks: std::collections::BTreeMap<WeekId, WeekSeal>,
    /// The public rows each lock entry sealed, by its public digest, as kept in
    /// `data/sealed/` (checked against the digest).
    pub sealed_rows: std::collections::BTreeMap<String, String>,
    /// The id of the site's seal key (`data/seal.key`), when it has one: new entries
    /// carry it.
    pub key: Option<String>,
}

impl Seals {
    /// How many weeks stand in `state`.
    pub fn count(&self, state: SealState) -> usize {
        self.weeks.values().filter(|w| w.state == state).count()
    }

    /// The chain hash of the lock's last entry: it commits to every sealed week.
    pub fn head(&self) -> &str {
        self.lock.last().map_or(CHAIN_START, |s| s.chain.as_str())
    }

    /// The entries `tally seal` appends: the amended rows of sealed weeks not sealed
    /// yet, then every provisional week, oldest first, chained on from the lock's head.
    pub fn pending(&self) -> Vec<Seal> {
        let mut previous = self.head().to_string();
        let mut entries = Vec::new();
        for seal in self.weeks.values() {
            let amended = match seal.state {
                SealState::Amended if seal.chain.is_none() => {
                    seal.amendments.last().map(|a| a.date)
                }
                SealState::Provisional => None,
                _ => continue,
            };
            let entry = self.entry(seal, &previous, amended);
            previous = entry.chain.clone();
            entries.push(entry);
        }
        entries
    }

    /// A new entry sealing `seal`'s rows as they are now, chained on from `previous`.
    pub fn entry(&self, seal: &WeekSeal, previous: &str, amended: Option<Date>) -> Seal {
        Seal {
            week: seal.current.week,
            rows: seal.current.rows as u64,
            digest: seal.current.digest.clone(),
            public_digest: seal.current.public_digest.clone(),
            chain: chain(previous, &seal.current.digest),
            amended,
            key: self.key.clone(),
            rekeyed: None,
            line: 0,
        }
    }

    /// The weeks whose latest entry was sealed without the key: `tally seal --rekey`
    /// seals each again with it.
    pub fn unkeyed_weeks(&self) -> Vec<WeekId> {
        let mut weeks: Vec<WeekId> = Vec::new();
        for (week, seal) in &self.weeks {
            if seal.shown_unkeyed {
                weeks.push(*week);
            }
        }
        weeks
    }

    /// The entries `tally seal --rekey` appends on `date`: every sealed week whose
    /// latest entry is unkeyed, sealed again with the key, chained on from the head.
    /// Each entry's rows are those of the unkeyed entry it follows (the check has
    /// compared them).
    pub fn rekey_entries(&self, date: Date) -> Vec<Seal> {
        let mut previous = self.head().to_string();
        let mut entries = Vec::new();
        for week in self.unkeyed_weeks() {
            let Some(seal) = self.weeks.get(&week) else {
                continue;
            };
            let mut entry = self.entry(seal, &previous, None);
            entry.rekeyed = Some(date);
            previous = entry.chain.clone();
            entries.push(entry);
        }
        entries
    }
}

/// `data/sealed/2026-W47/<public digest>.txt`: the public rows a lock entry sealed,
/// kept beside the lock so that a later change can be shown row by row.
pub fn sealed_rows_path(week: WeekId, public_digest: &str) -> String {
    format!("{SEALED_ROWS_DIR}/{week}/{public_digest}.txt")
}

/// Where `tally seal` keeps the public rows of each entry it writes.
pub const SEALED_ROWS_DIR: &str = "data/sealed";

/// How a week's public rows changed, like `git diff` over the sorted public lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct RowDiff {
    pub removed: Vec<String>,
    pub added: Vec<String>,
    /// A row removed and one added in its place: `(before, after)`.
    pub changed: Vec<(String, String)>,
}

impl RowDiff {
    /// The difference from the public rows `old` to `new` (texts of sorted lines).
    pub fn between(old: &str, new: &str) -> RowDiff {
        use similar::{DiffOp, TextDiff};
        let before: Vec<&str> = old.lines().collect();
        let after: Vec<&str> = new.lines().collect();
        let lines = |all: &[&str], from: usize, len: usize| -> Vec<String> {
            all.iter()
                .skip(from)
                .take(len)
                .map(|l| l.to_string())
                .collect()
        };
        let mut diff = RowDiff::default();
        for op in TextDiff::from_lines(old, new).ops() {
            match *op {
                DiffOp::Equal { .. } => {}
                DiffOp::Delete {
                    old_index, old_len, ..
                } => diff.removed.extend(lines(&before, old_index, old_len)),
                DiffOp::Insert {
                    new_index, new_len, ..
                } => diff.added.extend(lines(&after, new_index, new_len)),
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let gone = lines(&before, old_index, old_len);
                    let came = lines(&after, new_index, new_len);
                    let pairs = gone.len().min(came.len());
                    diff.removed.extend(gone.iter().skip(pairs).cloned());
                    diff.added.extend(came.iter().skip(pairs).cloned());
                    diff.changed.extend(gone.into_iter().zip(came).take(pairs));
                }
            }
        }
        diff
    }

    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty() && self.changed.is_empty()
    }

    /// One line per row: `- ` removed, `+ ` added, a changed row as both; `indent`
    /// before each. Empty when no public column changed.
    pub fn to_text(&self, indent: &str) -> String {
        let mut text = String::new();
        let mut line = |sign: char, row: &str| {
            text.push_str(&format!("{indent}{sign} {row}\n"));
        };
        for (before, after) in &self.changed {
            line('-', before);
            line('+', after);
        }
        for row in &self.removed {
            line('-', row);
        }
        for row in &self.added {
            line('+', row);
        }
        text
    }
}

/// The quantities of public rows added up by kind and unit (`service`, `kg`): the
/// figures an amended week's report shows before and after.
pub fn quantity_totals(public_text: &str) -> std::collections::BTreeMap<(String, String), Decimal> {
    let mut totals = std::collections::BTreeMap::new();
    for line in public_text.lines() {
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(kind), Some(quantity), Some(unit)) =
            (fields.get(3), fields.get(4), fields.get(5))
        else {
            continue;
        };
        let Ok(quantity) = quantity.parse::<Decimal>() else {
            continue;
        };
        *totals
            .entry((kind.to_string(), unit.to_string()))
            .or_insert(Decimal::ZERO) += quantity;
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::str::FromStr;

    fn row<'a>(quantity: &str, memo: Option<&'a str>) -> SealedColumns<'a> {
        SealedColumns {
            date: date(2026, 11, 16),
            cell: "food-coop",
            category: "food",
            kind: "service",
            quantity: Decimal::from_str(quantity).unwrap(),
            unit: "kg",
            receipt: Some("FC-000001"),
            to_cell: None,
            counterparty: Some("hh-0492"),
            memo,
        }
    }

    fn week() -> WeekId {
        WeekId::parse("2026-W47").unwrap()
    }

    #[test]
    fn canonical_line_has_ten_columns_in_order_with_normal_decimals() {
        assert_eq!(
            row("12.50", Some("late pickup")).canonical_line(),
            "2026-11-16,food-coop,food,service,12.5,kg,FC-000001,,hh-0492,late pickup"
        );
        assert_eq!(
            row("12.50", None).public_line(),
            "2026-11-16,food-coop,food,service,12.5,kg,FC-000001,"
        );
    }

    #[test]
    fn equal_quantities_written_differently_give_one_line() {
        for (a, b) in [("12.50", "12.5"), ("3.000", "3"), ("100", "100.00")] {
            assert_eq!(row(a, None).canonical_line(), row(b, None).canonical_line());
        }
        assert_eq!(normal_decimal(Decimal::from_str("100").unwrap()), "100");
        assert_eq!(normal_decimal(Decimal::from_str("0.050").unwrap()), "0.05");
    }

    #[test]
    fn a_separator_or_newline_in_a_field_cannot_forge_a_field_or_a_row() {
        let forged =
            row("1", Some("x\n2026-11-16,food-coop,food,service,9,kg,,,,")).canonical_line();
        assert_eq!(forged.lines().count(), 1);
        assert_eq!(forged.split(',').count(), 10);
        assert!(
            forged.ends_with("x%0A2026-11-16%2Cfood-coop%2Cfood%2Cservice%2C9%2Ckg%2C%2C%2C%2C")
        );
        // The escape character itself is escaped, so escaped text cannot collide.
        assert_ne!(
            row("1", Some("%2C")).canonical_line(),
            row("1", Some(",")).canonical_line()
        );
        assert_eq!(
            row("1", Some("a\r%b"))
                .canonical_line()
                .matches(',')
                .count(),
            9
        );
    }

    #[test]
    fn a_week_digest_ignores_row_order_but_not_any_edit() {
        let a = row("1", Some("a"));
        let b = row("2", Some("b"));
        let forward = WeekDigest::of(week(), [a, b], None);
        let backward = WeekDigest::of(week(), [b, a], None);
        assert_eq!(forward, backward);
        assert_eq!(forward.rows, 2);
        let edited = WeekDigest::of(week(), [a, row("2", Some("B"))], None);
        assert_ne!(edited.digest, forward.digest);
        // A private column is covered by the digest only.
        assert_eq!(edited.public_digest, forward.public_digest);
        let duplicated = WeekDigest::of(week(), [a, b, b], None);
        assert_ne!(duplicated.digest, forward.digest);
    }

    #[test]
    fn digests_are_what_sha256sum_prints() {
        // printf '' | sha256sum
        assert_eq!(WeekDigest::of(week(), [], None).digest, EMPTY_DIGEST);
        // printf 'abc' | sha256sum
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let one = WeekDigest::of(week(), [row("1", None)], None);
        assert_eq!(
            one.public_text,
            "2026-11-16,food-coop,food,service,1,kg,FC-000001,\n"
        );
        assert_eq!(one.public_digest, sha256_hex(one.public_text.as_bytes()));
        assert_eq!(
            one.digest,
            sha256_hex(b"2026-11-16,food-coop,food,service,1,kg,FC-000001,,hh-0492,\n")
        );
    }

    #[test]
    fn a_row_diff_pairs_changed_rows_and_lists_added_and_removed_ones() {
        let old = "2026-01-12,p,food,service,7.25,kg,P-3,\n2026-01-14,p,food,service,3,kg,V-1,\n2026-01-15,p,food,service,1,kg,V-2,\n";
        let new = "2026-01-12,p,food,service,7.5,kg,P-3,\n2026-01-14,p,food,service,3,kg,V-1,\n2026-01-16,p,food,service,2,kg,V-3,\n2026-01-17,p,food,service,4,kg,V-4,\n";
        let diff = RowDiff::between(old, new);
        assert_eq!(
            diff.changed,
            vec![
                (
                    "2026-01-12,p,food,service,7.25,kg,P-3,".to_string(),
                    "2026-01-12,p,food,service,7.5,kg,P-3,".to_string()
                ),
                (
                    "2026-01-15,p,food,service,1,kg,V-2,".to_string(),
                    "2026-01-16,p,food,service,2,kg,V-3,".to_string()
                )
            ]
        );
        assert_eq!(diff.added, vec!["2026-01-17,p,food,service,4,kg,V-4,"]);
        assert!(diff.removed.is_empty());
        let text = diff.to_text("  ");
        assert!(text.starts_with("  - 2026-01-12,p,food,service,7.25,kg,P-3,\n  + 2026-01-12"));
        assert_eq!(text.lines().count(), 5);
        assert!(RowDiff::between(old, old).is_empty());
        assert_eq!(RowDiff::between("", "a\n").added, vec!["a"]);
        assert_eq!(RowDiff::between("a\n", "").removed, vec!["a"]);
    }

    #[test]
    fn quantity_totals_add_up_by_kind_and_unit() {
        let totals = quantity_totals(
            "d,p,food,service,7.25,kg,,\nd,p,food,service,1,kg,,\nd,p,food,contribution,40,kg,,\n",
        );
        let kg = |kind: &str| totals[&(kind.to_string(), "kg".to_string())].to_string();
        assert_eq!(kg("service"), "8.25");
        assert_eq!(kg("contribution"), "40");
    }

    /// Rows whose fields begin one another, hold bytes below and above `,`, escaped
    /// characters and characters of several bytes, with lines of many lengths: few
    /// values a column, so that many lines are alike but for their last bytes.
    fn tricky_rows(seed: u64, count: usize) -> Vec<(String, [String; 7], Decimal)> {
        const PIECES: [&str; 12] = [
            "",
            "a",
            "ab",
            "a!",
            "a ",
            "#",
            "a,b",
            "%",
            "\n",
            "é",
            "\u{0}",
            "aaaaaaaaa",
        ];
        let mut state = seed;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        (0..count)
            .map(|_| {
                // The first columns from the first few pieces, the last from all.
                let fields = [2, 2, 3, 3, 12, 12, 12].map(|values: usize| {
                    let parts = 1 + next(2);
                    (0..parts).map(|_| PIECES[next(values)]).collect::<String>()
                });
                let date = ["2026-11-16", "2026-11-17"][next(2)].to_string();
                let quantity = Decimal::new(next(3) as i64 - 1, next(2) as u32);
                (date, fields, quantity)
            })
            .collect()
    }

    #[test]
    fn a_week_digest_is_taken_of_its_lines_sorted_by_their_bytes() {
        for seed in 1..40 {
            let rows = tricky_rows(seed, 1 + (seed as usize * 7) % 300);
            let columns: Vec<SealedColumns<'_>> = rows
                .iter()
                .map(|(day, f, quantity)| SealedColumns {
                    date: day.parse().unwrap_or(date(2026, 11, 18)),
                    cell: &f[0],
                    category: &f[1],
                    kind: "service",
                    quantity: *quantity,
                    unit: &f[2],
                    receipt: Some(f[3].as_str()).filter(|r| !r.is_empty()),
                    to_cell: Some(f[4].as_str()),
                    counterparty: Some(f[5].as_str()),
                    memo: Some(f[6].as_str()),
                })
                .collect();
            let canonical = sorted_text(columns.iter().map(|c| c.canonical_line()).collect());
            let public = sorted_text(columns.iter().map(|c| c.public_line()).collect());
            let week = WeekDigest::of(week(), columns.iter().copied(), None);
            assert_eq!(week.public_text, public, "seed {seed}");
            assert_eq!(week.digest, sha256_hex(canonical.as_bytes()), "seed {seed}");
            assert_eq!(week.rows, columns.len());
        }
    }

    /// `lines` sorted by [`sort_lines`] and joined.
    fn sorted_by_keys(lines: &[String]) -> String {
        let text = lines.concat();
        let mut at = Vec::new();
        let mut start = 0;
        for line in lines {
            let end = start + line.len();
            at.push(Line {
                start,
                public_end: end,
                end,
                key: 0,
            });
            start = end;
        }
        sort_lines(text.as_bytes(), &mut at, 0);
        joined(&text, &at, |l| l.end)
    }

    #[test]
    fn lines_that_begin_one_another_sort_by_their_bytes() {
        let mut lines: Vec<String> = [
            "",
            "\0",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefgh\0\0",
            "abcdefghi",
            "abcdefgh!",
            "abcdefgh,",
            "abcdefghabcdefgh",
            "abcdefghabcdefgh ",
            "abcdefgha",
            "abcdefgh\u{0}a",
            "abcdefghabcdefg",
            "é",
            "abcdefgh",
        ]
        .map(String::from)
        .to_vec();
        let sorted = sorted_text(lines.clone());
        for _ in 0..lines.len() {
            assert_eq!(sorted_by_keys(&lines), sorted, "{lines:?}");
            lines.rotate_left(1);
            lines.reverse();
        }
        // Alike for longer than the deepest key: compared whole from there.
        let long: Vec<String> = ["b", "a", "", "a", "ab", "\0"]
            .map(|end| format!("{}{end}", "x".repeat(MAX_KEY_DEPTH + 40)))
            .to_vec();
        assert_eq!(sorted_by_keys(&long), sorted_text(long.clone()));
    }

    #[test]
    fn dates_and_decimals_are_written_as_they_display() {
        let mut day = date(-20, 1, 1);
        while day < date(2100, 12, 31) {
            let mut out = String::new();
            write_date(&mut out, day);
            assert_eq!(out, day.to_string());
            day = day.saturating_add(jiff::ToSpan::days(97));
        }
        for last in [
            date(9999, 12, 31),
            date(-9999, 1, 1),
            date(0, 1, 1),
            date(999, 9, 9),
        ] {
            let mut out = String::new();
            write_date(&mut out, last);
            assert_eq!(out, last.to_string());
        }
        let mut values: Vec<Decimal> = ["0", "-0", "0.0", "1", "-1", "0.05", "-0.005", "12.50"]
            .iter()
            .map(|t| Decimal::from_str(t).unwrap())
            .collect();
        values.extend([
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-7, 28),
        ]);
        let mut state = 88172645463325252u64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mantissa =
                (state >> (state % 64)) as i64 * if state.is_multiple_of(3) { -1 } else { 1 };
            values.push(Decimal::new(mantissa, (state % 29) as u32));
        }
        for value in values {
            for value in [value, value.normalize()] {
                let mut out = String::new();
                write_decimal(&mut out, value);
                assert_eq!(out, value.to_string(), "{value:?}");
            }
        }
    }

    #[test]
    fn escaping_writes_a_plain_field_whole_and_escapes_the_rest() {
        for (field, escaped) in [
            ("plain-field é", "plain-field é"),
            ("a,b", "a%2Cb"),
            ("50%", "50%25"),
            ("x\r\ny", "x%0D%0Ay"),
            ("", ""),
        ] {
            let mut out = String::from(">");
            escape_into(&mut out, field);
            assert_eq!(out, format!(">{escaped}"));
        }
    }

    #[test]
    fn lines_sort_by_their_bytes() {
        assert_eq!(
            sorted_text(vec!["b".into(), "B".into(), "a,".into(), "a".into()]),
            "B\na\na,\nb\n"
        );
    }

    #[test]
    fn the_chain_hashes_the_previous_chain_and_the_digest_as_hex_text() {
        let first = chain(CHAIN_START, EMPTY_DIGEST);
        assert_eq!(
            first,
            sha256_hex(format!("{CHAIN_START}{EMPTY_DIGEST}").as_bytes())
        );
        assert_eq!(first.len(), 64);
        assert!(is_digest(&first));
        assert_ne!(chain(&first, EMPTY_DIGEST), first);
        assert!(!is_digest("ABC"));
        assert!(!is_digest(&EMPTY_DIGEST.to_uppercase()));
    }
}
