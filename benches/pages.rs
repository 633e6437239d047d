//! Page throughput: generates 10,000 minutes pages of about 700 words each, then times
//! `tally build` on them (everything, written to disk) against bare pulldown-cmark over
//! the same files (read + convert, nothing else: the practical limit).
//! Run with `cargo bench --bench pages` (`-- N` for N pages);
//! `cargo bench --bench pages -- --generate DIR [N]` only writes the site into DIR (for
//! `benches/compare.sh` and for timing the `tally` binary itself).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tally::{BuildOptions, build};

mod common;

const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    if let Some(at) = args.iter().position(|a| a == "--generate") {
        let dir = PathBuf::from(args.get(at + 1).expect("--generate DIR"));
        let files = generate(&dir, count);
        let words: usize = files.iter().map(|f| words(f)).sum();
        println!(
            "generated {count} minutes pages ({} words each on average) in {}",
            words / count.max(1),
            dir.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let site = dir.path().join("site");
    let files = generate(&site, count);
    println!("generated {count} minutes pages in {}", site.display());

    let mut tally = Vec::new();
    let mut bare = Vec::new();
    let mut pages = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let (n, bytes) = bare_markdown(&files);
        bare.push(t.elapsed());
        assert!(n == files.len() && bytes > 0);

        let t = Instant::now();
        let summary = build(&BuildOptions {
            site: site.clone(),
            out: Some(dir.path().join("public")),
            base_url: None,
        })
        .expect("the generated site builds");
        tally.push(t.elapsed());
        pages = summary.pages;
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (tally, bare) = (median(tally), median(bare));
    println!(
        "bare pulldown-cmark (read + convert):   {:.3} s (median of {RUNS})",
        bare.as_secs_f64()
    );
    println!(
        "tally build ({pages} pages, written):  {:.3} s (median of {RUNS}), {:.0} pages/s",
        tally.as_secs_f64(),
        pages as f64 / tally.as_secs_f64()
    );
    println!(
        "ratio: tally takes {:.1}× bare pulldown-cmark; machine load {}",
        tally.as_secs_f64() / bare.as_secs_f64(),
        common::machine_load()
    );
}

/// Reads every file and converts its body (after the front matter) to HTML.
fn bare_markdown(files: &[PathBuf]) -> (usize, usize) {
    let mut bytes = 0;
    let mut html = String::new();
    for file in files {
        let text = std::fs::read_to_string(file).expect("a minutes file");
        let body = text.rsplit("+++").next().unwrap_or("");
        html.clear();
        let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::all());
        pulldown_cmark::html::push_html(&mut html, parser);
        bytes += html.len();
    }
    (files.len(), bytes)
}

fn words(file: &Path) -> usize {
    std::fs::read_to_string(file)
        .map(|t| t.split_whitespace().count())
        .unwrap_or(0)
}

const TOPICS: [&str; 6] = [
    "The treasurer reported on the week's receipts and on the *strike fund*, which stands at \
     the level the last assembly set. Questions were about the cold room, the delivery van \
     and the [methodology](/methodology/) behind the valuation of hours of care.",
    "The pantry group described the new rota: two volunteers open the doors, a third keeps \
     the register, and anyone who takes food signs nothing. The assembly thanked the \
     volunteers who covered the **Thursday** shift at short notice during the heat.",
    "The solar cooperative reported the output of the roof panels and the repairs to the \
     inverter; the electrician's invoice to the city was sent on time. Members asked \
     whether the surplus could heat the community hall in winter, and a working group was \
     named to find out.",
    "The care circle asked for more drivers on Tuesdays. Several members offered to drive; \
     the coordinator will put them in touch with the households that need a lift to the \
     clinic. The circle reminded everyone that its hours are counted at the city's wage.",
    "A resident asked how decisions are recorded and where the register can be read. The \
     secretary showed the [decision register](/decisions/) and explained that every \
     outcome, with the votes, is published the week after the assembly.",
    "The food cooperative compared its prices with the shops in the district: the basket \
     costs less than the city's reference basket, and the difference is what the ledger \
     reports as value returned to members. Details are in the weekly report.",
];

/// A site with `count` minutes files of about 700 words each.
fn generate(site: &Path, count: usize) -> Vec<PathBuf> {
    common::minutes_site(site, count, page)
}

/// One minutes file: front matter with two decisions, then about 700 words.
fn page(i: usize, day: &str, assembly: &str) -> String {
    let att = 23 + i % 40;
    let mut text = format!(
        "+++\ntitle = \"{assembly} assembly {i}\"\ndate = {day}\nassembly = \"{assembly}\"\nattendance = {att}\n\n\
         [[decisions]]\ntext = \"Adopt the agenda of meeting {i}\"\noutcome = \"passed\"\nvotes = {{ for = 20, against = 2, abstain = 1 }}\n\n\
         [[decisions]]\ntext = \"Extend the pantry hours\"\noutcome = \"deferred\"\n+++\n\n\
         Community Hall, 19:00–21:00. {att} residents signed in.\n\n## Agenda\n\n1. Reports\n2. The pantry\n3. Any other business\n\n"
    );
    for section in 0..4 {
        text.push_str(&format!(
            "## {}. Item {section} of meeting {i}\n\n",
            section + 1
        ));
        for p in 0..3 {
            text.push_str(TOPICS[(i + section * 3 + p) % TOPICS.len()]);
            text.push_str("\n\n");
        }
    }
    text.push_str(
        "| day | hours |\n|---|---|\n| Monday | 16–19 |\n| Thursday | 16–20 |\n\n\
         - [x] Minutes of the last meeting approved\n- [ ] Rota for next month\n\n\
         The assembly deferred the extension until the volunteers' rota is known.\n",
    );
    text
}
