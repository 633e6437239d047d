//! `tally.toml` → [`Config`]. Unknown keys are errors naming the key, the file and the line.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};

pub mod federation;
pub mod independence;
mod invoicing;

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
    /// The line of `tally.toml` that sets `currency`, if one does (for messages).
    #[serde(skip)]
    pub currency_line: Option<usize>,
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
    /// `[signing]`: the public key that signs the site's manifest.
    #[serde(default)]
    pub signing: Option<SigningConfig>,
    #[serde(default)]
    pub dates: DateRange,
    /// `[cells.<slug>] name = "…"`: names shown in place of cell slugs.
    #[serde(default)]
    pub cells: BTreeMap<String, Named>,
    /// `[categories.<slug>] name = "…"`: names shown in place of category slugs.
    #[serde(default)]
    pub categories: BTreeMap<String, Named>,
    /// `[independence]`: the living wage the strike fund is measured in.
    #[serde(default)]
    pub independence: Option<independence::IndependenceConfig>,
    /// `[[federation.members]]`: a federation site, built from its members' published
    /// data (fetched into `data/members/<name>/` by `tally fetch`).
    #[serde(default)]
    pub federation: Option<federation::FederationConfig>,
}

/// A cell or a category as residents call it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub name: String,
}

/// `[dates]`: the plausible dates of ledger rows and minutes. A date outside is a typo
/// (`2100` for `2010`, `9999-12-31`) and an error naming file and line.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// `"YYYY-MM-DD"`; default 1990-01-01.
    #[serde(default)]
    pub earliest: Option<String>,
    /// `"YYYY-MM-DD"`; default one year after the day of the build. The clock only ever
    /// decides whether a build fails, never what it writes: a date accepted once stays
    /// accepted, so the same input still builds the same bytes.
    #[serde(default)]
    pub latest: Option<String>,
    /// The lines of `tally.toml` setting `earliest` and `latest`, for messages.
    #[serde(skip)]
    pub earliest_line: Option<usize>,
    #[serde(skip)]
    pub latest_line: Option<usize>,
}

impl DateRange {
    /// The first and last plausible dates, or why `tally.toml` gives no range.
    pub fn bounds(&self) -> std::result::Result<(jiff::civil::Date, jiff::civil::Date), String> {
        let parse = |key: &str, text: &Option<String>, default: jiff::civil::Date| match text {
            None => Ok(default),
            Some(text) => text
                .parse::<jiff::civil::Date>()
                .map_err(|_| format!("dates.{key}: {text:?} is not a date (expected YYYY-MM-DD)")),
        };
        let today = jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date();
        let next_year = today.saturating_add(jiff::Span::new().years(1));
        let earliest = parse("earliest", &self.earliest, jiff::civil::date(1990, 1, 1))?;
        let latest = parse("latest", &self.latest, next_year)?;
        if earliest > latest {
            return Err(format!(
                "dates: earliest {earliest} is after latest {latest}"
            ));
        }
        Ok((earliest, latest))
    }
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
    /// Legal registration number (EN 16931 BT-30), e.g. a society's register number.
    #[serde(default)]
    pub registration_id: Option<String>,
    /// VAT identifier (BT-31), with its country prefix.
    #[serde(default)]
    pub vat_id: Option<String>,
    /// The account the city pays into (checked by its mod-97 digits).
    #[serde(default)]
    pub iban: Option<String>,
    #[serde(default)]
    pub bic: Option<String>,
    /// Electronic address `scheme:id` (`0088:5012345678900`), for Peppol.
    #[serde(default)]
    pub endpoint: Option<String>,
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
    /// The city's own order or contract reference (EN 16931 BT-10).
    #[serde(default)]
    pub buyer_reference: Option<String>,
    /// Electronic address `scheme:id`, for Peppol.
    #[serde(default)]
    pub endpoint: Option<String>,
}

/// The rules an e-invoice follows: EN 16931 alone, or Peppol BIS Billing 3.0 on top.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceProfile {
    #[default]
    En16931,
    Peppol,
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
    #[serde(default)]
    pub profile: InvoiceProfile,
}

