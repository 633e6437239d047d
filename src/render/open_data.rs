//! Open data under `/data/`: `ledger.csv` (public columns only), `weekly.csv`,
//! `datapackage.json` (a Frictionless Data Package describing each CSV) and a page that
//! explains them. `counterparty` is never written; `memo` only when
//! `privacy.publish_memos` is set.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use serde_json::{Value, json};

use super::data_package::{DataFile, field, size};
use super::numbers::{Numbers, machine_exact as plain};
use super::report::METHOD;
use super::{Job, OutputFile, Renderer};
use crate::error::{Error, Result};
use crate::model::Site;
use crate::model::ledger::{Ledger, LedgerRow, WeekReport, WeekStatus};

pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let site = r.site;
    // Made from the ledger and the invoices, which are made from the ledger and their
    // letters: made again only when one of those changed.
    let decisions = r.hash_items("decisions", &site.registers.decisions, super::hash_of);
    let fingerprint = r.fingerprint(&(
        r.ledger_fingerprint(),
        decisions,
        &site.invoice_letters,
        site.config.privacy.publish_memos,
        &site.ledger_sources,
    ));
    let made = r.made("data/", fingerprint, || {
        let mut descriptors = Vec::new();
        let mut files = Vec::new();
        for (descriptor, bytes) in [
            ledger_csv(site, !r.checking())?,
            weekly_csv(site)?,
            super::invoice::invoices_data(site)?,
            super::decisions_data::decisions_csv(site)?,
        ] {
            #[cfg(feature = "parquet")]
            if matches!(descriptor.name, "ledger" | "weekly") && !r.checking() {
                let parquet = super::parquet::of_csv(&descriptor, &bytes)?;
                files.push(OutputFile::new(
                    format!("data/{}.parquet", descriptor.name),
                    parquet,
                ));
            }
            files.push(r.file(format!("data/{}", descriptor.path), bytes)?);
            descriptors.push(descriptor);
        }
        let package = datapackage(site, &descriptors);
        let json = serde_json::to_string_pretty(&package).map_err(|e| Error::Template {
            template: "data/datapackage.json".into(),
            message: e.to_string(),
        })?;
        files.push(OutputFile::new("data/datapackage.json", json + "\n"));
        Ok((descriptors, files))
    })?;
    let mut jobs: Vec<Job<'a>> = made.1.iter().cloned().map(Job::File).collect();
    jobs.push(Job::keyed("data/", "data.html", fingerprint, move || {
        let view = DataView {
            files: made.0.clone(),
            method: METHOD,
            rates_source: site.ledger.rates.path.display().to_string(),
            budget_source: site.ledger.budget.path.display().to_string(),
            sources: super::sources::views(&site.ledger_sources),
        };
        Ok(Renderer::with(
            r.context("Open data", "data"),
            "data",
            &view,
        ))
    }));
    Ok(jobs)
}

#[derive(Debug, Clone, Serialize)]
pub struct DataView {
    pub files: Vec<DataFile>,
    pub method: &'static str,
    pub rates_source: String,
    pub budget_source: String,
    /// What each `[[ledger.sources]]` block read.
    pub sources: Vec<super::sources::SourceView>,
}

fn csv_error(path: &str, e: impl std::fmt::Display) -> Error {
    Error::Template {
        template: path.to_string(),
        message: e.to_string(),
    }
}

