//! `tally amend WEEK --reason TEXT`: records the correction of a sealed week. Checks the
//! site as if `data/amendments.csv` held the new line, then appends that line, appends to
//! `tally.lock` an entry sealing the corrected rows (`amended = DATE`), and reports the
//! rows that changed against the week's latest seal (public columns only).

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::error::{Diagnostic, Error, Result};
use crate::load::front_matter::parse_date;
use crate::load::seal::{AMENDMENTS_FILE, LOCK_FILE, RawAmendment};
use crate::model::Site;
use crate::model::seal::{RowDiff, Seal};
use crate::model::week::WeekId;

/// What `tally amend` was asked.
#[derive(Debug, Clone)]
pub struct AmendRequest {
    pub site: PathBuf,
    pub week: WeekId,
    pub reason: String,
    /// `YYYY-MM-DD`; today (UTC) when not given.
    pub date: Option<String>,
}

/// What `tally amend` recorded.
#[derive(Debug, Clone)]
pub struct Amended {
    pub week: WeekId,
    pub date: Date,
    /// The line of the amendment in `data/amendments.csv`.
    pub line: usize,
    /// The entry appended to `tally.lock`.
    pub entry: Seal,
    /// The rows of the week's latest seal.
    pub sealed_rows: u64,
    /// The rows changed against the latest seal; `None` when the sealed rows were not
    /// kept (a lock written before `data/sealed/` was).
    pub diff: Option<RowDiff>,
}

/// Records the amendment; nothing is written unless the site checks clean with it.
pub fn amend(request: &AmendRequest) -> Result<Amended> {
    let reason = request.reason.trim();
    if reason.is_empty() || reason.contains(['\n', '\r']) {
        return Err(Error::Usage(
            "--reason: say in one line why the sealed week was changed".into(),
        ));
    }
    let date = match &request.date {
        Some(text) => parse_date(text).map_err(|why| Error::Usage(format!("--date: {why}")))?,
        None => jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date(),
    };
    let file = request.site.join(AMENDMENTS_FILE);
    let old = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "week,date,reason\n".to_string(),
        Err(e) => return Err(Error::io("read", &file, e)),
    };
    let line = old.lines().count() + 1;
    let site = crate::prepare_amended(
        &request.site,
        RawAmendment {
            line,
            week: request.week.to_string(),
            date: date.to_string(),
            reason: reason.to_string(),
        },
    )?;
    let (entry, sealed_rows, diff) = corrected_entry(&site, request.week, date, line)?;
    crate::seal::keep_sealed_rows(&request.site, &site, std::slice::from_ref(&entry))?;
    write_amendment(&file, old, request.week, date, reason)?;
    crate::seal::append(&request.site.join(LOCK_FILE), std::slice::from_ref(&entry))?;
    Ok(Amended {
        week: request.week,
        date,
        line,
        entry,
        sealed_rows,
        diff,
    })
}

/// The lock entry sealing the week's rows as they are now, chained on the lock's head;
/// an error when those rows are sealed already (nothing to amend).
fn corrected_entry(
    site: &Site,
    week: WeekId,
    date: Date,
    line: usize,
) -> Result<(Seal, u64, Option<RowDiff>)> {
    let Some(seal) = site.seals.weeks.get(&week) else {
        return Err(Error::Input(vec![Diagnostic::at(
            AMENDMENTS_FILE,
            line,
            format!("week: {week} is not sealed; an amendment records a change to a sealed week"),
        )]));
    };
    let latest = site.seals.lock.iter().rev().find(|s| s.week == week);
    if seal.chain.is_some() {
        let at = latest.map_or(0, |s| s.line);
        return Err(Error::Input(vec![Diagnostic::at(
            AMENDMENTS_FILE,
            line,
            format!(
                "{week}: its rows are as sealed in {LOCK_FILE}:{at}, so there is nothing to amend"
            ),
        )]));
    }
    let sealed_text = match latest {
        Some(entry) => site.seals.sealed_rows.get(&entry.public_digest).cloned(),
        None => Some(String::new()),
    };
    let diff = sealed_text.map(|old| RowDiff::between(&old, &seal.current.public_text));
    let entry = site.seals.entry(seal, site.seals.head(), Some(date));
    let sealed_rows = latest.map_or(0, |s| s.rows);
    Ok((entry, sealed_rows, diff))
}

/// Appends `week,date,reason` to `data/amendments.csv` (created with its header), the
/// file replaced whole.
fn write_amendment(
    file: &Path,
    mut text: String,
    week: WeekId,
    date: Date,
    reason: &str,
) -> Result<()> {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let mut row = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    row.write_record([week.to_string(), date.to_string(), reason.to_string()])
        .map_err(|e| Error::Usage(format!("--reason: {e}")))?;
    let row = row
        .into_inner()
        .map_err(|e| Error::Usage(format!("--reason: {e}")))?;
    text.push_str(&String::from_utf8_lossy(&row));
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|e| Error::io("create", folder, e))?;
    }
    let tmp = file.with_file_name(".amendments.csv.tmp");
    std::fs::write(&tmp, text).map_err(|e| Error::io("write", &tmp, e))?;
    std::fs::rename(&tmp, file).map_err(|e| Error::io("replace", file, e))
}
