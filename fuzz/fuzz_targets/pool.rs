//! A lottery pool CSV (`data/pools/*.csv`) read: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|bytes: &[u8]| {
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return;
    };
    if std::io::Write::write_all(&mut file, bytes).is_err() {
        return;
    }
    let _ = tally::load::pool::read(file.path(), Path::new("data/pools/fuzz.csv"));
});