/// The public columns of every ledger row, by date then source; with `rows` false
/// (a check) only the header, the descriptor still counting every row.
fn ledger_csv(site: &Site, rows: bool) -> Result<(DataFile, Vec<u8>)> {
    let ledger = &site.ledger;
    let memos = site.config.privacy.publish_memos;
    let currency = &ledger.currency;
    let mut fields = vec![
        field("date", "date", "The day of the row (ISO 8601)."),
        field(
            "week",
            "string",
            "The ISO week of the date, like 2026-W47 (Monday to Sunday).",
        ),
        field("cell", "string", "The cell that recorded the row."),
        field(
            "category",
            "string",
            "The need met: food, energy, care, treasury, …",
        ),
        field(
            "kind",
            "string",
            "service (drawn by a resident: a commons receipt), contribution, transfer, income, expense or allocation.",
        ),
        field(
            "quantity",
            "number",
            "The exact quantity, always above zero, in the row's unit.",
        )
        .unit("the row's unit column"),
        field(
            "unit",
            "string",
            "kg, kWh, h, or the currency for money rows.",
        ),
        field(
            "receipt",
            "string",
            "The commons receipt id of a service, unique across the ledger.",
        ),
        field(
            "to_cell",
            "string",
            "The receiving cell of a transfer, or the fund of an allocation.",
        ),
        field(
            "rate",
            "number",
            format!("Replacement cost of one unit in {currency}, in force on the day (services)."),
        )
        .unit(format!("{currency} per unit")),
        field(
            "value",
            "number",
            format!("quantity × rate, in {currency} (services)."),
        )
        .unit(currency.clone()),
    ];
    if memos {
        fields.push(field("memo", "string", "The cell's note on the row."));
    }
    let mut order: Vec<LedgerRow<'_>> = if rows {
        ledger.entries.rows().collect()
    } else {
        Vec::new()
    };
    order.sort_by(|a, b| (a.date, &a.source).cmp(&(b.date, &b.source)));
    let count = if rows {
        order.len()
    } else {
        ledger.entries.len()
    };
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(order.len() * 80));
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    writer
        .write_record(&header)
        .map_err(|e| csv_error("data/ledger.csv", e))?;
    let mut row = LedgerCsvRow::default();
    for e in &order {
        row.write(&mut writer, ledger, e, memos)
            .map_err(|e| csv_error("data/ledger.csv", e))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv_error("data/ledger.csv", e))?;
    let descriptor = DataFile {
        name: "ledger",
        path: "ledger.csv",
        title: "Ledger",
        description: format!(
            "Every row of the cells' ledgers, one per line, with the public columns only: who drew a service or gave to the commons is never published{}. Services carry the rate applied and their value at replacement cost.",
            if memos {
                ""
            } else {
                ", nor are the cells' notes"
            }
        ),
        fields,
        rows_shown: Numbers::of(&site.config).count(count as u64),
        rows: count,
        bytes: bytes.len(),
        size: size(bytes.len()),
    };
    Ok((descriptor, bytes))
}

/// Writes rows of `data/ledger.csv` field by field, the numbers and dates through one
/// reused buffer: a million rows make no string each.
#[derive(Default)]
struct LedgerCsvRow {
    text: String,
}

impl LedgerCsvRow {
    fn write(
        &mut self,
        writer: &mut csv::Writer<Vec<u8>>,
        ledger: &Ledger,
        e: &LedgerRow<'_>,
        memos: bool,
    ) -> csv::Result<()> {
        use std::fmt::Write as _;
        let mut shown = |writer: &mut csv::Writer<Vec<u8>>, value: &dyn std::fmt::Display| {
            self.text.clear();
            // Writing into a String cannot fail.
            let _ = write!(self.text, "{value}");
            writer.write_field(super::csv_safe::cell(&self.text).as_bytes())
        };
        shown(writer, &e.date)?;
        shown(writer, &e.week)?;
        writer.write_field(super::csv_safe::cell(e.cell.as_str()).as_bytes())?;
        writer.write_field(super::csv_safe::cell(e.category.as_str()).as_bytes())?;
        writer.write_field(e.kind.name())?;
        shown(writer, &e.quantity)?;
        writer.write_field(super::csv_safe::cell(e.unit.as_str()).as_bytes())?;
        writer.write_field(super::csv_safe::cell(e.receipt().unwrap_or("")).as_bytes())?;
        let to_cell = e.to_cell.as_deref().unwrap_or("");
        writer.write_field(super::csv_safe::cell(to_cell).as_bytes())?;
        match ledger.rate_of(e) {
            Some(rate) => shown(writer, &Plain(rate.rate))?,
            None => writer.write_field("")?,
        }
        match ledger.value_of(e) {
            Some(value) => shown(writer, &Plain(value))?,
            None => writer.write_field("")?,
        }
        if memos {
            writer.write_field(super::csv_safe::cell(e.memo().unwrap_or("")).as_bytes())?;
        }
        writer.write_record(None::<&[u8]>)
    }
}

