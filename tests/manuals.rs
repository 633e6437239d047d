//! Blueprint manuals: version order, chapter pages, the printable page, what changed,
//! source bundles (contents, identical bytes, building a fork from one), lineage,
//! chapter links, sanitizing and the errors a bad manual gets.

mod common;

use std::io::Read;

use common::*;

const TOML: &str = "title = \"Tool Library\"\nsummary = \"How to run a tool library.\"\nlicense = \"CC-BY-SA-4.0\"\nauthors = [\"Tool Library Cell\"]\n";

/// Twenty numbered lines, so that a change in the middle leaves runs to fold.
fn lines(prefix: &str) -> String {
    (1..=20).map(|i| format!("{prefix} line {i}.\n")).collect()
}

/// A site with the manual `tools`: version 1.0 (three chapters) and 1.1 (one changed,
/// one renamed, one removed, one added).
fn tools_site() -> tempfile::TempDir {
    let site = minimal_site();
    let root = site.path();
    write(root, "content/manuals/tools/manual.toml", TOML);
    let m = "content/manuals/tools";
    write(
        root,
        &format!("{m}/1.0/01-intro.md"),
        &format!("# Introduction\n\n{}", lines("Intro")),
    );
    write(
        root,
        &format!("{m}/1.0/02-lending.md"),
        &format!(
            "# Lending\n\n{}\nSee [the intro](01-intro.md#introduction).\n",
            lines("Lending")
        ),
    );
    write(
        root,
        &format!("{m}/1.0/03-insurance.md"),
        "# Insurance\n\nWe had none, and nothing bad happened.\n",
    );
    write(
        root,
        &format!("{m}/1.1/01-intro.md"),
        &format!(
            "# Introduction\n\n{}",
            lines("Intro").replace("Intro line 10.", "Intro line ten, rewritten.")
        ),
    );
    write(
        root,
        &format!("{m}/1.1/02-borrowing.md"),
        &format!(
            "# Borrowing\n\n{}\nSee [the intro](01-intro.md#introduction).\n",
            lines("Lending")
        ),
    );
    write(
        root,
        &format!("{m}/1.1/03-repairs.md"),
        "# Repairs\n\nBroken tools go to the repair café on Saturdays.\n",
    );
    write(
        root,
        &format!("{m}/1.1/CHANGES.md"),
        "- Lending is now called borrowing.\n",
    );
    site
}

fn zip_entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("an entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("text");
        entries.push((file.name().expect("a name").to_string(), text));
    }
    entries
}

#[test]
fn versions_are_ordered_numerically_so_1_10_follows_1_9() {
    let site = minimal_site();
    let root = site.path();
    write(root, "content/manuals/tools/manual.toml", TOML);
    for v in ["1.2", "1.9", "1.10"] {
        write(
            root,
            &format!("content/manuals/tools/{v}/01-intro.md"),
            &format!("# Intro\n\nThis is version {v}.\n"),
        );
    }
    let out = build(root);
    let home = read(&out, "manuals/tools/index.html");
    assert!(home.contains("<dd>1.10 (latest)</dd>"), "{home}");
    let page = read(&out, "manuals/tools/1.2/intro/index.html");
    let switcher = &page[page.find("version-switcher").expect("a version switcher")..];
    let (a, b, c) = (
        switcher.find(">1.10 (latest)<").expect("1.10"),
        switcher.find(">1.9<").expect("1.9"),
        switcher.find(">1.2<").expect("1.2"),
    );
    assert!(a < b && b < c, "newest first: {switcher}");
    let changes = read(&out, "manuals/tools/1.10/changes/index.html");
    assert!(changes.contains("version 1.9</a>"), "{changes}");
    assert!(read(&out, "manuals/index.html").contains("Version 1.10"));
}

