//! Releases: `tally release` records each release in `releases.toml` (append-only) and
//! `releases/<V>.json`; builds publish the earlier releases' manifests and `/releases/`;
//! `tally verify --releases` tells which release a copy is.

mod common;

use std::path::Path;

use common::*;

fn release(site: &Path, version: &str, note: &str) -> std::process::Output {
    tally(&[
        "release",
        site.to_str().unwrap(),
        "--version",
        version,
        "--note",
        note,
    ])
}

/// The example site without its release history, so a test starts its own.
fn copy_without_releases(to: &Path) {
    copy_example_site(to);
    std::fs::remove_file(to.join("releases.toml")).unwrap();
    std::fs::remove_dir_all(to.join("releases")).unwrap();
}

/// Copies `from` to `to`, file by file.
fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn releases_are_recorded_listed_with_their_changes_and_identify_an_old_copy() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_without_releases(&site);
    let first = release(&site, "2026.48", "The first release");
    assert!(first.status.success(), "{}", stderr(&first));
    let copy = dir.path().join("copy-2026.48");
    copy_tree(&site.join("public"), &copy);
    let stored = std::fs::read(site.join("releases/2026.48.json")).unwrap();
    assert_eq!(stored, std::fs::read(copy.join("manifest.json")).unwrap());
    let recorded = read(&site, "releases.toml");
    assert!(recorded.contains("version = \"2026.48\""), "{recorded}");
    assert!(recorded.contains(&format!("manifest = \"{}\"", sha256(&stored))));

    // The same version again, or the same inputs under a new version, is refused.
    assert_eq!(release(&site, "2026.48", "again").status.code(), Some(2));
    let same = release(&site, "2026.49", "nothing new");
    assert_eq!(same.status.code(), Some(2));
    assert!(stderr(&same).contains("nothing changed since release 2026.48"));

    write(
        &site,
        "content/pages/volunteer.md",
        "+++\ntitle = \"Volunteer\"\n+++\nJoin a cell.\n",
    );
    let second = release(&site, "2026.49", "A volunteering page");
    assert!(second.status.success(), "{}", stderr(&second));
    let out = site.join("public");
    assert_eq!(
        std::fs::read(out.join("releases/2026.48/manifest.json")).unwrap(),
        stored
    );
    // A build of the released sources is that release, byte for byte.
    let released = read_tree(&out);
    build(&site);
    assert!(
        read_tree(&out) == released,
        "a rebuild of release 2026.49 differs"
    );
    assert!(read(&out, "index.html").contains("2026.49"));
    // One more change: this build lists both releases and what 2026.49 changed.
    write(
        &site,
        "content/pages/thanks.md",
        "+++\ntitle = \"Thanks\"\n+++\nThank you.\n",
    );
    build(&site);
    let page = read(&out, "releases/index.html");
    assert!(
        page.find("Release 2026.49") < page.find("Release 2026.48"),
        "newest first"
    );
    assert!(page.contains("A volunteering page"));
    let (from, to) = (
        page.find("Release 2026.49").unwrap(),
        page.find("Release 2026.48").unwrap(),
    );
    let newest = &page[from..to];
    assert!(
        newest.contains("<code>volunteer/index.html</code>"),
        "{newest}"
    );
    assert!(!newest.contains("thanks/index.html"), "{newest}");
    assert!(newest.contains("page /volunteer/"), "{newest}");
    // The footer names the release and links to /releases/; the feed has both releases.
    let home = read(&out, "index.html");
    assert!(
        home.contains("<a href=\"releases/index.html\">release "),
        "no link to the releases in the footer"
    );
    let feed = read(&out, "feed.xml");
    for title in [
        "<title>Release 2026.49: A volunteering page</title>",
        "<title>Release 2026.48: The first release</title>",
    ] {
        assert!(feed.contains(title), "missing {title} in the feed");
    }

    // The old copy is identified by its release…
    let said = tally(&[
        "verify",
        copy.to_str().unwrap(),
        "--releases",
        site.to_str().unwrap(),
    ]);
    assert!(said.status.success(), "{}", stderr(&said));
    assert!(String::from_utf8_lossy(&said.stdout).contains("this copy is release 2026.48 exactly"));
    // …and a tampered one is named, with the file that differs, even when its
    // manifest was rewritten to match.
    let tampered = "about/index.html";
    let text = read(&copy, tampered);
    let forged = text.replacen("<h1", "<h1 data-x", 1);
    write(&copy, tampered, &forged);
    let manifest =
        read(&copy, "manifest.json").replace(&sha256(text.as_bytes()), &sha256(forged.as_bytes()));
    write(&copy, "manifest.json", &manifest);
    let err = fails(&[
        "verify",
        copy.to_str().unwrap(),
        "--releases",
        site.to_str().unwrap(),
    ]);
    assert!(err.contains("the nearest is release 2026.48"), "{err}");
    assert!(err.contains(tampered), "{err}");
}

