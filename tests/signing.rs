//! A copy that cannot be forged: `tally keygen`, `tally build --sign`, and `tally verify`
//! with the network's public key (the signature first) or with the site's sources (a
//! byte-for-byte rebuild). What tally signs is checked with independent minisign
//! implementations: the `minisign-verify` crate and, when installed (always in CI), the
//! `minisign` tool.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// A signing setup: a key pair outside the site, the example site with `[signing]`.
struct Signed {
    _dir: tempfile::TempDir,
    keys: PathBuf,
    site: PathBuf,
    out: PathBuf,
}

impl Signed {
    fn key(&self) -> PathBuf {
        self.keys.join("tally.key")
    }
    fn public(&self) -> PathBuf {
        self.keys.join("tally.pub")
    }
}

/// Runs `tally keygen DIR`; the public key (`RW…`) it printed for tally.toml.
fn keygen(dir: &Path) -> String {
    let result = tally(&["keygen", dir.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    let said = String::from_utf8_lossy(&result.stdout).into_owned();
    let line = said
        .lines()
        .find(|l| l.starts_with("public_key = "))
        .unwrap_or_else(|| panic!("no public_key line in: {said}"));
    line.trim_start_matches("public_key = \"")
        .trim_end_matches('"')
        .to_string()
}

/// A key pair and a copy of the example site whose tally.toml publishes its public key.
fn signed_setup() -> Signed {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let site = dir.path().join("site");
    let public_key = keygen(&keys);
    copy_example_site(&site);
    // The example site publishes a key whose secret half is not at hand: use ours.
    let config: String = read(&site, "tally.toml")
        .lines()
        .map(|line| {
            if line.starts_with("public_key = ") {
                format!("public_key = \"{public_key}\"\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect();
    assert!(
        config.contains(&public_key),
        "the example site has [signing]"
    );
    write(&site, "tally.toml", &config);
    let out = dir.path().join("copy");
    Signed {
        _dir: dir,
        keys,
        site,
        out,
    }
}

fn build_signed(s: &Signed) -> Output {
    let result = tally(&[
        "build",
        s.site.to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
        "--sign",
        "--key",
        s.key().to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    result
}

fn verify_with_key_file(copy: &Path, public: &Path) -> Output {
    tally(&[
        "verify",
        copy.to_str().unwrap(),
        "--key-file",
        public.to_str().unwrap(),
    ])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Checks `copy/manifest.json` against its signature with the `minisign-verify` crate.
fn independent_check(copy: &Path, public: &Path) -> Result<(), minisign_verify::Error> {
    let key = minisign_verify::PublicKey::from_file(public)?;
    let signature = minisign_verify::Signature::from_file(copy.join("manifest.json.minisig"))?;
    let manifest = std::fs::read(copy.join("manifest.json")).unwrap();
    key.verify(&manifest, &signature, false)
}

/// Runs `minisign -Vm manifest.json -p PUB` in `copy`, as the README tells residents;
/// `None` (with a NOTICE) when the tool is not installed outside CI.
fn minisign_tool(copy: &Path, public: &Path) -> Option<Output> {
    let run = Command::new("minisign")
        .current_dir(copy)
        .args(["-Vm", "manifest.json", "-p"])
        .arg(public)
        .output();
    match run {
        Ok(output) => Some(output),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("CI must have the minisign tool (.ci/run installs it): {e}")
        }
        Err(e) => {
            eprintln!(
                "NOTICE: minisign not found ({e}); the check with the minisign tool is skipped"
            );
            None
        }
    }
}

/// Changes a figure on a weekly report and writes the page's new hash into the
/// manifest, as a forger holding the copy would; the page changed.
fn forge_a_report(copy: &Path) -> String {
    let page = read_tree(copy)
        .into_keys()
        .find(|p| p.starts_with("reports/2026-W") && p.ends_with("/index.html"))
        .expect("a weekly report");
    let text = read(copy, &page);
    let digit = text
        .char_indices()
        .skip(text.find("<main").unwrap_or(0))
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .expect("a figure");
    let mut forged = text.clone();
    let old = &text[digit..digit + 1];
    forged.replace_range(digit..digit + 1, if old == "9" { "8" } else { "9" });
    write(copy, &page, &forged);
    let manifest = read(copy, "manifest.json");
    let (old, new) = (sha256(text.as_bytes()), sha256(forged.as_bytes()));
    assert!(manifest.contains(&old));
    write(copy, "manifest.json", &manifest.replace(&old, &new));
    page
}

#[test]
fn a_signed_copy_verifies_with_its_key_and_with_independent_minisign_implementations() {
    let s = signed_setup();
    let built = stdout(&build_signed(&s));
    assert!(built.contains("signed manifest.json with key"), "{built}");
    // The public key is published as keygen wrote it.
    let public = std::fs::read(s.public()).unwrap();
    assert_eq!(
        std::fs::read(s.out.join(".well-known/tally.pub")).unwrap(),
        public
    );
    assert_eq!(std::fs::read(s.out.join("data/tally.pub")).unwrap(), public);
    // The manifest binds the release and the seal chain; the signature's trusted comment
    // names them too.
    let manifest: serde_json::Value = serde_json::from_str(&read(&s.out, "manifest.json")).unwrap();
    assert_eq!(manifest["release"], "2026.48");
    let head = manifest["seal_chain"].as_str().unwrap().to_string();
    assert_eq!(head.len(), 64);

    let result = verify_with_key_file(&s.out, &s.public());
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stdout(&result).contains("good signature by key"),
        "{}",
        stdout(&result)
    );
    let key = read(&s.keys, "tally.pub")
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let result = tally(&["verify", s.out.to_str().unwrap(), "--key", &key]);
    assert!(result.status.success(), "{}", stderr(&result));

    independent_check(&s.out, &s.public()).expect("minisign-verify accepts the signature");
    let signature =
        minisign_verify::Signature::from_file(s.out.join("manifest.json.minisig")).unwrap();
    assert!(signature.trusted_comment().contains("release 2026.48"));
    assert!(signature.trusted_comment().contains(&head));
    if let Some(tool) = minisign_tool(&s.out, &s.public()) {
        assert!(tool.status.success(), "minisign: {}", stderr(&tool));
        assert!(
            stdout(&tool).contains("release 2026.48"),
            "{}",
            stdout(&tool)
        );
    }
}

#[test]
fn a_forged_manifest_fails_with_the_signature_error() {
    let s = signed_setup();
    build_signed(&s);
    let page = forge_a_report(&s.out);
    // Without a key the forgery passes every hash: it says so.
    let result = tally(&["verify", s.out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stdout(&result).contains("unauthenticated"),
        "{}",
        stdout(&result)
    );
    // With the key it fails, plainly.
    let result = verify_with_key_file(&s.out, &s.public());
    assert_eq!(result.status.code(), Some(1), "{}", stdout(&result));
    let said = stderr(&result);
    let first = said
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ");
    assert!(first.starts_with("signature: BAD SIGNATURE"), "{said}");
    assert!(said.contains("changed after it was signed"), "{said}");
    assert!(!said.contains(&format!("changed: {page}")), "{said}");
    assert!(independent_check(&s.out, &s.public()).is_err());
    if let Some(tool) = minisign_tool(&s.out, &s.public()) {
        assert!(
            !tool.status.success(),
            "minisign accepted a forged manifest"
        );
    }
}

#[test]
fn a_copy_signed_by_another_key_fails() {
    let s = signed_setup();
    build_signed(&s);
    let other = s.keys.parent().unwrap().join("other-keys");
    keygen(&other);
    let result = verify_with_key_file(&s.out, &other.join("tally.pub"));
    assert_eq!(result.status.code(), Some(1), "{}", stdout(&result));
    assert!(
        stderr(&result).contains("not by the key given"),
        "{}",
        stderr(&result)
    );
    assert!(independent_check(&s.out, &other.join("tally.pub")).is_err());
}

#[test]
fn a_missing_signature_fails_and_says_the_copy_is_not_signed() {
    let s = signed_setup();
    build_signed(&s);
    std::fs::remove_file(s.out.join("manifest.json.minisig")).unwrap();
    let result = verify_with_key_file(&s.out, &s.public());
    assert_eq!(result.status.code(), Some(1));
    assert!(
        stderr(&result).contains("manifest.json.minisig is missing: this copy is not signed"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn signing_with_a_key_that_is_not_the_published_one_is_refused() {
    let s = signed_setup();
    let other = s.keys.parent().unwrap().join("other-keys");
    keygen(&other);
    let result = tally(&[
        "build",
        s.site.to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
        "--key",
        other.join("tally.key").to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("publishes key"),
        "{}",
        stderr(&result)
    );
    assert!(!s.out.exists(), "a refused build writes nothing");
}

#[test]
fn the_secret_key_is_refused_inside_the_site() {
    let s = signed_setup();
    let inside = s.site.join("secrets/tally.key");
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    std::fs::copy(s.key(), &inside).unwrap();
    let result = tally(&[
        "build",
        s.site.to_str().unwrap(),
        "--sign",
        "--key",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("inside the site"),
        "{}",
        stderr(&result)
    );
    assert!(!s.site.join("public").exists());
    // keygen will not write into a site either.
    let result = tally(&["keygen", s.site.join("keys").to_str().unwrap()]);
    assert_eq!(result.status.code(), Some(2));
}

#[test]
fn a_signed_site_built_without_a_key_says_so_and_tally_signing_key_signs_it() {
    let s = signed_setup();
    let result = tally(&[
        "build",
        s.site.to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stdout(&result).contains("not signed: tally.toml has [signing]"),
        "{}",
        stdout(&result)
    );
    assert!(!s.out.join("manifest.json.minisig").exists());
    // The key is published all the same, and /data/ names it.
    assert!(s.out.join(".well-known/tally.pub").exists());
    assert!(read(&s.out, "data/index.html").contains("href=\"tally.pub\""));

    let result = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args([
            "build",
            s.site.to_str().unwrap(),
            "--out",
            s.out.to_str().unwrap(),
            "--sign",
        ])
        .env("TALLY_SIGNING_KEY", s.key())
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(verify_with_key_file(&s.out, &s.public()).status.success());
    // A site without [signing] says nothing of signing.
    let plain = minimal_site();
    let result = tally(&["build", plain.path().to_str().unwrap()]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(!stdout(&result).contains("sign"), "{}", stdout(&result));
}

#[test]
fn verify_with_the_sources_names_a_changed_page_and_passes_a_faithful_copy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copy");
    build_to(&example_site(), &out);
    let site = example_site();
    let result = tally(&[
        "verify",
        out.to_str().unwrap(),
        "--source",
        site.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "{}", stderr(&result));
    assert!(
        stdout(&result).contains("equal a rebuild of"),
        "{}",
        stdout(&result)
    );

    let page = forge_a_report(&out);
    write(&out, "extra.html", "<p>planted</p>\n");
    let result = tally(&[
        "verify",
        out.to_str().unwrap(),
        "--source",
        site.to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(1));
    let said = stderr(&result);
    assert!(
        said.contains(&format!("source: {page} differs from the rebuild")),
        "{said}"
    );
    assert!(
        said.contains("source: manifest.json differs from the rebuild"),
        "{said}"
    );
    assert!(
        said.contains("source: extra.html is in the copy but not in the rebuild"),
        "{said}"
    );
}
