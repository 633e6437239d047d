//! The communicator's week: `tally status`, `tally seal --dry-run` and `--until`, no seal
//! after the latest ledger row, `tally amend` with its row diff, the amended week's report
//! and feed entry, and `tally new minutes`.

mod common;

use std::path::Path;

use common::*;

/// A network invoicing the city monthly, with a ledger from 2026-W02 to 2026-W06 (in
/// progress, as of 2026-02-03) and a city budget for 2025 only.
fn week_site() -> tempfile::TempDir {
    site_with(&[
        (
            "tally.toml",
            "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"EUR\"\n\
             [network]\nname = \"Test Network\"\naddress = [\"1 Hall Road\", \"Testville\"]\n\
             country = \"GB\"\nregistration_id = \"IP 4711\"\niban = \"GB33BUKB20201555555555\"\n\
             [municipality]\nname = \"City of Testville\"\naddressee = \"Office of the Mayor\"\n\
             address = [\"Town Hall\", \"Testville\"]\ncountry = \"GB\"\n\
             [invoices]\nperiod = \"month\"\nprefix = \"INV\"\npayment_terms_days = 30\n",
        ),
        (
            "data/rates.csv",
            "unit,category,rate,currency,valid_from,source\nkg,food,3.80,EUR,2025-01-01,Market basket\n",
        ),
        (
            "data/city-budget.csv",
            "year,category,amount,currency,line,source\n2025,food,52000,EUR,Food assistance,City budget 2025\n",
        ),
        (
            "data/ledger/pantry.csv",
            "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n\
             2026-01-05,pantry,food,contribution,40,kg,,,farm-01,\n\
             2026-01-06,pantry,food,service,6.50,kg,P-0001,,hh-001,\n\
             2026-01-13,pantry,food,service,7.25,kg,P-0003,,hh-001,\n\
             2026-01-14,pantry,food,service,3,kg,V-0001,,hh-004,\n\
             2026-01-21,pantry,food,service,2,kg,P-0004,,hh-003,\n\
             2026-01-28,pantry,food,service,1,kg,V-0002,,hh-005,\n\
             2026-02-03,pantry,food,service,5,kg,L-0001,,hh-006,\n",
        ),
    ])
}

fn site_arg(site: &Path) -> &str {
    site.to_str().unwrap()
}

/// Runs tally, which must succeed; what it printed on stdout.
fn ok(args: &[&str]) -> String {
    let result = tally(args);
    assert!(result.status.success(), "{}", stderr(&result));
    String::from_utf8_lossy(&result.stdout).into_owned()
}

fn lock_bytes(site: &Path) -> Option<Vec<u8>> {
    std::fs::read(site.join("tally.lock")).ok()
}

#[test]
fn status_shows_the_week_provisional_weeks_what_to_seal_drafts_and_the_next_step() {
    let site = week_site();
    write(
        site.path(),
        "content/reports/2026-W03.md",
        "A busy week so far, and the week is still open.\n",
    );
    // Written on the Thursday of its week, in words that read fine.
    write(site.path(), "content/reports/2026-W04.md", "A good week.\n");
    let thursday = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_769_040_000);
    std::fs::File::options()
        .write(true)
        .open(site.path().join("content/reports/2026-W04.md"))
        .unwrap()
        .set_modified(thursday)
        .unwrap();
    let said = ok(&["status", site_arg(site.path())]);
    assert!(said.contains("as of 2026-02-03"), "{said}");
    assert!(
        said.contains("content/reports/2026-W04.md: last changed on 2026-01-22, before 2026-W04 ended (2026-01-25)"),
        "{said}"
    );
    assert!(
        said.contains("week in progress: 2026-W06 (2026-02-02 to 2026-02-08), day 2 of 7"),
        "{said}"
    );
    assert!(
        said.contains("2026-W02, 2026-W03, 2026-W04, 2026-W05"),
        "the closed weeks are provisional: {said}"
    );
    assert!(
        said.contains("`tally seal` would seal 4 entries: 2026-W02 to 2026-W05"),
        "{said}"
    );
    assert!(said.contains("INV-2026-01"), "January is a draft: {said}");
    assert!(
        said.contains("no city budget for food from 2026-02-02 to 2026-02-15"),
        "{said}"
    );
    assert!(
        said.contains(
            "no food budget covers 2026-01-05: 5 weeks with ledger rows (2026-W02 to 2026-W06)"
        ),
        "the weeks with rows but no budget: {said}"
    );
    assert!(
        said.contains(
            "content/reports/2026-W03.md: 2026-W03 is over, but its commentary says \"still open\""
        ),
        "{said}"
    );
    assert!(
        said.contains("next: tally seal --dry-run"),
        "the next step: {said}"
    );
    // Sealed: nothing provisional, January is no longer a draft, the next step is a build.
    ok(&["seal", site_arg(site.path())]);
    let said = ok(&["status", site_arg(site.path())]);
    assert!(said.contains("provisional weeks: none"), "{said}");
    assert!(said.contains("invoice drafts: none"), "{said}");
    assert!(said.contains("next: tally build"), "{said}");
    assert!(lock_bytes(site.path()).is_some());
}

