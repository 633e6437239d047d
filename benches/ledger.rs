//! Ledger throughput: generates 1,000,000 rows over five years, then times what the
//! user runs, `tally build` (everything: weeks, seals, canonical files, open data,
//! pages, written to disk) and `tally check` (the same, writing nothing), through the
//! library, against a bare csv-crate group-by (rows summed per week, cell and category: the
//! practical limit). Run with `cargo bench --bench ledger`; `TALLY_BENCH_ROWS` changes the row
//! count, `TALLY_BENCH_PHASES=1` prints each stage's time of every build;
//! `TALLY_BENCH_ONLY=bare`, `tally` or `none` runs one side alone or neither (for a
//! profiler: the difference is the side's own cost), `prepare` only reads, checks and
//! models the ledger and prints each run's time (the stages a layout changes);
//! `TALLY_BENCH_KEEP=DIR` only writes
//! the site into DIR (for timing the `tally` binary on it). `TALLY_BENCH_LAYOUT=source`
//! writes the same rows as a bank's export (`;`, `1250,5`, `23.11.2026`, its own column
//! names) read by a `[[ledger.sources]]` block: the same figures through the sources
//! path.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;

const CELLS: [(&str, &str, &str, &str); 3] = [
    ("food-coop", "food", "kg", "FC"),
    ("solar-coop", "energy", "kWh", "SC"),
    ("care-circle", "care", "h", "CC"),
];
const YEARS: [i16; 5] = [2022, 2023, 2024, 2025, 2026];
const RUNS: usize = 3;

