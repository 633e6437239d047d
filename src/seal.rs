//! `tally seal [SITE]`: appends to `tally.lock` an entry for every closed week not sealed
//! yet (and for the amended rows of a sealed week), and keeps each entry's public rows in
//! `data/sealed/`. Append-only: the bytes already in the
//! lock are kept as they are; the file is replaced whole, never half-written.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::error::{Error, Result};
use crate::load::seals::LOCK_FILE;
use crate::model::Site;
use crate::model::seal::{LOCK_HEADER, Seal, sealed_rows_path};
use crate::model::week::WeekId;

/// What `tally seal` appended (or, with `--dry-run`, would append).
#[derive(Debug, Clone)]
pub struct SealSummary {
    pub lock: PathBuf,
    /// The entries appended, oldest week first (empty when everything was sealed).
    pub sealed: Vec<Seal>,
    /// The chain hash of the lock's last entry (after sealing).
    pub head: String,
    /// The invoices and corrections issued and recorded by this seal.
    pub issued: Vec<crate::model::invoice::issued::IssuedRecord>,
    /// Nothing was written: `--dry-run`.
    pub dry_run: bool,
    /// Provisional weeks left unsealed because they begin after the latest ledger row.
    pub held_back: Vec<WeekId>,
}

/// More weeks than this sealed at once need `--yes`: a weekly release seals one.
pub const CONFIRM_ABOVE: usize = 8;

/// How `tally seal` was asked to seal.
#[derive(Debug, Clone, Default)]
pub struct SealOptions {
    /// `--yes`: seal more than [`CONFIRM_ABOVE`] weeks at once.
    pub confirmed: bool,
    /// `--dry-run`: say what would be sealed, write nothing.
    pub dry_run: bool,
    /// `--until WEEK`: seal no week after this one.
    pub until: Option<WeekId>,
}

/// What sealing the site now would append.
#[derive(Debug, Clone, Default)]
pub struct SealPlan {
    /// The entries, oldest week first, chained on from the lock's head.
    pub entries: Vec<Seal>,
    /// Provisional weeks after the week of the latest ledger row: never sealed, since a
    /// mistyped date (in minutes, say) is what usually makes them closed.
    pub held_back: Vec<WeekId>,
    /// The latest date of any ledger row.
    pub latest_row: Option<Date>,
}

/// The entries `tally seal` would append to the checked `site`: those pending, up to
/// `until`, none for a week that begins after the latest ledger row. An `until` after
/// that week is refused.
pub fn plan(site: &Site, until: Option<WeekId>) -> Result<SealPlan> {
    let latest_row = site.ledger.entries.latest_date();
    let last_allowed = latest_row.map(WeekId::of);
    if let Some(until) = until
        && last_allowed.is_none_or(|last| until > last)
    {
        return Err(Error::Usage(format!(
            "--until {until}: refusing to seal a week after the latest ledger row ({})",
            latest_row.map_or_else(|| "there is none".to_string(), |d| d.to_string())
        )));
    }
    let mut plan = SealPlan {
        latest_row,
        ..SealPlan::default()
    };
    // Pending entries come oldest week first and chain on each other: keep a prefix.
    for entry in site.seals.pending() {
        if last_allowed.is_none_or(|last| entry.week > last) {
            plan.held_back.push(entry.week);
        } else if until.is_none_or(|until| entry.week <= until) && plan.held_back.is_empty() {
            plan.entries.push(entry);
        }
    }
    Ok(plan)
}

/// Checks the site as a build would (a changed sealed week fails here too), then appends
/// the pending entries: only closed weeks, none after the week of the latest ledger
/// row. More than [`CONFIRM_ABOVE`] at once are sealed only when `confirmed`.
pub fn seal(site_dir: &Path, confirmed: bool) -> Result<SealSummary> {
    seal_with(
        site_dir,
        &SealOptions {
            confirmed,
            ..SealOptions::default()
        },
    )
}

/// [`seal`] with every option of `tally seal`.
pub fn seal_with(site_dir: &Path, options: &SealOptions) -> Result<SealSummary> {
    let site = crate::prepare(site_dir, None)?;
    let lock = site_dir.join(LOCK_FILE);
    let plan = plan(&site, options.until)?;
    let sealed = plan.entries;
    if sealed.len() > CONFIRM_ABOVE
        && !options.confirmed
        && !options.dry_run
        && let (Some(first), Some(last)) = (sealed.first(), sealed.last())
    {
        return Err(Error::Usage(format!(
            "this would seal {} weeks at once ({} to {}): check that no ledger date is a typo, then run `tally seal --yes`",
            sealed.len(),
            first.week,
            last.week
        )));
    }
    let head = sealed
        .last()
        .map_or_else(|| site.seals.head().to_string(), |s| s.chain.clone());
    if !sealed.is_empty() && !options.dry_run {
        keep_sealed_rows(site_dir, &site, &sealed)?;
        append(&lock, &sealed)?;
    }
    let issued = if options.dry_run {
        Vec::new()
    } else {
        crate::issue::issue(site_dir)?
    };
    Ok(SealSummary {
        lock,
        sealed,
        head,
        issued,
        dry_run: options.dry_run,
        held_back: plan.held_back,
    })
}

/// Appends `entries` to the lock at `lock`, replacing the file whole.
pub fn append(lock: &Path, entries: &[Seal]) -> Result<()> {
    let old = if lock.exists() {
        std::fs::read(lock).map_err(|e| Error::io("read", lock, e))?
    } else {
        LOCK_HEADER.as_bytes().to_vec()
    };
    let tmp = lock.with_file_name(".tally.lock.tmp");
    std::fs::write(&tmp, appended(old, entries)).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, lock).map_err(|e| Error::io("replace", lock, e))
}

/// Writes the public rows of each entry into `data/sealed/`, so that a later change of
/// the week can be shown row by row. Written before the lock: rows kept for an entry
/// that failed to be appended are harmless.
pub fn keep_sealed_rows(site_dir: &Path, site: &Site, entries: &[Seal]) -> Result<()> {
    for entry in entries {
        let Some(week) = site.seals.weeks.get(&entry.week) else {
            continue;
        };
        let file = site_dir.join(sealed_rows_path(entry.week, &entry.public_digest));
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder).map_err(|e| Error::io("create", folder, e))?;
        }
        std::fs::write(&file, &week.current.public_text)
            .map_err(|e| Error::io("write", &file, e))?;
    }
    Ok(())
}

/// The old bytes unchanged, then the new entries.
pub fn appended(mut bytes: Vec<u8>, entries: &[Seal]) -> Vec<u8> {
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        bytes.push(b'\n');
    }
    for entry in entries {
        bytes.extend_from_slice(entry.to_toml().as_bytes());
    }
    bytes
}
