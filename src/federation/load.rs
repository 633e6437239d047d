//! Stage 1 and 2 for a federation: each member's fetched copy → typed rows, checked.
//! The copy is checked again against its manifest and seal chain (a copy edited after
//! the fetch fails the build), then `datapackage.json` (currency, home page, rates),
//! `weekly.csv`, the transfer rows of `ledger.csv` and `decisions.csv` are read by
//! their headers. Every problem names the member, the file and the line.

use std::path::{Path, PathBuf};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::model::federation::{MemberData, PublishedDecision, Rate, Transfer, WeeklyRow};

use crate::config::federation::MemberConfig;
use crate::error::Diagnostic;
use crate::model::week::WeekId;

use super::copy::{self, DATAPACKAGE, DECISIONS, Fetched, LEDGER, WEEKLY};

/// Reads every member's copy; all problems of all members at once.
pub fn load(
    site: &Path,
    members: &[MemberConfig],
    currency: &str,
) -> Result<Vec<MemberData>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    // Members are read and checked in parallel; their order stays that of tally.toml.
    let results: Vec<_> = members
        .par_iter()
        .map(|member| load_member(site, member, currency))
        .collect();
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(data) => all.push(data),
            Err(more) => problems.extend(more),
        }
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

fn load_member(
    site: &Path,
    member: &MemberConfig,
    currency: &str,
) -> Result<MemberData, Vec<Diagnostic>> {
    let name = &member.name;
    let dir = copy::member_dir(site, name);
    let shown = Path::new(copy::MEMBERS_DIR).join(name);
    let io = |e: crate::error::Error| vec![Diagnostic::new(&shown, format!("member {name}: {e}"))];
    let fetched = Fetched::read(&dir).map_err(io)?;
    let Some(fetched) = fetched else {
        return Err(vec![Diagnostic::new(
            &shown,
            format!(
                "member {name} has not been fetched yet: run `tally fetch` (builds read only fetched copies)"
            ),
        )]);
    };
    let found = copy::read(&dir).map_err(io)?;
    let checked = copy::check(&found, Some(&fetched.seal_chain))
        .map_err(|problems| copy::diagnostics(name, &problems))?;
    let file = |path: &str| Member {
        name,
        path: shown.join(path),
    };
    let text = |path: &str| -> Result<&str, Vec<Diagnostic>> {
        let bytes = found.get(path).map(Vec::as_slice).unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|_| vec![file(path).problem(1, "not UTF-8 text")])
    };
    let package = read_package(&file(DATAPACKAGE), text(DATAPACKAGE)?, currency)?;
    let weekly = read_weekly(&file(WEEKLY), text(WEEKLY)?)?;
    let transfers = read_transfers(&file(LEDGER), text(LEDGER)?)?;
    let decisions = match found.get(DECISIONS) {
        Some(_) => Some(read_decisions(&file(DECISIONS), text(DECISIONS)?)?),
        None => None,
    };
    Ok(MemberData {
        name: name.clone(),
        title: member.title.clone(),
        homepage: package.0,
        currency: currency.to_string(),
        rates: package.1,
        weekly,
        transfers,
        decisions,
        seal_chain: checked.head,
    })
}

/// A member's file, for its diagnostics.
struct Member<'a> {
    name: &'a str,
    path: PathBuf,
}

impl Member<'_> {
    fn problem(&self, line: usize, why: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::at(&self.path, line, format!("member {}: {why}", self.name))
    }
}

/// The home page and rates; a currency other than the federation's is an error.
fn read_package(
    file: &Member<'_>,
    text: &str,
    currency: &str,
) -> Result<(String, Vec<Rate>), Vec<Diagnostic>> {
    let package: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![file.problem(e.line().max(1), format!("not JSON: {e}"))])?;
    let theirs = package["valuation"]["currency"].as_str().unwrap_or("");
    if theirs != currency {
        return Err(vec![file.problem(
            1,
            format!(
                "values are in {theirs:?}, the federation's in {currency:?}: a federation adds up one currency (convert in the member's rates.csv, or set currency in tally.toml)"
            ),
        )]);
    }
    let homepage = package["homepage"].as_str().unwrap_or("").to_string();
    let mut rates = Vec::new();
    let listed = package["valuation"]["rates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for r in listed {
        let field = |k: &str| r[k].as_str().unwrap_or("").to_string();
        let (Ok(rate), Ok(valid_from)) = (
            field("rate").parse::<Decimal>(),
            field("valid_from").parse::<Date>(),
        ) else {
            return Err(vec![
                file.problem(1, format!("valuation.rates: unreadable rate {r}")),
            ]);
        };
        rates.push(Rate {
            unit: field("unit"),
            category: field("category"),
            rate,
            valid_from,
        });
    }
    Ok((homepage, rates))
}