fn main() {
    let rows: usize = std::env::var("TALLY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if let Some(keep) = std::env::var_os("TALLY_BENCH_KEEP") {
        let (written, bytes) = generate(Path::new(&keep), rows);
        if std::env::var("TALLY_BENCH_LAYOUT").as_deref() == Ok("source") {
            as_export(Path::new(&keep));
        }
        println!(
            "generated {written} rows ({:.1} MB) in {keep:?}",
            bytes as f64 / 1e6
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let (written, bytes) = generate(dir.path(), rows);
    let source = std::env::var("TALLY_BENCH_LAYOUT").as_deref() == Ok("source");
    if source {
        as_export(dir.path());
    }
    println!(
        "generated {written} rows ({:.1} MB) in {} files over {} years in {:.2?}",
        bytes as f64 / 1e6,
        CELLS.len() * YEARS.len() + 1,
        YEARS.len(),
        started.elapsed()
    );
    println!(
        "threads available to the library: {}",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let out = dir.path().join("public");
    let only = std::env::var("TALLY_BENCH_ONLY").unwrap_or_default();
    if !only.is_empty() {
        for _ in 0..RUNS {
            let t = Instant::now();
            let n = match only.as_str() {
                "bare" => bare_sum(dir.path(), source).0,
                "tally" => tally_build(dir.path(), &out).0,
                "prepare" => tally_prepare(dir.path()),
                // Anything else: only the rows are generated.
                _ => written,
            };
            assert_eq!(n, written);
            println!("{only}: {:.3} s", t.elapsed().as_secs_f64());
        }
        return;
    }
    // Each run's tally time over the bare loop's time just before it: on a shared
    // machine whose speed drifts, the median of these is steadier than the bests.
    let (mut bare, mut builds, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let t = Instant::now();
        let (n, sum) = bare_sum(dir.path(), source);
        bare.push(t.elapsed());
        assert_eq!(n, written);

        let t = Instant::now();
        let (n, timings) = tally_build(dir.path(), &out);
        builds.push(t.elapsed());
        assert_eq!(n, written);
        if std::env::var_os("TALLY_BENCH_PHASES").is_some() {
            println!("  build: {timings}");
        }

        let t = Instant::now();
        let (n, total) = tally_check(dir.path());
        checks.push(t.elapsed());
        assert_eq!(n, written);
        assert_eq!(sum, total, "both add up to the same total");
    }
    let median = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        v[v.len() / 2]
    };
    let ratios = |side: &[Duration]| {
        let mut r: Vec<f64> = side
            .iter()
            .zip(&bare)
            .map(|(t, b)| t.as_secs_f64() / b.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    };
    let rate = |d: Duration| written as f64 / d.as_secs_f64();
    for (name, times) in [
        ("bare csv group-by", &bare),
        ("tally build (all, to disk)", &builds),
        ("tally check (writes nothing)", &checks),
    ] {
        let m = median(times);
        println!(
            "{name:<30} {:>10.0} rows/s  ({:.3} s, median of {RUNS})",
            rate(m),
            m.as_secs_f64()
        );
    }
    println!(
        "ratio (median of run-by-run): build {:.2}× (target ≤ 3×), check {:.2}× (target ≤ 2×) the bare loop; machine load {}",
        ratios(&builds),
        ratios(&checks),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

/// The practical limit: read every row with one reused record and group it as the
/// weekly sheets do, adding up the quantities as exact decimals per ISO week, cell and
/// category (in an export, `;`-separated with decimal commas and `23.11.2026` dates).
/// Returns the rows read and the sum over all groups.
fn bare_sum(site: &Path, export: bool) -> (usize, Decimal) {
    let mut rows = 0;
    let mut groups: HashMap<Vec<u8>, Decimal> = HashMap::new();
    let mut files: Vec<_> = std::fs::read_dir(site.join("data/ledger"))
        .expect("the ledger folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    let mut record = csv::ByteRecord::new();
    let mut key = Vec::new();
    for file in files {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(if export { b';' } else { b',' })
            .from_path(&file)
            .expect("a ledger file");
        // The export keeps the columns in the same order.
        let (date, cell, category, quantity) = (0, 1, 2, 4);
        while reader.read_byte_record(&mut record).expect("a row") {
            let text = std::str::from_utf8(&record[date]).expect("UTF-8");
            let date = if export {
                jiff::civil::Date::strptime("%d.%m.%Y", text)
            } else {
                text.parse::<jiff::civil::Date>()
            }
            .expect("a date");
            let week = date.iso_week_date();
            key.clear();
            key.extend_from_slice(&week.year().to_le_bytes());
            key.push(week.week() as u8);
            key.extend_from_slice(&record[cell]);
            key.push(0);
            key.extend_from_slice(&record[category]);
            let text = std::str::from_utf8(&record[quantity]).expect("UTF-8");
            let quantity = if export {
                Decimal::from_str_exact(&text.replace(',', "."))
            } else {
                Decimal::from_str_exact(text)
            }
            .expect("a decimal");
            match groups.get_mut(&key[..]) {
                Some(sum) => *sum += quantity,
                None => {
                    groups.insert(key.clone(), quantity);
                }
            }
            rows += 1;
        }
    }
    (rows, groups.values().sum())
}

/// `tally build` through the library, into `out`: rows built and each stage's time.
fn tally_build(site: &Path, out: &Path) -> (usize, tally::timings::Timings) {
    let summary = tally::build(&tally::BuildOptions {
        site: site.to_path_buf(),
        out: Some(out.to_path_buf()),
        base_url: None,
    })
    .expect("the generated site builds");
    (summary.rows, summary.timings)
}

/// The ledger read, checked and modelled (`tally::prepare`), timed: rows read.
/// The processor time too, steadier than the wall clock on a loaded machine.
fn tally_prepare(site: &Path) -> usize {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let model = tally::prepare(site, None).expect("the generated site prepares");
    println!(
        "prepare: {:.3} s, {:.3} s of processor time",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - cpu
    );
    model.ledger.entries.len()
}

/// User and system time of this process so far, all threads (`/proc/self/stat`, in
/// ticks of 1/100 s); 0 where there is no such file.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command's closing parenthesis; utime and stime are the
    // 12th and 13th of them.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// `tally check` through the library: rows checked and the sum of their quantities.
fn tally_check(site: &Path) -> (usize, Decimal) {
    let site = tally::check(site).expect("the generated site checks");
    let total = site
        .ledger
        .weeks
        .iter()
        .flat_map(|w| &w.reconciliation.units)
        .map(|u| u.quantity)
        .sum();
    (site.ledger.entries.len(), total)
}

/// Writes a site with `rows` ledger rows: one file per cell and year, and a treasury.
fn generate(site: &Path, rows: usize) -> (usize, usize) {
    let write = |rel: &str, text: &str| {
        let path = site.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(&path, text).expect("a file");
    };
    write(
        "tally.toml",
        "title = \"Bench\"\nbase_url = \"https://bench.example/\"\ncurrency = \"EUR\"\n",
    );
    let mut rates = String::from("unit,category,rate,currency,valid_from,source\n");
    let mut budget = String::from("year,category,amount,currency,line,source\n");
    for year in YEARS {
        let step = Decimal::from(year - 2020) / Decimal::from(100);
        let _ = writeln!(
            rates,
            "kg,food,{},EUR,{year}-01-01,Basket {year}",
            Decimal::new(380, 2) + step
        );
        let _ = writeln!(
            rates,
            "kWh,energy,{},EUR,{year}-07-01,Tariff {year}",
            Decimal::new(31, 2) + step
        );
        let _ = writeln!(
            rates,
            "h,care,{},EUR,{year}-01-01,Wages {year}",
            Decimal::new(1450, 2) + step
        );
        for (_, category, _, _) in CELLS {
            let _ = writeln!(budget, "{year},{category},120000,EUR,Line,Budget {year}");
        }
    }
    let _ = writeln!(rates, "kg,,3.20,EUR,2020-01-01,Wholesale");
    let _ = writeln!(rates, "kWh,energy,0.30,EUR,2020-01-01,Tariff");
    write("data/rates.csv", &rates);
    write("data/city-budget.csv", &budget);

    let header = "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n";
    let files = CELLS.len() * YEARS.len();
    let per_file = rows / files;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut written = 0;
    let mut bytes = 0;
    let mut treasury = String::from(header);
    for (c, (cell, category, unit, prefix)) in CELLS.into_iter().enumerate() {
        for (y, year) in YEARS.into_iter().enumerate() {
            let count = if c == CELLS.len() - 1 && y == YEARS.len() - 1 {
                rows - per_file * (files - 1) - 2 * 12 * YEARS.len()
            } else {
                per_file
            };
            let first = jiff::civil::date(year, 1, 1);
            let days = i64::from(first.days_in_year());
            let mut text = String::with_capacity(count * 72 + header.len());
            text.push_str(header);
            for i in 0..count {
                let day = first
                    .checked_add(jiff::Span::new().days(i as i64 * days / count as i64))
                    .expect("a date");
                let r = next();
                let quantity = Decimal::new((r % 400 + 1) as i64, 1);
                if r % 17 == 0 {
                    let _ = writeln!(
                        text,
                        "{day},{cell},{category},contribution,{quantity},{unit},,,m-{:03},\"sorting, shift\"",
                        r % 200
                    );
                } else if r % 1009 == 0 {
                    let _ = writeln!(
                        text,
                        "{day},{cell},{category},transfer,{quantity},{unit},,food-coop,,"
                    );
                } else {
                    let _ = writeln!(
                        text,
                        "{day},{cell},{category},service,{quantity},{unit},{prefix}-{y}{i:07},,hh-{:04},",
                        r % 5000
                    );
                }
            }
            bytes += text.len();
            written += count;
            write(&format!("data/ledger/{cell}-{year}.csv"), &text);
        }
    }
    for year in YEARS {
        for month in 1..=12 {
            let _ = writeln!(
                treasury,
                "{year}-{month:02}-01,treasury,treasury,income,1200,EUR,,,,member dues"
            );
            let _ = writeln!(
                treasury,
                "{year}-{month:02}-15,treasury,treasury,allocation,300,EUR,,strike-fund,,set aside"
            );
            written += 2;
        }
    }
    bytes += treasury.len();
    write("data/ledger/treasury.csv", &treasury);
    (written, bytes)
}

/// The export's names for tally's columns, in tally's order.
const EXPORT_HEADER: [&str; 10] = [
    "Datum",
    "Zelle",
    "Kategorie",
    "Art",
    "Menge",
    "Einheit",
    "Beleg",
    "An Zelle",
    "Gegenpartei",
    "Notiz",
];

/// Rewrites every ledger file of the site as a bank's export (`;`, decimal commas,
/// `DD.MM.YYYY`, `EXPORT_HEADER`) and adds the `[[ledger.sources]]` block that reads
/// it: the same rows, through the sources path.
fn as_export(site: &Path) {
    let ledger = site.join("data/ledger");
    for entry in std::fs::read_dir(&ledger).expect("the ledger folder") {
        let path = entry.expect("an entry").path();
        let mut reader = csv::Reader::from_path(&path).expect("a ledger file");
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        writer.write_record(EXPORT_HEADER).expect("a header");
        for record in reader.records() {
            let record = record.expect("a row");
            let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
            let date = jiff::civil::Date::strptime("%Y-%m-%d", &fields[0]).expect("a date");
            fields[0] = date.strftime("%d.%m.%Y").to_string();
            fields[4] = fields[4].replace('.', ",");
            writer.write_record(&fields).expect("a row");
        }
        std::fs::write(&path, writer.into_inner().expect("the rows")).expect("a file");
    }
    let mut block = String::from(
        "\n[[ledger.sources]]\nname = \"bank\"\nfiles = \"data/ledger/*.csv\"\ndelimiter = \";\"\ndecimal = \",\"\ndate_format = \"%d.%m.%Y\"\n[ledger.sources.columns]\n",
    );
    let names = [
        "date",
        "cell",
        "category",
        "kind",
        "quantity",
        "unit",
        "receipt",
        "to_cell",
        "counterparty",
        "memo",
    ];
    for (name, header) in names.iter().zip(EXPORT_HEADER) {
        let _ = writeln!(block, "{name} = \"{header}\"");
    }
    let config = site.join("tally.toml");
    let mut text = std::fs::read_to_string(&config).expect("tally.toml");
    text.push_str(&block);
    std::fs::write(&config, text).expect("tally.toml");
}
