//! `tally seal [SITE]`: appends to `tally.lock` an entry for every closed week not sealed
//! yet (and for the amended rows of a sealed week). Append-only: the bytes already in the
//! lock are kept as they are; the file is replaced whole, never half-written.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::seals::LOCK_FILE;
use crate::model::seal::{LOCK_HEADER, Seal};

/// What `tally seal` appended.
#[derive(Debug, Clone)]
pub struct SealSummary {
    pub lock: PathBuf,
    /// The entries appended, oldest week first (empty when everything was sealed).
    pub sealed: Vec<Seal>,
    /// The chain hash of the lock's last entry.
    pub head: String,
    /// The invoices and corrections issued and recorded by this seal.
    pub issued: Vec<crate::model::invoice::issued::IssuedRecord>,
}

/// More weeks than this sealed at once need `--yes`: a weekly release seals one.
pub const CONFIRM_ABOVE: usize = 8;

/// Checks the site as a build would (a changed sealed week fails here too), then appends
/// the pending entries: only closed weeks, all before the week of the latest ledger
/// date. More than [`CONFIRM_ABOVE`] at once are sealed only when `confirmed`.
pub fn seal(site_dir: &Path, confirmed: bool) -> Result<SealSummary> {
    let site = crate::prepare(site_dir, None)?;
    let lock = site_dir.join(LOCK_FILE);
    let sealed = site.seals.pending();
    if sealed.len() > CONFIRM_ABOVE
        && !confirmed
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
    if !sealed.is_empty() {
        let old = if lock.exists() {
            std::fs::read(&lock).map_err(|e| Error::io("read", &lock, e))?
        } else {
            LOCK_HEADER.as_bytes().to_vec()
        };
        let tmp = lock.with_file_name(".tally.lock.tmp");
        std::fs::write(&tmp, appended(old, &sealed)).map_err(|e| Error::io("write", &tmp, e))?;
        std::fs::rename(&tmp, &lock).map_err(|e| Error::io("replace", &lock, e))?;
    }
    let issued = crate::issue::issue(site_dir)?;
    Ok(SealSummary {
        lock,
        sealed,
        head,
        issued,
    })
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
