//! The published seals: `/data/seals.json` (the lock and every week's standing) and
//! `/data/canonical/<week>.txt` (a week's canonical public rows, whose SHA-256 is its
//! public digest), plus the seal view a weekly report shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::views::long_date;
use super::{Job, Renderer};
use crate::error::Result;
use crate::model::seal::{
    CHAIN_START, RowDiff, Seal, SealState, Seals, WeekSeal, normal_decimal, quantity_totals,
};
use crate::model::week::WeekId;
use crate::render::OutputFile;

pub const SEALS_FILE: &str = "data/seals.json";

/// `data/canonical/2026-W47.txt`.
pub fn canonical_path(week: WeekId) -> String {
    format!("data/canonical/{week}.txt")
}

/// `/data/seals.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealsFile {
    pub algorithm: String,
    /// The previous chain of the first entry.
    pub chain_start: String,
    /// The chain hash of the last entry: it commits to every entry before it.
    pub head: String,
    /// `tally.lock`, entry by entry, in its order.
    pub seals: Vec<SealRecord>,
    /// Every week, as its rows are now.
    pub weeks: Vec<WeekRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealRecord {
    pub week: String,
    pub rows: u64,
    pub digest: String,
    pub public_digest: String,
    pub chain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended: Option<String>,
    /// The id of the seal key the digest is an HMAC-SHA256 with; absent on an entry
    /// sealed before the site had a key (its digest is a plain SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// On an entry that sealed a week again with the key (`tally seal --rekey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rekeyed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekRecord {
    pub week: String,
    /// `sealed`, `amended`, `provisional` or `in progress`.
    pub state: String,
    pub rows: usize,
    pub digest: String,
    pub public_digest: String,
    /// The week's canonical public rows, relative to the site root.
    pub canonical: String,
    /// The chain hash of the lock entry sealing the rows as they are now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
    /// For an amended week: the digest it was first sealed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<AmendmentRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmendmentRecord {
    pub date: String,
    pub reason: String,
}

impl SealRecord {
    fn new(seal: &Seal) -> SealRecord {
        SealRecord {
            week: seal.week.to_string(),
            rows: seal.rows,
            digest: seal.digest.clone(),
            public_digest: seal.public_digest.clone(),
            chain: seal.chain.clone(),
            amended: seal.amended.map(|d| d.to_string()),
            key: seal.key.clone(),
            rekeyed: seal.rekeyed.map(|d| d.to_string()),
        }
    }
}

impl WeekRecord {
    fn new(week: WeekId, seal: &WeekSeal) -> WeekRecord {
        WeekRecord {
            week: week.to_string(),
            state: seal.state.as_str().to_string(),
            rows: seal.current.rows,
            digest: seal.shown_digest().to_string(),
            public_digest: seal.current.public_digest.clone(),
            canonical: canonical_path(week),
            chain: seal.chain.clone(),
            sealed_digest: match seal.state {
                SealState::Amended => seal.sealed_digest.clone(),
                _ => None,
            },
            amendments: seal
                .amendments
                .iter()
                .map(|a| AmendmentRecord {
                    date: a.date.to_string(),
                    reason: a.reason.clone(),
                })
                .collect(),
        }
    }
}

impl SealsFile {
    pub fn new(seals: &Seals) -> SealsFile {
        SealsFile {
            algorithm: "sha256".into(),
            chain_start: CHAIN_START.into(),
            head: seals.head().to_string(),
            seals: seals.lock.iter().map(SealRecord::new).collect(),
            weeks: seals
                .weeks
                .iter()
                .map(|(week, seal)| WeekRecord::new(*week, seal))
                .collect(),
        }
    }
}

/// `data/seals.json` and one canonical file per week.
pub fn jobs(r: &Renderer<'_>) -> Result<Vec<Job<'static>>> {
    let seals = &r.site.seals;
    let mut json = serde_json::to_string_pretty(&SealsFile::new(seals)).unwrap_or_default();
    json.push('\n');
    let mut jobs = vec![Job::File(OutputFile::new(SEALS_FILE, json))];
    for (week, seal) in &seals.weeks {
        let text = seal.current.public_text.as_bytes();
        jobs.push(Job::File(r.file_from(canonical_path(*week), text)?));
    }
    Ok(jobs)
}

/// Week → its seal state (`sealed`, `amended`, `provisional`) for lists of weeks; the
/// week in progress is left out.
pub fn states(seals: &Seals) -> BTreeMap<String, &'static str> {
    seals
        .weeks
        .iter()
        .filter(|(_, s)| s.state != SealState::InProgress)
        .map(|(week, s)| (week.to_string(), s.state.as_str()))
        .collect()
}

