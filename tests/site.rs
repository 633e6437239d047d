//! The walking skeleton: building a site end to end, errors, atomic output,
//! determinism, sanitizing, theme overrides and `tally new`.

mod common;

use common::*;

#[test]
fn example_site_builds_with_its_main_pages() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("public");
    let site = example_site();
    let result = tally(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(read(&out_dir, "index.html").contains("Riverside Mutual Aid Network"));
    assert!(read(&out_dir, "minutes/index.html").contains("<h1>Minutes</h1>"));
    assert!(read(&out_dir, "about/index.html").contains("About the network"));
    let minutes = std::fs::read_dir(out_dir.join("minutes"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .count();
    assert!(minutes >= 6, "only {minutes} minutes pages");
    assert!(read(&out_dir, "404.html").contains("Page not found"));
    assert!(read(&out_dir, "sitemap.xml").contains("https://riverside.example/about/"));
}

#[test]
fn a_minutes_page_shows_its_title_date_assembly_and_attendance() {
    let site = minimal_site();
    let result = tally(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(
        &site.path().join("public"),
        "minutes/2026-03-02-assembly/index.html",
    );
    assert!(page.contains("<h1>March Assembly</h1>"), "{page}");
    assert!(page.contains("2 March 2026"), "{page}");
    assert!(page.contains("north-ward"), "{page}");
    assert!(page.contains("<dd>20</dd>"), "{page}");
}

#[test]
fn minutes_are_listed_newest_first() {
    let site = minimal_site();
    write(
        site.path(),
        "content/minutes/2026-04-06-assembly.md",
        "+++\ntitle = \"April Assembly\"\ndate = 2026-04-06\nassembly = \"north-ward\"\n+++\n",
    );
    let result = tally(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let list = read(&site.path().join("public"), "minutes/index.html");
    let april = list.find("April Assembly").expect("April listed");
    let march = list.find("March Assembly").expect("March listed");
    assert!(april < march, "newest first");
}

#[test]
fn unknown_config_key_fails_naming_the_file_and_key() {
    let site = minimal_site();
    write(
        site.path(),
        "tally.toml",
        "title = \"T\"\nbase_url = \"https://t.example/\"\ncolour = \"green\"\n",
    );
    let err = fails(&["build", site.path().to_str().unwrap()]);
    assert!(err.contains("tally.toml:3"), "{err}");
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn broken_front_matter_names_the_file_and_line() {
    let site = minimal_site();
    write(
        site.path(),
        "content/pages/broken.md",
        "+++\ntitle = \"Broken\"\ndate = not-a-date\n+++\nbody\n",
    );
    let err = fails(&["build", site.path().to_str().unwrap()]);
    assert!(err.contains("content/pages/broken.md:3"), "{err}");
}

#[test]
fn several_broken_files_are_all_reported_in_one_run() {
    let site = minimal_site();
    write(
        site.path(),
        "content/pages/one.md",
        "no front matter here\n",
    );
    write(
        site.path(),
        "content/minutes/2026-05-01-x.md",
        "+++\ntitle = \"X\"\ndate = 2026-05-01\nassembly = \"north-ward\"\nquorum = true\n+++\n",
    );
    write(
        site.path(),
        "content/minutes/2026-05-02-y.md",
        "---\ntitle: Y\ndate: 2026-02-30\nassembly: north-ward\n---\n",
    );
    let err = fails(&["check", site.path().to_str().unwrap()]);
    assert!(err.contains("content/pages/one.md:1"), "{err}");
    assert!(err.contains("content/minutes/2026-05-01-x.md:5"), "{err}");
    assert!(err.contains("quorum"), "{err}");
    assert!(err.contains("content/minutes/2026-05-02-y.md:3"), "{err}");
    assert!(err.contains("3 problems found"), "{err}");
}

#[test]
fn votes_beyond_attendance_are_an_error_at_the_decision() {
    let site = minimal_site();
    write(
        site.path(),
        "content/minutes/2026-03-02-assembly.md",
        "+++\ntitle = \"M\"\ndate = 2026-03-02\nassembly = \"north-ward\"\nattendance = 10\n\n[[decisions]]\ntext = \"A\"\noutcome = \"passed\"\nvotes = { for = 9, against = 3, abstain = 0 }\n+++\n",
    );
    let err = fails(&["check", site.path().to_str().unwrap()]);
    assert!(
        err.contains(
            "content/minutes/2026-03-02-assembly.md:7: votes: 12 votes cast but attendance is 10"
        ),
        "{err}"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let site = minimal_site();
    let ok = tally(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let before = read_tree(&site.path().join("public"));
    write(
        site.path(),
        "content/pages/about.md",
        "+++\ntitle = \n+++\n",
    );
    fails(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert_eq!(before, read_tree(&site.path().join("public")));
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp") || n.contains(".old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_builds_of_the_same_site_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a"), out.path().join("b"));
    let site = example_site();
    for dir in [&a, &b] {
        let r = tally(&[
            "build",
            site.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(r.status.success(), "{}", stderr(&r));
    }
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert!(ta.len() > 10);
    assert_eq!(ta, tb);
}

#[test]
fn out_pointing_at_the_site_or_its_sources_is_refused() {
    let site = minimal_site();
    let root = site.path().to_str().unwrap();
    for out in [
        root.to_string(),
        format!("{root}/content"),
        format!("{root}/data"),
        "/".to_string(),
    ] {
        let result = tally(&["build", root, "--out", &out]);
        assert_eq!(result.status.code(), Some(2), "--out {out}");
        assert!(stderr(&result).contains("refusing"), "{}", stderr(&result));
    }
    assert!(site.path().join("content/pages/about.md").exists());
}

#[test]
fn script_in_markdown_does_not_reach_the_output() {
    let site = minimal_site();
    write(
        site.path(),
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\nHello <script>alert('owned')</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"alert(2)\">x</a>\n",
    );
    let result = tally(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&site.path().join("public"), "about/index.html");
    assert!(page.contains("Hello"));
    assert!(!page.contains("alert"), "{page}");
    assert!(!page.contains("<script"), "{page}");
}

#[test]
fn a_site_template_overrides_the_built_in_one() {
    let site = minimal_site();
    write(
        site.path(),
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<p class=\"custom\">{{ page.title }}</p>{% endblock content %}",
    );
    write(site.path(), "static/assets/extra.css", "p { color: red }");
    let result = tally(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(result.status.success(), "{}", stderr(&result));
    let out = site.path().join("public");
    assert!(read(&out, "about/index.html").contains("<p class=\"custom\">About us</p>"));
    assert!(
        read(&out, "minutes/index.html").contains("<h1>Minutes</h1>"),
        "other templates stay built in"
    );
    assert_eq!(read(&out, "assets/extra.css"), "p { color: red }");
    assert!(out.join("assets/style.css").exists());
}

#[test]
fn a_broken_template_override_names_the_template() {
    let site = minimal_site();
    write(site.path(), "templates/page.html", "{% if %}");
    let err = fails(&["build", site.path().to_str().unwrap()]);
    assert!(err.contains("page.html"), "{err}");
}

#[test]
fn base_url_flag_changes_links() {
    let site = minimal_site();
    let result = tally(&[
        "build",
        site.path().to_str().unwrap(),
        "--base-url",
        "https://mirror.example/riverside",
        "--quiet",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let out = site.path().join("public");
    // Links are relative to the page, so the copy works under any path and from disk.
    assert!(read(&out, "index.html").contains("href=\"minutes/index.html\""));
    assert!(!read(&out, "index.html").contains("href=\"/riverside/"));
    assert!(read(&out, "sitemap.xml").contains("https://mirror.example/riverside/about/"));
}

#[test]
fn tally_new_writes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("my-site");
    let created = tally(&["new", site.to_str().unwrap()]);
    assert!(created.status.success(), "{}", stderr(&created));
    let built = tally(&["build", site.to_str().unwrap(), "--quiet"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(read(&site.join("public"), "about/index.html").contains("About"));
    let again = tally(&["new", site.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "refuses a non-empty folder");
}

#[test]
fn bad_usage_exits_with_two() {
    let result = tally(&["build", "--no-such-flag"]);
    assert_eq!(result.status.code(), Some(2));
}

#[test]
fn a_missing_config_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&["build", dir.path().to_str().unwrap()]);
    assert!(err.contains("tally.toml"), "{err}");
}

#[test]
fn build_timings_give_each_stage_the_rates_and_the_peak_memory() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("public");
    let site = example_site();
    let result = tally(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
        "--timings",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    let text = String::from_utf8(result.stdout).unwrap();
    for stage in [
        "load", "check", "model", "inputs", "render", "manifest", "write", "total",
    ] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(stage) && l.trim_end().ends_with(" ms")),
            "no {stage} in {text}"
        );
    }
    let rates = text.lines().find(|l| l.contains("pages/s")).unwrap();
    let numbers: Vec<u64> = rates
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // pages, pages/s, rows, rows/s: the example site has both.
    assert_eq!(numbers.len(), 4, "{rates}");
    assert!(numbers.iter().all(|&n| n > 0), "{rates}");
    assert!(rates.contains("ledger rows"), "{rates}");
    let peak = text.lines().find(|l| l.contains("peak memory")).unwrap();
    if cfg!(target_os = "linux") {
        assert!(peak.contains("(VmHWM)") && peak.ends_with(" MB"), "{peak}");
    }
    // Without --timings and with --quiet, nothing is printed.
    let quiet = tally(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(quiet.stdout.is_empty());
}
