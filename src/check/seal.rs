//! Seals: `tally.lock` must be an unbroken chain, and every sealed week's rows must
//! still digest to what was sealed — unless `data/amendments.csv` records an amendment.
//! A changed sealed week is an error naming the week and both digests.

use std::collections::BTreeMap;
use std::path::Path;

use crate::digest::SealKey;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::front_matter::parse_date;
use crate::load::seal::{
    AMENDMENTS_FILE, KEY_FILE, LOCK_FILE, RawAmendment, RawSeal, RawSealEntry,
};
use crate::model::seal::{
    Amendment, CHAIN_START, EMPTY_DIGEST, RowDiff, Seal, SealState, Seals, WeekDigest, WeekSeal,
    chain, is_digest, sealed_rows_path,
};
use crate::model::week::WeekId;

/// Checks the lock and the amendments against the ledger's weeks.
///
/// `weeks` holds the digests of the weeks that have rows and the week holding the "as of"
/// date (in progress), earlier weeks being closed; `None` when the ledger has errors, so
/// that only the lock and the amendments are checked.
/// `key` is the site's seal key (`data/seal.key`), which entries sealed with a key need.
pub fn check(
    raw_lock: Vec<RawSealEntry>,
    raw_amendments: Vec<RawAmendment>,
    weeks: Option<(BTreeMap<WeekId, WeekDigest>, Option<WeekId>)>,
    key: Option<&SealKey>,
    problems: &mut Diagnostics,
) -> Seals {
    let before = problems.0.len();
    let key_id = key.map(SealKey::id);
    let sealed_rows = check_sealed_rows(&raw_lock, problems);
    let lock = check_lock(raw_lock, key_id.as_deref(), problems);
    let amendments = check_amendments(raw_amendments, problems);
    let mut seals = Seals {
        lock,
        weeks: BTreeMap::new(),
        sealed_rows,
        key: key_id,
    };
    let Some((digests, open_week)) = weeks else {
        return seals;
    };
    if problems.0.len() > before {
        // A broken lock or unreadable amendments: judging the weeks would only add noise.
        return seals;
    }
    seals.weeks = check_weeks(&seals, amendments, digests, (open_week, key), problems);
    seals
}

/// The kept public rows of the lock's entries, by public digest: a file whose rows do
/// not give the digest it is named by was edited, and is an error.
fn check_sealed_rows(raw: &[RawSealEntry], problems: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut kept = BTreeMap::new();
    for entry in raw {
        let Some(text) = &entry.rows else { continue };
        let digest = crate::digest::sha256_hex(text.as_bytes());
        if digest == entry.seal.public_digest {
            kept.insert(digest, text.clone());
        } else if let Some(week) = WeekId::parse(&entry.seal.week) {
            problems.push(Diagnostic::new(
                sealed_rows_path(week, &entry.seal.public_digest),
                format!(
                    "its rows digest to {digest}, not to the public digest of the entry at \
                     {LOCK_FILE}:{} that it keeps: restore the file as `tally seal` wrote it",
                    entry.line
                ),
            ));
        }
    }
    kept
}

fn check_lock(
    raw: Vec<RawSealEntry>,
    site_key: Option<&str>,
    problems: &mut Diagnostics,
) -> Vec<Seal> {
    let path = Path::new(LOCK_FILE);
    let mut lock: Vec<Seal> = Vec::new();
    let mut previous = CHAIN_START.to_string();
    let mut key_reported = false;
    for entry in raw {
        let (line, raw) = (entry.line, entry.seal);
        let mut faults = Vec::new();
        let week = WeekId::parse(&raw.week);
        if week.is_none() {
            faults.push(format!(
                "week: {:?} is not an ISO week like 2026-W47",
                raw.week
            ));
        }
        link_faults(&raw, &previous, &mut faults);
        let amended = date_field("amended", raw.amended.as_deref(), &mut faults);
        let rekeyed = date_field("rekeyed", raw.rekeyed.as_deref(), &mut faults);
        key_faults(&raw, &lock, &mut faults);
        if let Some(week) = week {
            order_faults(week, &raw, &lock, &mut faults);
        }
        if let Some(key) = &raw.key
            && !key_reported
            && is_key_id(key)
            && let Some(fault) = site_key_fault(key, site_key, line)
        {
            problems.push(fault);
            key_reported = true;
        }
        previous = raw.chain.clone();
        let ok = faults.is_empty();
        for fault in faults {
            problems.push(Diagnostic::at(path, line, fault));
        }
        if let (true, Some(week)) = (ok, week) {
            lock.push(Seal {
                week,
                rows: raw.rows,
                digest: raw.digest,
                public_digest: raw.public_digest,
                chain: raw.chain,
                amended,
                key: raw.key,
                rekeyed,
                line,
            });
        }
    }
    lock
}

