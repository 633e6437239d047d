//! Search: the index is written with the site, listed in the manifest, the same bytes
//! build after build, finds the words of minutes (a decision's words weigh more), and
//! holds no private column.

mod common;

use common::{CONFIG_EUR, LEDGER_HEADER, build_to, read, read_tree, site_with};
use std::collections::BTreeMap;

const RATES: &str = "unit,category,rate,currency,valid_from,source
kg,food,3.80,EUR,2026-01-01,Market basket
";

/// A site with one minutes page holding a rare word and a ledger with private columns.
fn site() -> tempfile::TempDir {
    let ledger = format!(
        "{LEDGER_HEADER}\
2026-01-05,food-coop,food,service,10,kg,F-1,,Xq7counterpartysecret,Zp9memosecret
2026-01-06,treasury,treasury,income,5,EUR,,,Xq7counterpartysecret,Zp9memosecret
"
    );
    site_with(&[
        ("tally.toml", CONFIG_EUR),
        ("data/rates.csv", RATES),
        ("data/ledger/a.csv", &ledger),
        (
            "content/minutes/2026-03-02-assembly.md",
            "+++\ntitle = \"March Assembly\"\ndate = 2026-03-02\nassembly = \"north-ward\"\nattendance = 20\n+++\nWe agreed on the quorndyke rota.\n",
        ),
    ])
}

/// The files under `search/index/`, parsed.
fn index_files(tree: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, serde_json::Value> {
    tree.iter()
        .filter(|(path, _)| path.starts_with("search/index/"))
        .map(|(path, bytes)| {
            let value =
                serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
            (path.clone(), value)
        })
        .collect()
}

/// The path of page `number` in the index's chunks of titles.
fn page_path(index: &BTreeMap<String, serde_json::Value>, number: u64) -> String {
    let chunk = index["search/index/meta.json"]["chunk"]
        .as_u64()
        .expect("a chunk size");
    let titles = &index[&format!("search/index/pages/{}.json", number / chunk)];
    titles[(number % chunk) as usize][0]
        .as_str()
        .expect("a path")
        .to_string()
}

#[test]
fn the_index_is_built_listed_deterministic_and_public_only() {
    let dir = site();
    let outs = tempfile::tempdir().expect("temp dir");
    let (one, two) = (outs.path().join("one"), outs.path().join("two"));
    build_to(dir.path(), &one);
    build_to(dir.path(), &two);
    let tree = read_tree(&one);
    assert_eq!(tree, read_tree(&two), "two builds differ");

    let index = index_files(&tree);
    let meta = &index["search/index/meta.json"];
    assert_eq!(meta["format"], 1);
    assert_eq!(meta["language"], "en");
    let pages = meta["pages"].as_u64().expect("a page count");
    let html_pages = tree
        .keys()
        .filter(|p| {
            p.ends_with(".html") && p.as_str() != "404.html" && p.as_str() != "search/index.html"
        })
        .count() as u64;
    assert_eq!(pages, html_pages, "every readable page is indexed");
    // Each shard meta lists is there, and no other.
    let shards: Vec<String> = meta["shards"]
        .as_array()
        .expect("shards")
        .iter()
        .map(|s| format!("search/index/words/{}.json", s.as_str().expect("a key")))
        .collect();
    let written: Vec<&String> = index.keys().filter(|p| p.contains("/words/")).collect();
    assert_eq!(written, shards.iter().collect::<Vec<_>>());

    let manifest = read(&one, "manifest.json");
    for path in index.keys() {
        assert!(
            manifest.contains(&format!("\"{path}\"")),
            "{path} not in manifest"
        );
    }

    // The minutes' rare word is in the shard of "qu" ("7175"), on the minutes' page only.
    let postings = index["search/index/words/7175.json"]["quorndyke"]
        .as_array()
        .expect("the minutes' words are indexed")
        .clone();
    assert_eq!(postings.len(), 2, "{postings:?}");
    let number = postings[0].as_u64().expect("a page number");
    assert_eq!(
        page_path(&index, number),
        "minutes/2026-03-02-assembly/index.html"
    );

    let all_text: String = tree
        .iter()
        .filter(|(p, _)| p.starts_with("search/index/"))
        .map(|(_, b)| String::from_utf8_lossy(b).to_lowercase())
        .collect();
    for secret in ["xq7counterpartysecret", "zp9memosecret"] {
        assert!(!all_text.contains(secret), "{secret} is in the index");
    }
}

#[test]
fn a_decisions_words_weigh_more_than_the_same_words_in_the_text() {
    let dir = site();
    std::fs::write(
        dir.path().join("content/minutes/2026-03-09-assembly.md"),
        "+++\ntitle = \"Second Assembly\"\ndate = 2026-03-09\nassembly = \"north-ward\"\nattendance = 20\n\n\
         [[decisions]]\ntext = \"Fund the wexbarrow repair\"\noutcome = \"passed\"\n+++\nNothing else.\n",
    )
    .expect("write minutes");
    std::fs::write(
        dir.path().join("content/minutes/2026-03-16-assembly.md"),
        "+++\ntitle = \"Third Assembly\"\ndate = 2026-03-16\nassembly = \"north-ward\"\nattendance = 20\n+++\nThe wexbarrow was mentioned.\n",
    )
    .expect("write minutes");
    let out = dir.path().join("public");
    build_to(dir.path(), &out);
    let index = index_files(&read_tree(&out));
    let postings = index["search/index/words/7765.json"]["wexbarrow"]
        .as_array()
        .expect("indexed")
        .clone();
    // Pages are numbered by the gap from the previous one.
    let mut page = 0;
    let weights: Vec<(String, u64)> = postings
        .chunks(2)
        .map(|p| {
            page += p[0].as_u64().expect("a gap");
            (page_path(&index, page), p[1].as_u64().expect("a weight"))
        })
        .collect();
    let weight_on = |path: &str| weights.iter().find(|(p, _)| p == path).map(|(_, w)| *w);
    let decided = weight_on("minutes/2026-03-09-assembly/index.html").expect("decided");
    let mentioned = weight_on("minutes/2026-03-16-assembly/index.html").expect("mentioned");
    assert!(decided >= 5 * mentioned, "{decided} vs {mentioned}");
}

#[test]
fn pages_mark_their_content_and_the_header_searches() {
    let dir = site();
    let out = dir.path().join("public");
    build_to(dir.path(), &out);
    let minutes = read(&out, "minutes/2026-03-02-assembly/index.html");
    assert!(minutes.contains("<main id=\"main\" class=\"wrap\" data-search-body>"));
    assert!(minutes.contains("<footer class=\"site-footer\" data-search-ignore>"));
    // A plain GET form to the search page, relative like every link.
    assert!(
        minutes.contains("action=\"../../search/index.html\" method=\"get\""),
        "{minutes}"
    );
    let search = read(&out, "search/index.html");
    assert!(
        !search.contains("data-search-body"),
        "the search page is not indexed"
    );
    assert!(search.contains("src=\"../assets/search.js\""));
    assert!(search.contains("id=\"search-offline\""));
    assert!(
        search.contains("href=\"../minutes/index.html\""),
        "fallback links"
    );
}
