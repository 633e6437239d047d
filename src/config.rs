//! `tally.toml` → [`Config`]. Unknown keys are errors naming the key, the file and the line.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};

pub const CONFIG_FILE: &str = "tally.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Optional release label, shown in the footer.
    #[serde(default)]
    pub version: Option<String>,
    /// A theme folder under `themes/` whose files override the built-in ones.
    #[serde(default)]
    pub theme: Option<String>,
    #[serde(default)]
    pub network: Party,
    #[serde(default)]
    pub municipality: Municipality,
    #[serde(default)]
    pub invoices: InvoiceConfig,
    #[serde(default)]
    pub privacy: Privacy,
    #[serde(default)]
    pub ledger: LedgerConfig,
}

fn default_language() -> String {
    "en".into()
}

fn default_currency() -> String {
    "EUR".into()
}

/// The network as the issuer of invoices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2 country code (`GB`, `DE`), for e-invoices.
    #[serde(default)]
    pub country: Option<String>,
}

/// The municipality as the addressee of invoices.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub addressee: Option<String>,
    #[serde(default)]
    pub address: Vec<String>,
    /// ISO 3166-1 alpha-2 country code (`GB`, `DE`), for e-invoices.
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoicePeriod {
    Month,
    #[default]
    Quarter,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvoiceConfig {
    #[serde(default)]
    pub period: InvoicePeriod,
    #[serde(default = "default_prefix")]
    pub prefix: String,
    #[serde(default = "default_terms")]
    pub payment_terms_days: u32,
    /// UN/ECE Recommendation 20 codes for units beyond the built-in ones (`kg`, `kWh`, `h`).
    #[serde(default)]
    pub unit_codes: BTreeMap<String, String>,
}

impl Default for InvoiceConfig {
    fn default() -> Self {
        InvoiceConfig {
            period: InvoicePeriod::Quarter,
            prefix: default_prefix(),
            payment_terms_days: default_terms(),
            unit_codes: BTreeMap::new(),
        }
    }
}

fn default_prefix() -> String {
    "INV".into()
}

fn default_terms() -> u32 {
    30
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    #[serde(default)]
    pub publish_memos: bool,
}

/// How to read another export's layout: column names and date format.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerConfig {
    /// A strftime-style format for the date column, e.g. `%d/%m/%Y`.
    #[serde(default)]
    pub date_format: Option<String>,
    /// Canonical column name = the export's header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// `[[ledger.sources]]`: other exports' layouts, each read as it is.
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
}

/// One `[[ledger.sources]]` block: how to read the files its glob claims.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    /// A glob under the site (`data/ledger/bank/*.csv`).
    pub files: String,
    #[serde(default)]
    pub delimiter: Option<String>,
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub decimal: Option<String>,
    #[serde(default)]
    pub skip_lines: usize,
    #[serde(default)]
    pub ignore_lines: Vec<String>,
    #[serde(default)]
    pub date_format: Option<String>,
    /// Tally column = the export's header.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Constants for every row.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    #[serde(default)]
    pub negative: BTreeMap<String, String>,
    #[serde(default)]
    pub positive: BTreeMap<String, String>,
    /// Per tally column, other words → tally's own.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
    /// The line of `tally.toml` the block starts on (its `name`), for messages.
    #[serde(skip)]
    pub line: usize,
}

/// One `[[ledger.sources.rules]]`: when every `when` column matches its regex, `set`
/// these values or `skip` the row for a reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    #[serde(default)]
    pub when: BTreeMap<String, String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    #[serde(default)]
    pub skip: Option<String>,
    /// The line of `tally.toml` the rule's `when` is on.
    #[serde(skip)]
    pub line: usize,
}

impl Config {
    /// Reads `SITE/tally.toml`.
    pub fn load(site: &Path) -> Result<Config> {
        let path = site.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        Config::parse_all(&text, Path::new(CONFIG_FILE)).map_err(Error::Input)
    }

    /// Parses the text of a `tally.toml`; `path` names the file in the error.
    pub fn parse(text: &str, path: &Path) -> std::result::Result<Config, Diagnostic> {
        Config::parse_all(text, path).map_err(|mut all| all.swap_remove(0))
    }

