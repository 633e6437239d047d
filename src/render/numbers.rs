//! The one way the site writes numbers and money for people: a table of separators and
//! currency placement per language (`language` in `tally.toml`), a true minus sign
//! (U+2212) for negatives. Machine outputs (CSV, UBL XML) use [`machine`], plain ASCII
//! with a dot. Pure text in, text out; no model types.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::config::Config;

/// How one language writes numbers: `50 555,99 €` (fr), `€50,555.99` (en).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Numbers {
    /// Between groups of three integer digits.
    group: &'static str,
    /// Between the integer and the fraction.
    decimal: &'static str,
    /// The currency symbol or code before the amount (`€50`) or after it (`50 €`).
    currency_first: bool,
    /// Between the amount and a currency after it, and between a number and `%`.
    space: &'static str,
}

const NO_BREAK: &str = "\u{a0}";
const NARROW_NO_BREAK: &str = "\u{202f}";
const MINUS: char = '\u{2212}';

/// The languages with their own row; any other falls back to its primary subtag
/// (`fr-BE` → `fr`), then to English.
const TABLE: &[(&str, Numbers)] = &[
    ("en", Numbers::new(",", ".", true, "")),
    ("ga", Numbers::new(",", ".", true, "")),
    ("fr", Numbers::new(NARROW_NO_BREAK, ",", false, NO_BREAK)),
    ("de", Numbers::new(".", ",", false, NO_BREAK)),
    ("nl", Numbers::new(".", ",", true, NO_BREAK)),
    ("es", Numbers::new(".", ",", false, NO_BREAK)),
    ("it", Numbers::new(".", ",", false, NO_BREAK)),
    ("pt", Numbers::new(NO_BREAK, ",", false, NO_BREAK)),
];

/// Currency codes shown as a symbol; any other code is written as it is (`CHF`).
const SYMBOLS: &[(&str, &str)] = &[("EUR", "€"), ("GBP", "£"), ("USD", "$")];

impl Numbers {
    const fn new(
        group: &'static str,
        decimal: &'static str,
        currency_first: bool,
        space: &'static str,
    ) -> Numbers {
        Numbers {
            group,
            decimal,
            currency_first,
            space,
        }
    }

    /// The row for the site's `language`.
    pub fn of(config: &Config) -> Numbers {
        Numbers::for_language(&config.language)
    }

    /// The row for a language tag (`en-IE`, `fr`, `de-AT`), English when unknown.
    pub fn for_language(tag: &str) -> Numbers {
        let lower = tag.to_ascii_lowercase();
        let primary = lower.split(['-', '_']).next().unwrap_or("");
        TABLE
            .iter()
            .find(|(code, _)| *code == primary)
            .map_or(TABLE[0].1, |(_, row)| *row)
    }

    /// A count: `1,000`.
    pub fn count(&self, n: u64) -> String {
        self.group_digits(&n.to_string())
    }

    /// A quantity as exact as the input: `1,234.5`, `−3`.
    pub fn quantity(&self, d: Decimal) -> String {
        self.write(&d.normalize().to_string())
    }

    /// Rounded half away from zero to `decimals` places, all shown: `12,345.60`.
    pub fn fixed(&self, d: Decimal, decimals: u32) -> String {
        self.write(&machine(d, decimals))
    }

    /// Money rounded to cents with its currency: `€1,234.50`, `1 234,50 €`, `−€3.00`.
    pub fn money(&self, d: Decimal, currency: &str) -> String {
        self.with_currency(self.fixed(d, 2), currency)
    }

    /// A rate as exact as given, at least to the cent: `0.315`, `3.80`.
    pub fn rate(&self, d: Decimal) -> String {
        self.write(&machine_exact(d))
    }

    /// Money rounded to whole units, for a label on a chart: `€5,124`.
    pub fn money_whole(&self, d: Decimal, currency: &str) -> String {
        self.with_currency(self.fixed(d, 0), currency)
    }

    /// A price as exact as given, at least to the cent: `€0.315`, `€3.80`.
    pub fn price(&self, d: Decimal, currency: &str) -> String {
        self.with_currency(self.rate(d), currency)
    }

    fn with_currency(&self, text: String, currency: &str) -> String {
        let (sign, digits) = match text.strip_prefix(MINUS) {
            Some(rest) => (MINUS.to_string(), rest),
            None => (String::new(), text.as_str()),
        };
        let symbol = SYMBOLS
            .iter()
            .find(|(code, _)| *code == currency)
            .map_or(currency, |(_, s)| *s);
        if !self.currency_first {
            format!("{sign}{digits}{}{symbol}", self.space)
        } else if symbol == currency {
            // A code, not a symbol, reads with a space: `CHF 12.00`.
            format!("{sign}{symbol}{NO_BREAK}{digits}")
        } else {
            format!("{sign}{symbol}{}{digits}", self.space)
        }
    }

    /// A ratio as a whole percentage: `37%`, `37 %`; `<1%` when above zero but
    /// below one half.
    pub fn percent(&self, ratio: Decimal) -> String {
        let p = round(ratio * Decimal::ONE_HUNDRED, 0);
        if p.is_zero() && ratio > Decimal::ZERO {
            format!("<1{}%", self.space)
        } else {
            format!("{}{}%", self.write(&p.normalize().to_string()), self.space)
        }
    }

