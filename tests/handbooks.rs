//! Handbooks written elsewhere (mdBook and GitBook layouts, `tests/fixtures/handbooks/`)
//! imported with `tally manual import` and built as they are: order from SUMMARY.md,
//! any file names, images beside the chapters, `.html` links, two versions compared,
//! bundles that fork with their images, and `--git-ref` on a repository made here.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/handbooks")
        .join(name)
}

/// Runs `tally manual import` into `site`; panics when it fails. What it printed.
fn import(site: &Path, source: &Path, slug: &str, version: &str, git_ref: Option<&str>) -> String {
    let mut args = vec![
        "manual".to_string(),
        "import".into(),
        source.display().to_string(),
        "--slug".into(),
        slug.into(),
        "--version".into(),
        version.into(),
        "--site".into(),
        site.display().to_string(),
    ];
    if let Some(r) = git_ref {
        args.extend(["--git-ref".into(), r.into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tally(&args);
    assert!(out.status.success(), "import failed: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A minimal site with the GitBook handbook's two versions imported.
fn tool_library() -> (tempfile::TempDir, String) {
    let site = minimal_site();
    let mut said = import(site.path(), &fixture("gitbook-1.0"), "tools", "1.0", None);
    said += &import(site.path(), &fixture("gitbook-1.1"), "tools", "1.1", None);
    (site, said)
}

/// Every `src="…"` and `href="…"` of every HTML page under `out/under` that points into
/// the site names a file of the output, and every `#fragment` on a page of the site is
/// an id on that page. The pages checked and the problems found.
fn dead_references(out: &Path, under: &str) -> (usize, Vec<String>) {
    let mut problems = Vec::new();
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(out.join(under)) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let page = std::fs::read_to_string(entry.path()).unwrap();
        let rel = entry
            .path()
            .strip_prefix(out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for attribute in ["src=\"", "href=\""] {
            for piece in page.split(attribute).skip(1) {
                let target = piece.split('"').next().unwrap_or("");
                if let Some(problem) = dead(out, &rel, target) {
                    problems.push(problem);
                }
            }
        }
    }
    (pages, problems)
}

fn dead(out: &Path, page: &str, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
        return None;
    }
    let target = target.replace("&amp;", "&");
    let (path, fragment) = match target.split_once('#') {
        Some((p, f)) => (p.to_string(), Some(f.to_string())),
        None => (target.clone(), None),
    };
    let file = if path.is_empty() {
        page.to_string()
    } else if let Some(abs) = path.strip_prefix('/') {
        abs.to_string()
    } else {
        let dir = Path::new(page)
            .parent()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        format!("{dir}/{path}")
    };
    let file = percent_decode(&file);
    let file = if file.ends_with('/') || file.is_empty() {
        format!("{file}index.html")
    } else {
        file
    };
    let full = out.join(&file);
    if !full.is_file() {
        return Some(format!("{page}: {target} → {file} does not exist"));
    }
    if let Some(fragment) = fragment.filter(|_| file.ends_with(".html")) {
        let html = std::fs::read_to_string(&full).unwrap();
        if !html.contains(&format!("id=\"{fragment}\"")) {
            return Some(format!("{page}: {target} → no id {fragment:?} in {file}"));
        }
    }
    None
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[test]
fn a_gitbook_handbook_builds_as_it_is_with_every_image_and_link_resolving() {
    let (site, said) = tool_library();
    assert!(said.contains("imported 14 chapters"), "{said}");
    assert!(said.contains("license CC-BY-SA-4.0"), "{said}");
    assert!(
        said.contains("not carried: GitBook plugins youtube, anchors"),
        "{said}"
    );
    assert!(said.contains("styles/website.css"), "{said}");
    let out = build(site.path());

    let (pages, problems) = dead_references(&out, "manuals/tools");
    assert!(pages >= 2 * 14 + 4, "only {pages} pages");
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // README.md is the introduction; `&` and `_` make dashes.
    let intro = read(&out, "manuals/tools/1.0/introduction/index.html");
    assert!(
        intro.contains("<img src=\"/manuals/tools/1.0/img/shelves.png\""),
        "{intro}"
    );
    assert!(
        intro.contains("href=\"/manuals/tools/1.0/purpose-vision/\""),
        "{intro}"
    );
    // An image beside a chapter in a subfolder, and the print page.
    assert!(out.join("manuals/tools/1.0/lending/img/tag.png").is_file());
    let print = read(&out, "manuals/tools/1.1/print/index.html");
    for image in ["img/shelves.png", "lending/img/tag.png", "img/rota.png"] {
        assert!(
            print.contains(&format!("src=\"/manuals/tools/1.1/{image}\"")),
            "{image}"
        );
    }
    // An image written as HTML moves with its file too.
    let ladders = read(&out, "manuals/tools/1.0/ladders/index.html");
    assert!(
        ladders.contains("<img src=\"/manuals/tools/1.0/img/shelves.png\" alt=\"Ladders hang"),
        "{ladders}"
    );
    // `.html` links with an anchor go to the chapter's heading.
    let vision = read(&out, "manuals/tools/1.0/purpose-vision/index.html");
    assert!(
        vision.contains("href=\"/manuals/tools/1.0/coordination/#who-decides\""),
        "{vision}"
    );
}

#[test]
fn summary_order_parts_nesting_and_numbers_of_two_digits_reach_the_sidebar() {
    let (site, _) = tool_library();
    let out = build(site.path());
    let page = read(&out, "manuals/tools/1.0/ladders/index.html");
    let toc = page
        .split("<ol class=\"manual-toc\">")
        .nth(1)
        .unwrap()
        .split("<ul class=\"manual-tools\">")
        .next()
        .unwrap();
    let numbered: Vec<&str> = toc
        .split("<span class=\"toc-number\">")
        .skip(1)
        .map(|s| s.split("</a>").next().unwrap())
        .collect();
    assert_eq!(
        numbered,
        [
            "1</span> Introduction",
            "2</span> Purpose &amp; vision",
            "3</span> Lending",
            "3.1</span> Borrowing a tool",
            "3.2</span> Returns &amp; repairs",
            "4</span> Ladders",
            "5</span> Sewing machines",
            "6</span> Garden tools",
            "7</span> Power tools",
            "8</span> Coordination",
            "9</span> Volunteer rota",
            "10</span> Safety",
            "11</span> Donations",
            "12</span> Insurance",
        ]
    );
    // Sub-chapters are a list nested in their chapter; parts head their chapters.
    assert!(
        toc.contains("Lending</a><ol>\n  <li><a href=\"/manuals/tools/1.0/borrowing-a-tool/\">"),
        "{toc}"
    );
    assert!(
        toc.contains("<li class=\"toc-part\">Working together</li><li><a href=\"/manuals/tools/1.0/coordination/\">"),
        "{toc}"
    );
    // The rota has no heading: its title comes from SUMMARY.md, and the page shows it.
    let rota = read(&out, "manuals/tools/1.0/volunteer-rota/index.html");
    assert!(rota.contains("<h1>Volunteer rota</h1>"), "{rota}");
}

#[test]
fn an_embedded_video_stays_a_visible_link() {
    let (site, _) = tool_library();
    let out = build(site.path());
    let safety = read(&out, "manuals/tools/1.1/safety/index.html");
    assert!(!safety.contains("<iframe"), "{safety}");
    assert!(
        safety.contains("<a href=\"https://video.example/embed/drill-safety\" rel=\"noopener\">"),
        "{safety}"
    );
}

#[test]
fn reordered_chapters_are_moved_and_a_renamed_one_is_one_rename() {
    let (site, _) = tool_library();
    let out = build(site.path());
    let changes = read(&out, "manuals/tools/1.1/changes/index.html");
    assert!(
        changes.contains("4 chapters: 2 changed, 1 renamed, 1 moved."),
        "{changes}"
    );
    assert!(
        changes.contains("The text is the same; the chapter moved from 12th to 3rd."),
        "{changes}"
    );
    let list = changes
        .split("<ul class=\"change-list\">")
        .nth(1)
        .unwrap()
        .split("</ul>")
        .next()
        .unwrap();
    assert_eq!(list.matches("badge renamed").count(), 1, "{list}");
    assert!(
        list.contains("<a href=\"#change-12\">Rota and shifts</a> <span class=\"badge renamed\">renamed</span>"),
        "{list}"
    );
    // A moved chapter shows no diff.
    let safety = changes
        .split("<section class=\"chapter-change\" id=\"change-3\">")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(!safety.contains("class=\"diff\""), "{safety}");
}

#[test]
fn a_bundle_forks_with_its_images_into_a_new_site() {
    let (site, _) = tool_library();
    let out = build(site.path());
    let bytes = std::fs::read(out.join("manuals/tools/tools-1.1.zip")).expect("the bundle");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let names: BTreeSet<String> = archive
        .file_names()
        .map(|n| n.expect("a name").to_string())
        .collect();
    for expected in [
        "tools/1.1/SUMMARY.md",
        "tools/1.1/img/shelves.png",
        "tools/1.1/lending/img/tag.png",
        "tools/1.1/purpose_&_vision.md",
    ] {
        assert!(names.contains(expected), "{expected} not in {names:?}");
    }
    let png = std::fs::read(fixture("gitbook-1.1/img/shelves.png")).unwrap();
    let mut entry = archive.by_name("tools/1.1/img/shelves.png").unwrap();
    let mut zipped = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut zipped).unwrap();
    assert_eq!(zipped, png, "the image is carried byte for byte");
    drop(entry);

    let fork = tempfile::tempdir().unwrap();
    let fork_site = fork.path().join("my-site");
    tally::new::create(&fork_site).expect("tally new");
    archive.extract(fork_site.join("content/manuals")).unwrap();
    let fork_out = build(&fork_site);
    let (_, problems) = dead_references(&fork_out, "manuals/tools");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        std::fs::read(fork_out.join("manuals/tools/1.1/img/shelves.png")).unwrap(),
        png
    );
    // The manifest of the output lists the images.
    let manifest = read(&out, "manifest.json");
    assert!(
        manifest.contains("\"manuals/tools/1.1/lending/img/tag.png\""),
        "{manifest}"
    );
}

#[test]
fn an_mdbook_handbook_builds_with_parts_nesting_and_a_prefix_chapter() {
    let site = minimal_site();
    let said = import(site.path(), &fixture("mdbook"), "seeds", "1.0", None);
    assert!(said.contains("imported 7 chapters"), "{said}");
    assert!(said.contains("license CC0-1.0"), "{said}");
    assert!(said.contains("preprocessor \"katex\""), "{said}");
    let manual = read(site.path(), "content/manuals/seeds/manual.toml");
    assert!(
        manual.contains("title = \"Seed Library Guide\""),
        "{manual}"
    );
    assert!(
        manual.contains("authors = [\"Riverside Seed Circle\"]"),
        "{manual}"
    );
    // The built book (book/) is not the source.
    assert!(!site.path().join("content/manuals/seeds/1.0/book").exists());

    let out = build(site.path());
    let (_, problems) = dead_references(&out, "manuals/seeds");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let home = read(&out, "manuals/seeds/1.0/index.html");
    assert!(
        home.contains("<li class=\"toc-part\">Saving seeds</li>"),
        "{home}"
    );
    assert!(
        home.contains("<span class=\"toc-number\">3.2</span> Tomatoes"),
        "{home}"
    );
    // A chapter without a heading takes its title from SUMMARY.md.
    let swap = read(&out, "manuals/seeds/1.0/the-swap-table/index.html");
    assert!(swap.contains("<h1>The swap table</h1>"), "{swap}");
    let beans = read(&out, "manuals/seeds/1.0/beans-and-peas/index.html");
    assert!(
        beans.contains("<img src=\"/manuals/seeds/1.0/images/rack.png\""),
        "{beans}"
    );
}

#[test]
fn missing_images_links_and_anchors_are_errors_with_file_line_and_a_suggestion() {
    let (site, _) = tool_library();
    let v = "content/manuals/tools/1.1";
    replace(
        site.path(),
        &format!("{v}/coordination.md"),
        "[lending book](lending/borrowing_a_tool.html)",
        "[lending book](lending/borowing_a_tool.html) and ![map](img/map.png) and [aims](purpose_&_vision.md#our-aim)",
    );
    write(site.path(), &format!("{v}/Safety.md"), "# Safety again\n");
    replace(
        site.path(),
        &format!("{v}/ladders.md"),
        "src=\"img/shelves.png\"",
        "src=\"img/shelf.png\"",
    );
    let errors = build_errors(site.path());
    assert_eq!(
        errors,
        [
            format!(
                "{v}/Safety.md: Safety.md and safety.md make the same URL name \"safety\"; rename one of them"
            ),
            format!(
                "{v}/coordination.md:10:43: link to \"lending/borowing_a_tool.html\": no such chapter or file in this version (lending/borowing_a_tool.html); did you mean lending/borrowing_a_tool.md?"
            ),
            format!(
                "{v}/coordination.md:10:92: image \"img/map.png\": no such file in this version (img/map.png)"
            ),
            format!(
                "{v}/coordination.md:10:116: link to \"purpose_&_vision.md#our-aim\": purpose_&_vision.md has no heading #our-aim; did you mean #our-aims?"
            ),
            format!(
                "{v}/ladders.md:7:19: image \"img/shelf.png\": no such file in this version (img/shelf.png)"
            ),
        ]
    );
}

#[test]
fn a_summary_entry_without_its_file_is_an_error_at_its_line() {
    let (site, _) = tool_library();
    replace(
        site.path(),
        "content/manuals/tools/1.1/SUMMARY.md",
        "(donations.md)",
        "(donation.md)",
    );
    let errors = build_errors(site.path());
    assert!(
        errors.contains(&"content/manuals/tools/1.1/SUMMARY.md:21: \"donation.md\" is not a chapter of this version; did you mean donations.md?".to_string()),
        "{errors:?}"
    );
}

/// Runs git in `dir`; panics when it fails.
fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Tool Library",
            "-c",
            "user.email=tools@riverside.example",
        ])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn two_git_tags_become_two_versions_with_a_changes_page() {
    if Command::new("git").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "git is required in CI");
        eprintln!("NOTICE: git not found; --git-ref is not tested");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    git(r, &["init", "-q", "-b", "main"]);
    copy_dir(&fixture("gitbook-1.0"), r);
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "First edition"]);
    git(r, &["tag", "v1.0"]);
    git(r, &["rm", "-q", "-r", "."]);
    copy_dir(&fixture("gitbook-1.1"), r);
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "Second edition"]);
    git(r, &["tag", "v1.1"]);
    // The working tree moves on: the import reads the tags, not the files.
    write(r, "README.md", "# Work in progress\n");

    let site = minimal_site();
    import(site.path(), r, "tools", "1.0", Some("v1.0"));
    import(site.path(), r, "tools", "1.1", Some("v1.1"));
    let imported = read(site.path(), "content/manuals/tools/1.1/README.md");
    assert!(
        imported.starts_with("# Tool Library Handbook"),
        "{imported}"
    );
    let out = build(site.path());
    let changes = read(&out, "manuals/tools/1.1/changes/index.html");
    assert!(
        changes.contains("4 chapters: 2 changed, 1 renamed, 1 moved."),
        "{changes}"
    );
    assert_eq!(
        std::fs::read(out.join("manuals/tools/1.0/img/rota.png")).unwrap(),
        std::fs::read(fixture("gitbook-1.0/img/rota.png")).unwrap()
    );

    let err = fails_usage(&[
        "manual",
        "import",
        &r.display().to_string(),
        "--slug",
        "tools",
        "--version",
        "2.0",
        "--git-ref",
        "v9",
        "--site",
        &site.path().display().to_string(),
    ]);
    assert!(err.contains("has no tag or commit \"v9\""), "{err}");
}

/// Runs tally, which must refuse the command line (exit status 2); its stderr.
fn fails_usage(args: &[&str]) -> String {
    let out = tally(args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn git_ref_without_git_is_a_clear_error() {
    let site = minimal_site();
    let out = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(["manual", "import", "."])
        .args([
            "--slug",
            "tools",
            "--version",
            "1.0",
            "--git-ref",
            "v1.0",
            "--site",
        ])
        .arg(site.path())
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--git-ref needs git, which was not found"),
        "{err}"
    );
    assert!(!site.path().join("content/manuals/tools").exists());
}

#[test]
fn an_import_never_overwrites_a_version() {
    let (site, _) = tool_library();
    let err = fails_usage(&[
        "manual",
        "import",
        &fixture("gitbook-1.0").display().to_string(),
        "--slug",
        "tools",
        "--version",
        "1.0",
        "--site",
        &site.path().display().to_string(),
    ]);
    assert!(err.contains("already exists"), "{err}");
}
