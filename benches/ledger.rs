//! Ledger throughput: generates 1,000,000 rows over five years, then times load +
//! check + aggregate through the library's public functions against a bare csv-crate
//! loop that only sums the quantities (the practical limit). Run with
//! `cargo bench --bench ledger`; `TALLY_BENCH_ROWS` changes the row count,
//! `TALLY_BENCH_PHASES=1` prints each stage's time and reads the rows alone once more, after each timed run;
//! `TALLY_BENCH_ONLY=bare`, `tally` or `none` runs one side alone or neither (for a
//! profiler: the difference is the side's own cost). `TALLY_BENCH_SITE=DIR` only writes
//! the generated site into DIR (for `tally build` on a million rows) and stops.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tally::config::Config;
use tally::error::Diagnostics;
use tally::model::ledger::Ledger;

const CELLS: [(&str, &str, &str, &str); 3] = [
    ("food-coop", "food", "kg", "FC"),
    ("solar-coop", "energy", "kWh", "SC"),
    ("care-circle", "care", "h", "CC"),
];
const YEARS: [i16; 5] = [2022, 2023, 2024, 2025, 2026];
const RUNS: usize = 5;

fn main() {
    let rows: usize = std::env::var("TALLY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if let Some(site) = std::env::var_os("TALLY_BENCH_SITE") {
        let (written, bytes) = generate(Path::new(&site), rows);
        println!(
            "generated {written} rows ({:.1} MB) into {}",
            bytes as f64 / 1e6,
            Path::new(&site).display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let (written, bytes) = generate(dir.path(), rows);
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

    let mut baseline = Duration::MAX;
    let mut library = Duration::MAX;
    let mut check_sum = (Decimal::ZERO, Decimal::ZERO);
    // Each run's tally time over the bare loop's time just before it: on a shared
    // machine whose speed drifts, the median of these is steadier than the bests.
    let mut pairs = Vec::with_capacity(RUNS);
    // `TALLY_BENCH_ONLY=bare` or `=tally` runs one side alone (for a profiler).
    let only = std::env::var("TALLY_BENCH_ONLY").unwrap_or_default();
    if !only.is_empty() {
        for _ in 0..RUNS {
            let n = match only.as_str() {
                "bare" => bare_sum(dir.path()).0,
                "tally" => tally_pipeline(dir.path()).0,
                // Anything else: only the rows are generated.
                _ => written,
            };
            assert_eq!(n, written);
        }
        return;
    }
    for _ in 0..RUNS {
        let t = Instant::now();
        let cpu = cpu_seconds();
        let (n, sum) = bare_sum(dir.path());
        let bare = t.elapsed();
        if std::env::var_os("TALLY_BENCH_PHASES").is_some() {
            println!("  bare loop: cpu {:.3} s", cpu_seconds() - cpu);
        }
        baseline = baseline.min(bare);
        assert_eq!(n, written);
        check_sum.0 = sum;

        let t = Instant::now();
        let cpu = cpu_seconds();
        let (n, sum, phases) = tally_pipeline(dir.path());
        let elapsed = t.elapsed();
        let cpu = cpu_seconds() - cpu;
        library = library.min(elapsed);
        pairs.push(elapsed.as_secs_f64() / bare.as_secs_f64());
        assert_eq!(n, written);
        check_sum.1 = sum;
        if std::env::var_os("TALLY_BENCH_PHASES").is_some() {
            // Printed, and the rows read again alone, after the timed run.
            println!(
                "  load {:.3?}, check {:.3?}, aggregate {:.3?}, drop {:.3?}",
                phases.load, phases.check, phases.aggregate, phases.drop
            );
            println!(
                "  tally: cpu {cpu:.3} s, wall {elapsed:.3?}; reading rows alone (untimed pass) {:.3?}",
                read_rows_alone(dir.path())
            );
        }
    }
    assert_eq!(check_sum.0, check_sum.1, "both add up to the same total");
    let rate = |d: Duration| written as f64 / d.as_secs_f64();
    println!(
        "bare csv loop (read + sum quantities): {:>12.0} rows/s  ({:.3} s, best of {RUNS})",
        rate(baseline),
        baseline.as_secs_f64()
    );
    println!(
        "tally load + check + aggregate:        {:>12.0} rows/s  ({:.3} s, best of {RUNS})",
        rate(library),
        library.as_secs_f64()
    );
    println!(
        "ratio: tally takes {:.2}× the bare loop's time (target: within 1.5×)",
        library.as_secs_f64() / baseline.as_secs_f64()
    );
    pairs.sort_by(f64::total_cmp);
    println!(
        "run by run: {} (median {:.2}×)",
        pairs
            .iter()
            .map(|r| format!("{r:.2}×"))
            .collect::<Vec<_>>()
            .join(" "),
        pairs.get(pairs.len() / 2).copied().unwrap_or(f64::NAN)
    );
}

/// User and system time of this process so far (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The practical limit: read every row with one reused record and add up the
/// quantities as exact decimals.
fn bare_sum(site: &Path) -> (usize, Decimal) {
    let mut rows = 0;
    let mut total = Decimal::ZERO;
    let mut files: Vec<_> = std::fs::read_dir(site.join("data/ledger"))
        .expect("the ledger folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    let mut record = csv::ByteRecord::new();
    for file in files {
        let mut reader = csv::Reader::from_path(&file).expect("a ledger file");
        while reader.read_byte_record(&mut record).expect("a row") {
            let text = std::str::from_utf8(&record[4]).expect("UTF-8");
            total += Decimal::from_str_exact(text).expect("a decimal");
            rows += 1;
        }
    }
    (rows, total)
}

/// How long each stage of one run took.
struct Phases {
    load: Duration,
    check: Duration,
    aggregate: Duration,
    drop: Duration,
}

/// Load, check and aggregate through the library, as `tally build` does; nothing
/// else runs inside it, so its time is the headline figure.
fn tally_pipeline(site: &Path) -> (usize, Decimal, Phases) {
    let t = Instant::now();
    let config = Config::load(site).expect("tally.toml");
    let mut problems = Diagnostics::default();
    let cache = tally::load::FileCache::disabled();
    let files = tally::load::ledger::load(site, &config.ledger, &cache, &mut problems);
    let rates =
        tally::load::valuation::load_table(site, tally::load::valuation::RATES_FILE, &mut problems);
    let budget = tally::load::valuation::load_table(
        site,
        tally::load::valuation::BUDGET_FILE,
        &mut problems,
    );
    let loaded = t.elapsed();
    let checked = tally::check::ledger::check(
        &files,
        rates.as_ref(),
        budget.as_ref(),
        &config,
        &mut problems,
    );
    assert!(problems.is_empty(), "{:?}", problems.0.first());
    let checked_at = t.elapsed();
    let as_of = checked.latest_date();
    let ledger = Ledger::build(checked, as_of, &config.currency);
    let aggregated = t.elapsed();
    let total = ledger
        .weeks
        .iter()
        .flat_map(|w| &w.reconciliation.units)
        .map(|u| u.quantity)
        .sum();
    let n = ledger.entries.len();
    let d = Instant::now();
    drop(ledger);
    drop(files);
    let phases = Phases {
        load: loaded,
        check: checked_at - loaded,
        aggregate: aggregated - checked_at,
        drop: d.elapsed(),
    };
    (n, total, phases)
}

/// Reading the rows alone, without checking them: a separate, untimed pass.
fn read_rows_alone(site: &Path) -> Duration {
    let config = Config::load(site).expect("tally.toml");
    let mut problems = Diagnostics::default();
    let cache = tally::load::FileCache::disabled();
    let files = tally::load::ledger::load(site, &config.ledger, &cache, &mut problems);
    let r = Instant::now();
    let mut n = 0usize;
    for f in &files {
        f.read_rows(|row| n += usize::from(row.is_ok()));
    }
    assert!(n > 0);
    r.elapsed()
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
