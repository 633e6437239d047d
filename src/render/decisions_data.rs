//! `/data/decisions.csv`: the public decisions register, one row per decision put to an
//! assembly (date, minutes, link, decision id, text, outcome). A federation reads it to
//! show its members' latest decisions; nothing here is private. No file I/O.

use super::data_package::{DataFile, Field, field, size};
use super::numbers::Numbers;
use crate::error::{Error, Result};
use crate::model::Site;
use crate::model::register::Outcome;

/// The columns of `decisions.csv`, in order.
pub const DECISION_COLUMNS: [&str; 6] = ["date", "minutes", "url", "decision", "text", "outcome"];

fn fields() -> Vec<Field> {
    vec![
        field("date", "date", "The day of the assembly (ISO 8601)."),
        field(
            "minutes",
            "string",
            "The slug of the minutes that record the decision.",
        ),
        field(
            "url",
            "string",
            "The decision on the minutes page (absolute URL).",
        ),
        field(
            "decision",
            "string",
            "The decision's id: the minutes' slug and its place in them, like 2026-11-02-north-ward#decision-2.",
        ),
        field("text", "string", "What was put to the assembly."),
        field("outcome", "string", "passed, failed or deferred."),
    ]
}

/// The outcome as the register spells it.
pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Deferred => "deferred",
    }
}

/// Every decision of the register, newest first, as published.
pub fn decisions_csv(site: &Site) -> Result<(DataFile, Vec<u8>)> {
    let problem = |e: csv::Error| Error::Template {
        template: "data/decisions.csv".into(),
        message: e.to_string(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(DECISION_COLUMNS).map_err(problem)?;
    let base = &site.config.base_url;
    let decisions = &site.registers.decisions;
    for d in decisions {
        let slug = &d.record.slug;
        let anchor = d.anchor();
        let row = [
            d.record.date.to_string(),
            slug.clone(),
            format!("{base}minutes/{slug}/#{anchor}"),
            format!("{slug}#{anchor}"),
            d.text.clone(),
            outcome_name(d.outcome).to_string(),
        ];
        writer
            .write_record(super::csv_safe::record(row.iter().map(String::as_str)))
            .map_err(problem)?;
    }
    let bytes = writer.into_inner().map_err(|e| Error::Template {
        template: "data/decisions.csv".into(),
        message: e.to_string(),
    })?;
    let descriptor = DataFile {
        name: "decisions",
        path: "decisions.csv",
        title: "Decisions register",
        description: "Every decision put to an assembly, newest first: when, in which minutes, what was proposed and how it went.".into(),
        fields: fields(),
        rows_shown: Numbers::of(&site.config).count(decisions.len() as u64),
        rows: decisions.len(),
        bytes: bytes.len(),
        size: size(bytes.len()),
    };
    Ok((descriptor, bytes))
}
