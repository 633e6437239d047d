//! Markdown through render and sanitise: never a panic, never a script.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let html = tally::render::markdown::to_html(text);
    assert!(!html.to_ascii_lowercase().contains("<script"));
    let _ = tally::render::markdown::without_repeated_title(text, "Title");
});
