//! Front matter (TOML `+++` and YAML `---`) split and parsed as minutes and as a page:
//! never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use tally::load::content::{MinutesFront, PageFront};
use tally::load::front_matter;

fuzz_target!(|text: &str| {
    let path = Path::new("content/minutes/fuzz.md");
    if let Ok(split) = front_matter::split(path, text) {
        let _ = front_matter::parse::<MinutesFront>(path, &split);
        let _ = front_matter::parse::<PageFront>(path, &split);
        for key in ["decisions", "committees", "draws", "delegates"] {
            let _ = front_matter::entry_lines(&split, key);
        }
        let _ = front_matter::key_line(&split, "date");
    }
});