/// The entry's digests are SHA-256s in hex, and its chain follows from `previous`.
fn link_faults(raw: &RawSeal, previous: &str, faults: &mut Vec<String>) {
    for (name, value) in [
        ("digest", &raw.digest),
        ("public_digest", &raw.public_digest),
        ("chain", &raw.chain),
    ] {
        if !is_digest(value) {
            faults.push(format!(
                "{name}: {value:?} is not a SHA-256 in lowercase hex (64 characters)"
            ));
        }
    }
    let expected = chain(previous, &raw.digest);
    if is_digest(&raw.digest) && is_digest(&raw.chain) && raw.chain != expected {
        faults.push(format!(
            "chain: expected {expected} (SHA-256 of the previous chain and this digest), \
             found {}; an entry of tally.lock was edited, removed or reordered",
            raw.chain
        ));
    }
}

/// An optional date of a lock entry (`amended`, `rekeyed`).
fn date_field(
    name: &str,
    value: Option<&str>,
    faults: &mut Vec<String>,
) -> Option<jiff::civil::Date> {
    match value.map(parse_date)? {
        Ok(date) => Some(date),
        Err(reason) => {
            faults.push(format!("{name}: {reason}"));
            None
        }
    }
}

/// The entry's `key` and `rekeyed` against each other and the entries before it: once
/// an entry is sealed with the key, every later one is.
fn key_faults(raw: &RawSeal, lock: &[Seal], faults: &mut Vec<String>) {
    match &raw.key {
        Some(key) if !is_key_id(key) => faults.push(format!(
            "key: {key:?} is not the id of a seal key (16 lowercase hex digits)"
        )),
        Some(_) => {}
        None if raw.rekeyed.is_some() => faults.push(
            "rekeyed: an entry that seals a week again with the seal key names the key's id \
             (`key = ...`)"
                .to_string(),
        ),
        None if lock.iter().any(|s| s.key.is_some()) => faults.push(format!(
            "key: missing, but an earlier entry was sealed with the seal key ({KEY_FILE}): \
             every entry after it is, since an unkeyed digest lets anyone test a guess of \
             a private column"
        )),
        None => {}
    }
    if raw.amended.is_some() && raw.rekeyed.is_some() {
        faults.push("an entry is amended or rekeyed, not both".to_string());
    }
}

/// Weeks are sealed once, oldest first; an amended or rekeyed entry seals again a week
/// that was sealed. A rekeyed entry seals the very rows of the entry it follows.
fn order_faults(week: WeekId, raw: &RawSeal, lock: &[Seal], faults: &mut Vec<String>) {
    let last_sealed = lock
        .iter()
        .filter(|s| s.is_first_seal())
        .map(|s| s.week)
        .max();
    let again = match (&raw.amended, &raw.rekeyed) {
        (Some(_), _) => Some("amended"),
        (None, Some(_)) => Some("rekeyed"),
        (None, None) => None,
    };
    match (again, last_sealed) {
        (None, Some(last)) if week <= last => faults.push(format!(
            "week: {week} is sealed after {last}; weeks are sealed once, oldest first"
        )),
        (Some(how), None) => {
            faults.push(format!("{how}: {week} is {how} before any week was sealed"))
        }
        (Some(how), Some(last)) if week > last => faults.push(format!(
            "{how}: {week} is {how} but was never sealed (the last sealed week is {last})"
        )),
        _ => {}
    }
    if again == Some("rekeyed")
        && let Some(before) = lock.iter().rev().find(|s| s.week == week)
        && (before.rows != raw.rows || before.public_digest != raw.public_digest)
    {
        faults.push(format!(
            "rekeyed: {week} is sealed again with {} rows and public digest {}, but the entry \
             it seals again ({LOCK_FILE}:{}) has {} rows and public digest {}: a rekey \
             changes no row",
            raw.rows, raw.public_digest, before.line, before.rows, before.public_digest
        ));
    }
}