#[test]
fn status_of_a_site_with_problems_names_them_and_the_fix() {
    let site = week_site();
    ok(&["seal", site_arg(site.path())]);
    replace(
        site.path(),
        "data/ledger/pantry.csv",
        "7.25,kg,P-0003",
        "7.5,kg,P-0003",
    );
    let said = ok(&["status", site_arg(site.path())]);
    assert!(
        said.contains("the site does not check: 1 problem"),
        "{said}"
    );
    assert!(said.contains("2026-W03 was sealed"), "{said}");
    assert!(
        said.contains("next: restore the sealed rows of 2026-W03, or record the correction: tally amend 2026-W03"),
        "{said}"
    );
}

#[test]
fn a_dry_run_says_what_would_be_sealed_and_writes_nothing() {
    let site = week_site();
    let said = ok(&["seal", "--dry-run", site_arg(site.path())]);
    assert!(
        said.contains("would seal 4 entries (2026-W02 to 2026-W05)"),
        "{said}"
    );
    assert!(said.contains("2026-W03: 2 rows"), "{said}");
    assert!(said.contains("nothing written"), "{said}");
    assert_eq!(lock_bytes(site.path()), None, "no lock was created");
    assert!(!site.path().join("data/sealed").exists());
    // With a lock: its bytes stay as they are.
    ok(&["seal", "--until", "2026-W03", site_arg(site.path())]);
    let before = lock_bytes(site.path()).unwrap();
    let said = ok(&["seal", "--dry-run", site_arg(site.path())]);
    assert!(
        said.contains("would seal 2 entries (2026-W04 to 2026-W05)"),
        "{said}"
    );
    assert_eq!(
        lock_bytes(site.path()).unwrap(),
        before,
        "tally.lock unchanged"
    );
}

#[test]
fn until_stops_sealing_at_a_week() {
    let site = week_site();
    let said = ok(&["seal", "--until", "2026-W03", site_arg(site.path())]);
    assert!(
        said.contains("sealed 2 entries (2026-W02 to 2026-W03)"),
        "{said}"
    );
    let lock = String::from_utf8(lock_bytes(site.path()).unwrap()).unwrap();
    assert!(
        lock.contains("2026-W03") && !lock.contains("2026-W04"),
        "{lock}"
    );
    // The rows each entry sealed are kept beside the lock.
    let kept: Vec<_> = std::fs::read_dir(site.path().join("data/sealed/2026-W03"))
        .unwrap()
        .collect();
    assert_eq!(kept.len(), 1);
    let said = ok(&["seal", site_arg(site.path())]);
    assert!(
        said.contains("sealed 2 entries (2026-W04 to 2026-W05)"),
        "{said}"
    );
}

