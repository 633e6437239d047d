//! History that cannot be rewritten: the manifest, `tally verify`, byte-identical builds,
//! and sealed weeks (`tally seal`, amendments).

mod common;

use std::path::Path;

use common::*;

fn build_into(site: &Path, out: &Path) {
    let result = tally(&[
        "build",
        site.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
}

fn verify(dir: &Path) -> std::process::Output {
    tally(&["verify", dir.to_str().unwrap()])
}

#[test]
fn two_builds_into_different_folders_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a"), out.path().join("nested/b"));
    build_into(&example_site(), &a);
    build_into(&example_site(), &b);
    let (a, b) = (read_tree(&a), read_tree(&b));
    assert!(a.len() > 10, "only {} files", a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(&b[path] == bytes, "{path} differs between two builds");
    }
}

#[test]
fn the_manifest_lists_every_other_output_file_with_its_sha256() {
    let out = tempfile::tempdir().unwrap();
    build_into(&example_site(), out.path());
    let files = read_tree(out.path());
    let manifest: serde_json::Value =
        serde_json::from_slice(&files["manifest.json"]).expect("manifest.json is JSON");
    let listed = manifest["files"].as_object().unwrap();
    assert_eq!(listed.len(), files.len() - 1, "every file but the manifest");
    assert!(!listed.contains_key("manifest.json"));
    for (path, bytes) in &files {
        if path != "manifest.json" {
            assert_eq!(listed[path].as_str().unwrap(), sha256(bytes), "{path}");
        }
    }
    assert_eq!(
        manifest["generator"],
        format!("tally {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(manifest["inputs"].as_str().unwrap().len(), 64);
}

#[test]
fn the_inputs_digest_changes_with_any_source_file_and_nothing_else() {
    let site = minimal_site();
    let out = tempfile::tempdir().unwrap();
    let inputs = |dir: &Path| -> String {
        build_into(site.path(), dir);
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        manifest["inputs"].as_str().unwrap().to_string()
    };
    let first = inputs(&out.path().join("1"));
    // The output folder inside the site is not an input.
    build_into(site.path(), &site.path().join("public"));
    assert_eq!(inputs(&out.path().join("2")), first);
    write(site.path(), "data/notes.txt", "one more source file\n");
    assert_ne!(inputs(&out.path().join("3")), first);
}

#[test]
fn verify_accepts_a_faithful_copy() {
    let out = tempfile::tempdir().unwrap();
    build_into(&example_site(), out.path());
    let result = verify(out.path());
    assert!(result.status.success(), "{}", stderr(&result));
    let said = String::from_utf8_lossy(&result.stdout);
    assert!(said.starts_with("ok: "), "{said}");
    assert!(said.contains("files match manifest.json"), "{said}");
}

#[test]
fn verify_catches_one_changed_byte_in_any_output_file() {
    let out = tempfile::tempdir().unwrap();
    build_into(&example_site(), out.path());
    let files = read_tree(out.path());
    // Up to three files of each kind (by extension), and the manifest itself.
    let mut per_kind: std::collections::BTreeMap<&str, usize> = Default::default();
    let chosen = files.iter().filter(|(path, bytes)| {
        let kind = path.rsplit('.').next().unwrap_or("");
        let n = per_kind.entry(kind).or_default();
        *n += 1;
        !bytes.is_empty() && (*n <= 3 || path.as_str() == "manifest.json")
    });
    let mut tried = 0;
    for (path, bytes) in chosen {
        let file = out.path().join(path);
        for at in [0, bytes.len() / 2, bytes.len() - 1] {
            let mut changed = bytes.clone();
            changed[at] ^= 0x01;
            std::fs::write(&file, &changed).unwrap();
            let result = verify(out.path());
            assert_eq!(
                result.status.code(),
                Some(1),
                "a changed byte {at} in {path} went unnoticed"
            );
            if path != "manifest.json" {
                assert!(
                    stderr(&result).contains(&format!("changed: {path}")),
                    "{path}: {}",
                    stderr(&result)
                );
            }
            tried += 1;
        }
        std::fs::write(&file, bytes).unwrap();
    }
    assert!(tried >= 15, "only {tried} changes tried");
    assert!(
        verify(out.path()).status.success(),
        "restored copy verifies"
    );
}

#[test]
fn verify_names_missing_and_unexpected_files() {
    let out = tempfile::tempdir().unwrap();
    build_into(&example_site(), out.path());
    std::fs::remove_file(out.path().join("404.html")).unwrap();
    write(out.path(), "about/extra.js", "alert(1)");
    let result = verify(out.path());
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(err.contains("missing: 404.html"), "{err}");
    assert!(err.contains("unexpected: about/extra.js"), "{err}");
    assert!(err.contains("2 mismatches"), "{err}");
}

#[test]
fn verify_without_a_manifest_fails() {
    let out = tempfile::tempdir().unwrap();
    write(out.path(), "index.html", "<p>hello</p>");
    let result = verify(out.path());
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("manifest.json"),
        "{}",
        stderr(&result)
    );
}
