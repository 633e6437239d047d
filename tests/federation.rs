//! Federation (issue 21): a regional site built from its members' published data.
//! The example federation (`examples/federation/` and its three members) is copied
//! into a temporary folder, its members built, fetched through folders and through a
//! loopback HTTP server started here, and the federation built from the copies.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::{build_errors, read, replace, write};
use rust_decimal::Decimal;
use tally::federation::fetch::fetch;

const MEMBERS: [&str; 3] = ["hillside", "lowfield", "riverbend"];

/// The example federation and its members, sources only, under a fresh folder; each
/// member built into its `public/`. Returns the folder (kept alive) and its path.
fn example() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = common::example_site().join("examples");
    for name in MEMBERS.iter().chain(&["federation"]) {
        let from = examples.join(name);
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&from).unwrap();
            let top = rel
                .components()
                .next()
                .map(|c| c.as_os_str().to_string_lossy().into_owned());
            let output =
                matches!(top.as_deref(), Some("public")) || rel.starts_with("data/members");
            if entry.file_type().is_file() && !output {
                let target = dir.path().join(name).join(rel);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    for name in MEMBERS {
        common::build(&dir.path().join(name));
    }
    let root = dir.path().to_path_buf();
    (dir, root)
}

fn fetch_ok(federation: &Path) {
    if let Err(e) = fetch(federation) {
        panic!("fetch of {} failed: {e}", federation.display());
    }
}

fn fetch_fails(federation: &Path) -> String {
    match fetch(federation) {
        Ok(done) => panic!("the fetch should have failed, fetched {done:?}"),
        Err(e) => e.to_string(),
    }
}

/// (week, category) → (value, city share) of a CSV with those columns; `member` keeps
/// one category value per week and category (weekly.csv repeats it on each unit row).
fn sums(
    text: &str,
    value: &str,
    share: &str,
    into: &mut BTreeMap<(String, String), (Decimal, Decimal)>,
    member: bool,
) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (w, c, v, s) = (at("week"), at("category"), at(value), at(share));
    let mut seen = std::collections::BTreeSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        let key = (row[w].to_string(), row[c].to_string());
        if member && !seen.insert(key.clone()) {
            continue;
        }
        let number = |i: usize| {
            if row[i].is_empty() {
                Decimal::ZERO
            } else {
                Decimal::from_str(&row[i]).unwrap()
            }
        };
        let entry = into.entry(key).or_default();
        entry.0 += number(v);
        entry.1 += number(s);
    }
}

#[test]
fn federation_totals_equal_the_sum_of_members_totals_every_week_and_category() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    let out = common::build(&federation);

    let mut expected = BTreeMap::new();
    for name in MEMBERS {
        let weekly = read(&root.join(name).join("public"), "data/weekly.csv");
        sums(&weekly, "category_value", "city_share", &mut expected, true);
    }
    let mut totals = BTreeMap::new();
    sums(
        &read(&out, "data/federation/totals.csv"),
        "value",
        "city_share",
        &mut totals,
        false,
    );
    assert!(
        expected.len() >= 20,
        "three members, seven weeks: {}",
        expected.len()
    );
    assert_eq!(
        totals, expected,
        "every week and category, value and cities' share"
    );

    // Riverbend has not published 2026-W47 yet: its rows say so, the total is marked.
    let csv = read(&out, "data/federation/totals.csv");
    assert!(csv.contains("2026-W47,2026-Q4,food,"));
    assert!(
        csv.lines()
            .filter(|l| l.starts_with("2026-W47"))
            .all(|l| l.ends_with(",1"))
    );
    assert!(
        read(&out, "data/federation/members.csv")
            .contains("2026-W47,riverbend,not-yet-published,,,")
    );
    let page = read(&out, "federation/index.html");
    assert!(page.contains("not yet published"));
    assert!(page.contains("(incomplete: 1 not yet published)"));
    assert!(page.contains("<svg"), "the governance chart by member");
    // W47, which riverbend has not published, is drawn as a week in progress and kept
    // out of the chart's finding.
    let chart = read(&out, "federation/governance.svg");
    assert!(chart.contains("2 of 3 members so far"), "{chart}");
}