    /// [`Config::parse`], reporting every unknown key rather than the first: each one
    /// found is blanked out (its line kept) and the text parsed again.
    pub fn parse_all(text: &str, path: &Path) -> std::result::Result<Config, Vec<Diagnostic>> {
        let mut found = Vec::new();
        let mut text = text.to_string();
        loop {
            match toml::from_str::<Config>(&text) {
                Ok(mut config) if found.is_empty() => {
                    if !config.base_url.ends_with('/') {
                        config.base_url.push('/');
                    }
                    source_lines(&text, &mut config.ledger.sources);
                    return Ok(config);
                }
                Ok(_) => return Err(found),
                Err(e) => {
                    let unknown = e.message().starts_with("unknown field");
                    found.push(toml_diagnostic(path, &text, &e, 0));
                    match e.span().filter(|_| unknown && found.len() < 50) {
                        Some(span) if span.start < text.len() => blank_key(&mut text, span.start),
                        _ => return Err(found),
                    }
                }
            }
        }
    }

    /// The path part of `base_url` (`/` or `/riverside/`): the prefix of every link.
    pub fn root_path(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&self.base_url);
        match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        }
    }
}

/// Replaces the key at `at` (up to the end of its line) with spaces, so the rest of the
/// text keeps its lines and columns.
fn blank_key(text: &mut String, at: usize) {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let blank = " ".repeat(text[at..end].chars().count());
    text.replace_range(at..end, &blank);
}

/// Fills in the line each `[[ledger.sources]]` block and each of its rules starts on:
/// the n-th `[[ledger.sources]]` header and the n-th rules header below it.
fn source_lines(text: &str, sources: &mut [SourceConfig]) {
    let mut source = None::<usize>;
    let mut rule = 0;
    for (n, line) in text.lines().enumerate() {
        let header: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if header.starts_with("[[ledger.sources]]") {
            let next = source.map_or(0, |s| s + 1);
            source = Some(next);
            rule = 0;
            if let Some(s) = sources.get_mut(next) {
                s.line = n + 1;
            }
        } else if header.starts_with("[[ledger.sources.rules]]")
            && let Some(s) = source.and_then(|s| sources.get_mut(s))
        {
            if let Some(r) = s.rules.get_mut(rule) {
                r.line = n + 1;
            }
            rule += 1;
        }
    }
}

/// Turns a TOML error into a diagnostic; `line_offset` is added to the line
/// (front matter starts below its fence).
pub fn toml_diagnostic(
    path: &Path,
    text: &str,
    e: &toml::de::Error,
    line_offset: usize,
) -> Diagnostic {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let (line, column) = line_column(text, span.start);
            Diagnostic::at(path, line + line_offset, message).with_column(column)
        }
        None => Diagnostic::new(path, message),
    }
}

/// 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse(
            "title = \"x\"\nbase_url = \"/\"\ncolour = \"red\"\n",
            Path::new("tally.toml"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line() {
        let err = Config::parse_all(
            "title = \"x\"\ncolour = \"red\"\nbase_url = \"/\"\n[ledger]\ndelimeter = \";\"\n",
            Path::new("tally.toml"),
        )
        .unwrap_err();
        let lines: Vec<_> = err.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(2), Some(5)], "{err:?}");
        assert!(err[0].message.contains("colour") && err[1].message.contains("delimeter"));
    }

    #[test]
    fn sources_and_rules_know_their_lines() {
        let c = Config::parse(
            "title = \"x\"\nbase_url = \"/\"\n[[ledger.sources]]\nname = \"a\"\nfiles = \"a/*.csv\"\n[[ledger.sources.rules]]\nwhen = { x = \"y\" }\nskip = \"z\"\n[[ledger.sources]]\nname = \"b\"\nfiles = \"b.csv\"\n",
            Path::new("tally.toml"),
        )
        .unwrap();
        let s = &c.ledger.sources;
        assert_eq!((s[0].line, s[0].rules[0].line, s[1].line), (3, 6, 9));
    }

    #[test]
    fn root_path_is_the_path_of_base_url() {
        let mut c = Config::parse(
            "title = \"x\"\nbase_url = \"https://a.example/riverside\"\n",
            Path::new("t"),
        )
        .unwrap();
        assert_eq!(c.root_path(), "/riverside/");
        c.base_url = "https://a.example/".into();
        assert_eq!(c.root_path(), "/");
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 0), (1, 1));
    }
}
