//! Hostile input and faults: sites written to attack the build or to fail it by
//! accident. Each test builds one small site (in a temporary folder) and checks the
//! promise in its name: the exit status, the file and line named, no panic, nothing
//! read from outside the site, nothing written or deleted outside the output, no hang.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

/// A temporary folder holding a copy of the example site at `site/`, so that the
/// folders beside it can be watched.
fn example_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_example_site(&site);
    (dir, site)
}

fn run(args: &[&str]) -> Output {
    tally(args)
}

/// No panic text, whatever the status.
fn no_panic(result: &Output) {
    let err = stderr(result);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(result.status.code(), Some(101), "{err}");
}

/// Every file under `dir` but those under `except`, as relative paths.
fn files_outside(dir: &Path, except: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| !e.path().starts_with(except) && e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

#[test]
fn an_invoice_prefix_that_climbs_writes_nothing_outside_the_output() {
    let (dir, site) = example_copy();
    replace(
        &site,
        "tally.toml",
        "prefix = \"INV\"",
        "prefix = \"../../../../elsewhere/x\"",
    );
    // Cover letters are named after the invoices; without them the build reaches the
    // writer, which is what this guards.
    std::fs::remove_dir_all(site.join("content/invoices")).unwrap();
    let before = files_outside(dir.path(), &site);
    let out = dir.path().join("out");
    let result = run(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    // Refused twice over: the configuration names the prefix, and the writer refuses
    // any path that would leave the output folder (unit-tested in `paths`).
    assert!(
        stderr(&result).contains("refusing") || stderr(&result).contains("prefix"),
        "{}",
        stderr(&result)
    );
    assert_eq!(files_outside(dir.path(), &site), before);
    assert!(!out.exists());
    assert!(!dir.path().join("elsewhere").exists());
}

#[test]
fn out_refuses_the_git_folder_the_lock_and_any_folder_inside_the_site_but_public() {
    let (dir, site) = example_copy();
    write(&site, ".git/HEAD", "ref: refs/heads/main\n");
    let lock = read(&site, "tally.lock");
    for out in [".git", "tally.lock", "content/../notes", "public/sub"] {
        let target = site.join(out);
        let result = run(&[
            "build",
            site.to_str().unwrap(),
            "--out",
            target.to_str().unwrap(),
        ]);
        no_panic(&result);
        assert_eq!(
            result.status.code(),
            Some(2),
            "--out {out}: {}",
            stderr(&result)
        );
        assert!(stderr(&result).contains("refusing"), "{}", stderr(&result));
    }
    assert_eq!(read(&site, ".git/HEAD"), "ref: refs/heads/main\n");
    assert_eq!(read(&site, "tally.lock"), lock);
    drop(dir);
}

#[test]
fn out_refuses_a_folder_with_files_that_is_not_an_earlier_output() {
    let site = minimal_site();
    let other = tempfile::tempdir().unwrap();
    write(other.path(), "thesis.txt", "years of work");
    let result = run(&[
        "build",
        site.path().to_str().unwrap(),
        "--out",
        other.path().to_str().unwrap(),
    ]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert_eq!(read(other.path(), "thesis.txt"), "years of work");
    // An earlier output is replaced; an empty folder is used.
    let out = other.path().join("public");
    std::fs::create_dir(&out).unwrap();
    for _ in 0..2 {
        let result = run(&[
            "build",
            site.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(result.status.success(), "{}", stderr(&result));
    }
}

#[test]
fn out_refuses_the_home_folder_and_every_folder_holding_it() {
    let site = minimal_site();
    let home = tempfile::tempdir().unwrap();
    let user = home.path().join("user");
    write(&user, "notes.txt", "mine");
    for out in [user.clone(), home.path().to_path_buf()] {
        let result = std::process::Command::new(env!("CARGO_BIN_EXE_tally"))
            .args([
                "build",
                site.path().to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .env("HOME", &user)
            .output()
            .unwrap();
        no_panic(&result);
        assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
        assert!(
            stderr(&result).contains("home folder"),
            "{}",
            stderr(&result)
        );
    }
    assert_eq!(read(&user, "notes.txt"), "mine");
}

#[test]
fn a_build_killed_between_its_renames_is_recovered_and_its_leftovers_removed() {
    let site = minimal_site();
    let out = build(site.path());
    let about = read(&out, "about/index.html");
    // A build killed after moving the output aside (pid 4000000 runs no process), and
    // another killed while writing its temporary folder.
    let old = site.path().join(".public.old-4000000");
    std::fs::rename(&out, &old).unwrap();
    write(site.path(), ".public.tmp-4000001/index.html", "half");
    // A failing build leaves the recovered previous output in place.
    write(site.path(), "content/pages/bad.md", "+++\ntitle = 3\n+++\n");
    let result = run(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert_eq!(read(&out, "about/index.html"), about);
    std::fs::remove_file(site.path().join("content/pages/bad.md")).unwrap();
    let result = run(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(read(&out, "about/index.html"), about);
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_full_or_closed_standard_output_ends_quietly_without_a_panic() {
    use std::process::{Command, Stdio};
    let site = minimal_site();
    let root = site.path().to_str().unwrap();
    let full = || std::fs::File::create("/dev/full").unwrap();
    // A full disk behind stdout: the work is done, the summary cannot be printed.
    let result = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["check", root])
        .stdout(full())
        .output()
        .unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    // A closed pipe (`tally check | true`): success.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["check", root])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let result = child.wait_with_output().unwrap();
    no_panic(&result);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    // An error with stderr full: status 1, no panic.
    write(site.path(), "content/pages/bad.md", "+++\ntitle = 3\n+++\n");
    let result = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["check", root])
        .stderr(full())
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(1));
}

/// Runs tally with `args`, killing it after `seconds`: a hang fails the test.
fn run_within(seconds: u64, args: &[&str]) -> Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed().as_secs() > seconds {
            child.kill().unwrap();
            panic!("tally {args:?} still running after {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A ledger of contributions (no rate needed), one row per date.
fn ledger_site(config_extra: &str, dates: &[&str]) -> tempfile::TempDir {
    let mut ledger = LEDGER_HEADER.to_string();
    for (i, date) in dates.iter().enumerate() {
        ledger.push_str(&format!(
            "{date},pantry,treasury,contribution,{},EUR,,,hh-{i:04},\n",
            i + 1
        ));
    }
    site_with(&[
        ("tally.toml", &format!("{CONFIG_EUR}{config_extra}")),
        ("data/ledger/pantry.csv", &ledger),
    ])
}

#[test]
fn a_ledger_date_at_the_end_of_time_is_an_error_not_a_hang() {
    let site = ledger_site("", &["2026-03-02", "9999-12-31"]);
    let root = site.path().to_str().unwrap();
    for command in ["check", "build", "seal"] {
        let result = run_within(60, &[command, root]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
        assert!(
            stderr(&result).contains("data/ledger/pantry.csv:3: date:"),
            "{}",
            stderr(&result)
        );
    }
    assert!(!site.path().join("public").exists());
    assert!(!site.path().join("tally.lock").exists());
    // Even when the range allows it, week arithmetic ends.
    let site = ledger_site("[dates]\nlatest = \"9999-12-31\"\n", &["9999-12-31"]);
    let result = run_within(60, &["check", site.path().to_str().unwrap()]);
    no_panic(&result);
}

#[test]
fn a_typo_in_a_year_fails_with_its_line_instead_of_building_decades_of_weeks() {
    for typo in ["2100-03-02", "2500-03-02", "2036-03-02", "1899-03-02"] {
        let site = ledger_site("", &["2026-03-02", typo, "2026-03-03"]);
        let result = run_within(60, &["build", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{typo}: {}", stderr(&result));
        assert!(
            stderr(&result).contains("data/ledger/pantry.csv:3: date:")
                && stderr(&result).contains("plausible"),
            "{}",
            stderr(&result)
        );
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn seal_asks_for_yes_before_sealing_more_than_eight_weeks() {
    let dates: Vec<String> = (0..12)
        .map(|w| {
            jiff::civil::date(2026, 1, 5)
                .checked_add(jiff::Span::new().days(7 * w))
                .unwrap()
                .to_string()
        })
        .collect();
    let dates: Vec<&str> = dates.iter().map(String::as_str).collect();
    let site = ledger_site("", &dates);
    let root = site.path().to_str().unwrap();
    let result = run(&["seal", root]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(stderr(&result).contains("--yes"), "{}", stderr(&result));
    assert!(!site.path().join("tally.lock").exists());
    let result = run(&["seal", root, "--yes"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let lock = read(site.path(), "tally.lock");
    // The week of the latest date is open: eleven closed weeks, none after it.
    assert_eq!(lock.matches("[[seal]]").count(), 11, "{lock}");
    assert!(!lock.contains("2026-W13"));
}

/// Every file of `dir` that holds `needle`, zips included (stored, or found deflated
/// by reading the archive).
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (path, bytes) in read_tree(dir) {
        if contains(&bytes, needle.as_bytes()) {
            found.push(path.clone());
        }
        if path.ends_with(".zip")
            && let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
        {
            for i in 0..zip.len() {
                let mut text = Vec::new();
                use std::io::Read;
                zip.by_index(i).unwrap().read_to_end(&mut text).unwrap();
                if contains(&text, needle.as_bytes()) {
                    found.push(format!("{path}:{i}"));
                }
            }
        }
    }
    found
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_site_are_refused_naming_the_link() {
    use std::os::unix::fs::symlink;
    let (dir, site) = example_copy();
    let out = build(&site);
    let before = read_tree(&out);
    let secret = dir.path().join("hostname");
    std::fs::write(&secret, "SECRET-HOST-NAME\n").unwrap();
    let outside = dir.path().join("outside");
    write(&outside, "x.md", "SECRET-HOST-NAME\n");
    write(
        &outside,
        "rates.csv",
        "unit,category,rate,currency,valid_from,source\nkg,,1,EUR,2020-01-01,SECRET-HOST-NAME\n",
    );
    let links: [(&Path, &str); 5] = [
        (&secret, "content/manuals/community-fridge/1.0/05-host.md"),
        (&secret, "content/pages/host.md"),
        (&outside, "content/manuals/community-fridge/2.0"),
        (&outside.join("rates.csv"), "data/pools/host.csv"),
        (&outside, "templates"),
    ];
    for (target, link) in links {
        symlink(target, site.join(link)).unwrap();
    }
    std::fs::remove_file(site.join("data/rates.csv")).unwrap();
    symlink(outside.join("rates.csv"), site.join("data/rates.csv")).unwrap();
    let result = run(&["build", site.to_str().unwrap()]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    let err = stderr(&result);
    for link in [
        "content/manuals/community-fridge/1.0/05-host.md is a symbolic link",
        "content/pages/host.md is a symbolic link",
        "content/manuals/community-fridge/2.0 is a symbolic link",
        "data/rates.csv is a symbolic link",
        "templates is a symbolic link",
    ] {
        assert!(err.contains(link), "{link} not named in:\n{err}");
    }
    assert!(!err.contains("SECRET-HOST-NAME"));
    assert_eq!(read_tree(&out), before, "the previous output changed");
    assert!(files_holding(&out, "SECRET-HOST-NAME").is_empty());
}

#[test]
fn a_theme_outside_the_themes_folder_is_refused_with_its_line() {
    for theme in ["/etc", "../../x", "../outside"] {
        let site = minimal_site_with(&[("tally.toml", &format!("{CONFIG}theme = \"{theme}\"\n"))]);
        let result = run(&["build", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
        assert!(
            stderr(&result).contains("tally.toml:3: theme:"),
            "{}",
            stderr(&result)
        );
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn ledger_files_linked_within_the_site_or_named_in_capitals_are_read_not_skipped() {
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/extra.CSV",
            &format!("{LEDGER_HEADER}2026-03-02,pantry,treasury,contribution,5,EUR,,,hh-1,\n"),
        ),
        (
            "exports/linked.csv",
            &format!("{LEDGER_HEADER}2026-03-03,pantry,treasury,contribution,7,EUR,,,hh-2,\n"),
        ),
    ]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        site.path().join("exports/linked.csv"),
        site.path().join("data/ledger/linked.csv"),
    )
    .unwrap();
    let out = build(site.path());
    let ledger = read(&out, "data/ledger.csv");
    assert!(ledger.contains("2026-03-02"), "{ledger}");
    #[cfg(unix)]
    assert!(ledger.contains("2026-03-03"), "{ledger}");
}

#[test]
fn utf16_and_bad_utf8_are_named_with_their_line_in_pages_and_tally_toml() {
    let site = minimal_site();
    std::fs::write(
        site.path().join("content/pages/wide.md"),
        [0xFF, 0xFE, b'+', 0, b'+', 0],
    )
    .unwrap();
    let result = run(&["build", site.path().to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("content/pages/wide.md:1: UTF-16"),
        "{}",
        stderr(&result)
    );
    let site = minimal_site();
    std::fs::write(
        site.path().join("tally.toml"),
        b"title = \"T\"\nbase_url = \"https://x.example/\"\nlanguage = \"\xE9\"\n",
    )
    .unwrap();
    let result = run(&["build", site.path().to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("tally.toml:3:"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn formulas_in_ledger_fields_reach_no_published_csv_unescaped() {
    let site = site_with(&[
        (
            "tally.toml",
            &format!("{CONFIG_EUR}[privacy]\npublish_memos = true\n"),
        ),
        (
            "data/ledger/pantry.csv",
            &format!(
                "{LEDGER_HEADER}\
                 2026-03-02,pantry,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",contribution,5,EUR,@SUM(A1),,hh-1,+cmd|' /C calc'!A0\n\
                 2026-03-03,-cell,treasury,transfer,7,EUR,,=1+1,hh-2,\n"
            ),
        ),
    ]);
    let out = build(site.path());
    let mut checked = 0;
    for (path, bytes) in read_tree(&out) {
        if !path.ends_with(".csv") {
            continue;
        }
        checked += 1;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes.as_slice());
        for record in reader.records() {
            for field in record.unwrap().iter() {
                let risky = field.starts_with(['=', '+', '@', '\t', '\r'])
                    || (field.starts_with('-') && field.parse::<f64>().is_err());
                assert!(!risky, "{path}: {field:?} would run as a formula");
            }
        }
    }
    assert!(checked >= 3, "only {checked} CSV files");
    let ledger = read(&out, "data/ledger.csv");
    assert!(
        ledger.contains("'@SUM(A1)") && ledger.contains("'+cmd"),
        "{ledger}"
    );
    assert!(read(&out, "data/index.html").contains("formula"));
}

#[test]
fn a_lock_entry_with_edited_rows_or_public_digest_fails_the_build_naming_its_line() {
    let (_dir, site) = example_copy();
    let lock = read(&site, "tally.lock");
    let public =
        "public_digest = \"b75bfca1d8e1371181bbc89bd307338b382b737191c20160a4eb42d7fa8b8dab\"";
    assert!(lock.contains(public));
    for (from, to) in [
        ("rows = 63", "rows = 64"),
        (
            public,
            "public_digest = \"0000000000000000000000000000000000000000000000000000000000000000\"",
        ),
    ] {
        write(&site, "tally.lock", &lock.replace(from, to));
        let result = run(&["check", site.to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
        assert!(
            stderr(&result).contains("tally.lock:8: 2026-W14: the entry's digest matches"),
            "{}",
            stderr(&result)
        );
    }
}

#[test]
fn a_megabyte_ledger_field_is_an_error_with_its_line_in_linear_time() {
    let big = "x".repeat(1024 * 1024);
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/pantry.csv",
            &format!("{LEDGER_HEADER}2026-03-02,pantry,{big},contribution,5,EUR,,,hh-1,\n"),
        ),
    ]);
    let result = run_within(60, &["check", site.path().to_str().unwrap()]);
    no_panic(&result);
    assert_eq!(
        result.status.code(),
        Some(1),
        "{}",
        &stderr(&result)[..200.min(stderr(&result).len())]
    );
    let err = stderr(&result);
    assert!(
        err.contains("data/ledger/pantry.csv:2: category: 1048576 bytes"),
        "{}",
        &err[..300.min(err.len())]
    );
    assert!(
        err.len() < 2000,
        "the message quotes the field: {} bytes",
        err.len()
    );
}

#[test]
fn deeply_nested_markdown_html_and_front_matter_are_errors_with_their_line_in_linear_time() {
    let n = 100_000;
    let lists: String = (0..n).map(|_| "- ").collect::<String>() + "x\n";
    let quotes = ">".repeat(n) + " x\n";
    let divs = "<div>".repeat(n) + "\n";
    let yaml = format!("---\ntitle: {}\n---\nx\n", "[".repeat(n));
    for (name, body) in [
        ("lists", format!("+++\ntitle = \"L\"\n+++\n{lists}")),
        ("quotes", format!("+++\ntitle = \"Q\"\n+++\n{quotes}")),
        ("divs", format!("+++\ntitle = \"D\"\n+++\n{divs}")),
        ("yaml", yaml),
    ] {
        let site = minimal_site_with(&[(&format!("content/pages/{name}.md"), &body)]);
        let started = std::time::Instant::now();
        let result = run_within(60, &["check", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{name}: {}", stderr(&result));
        let line = if name == "yaml" { 2 } else { 4 };
        assert!(
            stderr(&result).contains(&format!("content/pages/{name}.md:{line}: ")),
            "{name}: {}",
            stderr(&result)
        );
        assert!(
            started.elapsed().as_secs() < 10,
            "{name} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_markdown_file_over_eight_megabytes_is_refused_by_name() {
    let site = minimal_site_with(&[(
        "content/pages/huge.md",
        &format!(
            "+++\ntitle = \"H\"\n+++\n{}",
            "word ".repeat(2 * 1024 * 1024)
        ),
    )]);
    let result = run_within(60, &["check", site.path().to_str().unwrap()]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("content/pages/huge.md:1: the file is"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn pages_named_after_output_files_fail_naming_the_clash_not_an_os_error() {
    for name in ["feed.xml", "404.html", "sitemap.xml"] {
        let site = minimal_site_with(&[(
            &format!("content/pages/{name}.md"),
            "+++\ntitle = \"Clash\"\n+++\nx\n",
        )]);
        let result = run(&["build", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{name}: {}", stderr(&result));
        let err = stderr(&result);
        assert!(
            err.contains("two outputs collide") && err.contains(name),
            "{err}"
        );
        assert!(!err.contains("os error"), "{err}");
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn categories_that_slug_alike_keep_their_own_chart_files_and_element_ids() {
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/pantry.csv",
            &format!(
                "{LEDGER_HEADER}\
                 2026-03-02,pantry,Food Bank,service,5,kg,,,hh-1,\n\
                 2026-03-03,pantry,food bank!,service,7,kg,,,hh-2,\n"
            ),
        ),
        (
            "data/rates.csv",
            "unit,category,rate,currency,valid_from,source\nkg,,2,EUR,2020-01-01,Market\n",
        ),
    ]);
    let out = build(site.path());
    let charts: Vec<String> = read_tree(&out.join("reports/2026-W10/charts"))
        .into_keys()
        .filter(|p| p.starts_with("units-food") && p.ends_with(".svg"))
        .collect();
    assert_eq!(charts.len(), 2, "{charts:?}");
    let page = read(&out, "reports/2026-W10/index.html");
    let mut ids: Vec<&str> = page
        .split("id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "duplicate element ids");
}

#[test]
fn a_base_url_that_is_not_http_never_reaches_the_feed() {
    for url in [
        "javascript:alert(1)",
        "//evil.example/",
        "https://x.example/\"><script>",
    ] {
        let site = minimal_site_with(&[(
            "tally.toml",
            &format!("title = \"T\"\nbase_url = {url:?}\n"),
        )]);
        let result = run(&["build", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{url}: {}", stderr(&result));
        assert!(
            stderr(&result).contains("tally.toml:2: base_url:"),
            "{}",
            stderr(&result)
        );
        assert!(!site.path().join("public").exists());
        let site = minimal_site();
        let result = run(&["build", site.path().to_str().unwrap(), "--base-url", url]);
        assert_eq!(result.status.code(), Some(2), "{url}: {}", stderr(&result));
    }
}

/// The lines of `text` that hold one 64-digit hex hash more than once.
fn lines_repeating_a_hash(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| {
            let hashes: Vec<&str> = line
                .split(|c: char| !c.is_ascii_hexdigit())
                .filter(|w| w.len() == 64)
                .collect();
            hashes
                .iter()
                .enumerate()
                .any(|(i, h)| hashes[i + 1..].contains(h))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn a_protocol_relative_forked_from_url_is_refused_not_taken_for_a_local_path() {
    let site = minimal_site_with(&[
        (
            "content/manuals/tools/manual.toml",
            "title = \"Tools\"\nlicense = \"CC-BY-SA-4.0\"\n\n[forked_from]\ntitle = \"Elsewhere\"\nurl = \"//evil.example/manuals/x/1.0/\"\n",
        ),
        ("content/manuals/tools/1.0/01-intro.md", "# Intro\n\nHi.\n"),
    ]);
    let errors = problems(site.path());
    assert!(
        errors.iter().any(|e| e
            .starts_with("content/manuals/tools/manual.toml:4: forked_from: url \"//evil.example")
            && e.contains("starts with `//`")),
        "{errors:?}"
    );
}

#[test]
fn pages_minutes_and_manuals_named_after_windows_devices_are_refused_by_file() {
    for (rel, text) in [
        ("content/pages/con.md", "+++\ntitle = \"Con\"\n+++\nx\n"),
        ("content/pages/aux.md", "+++\ntitle = \"Aux\"\n+++\nx\n"),
        ("content/pages/nul.md", "+++\ntitle = \"Nul\"\n+++\nx\n"),
        (
            "content/manuals/prn/manual.toml",
            "title = \"P\"\nlicense = \"CC0-1.0\"\n",
        ),
    ] {
        let site = minimal_site_with(&[(rel, text)]);
        if rel.contains("manuals") {
            write(site.path(), "content/manuals/prn/1.0/01-a.md", "# A\n\nx\n");
        }
        let result = run(&["build", site.path().to_str().unwrap()]);
        no_panic(&result);
        assert_eq!(result.status.code(), Some(1), "{rel}: {}", stderr(&result));
        let err = stderr(&result);
        let folder = rel.rsplit_once('/').unwrap().0;
        assert!(
            err.contains(if rel.contains("manuals") { folder } else { rel })
                && err.contains("is a device name on Windows"),
            "{rel}: {err}"
        );
        assert!(!site.path().join("public").exists());
    }
}

#[test]
fn votes_above_attendance_are_an_error_with_the_decision_line() {
    let site = minimal_site_with(&[(
        "content/minutes/2026-03-02-assembly.md",
        "+++\ntitle = \"M\"\ndate = 2026-03-02\nassembly = \"north-ward\"\nattendance = 10\n\n[[decisions]]\ntext = \"Buy a freezer\"\noutcome = \"passed\"\nvotes = { for = 9, against = 2, abstain = 1 }\n+++\nWe met.\n",
    )]);
    assert_eq!(
        problems(site.path()),
        vec!["content/minutes/2026-03-02-assembly.md:7: votes: 12 votes cast but attendance is 10"]
    );
}

#[test]
fn a_minutes_file_named_for_another_day_than_its_date_names_both() {
    let site = minimal_site_with(&[(
        "content/minutes/2026-03-02-assembly.md",
        "+++\ntitle = \"M\"\nassembly = \"north-ward\"\ndate = 2026-03-09\n+++\nWe met.\n",
    )]);
    assert_eq!(
        problems(site.path()),
        vec![
            "content/minutes/2026-03-02-assembly.md:4: date: the file name says 2026-03-02 but the front matter says 2026-03-09; rename the file or correct the date"
        ]
    );
}

#[test]
fn a_rates_file_without_its_header_is_one_error_not_one_per_row() {
    let mut ledger = LEDGER_HEADER.to_string();
    for i in 0..500 {
        ledger.push_str(&format!("2026-03-02,pantry,food,service,5,kg,,,hh-{i},\n"));
    }
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/ledger/pantry.csv", &ledger),
        (
            "data/rates.csv",
            "kg,,2,EUR,2020-01-01,Market\nkWh,,0.3,EUR,2020-01-01,Market\n",
        ),
    ]);
    let errors = problems(site.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("data/rates.csv:1: missing required columns unit, rate, valid_from;")
            && errors[0].contains("is the header line missing?"),
        "{errors:?}"
    );
}

#[test]
fn categories_that_differ_only_in_case_are_an_error_naming_both_rows() {
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/pantry.csv",
            &format!(
                "{LEDGER_HEADER}\
                 2026-03-02,pantry,Food,service,5,kg,,,hh-1,\n\
                 2026-03-03,pantry,food,service,7,kg,,,hh-2,\n\
                 2026-03-04,pantry,food,service,7,KG,,,hh-3,\n"
            ),
        ),
        (
            "data/rates.csv",
            "unit,category,rate,currency,valid_from,source\nkg,,2,EUR,2020-01-01,Market\nKG,,2,EUR,2020-01-01,Market\n",
        ),
    ]);
    let mut errors = problems(site.path());
    errors.retain(|e| !e.contains("UN/ECE"));
    errors.sort();
    assert_eq!(
        errors,
        vec![
            "data/ledger/pantry.csv:3: category: \"food\" differs from \"Food\" (data/ledger/pantry.csv:2) only in case; their charts would collide on a case-insensitive file system: spell them alike",
            "data/ledger/pantry.csv:4: unit: \"KG\" differs from \"kg\" (data/ledger/pantry.csv:2) only in case; their charts would collide on a case-insensitive file system: spell them alike",
        ]
    );
}

#[test]
fn control_characters_in_a_category_never_reach_an_svg_or_xml_file() {
    let site = site_with(&[
        ("tally.toml", CONFIG_EUR),
        (
            "data/ledger/pantry.csv",
            &format!("{LEDGER_HEADER}2026-03-02,pantry,fo\u{1}od\u{b}\u{0},service,5,kg,,,hh-1,\n"),
        ),
        (
            "data/rates.csv",
            "unit,category,rate,currency,valid_from,source\nkg,,2,EUR,2020-01-01,Market\n",
        ),
    ]);
    let out = build(site.path());
    let forbidden = |b: &u8| matches!(b, 0..=8 | 0x0b | 0x0c | 0x0e..=0x1f);
    let mut checked = 0;
    for (path, bytes) in read_tree(&out) {
        if path.ends_with(".svg") || path.ends_with(".xml") {
            assert!(
                !bytes.iter().any(forbidden),
                "{path} holds a control character"
            );
            checked += 1;
        }
    }
    assert!(checked > 5, "only {checked} SVG and XML files");
    let svg = read(&out, "reports/2026-W10/charts/governance.svg");
    assert!(svg.contains("food"), "{svg}");
    if external_tool("xmllint", "parses the charts as XML") {
        let status = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg(out.join("reports/2026-W10/charts/governance.svg"))
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
fn verify_names_each_differing_digest_once_never_the_same_hash_twice() {
    let (dir, site) = example_copy();
    let out = dir.path().join("out");
    let built = run(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    // A sealed week whose public digest was edited in the published seals.
    let seals = read(&out, "data/seals.json");
    let week = seals.find("\"state\": \"sealed\"").expect("a sealed week");
    let at = week + seals[week..].find("\"public_digest\": \"").unwrap() + 18;
    let mut edited = seals.clone();
    edited.replace_range(at..at + 64, &"0".repeat(64));
    std::fs::write(out.join("data/seals.json"), edited).unwrap();
    let result = run(&["verify", out.to_str().unwrap()]);
    no_panic(&result);
    assert_eq!(result.status.code(), Some(1));
    let text = format!(
        "{}{}",
        stderr(&result),
        String::from_utf8_lossy(&result.stdout)
    );
    assert!(
        text.contains("is marked sealed with public digest"),
        "{text}"
    );
    assert_eq!(lines_repeating_a_hash(&text), Vec::<String>::new());
}
