//! Search: pagefind's index is written with the site, listed in the manifest, the same
//! bytes build after build, finds the words of minutes, and holds no private column.

mod common;

use std::collections::BTreeMap;
use std::io::Read;

use common::{CONFIG_EUR, LEDGER_HEADER, build_to, read, read_tree, site_with};

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

/// The files under `pagefind/`, the compressed ones (index, fragments, meta) unpacked.
fn index_files(tree: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    tree.iter()
        .filter(|(path, _)| path.starts_with("pagefind/"))
        .map(|(path, bytes)| {
            let packed = path.ends_with(".pf_fragment")
                || path.ends_with(".pf_index")
                || path.ends_with(".pf_meta");
            let text = if packed {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .unwrap_or_else(|e| panic!("{path} is not gzip: {e}"));
                out
            } else {
                bytes.clone()
            };
            (path.clone(), text)
        })
        .collect()
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
    for needed in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-ui.js",
        "pagefind/pagefind-ui.css",
        "pagefind/pagefind-entry.json",
    ] {
        assert!(
            index.contains_key(needed),
            "{needed} missing: {:?}",
            index.keys()
        );
    }
    let kinds = |ext: &str| index.keys().filter(|p| p.ends_with(ext)).count();
    assert!(kinds(".pf_fragment") > 2, "{:?}", index.keys());
    assert!(kinds(".pf_index") >= 1 && kinds(".pf_meta") == 1);

    let manifest = read(&one, "manifest.json");
    for path in index.keys() {
        assert!(
            manifest.contains(&format!("\"{path}\"")),
            "{path} not in manifest"
        );
    }

    let all = |needle: &str| {
        index
            .iter()
            .filter(|(_, b)| common::contains(b, needle.as_bytes()))
            .map(|(p, _)| p.clone())
            .collect::<Vec<_>>()
    };
    // The minutes' rare word is in its fragment, under the minutes' URL.
    let found = all("quorndyke");
    assert!(!found.is_empty(), "the minutes' words are not indexed");
    assert!(
        found.iter().any(|p| {
            p.ends_with(".pf_fragment")
                && common::contains(&index[p], b"/minutes/2026-03-02-assembly/")
        }),
        "{found:?}"
    );
    for secret in [
        "Xq7counterpartysecret",
        "Zp9memosecret",
        "xq7counterpartysecret",
    ] {
        assert_eq!(
            all(secret),
            Vec::<String>::new(),
            "{secret} is in the index"
        );
    }
}

#[test]
fn pages_mark_their_content_and_the_header_searches() {
    let dir = site();
    let out = dir.path().join("public");
    build_to(dir.path(), &out);
    let minutes = read(&out, "minutes/2026-03-02-assembly/index.html");
    assert!(minutes.contains("<main id=\"main\" class=\"wrap\" data-pagefind-body>"));
    assert!(minutes.contains("<footer class=\"site-footer\" data-pagefind-ignore>"));
    // A plain GET form to the search page, relative like every link.
    assert!(
        minutes.contains("action=\"../../search/index.html\" method=\"get\""),
        "{minutes}"
    );
    let search = read(&out, "search/index.html");
    assert!(
        !search.contains("data-pagefind-body"),
        "the search page is not indexed"
    );
    assert!(search.contains("src=\"../pagefind/pagefind-ui.js\""));
    assert!(search.contains("src=\"../assets/search.js\""));
    assert!(search.contains("id=\"search-offline\""));
    assert!(
        search.contains("href=\"../minutes/index.html\""),
        "fallback links"
    );
}