#[test]
fn a_rewritten_entry_of_releases_toml_fails_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_without_releases(&site);
    let first = release(&site, "2026.48", "The first release");
    assert!(first.status.success(), "{}", stderr(&first));
    replace(
        &site,
        "releases.toml",
        "The first release",
        "A quieter first release",
    );
    let errors = build_errors(&site);
    assert!(
        errors.iter().any(|e| e.starts_with("releases.toml:")
            && e.contains("release 2026.48")
            && e.contains("rewritten")),
        "{errors:?}"
    );
    // `tally check` finds it too.
    assert_eq!(common::check_errors(&site), errors);
}

/// The files of the zip archive `bytes`, by path.
fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        files.insert(entry.name().unwrap().to_string(), content);
    }
    files
}

#[test]
fn build_archive_zips_the_current_release_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_without_releases(&site);
    let site_arg = site.to_str().unwrap();
    // Without a release for these sources, --archive says why and writes nothing.
    std::fs::remove_file(site.join("releases.toml")).ok();
    std::fs::remove_dir_all(site.join("releases")).ok();
    let none = tally(&["build", site_arg, "--archive"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("no release yet"),
        "{}",
        stderr(&none)
    );
    assert!(!site.join("public").exists());

    let first = release(&site, "2026.48", "The first release");
    assert!(first.status.success(), "{}", stderr(&first));
    let built = tally(&["build", site_arg, "--archive", "--quiet"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let out = site.join("public");
    let zip_path = out.join("releases/2026.48.zip");
    let bytes = std::fs::read(&zip_path).unwrap();
    // The same release built again gives the same bytes.
    assert!(
        tally(&["build", site_arg, "--archive", "-q"])
            .status
            .success()
    );
    assert!(
        std::fs::read(&zip_path).unwrap() == bytes,
        "archive bytes differ"
    );

    // The archive holds every other file of the built site, byte for byte.
    let mut site_files = read_tree(&out);
    site_files.remove("releases/2026.48.zip");
    let unzipped = unzip(&bytes);
    assert_eq!(
        unzipped.keys().collect::<Vec<_>>(),
        site_files.keys().collect::<Vec<_>>()
    );
    let css = site_files.keys().find(|p| p.ends_with(".css")).unwrap();
    for path in ["index.html", "manifest.json", css.as_str()] {
        assert!(unzipped[path] == site_files[path], "{path} differs");
    }
    // The output with its archive verifies, and so does the unzipped copy.
    let verified = tally(&["verify", out.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    let copy = dir.path().join("unzipped");
    for (rel, content) in &unzipped {
        let path = copy.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let verified = tally(&["verify", copy.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // Once the sources change, the build is no release: --archive refuses.
    write(
        &site,
        "content/pages/thanks.md",
        "+++\ntitle = \"Thanks\"\n+++\nThank you.\n",
    );
    let changed = tally(&["build", site_arg, "--archive"]);
    assert_eq!(changed.status.code(), Some(2));
    assert!(stderr(&changed).contains("changed since release 2026.48"));
}

/// The example site's first release, 2026.47, as it was published: its archive, kept by
/// `scripts/example-releases.sh` when the example's releases are remade. Unzipped, it is
/// identified as that release, byte for byte.
#[test]
fn a_copy_of_the_example_sites_first_release_is_identified() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy");
    let archive = example_site().join("tests/fixtures/releases/2026.47.zip");
    let file = std::fs::File::open(&archive).unwrap();
    zip::ZipArchive::new(file)
        .unwrap()
        .extract(&copy)
        .expect("the archive unzips");
    let verified = tally(&[
        "verify",
        copy.to_str().unwrap(),
        "--releases",
        example_site().to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&verified.stdout).to_string() + &stderr(&verified);
    assert!(verified.status.success(), "{said}");
    assert!(said.contains("release 2026.47 exactly"), "{said}");
    // One changed byte, and it is no longer that release.
    let page = read(&copy, "about/index.html");
    write(&copy, "about/index.html", &page.replacen("<h1", "<h1 ", 1));
    let err = fails(&[
        "verify",
        copy.to_str().unwrap(),
        "--releases",
        example_site().to_str().unwrap(),
    ]);
    assert!(err.contains("about/index.html"), "{err}");
}
