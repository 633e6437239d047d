//! What the row checker remembers of one file's rows: rows of one export share dates,
//! cells, categories and units, so each is read (and judged, or looked up) once and the
//! last one is looked at first.

use std::collections::HashMap;

use jiff::civil::Date;

use super::Rules;
use super::amounts::parse_iso_date;
use super::receipt::ReceiptHasher;
use crate::check::names::{NameKind, Verdict};
use crate::model::ledger::Name;
use crate::model::week::WeekId;

/// The last rate looked up: unit, category, date and the rate found.
type RateMemo = (Name, Name, Date, Option<u32>);

/// The names, dates and rates of one file's rows read so far.
pub(super) struct Recall<'a> {
    rules: &'a Rules<'a>,
    interned: HashMap<Box<str>, Name, ReceiptHasher>,
    /// The last name read as cell, category, unit and to_cell, with its text and the
    /// verdict on it.
    recent: [Option<(Name, &'static str, Verdict)>; 4],
    /// The verdict on each name read, by slot.
    verdicts: HashMap<(usize, Name), Verdict, ReceiptHasher>,
    last_date: Option<(Box<str>, Date, WeekId)>,
    last_rate: Option<RateMemo>,
    /// Set by [`Recall::date`] for a date outside `[dates]`: after the latest?
    out_of_range: Option<bool>,
}

/// What the name in each of [`Recall::name`]'s slots is read as.
const SLOT_KINDS: [NameKind; 4] = [
    NameKind::Cell,
    NameKind::Category,
    NameKind::Unit,
    NameKind::Cell,
];

impl<'a> Recall<'a> {
    pub(super) fn new(rules: &'a Rules<'a>) -> Recall<'a> {
        Recall {
            rules,
            interned: HashMap::default(),
            recent: [None; 4],
            verdicts: HashMap::default(),
            last_date: None,
            last_rate: None,
            out_of_range: None,
        }
    }

    /// The name in `text`, read as cell, category, unit or to_cell (`slot` 0 to 3), and
    /// the verdict on it.
    pub(super) fn name(&mut self, slot: usize, text: &str) -> (Name, Verdict) {
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

    /// The date in `text` and its week, or why it is not a date (or not a plausible one:
    /// then [`Recall::out_of_range`] tells on which side).
    pub(super) fn date(&mut self, text: &str) -> Result<(Date, WeekId), String> {
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

    /// Whether the date last read was after the latest plausible date (`Some(true)`) or
    /// before the earliest (`Some(false)`); `None` when it was not outside them. Cleared
    /// by reading it.
    pub(super) fn out_of_range(&mut self) -> Option<bool> {
        self.out_of_range.take()
    }

    /// The index of the rate for `unit` and `category` in force on `date`.
    pub(super) fn rate(&mut self, unit: Name, category: Name, date: Date) -> Option<u32> {
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
}