#[test]
fn the_changes_page_lists_added_removed_renamed_and_a_folded_diff() {
    let site = tools_site();
    let out = build(site.path());
    let page = read(&out, "manuals/tools/1.1/changes/index.html");
    assert!(
        page.contains("Compared with <a href=\"../../1.0/index.html\">version 1.0</a>"),
        "{page}"
    );
    assert!(
        page.contains("4 chapters: 1 changed, 1 added, 1 renamed, 1 removed"),
        "{page}"
    );
    // The authors' CHANGES.md.
    assert!(page.contains("Lending is now called borrowing."), "{page}");
    // Renamed, matched by content.
    assert!(page.contains("Renamed from <a href=\"../../1.0/lending/index.html\">Lending</a> (<code>02-lending.md</code> → <code>02-borrowing.md</code>)"), "{page}");
    // Added and removed.
    assert!(
        page.contains("New in this version: <code>03-repairs.md</code>"),
        "{page}"
    );
    assert!(
        page.contains("Removed: <code>03-insurance.md</code>"),
        "{page}"
    );
    // The changed line, with the changed words emphasized, and folded runs around it.
    assert!(
        page.contains("<span class=\"diff-text\">Intro line <strong class=\"diff-em\">10.</strong></span></del>"),
        "{page}"
    );
    assert!(page.contains("<ins class=\"diff-row diff-ins\">"), "{page}");
    assert!(page.contains("… 8 unchanged lines"), "{page}");
    assert!(page.contains("… 7 unchanged lines"), "{page}");
    assert!(
        !page.contains("Intro line 2."),
        "far context is folded: {page}"
    );
    assert!(
        page.contains("Intro line 9."),
        "near context is shown: {page}"
    );
    // The first version has nothing to compare with.
    let first = read(&out, "manuals/tools/1.0/changes/index.html");
    assert!(first.contains("This is the first version"), "{first}");
}

#[test]
fn the_print_page_holds_every_chapter_in_order() {
    let site = tools_site();
    let out = build(site.path());
    let page = read(&out, "manuals/tools/1.1/print/index.html");
    let positions: Vec<usize> = [
        "<section class=\"print-chapter\" id=\"intro\">",
        "<section class=\"print-chapter\" id=\"borrowing\">",
        "<section class=\"print-chapter\" id=\"repairs\">",
    ]
    .iter()
    .map(|s| {
        page.find(s)
            .unwrap_or_else(|| panic!("{s} missing: {page}"))
    })
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{page}");
    assert!(page.contains("Intro line 20."), "{page}");
    assert!(
        page.contains("Broken tools go to the repair café"),
        "{page}"
    );
    // Ids stay unique on one page; links between chapters stay on the page.
    assert!(page.contains("<h1 id=\"intro--introduction\">"), "{page}");
    assert!(
        page.contains("href=\"index.html#intro--introduction\""),
        "{page}"
    );
}

#[test]
fn chapter_pages_have_contents_previous_next_and_rewritten_links() {
    let site = tools_site();
    let out = build(site.path());
    let page = read(&out, "manuals/tools/1.1/borrowing/index.html");
    assert!(
        page.contains("href=\"../intro/index.html#introduction\""),
        "{page}"
    );
    assert!(!page.contains("01-intro.md"), "{page}");
    assert!(
        page.contains(
            "<a href=\"index.html\" aria-current=\"page\"><span class=\"toc-number\">2</span> Borrowing</a>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<a rel=\"prev\" href=\"../intro/index.html\">"),
        "{page}"
    );
    assert!(
        page.contains("<a rel=\"next\" href=\"../repairs/index.html\">"),
        "{page}"
    );
    // The latest version has no old-version notice; the old one points at the latest,
    // to the same chapter when it still exists.
    assert!(!page.contains("an older version"), "{page}");
    let old = read(&out, "manuals/tools/1.0/intro/index.html");
    assert!(
        old.contains("You are reading version 1.0, an older version"),
        "{old}"
    );
    assert!(
        old.contains("The latest is <a href=\"../../1.1/intro/index.html\">version 1.1</a>"),
        "{old}"
    );
    let print = read(&out, "manuals/tools/1.0/print/index.html");
    assert!(
        print.contains("The latest is <a href=\"../../1.1/print/index.html\">version 1.1</a>"),
        "{print}"
    );
    let removed = read(&out, "manuals/tools/1.0/insurance/index.html");
    assert!(
        removed.contains("The latest is <a href=\"../../1.1/index.html\">version 1.1</a>"),
        "{removed}"
    );
}

#[test]
fn a_chapter_without_a_heading_is_titled_from_its_file_name() {
    let site = minimal_site();
    write(site.path(), "content/manuals/tools/manual.toml", TOML);
    write(
        site.path(),
        "content/manuals/tools/1.0/01-getting-started.md",
        "No heading here.\n",
    );
    let out = build(site.path());
    let page = read(&out, "manuals/tools/1.0/getting-started/index.html");
    assert!(page.contains("<h1>Getting started</h1>"), "{page}");
}

