//! Numbers and dates as the ledger, the rates and the budget write them: ISO dates,
//! exact decimals, quantities and amounts within the largest values the site adds up
//! exactly, and a row's currency against the site's.

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::error::Diagnostic;
use crate::load::RawTable;

/// `YYYY-MM-DD`.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i16> {
        let mut n: i16 = 0;
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i16::from(c - b'0');
        }
        Some(n)
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// An exact decimal: digits with an optional dot and sign, no exponent, no grouping.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    if let Some(plain) = plain_decimal(text.as_bytes()) {
        return Ok(plain);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut dots = 0;
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|c| {
            dots += usize::from(c == b'.');
            c.is_ascii_digit() || c == b'.'
        })
        && dots <= 1
        && digits.bytes().any(|c| c.is_ascii_digit());
    if !well_formed {
        return Err(if text.is_empty() {
            "must not be empty".to_string()
        } else if text.contains(',') {
            format!("{text:?} is not a decimal (use a dot)")
        } else {
            format!("{text:?} is not a decimal")
        });
    }
    Decimal::from_str_exact(text).map_err(|_| format!("{text:?} has too many digits"))
}

/// The common case read directly, once per ledger row: up to 18 digits with at most
/// one dot between digits, and no sign. The same value and scale as
/// `Decimal::from_str_exact` gives (`2.50` keeps its two places).
pub(super) fn plain_decimal(text: &[u8]) -> Option<Decimal> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale: Option<usize> = None;
    for (i, &c) in text.iter().enumerate() {
        match c {
            b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(c - b'0'),
            b'.' if scale.is_none() && i > 0 && i + 1 < text.len() => {
                scale = Some(text.len() - i - 1);
            }
            _ => return None,
        }
    }
    Some(Decimal::new(
        mantissa,
        u32::try_from(scale.unwrap_or(0)).ok()?,
    ))
}

/// The largest quantity a row may have, the largest rate and the largest annual budget
/// amount. Within them every sum the site shows stays exact: a row's value is at most
/// 10^18, and four billion rows of it add up to less than the 28 digits a decimal
/// holds.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);
pub const MAX_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0);

/// A decimal above zero, at most [`MAX_QUANTITY`].
pub fn parse_quantity(text: &str) -> Result<Decimal, String> {
    let q = parse_decimal(text)?;
    if q <= Decimal::ZERO {
        return Err(format!("must be greater than 0, not {text}"));
    }
    at_most(q, MAX_QUANTITY, text)
}

/// `value` (zero or more) if it is at most `max`; `text` is how it was written.
pub(in crate::check) fn at_most(
    value: Decimal,
    max: Decimal,
    text: &str,
) -> Result<Decimal, String> {
    // A value is at most its digits read as a whole number: compared first, that
    // settles nearly every row without bringing the two to one scale.
    if value.mantissa() > max.mantissa() && value > max {
        return Err(format!("{text} is too large: at most {max}"));
    }
    Ok(value)
}

pub(in crate::check) fn currency_problem(
    table: &RawTable,
    line: usize,
    currency: &str,
    site: &str,
) -> Option<Diagnostic> {
    (!currency.is_empty() && currency != site).then(|| {
        Diagnostic::at(
            &table.path,
            line,
            format!("currency: {currency:?} is not the site's currency {site}"),
        )
    })
}