#[test]
fn flows_matrix_and_reconciliation_on_the_example() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    let out = common::build(&federation);
    assert_eq!(
        read(&out, "data/federation/flows.csv"),
        "quarter,supplier,receiver,unit,sent,received,value\n\
         2026-Q4,hillside,lowfield,kg,120.00,120.00,456.00\n\
         2026-Q4,hillside,riverbend,kg,50.00,50.00,190.00\n\
         2026-Q4,lowfield,riverbend,kWh,300.00,300.00,93.00\n\
         2026-Q4,riverbend,hillside,h,16.00,12.00,384.00\n"
    );
    let page = read(&out, "flows/index.html");
    assert_eq!(
        page.matches("MISMATCH").count(),
        1,
        "riverbend sent 16 h, hillside booked 12 h"
    );
    assert!(page.contains("1 pair does not match"));
    assert!(page.contains("<caption>In kg: supplier (rows) × receiver (columns)</caption>"));
    assert_eq!(
        page.matches("<rect").count(),
        4,
        "one bar per supplier and receiver"
    );
    assert!(page.contains("€456.00"), "120 kg at hillside's 3.80 EUR/kg");
}

#[test]
fn delegates_rotation_and_regional_decisions_are_shown() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    let out = common::build(&federation);
    let seats = read(&out, "federation/delegates/index.html");
    let row = |title: &str| {
        let at = seats
            .find(&format!("<th scope=\"row\">{title}</th>"))
            .unwrap();
        seats[at..].split("</tr>").next().unwrap().to_string()
    };
    assert!(
        row("Riverbend Care Circle").contains("<td class=\"num\">3</td>"),
        "three delegates held riverbend's seat"
    );
    assert!(row("Lowfield Solar Commons").contains("Bo Lind, 179 days"));
    assert!(row("Hillside Mutual Aid").contains("Ada Okafor, 87 days"));
    let decisions = read(&out, "federation/decisions/index.html");
    assert!(
        decisions
            .contains("href=\"https://hillside.example/minutes/2026-11-09-assembly/#decision-1\"")
    );
    assert_eq!(decisions.matches("Buy a second storage unit").count(), 3);
}

#[test]
fn a_delegate_for_no_member_seat_is_an_error_naming_the_minutes() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    replace(
        &federation,
        "content/minutes/2026-09-07-council.md",
        "council = \"riverbend\"",
        "council = \"riverbed\"",
    );
    let errors = build_errors(&federation);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("2026-09-07-council.md") && e.contains("\"riverbed\"")),
        "{errors:?}"
    );
}

#[test]
fn a_tampered_member_copy_fails_the_build_naming_the_member_and_file() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    let copy = federation.join("data/members/hillside/data/ledger.csv");
    let mut bytes = std::fs::read(&copy).unwrap();
    let at = bytes.len() - 5;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&copy, bytes).unwrap();
    let errors = build_errors(&federation);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("data/members/hillside/data/ledger.csv")
                && e.contains("member hillside: changed: data/ledger.csv")),
        "{errors:?}"
    );
}

#[test]
fn a_tampered_member_site_fails_the_fetch_and_keeps_the_previous_copy() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    let before = read(&federation, "data/members/lowfield/data/ledger.csv");
    let published = root.join("lowfield/public/data/ledger.csv");
    let text = std::fs::read_to_string(&published).unwrap();
    std::fs::write(&published, text.replacen(",300,kWh,", ",310,kWh,", 1)).unwrap();
    let error = fetch_fails(&federation);
    assert!(
        error.contains("member lowfield (../lowfield/public)"),
        "{error}"
    );
    assert!(error.contains("changed: data/ledger.csv"), "{error}");
    assert!(
        error.contains("previous copy in data/members/lowfield is kept"),
        "{error}"
    );
    assert_eq!(
        read(&federation, "data/members/lowfield/data/ledger.csv"),
        before
    );
    common::build(&federation);
}

#[test]
fn a_rewritten_seal_chain_fails_the_fetch_naming_the_member() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    fetch_ok(&federation);
    // Hillside changes a sealed week's row and seals its history again from scratch.
    let hillside = root.join("hillside");
    replace(
        &hillside,
        "data/ledger/hillside.csv",
        "2026-10-20,grain-store,food,transfer,120,",
        "2026-10-20,grain-store,food,transfer,90,",
    );
    std::fs::remove_file(hillside.join("tally.lock")).unwrap();
    std::fs::remove_dir_all(hillside.join("data/sealed")).unwrap();
    tally::seal::seal_with(
        &hillside,
        &tally::seal::SealOptions {
            confirmed: true,
            dry_run: false,
            until: None,
            rekey: false,
        },
    )
    .unwrap();
    common::build(&hillside);
    let error = fetch_fails(&federation);
    assert!(error.contains("member hillside"), "{error}");
    assert!(error.contains("sealed history was rewritten"), "{error}");
    assert!(!error.contains("member lowfield"), "{error}");
}

