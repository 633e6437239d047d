//! One export read with its [`Source`]: decoded, preamble and ignored lines set aside,
//! the header located, and each row mapped to tally's columns (constants, the sign of
//! the quantity, rules, values, the date) or skipped by a named rule.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::source::{Action, Source, Values};
use super::{amount, decode};
use crate::error::Diagnostic;
use crate::load::ledger::Column;

/// The kinds of tally's vocabulary, matched case-insensitively (`EXPENSE` is `expense`).
pub const KINDS: [&str; 6] = [
    "service",
    "contribution",
    "transfer",
    "income",
    "expense",
    "allocation",
];

/// An export read by a source: every row mapped, failed or skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappedFile {
    /// The source's name.
    pub source: String,
    /// Rows mapped to tally's columns, and rows that could not be, in file order.
    pub rows: Vec<MappedRow>,
    /// Data rows read (not the header, preamble, blank or ignored lines).
    pub read: u64,
    /// Rows skipped by a rule, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Width of the header.
    pub width: usize,
}

// A few hundred rows an export, each mapped once: not worth a box each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappedRow {
    Row { line: u64, columns: [String; 10] },
    Failed(Vec<Diagnostic>),
}

/// Reads `bytes` of the file at `path` (relative to the site). Problems of the file as
/// a whole (encoding, header, a rule naming a column it lacks) are returned instead.
pub fn read(source: &Source, path: &Path, bytes: &[u8]) -> Result<MappedFile, Vec<Diagnostic>> {
    let text = decode::decode(bytes, source.encoding)
        .map_err(|(line, reason)| vec![Diagnostic::at(path, line, reason)])?;
    let text = blank_lines(text, source);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(source.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header = csv::StringRecord::new();
    let Some(header_line) = next(&mut reader, &mut header, &text, path)? else {
        return Err(vec![Diagnostic::at(
            path,
            source.skip_lines + 1,
            format!("no header row after {} skipped lines", source.skip_lines),
        )]);
    };
    let layout = Layout::of(source, path, header_line, &header)?;
    let mut file = MappedFile {
        source: source.name.clone(),
        width: header.len(),
        // About a row a line: the rows are not moved as they grow.
        rows: Vec::with_capacity(text.bytes().filter(|&b| b == b'\n').count()),
        ..MappedFile::default()
    };
    // One record, read into again and again.
    let mut record = csv::StringRecord::new();
    while let Some(line) = next(&mut reader, &mut record, &text, path)? {
        file.read += 1;
        if record.len() != header.len() {
            file.rows.push(MappedRow::Failed(vec![wrong_width(
                path,
                line,
                &record,
                header.len(),
            )]));
            continue;
        }
        match map(source, &layout, path, line, &record) {
            Mapped::Row(columns) => file.rows.push(MappedRow::Row { line, columns }),
            Mapped::Skipped(reason) => *file.skipped.entry(reason).or_default() += 1,
            Mapped::Failed(problems) => file.rows.push(MappedRow::Failed(problems)),
        }
    }
    Ok(file)
}

/// The text with the preamble and the ignored lines made empty (their line numbers
/// kept): the CSV reader passes over empty lines.
fn blank_lines<'t>(text: Cow<'t, str>, source: &Source) -> Cow<'t, str> {
    if source.skip_lines == 0 && source.ignore.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\r', '\n']);
        if n < source.skip_lines || source.ignore.iter().any(|re| re.is_match(body)) {
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Reads the next record that is not blank into `record`; its line.
fn next(
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    text: &str,
    path: &Path,
) -> Result<Option<u64>, Vec<Diagnostic>> {
    loop {
        let read = reader
            .read_record(record)
            .map_err(|e| vec![Diagnostic::new(path, format!("failed to read: {e}"))])?;
        if !read {
            return Ok(None);
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map_or(0, |p| crate::load::ledger::line_of(text.as_bytes(), p));
        return Ok(Some(line));
    }
}

fn wrong_width(path: &Path, line: u64, record: &csv::StringRecord, width: usize) -> Diagnostic {
    let mut message = format!(
        "expected {width} fields like the header, found {}",
        record.len()
    );
    if record.len() == 1 {
        let first: String = record[0]
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == ' ')
            .collect();
        if !first.is_empty() {
            message.push_str(&format!(
                "; if this line is not a row, add `ignore_lines = [\"^{}\"]` to its source",
                regex::escape(first.trim_end())
            ));
        }
    }
    Diagnostic::at(path, line as usize, message)
}

/// Where the source's columns and its rules' columns sit in a file.
struct Layout {
    index: [Option<usize>; 10],
    /// Per rule, the field of each `when` column.
    rules: Vec<Vec<usize>>,
}

impl Layout {
    fn of(
        source: &Source,
        path: &Path,
        line: u64,
        header: &csv::StringRecord,
    ) -> Result<Layout, Vec<Diagnostic>> {
        let found: Vec<&str> = header.iter().map(str::trim).collect();
        let find = |name: &str| {
            found
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.trim()))
        };
        let listed = || found.join(", ");
        let mut problems = Vec::new();
        if let Some(hint) = decode::delimiter_hint(&found, source.delimiter) {
            return Err(vec![Diagnostic::at(
                path,
                line as usize,
                format!(
                    "the header is one field {:?}: {hint} ({:?})",
                    found[0].replace('"', ""),
                    source.name
                ),
            )]);
        }
        let mut index = [None; 10];
        for column in Column::ALL {
            let c = column as usize;
            index[c] = match &source.headers[c] {
                Some(header) => {
                    let at = find(header);
                    if at.is_none() {
                        problems.push(Diagnostic::at(
                            path,
                            line as usize,
                            format!(
                                "{}: the column {header:?} (mapped by source {:?} in tally.toml) is not in the header; found {}",
                                column.name(),
                                source.name,
                                listed()
                            ),
                        ));
                    }
                    at
                }
                None => find(column.name()),
            };
            let from_quantity =
                column == Column::Unit && index[Column::Quantity as usize].is_some();
            if column.required() && index[c].is_none() && !source.gives(column) && !from_quantity {
                let how = match column {
                    Column::Kind => "map a column with `columns.kind`, set `set.kind`, or set `negative.kind` and `positive.kind` for a signed quantity".to_string(),
                    _ => format!(
                        "map a column with `columns.{0}` or set one for the whole file with `set.{0} = \"…\"`",
                        column.name()
                    ),
                };
                problems.push(Diagnostic::at(
                    path,
                    line as usize,
                    format!(
                        "{}: source {:?} gives no {0}: {how}; the header has {}",
                        column.name(),
                        source.name,
                        listed()
                    ),
                ));
            }
        }
        let mut rules = Vec::new();
        for rule in &source.rules {
            let mut fields = Vec::new();
            for (header, _) in &rule.when {
                match find(header) {
                    Some(at) => fields.push(at),
                    None => problems.push(source.problem(
                        rule.line,
                        format!(
                            "rule: when {header:?}: {} has no such column; its header has {}",
                            path.display(),
                            listed()
                        ),
                    )),
                }
            }
            rules.push(fields);
        }
        if problems.is_empty() {
            Ok(Layout { index, rules })
        } else {
            Err(problems)
        }
    }
}