#[test]
fn seal_refuses_weeks_after_the_latest_ledger_row() {
    let site = week_site();
    // A mistyped year in the minutes makes a year of weeks look closed.
    write(
        site.path(),
        "content/minutes/2027-02-10-assembly.md",
        "+++\ntitle = \"Assembly\"\ndate = 2027-02-10\nassembly = \"north-ward\"\n+++\nWe met.\n",
    );
    let result = tally(&["seal", site_arg(site.path())]);
    assert!(result.status.success(), "{}", stderr(&result));
    let said = String::from_utf8_lossy(&result.stdout);
    assert!(
        said.contains("sealed 5 entries (2026-W02 to 2026-W06)"),
        "up to the week of the latest row: {said}"
    );
    let err = stderr(&result);
    assert!(
        err.contains("not sealed: 52 weeks after the latest ledger row (2026-W07 to 2027-W05)"),
        "{err}"
    );
    let lock = String::from_utf8(lock_bytes(site.path()).unwrap()).unwrap();
    assert!(!lock.contains("2026-W07"), "{lock}");
    // Asked for a week after the latest row: refused, nothing written.
    let before = lock_bytes(site.path());
    let result = tally(&["seal", "--until", "2026-W20", site_arg(site.path())]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result)
            .contains("refusing to seal a week after the latest ledger row (2026-02-03)"),
        "{}",
        stderr(&result)
    );
    assert_eq!(lock_bytes(site.path()), before);
    let said = ok(&["status", site_arg(site.path())]);
    assert!(said.contains("held back: 52 weeks"), "{said}");
}

#[test]
fn build_says_when_weeks_are_still_provisional() {
    let site = week_site();
    let result = tally(&["build", site_arg(site.path()), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("4 closed weeks are not sealed yet"),
        "{}",
        stderr(&result)
    );
    ok(&["seal", site_arg(site.path())]);
    let result = tally(&["build", site_arg(site.path()), "--quiet"]);
    assert!(
        !stderr(&result).contains("not sealed"),
        "{}",
        stderr(&result)
    );
}

/// The site sealed, then V-0001 corrected from 3 kg to 2 kg and a row added to 2026-W03.
fn corrected_site() -> tempfile::TempDir {
    let site = week_site();
    ok(&["seal", site_arg(site.path())]);
    replace(
        site.path(),
        "data/ledger/pantry.csv",
        "2026-01-14,pantry,food,service,3,kg,V-0001",
        "2026-01-14,pantry,food,service,2,kg,V-0001",
    );
    replace(
        site.path(),
        "data/ledger/pantry.csv",
        "2026-01-21,",
        "2026-01-16,pantry,food,service,4,kg,V-0009,,hh-007,\n2026-01-21,",
    );
    site
}

#[test]
fn the_build_error_for_a_changed_sealed_week_shows_the_row_diff() {
    let site = corrected_site();
    let err = fails(&["build", site_arg(site.path()), "--quiet"]);
    assert!(err.contains("2026-W03 was sealed with digest"), "{err}");
    assert!(err.contains("tally amend 2026-W03 --reason"), "{err}");
    assert!(
        err.contains("- 2026-01-14,pantry,food,service,3,kg,V-0001,"),
        "{err}"
    );
    assert!(
        err.contains("+ 2026-01-14,pantry,food,service,2,kg,V-0001,"),
        "{err}"
    );
    assert!(
        err.contains("+ 2026-01-16,pantry,food,service,4,kg,V-0009,"),
        "{err}"
    );
    assert!(!err.contains("hh-004"), "public columns only: {err}");
}

#[test]
fn amend_records_the_amendment_seals_the_rows_and_prints_the_diff() {
    let site = corrected_site();
    let before = lock_bytes(site.path()).unwrap();
    let said = ok(&[
        "amend",
        "2026-W03",
        "--reason",
        "V-0001 was 2 kg, not 3; V-0009 entered late",
        "--date",
        "2026-02-04",
        "--site",
        site_arg(site.path()),
    ]);
    assert!(
        said.contains(
            "recorded the amendment of 2026-W03 dated 2026-02-04 in data/amendments.csv:2"
        ),
        "{said}"
    );
    assert!(said.contains("(3 rows, sealed with 2 before)"), "{said}");
    let diff: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("- ") || l.starts_with("+ "))
        .collect();
    assert_eq!(
        diff,
        [
            "- 2026-01-14,pantry,food,service,3,kg,V-0001,",
            "+ 2026-01-14,pantry,food,service,2,kg,V-0001,",
            "+ 2026-01-16,pantry,food,service,4,kg,V-0009,",
        ],
        "{said}"
    );
    assert_eq!(
        read(site.path(), "data/amendments.csv"),
        "week,date,reason\n2026-W03,2026-02-04,\"V-0001 was 2 kg, not 3; V-0009 entered late\"\n"
    );
    let after = lock_bytes(site.path()).unwrap();
    assert_eq!(&after[..before.len()], &before[..], "append-only");
    let added = String::from_utf8_lossy(&after[before.len()..]);
    assert!(added.contains("week = \"2026-W03\""), "{added}");
    assert!(added.contains("amended = \"2026-02-04\""), "{added}");
    // The build passes: nothing left to seal.
    let out = build(site.path());
    assert!(read(&out, "reports/2026-W03/index.html").contains("badge amended"));
    let said = ok(&["status", site_arg(site.path())]);
    assert!(said.contains("`tally seal` would seal nothing"), "{said}");
    // The same amendment again has nothing to amend.
    let err = fails(&[
        "amend",
        "2026-W03",
        "--reason",
        "again",
        "--date",
        "2026-02-05",
        "--site",
        site_arg(site.path()),
    ]);
    assert!(
        err.contains("data/amendments.csv:3: 2026-W03: its rows are as sealed in tally.lock:"),
        "{err}"
    );
}