/// What a weekly report shows about its seal.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct SealView {
    /// `sealed`, `amended`, `provisional`, `in progress`: also the badge's class.
    pub state: &'static str,
    pub badge: &'static str,
    pub rows: usize,
    pub digest: String,
    pub public_digest: String,
    /// Link to the canonical public rows.
    pub canonical_url: String,
    pub chain: Option<String>,
    /// For an amended week: what it was first sealed with.
    pub sealed_digest: Option<String>,
    pub sealed_rows: Option<u64>,
    pub amendments: Vec<AmendmentView>,
    /// For an amended week whose first sealed rows were kept: its rows as sealed and
    /// now, public columns only, and the quantities that changed.
    pub changed_rows: Vec<ChangedRowView>,
    pub figures: Vec<FigureView>,
    /// Link to `/data/seals.json`.
    pub seals_url: String,
    /// `sha256sum 2026-W47.txt`: the command that checks the public digest.
    pub check_command: String,
    /// `printf '%s%s' PREVIOUS DIGEST | sha256sum`: the command that prints the chain hash.
    pub chain_command: Option<String>,
}

/// A public row removed, added or changed by an amendment.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct ChangedRowView {
    /// `changed`, `removed` or `added`.
    pub change: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A quantity, added up by kind and unit, as first sealed and now.
#[derive(Debug, Clone, Hash, Serialize)]
pub struct FigureView {
    pub kind: String,
    pub unit: String,
    pub before: String,
    pub after: String,
}

/// The rows and figures an amendment changed, from the rows first sealed to the rows now.
fn amended_changes(seal: &WeekSeal) -> (Vec<ChangedRowView>, Vec<FigureView>) {
    let (SealState::Amended, Some(old)) = (seal.state, &seal.sealed_public_text) else {
        return (Vec::new(), Vec::new());
    };
    let new = &seal.current.public_text;
    let diff = RowDiff::between(old, new);
    let row = |change, before: Option<&String>, after: Option<&String>| ChangedRowView {
        change,
        before: before.cloned(),
        after: after.cloned(),
    };
    let mut rows: Vec<ChangedRowView> = diff
        .changed
        .iter()
        .map(|(b, a)| row("changed", Some(b), Some(a)))
        .collect();
    rows.extend(diff.removed.iter().map(|b| row("removed", Some(b), None)));
    rows.extend(diff.added.iter().map(|a| row("added", None, Some(a))));
    let (before, after) = (quantity_totals(old), quantity_totals(new));
    let mut keys: Vec<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let figures = keys
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| FigureView {
            kind: k.0.clone(),
            unit: k.1.clone(),
            before: before.get(k).map_or("0".into(), |d| normal_decimal(*d)),
            after: after.get(k).map_or("0".into(), |d| normal_decimal(*d)),
        })
        .collect();
    (rows, figures)
}

#[derive(Debug, Clone, Hash, Serialize)]
pub struct AmendmentView {
    pub date: String,
    pub iso_date: String,
    pub reason: String,
}

impl SealView {
    pub fn new(week: WeekId, seal: &WeekSeal, lock: &[Seal], root: &str) -> SealView {
        let chain_command = seal.chain.as_deref().and_then(|chain| {
            let at = lock.iter().position(|s| s.chain == chain)?;
            let previous = at
                .checked_sub(1)
                .and_then(|i| lock.get(i))
                .map_or(CHAIN_START, |s| s.chain.as_str());
            let digest = &lock.get(at)?.digest;
            Some(format!("printf '%s%s' {previous} {digest} | sha256sum"))
        });
        let (changed_rows, figures) = amended_changes(seal);
        let (state, badge) = match seal.state {
            SealState::Sealed => ("sealed", "sealed"),
            SealState::Amended => ("amended", "amended"),
            SealState::Provisional => ("provisional", "provisional"),
            SealState::InProgress => ("in progress", "in-progress"),
        };
        SealView {
            state,
            badge,
            rows: seal.current.rows,
            digest: seal.shown_digest().to_string(),
            public_digest: seal.current.public_digest.clone(),
            canonical_url: format!("{root}{}", canonical_path(week)),
            chain: seal.chain.clone(),
            sealed_digest: match seal.state {
                SealState::Amended => seal.sealed_digest.clone(),
                _ => None,
            },
            sealed_rows: match seal.state {
                SealState::Amended => seal.sealed_rows,
                _ => None,
            },
            amendments: seal
                .amendments
                .iter()
                .map(|a| AmendmentView {
                    date: long_date(a.date),
                    iso_date: a.date.to_string(),
                    reason: a.reason.clone(),
                })
                .collect(),
            changed_rows,
            figures,
            seals_url: format!("{root}{SEALS_FILE}"),
            check_command: format!("sha256sum {week}.txt"),
            chain_command,
        }
    }

    /// The view of `week`, if the seals know it.
    pub fn of(seals: &Seals, week: WeekId, root: &str) -> Option<SealView> {
        seals
            .weeks
            .get(&week)
            .map(|s| SealView::new(week, s, &seals.lock, root))
    }
}
