//! Stage 1, **load**: files → raw, typed records that remember their file and line.
//! Every problem is collected and handed on with the records that did load, so that
//! `check` reports them all in one run; nothing here checks one record against another.

pub mod cache;
pub mod content;
pub mod front_matter;
pub mod inputs;
pub mod issued;
pub mod ledger;
pub mod limits;
pub mod manual;
pub mod moment;
pub mod pool;
pub mod record;
pub mod seal;
pub mod standing;
pub use ledger::sources;
pub mod theme;
pub mod valuation;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};

use crate::model::theme::Theme;
pub use cache::FileCache;
pub use content::{RawMinutes, RawNote, RawPage};
pub use ledger::LedgerFile;
pub use pool::RawPool;
pub use valuation::RawTable;

/// What became of each invoice (`number,date,event,amount,note`).
pub const INVOICE_EVENTS_FILE: &str = "data/invoice-events.csv";

/// The People's Audit: residents' pledges (`date,pledges,amount,currency,source`).
pub const PLEDGES_FILE: &str = "data/pledges.csv";

/// Everything read from a site folder.
#[derive(Debug, Clone)]
pub struct Sources {
    pub config: Config,
    pub theme: Theme,
    pub pages: Vec<RawPage>,
    /// Shared with the [`FileCache`]: the same [`std::sync::Arc`] while a file is unchanged.
    pub minutes: Vec<std::sync::Arc<RawMinutes>>,
    /// Lottery pools named by `pool_file` in draws, keyed by that name as written.
    pub pools: BTreeMap<String, RawPool>,
    /// `content/reports/<YYYY-Www>.md`: commentary shown on that week's report.
    pub report_notes: Vec<RawNote>,
    /// `content/invoices/<number>.md`: cover letters.
    pub invoice_letters: Vec<RawNote>,
    /// `tally.lock`: the sealed weeks.
    pub lock: Vec<seal::RawSealEntry>,
    /// The `[[invoice]]` entries of `tally.lock`: the invoices as issued.
    pub issued: Vec<issued::RawIssuedEntry>,
    /// `data/amendments.csv`: recorded changes to sealed weeks.
    pub amendments: Vec<seal::RawAmendment>,
    /// `data/seal.key`: the key of the sealed weeks' digests, when the site has one.
    pub seal_key: Option<crate::digest::SealKey>,
    /// `data/ledger/*.csv`, sorted by path.
    pub ledger: Vec<LedgerFile>,
    /// `data/rates.csv`, when present.
    pub rates: Option<RawTable>,
    /// `data/city-budget.csv`, when present.
    pub budget: Option<RawTable>,
    /// `data/invoice-events.csv`, when present: what became of each invoice.
    pub invoice_events: Option<RawTable>,
    /// `data/pledges.csv`, when present.
    pub pledges: Option<RawTable>,
    /// `content/manuals/<slug>/`.
    pub manuals: Vec<manual::RawManual>,
    /// Every problem found reading the files. A file that cannot be read or parsed is
    /// left out of the records above (a bad ledger row, of its file's rows); `check`
    /// reports these problems with its own so that one run lists them all.
    pub problems: Vec<Diagnostic>,
}

/// Reads the whole site; what cannot be read is left out and its problem kept in
/// [`Sources::problems`].
pub fn load(site: &Path, config: Config) -> Sources {
    load_with(site, config, &FileCache::disabled())
}

/// [`load`], taking from `cache` the files parsed by an earlier build that have not
/// changed since (see [`FileCache`]).
pub fn load_with(site: &Path, config: Config, cache: &FileCache) -> Sources {
    let mut problems = Diagnostics::default();
    let theme = theme::load(site, &config, cache, &mut problems);
    let pages = content::load_pages(site, cache, &mut problems);
    let minutes = content::load_minutes(site, cache, &mut problems);
    let pools = pool::load_for(site, &minutes, &mut problems);
    let report_notes = content::load_notes(site, "content/reports", cache, &mut problems);
    let invoice_letters = content::load_notes(site, "content/invoices", cache, &mut problems);
    let lock = seal::load_lock(site, &mut problems);
    let issued = issued::load(site, &mut problems);
    let amendments = seal::load_amendments(site, &mut problems);
    let seal_key = seal::load_key(site, &mut problems);
    let ledger = ledger::load(site, &config.ledger, cache, &mut problems);
    let rates = valuation::load_table(site, valuation::RATES_FILE, &mut problems);
    let budget = valuation::load_table(site, valuation::BUDGET_FILE, &mut problems);
    let invoice_events = valuation::load_table(site, INVOICE_EVENTS_FILE, &mut problems);
    let manuals = manual::load_manuals(site, &mut problems);
    let pledges = valuation::load_table(site, PLEDGES_FILE, &mut problems);
    Sources {
        config,
        theme,
        pages,
        minutes,
        pools,
        report_notes,
        invoice_letters,
        lock,
        issued,
        amendments,
        seal_key,
        ledger,
        rates,
        budget,
        invoice_events,
        pledges,
        manuals,
        problems: problems.0,
    }
}

/// Files under `dir` (recursively) ending in `.ext` in any case (any file when `ext` is
/// empty), sorted by path so that every build sees them in the same order. A missing
/// folder is simply empty. Symbolic links are listed like what they point to; whether
/// they may be read is the readers' check ([`crate::paths::read_problem`]).
pub fn sorted_files(dir: &Path, ext: &str, problems: &mut Diagnostics) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let path = entry.into_path();
                if is_listed(&path, ext) {
                    files.push(path);
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                problems.push(Diagnostic::new(path, format!("cannot read: {e}")));
            }
        }
    }
    files
}

/// Whether [`sorted_files`] lists a file at `path`: its name does not start with a dot
/// and it ends in `.ext` (any file when `ext` is empty).
fn is_listed(path: &Path, ext: &str) -> bool {
    let hidden = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'));
    let matches = ext.is_empty()
        || path
            .extension()
            .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case(ext));
    matches && !hidden
}

/// `file` relative to `base`, for messages (`content/minutes/x.md`).
pub fn relative(base: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(base).unwrap_or(file).to_path_buf()
}

/// Reads a source of `site` as UTF-8 text; what cannot be read (outside the site, not
/// UTF-8, too large) is reported under `shown` with its line.
pub fn read_text(
    site: &Path,
    file: &Path,
    shown: &Path,
    problems: &mut Diagnostics,
) -> Option<String> {
    let bytes = read_bytes(site, file, shown, problems)?;
    let text = text_of(bytes, shown).map_err(|d| problems.push(d)).ok()?;
    if let Some((line, why)) = limits::text_problem(&text) {
        problems.push(Diagnostic::at(shown, line, why));
        return None;
    }
    Some(text)
}

pub use crate::config::text_of;

/// Reads a source of `site` as bytes, only from inside the site ([`crate::paths`]).
pub fn read_bytes(
    site: &Path,
    file: &Path,
    shown: &Path,
    problems: &mut Diagnostics,
) -> Option<Vec<u8>> {
    if let Some(why) = crate::paths::read_problem(site, file) {
        problems.push(Diagnostic::new(shown, why));
        return None;
    }
    match std::fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            problems.push(Diagnostic::new(shown, format!("failed to read: {e}")));
            None
        }
    }
}
