//! Every problem in one run: a file that cannot be read or parsed is left out and
//! reported, and the files that did load are still checked, so that a user meets all
//! the problems of a site at once. Rules across files wait for a whole folder, so that
//! a file left out does not show up again as a missing committee or chapter.

mod common;

use common::*;

const RATES: &str =
    "unit,category,rate,currency,valid_from,source\nkg,food,3.80,EUR,2026-01-01,Market basket\n";

/// A manual `tools` of one version whose first chapter links to `02-repairs.md`.
const MANUAL: [(&str, &str); 2] = [
    (
        "content/manuals/tools/manual.toml",
        "title = \"Tools\"\nlicense = \"CC-BY-SA-4.0\"\n",
    ),
    (
        "content/manuals/tools/1.0/01-intro.md",
        "# Introduction\n\nBroken tools go to [repairs](02-repairs.md).\n",
    ),
];

#[test]
fn broken_front_matter_a_bad_ledger_row_and_a_bad_manual_link_are_reported_in_one_run() {
    let ledger = format!(
        "{LEDGER_HEADER}2026-03-02,pantry,food,service,4,kg,P-1,,hh-1,\n\
         2026-03-03,pantry,food,service,\"12,5\",kg,P-2,,hh-2,\n"
    );
    let site = minimal_site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/pantry.csv", &ledger),
        (
            "content/minutes/2026-03-09-assembly.md",
            "+++\ntitle = \"Broken\"\ndate = 2026-03-09\nassembly = \"north-ward\"\nquorum = true\n+++\nWe met.\n",
        ),
        MANUAL[0],
        MANUAL[1],
    ]);
    let root = site.path().to_str().unwrap();

    let err = fails(&["build", root]);
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [
            "error: content/manuals/tools/1.0/01-intro.md:3:20: link to \"02-repairs.md\": no such chapter or file in this version (02-repairs.md); chapters: 01-intro.md",
            "content/minutes/2026-03-09-assembly.md:5:1: unknown field `quorum`, expected one of `title`, `date`, `assembly`, `attendance`, `decisions`, `committees`, `draws`, `pool_fixed`, `delegates`, `kind`, `festivals`, `acts`",
            "data/ledger/pantry.csv:3: quantity: \"12,5\" is not a decimal (use a dot)",
            "3 problems found; nothing was written",
        ]
    );
    assert!(!site.path().join("public").exists(), "nothing is written");
    // `tally check` lists the same problems.
    assert_eq!(fails(&["check", root]), err);
}

#[test]
fn a_minutes_file_left_out_does_not_make_later_committee_actions_errors() {
    // The committee is created in minutes whose front matter is broken (an unknown
    // key); the renewal in other minutes is only an error if the creation is gone.
    let created = "content/minutes/2026-03-09-council.md";
    let site = minimal_site_with(&[
        (
            created,
            "+++\ntitle = \"Council\"\ndate = 2026-03-09\nassembly = \"council\"\nchair = \"ana\"\n\
             [[committees]]\nname = \"cold-room\"\naction = \"create\"\nmandate = \"Find a cold room\"\n+++\n",
        ),
        (
            "content/minutes/2026-03-20-council.md",
            "+++\ntitle = \"Council\"\ndate = 2026-03-20\nassembly = \"council\"\n\
             [[committees]]\nname = \"cold-room\"\naction = \"renew\"\n+++\n",
        ),
    ]);
    let root = site.path();
    let found = problems(root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("content/minutes/2026-03-09-council.md:5:1: unknown field `chair`"),
        "{found:?}"
    );

    // Fixed, the timeline is judged again: the renewal stands on the creation.
    replace(root, created, "chair = \"ana\"\n", "");
    assert_eq!(problems(root), Vec::<String>::new());
    // And a renewal of a committee never created is still an error.
    replace(
        root,
        created,
        "action = \"create\"",
        "action = \"dissolve\"",
    );
    assert_eq!(problems(root).len(), 2, "{:?}", problems(root));
}

#[test]
fn a_chapter_that_cannot_be_read_is_reported_once_not_again_as_a_missing_link_target() {
    let site = minimal_site_with(&MANUAL);
    std::fs::write(
        site.path().join("content/manuals/tools/1.0/02-repairs.md"),
        b"# Repairs\n\nBad byte: \xff\n",
    )
    .unwrap();
    assert_eq!(
        problems(site.path()),
        ["content/manuals/tools/1.0/02-repairs.md:3: not valid UTF-8 text"]
    );
}