#[test]
fn an_amendment_of_an_unchanged_week_is_refused() {
    let site = week_site();
    ok(&["seal", site_arg(site.path())]);
    let lock = lock_bytes(site.path());
    let err = fails(&[
        "amend",
        "2026-W03",
        "--reason",
        "nothing really",
        "--date",
        "2026-02-04",
        "--site",
        site_arg(site.path()),
    ]);
    assert!(
        err.contains("data/amendments.csv:2: 2026-W03: its rows are as they were sealed"),
        "{err}"
    );
    assert_eq!(lock_bytes(site.path()), lock, "nothing written");
    assert!(!site.path().join("data/amendments.csv").exists());
    // Written by hand, the build refuses it too.
    write(
        site.path(),
        "data/amendments.csv",
        "week,date,reason\n2026-W03,2026-02-04,nothing really\n",
    );
    let errors = build_errors(site.path());
    assert!(
        errors
            .iter()
            .any(|e| e
                .starts_with("data/amendments.csv:2: 2026-W03: its rows are as they were sealed")),
        "{errors:?}"
    );
}

#[test]
fn an_amendment_dated_before_its_week_ended_is_refused() {
    let site = corrected_site();
    let err = fails(&[
        "amend",
        "2026-W03",
        "--reason",
        "V-0001 was 2 kg",
        "--date",
        "2026-01-10",
        "--site",
        site_arg(site.path()),
    ]);
    assert!(
        err.contains(
            "data/amendments.csv:2: date: 2026-01-10 is before 2026-W03 ended (2026-01-18)"
        ),
        "{err}"
    );
    assert!(!site.path().join("data/amendments.csv").exists());
    write(
        site.path(),
        "data/amendments.csv",
        "week,date,reason\n2026-W03,2026-01-15,V-0001 was 2 kg\n",
    );
    let errors = build_errors(site.path());
    assert!(
        errors
            .iter()
            .any(|e| e
                .starts_with("data/amendments.csv:2: date: 2026-01-15 is before 2026-W03 ended")),
        "{errors:?}"
    );
}

#[test]
fn the_amended_report_shows_old_and_new_figures_and_the_changed_rows() {
    let site = corrected_site();
    ok(&[
        "amend",
        "2026-W03",
        "--reason",
        "V-0001 was 2 kg",
        "--date",
        "2026-02-04",
        "--site",
        site_arg(site.path()),
    ]);
    let out = build(site.path());
    let page = read(&out, "reports/2026-W03/index.html");
    // Figures: rows 2 → 3, service kg 10.25 → 13.25 (7.25 + 3, then 7.25 + 2 + 4).
    let figures = table_rows(&page, "amended-figures");
    assert_eq!(
        figures,
        [
            vec!["Rows", "2", "3"],
            vec!["service", "kg", "10.25", "13.25"],
        ],
        "{page}"
    );
    let changed = table_rows(&page, "changed-rows");
    assert_eq!(
        changed,
        [
            vec![
                "changed",
                "2026-01-14,pantry,food,service,3,kg,V-0001,",
                "2026-01-14,pantry,food,service,2,kg,V-0001,"
            ],
            vec!["added", "", "2026-01-16,pantry,food,service,4,kg,V-0009,"],
        ],
        "{page}"
    );
    assert!(!page.contains("hh-004"), "no private column");
}

