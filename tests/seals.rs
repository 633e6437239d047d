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

/// Two builds, into different folders and from copies of the site in different folders,
/// give the same files, byte for byte.
#[test]
fn two_builds_into_different_folders_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("elsewhere/riverside");
    copy_example_site(&copy);
    build_into(&example_site(), &dir.path().join("a"));
    build_into(&copy, &copy.join("public"));
    let (a, b) = (
        read_tree(&dir.path().join("a")),
        read_tree(&copy.join("public")),
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &a {
        assert!(&b[path] == bytes, "{path} depends on where the site is");
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
    let err = fails(&["verify", out.path().to_str().unwrap()]);
    assert!(err.contains("missing: 404.html"), "{err}");
    assert!(err.contains("unexpected: about/extra.js"), "{err}");
    assert!(err.contains("2 mismatches"), "{err}");
}

#[test]
fn verify_without_a_manifest_fails() {
    let out = tempfile::tempdir().unwrap();
    write(out.path(), "index.html", "<p>hello</p>");
    let err = fails(&["verify", out.path().to_str().unwrap()]);
    assert!(err.contains("manifest.json"), "{err}");
}

/// A site whose ledger spans weeks 2026-W02 to 2026-W05 (in progress), in two files.
fn ledger_site() -> tempfile::TempDir {
    let site = minimal_site();
    // Its minutes are dated in March: they would make every week of January closed.
    std::fs::remove_file(site.path().join("content/minutes/2026-03-02-assembly.md")).unwrap();
    write(
        site.path(),
        "data/rates.csv",
        "unit,category,rate,currency,valid_from,source\nkg,food,3.80,EUR,2026-01-01,Retail price\n",
    );
    write(
        site.path(),
        "data/ledger/pantry.csv",
        "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n\
         2026-01-05,pantry,food,contribution,40,kg,,,farm-01,\n\
         2026-01-06,pantry,food,service,6.50,kg,P-0001,,hh-001,\n\
         2026-01-07,pantry,food,service,4,kg,P-0002,,hh-002,\"ate, then left\"\n\
         2026-01-13,pantry,food,service,7.25,kg,P-0003,,hh-001,\n\
         2026-01-21,pantry,food,service,2,kg,P-0004,,hh-003,\n",
    );
    write(
        site.path(),
        "data/ledger/van.csv",
        "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n\
         2026-01-14,pantry,food,service,3,kg,V-0001,,hh-004,\n\
         2026-01-28,pantry,food,service,1,kg,V-0002,,hh-005,\n",
    );
    site
}

fn seal(site: &Path) -> std::process::Output {
    let result = tally(&["seal", site.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    result
}

fn build(site: &Path) -> std::process::Output {
    tally(&["build", site.to_str().unwrap(), "--quiet"])
}

fn lock(site: &Path) -> String {
    std::fs::read_to_string(site.join("tally.lock")).expect("tally.lock")
}

/// `key = "value"` of the `[[seal]]` entry of `week` in the lock.
fn sealed_value(site: &Path, week: &str, key: &str) -> String {
    let lock = lock(site);
    let entry = lock
        .split("[[seal]]")
        .find(|e| e.contains(&format!("week = \"{week}\"")))
        .unwrap_or_else(|| panic!("{week} is not sealed:\n{lock}"));
    let line = entry
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap();
    line.split('"').nth(1).unwrap().to_string()
}

/// The canonical lines of week 2026-W02 of [`ledger_site`], sorted: all ten columns.
const W02_CANONICAL: &str = "2026-01-05,pantry,food,contribution,40,kg,,,farm-01,\n\
                             2026-01-06,pantry,food,service,6.5,kg,P-0001,,hh-001,\n\
                             2026-01-07,pantry,food,service,4,kg,P-0002,,hh-002,ate%2C then left\n";

/// The site's `data/seal.key`.
fn seal_key(site: &Path) -> tally::digest::SealKey {
    tally::digest::SealKey::parse(&read(site, "data/seal.key")).expect("a seal key")
}

#[test]
fn seal_seals_every_closed_week_and_leaves_the_week_in_progress() {
    let site = ledger_site();
    let said = String::from_utf8_lossy(&seal(site.path()).stdout).into_owned();
    assert!(
        said.contains("sealed 3 entries (2026-W02 to 2026-W04)"),
        "{said}"
    );
    let lock = lock(site.path());
    assert_eq!(lock.matches("[[seal]]").count(), 3, "{lock}");
    assert!(
        !lock.contains("2026-W05"),
        "the week in progress is not sealed"
    );
    // The first week's digest is the HMAC-SHA256 of its canonical rows, sorted, under
    // the seal key that the first seal created.
    assert_eq!(
        sealed_value(site.path(), "2026-W02", "digest"),
        seal_key(site.path()).digest(W02_CANONICAL.as_bytes())
    );
    assert_eq!(
        sealed_value(site.path(), "2026-W02", "key"),
        seal_key(site.path()).id()
    );
    let first_chain = sha256(
        format!(
            "{}{}",
            "0".repeat(64),
            sealed_value(site.path(), "2026-W02", "digest")
        )
        .as_bytes(),
    );
    assert_eq!(sealed_value(site.path(), "2026-W02", "chain"), first_chain);
}

#[test]
fn seal_is_idempotent_and_append_only() {
    let site = ledger_site();
    seal(site.path());
    let first = std::fs::read(site.path().join("tally.lock")).unwrap();
    let said = String::from_utf8_lossy(&seal(site.path()).stdout).into_owned();
    assert!(said.starts_with("nothing to seal"), "{said}");
    assert_eq!(
        std::fs::read(site.path().join("tally.lock")).unwrap(),
        first,
        "sealing again changes nothing"
    );
    // A new week of data closes 2026-W05: only it is appended, after the old bytes.
    write(
        site.path(),
        "data/ledger/later.csv",
        "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n\
         2026-02-03,pantry,food,service,5,kg,L-0001,,hh-006,\n",
    );
    let said = String::from_utf8_lossy(&seal(site.path()).stdout).into_owned();
    assert!(
        said.contains("sealed 1 entry (2026-W05 to 2026-W05)"),
        "{said}"
    );
    let second = std::fs::read(site.path().join("tally.lock")).unwrap();
    assert!(second.len() > first.len());
    assert_eq!(&second[..first.len()], &first[..], "the old bytes are kept");
    assert_eq!(
        sealed_value(site.path(), "2026-W05", "chain"),
        sha256(
            format!(
                "{}{}",
                sealed_value(site.path(), "2026-W04", "chain"),
                sealed_value(site.path(), "2026-W05", "digest")
            )
            .as_bytes()
        )
    );
}

#[test]
fn seals_reject_a_changed_week_naming_it_and_both_digests() {
    let site = ledger_site();
    seal(site.path());
    let sealed = sealed_value(site.path(), "2026-W03", "digest");
    let pantry = read(site.path(), "data/ledger/pantry.csv");
    write(
        site.path(),
        "data/ledger/pantry.csv",
        &pantry.replace(
            "2026-01-13,pantry,food,service,7.25",
            "2026-01-13,pantry,food,service,7.5",
        ),
    );
    let err = fails(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(err.contains("tally.lock:"), "{err}");
    assert!(err.contains("2026-W03 was sealed with digest"), "{err}");
    assert!(err.contains(&sealed), "{err}");
    assert_eq!(err.matches(" was sealed ").count(), 1, "only W03: {err}");
    assert!(!site.path().join("public").exists(), "nothing written");
    // A private column is sealed too.
    write(
        site.path(),
        "data/ledger/pantry.csv",
        &pantry.replace("P-0003,,hh-001", "P-0003,,hh-009"),
    );
    let err = stderr(&build(site.path()));
    assert!(err.contains("2026-W03 was sealed with digest"), "{err}");
    // So is a row removed, and sealing over the change is refused.
    write(
        site.path(),
        "data/ledger/van.csv",
        "date,cell,category,kind,quantity,unit,receipt,to_cell,counterparty,memo\n",
    );
    write(site.path(), "data/ledger/pantry.csv", &pantry);
    let err = fails(&["seal", site.path().to_str().unwrap()]);
    assert!(err.contains("2026-W03 was sealed"), "{err}");
}

#[test]
fn an_amendment_lets_the_build_pass_and_the_report_shows_it_with_both_digests() {
    let site = ledger_site();
    seal(site.path());
    let sealed = sealed_value(site.path(), "2026-W03", "digest");
    replace(
        site.path(),
        "data/ledger/van.csv",
        "2026-01-14,pantry,food,service,3,",
        "2026-01-14,pantry,food,service,2,",
    );
    write(
        site.path(),
        "data/amendments.csv",
        "week,date,reason\n2026-W03,2026-01-30,\"V-0001 was 2 kg, not 3 (weighing error)\"\n",
    );
    let result = build(site.path());
    assert!(result.status.success(), "{}", stderr(&result));
    let out = site.path().join("public");
    let page = read(&out, "reports/2026-W03/index.html");
    assert!(page.contains("badge amended"), "{page}");
    assert!(
        page.contains("V-0001 was 2 kg, not 3 (weighing error)"),
        "{page}"
    );
    assert!(page.contains("30 January 2026"), "{page}");
    assert!(page.contains(&sealed), "the digest when sealed: {page}");
    let now = sha256(read(&out, "data/canonical/2026-W03.txt").as_bytes());
    assert!(page.contains(&now), "the public digest now: {page}");
    assert!(
        page.contains("The corrected rows are not sealed yet"),
        "{page}"
    );
    // Sealing again appends an entry sealing the amended rows; the original stays.
    let before = lock(site.path());
    seal(site.path());
    let after = lock(site.path());
    assert!(after.starts_with(&before));
    assert!(
        after[before.len()..].contains("amended = \"2026-01-30\""),
        "{after}"
    );
    assert!(build(site.path()).status.success());
    let page = read(&out, "reports/2026-W03/index.html");
    assert!(
        page.contains("badge amended") && page.contains(&sealed),
        "{page}"
    );
    assert!(!page.contains("not sealed yet"), "{page}");
    let seals: serde_json::Value = serde_json::from_str(&read(&out, "data/seals.json")).unwrap();
    assert_eq!(
        seals["seals"].as_array().unwrap().len(),
        4,
        "W02–W04 and the amendment"
    );
}

#[test]
fn moving_a_row_to_another_file_keeps_the_digest() {
    let site = ledger_site();
    seal(site.path());
    let moved = "2026-01-13,pantry,food,service,7.25,kg,P-0003,,hh-001,\n";
    replace(site.path(), "data/ledger/pantry.csv", moved, "");
    let van = read(site.path(), "data/ledger/van.csv");
    // Written differently too: the canonical form normalises the decimal.
    write(
        site.path(),
        "data/ledger/van.csv",
        &format!("{van}{}", moved.replace("7.25", "7.250")),
    );
    let result = build(site.path());
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&site.path().join("public"), "reports/2026-W03/index.html");
    assert!(page.contains("badge sealed"), "{page}");
    assert!(
        page.contains(&sealed_value(site.path(), "2026-W03", "digest")),
        "{page}"
    );
}

#[test]
fn reports_show_their_seal_provisional_weeks_and_the_published_lock() {
    let site = ledger_site();
    // Before sealing: closed weeks are provisional, the last week is in progress.
    assert!(build(site.path()).status.success());
    let out = site.path().join("public");
    assert!(read(&out, "reports/2026-W02/index.html").contains("badge provisional"));
    assert!(read(&out, "reports/2026-W05/index.html").contains("badge in-progress"));
    let list = read(&out, "reports/index.html");
    assert_eq!(list.matches("badge provisional").count(), 3, "{list}");
    seal(site.path());
    assert!(build(site.path()).status.success());
    let page = read(&out, "reports/2026-W02/index.html");
    assert!(page.contains("badge sealed"), "{page}");
    let list = read(&out, "reports/index.html");
    assert_eq!(list.matches("badge sealed").count(), 3, "{list}");
    assert!(!list.contains("badge provisional"), "{list}");
    assert!(page.contains(&sealed_value(site.path(), "2026-W02", "digest")));
    assert!(page.contains(&sealed_value(site.path(), "2026-W02", "chain")));
    assert!(page.contains(&sealed_value(site.path(), "2026-W02", "public_digest")));
    // The command that recomputes the first chain hash starts from 64 zeros.
    let command = format!(
        "{} {} | sha256sum",
        "0".repeat(64),
        sealed_value(site.path(), "2026-W02", "digest")
    );
    assert!(page.contains(&command), "{page}");
    // The public canonical file hashes to the public digest and holds no private column.
    let canonical = read(&out, "data/canonical/2026-W02.txt");
    assert_eq!(
        sha256(canonical.as_bytes()),
        sealed_value(site.path(), "2026-W02", "public_digest")
    );
    assert!(!canonical.contains("hh-00") && !canonical.contains("farm-01"));
    assert!(!canonical.contains("then left"));
    let seals: serde_json::Value = serde_json::from_str(&read(&out, "data/seals.json")).unwrap();
    let entries = seals["seals"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2]["chain"], seals["head"]);
    assert_eq!(
        entries[1]["digest"].as_str().unwrap(),
        sealed_value(site.path(), "2026-W03", "digest")
    );
    let weeks = seals["weeks"].as_array().unwrap();
    assert_eq!(weeks.last().unwrap()["state"], "in progress");
}

#[test]
fn verify_checks_the_seal_chain() {
    let site = ledger_site();
    seal(site.path());
    assert!(build(site.path()).status.success());
    let out = site.path().join("public");
    let result = verify(&out);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        String::from_utf8_lossy(&result.stdout).contains("seal chain of 3 entries intact"),
        "{}",
        String::from_utf8_lossy(&result.stdout)
    );
    // A rewritten digest in seals.json, with the manifest updated to match: the chain
    // still gives it away.
    let seals = read(&out, "data/seals.json");
    let digest = sealed_value(site.path(), "2026-W03", "digest");
    let forged = seals.replace(&digest, &sha256(b"forged"));
    write(&out, "data/seals.json", &forged);
    let manifest =
        read(&out, "manifest.json").replace(&sha256(seals.as_bytes()), &sha256(forged.as_bytes()));
    write(&out, "manifest.json", &manifest);
    let err = fails(&["verify", out.to_str().unwrap()]);
    assert!(err.contains("seals: 2026-W03"), "{err}");
    assert!(
        !err.contains("changed:"),
        "the files match the manifest: {err}"
    );
}

/// Runs a shell command in `dir` and returns what it prints.
fn shell(dir: &Path, script: &str) -> String {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .expect("run sh");
    assert!(output.status.success(), "{script}: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// The README's recipes for a resident, run as written: the public digest from the
/// canonical file and from `ledger.csv`, and the chain with `printf`.
#[test]
fn a_resident_can_check_a_sealed_week_with_sha256sum() {
    let site = ledger_site();
    seal(site.path());
    assert!(build(site.path()).status.success());
    let data = site.path().join("public/data");
    for week in ["2026-W02", "2026-W03", "2026-W04"] {
        let public = sealed_value(site.path(), week, "public_digest");
        let from_file = shell(&data, &format!("sha256sum canonical/{week}.txt"));
        assert!(from_file.starts_with(&public), "{week}: {from_file}");
        let recipe = format!(
            "awk -F, -v week={week} 'NR > 1 && $2 == week {{\n\
             q = $6; if (q ~ /\\./) {{ sub(/0+$/, \"\", q); sub(/\\.$/, \"\", q) }}\n\
             print $1 \",\" $3 \",\" $4 \",\" $5 \",\" q \",\" $7 \",\" $8 \",\" $9 }}' ledger.csv \\\n\
             | LC_ALL=C sort | sha256sum"
        );
        let from_open_data = shell(&data, &recipe);
        assert!(
            from_open_data.starts_with(&public),
            "{week}: {from_open_data}"
        );
    }
    let chain = shell(
        &data,
        &format!(
            "printf '%s%s' {} {} | sha256sum",
            sealed_value(site.path(), "2026-W02", "chain"),
            sealed_value(site.path(), "2026-W03", "digest")
        ),
    );
    assert!(chain.starts_with(&sealed_value(site.path(), "2026-W03", "chain")));
}

/// The README's recipe for the inputs digest gives the manifest's `inputs`.
#[test]
fn the_inputs_digest_is_what_the_readme_recipe_prints() {
    let site = ledger_site();
    seal(site.path());
    write(
        site.path(),
        "content/.draft.md",
        "hidden files are not inputs",
    );
    let out = tempfile::tempdir().unwrap();
    build_into(site.path(), out.path());
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path(), "manifest.json")).unwrap();
    let printed = shell(
        site.path(),
        "find tally.toml tally.lock content data templates static themes -type f ! -name '.*' ! -path data/seal.key 2>/dev/null \\\n  | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum",
    );
    assert!(
        printed.starts_with(manifest["inputs"].as_str().unwrap()),
        "{printed} vs {}",
        manifest["inputs"]
    );
}

#[test]
fn a_bad_row_in_a_sealed_week_is_reported_as_itself_not_as_a_broken_seal() {
    let site = ledger_site();
    seal(site.path());
    replace(
        site.path(),
        "data/ledger/pantry.csv",
        "2026-01-13,pantry,food,service,7.25",
        "2026-01-13,pantry,food,service,7,25",
    );
    let err = fails(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(err.contains("data/ledger/pantry.csv:5"), "{err}");
    assert!(!err.contains("was sealed"), "{err}");
}

#[test]
fn check_counts_sealed_and_provisional_weeks() {
    let site = ledger_site();
    let said = |site: &Path| {
        let result = tally(&["check", site.to_str().unwrap()]);
        assert!(result.status.success(), "{}", stderr(&result));
        String::from_utf8_lossy(&result.stdout).into_owned()
    };
    assert!(said(site.path()).contains("0 weeks sealed (0 amended), 3 provisional"));
    seal(site.path());
    assert!(said(site.path()).contains("3 weeks sealed (0 amended), 0 provisional"));
}

#[test]
fn an_export_with_its_columns_in_another_order_keeps_the_digest() {
    let site = ledger_site();
    seal(site.path());
    write(
        site.path(),
        "data/ledger/van.csv",
        "memo,counterparty,to_cell,receipt,unit,quantity,kind,category,cell,date\n\
         ,hh-004,,V-0001,kg,3.00,service,food,pantry,2026-01-14\n\
         ,hh-005,,V-0002,kg,1,service,food,pantry,2026-01-28\n",
    );
    let result = build(site.path());
    assert!(result.status.success(), "{}", stderr(&result));
    let page = read(&site.path().join("public"), "reports/2026-W03/index.html");
    assert!(page.contains("badge sealed"), "{page}");
}

#[test]
fn verify_with_a_kept_chain_hash_catches_dropped_seals() {
    let site = ledger_site();
    seal(site.path());
    let head = sealed_value(site.path(), "2026-W04", "chain");
    let earlier = sealed_value(site.path(), "2026-W02", "chain");
    // Drop the newest entry: the shorter chain still holds and the build passes.
    let lock = lock(site.path());
    let cut = lock.rfind("\n[[seal]]").unwrap();
    write(site.path(), "tally.lock", &lock[..cut + 1]);
    assert!(build(site.path()).status.success());
    let out = site.path().join("public");
    let dir = out.to_str().unwrap();
    assert!(
        tally(&["verify", dir, "--chain", &earlier])
            .status
            .success()
    );
    let err = fails(&["verify", dir, "--chain", &head]);
    assert!(
        err.contains(&format!("the chain hash {head} is not in this copy")),
        "{err}"
    );
    let result = tally(&["verify", dir, "--chain", "not-a-hash"]);
    assert_eq!(result.status.code(), Some(2));
}

/// Whether `openssl` runs here; in CI it must (`.ci/run` installs it).
fn openssl_runs() -> bool {
    let runs = std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        runs || std::env::var_os("CI").is_none(),
        "openssl is needed for the README's keyed digest recipe and CI must install it (see .ci/run)"
    );
    if !runs {
        eprintln!("NOTICE: openssl is not installed; skipping the README's keyed digest recipe");
    }
    runs
}

/// Someone who guessed every private column of a week right (here: knows them) computes
/// the digest a plain SHA-256 would give: it stands nowhere in the output, so the guess
/// cannot be confirmed; the keyed digest is published instead, and the README's openssl
/// recipe gives it from the lines and the key.
#[test]
fn a_guess_of_the_private_columns_cannot_be_tested_against_anything_published() {
    let site = ledger_site();
    seal(site.path());
    let out = tempfile::tempdir().unwrap();
    build_into(site.path(), out.path());
    let files = read_tree(out.path());
    let guess = sha256(W02_CANONICAL.as_bytes());
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, guess.as_bytes()),
            "{path} confirms the guess"
        );
    }
    let keyed = seal_key(site.path()).digest(W02_CANONICAL.as_bytes());
    assert!(contains(&files["data/seals.json"], keyed.as_bytes()));
    assert!(read(out.path(), "reports/2026-W02/index.html").contains(&keyed));
    if openssl_runs() {
        write(site.path(), "lines.txt", W02_CANONICAL);
        let printed = shell(
            site.path(),
            "LC_ALL=C sort lines.txt | openssl dgst -sha256 -mac HMAC -macopt hexkey:$(cat data/seal.key) -r",
        );
        assert!(printed.starts_with(&keyed), "{printed} vs {keyed}");
    }
}

