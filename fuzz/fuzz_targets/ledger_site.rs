//! A ledger CSV in tally's layout, a bank export read through `[[ledger.sources]]`
//! (`;`, decimal comma, Windows-1252, a preamble, signed amounts, a rule), a rates CSV
//! and a manual.toml in a small site through load, check and model (`tally check` short
//! of rendering): never a panic, never a hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = r#"title = "F"
base_url = "https://f.example/"
currency = "EUR"

[[ledger.sources]]
name = "bank"
files = "data/ledger/bank/*.csv"
delimiter = ";"
encoding = "windows-1252"
decimal = ","
skip_lines = 1
date_format = "%d.%m.%Y"
[ledger.sources.columns]
date = "Buchungstag"
quantity = "Betrag"
memo = "Verwendungszweck"
[ledger.sources.set]
cell = "treasury"
category = "treasury"
[ledger.sources.negative]
kind = "expense"
[ledger.sources.positive]
kind = "income"
[[ledger.sources.rules]]
when = { Verwendungszweck = "(?i)^abschluss" }
skip = "bank charges"
"#;

fuzz_target!(|input: (&[u8], &[u8], &[u8], &[u8])| {
    let (ledger, bank, rates, manual) = input;
    let Ok(dir) = tempfile::tempdir() else { return };
    let site = dir.path();
    let write = |rel: &str, bytes: &[u8]| {
        let path = site.join(rel);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, bytes);
    };
    write("tally.toml", CONFIG.as_bytes());
    write("data/ledger/fuzz.csv", ledger);
    write("data/ledger/bank/fuzz.csv", bank);
    write("data/rates.csv", rates);
    write("content/manuals/m/manual.toml", manual);
    write("content/manuals/m/1.0/01-a.md", b"# A\n");
    let _ = tally::prepare(site, None);
});