#[allow(clippy::large_enum_variant)]
enum Mapped {
    Row([String; 10]),
    Skipped(String),
    Failed(Vec<Diagnostic>),
}

/// Maps one record: columns, then constants, then the quantity's sign, then the rules
/// in order (a skip wins), then `values` and the vocabulary's case, then the date.
fn map(
    source: &Source,
    layout: &Layout,
    path: &Path,
    line: u64,
    record: &csv::StringRecord,
) -> Mapped {
    let mut matching = Vec::new();
    for (rule, fields) in source.rules.iter().zip(&layout.rules) {
        let all = rule
            .when
            .iter()
            .zip(fields)
            .all(|((_, re), &at)| re.is_match(record.get(at).unwrap_or("").trim()));
        if all {
            match &rule.action {
                Action::Skip(reason) => return Mapped::Skipped(reason.clone()),
                Action::Set(values) => matching.push(values),
            }
        }
    }
    let mut row: [String; 10] = std::array::from_fn(|c| {
        layout.index[c]
            .and_then(|at| record.get(at))
            .map_or_else(String::new, |f| f.trim().to_string())
    });
    apply(&mut row, &source.set);
    let problem = |column: Column, reason: String| {
        Diagnostic::at(path, line as usize, format!("{}: {reason}", column.name()))
    };
    let mut problems = Vec::new();
    let q = Column::Quantity as usize;
    if !row[q].is_empty() {
        match amount::parse(&row[q], source.decimal) {
            Ok(amount) => {
                row[q] = amount.digits;
                let unit = Column::Unit as usize;
                if row[unit].is_empty()
                    && let Some(u) = amount.unit
                {
                    row[unit] = u;
                }
                apply(
                    &mut row,
                    if amount.negative {
                        &source.negative
                    } else {
                        &source.positive
                    },
                );
            }
            Err(reason) => problems.push(problem(Column::Quantity, reason)),
        }
    }
    for values in matching {
        apply(&mut row, values);
    }
    for (c, words) in source.values.iter().enumerate() {
        if let Some((_, to)) = words
            .iter()
            .find(|(from, _)| from.eq_ignore_ascii_case(&row[c]))
        {
            row[c] = to.clone();
        }
    }
    // Tally's word in its own case (`EXPENSE` is `expense`), changed in place.
    let at = Column::Kind as usize;
    if KINDS.iter().any(|k| k.eq_ignore_ascii_case(&row[at])) {
        row[at].make_ascii_lowercase();
    }
    let d = Column::Date as usize;
    if !row[d].is_empty() {
        match date(&row[d], source) {
            Ok(date) => row[d] = date,
            Err(reason) => problems.push(problem(Column::Date, reason)),
        }
    }
    if problems.is_empty() {
        Mapped::Row(row)
    } else {
        Mapped::Failed(problems)
    }
}

fn apply(row: &mut [String; 10], values: &Values) {
    for (cell, value) in row.iter_mut().zip(values) {
        if let Some(value) = value {
            value.clone_into(cell);
        }
    }
}

/// The date of a cell as `YYYY-MM-DD`, read with the source's format; a time part
/// after the date (`…T14:40:36`, `… 14:03:22`) is dropped.
pub fn date(text: &str, source: &Source) -> Result<String, String> {
    let date_part = text
        .split(|c: char| c == 'T' || c.is_whitespace())
        .next()
        .unwrap_or(text);
    let read = |t: &str| match &source.date_format {
        Some(format) => Date::strptime(format, t).ok(),
        None => t.parse::<Date>().ok().filter(|_| t.len() == 10),
    };
    read(text)
        .or_else(|| read(date_part))
        .map(|d| {
            // `YYYY-MM-DD`, written once into a string of its size.
            let mut iso = String::with_capacity(10);
            let _ = write!(iso, "{d}");
            iso
        })
        .ok_or_else(|| match &source.date_format {
            Some(format) => format!(
                "{text:?} is not a date in the format {format:?} of source {:?}",
                source.name
            ),
            None => format!(
                "{text:?} is not a date (expected YYYY-MM-DD); set `date_format` for source {:?}",
                source.name
            ),
        })
}

/// Where a file is read from and shown as.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub path: PathBuf,
    pub source: PathBuf,
}
