//! Helpers shared by the integration tests: fixture sites written into temporary
//! folders, running the `tally` binary, reading an output tree.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod invoicing;

/// The repository root: the example site.
pub fn example_site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the example site's sources (not its output) into `to`.
pub fn copy_example_site(to: &Path) {
    let site = example_site();
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(&site).unwrap();
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy());
        let source = matches!(
            top.as_deref(),
            Some(
                "tally.toml"
                    | "tally.lock"
                    | "releases.toml"
                    | "releases"
                    | "content"
                    | "data"
                    | "templates"
                    | "static"
                    | "themes"
            )
        );
        if source && entry.file_type().is_file() {
            let target = to.join(rel);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `tally.toml` of the fixture sites: a title and a base URL.
pub const CONFIG: &str = "title = \"Test Network\"\nbase_url = \"https://test.example/\"\n";

/// [`CONFIG`] with the currency the ledger fixtures are valued in.
pub const CONFIG_EUR: &str =
    "title = \"Test Network\"\nbase_url = \"https://test.example/\"\ncurrency = \"EUR\"\n";

/// The header of a ledger export, in the default column order.
pub const LEDGER_HEADER: &str =
    "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n";

/// A site in a fresh temporary folder holding `files`: (path in the site, text).
pub fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// A minimal valid site in a fresh temporary folder.
pub fn minimal_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "tally.toml",
        "title = \"Test Network\"\nbase_url = \"https://test.example/\"\n",
    );
    write(
        dir.path(),
        "content/pages/about.md",
        "+++\ntitle = \"About us\"\n+++\nWe share.\n",
    );
    write(
        dir.path(),
        "content/minutes/2026-03-02-assembly.md",
        "+++\ntitle = \"March Assembly\"\ndate = 2026-03-02\nassembly = \"north-ward\"\nattendance = 20\n+++\nWe met.\n",
    );
    dir
}

/// [`minimal_site`] with `files` added or replaced: (path in the site, text).
pub fn minimal_site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let site = minimal_site();
    for (path, text) in files {
        write(site.path(), path, text);
    }
    site
}

/// Writes `text` to `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
    std::fs::write(&path, text).expect("write fixture file");
}

/// Replaces `from` by `to` in the site file `root/rel`; `from` must be there.
pub fn replace(root: &Path, rel: &str, from: &str, to: &str) {
    let text = read(root, rel);
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    write(root, rel, &text.replace(from, to));
}

/// Builds `site` into `out` with the library, as `tally build --out OUT` would; panics
/// with the problems when the build fails.
pub fn build_to(site: &Path, out: &Path) {
    if let Err(e) = tally::build(&tally::BuildOptions {
        site: site.to_path_buf(),
        out: Some(out.to_path_buf()),
        base_url: None,
    }) {
        panic!("build of {} failed: {e}", site.display());
    }
}

/// Builds `site` into `site/public` with the library; the output folder.
pub fn build(site: &Path) -> PathBuf {
    let out = site.join("public");
    build_to(site, &out);
    out
}

/// The problems of a build expected to fail, one `file:line: message` each.
pub fn build_errors(site: &Path) -> Vec<String> {
    match tally::build(&tally::BuildOptions {
        site: site.to_path_buf(),
        out: None,
        base_url: None,
    }) {
        Ok(_) => panic!("the build of {} should have failed", site.display()),
        Err(tally::Error::Input(all)) => all.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected input errors, got: {other}"),
    }
}

/// The problems `tally check` finds in `site` (it must fail), one `file:line: message` each.
pub fn check_errors(site: &Path) -> Vec<String> {
    match tally::check(site) {
        Ok(_) => panic!("the check of {} should have failed", site.display()),
        Err(tally::Error::Input(all)) => all.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected input errors, got: {other}"),
    }
}

/// The problems `tally check` finds in `site` before rendering, one `file:line: message`
/// each; empty when there are none.
pub fn problems(site: &Path) -> Vec<String> {
    match tally::prepare(site, None) {
        Ok(_) => Vec::new(),
        Err(tally::Error::Input(all)) => all.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("expected input errors, got: {other}"),
    }
}

/// Runs the tally binary with `args`.
pub fn tally(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .output()
        .expect("run tally")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs the tally binary with `args`, which must fail on bad input (exit status 1);
/// what it printed on stderr.
pub fn fails(args: &[&str]) -> String {
    let result = tally(args);
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    stderr(&result)
}

/// Every file under `dir`, by relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk output");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read(entry.path()).expect("read output file"));
        }
    }
    files
}

/// Reads an output file as text.
pub fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

/// Whether `needle` stands somewhere in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Lowercase hex SHA-256, as `sha256sum` prints it.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether an external program the suite uses (a validator, a browser) can run here.
///
/// On a developer's machine a missing tool skips the check with a NOTICE on stderr. In CI
/// (`CI` set), `.ci/run` installs every such tool, so a missing one fails the test: a
/// green CI always means the check ran.
pub fn external_tool(program: &str, purpose: &str) -> bool {
    if tool_runs(program) {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is needed for {purpose} and CI must install it (see .ci/run)"
    );
    eprintln!("NOTICE: {program} is not installed; skipping {purpose}");
    false
}

/// The first of `programs` that runs here, under the same rule as [`external_tool`].
pub fn first_external_tool(programs: &[&'static str], purpose: &str) -> Option<&'static str> {
    if let Some(found) = programs.iter().copied().find(|p| tool_runs(p)) {
        return Some(found);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "one of {programs:?} is needed for {purpose} and CI must install it (see .ci/run)"
    );
    eprintln!("NOTICE: none of {programs:?} is installed; skipping {purpose}");
    None
}

fn tool_runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A file the test suite carries in `tests/` (schemas, rule sets), by its path there.
pub fn test_data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(rel)
}
