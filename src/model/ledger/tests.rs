//! The ledger model's unit tests.

use std::path::Path;

use super::sum::Sum;
use super::*;
use jiff::civil::date;

#[test]
fn row_texts_read_back_short_long_multibyte_and_absent_values() {
    let long = "x".repeat(200);
    let longer = "y".repeat(70_000);
    let rows = [
        ("", "", ""),
        ("FC-00000123", "hh-0042", ""),
        ("", "", "sorting, shift"),
        ("a", &long, "b"),
        ("a", "", &longer),
        ("FC-1", "", "sorting, shift after the market closed"),
        ("café", "à côté", "— œuvre"),
        ("", "", ""),
    ];
    let mut texts = RowTexts::default();
    let offsets: Vec<TextOffset> = rows
        .iter()
        .map(|(r, c, m)| texts.push(r, c, m).unwrap())
        .collect();
    assert_eq!(offsets[0], TextOffset::NONE);
    assert_eq!(offsets[7], TextOffset::NONE);
    for ((receipt, counterparty, memo), at) in rows.iter().zip(offsets) {
        let text = texts.get(at);
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        assert_eq!(text.receipt().map(String::from), some(receipt));
        assert_eq!(text.has_receipt(), !receipt.is_empty());
        assert_eq!(text.counterparty().map(String::from), some(counterparty));
        assert_eq!(text.memo().map(String::from), some(memo));
    }
    let a = texts.push("a", "", "").unwrap();
    let b = texts.push("", "a", "").unwrap();
    assert_eq!(texts.get(a).receipt(), Some("a"));
    assert_eq!(texts.get(b).receipt(), None);
    assert_eq!(texts.get(b).counterparty(), Some("a"));
}

#[test]
fn an_entry_takes_at_most_64_bytes_and_frees_nothing() {
    assert!(size_of::<Entry>() <= 64, "{} bytes", size_of::<Entry>());
    assert!(!std::mem::needs_drop::<Entry>());
    assert_eq!(size_of::<Option<Name>>(), 4);
}

#[test]
fn values_are_quantity_times_rate_to_the_same_scale() {
    let rates = Rates {
        path: PathBuf::new(),
        rates: vec![rate("kg", None, "3.80", date(2026, 1, 1))],
    };
    let mut entry = test_entry(2, TextOffset::NONE);
    entry.quantity = "2.5".parse().unwrap();
    assert_eq!(rates.value_of(&entry), None);
    entry.rate = RateIndex::new(Some(0));
    assert_eq!(rates.value_of(&entry).unwrap().to_string(), "9.500");
    entry.rate = RateIndex::new(Some(1));
    assert_eq!(rates.value_of(&entry), None);
}

#[test]
fn names_are_kept_once_and_compare_as_text() {
    let a = Name::new("food-coop");
    let b = Name::new(&String::from("food-coop"));
    assert!(std::ptr::eq(a.as_str(), b.as_str()));
    assert_eq!(a, b);
    assert!(Name::new("care") < a);
    assert_eq!(&*a, "food-coop");
    assert_eq!(a.to_string(), "food-coop");
    // Numbered in the order first seen, sorted by text.
    let (late, early) = (Name::new("zz-kept-first"), Name::new("aa-kept-later"));
    assert!(early < late);
    assert_ne!(early, late);
    let (b_file, a_file) = (
        SourceFile::new(Path::new("data/ledger/b.csv")),
        SourceFile::new(Path::new("data/ledger/a.csv")),
    );
    assert!(a_file < b_file);
    assert_eq!(&*a_file, Path::new("data/ledger/a.csv"));
    assert_eq!(a_file, SourceFile::new(Path::new("data/ledger/a.csv")));
}

#[test]
fn entries_are_found_by_index_across_parts() {
    let part = |lines: &[u32]| {
        let mut file = FileEntries::default();
        for &line in lines {
            let text = file.texts.push(&format!("R-{line}"), "", "").unwrap();
            file.entries.push(test_entry(line, text));
        }
        file
    };
    let entries = Entries::from_parts(vec![part(&[2, 3]), part(&[]), part(&[4])]);
    assert_eq!(entries.len(), 3);
    let lines: Vec<u32> = (0..4)
        .filter_map(|i| entries.get(i))
        .map(|e| e.source.line)
        .collect();
    assert_eq!(lines, vec![2, 3, 4]);
    let receipts: Vec<&str> = (0..4).filter_map(|i| entries.receipt(i)).collect();
    assert_eq!(receipts, vec!["R-2", "R-3", "R-4"]);
    assert_eq!(entries.iter().rev().map(|e| e.source.line).next(), Some(4));
    assert_eq!(
        entries.rows().rev().map(|r| r.receipt()).next(),
        Some(Some("R-4"))
    );
}

