//! `tally.lock`, `data/amendments.csv` and `data/seal.key` parsed: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|input: (&str, &str, &str)| {
    let (lock, amendments, key) = input;
    let _ = tally::load::seal::parse_lock(lock, Path::new("tally.lock"));
    let mut problems = tally::error::Diagnostics::default();
    let _ = tally::load::seal::parse_amendments(
        amendments,
        Path::new("data/amendments.csv"),
        &mut problems,
    );
    if let Ok(key) = tally::digest::SealKey::parse(key) {
        assert_eq!(tally::digest::SealKey::parse(&key.to_file_text()), Ok(key));
    }
});