/// The cells' texts of each body row of the table with class `class`.
fn table_rows(page: &str, class: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("class=\"list {class}\""))
        .unwrap_or_else(|| panic!("no table {class}"));
    let table = &page[start..];
    let table = &table[..table.find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').unwrap() + 1..];
                    let cell = &cell[..cell.find("</td>").unwrap()];
                    strip_tags(cell)
                })
                .collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text.trim().to_string()
}

#[test]
fn the_feed_entry_of_an_amended_week_is_updated_on_the_amendment_date() {
    let site = corrected_site();
    ok(&[
        "amend",
        "2026-W03",
        "--reason",
        "V-0001 was 2 kg",
        "--date",
        "2026-02-04",
        "--site",
        site_arg(site.path()),
    ]);
    let out = build(site.path());
    let feed = read(&out, "feed.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let updated = |id_end: &str| -> String {
        doc.descendants()
            .filter(|n| n.has_tag_name("entry"))
            .find(|e| {
                e.children()
                    .any(|c| c.has_tag_name("id") && c.text().is_some_and(|t| t.ends_with(id_end)))
            })
            .and_then(|e| e.children().find(|c| c.has_tag_name("updated")))
            .and_then(|u| u.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        updated("reports/2026-W03/"),
        "2026-02-04T00:00:00Z",
        "{feed}"
    );
    assert_eq!(
        updated("reports/2026-W04/"),
        "2026-01-25T23:59:59Z",
        "{feed}"
    );
    let feed_updated = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("updated"))
        .and_then(|u| u.text())
        .unwrap();
    assert_eq!(
        feed_updated, "2026-02-04T00:00:00Z",
        "the feed's newest change"
    );
}

#[test]
fn new_minutes_writes_a_file_that_builds_and_never_overwrites() {
    let site = week_site();
    let said = ok(&[
        "new",
        "minutes",
        "North Ward Assembly",
        "--date",
        "2026-02-02",
        "--site",
        site_arg(site.path()),
    ]);
    let rel = "content/minutes/2026-02-02-north-ward-assembly.md";
    assert!(said.contains(rel), "{said}");
    let text = read(site.path(), rel);
    assert!(text.starts_with("+++\ntitle = \"North Ward Assembly\"\ndate = 2026-02-02\n"));
    for field in [
        "[[decisions]]",
        "[[committees]]",
        "[[draws]]",
        "[[delegates]]",
        "attendance",
    ] {
        assert!(text.contains(field), "{field} is documented: {text}");
    }
    let out = build(site.path());
    assert!(
        read(&out, "minutes/2026-02-02-north-ward-assembly/index.html")
            .contains("North Ward Assembly")
    );
    // Uncommented, the examples load too (a draw needs its pool and a real selection,
    // so it stays out).
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(body) if body.contains('=') || body.starts_with("[[") => format!("{body}\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    let without_draw = drop_table(&uncommented, "[[draws]]");
    write(
        site.path(),
        rel,
        &without_draw.replace("attendance = 0", "attendance = 12"),
    );
    let out = build(site.path());
    let page = read(&out, "minutes/2026-02-02-north-ward-assembly/index.html");
    assert!(
        page.contains("Open the pantry on Saturday mornings"),
        "{page}"
    );
    // Never overwritten.
    let err = tally(&[
        "new",
        "minutes",
        "North Ward Assembly",
        "--date",
        "2026-02-02",
        "--site",
        site_arg(site.path()),
    ]);
    assert_eq!(err.status.code(), Some(2));
    assert!(stderr(&err).contains("exists already"), "{}", stderr(&err));
    assert_eq!(
        read(site.path(), rel),
        without_draw.replace("attendance = 0", "attendance = 12")
    );
}

/// `text` without the TOML table `header` and its keys (up to the next blank line).
fn drop_table(text: &str, header: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line == header {
            skipping = true;
        } else if skipping && line.trim().is_empty() {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
