//! Minutes and their registers: decisions, committees that sunset, roles drawn by
//! lottery, delegates, and `tally draw`. Each test builds a small site in a temporary
//! folder and checks the output or the errors.

mod common;

use std::path::{Path, PathBuf};

use common::{CONFIG, build_errors, build_to, example_site, tally};

/// A site in a temporary folder, written file by file.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        site.write("tally.toml", CONFIG);
        site
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, relative: &str, text: &str) -> &Site {
        common::write(self.path(), relative, text);
        self
    }

    /// Minutes with just a title, date and assembly, plus `extra` front matter.
    fn minutes(&self, slug: &str, date: &str, extra: &str) -> &Site {
        self.write(
            &format!("content/minutes/{slug}.md"),
            &format!(
                "+++\ntitle = \"Assembly {date}\"\ndate = {date}\nassembly = \"north-ward\"\nattendance = 40\n{extra}+++\n\nThe assembly met.\n"
            ),
        )
    }

    fn out(&self) -> PathBuf {
        self.path().join("public")
    }

    fn build(&self) {
        build_to(self.path(), &self.out());
    }

    /// Builds and returns every problem as `file:line: message`.
    fn errors(&self) -> Vec<String> {
        build_errors(self.path())
    }

    /// The page at `url_path`, with `&apos;` decoded so that shell commands read as
    /// they do on the page.
    fn page(&self, url_path: &str) -> String {
        let file = self.out().join(url_path).join("index.html");
        std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
            .replace("&apos;", "'")
    }
}

const DRAW: &str = r#"
[[draws]]
role = "facilitator"
seats = 2
seed = "test-vector"
pool = ["alice", "bob", "carol", "dave"]
selected = ["bob", "dave"]
"#;

// ---------------------------------------------------------------- draws

/// The tickets below were computed outside Rust, with coreutils:
/// `for id in alice bob carol dave; do printf '%s:%s' 'test-vector' "$id" | sha256sum; done`
/// bob 115ce8…, dave 2ae6b2…, alice 692231…, carol 9121d3…: bob and dave are selected.
#[test]
fn draw_page_shows_seed_pool_every_hash_and_the_command_to_check_it() {
    let site = Site::new();
    site.minutes("2026-11-02-ward", "2026-11-02", DRAW);
    site.build();
    let html = site.page("roles/2026-11-02-ward-facilitator");
    for hash in [
        "115ce809b2bc4e73803425045422efaf8901cdeb5c01b20f3c8207b985f69f9a",
        "2ae6b2b1107f634ca135e5f60a2abcfe512ac5b55f8a91b5a812446b2eea9f6d",
        "6922314f05faf241f87c4fc9220f745982ceb04e7a8776ce797ff7e70fc1bc58",
        "9121d3e7c944a23bf045080674865d3639e1280a2499cd3301ec60aac55a890c",
    ] {
        assert!(html.contains(hash), "missing {hash}");
    }
    assert!(html.contains("test-vector"), "seed shown");
    // Draw order: bob, dave, alice, carol.
    let order: Vec<usize> = ["115ce809", "2ae6b2b1", "6922314f", "9121d3e7"]
        .iter()
        .map(|h| html.find(h).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "sorted by hash");
    assert!(
        html.contains("printf '%s:%s' 'test-vector' 'bob' | sha256sum"),
        "verification command"
    );
    let roles = site.page("roles");
    assert!(roles.contains("2026-11-02-ward-facilitator/index.html"));
    let minutes = site.page("minutes/2026-11-02-ward");
    assert!(minutes.contains("Roles drawn by lottery"));
    assert!(minutes.contains("<code>bob</code>, <code>dave</code>"));
}

#[test]
fn selected_in_any_order_is_accepted() {
    let site = Site::new();
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace(r#"["bob", "dave"]"#, r#"["dave", "bob"]"#),
    );
    site.build();
}