#[test]
fn the_bundle_holds_the_markdown_a_manual_toml_with_lineage_and_a_license() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools/manual.toml",
        &format!(
            "{TOML}\n[forked_from]\ntitle = \"Tool Library Handbook\"\nurl = \"https://tools.example.org/\"\nversion = \"3\"\n\n[[ancestors]]\ntitle = \"Lending Library Notes\"\n"
        ),
    );
    let out = build(site.path());
    let bytes = std::fs::read(out.join("manuals/tools/tools-1.1.zip")).expect("the bundle");
    let entries = zip_entries(&bytes);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "tools/1.1/01-intro.md",
            "tools/1.1/02-borrowing.md",
            "tools/1.1/03-repairs.md",
            "tools/1.1/CHANGES.md",
            "tools/LICENSE.md",
            "tools/README.md",
            "tools/manual.toml",
        ]
    );
    let text = |name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        text("tools/1.1/03-repairs.md"),
        "# Repairs\n\nBroken tools go to the repair café on Saturdays.\n"
    );
    let manual: toml::Table = toml::from_str(&text("tools/manual.toml")).expect("valid TOML");
    assert_eq!(manual["title"].as_str(), Some("Tool Library"));
    assert_eq!(manual["license"].as_str(), Some("CC-BY-SA-4.0"));
    let forked = manual["forked_from"].as_table().expect("forked_from");
    assert_eq!(
        forked["url"].as_str(),
        Some("https://test.example/manuals/tools/1.1/")
    );
    assert_eq!(forked["version"].as_str(), Some("1.1"));
    let ancestors = manual["ancestors"].as_array().expect("ancestors");
    let titles: Vec<&str> = ancestors
        .iter()
        .filter_map(|a| a.get("title").and_then(|t| t.as_str()))
        .collect();
    assert_eq!(titles, ["Tool Library Handbook", "Lending Library Notes"]);
    let license = text("tools/LICENSE.md");
    assert!(license.contains("**CC-BY-SA-4.0**"), "{license}");
    assert!(
        license.contains("https://creativecommons.org/licenses/by-sa/4.0/"),
        "{license}"
    );
    assert!(
        license.contains("\"Tool Library Handbook\" version 3"),
        "{license}"
    );
    let readme = text("tools/README.md");
    assert!(readme.contains("tally new my-site"), "{readme}");
    assert!(readme.contains("copy the folder to `1.2/`"), "{readme}");
    // The remix section links the bundle and explains the license in plain words.
    let home = read(&out, "manuals/tools/index.html");
    assert!(
        home.contains("<h2 id=\"remix\">Remix this manual</h2>"),
        "{home}"
    );
    assert!(home.contains("href=\"tools-1.1.zip\" download"), "{home}");
    assert!(
        home.contains("publish your version under the same license"),
        "{home}"
    );
}

#[test]
fn bundles_are_byte_identical_across_builds() {
    let site = tools_site();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for out in [first.path(), second.path()] {
        build_to(site.path(), &out.join("public"));
    }
    let a = read_tree(&first.path().join("public"));
    let b = read_tree(&second.path().join("public"));
    assert!(a.contains_key("manuals/tools/tools-1.0.zip"));
    assert!(a.contains_key("manuals/tools/tools-1.1.zip"));
    assert_eq!(a, b, "two builds of one input differ");
    // No clock in the bundle: every entry carries the same fixed time.
    let bytes = &a["manuals/tools/tools-1.1.zip"];
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).unwrap();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        assert_eq!(entry.last_modified(), Some(zip::DateTime::default()));
    }
}

#[test]
fn a_bundle_unzipped_into_a_new_site_builds_unchanged() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools/manual.toml",
        &format!(
            "{TOML}\n[forked_from]\ntitle = \"Tool Library Handbook\"\nurl = \"https://tools.example.org/\"\n"
        ),
    );
    let out = build(site.path());
    let bytes = std::fs::read(out.join("manuals/tools/tools-1.1.zip")).expect("the bundle");

    let fork = tempfile::tempdir().unwrap();
    let fork_site = fork.path().join("my-site");
    tally::new::create(&fork_site).expect("tally new");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    archive
        .extract(fork_site.join("content/manuals"))
        .expect("unzip");

    let fork_out = build(&fork_site);
    let home = read(&fork_out, "manuals/tools/index.html");
    // The lineage: this site's version first, then the handbook it came from.
    assert!(
        home.contains("Forked from <a href=\"https://test.example/manuals/tools/1.1/\">Tool Library</a> 1.1, which was forked from <a href=\"https://tools.example.org/\">Tool Library Handbook</a>."),
        "{home}"
    );
    let chapter = read(&fork_out, "manuals/tools/1.1/borrowing/index.html");
    assert!(chapter.contains("Lending line 20."), "{chapter}");
    // The fork's own bundle keeps the whole line.
    let again = zip_entries(&std::fs::read(fork_out.join("manuals/tools/tools-1.1.zip")).unwrap());
    let manual = &again
        .iter()
        .find(|(n, _)| n == "tools/manual.toml")
        .expect("manual.toml")
        .1;
    let manual: toml::Table = toml::from_str(manual).unwrap();
    let ancestors: Vec<&str> = manual["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a.get("title").and_then(|t| t.as_str()))
        .collect();
    assert_eq!(ancestors, ["Tool Library", "Tool Library Handbook"]);
    assert_eq!(
        manual["forked_from"]["url"].as_str(),
        Some("https://example.org/manuals/tools/1.1/")
    );
}