/// Rows of a published CSV by header name, each with its line; missing columns named.
/// Calls `f` with each data row's line and its cells of `columns`, in that order (one
/// reused record: a member's ledger makes no map per row). Every problem is kept.
fn each_row(
    file: &Member<'_>,
    text: &str,
    columns: &[&str],
    mut f: impl FnMut(usize, &[&str]) -> Result<(), Vec<Diagnostic>>,
) -> Result<(), Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| vec![file.problem(1, e)])?;
    let at: Vec<Option<usize>> = columns
        .iter()
        .map(|c| header.iter().position(|h| h == *c))
        .collect();
    let missing: Vec<&&str> = columns
        .iter()
        .zip(&at)
        .filter(|(_, i)| i.is_none())
        .map(|(c, _)| c)
        .collect();
    if !missing.is_empty() {
        return Err(vec![
            file.problem(1, format!("header lacks the column(s) {missing:?}")),
        ]);
    }
    let at: Vec<usize> = at.into_iter().flatten().collect();
    let mut problems = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                let cells: Vec<&str> = at.iter().map(|&i| record.get(i).unwrap_or("")).collect();
                if let Err(more) = f(line, &cells) {
                    problems.extend(more);
                }
            }
            Err(e) => problems.push(file.problem(e.position().map_or(0, |p| p.line() as usize), e)),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn decimal(
    file: &Member<'_>,
    line: usize,
    column: &str,
    text: &str,
) -> Result<Decimal, Diagnostic> {
    text.parse::<Decimal>()
        .map_err(|_| file.problem(line, format!("{column}: {text:?} is not a decimal")))
}

fn date(file: &Member<'_>, line: usize, column: &str, text: &str) -> Result<Date, Diagnostic> {
    text.parse::<Date>().map_err(|_| {
        file.problem(
            line,
            format!("{column}: {text:?} is not a date (YYYY-MM-DD)"),
        )
    })
}

fn read_weekly(file: &Member<'_>, text: &str) -> Result<Vec<WeeklyRow>, Vec<Diagnostic>> {
    let columns = ["week", "status", "category", "category_value", "city_share"];
    let mut out = Vec::new();
    each_row(file, text, &columns, |line, row| {
        let [week, status, category, value, share] = row else {
            return Ok(());
        };
        let week = WeekId::parse(week).ok_or_else(|| {
            file.problem(line, format!("week: {week:?} is not a week like 2026-W47"))
        });
        let value = decimal(file, line, "category_value", value);
        let share = match *share {
            "" => Ok(None),
            s => decimal(file, line, "city_share", s).map(Some),
        };
        match (week, value, share) {
            (Ok(week), Ok(category_value), Ok(city_share)) => {
                out.push(WeeklyRow {
                    week,
                    in_progress: *status == "in-progress",
                    category: category.to_string(),
                    category_value,
                    city_share,
                });
                Ok(())
            }
            (w, v, s) => Err([w.err(), v.err(), s.err()].into_iter().flatten().collect()),
        }
    })?;
    Ok(out)
}

fn read_transfers(file: &Member<'_>, text: &str) -> Result<Vec<Transfer>, Vec<Diagnostic>> {
    let columns = [
        "kind", "date", "cell", "category", "quantity", "unit", "to_cell",
    ];
    let mut out = Vec::new();
    each_row(file, text, &columns, |line, row| {
        let [kind, day, cell, category, quantity, unit, to_cell] = row else {
            return Ok(());
        };
        if *kind != "transfer" {
            return Ok(());
        }
        match (
            date(file, line, "date", day),
            decimal(file, line, "quantity", quantity),
        ) {
            (Ok(date), Ok(quantity)) => {
                out.push(Transfer {
                    line,
                    date,
                    cell: cell.to_string(),
                    category: category.to_string(),
                    quantity,
                    unit: unit.to_string(),
                    to_cell: to_cell.to_string(),
                });
                Ok(())
            }
            (d, q) => Err([d.err(), q.err()].into_iter().flatten().collect()),
        }
    })?;
    Ok(out)
}

fn read_decisions(
    file: &Member<'_>,
    text: &str,
) -> Result<Vec<PublishedDecision>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let columns = crate::render::decisions_data::DECISION_COLUMNS;
    each_row(file, text, &columns, |line, row| {
        let [day, minutes, url, _, text, outcome] = row else {
            return Ok(());
        };
        out.push(PublishedDecision {
            date: date(file, line, "date", day).map_err(|p| vec![p])?,
            minutes: minutes.to_string(),
            url: url.to_string(),
            text: text.to_string(),
            outcome: outcome.to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}
