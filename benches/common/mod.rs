//! What the benchmarks share: a generated site of many minutes pages, and the machine's
//! load to print beside the figures.

use std::path::{Path, PathBuf};

/// A site with `count` minutes files, one a day from 2000-01-01, taking turns among five
/// assemblies; `page(i, day, assembly)` writes the text of the `i`th.
pub fn minutes_site(
    site: &Path,
    count: usize,
    page: impl Fn(usize, &str, &str) -> String,
) -> Vec<PathBuf> {
    let minutes = site.join("content/minutes");
    std::fs::create_dir_all(&minutes).expect("create content/minutes");
    std::fs::write(
        site.join("tally.toml"),
        "title = \"Benchmark Network\"\nbase_url = \"https://bench.example/\"\n",
    )
    .expect("write tally.toml");
    let assemblies = [
        "north-ward",
        "south-ward",
        "food-coop",
        "solar-coop",
        "care-circle",
    ];
    let mut files = Vec::with_capacity(count);
    for i in 0..count {
        let day = jiff::civil::date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(i as i64))
            .expect("a date");
        let assembly = assemblies[i % assemblies.len()];
        let path = minutes.join(format!("{day}-{assembly}-{i:05}.md"));
        std::fs::write(&path, page(i, &day.to_string(), assembly)).expect("write a minutes file");
        files.push(path);
    }
    files
}

/// The machine's load averages (Linux; empty elsewhere), so that a slow figure can be
/// told from a busy machine.
pub fn machine_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_string()
}
