//! Draws nobody can steer: a drand quicknet round published after the pool was fixed,
//! verified offline against real rounds (tests/data/drand-quicknet.toml, copied from the
//! drand repositories and relays with their sources), and pools pinned by their digest.
//! Each test builds a small site in a temporary folder and checks the output or errors.

mod common;

use std::path::{Path, PathBuf};

use common::{CONFIG, build_errors, build_to, copy_example_site, tally};

/// Real quicknet round 32398885 (published 2026-09-21T14:13:39Z), from the vectors file.
const ROUND: u64 = 32398885;
const RANDOMNESS: &str = "b6d412641a7d58b20ef5dded4ae48e9358cc35710f90961d8fe6e99d0e0281ef";
const SIGNATURE: &str = "8f6d5ddd520329a4ce9a25db41c0552a5ac04bd56577138cbb0ec2b9326af2b8012c7dc2c5bcddc439d922c93a281d24";

/// Computed outside Rust: `printf '%s\n' alice bob carol dave | sha256sum`.
const DIGEST: &str = "67eaa975731a93ef91d35b00a6e6c40c7253ce1142d4e5cb0032b1ceb68b75c2";

/// Tickets computed with coreutils:
/// `printf '%s:%s:%s' DIGEST RANDOMNESS ID | sha256sum` for each id, sorted:
/// dave 2d933c…, carol 339549…, alice b5c78f…, bob d416d3…: dave and carol win.
const TICKETS: [(&str, &str); 4] = [
    (
        "dave",
        "2d933cbb53ad0c21973e439383a338c610e8ab479889a1b8469ccf1c0c869af2",
    ),
    (
        "carol",
        "3395496439d2f0ab3f4b477a18678d892ca25e12b74cbe1eb0baf794b0efea25",
    ),
    (
        "alice",
        "b5c78f81c9a011fe65fc4efb0e60f528e5d5065d56f24d958e5c53490dca739d",
    ),
    (
        "bob",
        "d416d3a51070618d5d0ff4e9bb80f5b6d367c55821faeceed2948da8be9e4107",
    ),
];

/// The pool was fixed five hours before the round was published.
const POOL_FIXED: &str = "pool_fixed = 2026-09-21T09:00:00Z\n";

fn beacon_draw() -> String {
    format!(
        r#"
[[draws]]
role = "auditor"
seats = 2
beacon = "drand-quicknet"
round = {ROUND}
randomness = "{RANDOMNESS}"
signature = "{SIGNATURE}"
pool_digest = "{DIGEST}"
pool = ["alice", "bob", "carol", "dave"]
selected = ["dave", "carol"]
"#
    )
}

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        common::write(site.path(), "tally.toml", CONFIG);
        site
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Minutes of 2026-09-21 (or `date`) with `top` before the tables and `tables` after.
    fn minutes(&self, date: &str, top: &str, tables: &str) -> &Site {
        common::write(
            self.path(),
            "content/minutes/council.md",
            &format!(
                "+++\ntitle = \"Council\"\ndate = {date}\nassembly = \"council\"\n{top}{tables}+++\n\nThe council met.\n"
            ),
        );
        self
    }

    fn out(&self) -> PathBuf {
        self.path().join("public")
    }

    fn page(&self, url_path: &str) -> String {
        let file = self.out().join(url_path).join("index.html");
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
            .replace("&apos;", "'")
    }
}

fn one_error_containing(errors: &[String], parts: &[&str]) {
    assert!(
        errors.iter().any(|e| parts.iter().all(|p| e.contains(p))),
        "no error with {parts:?} in {errors:#?}"
    );
}