/// A decimal as [`plain`] writes it, without making a string of it.
struct Plain(Decimal);

impl std::fmt::Display for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rounded = self.0.normalize();
        if rounded.scale() < 2 {
            rounded.rescale(2);
        }
        std::fmt::Display::fmt(&rounded, f)
    }
}

fn round(d: Decimal, dp: u32) -> String {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

/// One row per week, category and unit (a budgeted category without activity gets one
/// row with an empty unit).
fn weekly_csv(site: &Site) -> Result<(DataFile, Vec<u8>)> {
    let ledger = &site.ledger;
    let currency = &ledger.currency;
    let fields = vec![
        field("week", "string", "The ISO week, like 2026-W47."),
        field("start", "date", "Its Monday."),
        field("end", "date", "Its Sunday."),
        field(
            "status",
            "string",
            "closed, or in-progress for the week holding the latest date in the data.",
        ),
        field("category", "string", "The need met."),
        field("unit", "string", "The unit of the quantities on this row."),
        field("services", "integer", "Service rows (commons receipts drawn)."),
        field("drawn", "number", "Quantity of services drawn.").unit("the row's unit column"),
        field("receipts", "integer", "Services carrying a receipt id."),
        field("contributions", "integer", "Contribution rows."),
        field("contributed", "number", "Quantity given to the commons.")
            .unit("the row's unit column"),
        field(
            "value",
            "number",
            format!("Value of the services on this row at replacement cost, in {currency}."),
        )
        .unit(currency.clone()),
        field(
            "category_value",
            "number",
            format!("Value of all the category's services this week, in {currency}."),
        )
        .unit(currency.clone()),
        field(
            "city_share",
            "number",
            format!(
                "The city's annual budget for the category, pro rata by days for this week, in {currency} (rounded to cents); empty without a budget."
            ),
        )
        .unit(currency.clone()),
        field(
            "ratio",
            "number",
            "category_value ÷ city_share (0.37 is 37 %), to four places; empty without a budget.",
        ),
    ];
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = fields.iter().map(|f| f.name).collect();
    writer
        .write_record(&header)
        .map_err(|e| csv_error("data/weekly.csv", e))?;
    let mut rows = 0;
    for w in &ledger.weeks {
        for record in weekly_rows(w) {
            writer
                .write_record(super::csv_safe::record(record.iter().map(String::as_str)))
                .map_err(|e| csv_error("data/weekly.csv", e))?;
            rows += 1;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv_error("data/weekly.csv", e))?;
    let descriptor = DataFile {
        name: "weekly",
        path: "weekly.csv",
        title: "Weekly balance sheets",
        description: "The figures of every weekly report: for each week, need and unit, what was drawn and contributed, its value at replacement cost, and the city's budget for the same need that week.".into(),
        fields,
        rows_shown: Numbers::of(&site.config).count(rows as u64),
        rows,
        bytes: bytes.len(),
        size: size(bytes.len()),
    };
    Ok((descriptor, bytes))
}

fn weekly_rows(w: &WeekReport) -> Vec<Vec<String>> {
    let mut categories: Vec<&str> = w.categories.iter().map(|c| c.category.as_str()).collect();
    categories.extend(w.lines.iter().map(|l| l.category.as_ref()));
    categories.sort_unstable();
    categories.dedup();
    let status = match w.status {
        WeekStatus::Closed => "closed",
        WeekStatus::InProgress => "in-progress",
    };
    let mut rows = Vec::new();
    for category in categories {
        let sheet = w.categories.iter().find(|c| c.category == category);
        let category_value = sheet.map(|c| plain(c.value)).unwrap_or_default();
        let share = sheet
            .and_then(|c| c.city_share)
            .map(|s| round(s.amount, 2))
            .unwrap_or_default();
        let ratio = sheet
            .and_then(|c| c.ratio)
            .map(|r| round(r, 4))
            .unwrap_or_default();
        let start = |unit: &str| {
            vec![
                w.week.to_string(),
                w.week.monday().to_string(),
                w.week.sunday().to_string(),
                status.to_string(),
                category.to_string(),
                unit.to_string(),
            ]
        };
        let lines: Vec<_> = w
            .lines
            .iter()
            .filter(|l| l.category.as_ref() == category)
            .collect();
        if lines.is_empty() {
            let mut row = start("");
            row.extend(["0", "0", "0", "0", "0", "0.00"].map(String::from));
            row.extend([category_value.clone(), share.clone(), ratio.clone()]);
            rows.push(row);
        }
        for l in lines {
            let mut row = start(&l.unit);
            row.extend([
                l.services.to_string(),
                l.drawn.to_string(),
                l.receipts.to_string(),
                l.contribution_rows.to_string(),
                l.contributed.to_string(),
                plain(l.value),
                category_value.clone(),
                share.clone(),
                ratio.clone(),
            ]);
            rows.push(row);
        }
    }
    rows
}

/// The Frictionless Data Package (v1 `tabular-data-package`) describing every CSV.
fn datapackage(site: &Site, files: &[DataFile]) -> Value {
    let ledger: &Ledger = &site.ledger;
    let mut sources: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for rate in &ledger.rates.rates {
        if !rate.source.is_empty() && seen.insert(rate.source.clone()) {
            sources.push(json!({ "title": format!("Rate: {}", rate.source) }));
        }
    }
    for line in &ledger.budget.lines {
        if !line.source.is_empty() && seen.insert(line.source.clone()) {
            sources.push(json!({ "title": format!("City budget: {}", line.source) }));
        }
    }
    let base = &site.config.base_url;
    let resources: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "path": f.path,
                "title": f.title,
                "description": f.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": f.bytes,
                "dialect": { "delimiter": ",", "header": true, "quoteChar": "\"" },
                "schema": {
                    "fields": f.fields.iter().map(|field| {
                        let mut v = json!({
                            "name": field.name,
                            "type": field.kind,
                            "description": field.description,
                        });
                        if let (Some(unit), Some(map)) = (&field.unit, v.as_object_mut()) {
                            map.insert("unit".into(), json!(unit));
                        }
                        v
                    }).collect::<Vec<_>>(),
                },
            })
        })
        .collect();
    let rates: Vec<Value> = ledger
        .rates
        .rates
        .iter()
        .map(|r| {
            json!({
                "unit": r.unit,
                "category": r.category,
                "rate": r.rate.to_string(),
                "currency": r.currency,
                "valid_from": r.valid_from.to_string(),
                "source": r.source,
            })
        })
        .collect();
    let mut package = json!({
        "profile": "tabular-data-package",
        "name": package_name(&site.config.title),
        "title": site.config.title,
        "homepage": base,
        "description": format!(
            "The open data of {}: the ledger's public columns and the weekly balance sheets built from it. {}",
            site.config.title, METHOD
        ),
        "sources": sources,
        "resources": resources,
        "valuation": {
            "method": METHOD,
            "currency": ledger.currency,
            "rates": rates,
            "rates_file": ledger.rates.path.display().to_string(),
            "budget_file": ledger.budget.path.display().to_string(),
        },
    });
    if let Some(map) = package.as_object_mut() {
        if let Some(version) = &site.config.version {
            map.insert("version".into(), json!(version));
        }
        if let Some(date) = ledger.as_of {
            map.insert("created".into(), json!(format!("{date}T00:00:00Z")));
        }
    }
    package
}

/// A Data Package name: lowercase letters, digits, `-`.
fn package_name(title: &str) -> String {
    let mut name = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() {
        "tally-site".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_are_slugs() {
        assert_eq!(
            package_name("Riverside Mutual Aid Network"),
            "riverside-mutual-aid-network"
        );
        assert_eq!(package_name("  ¡Ayuda! "), "ayuda");
        assert_eq!(package_name("…"), "tally-site");
    }
}
