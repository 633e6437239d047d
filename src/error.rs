//! Errors: a [`Diagnostic`] names a file, a line and a reason; [`Error`] is what every
//! stage returns. Nothing here prints: `main` prints the error once.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in the input, pointing at the file (relative to the site) and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            line: Some(line),
            ..Diagnostic::new(path, message)
        }
    }

    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// A collection of diagnostics gathered across a stage, so every problem is reported at once.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing went wrong, otherwise every problem, sorted by file and line.
    pub fn finish<T>(self, value: T) -> Result<T, Error> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            let mut all = self.0;
            all.sort();
            all.dedup();
            Err(Error::Input(summarize(all)))
        }
    }
}

/// Beyond this many rows failing for one reason in one file, only the first
/// [`SHOWN`] are listed and the rest summed up in one line.
pub const MANY: usize = 20;
/// Rows listed of a reason that fails more than [`MANY`] rows of a file.
pub const SHOWN: usize = 3;

/// A sorted list of diagnostics where a reason failing more than [`MANY`] rows of one
/// file shows its first [`SHOWN`] rows, then "… and N more rows (lines a–b)".
pub fn summarize(all: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let mut groups: HashMap<(PathBuf, String), Vec<usize>> = HashMap::new();
    for (i, d) in all.iter().enumerate() {
        if d.line.is_some() {
            groups
                .entry((d.path.clone(), reason_of(&d.message)))
                .or_default()
                .push(i);
        }
    }
    let mut rank = vec![None; all.len()];
    let mut more = HashMap::new();
    for members in groups.values().filter(|m| m.len() > MANY) {
        for (n, &i) in members.iter().enumerate() {
            rank[i] = Some(n);
        }
        let lines: Vec<usize> = members[SHOWN..]
            .iter()
            .filter_map(|&i| all[i].line)
            .collect();
        let (first, last) = (lines.iter().min(), lines.iter().max());
        if let (Some(first), Some(last), Some(&at)) = (first, last, members.get(SHOWN - 1)) {
            more.insert(at, (members.len() - SHOWN, *first, *last));
        }
    }
    let mut out = Vec::with_capacity(all.len());
    for (i, d) in all.into_iter().enumerate() {
        if rank[i].is_none_or(|n| n < SHOWN) {
            let path = d.path.clone();
            out.push(d);
            if let Some((n, first, last)) = more.get(&i) {
                out.push(Diagnostic::new(
                    path,
                    format!("… and {n} more rows (lines {first}–{last})"),
                ));
            }
        }
    }
    out
}

/// A message with its quoted values and numbers left out: rows failing for the same
/// reason give the same text.
fn reason_of(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    let mut digits = false;
    for c in message.chars() {
        if c == '"' {
            quoted = !quoted;
            if quoted {
                out.push_str("\"…\"");
            }
            continue;
        }
        if quoted {
            continue;
        }
        if c.is_ascii_digit() {
            if !digits {
                out.push('#');
            }
            digits = true;
            continue;
        }
        digits = false;
        out.push(c);
    }
    out
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: every problem found, with file and line. Exit status 1.
    #[error("{}", format_diagnostics(.0))]
    Input(Vec<Diagnostic>),
    /// A file system operation failed; the path is named.
    #[error("failed to {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The command line asked for something that cannot be done. Exit status 2.
    #[error("{0}")]
    Usage(String),
    /// A published copy does not match its manifest or seals: every mismatch, one a line.
    /// Exit status 1.
    #[error("{0}")]
    Verify(String),
    /// A template failed to render (a theme or override is broken).
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit status for this error (DESIGN.md: 1 bad input, 2 bad usage).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

fn format_diagnostics(all: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in all {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let n = all.len();
    out.push_str(&format!(
        "{n} problem{} found; nothing was written",
        if n == 1 { "" } else { "s" }
    ));
    out
}

/// Drawing failed (plotters reported an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chart {}: {}", self.chart, self.message)
    }
}

impl std::error::Error for ChartError {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_rows_failing_for_one_reason_show_three_then_a_count() {
        let mut problems = Diagnostics::default();
        for line in 2..=30 {
            problems.push(Diagnostic::at(
                "data/ledger/bank.csv",
                line,
                format!("quantity: \"{line},5\" is not a number"),
            ));
        }
        problems.push(Diagnostic::at(
            "data/ledger/bank.csv",
            7,
            "kind: \"X\" is not a kind",
        ));
        let Err(Error::Input(all)) = problems.finish(()) else {
            panic!("problems are an error")
        };
        let shown: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "data/ledger/bank.csv:2: quantity: \"2,5\" is not a number",
                "data/ledger/bank.csv:3: quantity: \"3,5\" is not a number",
                "data/ledger/bank.csv:4: quantity: \"4,5\" is not a number",
                "data/ledger/bank.csv: … and 26 more rows (lines 5–30)",
                "data/ledger/bank.csv:7: kind: \"X\" is not a kind",
            ]
        );
    }

    #[test]
    fn twenty_rows_failing_for_one_reason_are_all_listed() {
        let all: Vec<Diagnostic> = (1..=20)
            .map(|line| Diagnostic::at("a.csv", line, "date: \"x\" is not a date"))
            .collect();
        assert_eq!(summarize(all).len(), 20);
    }
}