/// `data/seal.key` against the key an entry names: missing, or another key.
fn site_key_fault(key: &str, site_key: Option<&str>, line: usize) -> Option<Diagnostic> {
    let message = match site_key {
        Some(site_key) if site_key == key => return None,
        Some(site_key) => format!(
            "is the seal key {site_key}, but the entry at {LOCK_FILE}:{line} was sealed with \
             the key {key}: put back the key the treasurer keeps (a wrong key makes every \
             sealed week look changed)"
        ),
        None => format!(
            "is missing or unreadable, and the entry at {LOCK_FILE}:{line} was sealed with the \
             seal key {key}: restore the file from the treasurer's backup; without it no \
             sealed week can be checked"
        ),
    };
    Some(Diagnostic::new(KEY_FILE, message))
}

/// Whether `text` names a seal key: 16 lowercase hex digits.
fn is_key_id(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| crate::digest::HEX.contains(&b))
}

fn check_amendments(raw: Vec<RawAmendment>, problems: &mut Diagnostics) -> Vec<Amendment> {
    let path = Path::new(AMENDMENTS_FILE);
    let mut amendments = Vec::new();
    for row in raw {
        let week = WeekId::parse(&row.week);
        let date = parse_date(&row.date);
        if let Err(reason) = &date {
            problems.push(Diagnostic::at(path, row.line, format!("date: {reason}")));
        }
        let date = date.ok();
        if week.is_none() {
            problems.push(Diagnostic::at(
                path,
                row.line,
                format!("week: {:?} is not an ISO week like 2026-W47", row.week),
            ));
        }
        if row.reason.is_empty() {
            problems.push(Diagnostic::at(
                path,
                row.line,
                "reason: must say why the sealed week was changed",
            ));
        }
        if let (Some(week), Some(date)) = (week, date)
            && date <= week.sunday()
        {
            problems.push(Diagnostic::at(
                path,
                row.line,
                format!(
                    "date: {date} is before {week} ended ({}): an amendment corrects a sealed \
                     week, and a week is sealed only once it is over",
                    week.sunday()
                ),
            ));
        }
        if let (Some(week), Some(date), false) = (week, date, row.reason.is_empty()) {
            amendments.push(Amendment {
                week,
                date,
                reason: row.reason,
                line: row.line,
            });
        }
    }
    amendments.sort_by_key(|a| (a.week, a.date));
    amendments
}

fn check_weeks(
    seals: &Seals,
    amendments: Vec<Amendment>,
    mut digests: BTreeMap<WeekId, WeekDigest>,
    (open_week, key): (Option<WeekId>, Option<&SealKey>),
    problems: &mut Diagnostics,
) -> BTreeMap<WeekId, WeekSeal> {
    let lock = seals.lock.as_slice();
    let last_sealed = lock
        .iter()
        .filter(|s| s.is_first_seal())
        .map(|s| s.week)
        .max();
    let first = [
        digests.keys().next().copied(),
        lock.iter().map(|s| s.week).min(),
    ]
    .into_iter()
    .flatten()
    .min();
    let last = [
        digests.keys().next_back().copied(),
        lock.iter().map(|s| s.week).max(),
        open_week,
    ]
    .into_iter()
    .flatten()
    .max();
    let mut by_week: BTreeMap<WeekId, Vec<Amendment>> = BTreeMap::new();
    for a in amendments {
        by_week.entry(a.week).or_default().push(a);
    }

    let mut weeks = BTreeMap::new();
    let (Some(first), Some(last)) = (first, last) else {
        report_unsealed_amendments(
            &by_week.into_values().flatten().collect::<Vec<_>>(),
            problems,
        );
        return weeks;
    };
    let mut week = first;
    while week <= last {
        let current = digests
            .remove(&week)
            .unwrap_or_else(|| WeekDigest::of(week, [], key));
        let entries: Vec<&Seal> = lock.iter().filter(|s| s.week == week).collect();
        let amendments = by_week.remove(&week).unwrap_or_default();
        // A week sealed empty has no entry: point at the first entry sealed after it.
        let line = lock.iter().find(|s| s.week > week).map_or(1, |s| s.line);
        let judged = Judged {
            week,
            entries: &entries,
            sealed_empty: last_sealed.is_some_and(|last| week < last),
            in_progress: Some(week) == open_week,
            line,
            kept: &seals.sealed_rows,
        };
        weeks.insert(week, judged.judge(current, amendments, problems));
        match week.checked_next() {
            Some(next) => week = next,
            None => break,
        }
    }
    report_unsealed_amendments(
        &by_week.into_values().flatten().collect::<Vec<_>>(),
        problems,
    );
    weeks
}