impl Default for InvoiceConfig {
    fn default() -> Self {
        InvoiceConfig {
            period: InvoicePeriod::Quarter,
            prefix: default_prefix(),
            payment_terms_days: default_terms(),
            unit_codes: BTreeMap::new(),
            profile: InvoiceProfile::En16931,
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
    /// `strict = true`: a row's cell, category or unit must be declared (`[cells.<slug>]`,
    /// `[categories.<slug>]`, a unit of `data/rates.csv`), or the row is an error.
    #[serde(default)]
    pub strict: bool,
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

/// `[signing] public_key = "RW…"`: published at `/.well-known/tally.pub` and on
/// `/data/`; `tally build --sign` signs with its secret half.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    pub public_key: String,
}

impl Config {
    /// Reads `SITE/tally.toml`.
    pub fn load(site: &Path) -> Result<Config> {
        let path = site.join(CONFIG_FILE);
        let shown = Path::new(CONFIG_FILE);
        if let Some(why) = crate::paths::read_problem(site, &path) {
            return Err(Error::Input(vec![Diagnostic::new(shown, why)]));
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        let text = text_of(bytes, shown).map_err(|d| Error::Input(vec![d]))?;
        let config = Config::parse_all(&text, shown).map_err(Error::Input)?;
        if let Some(theme) = &config.theme
            && crate::paths::relative_name(theme).is_none()
        {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("theme"));
            return Err(Error::Input(vec![Diagnostic::at(
                shown,
                line.map_or(1, |l| l + 1),
                format!("theme: {theme:?} must name a folder under themes/, like \"dark\""),
            )]));
        }
        let mut problems = invoicing::check(&config, &text, shown);
        problems.extend(strict_problems(&config, &text, shown));
        problems.extend(federation::check(config.federation.as_ref(), &text, shown));
        problems.extend(independence::check(
            config.independence.as_ref(),
            &text,
            shown,
        ));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Error::Input(problems))
        }
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
                    if let Some(why) = base_url_problem(&config.base_url) {
                        let line = text
                            .lines()
                            .position(|l| l.trim_start().starts_with("base_url"))
                            .map_or(1, |l| l + 1);
                        return Err(vec![Diagnostic::at(path, line, format!("base_url: {why}"))]);
                    }
                    if !config.base_url.ends_with('/') {
                        config.base_url.push('/');
                    }
                    if let Some(signing) = &config.signing
                        && let Err(e) = crate::signing::PublicKey::parse(&signing.public_key)
                    {
                        let at = text.find("public_key").unwrap_or(0);
                        let (line, column) = line_column(&text, at);
                        return Err(vec![
                            Diagnostic::at(path, line, format!("signing.public_key: {e}"))
                                .with_column(column),
                        ]);
                    }
                    source_lines(&text, &mut config.ledger.sources);
                    config.currency_line = top_level_line(&text, "currency");
                    config.dates.earliest_line = table_line(&text, "dates", "earliest");
                    config.dates.latest_line = table_line(&text, "dates", "latest");
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

/// `strict = true` with no `[cells.<slug>]` or no `[categories.<slug>]`: every row
/// would fail for want of a declaration, so the cause is reported once, here.
fn strict_problems(config: &Config, text: &str, path: &Path) -> Vec<Diagnostic> {
    if !config.ledger.strict {
        return Vec::new();
    }
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("strict"))
        .map_or(1, |l| l + 1);
    [
        (config.cells.is_empty(), "[cells.<slug>]"),
        (config.categories.is_empty(), "[categories.<slug>]"),
    ]
    .into_iter()
    .filter(|(empty, _)| *empty)
    .map(|(_, table)| {
        Diagnostic::at(
            path,
            line,
            format!(
                "ledger.strict: strict = true needs the names declared, but tally.toml has no {table} table; declare each one as {table} with name = \"…\""
            ),
        )
    })
    .collect()
}

/// The line (from 1) setting a top-level `key`, before the first table.
fn top_level_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|l| l + 1)
}

/// The line (from 1) setting `key` in the table `[table]`.
fn table_line(text: &str, table: &str, key: &str) -> Option<usize> {
    let header = format!("[{table}]");
    let mut inside = false;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start();
        if line.starts_with('[') {
            inside = line.trim_end() == header;
        } else if inside
            && line
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(n + 1);
        }
    }
    None
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
/// Why `url` cannot be the site's base URL (it lands in links, the feed and the
/// sitemap), or `None`: an `http` or `https` URL with a host, no spaces or quotes.
pub fn base_url_problem(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Some(format!("{url:?} must start with https:// or http://"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Some(format!("{url:?} has no host"));
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c))
    {
        return Some(format!(
            "{url:?} holds a space, a quote or an angle bracket"
        ));
    }
    None
}

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

/// `bytes` as UTF-8 text, or a problem naming `shown` and the line of the first bad
/// byte (UTF-16 is recognised by its byte order mark and named).
pub fn text_of(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Diagnostic::at(
            shown,
            1,
            "UTF-16 text (it starts with a UTF-16 byte order mark): save it as UTF-8",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let (line, _) = line_column(&valid, offset);
        Diagnostic::at(shown, line, "not valid UTF-8 text")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse(
            "title = \"x\"\nbase_url = \"https://x.example/\"\ncolour = \"red\"\n",
            Path::new("tally.toml"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("colour"), "{}", err.message);
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_line() {
        let err = Config::parse_all(
            "title = \"x\"\ncolour = \"red\"\nbase_url = \"https://x.example/\"\n[ledger]\ndelimeter = \";\"\n",
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
            "title = \"x\"\nbase_url = \"https://x.example/\"\n[[ledger.sources]]\nname = \"a\"\nfiles = \"a/*.csv\"\n[[ledger.sources.rules]]\nwhen = { x = \"y\" }\nskip = \"z\"\n[[ledger.sources]]\nname = \"b\"\nfiles = \"b.csv\"\n",
            Path::new("tally.toml"),
        )
        .unwrap();
        let s = &c.ledger.sources;
        assert_eq!((s[0].line, s[0].rules[0].line, s[1].line), (3, 6, 9));
    }

    #[test]
    fn a_signing_key_that_is_not_a_minisign_key_names_its_line() {
        let err = Config::parse(
            "title = \"x\"\nbase_url = \"https://x.example/\"\n[signing]\npublic_key = \"RWxyz\"\n",
            Path::new("tally.toml"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(
            err.message.contains("not a minisign public key"),
            "{}",
            err.message
        );
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
