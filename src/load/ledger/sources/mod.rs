//! `[[ledger.sources]]`: exports in their own layouts (a bank's `;`-separated
//! Windows-1252 CSV, an Open Collective or hledger export, a form's sheet) read as
//! they are and mapped, row by row, to tally's columns. The mapped rows go on to the
//! same checks as every ledger row; files no source claims are read by
//! [`super`] in tally's own layout. Every row is accounted for: read =
//! mapped + skipped by a named rule.

pub mod amount;
pub mod decode;
pub mod file;
pub mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use file::{MappedFile, MappedRow};
pub use source::Source;

use super::LedgerFile;
use crate::config::LedgerConfig;
use crate::error::{Diagnostic, Diagnostics};

/// What the sources read: their files, and every path they claim (left out of tally's
/// own layout).
#[derive(Debug, Default)]
pub struct Sourced {
    pub files: Vec<LedgerFile>,
    pub claimed: BTreeSet<PathBuf>,
}

/// Reads the files of every `[[ledger.sources]]` block of the site; a source's files
/// are read and mapped in parallel, their problems reported in file order.
pub fn load(site: &Path, config: &LedgerConfig, problems: &mut Diagnostics) -> Sourced {
    let mut sourced = Sourced::default();
    let mut owner: BTreeMap<PathBuf, String> = BTreeMap::new();
    for config in &config.sources {
        let mut found = Vec::new();
        let Some(source) = source::compile(config, &mut found) else {
            problems.extend(found);
            continue;
        };
        let mut paths = Vec::new();
        for path in claim(site, &source, &mut found) {
            if let Some(first) = owner.get(&path) {
                found.push(source.problem(
                    source.line,
                    format!(
                        "{} is claimed by source {first:?} too; a file is read by one source",
                        path.display()
                    ),
                ));
                continue;
            }
            owner.insert(path.clone(), source.name.clone());
            sourced.claimed.insert(site.join(&path));
            paths.push(path);
        }
        let read: Vec<Result<LedgerFile, Vec<Diagnostic>>> = paths
            .into_par_iter()
            .map(|path| read_file(site, &source, path))
            .collect();
        for file in read {
            match file {
                Ok(file) => sourced.files.push(file),
                Err(problems) => found.extend(problems),
            }
        }
        problems.extend(found);
    }
    sourced
}

/// One file of a source, read and mapped.
fn read_file(site: &Path, source: &Source, path: PathBuf) -> Result<LedgerFile, Vec<Diagnostic>> {
    let full = site.join(&path);
    let bytes = std::fs::read(&full)
        .map_err(|e| vec![Diagnostic::new(&path, format!("failed to read: {e}"))])?;
    let mapped = file::read(source, &path, &bytes)?;
    Ok(LedgerFile::mapped(path, full, bytes.len() as u64, mapped))
}

/// The files a source's glob matches under the site, relative to it and sorted.
fn claim(site: &Path, source: &Source, problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let pattern = source.files.trim();
    let outside = Path::new(pattern).is_absolute()
        || Path::new(pattern)
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if outside {
        problems.push(source.problem(
            source.line,
            format!("files = {pattern:?}: a source reads files inside the site only"),
        ));
        return Vec::new();
    }
    let base = glob::Pattern::escape(&site.to_string_lossy());
    let full = format!("{base}/{pattern}");
    let paths = match glob::glob(&full) {
        Ok(paths) => paths,
        Err(e) => {
            problems.push(source.problem(
                source.line,
                format!("files = {pattern:?} is not a glob: {e}"),
            ));
            return Vec::new();
        }
    };
    let mut found: Vec<PathBuf> = paths
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .map(|p| crate::load::relative(site, &p))
        .collect();
    found.sort();
    if found.is_empty() {
        problems.push(source.problem(source.line, format!("files = {pattern:?} matches no file")));
    }
    found
}

pub use crate::model::source_report::SourceReport;

/// One report per source, in the order of `tally.toml`, from the files it read.
pub fn reports(config: &LedgerConfig, files: &[LedgerFile]) -> Vec<SourceReport> {
    config
        .sources
        .iter()
        .map(|source| {
            let mut report = SourceReport {
                name: source.name.clone(),
                files: Vec::new(),
                read: 0,
                skipped: BTreeMap::new(),
            };
            for (file, mapped) in files
                .iter()
                .filter_map(|f| Some((f, f.mapped.as_deref()?)))
                .filter(|(_, m)| m.source == source.name)
            {
                report.files.push(file.path.clone());
                report.read += mapped.read;
                for (reason, n) in &mapped.skipped {
                    *report.skipped.entry(reason.clone()).or_default() += n;
                }
            }
            report
        })
        .collect()
}

/// A mapped file, shared: it is read once and checked from memory.
pub type Shared = Arc<MappedFile>;

/// One line of the build summary: `source "gls-bank": 12 rows read from 1 file: 10
/// counted, 2 skipped (bank charges are booked by the treasury cell: 2)`.
pub fn summary_line(report: &SourceReport) -> String {
    let files = report.files.len();
    let mut line = format!(
        "source {:?}: {} rows read from {files} file{}: {} counted, {} skipped",
        report.name,
        report.read,
        if files == 1 { "" } else { "s" },
        report.counted(),
        report.skipped_rows()
    );
    if !report.skipped.is_empty() {
        let reasons: Vec<String> = report
            .skipped
            .iter()
            .map(|(reason, n)| format!("{reason}: {n}"))
            .collect();
        line.push_str(&format!(" ({})", reasons.join("; ")));
    }
    line
}