#[test]
fn a_wrong_selection_fails_the_build_with_file_line_and_the_expected_selection() {
    let site = Site::new();
    // Line 1 `+++`, 2–5 title/date/assembly/attendance, 6 blank, 7 `[[draws]]`.
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace(r#"["bob", "dave"]"#, r#"["alice", "bob"]"#),
    );
    let errors = site.errors();
    assert_eq!(
        errors,
        vec![
            "content/minutes/2026-11-02-ward.md:7: selected: the draw selects [\"bob\", \"dave\"] (SHA-256 of seed:id, lowest first), not [\"alice\", \"bob\"]"
        ]
    );
    assert!(!site.out().exists(), "nothing written");
}

#[test]
fn draw_errors_point_at_the_entry_in_yaml_too() {
    let site = Site::new();
    site.write(
        "content/minutes/2026-11-02-ward.md",
        "---\ntitle: Ward\ndate: 2026-11-02\nassembly: north-ward\ndraws:\n  - role: facilitator\n    seats: 1\n    seed: s\n    pool: [a, b]\n    selected: [a]\n  - role: steward\n    seats: 3\n    seed: s\n    pool: [a, b]\n    selected: [a]\n---\n",
    );
    let errors = site.errors();
    // `printf '%s:%s' s a | sha256sum` → d4315d…, `… s b …` → d30eca…: b comes first.
    assert_eq!(
        errors,
        vec![
            "content/minutes/2026-11-02-ward.md:6: selected: the draw selects [\"b\"] (SHA-256 of seed:id, lowest first), not [\"a\"]",
            "content/minutes/2026-11-02-ward.md:11: seats: 3 seats but only 2 candidates in the pool",
        ]
    );
}

#[test]
fn pool_and_pool_file_together_or_neither_are_errors() {
    let site = Site::new();
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        "[[draws]]\nrole = \"a\"\nseats = 1\nseed = \"s\"\nselected = [\"x\"]\n\n[[draws]]\nrole = \"b\"\nseats = 1\nseed = \"s\"\npool = [\"x\"]\npool_file = \"data/pools/p.csv\"\nselected = [\"x\"]\n",
    );
    site.write("data/pools/p.csv", "id\nx\n");
    let errors = site.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].starts_with("content/minutes/2026-11-02-ward.md:6: pool: a draw needs"));
    assert!(errors[1].starts_with("content/minutes/2026-11-02-ward.md:12: pool: give either"));
}

#[test]
fn unknown_field_in_a_draw_names_file_and_line() {
    let site = Site::new();
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace("seats = 2", "seats = 2\nwinners = 2"),
    );
    let errors = site.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("content/minutes/2026-11-02-ward.md:10:1: unknown field `winners`"),
        "{errors:?}"
    );
    assert!(errors[0].contains("winners"), "{errors:?}");
}

#[test]
fn pool_file_is_read_relative_to_the_site() {
    let site = Site::new();
    site.write(
        "data/pools/2026-11.csv",
        "id,note\r\nalice,x\r\nbob,y\r\ncarol,z\r\ndave,w\r\n",
    );
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace(
            r#"pool = ["alice", "bob", "carol", "dave"]"#,
            r#"pool_file = "data/pools/2026-11.csv""#,
        ),
    );
    site.build();
    let html = site.page("roles/2026-11-02-ward-facilitator");
    assert!(html.contains("data/pools/2026-11.csv"));
    assert!(html.contains("9121d3e7c944a23bf045080674865d3639e1280a2499cd3301ec60aac55a890c"));
    // Other columns of a pool file never reach the output.
    assert!(!html.contains("note"));
}

#[test]
fn a_bad_pool_file_is_reported_at_its_own_lines() {
    let site = Site::new();
    site.write("data/pools/p.csv", "id\nalice\n\nbob\nalice\n\" carol\"\n");
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace(
            r#"pool = ["alice", "bob", "carol", "dave"]"#,
            r#"pool_file = "data/pools/p.csv""#,
        ),
    );
    let errors = site.errors();
    assert_eq!(
        errors,
        vec![
            "data/pools/p.csv:5: id: \"alice\" is already in the pool at line 2",
            "data/pools/p.csv:6: id: \" carol\" has spaces around it, which would change its ticket",
        ]
    );
}

