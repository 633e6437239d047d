//! Front matter (TOML `+++` and YAML `---`) split and parsed: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    let path = Path::new("content/minutes/fuzz.md");
    if let Ok(split) = tally::load::front_matter::split(path, text) {
        let _ = tally::load::front_matter::parse::<serde_json::Value>(path, &split);
    }
});