#[test]
fn a_beacon_draw_page_says_why_it_could_not_be_steered_and_shows_the_checks() {
    let site = Site::new();
    site.minutes("2026-10-05", POOL_FIXED, &beacon_draw());
    build_to(site.path(), &site.out());
    let html = site.page("roles/council-auditor");
    assert!(html.contains("Why nobody could steer this draw"));
    assert!(html.contains("32398885"), "round");
    assert!(html.contains("2026-09-21T14:13:39Z"), "round time");
    assert!(html.contains("21 September 2026, 14:13:39 UTC"));
    assert!(html.contains(RANDOMNESS) && html.contains(SIGNATURE));
    assert!(html.contains(DIGEST), "pool digest");
    assert!(html.contains(&format!(
        "https://api.drand.sh/52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971/public/{ROUND}"
    )));
    assert!(html.contains(&format!(
        "printf '%s:%s:%s' {DIGEST} {RANDOMNESS} 'dave' | sha256sum"
    )));
    let order: Vec<usize> = TICKETS
        .iter()
        .map(|(id, hash)| {
            assert!(html.contains(hash), "ticket of {id}");
            html.find(hash).unwrap()
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "sorted by ticket");
    assert!(!html.contains("not proof against steering"));
    let roles = site.page("roles");
    assert!(roles.contains("public beacon round"));
}

#[test]
fn a_flipped_byte_in_the_signature_fails_the_build() {
    let mut bytes = SIGNATURE.to_string().into_bytes();
    bytes[40] = if bytes[40] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(bytes).unwrap();
    let site = Site::new();
    site.minutes(
        "2026-10-05",
        POOL_FIXED,
        &beacon_draw().replace(SIGNATURE, &flipped),
    );
    let errors = build_errors(site.path());
    // Line 1 `+++`, 2–4 title/date/assembly, 5 pool_fixed, 6 blank, 7 `[[draws]]`.
    one_error_containing(
        &errors,
        &[
            "content/minutes/council.md:7",
            "signature",
            "round 32398885",
        ],
    );
    assert!(!site.out().exists(), "a failed build writes nothing");
}

#[test]
fn randomness_that_is_not_the_signatures_hash_fails() {
    let site = Site::new();
    let other = "2dff73a6a6578f995e2a94a23065cfdf681e0cd0e939402242f304994b9c1d73";
    site.minutes(
        "2026-10-05",
        POOL_FIXED,
        &beacon_draw().replace(RANDOMNESS, other),
    );
    one_error_containing(
        &build_errors(site.path()),
        &["council.md:7", "randomness", RANDOMNESS],
    );
}

#[test]
fn a_round_published_before_pool_fixed_fails() {
    let site = Site::new();
    site.minutes(
        "2026-10-05",
        "pool_fixed = 2026-09-21T15:00:00Z\n",
        &beacon_draw(),
    );
    one_error_containing(
        &build_errors(site.path()),
        &[
            "council.md:7",
            "round 32398885 was published at 2026-09-21T14:13:39Z",
            "2026-09-21T15:00:00Z",
            "known when the pool was fixed",
        ],
    );
}

#[test]
fn pool_fixed_defaults_to_the_assembly_date_so_a_round_that_day_fails() {
    let site = Site::new();
    // Minutes of 21 September with no pool_fixed: the pool may have been fixed at any
    // time that day, after the round's 14:13:39.
    site.minutes("2026-09-21", "", &beacon_draw());
    one_error_containing(
        &build_errors(site.path()),
        &[
            "council.md:6",
            "round 32398885",
            "defaults to the assembly's date",
        ],
    );
    // The day before, it is after the pool was fixed.
    site.minutes("2026-09-20", "", &beacon_draw());
    build_to(site.path(), &site.out());
}

#[test]
fn a_changed_pool_file_fails_naming_the_pool_and_the_draw() {
    let site = Site::new();
    common::write(
        site.path(),
        "data/pools/2026-09.csv",
        "id\nalice\nbob\ncarol\ndave\n",
    );
    let draw = beacon_draw().replace(
        r#"pool = ["alice", "bob", "carol", "dave"]"#,
        r#"pool_file = "data/pools/2026-09.csv""#,
    );
    site.minutes("2026-10-05", POOL_FIXED, &draw);
    build_to(site.path(), &site.out());
    // Someone adds a name after the round was published.
    common::write(
        site.path(),
        "data/pools/2026-09.csv",
        "id\nalice\nbob\ncarol\ndave\nerin\n",
    );
    let errors = build_errors(site.path());
    one_error_containing(
        &errors,
        &[
            "council.md:7",
            "pool file data/pools/2026-09.csv was edited after the pool was fixed",
            DIGEST,
            "\"auditor\"",
        ],
    );
}

#[test]
fn a_changed_inline_pool_fails_against_its_digest() {
    let site = Site::new();
    site.minutes(
        "2026-10-05",
        POOL_FIXED,
        &beacon_draw().replace(r#""bob", "carol""#, r#""bob", "carl""#),
    );
    one_error_containing(
        &build_errors(site.path()),
        &[
            "council.md:7",
            "pool_digest",
            "edited after the pool was fixed",
        ],
    );
}

#[test]
fn a_beacon_draw_without_its_digest_or_with_a_seed_too_fails() {
    let site = Site::new();
    let no_digest = beacon_draw().replace(&format!("pool_digest = \"{DIGEST}\"\n"), "");
    site.minutes("2026-10-05", POOL_FIXED, &no_digest);
    one_error_containing(&build_errors(site.path()), &["council.md:7", "pool_digest"]);
    let both = beacon_draw().replace("seats = 2\n", "seats = 2\nseed = \"chosen\"\n");
    site.minutes("2026-10-05", POOL_FIXED, &both);
    one_error_containing(&build_errors(site.path()), &["council.md:7", "not both"]);
}

#[test]
fn a_seed_only_draw_still_builds_and_is_labelled_as_not_proof_against_steering() {
    let site = Site::new();
    site.minutes(
        "2026-10-05",
        "",
        r#"
[[draws]]
role = "facilitator"
seats = 2
seed = "test-vector"
pool = ["alice", "bob", "carol", "dave"]
selected = ["bob", "dave"]
"#,
    );
    build_to(site.path(), &site.out());
    let html = site.page("roles/council-facilitator");
    assert!(html.contains("Seed chosen by the assembly: checkable, not proof against steering"));
    assert!(!html.contains("Why nobody could steer"));
    let minutes = site.page("minutes/council");
    assert!(minutes.contains("not proof against steering"));
}

/// The example site's beacon draws use rounds from the vectors file, and build.
#[test]
fn the_example_sites_newer_draws_use_real_beacon_rounds_and_older_ones_are_labelled() {
    let dir = tempfile::tempdir().unwrap();
    copy_example_site(dir.path());
    let out = dir.path().join("public");
    build_to(dir.path(), &out);
    let vectors: toml::Table = toml::from_str(include_str!("data/drand-quicknet.toml")).unwrap();
    let rounds = vectors["rounds"].as_array().unwrap();
    let page = |slug: &str| {
        std::fs::read_to_string(out.join("roles").join(slug).join("index.html")).unwrap()
    };
    for slug in [
        "2026-10-05-federation-council-treasury-auditor",
        "2026-09-07-north-ward-assembly-minute-taker",
    ] {
        let html = page(slug);
        assert!(html.contains("Why nobody could steer this draw"), "{slug}");
        let real = rounds.iter().any(|r| {
            html.contains(r["signature"].as_str().unwrap())
                && html.contains(&format!(
                    "Round</dt><dd>{}<",
                    r["round"].as_integer().unwrap()
                ))
        });
        assert!(real, "{slug} uses a round of the vectors file");
    }
    for slug in [
        "2026-04-13-food-coop-spring-assembly-facilitator",
        "2026-11-02-north-ward-assembly-flood-watch-steward",
    ] {
        assert!(page(slug).contains("not proof against steering"), "{slug}");
    }
}

#[test]
fn tally_draw_with_a_beacon_round_prints_a_block_that_builds() {
    let round = ROUND.to_string();
    let output = tally(&[
        "draw",
        "--pool",
        "alice,bob,carol,dave",
        "--seats",
        "2",
        "--role",
        "auditor",
        "--beacon-round",
        &round,
        "--randomness",
        RANDOMNESS,
        "--signature",
        SIGNATURE,
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let block = String::from_utf8(output.stdout).unwrap();
    assert!(block.contains(&format!("pool_digest = \"{DIGEST}\"")));
    assert!(block.contains(r#"selected = ["dave", "carol"]"#));
    let site = Site::new();
    site.minutes("2026-10-05", POOL_FIXED, &format!("\n{block}"));
    build_to(site.path(), &site.out());
}

#[test]
fn tally_draw_refuses_a_signature_that_does_not_verify() {
    let output = tally(&[
        "draw",
        "--pool",
        "a,b",
        "--seats",
        "1",
        "--beacon-round",
        "32398886",
        "--randomness",
        RANDOMNESS,
        "--signature",
        SIGNATURE,
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(common::stderr(&output).contains("round 32398886"));
}

#[test]
fn tally_draw_next_round_names_the_first_round_after_a_moment() {
    let output = tally(&["draw", "--next-round", "--at", "2026-09-21T14:13:38Z"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("round 32398885, published 2026-09-21T14:13:39Z"),
        "{text}"
    );
    assert!(text.contains("/public/32398885"));
    // At the round's own second, its randomness may be out: the next one is named.
    let output = tally(&["draw", "--next-round", "--at", "2026-09-21T14:13:39Z"]);
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("round 32398886")
    );
}

#[test]
fn a_pool_files_name_column_is_shown_beside_the_ids() {
    let site = Site::new();
    common::write(
        site.path(),
        "data/pools/2026-09.csv",
        "id,name\nalice,Alice Moreau\nbob,\ncarol,Carol Diaz\ndave,Dave Okafor\n",
    );
    let draw = beacon_draw().replace(
        r#"pool = ["alice", "bob", "carol", "dave"]"#,
        r#"pool_file = "data/pools/2026-09.csv""#,
    );
    site.minutes("2026-10-05", POOL_FIXED, &draw);
    build_to(site.path(), &site.out());
    let page = site.page("roles/council-auditor");
    // The selection, in draw order, names who serves.
    assert!(
        page.contains("<li>Dave Okafor <code>dave</code></li>")
            && page.contains("<li>Carol Diaz <code>carol</code></li>"),
        "{page}"
    );
    // A row without a name shows its id alone; the digest is still over the ids.
    assert!(page.contains("<td><code>bob</code>"), "{page}");
    assert!(page.contains(DIGEST));
    let minutes = site.page("minutes/council");
    assert!(
        minutes.contains("Dave Okafor <code>dave</code>"),
        "{minutes}"
    );
}
/// `tally draw --seed` on the site's pool file, appended to the minutes at `minutes`.
fn draw_appended(site: &Path, minutes: &str, role: &str) {
    let output = tally(&[
        "draw",
        "--site",
        site.to_str().unwrap(),
        "--pool-file",
        "data/pools/2026-11.csv",
        "--seats",
        "2",
        "--role",
        role,
        "--seed",
        &format!("minutes:2026-11-02:{role}"),
        "--append",
        minutes,
    ]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    assert!(
        output.stdout.is_empty(),
        "the block goes into the file, not stdout"
    );
}

const POOL_2026_11: &str = "id\nalice\nbob\ncarol\ndave\nerin\n";

#[test]
fn tally_draw_appends_its_block_to_toml_and_yaml_minutes_relative_to_the_site() {
    let site = Site::new();
    common::write(site.path(), "data/pools/2026-11.csv", POOL_2026_11);
    site.minutes("2026-11-02", "", "");
    common::write(
        site.path(),
        "content/minutes/ward.md",
        "---\ntitle: Ward\ndate: 2026-11-02\nassembly: north-ward\n---\n\nThe ward met.\n",
    );
    draw_appended(site.path(), "content/minutes/council.md", "steward");
    draw_appended(site.path(), "content/minutes/ward.md", "facilitator");
    draw_appended(site.path(), "content/minutes/ward.md", "minute-taker");
    let toml = common::read(site.path(), "content/minutes/council.md");
    // `printf '%s\n' alice bob carol dave erin | sha256sum`
    let digest = "772e62f2c1ae2609e508d7168a41ad1398189960ebee4991b9443f15fd4fda22";
    assert!(
        toml.contains("[[draws]]\nrole = \"steward\"\nseats = 2\n"),
        "{toml}"
    );
    assert!(
        toml.contains(&format!("pool_digest = \"{digest}\"")),
        "{toml}"
    );
    assert!(toml.ends_with("+++\n\nThe council met.\n"), "{toml}");
    let yaml = common::read(site.path(), "content/minutes/ward.md");
    assert!(
        yaml.contains("draws:\n  - role: \"facilitator\"\n    seats: 2\n"),
        "{yaml}"
    );
    assert!(yaml.contains("  - role: \"minute-taker\"\n"), "{yaml}");
    assert!(
        yaml.contains(&format!("pool_digest: \"{digest}\"")),
        "{yaml}"
    );
    build_to(site.path(), &site.out());
    assert!(
        site.out()
            .join("roles/ward-facilitator/index.html")
            .is_file()
    );
    assert!(
        site.out()
            .join("roles/council-steward/index.html")
            .is_file()
    );
}

#[test]
fn a_pool_file_edited_after_its_draws_fails_once_naming_every_draw() {
    let site = Site::new();
    common::write(site.path(), "data/pools/2026-11.csv", POOL_2026_11);
    site.minutes("2026-11-02", "", "");
    common::write(
        site.path(),
        "content/minutes/ward.md",
        "+++\ntitle = \"Ward\"\ndate = 2026-11-02\nassembly = \"north-ward\"\n+++\n\nThe ward met.\n",
    );
    draw_appended(site.path(), "content/minutes/council.md", "steward");
    draw_appended(site.path(), "content/minutes/ward.md", "facilitator");
    build_to(site.path(), &site.out());
    // Someone drops a name from the pool after both draws were published.
    common::write(
        site.path(),
        "data/pools/2026-11.csv",
        "id\nalice\nbob\ncarol\ndave\n",
    );
    let errors = build_errors(site.path());
    let at_pool: Vec<&String> = errors
        .iter()
        .filter(|e| e.starts_with("data/pools/2026-11.csv:1: "))
        .collect();
    assert_eq!(at_pool.len(), 1, "{errors:#?}");
    for part in [
        "edited after 2 draws pinned it",
        "\"steward\" in content/minutes/council.md:6",
        "\"facilitator\" in content/minutes/ward.md:6",
        "restore data/pools/2026-11.csv as it was when drawn",
        "do not edit the old minutes",
    ] {
        assert!(at_pool[0].contains(part), "{part:?} in {}", at_pool[0]);
    }
    assert!(
        at_pool[0].contains("would select") || at_pool[0].contains("still selects"),
        "{}",
        at_pool[0]
    );
    // Each draw also fails at its own line, pointing back at the pool.
    one_error_containing(&errors, &["council.md:6", "do not edit these minutes"]);
}