#[test]
fn a_missing_or_outside_pool_file_is_an_error_at_the_draw() {
    let site = Site::new();
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        &DRAW.replace(
            r#"pool = ["alice", "bob", "carol", "dave"]"#,
            r#"pool_file = "data/pools/none.csv""#,
        ),
    );
    site.minutes(
        "2026-11-03-ward",
        "2026-11-03",
        &DRAW.replace(
            r#"pool = ["alice", "bob", "carol", "dave"]"#,
            r#"pool_file = "../pool.csv""#,
        ),
    );
    let errors = site.errors();
    assert_eq!(
        errors,
        vec![
            "content/minutes/2026-11-02-ward.md:7: pool_file: data/pools/none.csv does not exist",
            "content/minutes/2026-11-03-ward.md:7: pool_file: \"../pool.csv\" must be a path inside the site, like data/pools/2026-11.csv",
        ]
    );
}

// ---------------------------------------------------------------- committees

const CREATE: &str =
    "[[committees]]\nname = \"cold-room\"\naction = \"create\"\nmandate = \"Find a cold room\"\n";
const RENEW: &str = "[[committees]]\nname = \"cold-room\"\naction = \"renew\"\n";
const DISSOLVE: &str = "[[committees]]\nname = \"cold-room\"\naction = \"dissolve\"\n";

