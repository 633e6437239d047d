//! `tally.lock` and `data/amendments.csv` parsed: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|input: (&str, &str)| {
    let (lock, amendments) = input;
    let _ = tally::load::seals::parse_lock(lock, Path::new("tally.lock"));
    let mut problems = tally::error::Diagnostics::default();
    let _ = tally::load::seals::parse_amendments(
        amendments,
        Path::new("data/amendments.csv"),
        &mut problems,
    );
});
