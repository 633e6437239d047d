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
            Err(Error::Input(all))
        }
    }
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
