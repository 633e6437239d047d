//! Rates and city-budget CSVs read as tables: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|bytes: &[u8]| {
    let mut problems = tally::error::Diagnostics::default();
    let _ = tally::load::valuation::parse_table(PathBuf::from("data/rates.csv"), bytes, &mut problems);
});