#[test]
fn a_fork_on_the_same_site_links_both_ways() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools-for-flats/manual.toml",
        "title = \"Tools for Flats\"\nlicense = \"CC-BY-SA-4.0\"\n[forked_from]\ntitle = \"Tool Library\"\nurl = \"https://test.example/manuals/tools/1.0/\"\n",
    );
    write(
        site.path(),
        "content/manuals/tools-for-flats/1.0/01-intro.md",
        "# Intro\n\nFor a block of flats.\n",
    );
    // Matched by title; a version the original does not have links to the manual.
    write(
        site.path(),
        "content/manuals/tools-again/manual.toml",
        "title = \"Tools Again\"\nlicense = \"CC-BY-SA-4.0\"\n[forked_from]\ntitle = \"Tool  library\"\nversion = \"7\"\n",
    );
    write(
        site.path(),
        "content/manuals/tools-again/1.0/01-intro.md",
        "# Intro\n",
    );
    let out = build(site.path());
    let again = read(&out, "manuals/tools-again/index.html");
    assert!(
        again.contains("Forked from <a href=\"../tools/index.html\">Tool  library</a> 7."),
        "{again}"
    );
    let fork = read(&out, "manuals/tools-for-flats/index.html");
    assert!(
        fork.contains("Forked from <a href=\"../tools/1.0/index.html\">Tool Library</a> 1.0."),
        "{fork}"
    );
    let original = read(&out, "manuals/tools/index.html");
    assert!(
        original.contains(
            "Forks on this site: <a href=\"../tools-again/index.html\">Tools Again</a>, <a href=\"../tools-for-flats/index.html\">Tools for Flats</a>."
        ),
        "{original}"
    );
    let list = read(&out, "manuals/index.html");
    assert!(list.contains("Forks on this site"), "{list}");
}

#[test]
fn a_link_to_a_missing_chapter_is_an_error_with_file_and_line() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools/1.1/03-repairs.md",
        "# Repairs\n\nSee\n[the wiring](02-wiring.md) and [the intro](01-intro.md).\n",
    );
    let errors = build_errors(site.path());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("content/manuals/tools/1.1/03-repairs.md:4:1: link to \"02-wiring.md\": no such chapter or file in this version"),
        "{errors:?}"
    );
}

#[test]
fn script_in_a_chapter_does_not_reach_the_output() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools/1.1/03-repairs.md",
        "# Repairs <script>alert(1)</script>\n\n<script>alert(2)</script>\n\n<img src=https://images.example/x.png onerror=alert(3)>\n\n[click](javascript:alert(4))\n",
    );
    write(
        site.path(),
        "content/manuals/tools/1.1/01-intro.md",
        "# Introduction\n\n<script>alert(2)</script>\n",
    );
    write(
        site.path(),
        "content/manuals/tools/manual.toml",
        "title = \"Tools <script>alert(5)</script>\"\nsummary = \"<b onmouseover=alert(6)>x</b>\"\nlicense = \"MIT\"\n[forked_from]\ntitle = \"x\"\nurl = \"https://a.example/\\\"><script>alert(7)</script>\"\n",
    );
    let out = build(site.path());
    let mut pages = 0;
    for (path, bytes) in read_tree(&out) {
        if path.ends_with(".html") {
            pages += 1;
            let html = String::from_utf8_lossy(&bytes);
            for tag in tags(&html) {
                let tag = tag.to_ascii_lowercase();
                // The theme's own scripts: the receipt lookup and the search page.
                let own = (path == "receipts/index.html"
                    && tag == "<script src=\"../assets/receipts.js\">")
                    || (path == "search/index.html"
                        && tag == "<script src=\"../assets/search.js\">");
                assert!(!tag.starts_with("<script") || own, "{path}: {tag}");
                assert!(!tag.contains("javascript:"), "{path}: {tag}");
                assert!(
                    !tag.split_whitespace().any(|attr| attr.starts_with("on")),
                    "{path}: {tag}"
                );
            }
        }
    }
    assert!(pages > 10);
    let chapter = read(&out, "manuals/tools/1.1/repairs/index.html");
    assert!(
        chapter.contains("<img src=\"https://images.example/x.png\">"),
        "{chapter}"
    );
    // The text of the diff still shows what was written, escaped.
    let changes = read(&out, "manuals/tools/1.1/changes/index.html");
    assert!(
        changes.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
        "{changes}"
    );
}

