//! Views of what each `[[ledger.sources]]` block read, for `/data/`: rows read,
//! counted and skipped by reason. Names and counts only: no row's content.

use serde::Serialize;

use crate::model::source_report::SourceReport;

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub name: String,
    pub files: Vec<String>,
    pub read: u64,
    pub counted: u64,
    pub skipped: u64,
    pub reasons: Vec<SkipView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkipView {
    pub reason: String,
    pub rows: u64,
}

pub fn views(reports: &[SourceReport]) -> Vec<SourceView> {
    reports
        .iter()
        .map(|r| SourceView {
            name: r.name.clone(),
            files: r
                .files
                .iter()
                .map(|f| f.to_string_lossy().replace('\\', "/"))
                .collect(),
            read: r.read,
            counted: r.counted(),
            skipped: r.skipped_rows(),
            reasons: r
                .skipped
                .iter()
                .map(|(reason, rows)| SkipView {
                    reason: reason.clone(),
                    rows: *rows,
                })
                .collect(),
        })
        .collect()
}
