//! A quantity as exports write it → tally's plain decimal text: a decimal comma or
//! dot, thousands separators (the other mark, spaces, `'`), a sign, and a unit or
//! currency sign before or after the number (`3214,57 EUR`, `-€529.36`). The digits are
//! kept as written, so the same number gives the same canonical row in any layout.

/// A quantity read from an export's cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    pub negative: bool,
    /// Digits with a dot before the decimals: `1250.50`.
    pub digits: String,
    /// The unit or currency written in the cell (`€` is `EUR`).
    pub unit: Option<String>,
}

/// The currency signs read as units.
const SIGNS: [(char, &str); 3] = [('€', "EUR"), ('$', "USD"), ('£', "GBP")];

fn sign_unit(c: char) -> Option<&'static str> {
    SIGNS.iter().find(|(s, _)| *s == c).map(|(_, u)| *u)
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '\u{2212}')
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\'' | '\u{a0}' | '\u{202f}' | '.' | ',')
}

/// Reads a cell with `decimal` (`.` or `,`) as the decimal mark.
pub fn parse(text: &str, decimal: char) -> Result<Amount, String> {
    match parse_with(text, decimal) {
        Ok(amount) => Ok(amount),
        Err(reason) => {
            let other = if decimal == ',' { '.' } else { ',' };
            if parse_with(text, other).is_ok() {
                Err(format!(
                    "{reason}; it reads with a decimal {other:?}: set `decimal = \"{other}\"` for its source"
                ))
            } else {
                Err(reason)
            }
        }
    }
}

fn parse_with(text: &str, decimal: char) -> Result<Amount, String> {
    let not_a_number =
        || format!("{text:?} is not a number (with {decimal:?} as the decimal mark)");
    let mut negative = false;
    let mut unit: Option<String> = None;
    let mut rest = text.trim();
    // Before the number: signs, currency signs, a unit of letters, spaces.
    while let Some(c) = rest.chars().next() {
        if is_minus(c) || c == '+' {
            negative |= is_minus(c);
        } else if let Some(u) = sign_unit(c) {
            unit = Some(u.to_string());
        } else if c.is_alphabetic() {
            let end = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            unit = Some(rest[..end].to_string());
            rest = rest[end..].trim_start();
            continue;
        } else if !c.is_whitespace() {
            break;
        }
        rest = rest[c.len_utf8()..].trim_start();
    }
    // After it: a unit of letters or a currency sign, a trailing minus.
    while let Some(c) = rest.chars().next_back() {
        if is_minus(c) {
            negative = true;
        } else if let Some(u) = sign_unit(c) {
            unit = Some(u.to_string());
        } else if c.is_alphabetic() {
            let start = rest.rfind(|c: char| !c.is_alphabetic()).map_or(0, |i| {
                i + rest[i..].chars().next().map_or(1, char::len_utf8)
            });
            unit = Some(rest[start..].to_string());
            rest = rest[..start].trim_end();
            continue;
        } else if !c.is_whitespace() {
            break;
        }
        rest = rest[..rest.len() - c.len_utf8()].trim_end();
    }
    if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit() || is_separator(c)) {
        return Err(not_a_number());
    }
    let (whole, fraction) = match rest.rfind(decimal) {
        Some(at) => (&rest[..at], &rest[at + decimal.len_utf8()..]),
        None => (rest, ""),
    };
    if !fraction.chars().all(|c| c.is_ascii_digit()) || whole.contains(decimal) {
        return Err(not_a_number());
    }
    let groups: Vec<&str> = whole
        .split(|c: char| c != decimal && is_separator(c))
        .collect();
    let grouped = groups.len() > 1;
    let well_grouped = groups.iter().enumerate().all(|(i, g)| {
        g.chars().all(|c| c.is_ascii_digit())
            && if i == 0 {
                !g.is_empty() && (!grouped || g.len() <= 3)
            } else {
                g.len() == 3
            }
    });
    if !well_grouped && (!whole.is_empty() || fraction.is_empty()) {
        return Err(not_a_number());
    }
    // Sized once: the digits, a dot and the decimals.
    let mut digits = String::with_capacity(rest.len() + 2);
    groups.iter().for_each(|g| digits.push_str(g));
    if digits.is_empty() {
        digits.push('0');
    }
    if !fraction.is_empty() {
        digits.push('.');
        digits.push_str(fraction);
    }
    Ok(Amount {
        negative,
        digits,
        unit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, decimal: char) -> (bool, String, Option<String>) {
        let a = parse(text, decimal).unwrap();
        (a.negative, a.digits, a.unit)
    }

    #[test]
    fn decimal_commas_and_thousands_separators_are_read() {
        assert_eq!(read("-1.250,50", ','), (true, "1250.50".into(), None));
        assert_eq!(read("1 250,5", ','), (false, "1250.5".into(), None));
        assert_eq!(read("1'250.50", '.'), (false, "1250.50".into(), None));
        assert_eq!(read("1,250.50", '.'), (false, "1250.50".into(), None));
        assert_eq!(read("12", '.'), (false, "12".into(), None));
        assert_eq!(read(",5", ','), (false, "0.5".into(), None));
    }

    #[test]
    fn a_unit_or_currency_sign_in_the_cell_is_kept() {
        assert_eq!(
            read("3214,57 EUR", ','),
            (false, "3214.57".into(), Some("EUR".into()))
        );
        assert_eq!(
            read("-€529.36", '.'),
            (true, "529.36".into(), Some("EUR".into()))
        );
        assert_eq!(
            read("€-529.36", '.'),
            (true, "529.36".into(), Some("EUR".into()))
        );
        assert_eq!(read("£12", '.'), (false, "12".into(), Some("GBP".into())));
        assert_eq!(
            read("$ 3.5", '.'),
            (false, "3.5".into(), Some("USD".into()))
        );
        assert_eq!(
            read("12.5 kg", '.'),
            (false, "12.5".into(), Some("kg".into()))
        );
        assert_eq!(read("12,50-", ','), (true, "12.50".into(), None));
    }

    #[test]
    fn a_decimal_comma_read_with_a_dot_says_which_mark_to_set() {
        let reason = parse("-1.250,50", '.').unwrap_err();
        assert_eq!(
            reason,
            "\"-1.250,50\" is not a number (with '.' as the decimal mark); it reads with a decimal ',': set `decimal = \",\"` for its source"
        );
        assert!(
            parse("12,5", '.')
                .unwrap_err()
                .contains("set `decimal = \",\"`")
        );
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        for text in ["", "abc", "1.2.3,4", "12,34,5", "1..2", "1 2", "--", "1e5"] {
            assert!(parse(text, ',').is_err(), "{text:?}");
        }
    }
}