/// The state badge and date of `cold-room` on the committees page.
fn cold_room_state(site: &Site) -> String {
    let html = site.page("committees");
    let start = html
        .find("id=\"committee-cold-room\"")
        .expect("committee section");
    let section = &html[start..];
    let badge = section.find("<span class=\"badge ").unwrap();
    let state: String = section[badge + 19..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let when = section.find("<time").unwrap();
    let end = section[when..].find("</time>").unwrap();
    let time = &section[when..when + end];
    let text = &time[time.find('>').unwrap() + 1..];
    format!("{state}: {text}")
}

/// Created on 30 October 2026: one synodic month from its start (00:00) ends at
/// 12:44 on 28 November. As of 28 November it is still active; as of 29 November it
/// has lapsed. The "as of" date is the latest date in the site (here, the later minutes).
#[test]
fn a_committee_is_active_through_its_sunset_date_and_lapsed_the_day_after() {
    let active = Site::new();
    active.minutes("2026-10-30-council", "2026-10-30", CREATE);
    active.minutes("2026-11-28-council", "2026-11-28", "");
    active.build();
    assert_eq!(cold_room_state(&active), "active: sunsets 28 November 2026");

    let lapsed = Site::new();
    lapsed.minutes("2026-10-30-council", "2026-10-30", CREATE);
    lapsed.minutes("2026-11-29-council", "2026-11-29", "");
    lapsed.build();
    assert_eq!(
        cold_room_state(&lapsed),
        "lapsed: sunset on 28 November 2026"
    );
}

#[test]
fn renewal_on_the_sunset_date_extends_the_committee() {
    let site = Site::new();
    site.minutes("2026-10-30-council", "2026-10-30", CREATE);
    site.minutes("2026-11-28-council", "2026-11-28", RENEW);
    site.minutes("2026-12-20-council", "2026-12-20", "");
    site.build();
    // 28 November + 29 days.
    assert_eq!(cold_room_state(&site), "active: sunsets 27 December 2026");
    let html = site.page("committees");
    assert!(html.contains("renewed"));
    assert!(
        html.contains("/minutes/2026-11-28-council/"),
        "history links minutes"
    );
}

#[test]
fn renewing_after_the_sunset_date_is_an_error() {
    let site = Site::new();
    site.minutes("2026-10-30-council", "2026-10-30", CREATE);
    site.minutes("2026-11-29-council", "2026-11-29", RENEW);
    assert_eq!(
        site.errors(),
        vec![
            "content/minutes/2026-11-29-council.md:6: action: cannot renew committee \"cold-room\": it lapsed after 2026-11-28 (one lunar cycle after it was last created or renewed); create it again instead"
        ]
    );
}

#[test]
fn renewing_or_dissolving_an_unknown_committee_is_an_error_with_file_and_line() {
    let site = Site::new();
    site.minutes("2026-10-30-council", "2026-10-30", RENEW);
    site.minutes(
        "2026-11-02-council",
        "2026-11-02",
        &format!("[[decisions]]\ntext = \"x\"\noutcome = \"passed\"\n\n{DISSOLVE}"),
    );
    assert_eq!(
        site.errors(),
        vec![
            "content/minutes/2026-10-30-council.md:6: action: cannot renew committee \"cold-room\": no committee of that name was created before 2026-10-30",
            "content/minutes/2026-11-02-council.md:10: action: cannot dissolve committee \"cold-room\": no committee of that name was created before 2026-11-02",
        ]
    );
}

#[test]
fn a_dissolved_committee_cannot_be_renewed_but_can_be_created_again() {
    let site = Site::new();
    site.minutes("2026-10-01-council", "2026-10-01", CREATE);
    site.minutes("2026-10-10-council", "2026-10-10", DISSOLVE);
    site.minutes("2026-10-20-council", "2026-10-20", RENEW);
    assert_eq!(
        site.errors(),
        vec![
            "content/minutes/2026-10-20-council.md:6: action: cannot renew committee \"cold-room\": it was dissolved on 2026-10-10; create it again instead"
        ]
    );

    let again = Site::new();
    again.minutes("2026-10-01-council", "2026-10-01", CREATE);
    again.minutes("2026-10-10-council", "2026-10-10", DISSOLVE);
    again.minutes("2026-10-20-council", "2026-10-20", CREATE);
    again.build();
    assert_eq!(cold_room_state(&again), "active: sunsets 18 November 2026");
}

#[test]
fn creating_an_active_committee_is_an_error() {
    let site = Site::new();
    site.minutes("2026-10-01-council", "2026-10-01", CREATE);
    site.minutes("2026-10-10-council", "2026-10-10", CREATE);
    assert_eq!(
        site.errors(),
        vec![
            "content/minutes/2026-10-10-council.md:6: action: committee \"cold-room\" is already active until 2026-10-30; renew it instead of creating it"
        ]
    );
}

#[test]
fn committee_actions_are_replayed_in_date_order_not_file_order() {
    // The file names sort the renewal first; the dates put the creation first.
    let site = Site::new();
    site.minutes("a-renewal", "2026-10-20", RENEW);
    site.minutes("b-creation", "2026-10-01", CREATE);
    site.build();
    assert_eq!(cold_room_state(&site), "active: sunsets 18 November 2026");
}

// ---------------------------------------------------------------- decisions

#[test]
fn the_decision_register_lists_every_decision_newest_first() {
    let site = Site::new();
    site.minutes(
        "2026-10-01-ward",
        "2026-10-01",
        "[[decisions]]\ntext = \"First of October, one\"\noutcome = \"passed\"\nvotes = { for = 30, against = 5, abstain = 5 }\n\n[[decisions]]\ntext = \"First of October, two\"\noutcome = \"deferred\"\n",
    );
    site.write(
        "content/minutes/2026-11-02-solar.md",
        "---\ntitle: Solar\ndate: 2026-11-02\nassembly: solar-coop\ndecisions:\n  - text: \"Second of November\"\n    outcome: failed\n    votes: { for: 3, against: 20, abstain: 1 }\n---\n",
    );
    site.build();
    let html = site.page("decisions");
    let rows: Vec<&str> = html.split("<tr data-assembly=").skip(1).collect();
    assert_eq!(rows.len(), 3, "every decision, once");
    assert!(rows[0].starts_with("\"solar-coop\" data-outcome=\"failed\""));
    assert!(rows[0].contains("Second of November"));
    assert!(rows[0].contains("3 · 20 · 1"));
    assert!(rows[0].contains("../minutes/2026-11-02-solar/index.html#decision-1"));
    assert!(rows[1].contains("First of October, one"));
    assert!(rows[2].starts_with("\"north-ward\" data-outcome=\"deferred\""));
    assert!(rows[2].contains("../minutes/2026-10-01-ward/index.html#decision-2"));
    // The minutes page carries the anchors the register links to.
    let minutes = site.page("minutes/2026-10-01-ward");
    assert!(minutes.contains("id=\"decision-1\""));
    assert!(minutes.contains("id=\"decision-2\""));
}

#[test]
fn the_home_page_shows_the_five_latest_decisions() {
    let site = Site::new();
    let mut extra = String::new();
    for n in 1..=6 {
        extra.push_str(&format!(
            "[[decisions]]\ntext = \"Decision number {n}\"\noutcome = \"passed\"\n"
        ));
    }
    site.minutes("2026-10-01-ward", "2026-10-01", &extra);
    site.build();
    let html = site.page("");
    assert!(html.contains("Latest decisions"));
    assert!(html.contains("Decision number 5"));
    assert!(!html.contains("Decision number 6"), "five at most");
    assert!(html.contains("href=\"decisions/index.html\""));
}

#[test]
fn the_decision_filter_needs_no_server_and_the_list_shows_without_script() {
    let site = Site::new();
    site.minutes(
        "2026-10-01-ward",
        "2026-10-01",
        "[[decisions]]\ntext = \"One\"\noutcome = \"passed\"\n",
    );
    site.build();
    let html = site.page("decisions");
    // The form is hidden until the script shows it; the rows are never hidden in HTML.
    assert!(html.contains("<form class=\"filters\" id=\"decision-filters\" hidden>"));
    assert!(!html.contains("<tr hidden"));
    assert!(html.contains("<option value=\"north-ward\">north-ward</option>"));
    assert!(html.contains("<script>"), "inline script");
    assert!(!html.contains("<script src"), "no external script");
}

#[test]
fn votes_over_attendance_name_the_decision_line() {
    let site = Site::new();
    site.minutes(
        "2026-10-01-ward",
        "2026-10-01",
        "[[decisions]]\ntext = \"One\"\noutcome = \"passed\"\n\n[[decisions]]\ntext = \"Two\"\noutcome = \"passed\"\nvotes = { for = 30, against = 10, abstain = 5 }\n",
    );
    assert_eq!(
        site.errors(),
        vec!["content/minutes/2026-10-01-ward.md:10: votes: 45 votes cast but attendance is 40"]
    );
}

// ---------------------------------------------------------------- delegates

#[test]
fn delegates_are_split_into_current_and_past_mandates() {
    let site = Site::new();
    site.minutes(
        "2026-06-01-ward",
        "2026-06-01",
        "[[delegates]]\nname = \"Ana P.\"\ncouncil = \"federation-council\"\nmandate = \"Summer rota\"\nuntil = 2026-07-31\n",
    );
    site.minutes(
        "2026-11-02-ward",
        "2026-11-02",
        "[[delegates]]\nname = \"Ben K.\"\ncouncil = \"federation-council\"\nmandate = \"Winter rota\"\nfrom = 2026-11-02\nuntil = 2027-02-28\n",
    );
    site.build();
    let html = site.page("delegates");
    let current = html.find("Current mandates").unwrap();
    let past = html.find("Past mandates").unwrap();
    let ben = html.find("Ben K.").unwrap();
    let ana = html.find("Ana P.").unwrap();
    assert!(current < ben && ben < past, "Ben is current");
    assert!(past < ana, "Ana's mandate ended on 31 July");
    assert!(
        html.contains("1 June 2026"),
        "from defaults to the minutes' date"
    );
}

#[test]
fn a_mandate_that_ends_before_it_starts_is_an_error() {
    let site = Site::new();
    site.minutes(
        "2026-06-01-ward",
        "2026-06-01",
        "[[delegates]]\nname = \"Ana P.\"\ncouncil = \"federation-council\"\nuntil = 2026-05-31\n",
    );
    assert_eq!(
        site.errors(),
        vec![
            "content/minutes/2026-06-01-ward.md:6: until: 2026-05-31 is before the mandate starts (2026-06-01)"
        ]
    );
}

// ---------------------------------------------------------------- navigation

#[test]
fn the_registers_are_linked_from_the_minutes() {
    let site = Site::new();
    site.minutes("2026-10-01-ward", "2026-10-01", "");
    site.build();
    for page in ["minutes", "decisions", "committees", "roles", "delegates"] {
        let html = site.page(page);
        for link in ["decisions", "committees", "roles", "delegates"] {
            // A page links itself as `index.html`, the others up and across.
            let href = if link == page {
                "href=\"index.html\"".to_string()
            } else {
                format!("href=\"../{link}/index.html\"")
            };
            assert!(html.contains(&href), "{page} links {link}");
        }
    }
}

// ---------------------------------------------------------------- tally draw

#[test]
fn tally_draw_prints_a_block_that_builds() {
    let output = tally(&[
        "draw",
        "--seed",
        "test-vector",
        "--seats",
        "2",
        "--role",
        "facilitator",
        "--pool",
        "alice,bob,carol,dave",
    ]);
    assert!(output.status.success());
    let block = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        block,
        // The digest: `printf '%s\n' alice bob carol dave | sha256sum`.
        "[[draws]]\nrole = \"facilitator\"\nseats = 2\nseed = \"test-vector\"\npool_digest = \"67eaa975731a93ef91d35b00a6e6c40c7253ce1142d4e5cb0032b1ceb68b75c2\"\npool = [\"alice\", \"bob\", \"carol\", \"dave\"]\nselected = [\"bob\", \"dave\"]\n"
    );
    let site = Site::new();
    site.minutes("2026-11-02-ward", "2026-11-02", &block);
    site.build();
}

