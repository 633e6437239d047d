//! `tally.toml` parsed: never a panic, and the date range read.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    if let Ok(config) = tally::config::Config::parse(text, Path::new("tally.toml")) {
        let _ = config.dates.bounds();
    }
});
