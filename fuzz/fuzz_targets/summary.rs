//! A manual's `SUMMARY.md` read into chapter entries and numbered: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally::check::manual::summary;

fuzz_target!(|text: &str| {
    let entries = summary::entries(text);
    let depths: Vec<usize> = entries.iter().map(|e| e.depth).collect();
    let _ = summary::numbers(&depths);
});