#[test]
fn tally_draw_reads_a_pool_file() {
    let dir = tempfile::tempdir().unwrap();
    let pool = dir.path().join("pool.csv");
    std::fs::write(&pool, "id\nalice\nbob\ncarol\ndave\n").unwrap();
    let output = tally(&[
        "draw",
        "--seed",
        "test-vector",
        "--seats",
        "1",
        "--pool-file",
        pool.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    let block = String::from_utf8(output.stdout).unwrap();
    assert!(block.contains("selected = [\"bob\"]"), "{block}");
    assert!(block.contains("pool_file = "), "{block}");
}

#[test]
fn tally_draw_refuses_bad_usage_with_status_2() {
    let cases: &[&[&str]] = &[
        &["--seed", "s", "--seats", "3", "--pool", "a,b"],
        &[
            "--seed",
            "s",
            "--seats",
            "1",
            "--pool",
            "a,b",
            "--pool-file",
            "p.csv",
        ],
        &["--seed", "s", "--seats", "1"],
        &["--seed", "s", "--seats", "0", "--pool", "a,b"],
        &["--seed", "s", "--seats", "1", "--pool", "a,a"],
    ];
    for args in cases {
        let output = tally(&[&["draw"], *args].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------- example site

#[test]
fn the_example_site_renders_its_registers() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("public");
    build_to(&example_site(), &out);
    let read = |p: &str| std::fs::read_to_string(out.join(p).join("index.html")).unwrap();
    let committees = read("committees");
    for name in [
        "cold-room",
        "flood-watch",
        "inverter-repair",
        "summer-outings",
    ] {
        assert!(
            committees.contains(&format!("id=\"committee-{name}\"")),
            "{name}"
        );
    }
    assert!(committees.contains("<span class=\"badge dissolved\">"));
    assert!(committees.contains("<span class=\"badge lapsed\">"));
    let draws = std::fs::read_dir(out.join("roles")).unwrap().count();
    assert_eq!(draws, 5, "four draw pages and the index");
    let decisions = read("decisions");
    for outcome in ["passed", "failed", "deferred"] {
        assert!(decisions.contains(&format!("data-outcome=\"{outcome}\"")));
    }
    assert!(read("delegates").contains("Federation council"));
}

#[test]
fn a_body_whose_first_line_repeats_the_title_shows_it_once() {
    let site = common::minimal_site_with(&[
        (
            "content/minutes/2026-03-02-assembly.md",
            "+++\ntitle = \"March Assembly\"\ndate = 2026-03-02\nassembly = \"north-ward\"\nattendance = 20\n+++\n# March Assembly\n\nWe met.\n\n# March Assembly\n\nA later heading of the same words stays.\n",
        ),
        (
            "content/pages/about.md",
            "+++\ntitle = \"About us\"\n+++\n\n# About us\n\nWe share.\n",
        ),
    ]);
    let out = common::build(site.path());
    let minutes = common::read(&out, "minutes/2026-03-02-assembly/index.html");
    assert_eq!(
        minutes.matches("March Assembly</h1>").count(),
        2,
        "{minutes}"
    );
    assert!(minutes.contains("<h1>March Assembly</h1>\n"), "{minutes}");
    let about = common::read(&out, "about/index.html");
    assert_eq!(about.matches("About us</h1>").count(), 1, "{about}");
}
