//! A ledger CSV, rates CSV and manual.toml in a small site through load, check and
//! model (`tally check` short of rendering): never a panic, never a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &[u8], &[u8])| {
    let (ledger, rates, manual) = input;
    let Ok(dir) = tempfile::tempdir() else { return };
    let site = dir.path();
    let write = |rel: &str, bytes: &[u8]| {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    write("tally.toml", b"title = \"F\"\nbase_url = \"https://f.example/\"\n");
    write("data/ledger/fuzz.csv", ledger);
    write("data/rates.csv", rates);
    write("content/manuals/m/manual.toml", manual);
    write("content/manuals/m/1.0/01-a.md", b"# A\n");
    let _ = tally::prepare(site, None);
});