#[test]
fn a_member_in_another_currency_or_not_fetched_is_an_error_naming_it() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    let errors = build_errors(&federation);
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.contains("has not been fetched yet"))
            .count(),
        3,
        "{errors:?}"
    );
    fetch_ok(&federation);
    replace(
        &federation,
        "tally.toml",
        "currency = \"EUR\"",
        "currency = \"GBP\"",
    );
    let errors = build_errors(&federation);
    assert!(
        errors.iter().any(
            |e| e.starts_with("data/members/riverbend/data/datapackage.json:1")
                && e.contains("values are in \"EUR\", the federation's in \"GBP\"")
        ),
        "{errors:?}"
    );
}

/// Serves the files under `root` over HTTP on a loopback port until the test ends.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            // The rest of the request head.
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .trim_start_matches('/');
            let reply = match std::fs::read(root.join(path)) {
                Ok(body) if !path.contains("..") => {
                    let mut reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    reply.extend(body);
                    reply
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&reply);
        }
    });
    port
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn fetch_over_loopback_and_a_member_that_is_down_keeps_its_previous_copy() {
    let (_dir, root) = example();
    let federation = root.join("federation");
    let port = serve(root.clone());
    for name in MEMBERS {
        replace(
            &federation,
            "tally.toml",
            &format!("\"../{name}/public\""),
            &format!("\"http://127.0.0.1:{port}/{name}/public/\""),
        );
    }
    fetch_ok(&federation);
    let out = common::build(&federation);
    assert!(read(&out, "data/federation/flows.csv").contains("riverbend,hillside,h,16.00,12.00"));
    let kept = read(&federation, "data/members/riverbend/fetched.toml");
    assert!(kept.contains(&format!(
        "source = \"http://127.0.0.1:{port}/riverbend/public/\""
    )));

    let down = closed_port();
    replace(
        &federation,
        "tally.toml",
        &format!("127.0.0.1:{port}/riverbend/"),
        &format!("127.0.0.1:{down}/riverbend/"),
    );
    let error = fetch_fails(&federation);
    assert!(
        error.contains(&format!(
            "member riverbend (http://127.0.0.1:{down}/riverbend/public/)"
        )),
        "{error}"
    );
    assert!(
        error.contains(&format!(
            "cannot fetch http://127.0.0.1:{down}/riverbend/public/manifest.json"
        )),
        "{error}"
    );
    assert!(
        error.contains("the previous copy in data/members/riverbend is kept"),
        "{error}"
    );
    assert!(
        !error.contains("member hillside"),
        "the others were fetched: {error}"
    );
    assert_eq!(
        read(&federation, "data/members/riverbend/fetched.toml"),
        kept
    );
    common::build(&federation);

    // A member whose site answers 404 for its manifest: not a tally site, said plainly.
    write(
        &federation,
        "tally.toml",
        &read(&federation, "tally.toml").replace(
            &format!("127.0.0.1:{down}/riverbend/public/"),
            &format!("127.0.0.1:{port}/riverbend/"),
        ),
    );
    let error = fetch_fails(&federation);
    assert!(
        error.contains("manifest.json") && error.contains("404"),
        "{error}"
    );
}

#[test]
fn a_network_publishes_its_decisions_register_in_its_data_package_and_manifest() {
    let (_dir, root) = example();
    let public = root.join("hillside/public");
    let csv = read(&public, "data/decisions.csv");
    assert_eq!(
        csv.lines().take(2).collect::<Vec<_>>(),
        [
            "date,minutes,url,decision,text,outcome",
            "2026-11-09,2026-11-09-assembly,https://hillside.example/minutes/2026-11-09-assembly/#decision-1,2026-11-09-assembly#decision-1,Rotate the federation delegate every quarter,passed",
        ]
    );
    assert_eq!(csv.lines().count(), 4, "a header and three decisions");
    let package = read(&public, "data/datapackage.json");
    assert!(package.contains("\"path\": \"decisions.csv\""));
    assert!(read(&public, "manifest.json").contains("\"data/decisions.csv\""));
}