#[test]
fn the_seal_key_never_reaches_the_output_and_is_created_readable_by_its_owner_only() {
    let site = ledger_site();
    assert!(!site.path().join("data/seal.key").exists());
    let said = stderr(&seal(site.path()));
    assert!(said.contains("created the seal key"), "{said}");
    assert!(said.contains("data/seal.key"), "{said}");
    let key = read(site.path(), "data/seal.key");
    let hex = key.trim();
    assert_eq!(hex.len(), 64, "{key:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(site.path().join("data/seal.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = tempfile::tempdir().unwrap();
    build_into(site.path(), out.path());
    let files = read_tree(out.path());
    assert!(files.len() > 10, "{:?}", files.keys());
    let hashed = sha256(key.as_bytes());
    for (path, bytes) in &files {
        for secret in [hex, hex.to_uppercase().as_str(), hashed.as_str()] {
            assert!(!contains(bytes, secret.as_bytes()), "{path} holds the key");
        }
    }
    // A second seal keeps the key.
    seal(site.path());
    assert_eq!(read(site.path(), "data/seal.key"), key);
}

/// Writes the lock an older tally wrote: every closed week sealed with the unkeyed
/// SHA-256, no `key`. `weeks` limits how many are sealed.
fn seal_without_key(site: &Path, weeks: usize) {
    assert!(!site.join("data/seal.key").exists());
    let prepared = tally::prepare(site, None).expect("the site checks");
    let entries: Vec<_> = prepared.seals.pending().into_iter().take(weeks).collect();
    assert!(entries.iter().all(|e| e.key.is_none()));
    tally::seal::keep_sealed_rows(site, &prepared, &entries).unwrap();
    tally::seal::append(&site.join("tally.lock"), &entries).unwrap();
}

#[test]
fn a_lock_sealed_before_the_key_keeps_building_and_rekey_seals_it_again_with_the_key() {
    let site = ledger_site();
    seal_without_key(site.path(), 3);
    assert_eq!(
        sealed_value(site.path(), "2026-W02", "digest"),
        sha256(W02_CANONICAL.as_bytes())
    );
    let result = build(site.path());
    assert!(result.status.success(), "{}", stderr(&result));
    let status = tally(&["status", site.path().to_str().unwrap()]);
    let status = String::from_utf8_lossy(&status.stdout).into_owned();
    assert!(status.contains("next: tally seal --rekey"), "{status}");
    let before = lock(site.path());
    let said =
        String::from_utf8_lossy(&tally(&["seal", "--rekey", site.path().to_str().unwrap()]).stdout)
            .into_owned();
    assert!(
        said.contains("sealed again with the key 3 entries (2026-W02 to 2026-W04)"),
        "{said}"
    );
    let after = lock(site.path());
    assert!(
        after.starts_with(&before),
        "the unkeyed entries are kept as written"
    );
    let rekeyed = &after[before.len()..];
    assert_eq!(rekeyed.matches("rekeyed = ").count(), 3, "{rekeyed}");
    let key = seal_key(site.path());
    assert!(
        rekeyed.contains(&key.digest(W02_CANONICAL.as_bytes())),
        "{rekeyed}"
    );
    assert!(
        rekeyed.contains(&format!("key = \"{}\"", key.id())),
        "{rekeyed}"
    );
    let out = tempfile::tempdir().unwrap();
    build_into(site.path(), out.path());
    let verified = verify(out.path());
    assert!(verified.status.success(), "{}", stderr(&verified));
    // From the rekey on, a change in a private column is caught with the key.
    replace(
        site.path(),
        "data/ledger/pantry.csv",
        "P-0003,,hh-001,",
        "P-0003,,hh-009,",
    );
    let err = fails(&["build", site.path().to_str().unwrap(), "--quiet"]);
    assert!(err.contains("2026-W03 was sealed with digest"), "{err}");
    assert!(err.contains("only private columns"), "{err}");
}

#[test]
fn seal_refuses_to_seal_onto_unkeyed_weeks_until_they_are_rekeyed() {
    let site = ledger_site();
    seal_without_key(site.path(), 1);
    let path = site.path().to_str().unwrap();
    let refused = tally(&["seal", path]);
    assert_eq!(refused.status.code(), Some(2), "a usage error");
    let err = stderr(&refused);
    assert!(err.contains("tally seal --rekey"), "{err}");
    assert!(
        err.contains("seals 1 week (2026-W02) with unkeyed digests"),
        "{err}"
    );
    assert!(!lock(site.path()).contains("2026-W03"));
    let rekey = tally(&["seal", "--rekey", path]);
    assert!(rekey.status.success(), "{}", stderr(&rekey));
    seal(site.path());
    let lock = lock(site.path());
    assert_eq!(lock.matches("[[seal]]").count(), 4, "{lock}");
    assert_eq!(lock.matches("key = ").count(), 3, "{lock}");
}

#[test]
fn a_missing_or_wrong_seal_key_fails_the_build_naming_the_file() {
    let site = ledger_site();
    seal(site.path());
    let path = site.path().to_str().unwrap();
    let key = read(site.path(), "data/seal.key");
    write(
        site.path(),
        "data/seal.key",
        &format!("{}\n", "0".repeat(64)),
    );
    let err = fails(&["build", path, "--quiet"]);
    assert!(err.contains("data/seal.key: is the seal key"), "{err}");
    assert!(
        !err.contains("was sealed with digest"),
        "one error, not one per week: {err}"
    );
    write(site.path(), "data/seal.key", "not a key\n");
    let err = fails(&["build", path, "--quiet"]);
    assert!(err.contains("data/seal.key:1: not a seal key"), "{err}");
    std::fs::remove_file(site.path().join("data/seal.key")).unwrap();
    let err = fails(&["build", path, "--quiet"]);
    assert!(err.contains("data/seal.key: is missing"), "{err}");
    write(site.path(), "data/seal.key", &key);
    let result = build(site.path());
    assert!(result.status.success(), "{}", stderr(&result));
}
