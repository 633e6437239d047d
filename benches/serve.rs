//! The rebuild benchmark of `tally serve`: a generated site of 10,000 minutes pages is
//! built in full, then one minutes file is changed and rebuilt through the incremental
//! path the server uses, alternately with the search index made before the page is
//! shown and after it, on the indexer's thread, as `tally serve` does. Run with `cargo bench --bench serve` (`-- N` for N pages).
//! `cargo bench --bench serve -- example` instead copies the example site (the
//! repository's own, with its ledger) and times saving one week's commentary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use std::sync::mpsc::channel;

use tally::serve::SiteBuilder;
use tally::serve::index::{DEBOUNCE, Indexer};
use tally::{BuildOptions, build};

mod common;

fn main() {
    if std::env::args().skip(1).any(|a| a == "example") {
        return example();
    }
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("site");
    let files = generate(&site, count);
    println!("generated {count} minutes pages in {}", site.display());

    let started = Instant::now();
    let summary = build(&BuildOptions {
        site: site.clone(),
        out: Some(dir.path().join("public")),
        base_url: None,
    })
    .expect("the generated site builds");
    println!(
        "tally build (full, written to disk): {} ({} pages)",
        ms(started.elapsed()),
        summary.pages
    );

    let mut builder = SiteBuilder::new(&site, None).expect("the site folder exists");
    let first = builder.rebuild(&[]).expect("the generated site builds");
    println!(
        "serve: first build in memory: {} ({} pages rendered)",
        ms(first.elapsed),
        first.pages.rendered
    );

    let rounds: usize = std::env::var("TALLY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    saves(&mut builder, &files, rounds);

    let theme = site.join("templates/minutes.html");
    std::fs::create_dir_all(theme.parent().expect("a parent")).expect("create templates/");
    std::fs::write(
        &theme,
        "{% extends \"base.html\" %}{% block content %}<h1>{{ minutes.title }}</h1>{{ minutes.html | safe }}{% endblock content %}",
    )
    .expect("write a template");
    let started = Instant::now();
    let rebuilt = builder.rebuild(&[theme]).expect("rebuilds");
    println!(
        "serve: a template changed: {} ({} pages rendered)",
        ms(started.elapsed()),
        rebuilt.pages.rendered
    );
}

/// How a save reaches its page: with the search index made before the page is shown
/// (as `tally build` makes it), or made afterwards on the indexer's thread (as `tally
/// serve` does).
#[derive(Clone, Copy, PartialEq)]
enum IndexWhen {
    Before,
    After,
}

/// `rounds` saves of one minutes file each, alternating the two ways; the median of each.
fn saves(builder: &mut SiteBuilder, files: &[PathBuf], rounds: usize) {
    let (done, indexed) = channel();
    let indexer = Indexer::start(DEBOUNCE, done).expect("the indexer's thread");
    let mut times = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    let mut phases = [Vec::new(), Vec::new()];
    let mut index_after = Vec::new();
    for round in 0..rounds * 2 {
        let way = if round % 2 == 0 {
            IndexWhen::Before
        } else {
            IndexWhen::After
        };
        let side = way as usize;
        let file = &files[(round * 7919) % files.len()];
        let cpu_before = cpu_time();
        let started = Instant::now();
        append(file, &format!("\nA late note, number {round}.\n"));
        let changed = std::slice::from_ref(file);
        let rebuilt = match way {
            IndexWhen::Before => builder.rebuild_indexed(changed),
            IndexWhen::After => builder.rebuild(changed),
        }
        .expect("rebuilds");
        let total = started.elapsed();
        cpu[side].push(cpu_time().saturating_sub(cpu_before));
        assert!(
            rebuilt.changed.iter().any(|p| p.starts_with("minutes/")),
            "the changed page is rebuilt"
        );
        if way == IndexWhen::After {
            // The next save waits for the index, as a person's next save would.
            let job = builder.index_job().expect("pages to index");
            indexer.submit(job);
            let made = indexed
                .recv_timeout(Duration::from_secs(300))
                .expect("an index");
            let files = made.files.expect("the index is made");
            builder
                .install_index(made.version, files)
                .expect("the latest pages");
            index_after.push(started.elapsed());
        }
        times[side].push(total);
        phases[side].push((total, rebuilt.phases));
    }
    for (side, what) in [
        "index made first (as before)",
        "index made after, in the background",
    ]
    .iter()
    .enumerate()
    {
        phases[side].sort_by_key(|(total, _)| *total);
        times[side].sort();
        cpu[side].sort();
        let n = times[side].len();
        println!(
            "serve, {what}: the median rebuild, stage by stage: {}",
            phases[side][n / 2].1
        );
        println!(
            "serve, {what}: save one page → page shown: median {}, max {} ({n} rounds, alternating; target ≤ 50 ms); CPU median {}",
            ms(times[side][n / 2]),
            ms(times[side][n - 1]),
            ms(cpu[side][n / 2]),
        );
    }
    index_after.sort();
    println!(
        "serve: save one page → its search index swapped in (debounce {}): median {}",
        ms(DEBOUNCE),
        ms(index_after[index_after.len() / 2])
    );
    println!(
        "serve: machine load {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}

/// The example site copied to a temporary folder; one week's commentary saved again and
/// again, each save rebuilt through the incremental path.
fn example() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(&site).expect("create the site folder");
    for part in ["tally.toml", "tally.lock", "content", "data"] {
        copy(&repo.join(part), &site.join(part));
    }
    let mut builder = SiteBuilder::new(&site, None).expect("the site folder exists");
    let first = builder.rebuild(&[]).expect("the example site builds");
    println!(
        "example: first build in memory: {} ({} pages rendered, pdf feature {})",
        ms(first.elapsed),
        first.pages.rendered,
        if cfg!(feature = "pdf") { "on" } else { "off" }
    );
    let rounds: usize = std::env::var("TALLY_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let file = site.join("content/reports/2026-W47.md");
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut phases = Vec::new();
    for round in 0..rounds {
        let cpu_before = cpu_time();
        let started = Instant::now();
        append(&file, &format!("\nA late word, number {round}.\n"));
        let rebuilt = builder
            .rebuild(std::slice::from_ref(&file))
            .expect("rebuilds");
        let total = started.elapsed();
        cpu.push(cpu_time().saturating_sub(cpu_before));
        assert!(
            rebuilt
                .changed
                .iter()
                .any(|p| p == "reports/2026-W47/index.html"),
            "the report is rebuilt"
        );
        if round == 0 {
            println!(
                "example: one commentary saved: {} pages rendered, {} reused, changed {:?}",
                rebuilt.pages.rendered, rebuilt.pages.reused, rebuilt.changed
            );
        }
        times.push(total);
        phases.push((total, rebuilt.phases));
    }
    phases.sort_by_key(|(total, _)| *total);
    println!(
        "example: the median rebuild, stage by stage: {}",
        phases[phases.len() / 2].1
    );
    times.sort();
    cpu.sort();
    println!(
        "example: save one commentary → rebuilt output: median {} wall, {} CPU, max {} wall ({rounds} rounds); machine load {}",
        ms(times[times.len() / 2]),
        ms(cpu[cpu.len() / 2]),
        ms(times[times.len() - 1]),
        common::machine_load()
    );
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create a folder");
        for entry in std::fs::read_dir(from).expect("read a folder") {
            let entry = entry.expect("an entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy a file");
    }
}

/// CPU time used so far by all threads of this process (Linux; zero elsewhere), so that
/// the figures mean something on a busy machine too.
fn cpu_time() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let mut nanos: u64 = 0;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        nanos += stat
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Duration::from_nanos(nanos)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn append(file: &Path, text: &str) {
    let mut body = std::fs::read_to_string(file).expect("read a minutes file");
    body.push_str(text);
    std::fs::write(file, body).expect("write a minutes file");
}

/// A site with `count` minutes files of realistic size.
fn generate(site: &Path, count: usize) -> Vec<PathBuf> {
    common::minutes_site(site, count, short_page)
}

/// One minutes file: front matter with two decisions, then a short agenda and a table.
fn short_page(i: usize, day: &str, assembly: &str) -> String {
    format!(
        "+++\ntitle = \"{assembly} assembly {i}\"\ndate = {day}\nassembly = \"{assembly}\"\nattendance = {att}\n\n\
         [[decisions]]\ntext = \"Adopt the agenda of meeting {i}\"\noutcome = \"passed\"\nvotes = {{ for = 20, against = 2, abstain = 1 }}\n\n\
         [[decisions]]\ntext = \"Extend the pantry hours\"\noutcome = \"deferred\"\n+++\n\n\
         Community Hall, 19:00–21:00. {att} residents signed in.\n\n## Agenda\n\n1. Reports\n2. The pantry\n3. Any other business\n\n\
         ## 1. Reports\n\nThe treasurer reported on the week's receipts and the *strike fund*. Questions were about\n\
         the cold room and the [methodology](/methodology/).\n\n## 2. The pantry\n\n\
         | day | hours |\n|---|---|\n| Monday | 16–19 |\n| Thursday | 16–20 |\n\n\
         The assembly deferred the extension until the volunteers' rota is known.\n",
        att = 23 + i % 40,
    )
}