/// One week and the lock entries sealing it.
struct Judged<'a> {
    week: WeekId,
    entries: &'a [&'a Seal],
    /// Before the last sealed week without an entry of its own: it had no rows when the
    /// weeks after it were sealed, so it is sealed empty.
    sealed_empty: bool,
    in_progress: bool,
    /// Where to point an error when the week has no entry of its own.
    line: usize,
    /// The public rows kept for lock entries, by public digest.
    kept: &'a BTreeMap<String, String>,
}

impl Judged<'_> {
    fn judge(
        &self,
        current: WeekDigest,
        amendments: Vec<Amendment>,
        problems: &mut Diagnostics,
    ) -> WeekSeal {
        let week = self.week;
        let original = match self.entries.first() {
            Some(first) => Some((first.digest.clone(), first.rows, first.line)),
            None if self.sealed_empty => Some((EMPTY_DIGEST.to_string(), 0, self.line)),
            None => None,
        };
        let Some((sealed_digest, sealed_rows, line)) = original else {
            report_unsealed_amendments(&amendments, problems);
            return self.unsealed(current);
        };
        let chain = self
            .entries
            .iter()
            .rev()
            .find(|s| s.matches(&current))
            .map(|s| s.chain.clone());
        for entry in self.entries.iter().filter(|s| s.matches(&current)) {
            self.check_matching_entry(entry, &current, problems);
        }
        let sealed_public_text = match self.entries.first() {
            Some(first) => self.kept.get(&first.public_digest).cloned(),
            None => Some(String::new()),
        };
        let state = if let Some(last) = amendments.last() {
            if self.matches_original(&current) {
                problems.push(Diagnostic::at(
                    AMENDMENTS_FILE,
                    last.line,
                    format!(
                        "{week}: its rows are as they were sealed ({LOCK_FILE}:{line}), so there \
                         is nothing to amend; an amendment records a change to a sealed week"
                    ),
                ));
            }
            SealState::Amended
        } else {
            self.check_unchanged(&current, line, problems);
            SealState::Sealed
        };
        // Rows as sealed by an entry from before the site had a key are shown with the
        // unkeyed digest that entry published already.
        let shown_unkeyed = self
            .entries
            .last()
            .is_some_and(|latest| latest.key.is_none() && latest.matches(&current));
        WeekSeal {
            shown_unkeyed,
            state,
            current,
            sealed_digest: Some(sealed_digest),
            sealed_rows: Some(sealed_rows),
            chain,
            amendments,
            sealed_public_text,
        }
    }

    /// A week not sealed yet: in progress, or closed and provisional.
    fn unsealed(&self, current: WeekDigest) -> WeekSeal {
        WeekSeal {
            state: if self.in_progress {
                SealState::InProgress
            } else {
                SealState::Provisional
            },
            current,
            sealed_digest: None,
            sealed_rows: None,
            chain: None,
            amendments: Vec::new(),
            sealed_public_text: None,
            shown_unkeyed: false,
        }
    }

    /// Whether the rows are as the week was first sealed (an entry, or sealed empty).
    fn matches_original(&self, current: &WeekDigest) -> bool {
        match self.entries.first() {
            Some(first) => first.matches(current),
            None => current.unkeyed == EMPTY_DIGEST,
        }
    }

    /// Every entry whose digest the rows match (the first seal, and its rekey) must agree
    /// with them in every field it publishes: an edited `rows` or `public_digest` would
    /// contradict the canonical files on the site.
    fn check_matching_entry(&self, entry: &Seal, current: &WeekDigest, problems: &mut Diagnostics) {
        if entry.rows != current.rows as u64 || entry.public_digest != current.public_digest {
            problems.push(Diagnostic::at(
                LOCK_FILE,
                entry.line,
                format!(
                    "{}: the entry's digest matches the rows but rows = {} and public_digest = {} do not: the rows give {} and {} (an entry, once written, never changes)",
                    self.week, entry.rows, entry.public_digest, current.rows, current.public_digest
                ),
            ));
        }
    }

    /// The rows must digest to the week's latest entry, or to nothing when it was
    /// sealed empty; else an error naming both digests and the rows that changed.
    fn check_unchanged(&self, current: &WeekDigest, line: usize, problems: &mut Diagnostics) {
        let week = self.week;
        let (expected, expected_rows, now) = match self.entries.last() {
            Some(latest) => (latest.digest.as_str(), latest.rows, current.under(latest)),
            None => (EMPTY_DIGEST, 0, current.unkeyed.as_str()),
        };
        if expected == now {
            return;
        }
        let diff = self.changed_rows(current);
        problems.push(Diagnostic::at(
            LOCK_FILE,
            line,
            format!(
                "{week} was sealed with digest {expected} ({expected_rows} rows) but its \
                 rows now digest to {now} ({} rows): restore the sealed rows, or record \
                 the change with `tally amend {week} --reason TEXT` (it writes {AMENDMENTS_FILE}){diff}",
                current.rows
            ),
        ));
    }

    /// What changed since the week's latest seal, as lines to add to an error: the row
    /// diff of the public columns when the sealed rows were kept.
    fn changed_rows(&self, current: &WeekDigest) -> String {
        let sealed = match self.entries.last() {
            Some(entry) => self.kept.get(&entry.public_digest).map(String::as_str),
            None => Some(""),
        };
        let Some(sealed) = sealed else {
            return String::new();
        };
        let diff = RowDiff::between(sealed, &current.public_text);
        if diff.is_empty() {
            "; only private columns (counterparty, memo) changed".to_string()
        } else {
            format!(
                "; the public rows changed:\n{}",
                diff.to_text("    ").trim_end()
            )
        }
    }
}

