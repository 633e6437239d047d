//! Unit tests of the ledger checker: the largest values, decimals, ISO dates and
//! receipt repeats.

use rust_decimal::Decimal;

use super::amounts::plain_decimal;
use super::*;

#[test]
fn the_largest_values_are_round_numbers() {
    assert_eq!(MAX_QUANTITY.to_string(), "1000000000000");
    assert_eq!(MAX_RATE.to_string(), "1000000");
    assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
    assert_eq!(
        parse_quantity("1000000000000.5").unwrap_err(),
        "1000000000000.5 is too large: at most 1000000000000"
    );
    assert!(parse_quantity("1000000000000").is_ok());
    // More digits than the largest value, yet no larger.
    assert!(parse_quantity("1000000000000.000").is_ok());
    assert!(parse_quantity("999999999999.99999").is_ok());
    assert!(parse_quantity("1000000000000.001").is_err());
    // A row's value stays far inside a decimal's 28 digits, however many rows.
    let most = MAX_QUANTITY * MAX_RATE * Decimal::from(u32::MAX);
    assert!(most < Decimal::MAX / Decimal::from(10));
}

#[test]
fn decimals_are_exact_and_plain() {
    assert_eq!(parse_decimal("12.50").unwrap().to_string(), "12.50");
    assert_eq!(
        parse_decimal("12,5").unwrap_err(),
        "\"12,5\" is not a decimal (use a dot)"
    );
    assert!(parse_decimal("1e3").is_err());
    assert!(parse_decimal("1_000").is_err());
    assert!(parse_decimal(".").is_err());
    assert!(parse_decimal("1.2.3").is_err());
    assert_eq!(
        parse_quantity("0").unwrap_err(),
        "must be greater than 0, not 0"
    );
    assert_eq!(
        parse_quantity("-2").unwrap_err(),
        "must be greater than 0, not -2"
    );
}

#[test]
fn repeated_receipts_are_found_even_when_every_hash_collides() {
    let part = |receipts: &[(&str, u32)]| {
        let mut file = FileEntries::default();
        for &(receipt, line) in receipts {
            let text = file.texts.push(receipt, "", "").unwrap();
            file.entries
                .push(crate::model::ledger::test_entry(line, text));
        }
        file
    };
    // Two files: repeats are found across them, and reported in input order.
    let entries = Entries::from_parts(vec![
        part(&[("A", 2), ("B", 3)]),
        part(&[("A", 4), ("B", 5), ("C", 6)]),
    ]);
    for hash in [
        |_: &str| 0u64,
        |r: &str| r.len() as u64 + u64::from(r.as_bytes()[0]),
    ] {
        let hashes: Vec<ReceiptHashes> = entries
            .parts()
            .map(|(_, part)| {
                let mut hashes = ReceiptHashes::new(part.entries.len());
                for (i, row) in part.rows().enumerate() {
                    hashes.add(hash(row.receipt().unwrap()), i);
                }
                hashes
            })
            .collect();
        let mut problems = Diagnostics::default();
        check_receipts(&entries, &hashes, &mut problems);
        let found: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            vec![
                "l.csv:4: receipt: \"A\" is already used at l.csv:2",
                "l.csv:5: receipt: \"B\" is already used at l.csv:3",
            ]
        );
    }
}

#[test]
fn receipt_numbers_rarely_share_a_hash() {
    let mut hashes = std::collections::HashSet::new();
    let mut n = 0;
    for prefix in ["FC", "SC", "CC"] {
        for year in 0..5 {
            for i in (0..2_000_000).step_by(41) {
                hashes.insert(receipt_hash(&format!("{prefix}-{year}{i:07}")));
                n += 1;
            }
        }
    }
    assert_eq!(hashes.len(), n);
}

#[test]
fn plain_decimals_read_directly_equal_the_general_reading() {
    for text in [
        "0",
        "1",
        "12.50",
        "0.00",
        "007",
        "3.0",
        "40.0",
        "0.001",
        "123456789012345678",
        "12345678901234567.8",
        "1234567890123456789",
        "-2",
        "-0",
        "1.",
        ".5",
        "1.2.3",
        "",
        "1e3",
        "00.10",
    ] {
        let general = Decimal::from_str_exact(text).ok();
        if let Some(plain) = plain_decimal(text.as_bytes()) {
            assert_eq!(Some(plain), general, "{text}");
            assert_eq!(plain.to_string(), general.unwrap().to_string(), "{text}");
            assert_eq!(plain.serialize(), general.unwrap().serialize(), "{text}");
        }
    }
    assert!(plain_decimal(b"-2").is_none());
    assert!(plain_decimal(b"1.").is_none());
    assert!(plain_decimal(b"1234567890123456789").is_none());
    assert_eq!(plain_decimal(b"12.50").unwrap().to_string(), "12.50");
}

#[test]
fn iso_dates() {
    assert_eq!(
        parse_iso_date("2026-02-28"),
        Some(jiff::civil::date(2026, 2, 28))
    );
    assert_eq!(parse_iso_date("2026-02-29"), None);
    assert_eq!(parse_iso_date("2026-2-28"), None);
    assert_eq!(parse_iso_date("28/02/2026"), None);
}
