//! `[independence]`: the living wage the strike fund is measured in.
//!
//! ```toml
//! [independence]
//! weekly_living_wage = "520"
//! source = "Living Wage Foundation, 2026-27 rate: 13.00 an hour × 40 hours"
//! fund = "strike-fund"        # the fund measured (default)
//! neighbours = 10             # also say how long it keeps this many (default 10)
//! ```

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::Diagnostic;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct IndependenceConfig {
    /// A decimal in the site's currency, as text: `"520"`.
    pub weekly_living_wage: String,
    /// Where the figure comes from; required.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default = "default_fund")]
    pub fund: String,
    #[serde(default = "default_neighbours")]
    pub neighbours: u32,
}

fn default_fund() -> String {
    "strike-fund".into()
}

fn default_neighbours() -> u32 {
    10
}

impl IndependenceConfig {
    /// The weekly living wage, once [`check`] has passed.
    pub fn wage(&self) -> Decimal {
        parse_wage(&self.weekly_living_wage).unwrap_or(Decimal::ONE)
    }

    /// The cited source, once [`check`] has passed.
    pub fn source(&self) -> &str {
        self.source.as_deref().unwrap_or("")
    }
}

fn parse_wage(text: &str) -> Option<Decimal> {
    text.trim()
        .parse::<Decimal>()
        .ok()
        .filter(|w| *w > Decimal::ZERO && *w <= Decimal::from(1_000_000))
}

/// Every problem of `[independence]` in `text` (the file at `path`), with its line.
pub fn check(config: Option<&IndependenceConfig>, text: &str, path: &Path) -> Vec<Diagnostic> {
    let Some(config) = config else {
        return Vec::new();
    };
    let section = line_of(text, 0, |l| l == "[independence]").unwrap_or(1);
    let key_line = |key: &str| {
        line_of(text, section, |l| {
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
        })
        .unwrap_or(section)
    };
    let mut problems = Vec::new();
    if parse_wage(&config.weekly_living_wage).is_none() {
        problems.push(Diagnostic::at(
            path,
            key_line("weekly_living_wage"),
            format!(
                "independence.weekly_living_wage: {:?} is not an amount above zero (up to \
                 1000000) with a dot, like \"520\"",
                config.weekly_living_wage
            ),
        ));
    }
    if config.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
        problems.push(Diagnostic::at(
            path,
            key_line("source"),
            "independence.source: missing: cite where the living wage comes from, like \
             source = \"Living Wage Foundation, 2026 rate\"",
        ));
    }
    if !is_fund_slug(&config.fund) {
        problems.push(Diagnostic::at(
            path,
            key_line("fund"),
            format!(
                "independence.fund: {:?} is not a fund slug like \"strike-fund\"",
                config.fund
            ),
        ));
    }
    if config.neighbours == 0 {
        problems.push(Diagnostic::at(
            path,
            key_line("neighbours"),
            "independence.neighbours: must be 1 or more",
        ));
    }
    problems
}

/// A fund's slug as the ledger's `to_cell` names it: lowercase letters, digits and
/// dashes between them (the rule of `crate::slug`, which configuration may not import).
fn is_fund_slug(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The 1-based line, from line `from` on, of the first line (trimmed) that `matches`.
fn line_of(text: &str, from: usize, matches: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| matches(l.trim()))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(toml_text: &str) -> Vec<String> {
        #[derive(Deserialize)]
        struct Only {
            independence: Option<IndependenceConfig>,
        }
        let only: Only = toml::from_str(toml_text).unwrap();
        check(
            only.independence.as_ref(),
            toml_text,
            Path::new("tally.toml"),
        )
        .iter()
        .map(|d| d.to_string())
        .collect()
    }

    #[test]
    fn a_missing_source_is_reported_at_the_section() {
        let found = problems("title = \"x\"\n\n[independence]\nweekly_living_wage = \"520\"\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("tally.toml:3:"), "{found:?}");
        assert!(
            found[0].contains("independence.source: missing"),
            "{found:?}"
        );
    }

    #[test]
    fn a_wage_that_is_no_amount_is_reported_at_its_line() {
        let found = problems("[independence]\nsource = \"x\"\nweekly_living_wage = \"-5\"\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("tally.toml:3:"), "{found:?}");
    }

    #[test]
    fn a_cited_wage_passes() {
        assert!(
            problems("[independence]\nweekly_living_wage = \"520\"\nsource = \"LWF\"\n").is_empty()
        );
    }
}