/// The tags of an HTML text (`<a href="…">`): text outside tags is escaped, so a `<`
/// always opens one.
fn tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        tags.push(&rest[start..end]);
        rest = &rest[end..];
    }
    tags
}

#[test]
fn an_origin_link_must_be_a_web_address() {
    let site = tools_site();
    write(
        site.path(),
        "content/manuals/tools/manual.toml",
        &format!("{TOML}[forked_from]\ntitle = \"x\"\nurl = \"javascript:alert(1)\"\n"),
    );
    let errors = build_errors(site.path());
    assert!(
        errors.iter().any(|e| e.starts_with("content/manuals/tools/manual.toml:5: forked_from: url \"javascript:alert(1)\" must be a web address")),
        "{errors:?}"
    );
}

#[test]
fn badly_shaped_manual_folders_are_reported_all_at_once() {
    let site = tools_site();
    let root = site.path();
    write(root, "content/manuals/tools/stray.md", "# Stray\n");
    write(
        root,
        "content/manuals/tools/LICENSE.md",
        "A side file: allowed.\n",
    );
    write(root, "content/manuals/other/1.0/01-a.md", "# A\n");
    write(
        root,
        "content/manuals/third/manual.toml",
        "title = \"Third\"\nlicense = \"MIT\"\ncolour = \"red\"\n",
    );
    let errors = build_errors(root);
    assert_eq!(
        errors,
        [
            "content/manuals/other: a manual needs a manual.toml (title, summary, license, authors)",
            "content/manuals/third/manual.toml:3:1: unknown field `colour`, expected one of `title`, `summary`, `license`, `authors`, `forked_from`, `ancestors`",
            "content/manuals/tools/stray.md: a chapter belongs in a version folder, like 1.0/",
        ]
    );
}

#[test]
fn bad_names_licenses_and_versions_are_reported_all_at_once() {
    let site = tools_site();
    let root = site.path();
    write(
        root,
        "content/manuals/tools/manual.toml",
        "title = \"Tools\"\nlicense = \"CC BY-SA 4.0\"\n",
    );
    write(root, "content/manuals/tools/v2/01-intro.md", "# Intro\n");
    write(root, "content/manuals/tools/1.2/print.md", "# Print\n");
    write(root, "content/manuals/tools/1.10/01-a.md", "# A\n");
    write(root, "content/manuals/tools/1.1.0/01-a.md", "# A\n");
    write(root, "content/manuals/tools/1.3/01-Big Title.md", "# A\n");
    write(root, "content/manuals/tools/1.3/big_title.md", "# B\n");
    write(root, "content/manuals/tools/1.4/CHANGES.md", "nothing\n");
    let errors = build_errors(root).join("\n");
    for expected in [
        "content/manuals/tools/manual.toml:2: license: \"CC BY-SA 4.0\" is not an SPDX license expression; did you mean CC-BY-SA-4.0?",
        "content/manuals/tools/v2: version folder \"v2\" is not a version number like 1.0 or 2.10",
        "content/manuals/tools/1.2/print.md: the chapter name \"print\" is taken",
        "content/manuals/tools/1.1.0: version 1.1.0 is the same number as version 1.1",
        "content/manuals/tools/1.3/big_title.md: big_title.md and 01-Big Title.md make the same URL name \"big-title\"; rename one of them",
        "content/manuals/tools/1.4: a version folder needs at least one chapter",
    ] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
}

#[test]
fn the_example_site_manuals_show_versions_changes_and_lineage() {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("public");
    build_to(&example_site(), &out_dir);
    let changes = read(&out_dir, "manuals/community-solar/1.1/changes/index.html");
    assert!(changes.contains("Renamed from"), "{changes}");
    assert!(changes.contains("04-sharing-the-power.md"), "{changes}");
    assert!(
        changes.contains("New in this version: <code>05-maintenance.md</code>"),
        "{changes}"
    );
    let fridge = read(&out_dir, "manuals/community-fridge/index.html");
    assert!(
        fridge.contains("Forked from <a href=\"https://fridges.example.org/handbook/\">Community Fridge Handbook</a> 2.3"),
        "{fridge}"
    );
    assert!(
        out_dir
            .join("manuals/community-solar/community-solar-1.0.zip")
            .is_file()
    );
    let sitemap = read(&out_dir, "sitemap.xml");
    assert!(sitemap.contains("https://riverside.example/manuals/community-solar/1.1/wiring/"));
}