fn rate(unit: &str, category: Option<&str>, rate: &str, from: Date) -> Rate {
    Rate {
        unit: unit.into(),
        category: category.map(Into::into),
        rate: rate.parse().unwrap(),
        currency: "EUR".into(),
        valid_from: from,
        source: String::new(),
        line: 0,
    }
}

#[test]
fn rate_is_the_most_specific_category_then_the_latest_in_force() {
    let rates = Rates {
        path: PathBuf::new(),
        rates: vec![
            rate("kg", Some("food"), "3.80", date(2026, 1, 1)),
            rate("kg", None, "3.20", date(2026, 1, 1)),
            rate("kg", Some("food"), "4.00", date(2026, 6, 1)),
            rate("kg", None, "9.99", date(2026, 7, 1)),
            rate("h", Some("food"), "1", date(2020, 1, 1)),
        ],
    };
    assert_eq!(rates.lookup("kg", "food", date(2026, 5, 31)), Some(0));
    assert_eq!(rates.lookup("kg", "food", date(2026, 6, 1)), Some(2));
    assert_eq!(rates.lookup("kg", "food", date(2026, 8, 1)), Some(2));
    assert_eq!(rates.lookup("kg", "seeds", date(2026, 6, 30)), Some(1));
    assert_eq!(rates.lookup("kg", "seeds", date(2026, 7, 1)), Some(3));
    assert_eq!(rates.lookup("kg", "food", date(2025, 12, 31)), None);
    assert_eq!(rates.lookup("h", "care", date(2026, 1, 1)), None);
}

#[test]
fn weekly_share_is_pro_rata_by_days_across_new_year() {
    let line = |year, amount: &str| BudgetLine {
        period: BudgetPeriod::year(year),
        category: "food".into(),
        amount: amount.parse().unwrap(),
        currency: "EUR".into(),
        name: String::new(),
        source: String::new(),
        line: 0,
    };
    let budget = CityBudget {
        path: PathBuf::new(),
        lines: vec![
            line(2026, "36500"),
            line(2027, "36500"),
            line(2027, "36500"),
        ],
    };
    // 2026-W53 runs Monday 28 December 2026 to Sunday 3 January 2027:
    // 4 days of 2026 at 100/day and 3 days of 2027 at 200/day.
    let share = budget
        .weekly_share(WeekId::parse("2026-W53").unwrap(), "food")
        .unwrap();
    assert_eq!(share.amount, Decimal::from(1000));
    assert_eq!(share.days, 7);
    // Without a 2027 budget only the 2026 days count.
    let only_2026 = CityBudget {
        path: PathBuf::new(),
        lines: vec![line(2026, "36500")],
    };
    let share = only_2026
        .weekly_share(WeekId::parse("2026-W53").unwrap(), "food")
        .unwrap();
    assert_eq!((share.amount, share.days), (Decimal::from(400), 4));
    assert!(
        only_2026
            .weekly_share(WeekId::parse("2026-W53").unwrap(), "care")
            .is_none()
    );
}

