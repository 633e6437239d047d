//! `tally seal [SITE]`: appends to `tally.lock` an entry for every closed week not sealed
//! yet (and for the amended rows of a sealed week), and keeps each entry's public rows in
//! `data/sealed/`. Append-only: the bytes already in the
//! lock are kept as they are; the file is replaced whole, never half-written.
//!
//! The digests are keyed with `data/seal.key`, which `tally seal` creates when it is
//! missing. `tally seal --rekey` seals again with the key every week sealed before the
//! site had one.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::digest::SealKey;
use crate::error::{Error, Result};
use crate::load::seal::{KEY_FILE, LOCK_FILE};
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
    /// `data/seal.key`, when this run created it.
    pub key_created: Option<PathBuf>,
    /// `--rekey`: the entries seal sealed weeks again with the key.
    pub rekey: bool,
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
    /// `--rekey`: seal again with the key every week whose latest entry is unkeyed.
    pub rekey: bool,
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
    let key_created = if options.dry_run {
        None
    } else {
        create_key(site_dir)?
    };
    let site = crate::prepare(site_dir, None)?;
    let lock = site_dir.join(LOCK_FILE);
    if options.rekey {
        return rekey(&site, lock, key_created, options.dry_run);
    }
    let plan = plan(&site, options.until)?;
    let sealed = plan.entries;
    if !sealed.is_empty() {
        refuse_unkeyed(&site, key_created.is_some())?;
    }
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
        key_created,
        rekey: false,
    })
}

/// New entries are keyed: they are not appended after weeks whose latest entry is
/// unkeyed, which `tally seal --rekey` seals again first.
fn refuse_unkeyed(site: &Site, key_created: bool) -> Result<()> {
    let unkeyed = site.seals.unkeyed_weeks();
    let (Some(first), Some(last)) = (unkeyed.first(), unkeyed.last()) else {
        return Ok(());
    };
    let created = if key_created {
        format!(" ({KEY_FILE} was created just now)")
    } else {
        String::new()
    };
    let (count, weeks) = match unkeyed.len() {
        1 => ("1 week".to_string(), first.to_string()),
        n => (format!("{n} weeks"), format!("{first} to {last}")),
    };
    Err(Error::Usage(format!(
        "{LOCK_FILE} seals {count} ({weeks}) with unkeyed digests, from before the site \
         had a seal key{created}: run `tally seal --rekey` first, which seals them again \
         with the key, then `tally seal`"
    )))
}

/// `tally seal --rekey`: appends an entry sealing again with the key each week whose
/// latest entry is unkeyed (its rows as they are, which the check has compared with that
/// entry), dated today. Entries are never rewritten: the unkeyed ones stay in the chain.
fn rekey(
    site: &Site,
    lock: PathBuf,
    key_created: Option<PathBuf>,
    dry_run: bool,
) -> Result<SealSummary> {
    if site.seals.key.is_none() {
        return Err(Error::Usage(format!(
            "--rekey: the site has no seal key ({KEY_FILE}); run without --dry-run to create it"
        )));
    }
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let sealed = site.seals.rekey_entries(today);
    if !sealed.is_empty() && !dry_run {
        append(&lock, &sealed)?;
    }
    let head = sealed
        .last()
        .map_or_else(|| site.seals.head().to_string(), |s| s.chain.clone());
    Ok(SealSummary {
        lock,
        sealed,
        head,
        issued: Vec::new(),
        dry_run,
        held_back: Vec::new(),
        key_created,
        rekey: true,
    })
}

/// Writes a new random key to `SITE/data/seal.key` when there is none; its path when
/// it was created. On Unix only its owner may read it.
pub fn create_key(site_dir: &Path) -> Result<Option<PathBuf>> {
    let file = site_dir.join(KEY_FILE);
    if file.exists() {
        return Ok(None);
    }
    let key = SealKey::generate().map_err(|why| Error::Usage(format!("{KEY_FILE}: {why}")))?;
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|e| Error::io("create", folder, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options
        .open(&file)
        .map_err(|e| Error::io("create", &file, e))?;
    std::io::Write::write_all(&mut out, key.to_file_text().as_bytes())
        .map_err(|e| Error::io("write", &file, e))?;
    Ok(Some(file))
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
