//! A `[[ledger.sources]]` block checked and compiled: delimiter, encoding, decimal
//! mark, regexes and tally columns resolved once, each problem naming `tally.toml`'s
//! line and the source. Reading files is [`super::file`]'s work.

use std::collections::BTreeMap;

use encoding_rs::Encoding;
use regex::Regex;

use super::decode;
use crate::config::{CONFIG_FILE, RuleConfig, SourceConfig};
use crate::error::Diagnostic;
use crate::load::ledger::Column;

/// Per tally column, an optional value.
pub type Values = [Option<String>; 10];

/// A compiled source.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    /// Its line in `tally.toml`.
    pub line: usize,
    pub files: String,
    pub encoding: &'static Encoding,
    pub delimiter: u8,
    pub decimal: char,
    pub skip_lines: usize,
    pub ignore: Vec<Regex>,
    pub date_format: Option<String>,
    /// The export's header for each tally column, when `columns` maps it.
    pub headers: Values,
    pub set: Values,
    pub negative: Values,
    pub positive: Values,
    /// Per tally column: (other word, tally's word).
    pub values: [Vec<(String, String)>; 10],
    pub rules: Vec<Rule>,
}

/// One rule: when every named column matches, set values or skip the row.
#[derive(Debug, Clone)]
pub struct Rule {
    pub line: usize,
    /// The export's header and the regex its cell must match.
    pub when: Vec<(String, Regex)>,
    pub action: Action,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Action {
    Set(Values),
    Skip(String),
}

impl Source {
    /// A problem with this source, at `line` of `tally.toml`.
    pub fn problem(&self, line: usize, message: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::at(
            CONFIG_FILE,
            line,
            format!("[[ledger.sources]] {:?}: {message}", self.name),
        )
    }

    /// Whether some setting gives `column` a value without a column of the export.
    pub fn gives(&self, column: Column) -> bool {
        let c = column as usize;
        self.set[c].is_some()
            || (self.negative[c].is_some() && self.positive[c].is_some())
            || self
                .rules
                .iter()
                .any(|r| matches!(&r.action, Action::Set(v) if v[c].is_some()))
    }
}

/// Checks and compiles a source block; every problem is pushed, `None` when any.
pub fn compile(config: &SourceConfig, problems: &mut Vec<Diagnostic>) -> Option<Source> {
    let before = problems.len();
    let mut source = Source {
        name: config.name.clone(),
        line: config.line,
        files: config.files.clone(),
        encoding: encoding_rs::UTF_8,
        delimiter: b',',
        decimal: '.',
        skip_lines: config.skip_lines,
        ignore: Vec::new(),
        date_format: config.date_format.clone(),
        headers: Default::default(),
        set: Default::default(),
        negative: Default::default(),
        positive: Default::default(),
        values: Default::default(),
        rules: Vec::new(),
    };
    let line = config.line;
    if config.name.trim().is_empty() {
        problems.push(source.problem(line, "`name` must not be empty"));
    }
    if let Some(d) = &config.delimiter {
        match d.as_str() {
            "\t" | "\\t" | "tab" => source.delimiter = b'\t',
            one if one.len() == 1 && one != "\"" => source.delimiter = one.as_bytes()[0],
            other => problems.push(source.problem(
                line,
                format!(
                    "delimiter {other:?} is not one character; use \",\", \";\", \"\\t\" or \"|\""
                ),
            )),
        }
    }
    if let Some(label) = &config.encoding {
        match decode::encoding(label) {
            Some(e) => source.encoding = e,
            None => problems.push(source.problem(
                line,
                format!("encoding {label:?} is not known; use \"utf-8\", \"windows-1252\", \"latin-1\" or \"utf-16\""),
            )),
        }
    }
    match config.decimal.as_deref() {
        None | Some(".") => {}
        Some(",") => source.decimal = ',',
        Some(other) => problems.push(source.problem(
            line,
            format!("decimal {other:?} is not a decimal mark; use \".\" or \",\""),
        )),
    }
    for pattern in &config.ignore_lines {
        match Regex::new(pattern) {
            Ok(re) => source.ignore.push(re),
            Err(e) => problems.push(source.problem(
                line,
                format!("ignore_lines: {pattern:?} is not a regex: {}", one_line(&e)),
            )),
        }
    }
    if let Some(format) = &config.date_format
        && !format.contains('%')
    {
        problems.push(source.problem(
            line,
            format!("date_format {format:?} has no strftime field (like %d.%m.%Y)"),
        ));
    }
    source.headers = values(&source, line, "columns", &config.columns, problems);
    source.set = values(&source, line, "set", &config.set, problems);
    source.negative = values(&source, line, "negative", &config.negative, problems);
    source.positive = values(&source, line, "positive", &config.positive, problems);
    for (column, words) in &config.values {
        match Column::from_name(column) {
            Some(c) => {
                source.values[c as usize] = words
                    .iter()
                    .map(|(from, to)| (from.trim().to_string(), to.trim().to_string()))
                    .collect();
            }
            None => problems.push(not_a_column(&source, line, "values", column)),
        }
    }
    for rule in &config.rules {
        if let Some(rule) = compile_rule(&source, rule, problems) {
            source.rules.push(rule);
        }
    }
    (problems.len() == before).then_some(source)
}

fn compile_rule(
    source: &Source,
    config: &RuleConfig,
    problems: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let line = if config.line > 0 {
        config.line
    } else {
        source.line
    };
    let before = problems.len();
    let mut when = Vec::new();
    for (header, pattern) in &config.when {
        match Regex::new(pattern) {
            Ok(re) => when.push((header.clone(), re)),
            Err(e) => problems.push(source.problem(
                line,
                format!(
                    "rule: when {header:?}: {pattern:?} is not a regex: {}",
                    one_line(&e)
                ),
            )),
        }
    }
    if when.is_empty() && problems.len() == before {
        problems.push(source.problem(line, "rule: `when` names no column"));
    }
    let action = match (&config.skip, config.set.is_empty()) {
        (Some(reason), true) if !reason.trim().is_empty() => Action::Skip(reason.trim().into()),
        (Some(_), true) => {
            problems.push(source.problem(line, "rule: `skip` needs a reason"));
            return None;
        }
        (None, false) => Action::Set(values(source, line, "rule: set", &config.set, problems)),
        (Some(_), false) => {
            problems.push(source.problem(line, "rule: give `set` or `skip`, not both"));
            return None;
        }
        (None, true) => {
            problems.push(source.problem(line, "rule: give `set` values or `skip` with a reason"));
            return None;
        }
    };
    (problems.len() == before).then_some(Rule { line, when, action })
}

fn values(
    source: &Source,
    line: usize,
    table: &str,
    given: &BTreeMap<String, String>,
    problems: &mut Vec<Diagnostic>,
) -> Values {
    let mut out: Values = Default::default();
    for (column, value) in given {
        match Column::from_name(column) {
            Some(c) => out[c as usize] = Some(value.trim().to_string()),
            None => problems.push(not_a_column(source, line, table, column)),
        }
    }
    out
}

fn not_a_column(source: &Source, line: usize, table: &str, name: &str) -> Diagnostic {
    source.problem(
        line,
        format!(
            "{table}: {name:?} is not a tally column; the columns are {}",
            Column::ALL.map(Column::name).join(", ")
        ),
    )
}

/// A regex error on one line.
fn one_line(e: &regex::Error) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
