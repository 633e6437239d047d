//! Published CSV cells made safe to open in a spreadsheet (CSV formula injection,
//! OWASP): a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! prefixed with `'`, so a spreadsheet shows it as text instead of running it. A cell
//! that is a plain number (`-12.50`, `+3`) is left as it is: numbers cannot be formulas.
//! Every CSV writer of the output passes its cells through [`cell`].

use std::borrow::Cow;

/// `text` as a CSV cell that no spreadsheet takes for a formula.
pub fn cell(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Every cell of `record` through [`cell`], as bytes for `csv::Writer::write_record`.
pub fn record<'a>(record: impl IntoIterator<Item = &'a str>) -> Vec<Cow<'a, [u8]>> {
    record
        .into_iter()
        .map(|text| match cell(text) {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        })
        .collect()
}

/// A sign, digits and at most one dot, nothing else: `-12.50`, `+3`, `0.5`.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut dots = 0;
    let all = digits.chars().all(|c| {
        dots += usize::from(c == '.');
        c.is_ascii_digit() || c == '.'
    });
    all && dots <= 1 && digits.chars().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_prefixed_and_numbers_kept() {
        for risky in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1:A2)",
            "\tx",
            "\rx",
            "-",
            "+.",
        ] {
            assert_eq!(cell(risky), format!("'{risky}"), "{risky:?}");
        }
        for safe in ["food", "-12.50", "+3", "0.5", "", "a=b", "hh-001"] {
            assert_eq!(cell(safe), safe, "{safe:?}");
        }
    }
}