/// Amendments are for sealed weeks only: anything else would be a note without a seal.
fn report_unsealed_amendments(amendments: &[Amendment], problems: &mut Diagnostics) {
    for a in amendments {
        problems.push(Diagnostic::at(
            AMENDMENTS_FILE,
            a.line,
            format!(
                "week: {} is not sealed; an amendment records a change to a sealed week",
                a.week
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;
    use crate::load::seal::RawSeal;

    fn w(n: i8) -> WeekId {
        WeekId {
            year: 2026,
            week: n,
        }
    }

    /// A week whose "rows" are given as text: its digests are those of the text.
    fn digest(week: WeekId, text: &str) -> WeekDigest {
        WeekDigest {
            week,
            rows: text.lines().count(),
            digest: sha256_hex(text.as_bytes()),
            unkeyed: sha256_hex(text.as_bytes()),
            public_digest: sha256_hex(format!("public {text}").as_bytes()),
            public_text: format!("public {text}"),
        }
    }

    fn weeks(list: &[(i8, &str)]) -> BTreeMap<WeekId, WeekDigest> {
        list.iter()
            .map(|(n, text)| (w(*n), digest(w(*n), text)))
            .collect()
    }

    /// Seals what `check` found pending into raw lock entries, as `tally seal` would.
    fn sealed(seals: &Seals) -> Vec<RawSealEntry> {
        let mut lock: Vec<RawSealEntry> = seals
            .lock
            .iter()
            .chain(seals.pending().iter())
            .map(|s| RawSealEntry {
                line: 0,
                seal: RawSeal {
                    week: s.week.to_string(),
                    rows: s.rows,
                    digest: s.digest.clone(),
                    public_digest: s.public_digest.clone(),
                    chain: s.chain.clone(),
                    amended: s.amended.map(|d| d.to_string()),
                    key: s.key.clone(),
                    rekeyed: s.rekeyed.map(|d| d.to_string()),
                },
                rows: None,
            })
            .collect();
        for (i, entry) in lock.iter_mut().enumerate() {
            entry.line = 10 + 7 * i;
        }
        lock
    }

    fn run(
        lock: Vec<RawSealEntry>,
        amendments: Vec<RawAmendment>,
        data: &[(i8, &str)],
        open: i8,
    ) -> (Seals, Vec<Diagnostic>) {
        let mut problems = Diagnostics::default();
        let seals = check(
            lock,
            amendments,
            Some((weeks(data), Some(w(open)))),
            None,
            &mut problems,
        );
        (seals, problems.0)
    }

    fn amendment(week: &str, line: usize) -> RawAmendment {
        RawAmendment {
            line,
            week: week.into(),
            date: "2026-03-20".into(),
            reason: "a receipt entered twice".into(),
        }
    }

    #[test]
    fn closed_weeks_are_provisional_until_sealed_and_the_open_week_in_progress() {
        let (seals, problems) = run(vec![], vec![], &[(1, "a\n"), (3, "c\n")], 4);
        assert!(problems.is_empty());
        let states: Vec<SealState> = seals.weeks.values().map(|s| s.state).collect();
        use SealState::*;
        assert_eq!(states, [Provisional, Provisional, Provisional, InProgress]);
        let pending = seals.pending();
        assert_eq!(pending.len(), 3, "the empty week 2 is sealed too");
        assert_eq!(pending[1].digest, EMPTY_DIGEST);
        assert_eq!(pending[0].chain, chain(CHAIN_START, &pending[0].digest));
        assert_eq!(
            pending[2].chain,
            chain(&pending[1].chain, &pending[2].digest)
        );
    }

    #[test]
    fn sealed_weeks_that_still_match_are_sealed_and_nothing_is_pending() {
        let data = [(1, "a\n"), (2, "b\n"), (3, "c\n")];
        let (first, _) = run(vec![], vec![], &data, 3);
        let (seals, problems) = run(sealed(&first), vec![], &data, 3);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(seals.weeks[&w(1)].state, SealState::Sealed);
        assert_eq!(
            seals.weeks[&w(2)].chain.as_deref(),
            Some(seals.lock[1].chain.as_str())
        );
        assert_eq!(seals.weeks[&w(3)].state, SealState::InProgress);
        assert!(seals.pending().is_empty());
    }

    #[test]
    fn a_changed_sealed_week_is_an_error_naming_the_week_and_both_digests() {
        let (first, _) = run(vec![], vec![], &[(1, "a\n"), (2, "b\n")], 3);
        let (_, problems) = run(sealed(&first), vec![], &[(1, "a\n"), (2, "B\n")], 3);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let message = problems[0].to_string();
        assert!(
            message.starts_with("tally.lock:17: 2026-W02 was sealed"),
            "{message}"
        );
        assert!(message.contains(&sha256_hex(b"b\n")), "{message}");
        assert!(message.contains(&sha256_hex(b"B\n")), "{message}");
    }

    #[test]
    fn rows_added_to_a_week_sealed_empty_or_removed_from_a_sealed_week_are_errors() {
        let (first, _) = run(vec![], vec![], &[(2, "b\n"), (4, "d\n")], 5);
        // Week 1 was before the first sealed week: sealed empty as well.
        let (_, problems) = run(
            sealed(&first),
            vec![],
            &[(1, "a\n"), (2, "b\n"), (4, "d\n")],
            5,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("2026-W01 was sealed"),
            "{problems:?}"
        );
        let (_, problems) = run(sealed(&first), vec![], &[(2, "b\n")], 5);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.contains("2026-W04 was sealed"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_amendment_lets_a_sealed_week_change_and_seal_appends_the_amended_rows() {
        let (first, _) = run(vec![], vec![], &[(1, "a\n"), (2, "b\n")], 3);
        let lock = sealed(&first);
        let changed = [(1, "a\n"), (2, "B\n"), (3, "c\n")];
        let (seals, problems) = run(lock.clone(), vec![amendment("2026-W02", 2)], &changed, 4);
        assert!(problems.is_empty(), "{problems:?}");
        let week = &seals.weeks[&w(2)];
        assert_eq!(week.state, SealState::Amended);
        assert_eq!(
            week.sealed_digest.as_deref(),
            Some(sha256_hex(b"b\n").as_str())
        );
        assert_eq!(week.current.digest, sha256_hex(b"B\n"));
        assert_eq!(week.chain, None, "the amended rows are not sealed yet");
        assert_eq!(week.amendments[0].reason, "a receipt entered twice");
        let pending = seals.pending();
        assert_eq!(pending.len(), 2);
        assert_eq!(
            (pending[0].week, pending[0].amended.is_some()),
            (w(2), true)
        );
        assert_eq!((pending[1].week, pending[1].amended), (w(3), None));
        // Sealed again: the amended rows are sealed, the original digest still shown.
        let (again, problems) = run(sealed(&seals), vec![amendment("2026-W02", 2)], &changed, 4);
        assert!(problems.is_empty(), "{problems:?}");
        let week = &again.weeks[&w(2)];
        assert_eq!(week.state, SealState::Amended);
        assert_eq!(week.chain.as_deref(), Some(again.lock[2].chain.as_str()));
        assert_eq!(
            week.sealed_digest.as_deref(),
            Some(sha256_hex(b"b\n").as_str())
        );
        assert!(again.pending().is_empty());
    }

    #[test]
    fn an_amendment_of_an_unsealed_week_or_with_bad_fields_is_an_error() {
        let (_, problems) = run(vec![], vec![amendment("2026-W01", 2)], &[(1, "a\n")], 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, Some(2));
        assert!(problems[0].message.contains("not sealed"));
        let bad = RawAmendment {
            line: 3,
            week: "W1".into(),
            date: "20.3.2026".into(),
            reason: String::new(),
        };
        let (_, problems) = run(vec![], vec![bad], &[(1, "a\n")], 2);
        assert_eq!(problems.len(), 3, "{problems:?}");
    }

    #[test]
    fn an_edited_lock_entry_breaks_the_chain() {
        let (first, _) = run(vec![], vec![], &[(1, "a\n"), (2, "b\n"), (3, "c\n")], 4);
        let mut lock = sealed(&first);
        lock[1].seal.digest = sha256_hex(b"B\n");
        let (_, problems) = run(lock, vec![], &[(1, "a\n"), (2, "B\n"), (3, "c\n")], 4);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].line, Some(17));
        assert!(
            problems[0].message.starts_with("chain: expected"),
            "{problems:?}"
        );
        // Removing an entry breaks the chain at the next one.
        let mut lock = sealed(&first);
        lock.remove(0);
        let (_, problems) = run(lock, vec![], &[(2, "b\n"), (3, "c\n")], 4);
        assert!(
            problems[0].message.starts_with("chain: expected"),
            "{problems:?}"
        );
    }
    #[test]
    fn entries_after_a_keyed_one_are_keyed_with_the_sites_key() {
        let data = [(1, "a\n"), (2, "b\n"), (3, "c\n")];
        let (first, _) = run(vec![], vec![], &data, 4);
        let key = SealKey::parse(&"1".repeat(64)).unwrap();
        let mut lock = sealed(&first);
        lock[1].seal.key = Some(key.id());
        let mut problems = Diagnostics::default();
        check(lock.clone(), vec![], None, Some(&key), &mut problems);
        assert_eq!(problems.0.len(), 1, "{problems:?}");
        assert_eq!(problems.0[0].line, Some(24));
        assert!(
            problems.0[0].message.starts_with("key: missing"),
            "{problems:?}"
        );
        // Without the key, or with another one: one error, naming data/seal.key.
        lock[2].seal.key = Some(key.id());
        let other = SealKey::parse(&"2".repeat(64)).unwrap();
        for (site_key, says) in [(None, "is missing"), (Some(&other), "is the seal key")] {
            let mut problems = Diagnostics::default();
            check(lock.clone(), vec![], None, site_key, &mut problems);
            assert_eq!(problems.0.len(), 1, "{problems:?}");
            assert_eq!(problems.0[0].path, Path::new(KEY_FILE));
            assert!(problems.0[0].message.starts_with(says), "{problems:?}");
        }
        lock[2].seal.key = Some("KEY".into());
        let mut problems = Diagnostics::default();
        check(lock, vec![], None, Some(&key), &mut problems);
        assert!(
            problems.0[0].message.contains("16 lowercase hex"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_rekeyed_entry_names_its_key_and_seals_the_very_rows_it_seals_again() {
        let data = [(1, "a\n"), (2, "b\n"), (3, "c\n")];
        let (first, _) = run(vec![], vec![], &data, 4);
        let mut lock = sealed(&first);
        // The third entry, turned into a rekey of week 1 with week 3's rows.
        lock[2].seal.week = "2026-W01".into();
        lock[2].seal.rekeyed = Some("2026-02-01".into());
        let (_, problems) = run(lock.clone(), vec![], &data, 4);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("names the key's id"), "{messages:?}");
        assert!(
            messages[1].contains("a rekey changes no row"),
            "{messages:?}"
        );
        lock[2].seal.amended = Some("2026-02-01".into());
        let (_, problems) = run(lock, vec![], &data, 4);
        assert!(
            problems.iter().any(|p| p.message.contains("not both")),
            "{problems:?}"
        );
    }
}