    /// A number given as plain ASCII text (`-1234.5`, as an axis computes it) in this
    /// language's separators and minus: `−1,234.5`, `−1 234,5`.
    pub fn plain(&self, ascii: &str) -> String {
        self.write(ascii)
    }

    /// A decimal written as ASCII text (`-1234.5`) in this language's separators.
    fn write(&self, ascii: &str) -> String {
        let (negative, rest) = match ascii.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, ascii),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let zero = int.chars().chain(frac.chars()).all(|c| c == '0');
        let mut out = String::new();
        if negative && !zero {
            out.push(MINUS);
        }
        out.push_str(&self.group_digits(int));
        if !frac.is_empty() {
            out.push_str(self.decimal);
            out.push_str(frac);
        }
        out
    }

    fn group_digits(&self, digits: &str) -> String {
        let mut out = String::with_capacity(digits.len() * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(self.group);
            }
            out.push(c);
        }
        out
    }
}

impl Default for Numbers {
    fn default() -> Numbers {
        TABLE[0].1
    }
}

/// A decimal for CSV and XML: rounded half away from zero to `decimals` places, ASCII
/// hyphen, no grouping: `12345.60`, `-5.00`.
pub fn machine(d: Decimal, decimals: u32) -> String {
    let mut rounded = round(d, decimals);
    rounded.rescale(decimals);
    let text = rounded.to_string();
    // `-0.00` after rounding a tiny negative is zero.
    if rounded.is_zero() {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// A decimal for CSV as exact as it is, at least to the cent: `3.80`, `0.315`.
pub fn machine_exact(d: Decimal) -> String {
    let mut exact = d.normalize();
    if exact.scale() < 2 {
        exact.rescale(2);
    }
    exact.to_string()
}

fn round(d: Decimal, decimals: u32) -> Decimal {
    d.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn english_puts_the_symbol_first_with_commas() {
        let n = Numbers::for_language("en-IE");
        assert_eq!(n.money(d("50555.99"), "EUR"), "€50,555.99");
        assert_eq!(n.money(d("-3"), "EUR"), "−€3.00");
        assert_eq!(n.money(d("1234.565"), "EUR"), "€1,234.57");
        assert_eq!(n.money(d("12"), "CHF"), "CHF\u{a0}12.00");
        assert_eq!(n.price(d("0.315"), "EUR"), "€0.315");
        assert_eq!(n.price(d("3.8"), "EUR"), "€3.80");
        assert_eq!(n.money_whole(d("5123.5"), "EUR"), "€5,124");
        assert_eq!(n.quantity(d("1234567.50")), "1,234,567.5");
        assert_eq!(n.count(1000), "1,000");
        assert_eq!(n.percent(d("0.374")), "37%");
        assert_eq!(n.percent(d("0.001")), "<1%");
        assert_eq!(Numbers::for_language("en"), n);
    }

    #[test]
    fn french_groups_with_a_narrow_space_and_puts_the_symbol_last() {
        let n = Numbers::for_language("fr");
        assert_eq!(n.money(d("50555.99"), "EUR"), "50\u{202f}555,99\u{a0}€");
        assert_eq!(n.money(d("-3"), "EUR"), "−3,00\u{a0}€");
        assert_eq!(n.quantity(d("1234.5")), "1\u{202f}234,5");
        assert_eq!(n.percent(d("0.3")), "30\u{a0}%");
        assert_eq!(Numbers::for_language("fr-BE"), n);
    }

    #[test]
    fn german_groups_with_dots_and_a_decimal_comma() {
        let n = Numbers::for_language("de");
        assert_eq!(n.money(d("50555.99"), "EUR"), "50.555,99\u{a0}€");
        assert_eq!(n.fixed(d("-12345.6"), 2), "−12.345,60");
        assert_eq!(n.count(1234567), "1.234.567");
    }

    #[test]
    fn dutch_puts_the_symbol_first_with_a_space() {
        let n = Numbers::for_language("nl");
        assert_eq!(n.money(d("-50555.99"), "EUR"), "−€\u{a0}50.555,99");
    }

    #[test]
    fn unknown_languages_read_as_english() {
        assert_eq!(Numbers::for_language("tlh"), Numbers::default());
        assert_eq!(Numbers::for_language(""), Numbers::default());
    }

    #[test]
    fn negatives_take_a_true_minus_and_zero_takes_none() {
        let n = Numbers::default();
        assert_eq!(n.fixed(d("-0.001"), 2), "0.00");
        assert_eq!(n.quantity(d("-2.50")), "−2.5");
        assert_eq!(n.percent(d("-0.5")), "−50%");
    }

    #[test]
    fn machine_text_is_plain_ascii_with_a_dot() {
        assert_eq!(machine(d("-12345.6"), 2), "-12345.60");
        assert_eq!(machine(d("2.345"), 2), "2.35");
        assert_eq!(machine(d("-0.001"), 2), "0.00");
        assert_eq!(machine(d("7"), 0), "7");
        assert_eq!(machine_exact(d("3.800")), "3.80");
        assert_eq!(machine_exact(d("0.315")), "0.315");
    }
}
