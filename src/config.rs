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
    /// `[cells.<slug>] name = "…"`: names shown in place of cell slugs.
    #[serde(default)]
    pub cells: BTreeMap<String, Named>,
    /// `[categories.<slug>] name = "…"`: names shown in place of category slugs.
    #[serde(default)]
    pub categories: BTreeMap<String, Named>,
}

/// A cell or a category as residents call it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
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
}

impl Config {
    /// Reads `SITE/tally.toml`.
    pub fn load(site: &Path) -> Result<Config> {
        let path = site.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
        Config::parse(&text, Path::new(CONFIG_FILE)).map_err(|d| Error::Input(vec![d]))
    }

    /// Parses the text of a `tally.toml`; `path` names the file in the error.
    pub fn parse(text: &str, path: &Path) -> std::result::Result<Config, Diagnostic> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| toml_diagnostic(path, text, &e, 0))?;
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        Ok(config)
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