#[test]
fn weekly_share_of_a_fiscal_year_is_prorated_per_day_across_its_end() {
    let line = |start, end, amount: &str| BudgetLine {
        period: BudgetPeriod { start, end },
        category: "care".into(),
        amount: amount.parse().unwrap(),
        currency: "GBP".into(),
        name: String::new(),
        source: String::new(),
        line: 0,
    };
    // 2026/27 has 365 days, 2027/28 has 366 (29 February 2028).
    let budget = CityBudget {
        path: PathBuf::new(),
        lines: vec![
            line(date(2026, 4, 1), date(2027, 3, 31), "36500"),
            line(date(2027, 4, 1), date(2028, 3, 31), "73200"),
        ],
    };
    assert_eq!(budget.lines[0].period.days(), 365);
    assert_eq!(budget.lines[1].period.days(), 366);
    assert_eq!(
        budget.lines[0].period.to_string(),
        "2026-04-01 to 2027-03-31"
    );
    assert_eq!(BudgetPeriod::year(2026).to_string(), "2026");
    // 2027-W13 runs Monday 29 March to Sunday 4 April 2027: 3 days at 100 a day and 4
    // at 200 a day.
    let share = budget
        .weekly_share(WeekId::parse("2027-W13").unwrap(), "care")
        .unwrap();
    assert_eq!((share.amount, share.days), (Decimal::from(1100), 7));
    // The week 1 April 2026 falls in: Monday 30 and Tuesday 31 March have no budget.
    let share = budget
        .weekly_share(WeekId::parse("2026-W14").unwrap(), "care")
        .unwrap();
    assert_eq!((share.amount, share.days), (Decimal::from(500), 5));
    assert_eq!(
        budget.uncovered("care", date(2026, 3, 30), date(2026, 4, 5)),
        vec![(date(2026, 3, 30), date(2026, 3, 31))]
    );
    assert_eq!(
        budget.in_force(date(2027, 3, 31), "care"),
        Some((Decimal::from(36500), budget.lines[0].period))
    );
}

/// Adds `values` one by one with `Decimal`'s `+` and through a [`Sum`], checking
/// after each that the two give the same value, scale and sign.
fn assert_sums_like_decimal(values: &[Decimal]) {
    let mut plain = Decimal::ZERO;
    let mut sum = Sum::ZERO;
    for (i, &x) in values.iter().enumerate() {
        plain += x;
        sum.add(x);
        let got = sum.get();
        assert_eq!(
            (got.to_string(), got.scale(), got.is_sign_negative()),
            (plain.to_string(), plain.scale(), plain.is_sign_negative()),
            "after adding {x} (value {i})"
        );
    }
    // Two sums added together, as weeks of two files are merged.
    let (a, b) = values.split_at(values.len() / 2);
    let (mut first, mut second) = (Sum::ZERO, Sum::ZERO);
    a.iter().for_each(|&x| first.add(x));
    b.iter().for_each(|&x| second.add(x));
    let mut merged = first.get();
    merged += second.get();
    first.add(second.get());
    assert_eq!(
        (first.get().to_string(), first.get().scale()),
        (merged.to_string(), merged.scale())
    );
}

/// A small deterministic generator of test values.
struct Values(u64);

impl Values {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sums_give_the_same_decimal_as_adding_one_by_one() {
    let mut values = Values(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let negatives = round % 2 == 1;
        let row: Vec<Decimal> = (0..250)
            .map(|_| {
                let r = values.next();
                let mantissa = match r % 7 {
                    // Zeros, whose scale `+` ignores.
                    0 => 0,
                    1 => (r >> 8) as i64 % 100,
                    2 => (r >> 8) as i64 % 1_000_000_000,
                    _ => (r >> 8) as i64 % 4_000,
                };
                let mantissa = if negatives && r & 1 == 1 {
                    -mantissa
                } else {
                    mantissa
                };
                Decimal::new(mantissa, ((r >> 4) % 7) as u32)
            })
            .collect();
        assert_sums_like_decimal(&row);
    }
}

#[test]
fn sums_that_cancel_out_or_need_rounding_give_what_decimal_gives() {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    // Back to zero (with the scale and sign `+` leaves), then on.
    assert_sums_like_decimal(&[d("1.50"), d("-1.5"), d("0.000"), d("2.5")]);
    assert_sums_like_decimal(&[d("-1.5"), d("1.50"), d("-0"), d("0.0")]);
    assert_sums_like_decimal(&[d("0.00"), d("0"), d("-0.0")]);
    // Past 96 bits at the largest scale: `+` rounds, and so does the sum.
    let large = Decimal::from_i128_with_scale(70_000_000_000_000_000_000_000_000_000, 0);
    assert_sums_like_decimal(&[large, d("0.1"), d("0.25"), d("-0.35"), d("1")]);
    assert_sums_like_decimal(&[d("0.0000000001"), large, -large, d("3.3")]);
    let precise = Decimal::from_i128_with_scale(7_000_000_000_000_000_000_000_000_000, 27);
    assert_sums_like_decimal(&[precise, precise, d("1.5"), precise, d("0.1")]);
    assert_sums_like_decimal(&[Decimal::MAX, -Decimal::MAX, Decimal::MAX, -Decimal::ONE]);
}
