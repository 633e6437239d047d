//! Signed manifests: an Ed25519 key pair in minisign's formats (`tally keygen`), the
//! signature of `manifest.json` written beside it (`tally build --sign`), and its check
//! (`tally verify --key-file`). The cryptography is the `minisign` crate's; this module
//! only reads and writes its files and names the problems. It knows nothing of the site.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The secret key written by `tally keygen`: kept outside the site.
pub const SECRET_KEY_FILE: &str = "tally.key";
/// The public key written by `tally keygen`, in minisign's format.
pub const PUBLIC_KEY_FILE: &str = "tally.pub";
/// The signature of `manifest.json`, beside it in the output.
pub const SIGNATURE_FILE: &str = "manifest.json.minisig";
/// Where a signed site publishes its public key (also at [`DATA_KEY_FILE`]).
pub const WELL_KNOWN_KEY_FILE: &str = ".well-known/tally.pub";
pub const DATA_KEY_FILE: &str = "data/tally.pub";
/// The environment variable naming the secret key file when `--key` is not given.
pub const KEY_ENV: &str = "TALLY_SIGNING_KEY";

/// A public key: what `[signing] public_key` holds and `tally verify --key` takes.
#[derive(Clone)]
pub struct PublicKey(minisign::PublicKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

impl PublicKey {
    /// A key in minisign's base64 form (`RW…`), or the text of a minisign public key
    /// file (an `untrusted comment:` line, then the key).
    pub fn parse(text: &str) -> std::result::Result<PublicKey, String> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .unwrap_or("");
        minisign::PublicKey::from_base64(line)
            .map(PublicKey)
            .map_err(|e| format!("{line:?} is not a minisign public key (RW…): {e}"))
    }

    /// Reads a minisign public key file (`tally.pub`).
    pub fn from_file(path: &Path) -> Result<PublicKey> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        PublicKey::parse(&text).map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
    }

    /// The key's id as minisign prints it: 16 uppercase hex digits.
    pub fn id(&self) -> String {
        key_id(self.0.keynum())
    }

    /// The base64 form, `RW…`.
    pub fn to_base64(&self) -> String {
        self.0.to_base64()
    }

    /// The text of a minisign public key file, as `minisign -G` writes it.
    pub fn file_text(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.id(),
            self.to_base64()
        )
    }
}

/// A secret key read from its file, with its public half.
pub struct SecretKey {
    secret: minisign::SecretKey,
    public: PublicKey,
}

impl SecretKey {
    /// Reads an unencrypted minisign secret key file (as `tally keygen` writes).
    pub fn from_file(path: &Path) -> Result<SecretKey> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let bad = |e: minisign::PError| {
            Error::Usage(format!(
                "{}: not an unencrypted minisign secret key: {e}",
                path.display()
            ))
        };
        let boxed = minisign::SecretKeyBox::from_string(&text).map_err(bad)?;
        let secret = boxed.into_unencrypted_secret_key().map_err(bad)?;
        let public = minisign::PublicKey::from_secret_key(&secret).map_err(bad)?;
        Ok(SecretKey {
            secret,
            public: PublicKey(public),
        })
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The minisign signature (`.minisig` text) of `data`, with `trusted_comment` (one
    /// line, signed too, printed by `minisign -V`). Ed25519 signatures made by minisign
    /// carry fresh randomness, so two signatures of the same bytes differ; both verify.
    pub fn sign(&self, data: &[u8], trusted_comment: &str) -> Result<String> {
        let trusted: String = trusted_comment
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let untrusted = format!("signature from tally secret key {}", self.public.id());
        minisign::sign(
            Some(&self.public.0),
            &self.secret,
            Cursor::new(data),
            Some(&trusted),
            Some(&untrusted),
        )
        .map(|signature| signature.into_string())
        .map_err(|e| Error::Usage(format!("signing {SIGNATURE_FILE} failed: {e}")))
    }
}

/// Checks `signature` (the text of a `.minisig` file) of `data` with `key`; the error
/// says in words what failed.
pub fn verify(data: &[u8], signature: &str, key: &PublicKey) -> std::result::Result<(), String> {
    let signature = minisign::SignatureBox::from_string(signature)
        .map_err(|e| format!("{SIGNATURE_FILE} is not a minisign signature: {e}"))?;
    let signer = key_id(signature.keynum());
    if signer != key.id() {
        return Err(format!(
            "{SIGNATURE_FILE} was made by key {signer}, not by the key given ({}): \
             this copy was not signed by the holder of that key",
            key.id()
        ));
    }
    minisign::verify(&key.0, &signature, Cursor::new(data), true, false, false).map_err(|e| {
        format!(
            "{SIGNATURE_FILE} does not match manifest.json with key {}: \
             the manifest was changed after it was signed ({e})",
            key.id()
        )
    })
}

/// The trusted comment of a signature made by `minisign -V` readers: what was signed.
pub fn trusted_comment(signature: &str) -> Option<String> {
    minisign::SignatureBox::from_string(signature)
        .ok()?
        .trusted_comment()
        .ok()
}

/// What `tally keygen` wrote.
#[derive(Debug)]
pub struct KeyFiles {
    pub secret: PathBuf,
    pub public: PathBuf,
    pub key: PublicKey,
}

/// Writes a new key pair into `dir` (created if missing): `tally.key`, readable by its
/// owner only, and `tally.pub`. Refuses to replace either file, and refuses a folder
/// inside a site (one holding `tally.toml`, or below one).
pub fn keygen(dir: &Path) -> Result<KeyFiles> {
    if let Some(site) = enclosing_site(dir) {
        return Err(Error::Usage(format!(
            "refusing to write a secret key into {}: it is inside the site {} \
             (whatever is in a site can end up published); choose a folder outside it",
            dir.display(),
            site.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let secret_path = dir.join(SECRET_KEY_FILE);
    let public_path = dir.join(PUBLIC_KEY_FILE);
    for path in [&secret_path, &public_path] {
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} exists; refusing to replace a key (move it away first)",
                path.display()
            )));
        }
    }
    let pair = minisign::KeyPair::generate_unencrypted_keypair()
        .map_err(|e| Error::Usage(format!("generating a key pair failed: {e}")))?;
    let key = PublicKey(pair.pk);
    let secret_text = pair
        .sk
        .to_box(Some(&format!("tally secret key {}", key.id())))
        .map_err(|e| Error::Usage(format!("encoding the secret key failed: {e}")))?
        .into_string();
    write_new(&secret_path, secret_text.as_bytes(), true)?;
    write_new(&public_path, key.file_text().as_bytes(), false)?;
    Ok(KeyFiles {
        secret: secret_path,
        public: public_path,
        key,
    })
}

/// Creates `path` (failing if it exists); `private`: readable by its owner only.
fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))
}

/// The file that marks a site's folder: `config::CONFIG_FILE`, named here because the
/// configuration reads keys with this module (a test keeps the two equal).
const SITE_MARKER: &str = "tally.toml";

/// The nearest folder at or above `dir` holding a `tally.toml`, if any.
fn enclosing_site(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join(SITE_MARKER).is_file())
        .map(Path::to_path_buf)
}

/// Refuses a secret key file inside `site` (or inside `out`, which is replaced whole).
pub fn guard_key_path(key: &Path, site: &Path, out: &Path) -> Result<()> {
    let resolve = |p: &Path| p.canonicalize().or_else(|_| std::path::absolute(p));
    let key_abs = key.canonicalize().map_err(|e| Error::io("read", key, e))?;
    for (folder, what) in [(site, "the site"), (out, "the output folder")] {
        if let Ok(folder) = resolve(folder)
            && key_abs.starts_with(&folder)
        {
            return Err(Error::Usage(format!(
                "refusing the secret key {}: it is inside {what} ({}), where it could be \
                 published; keep it outside and pass --key or {KEY_ENV}",
                key.display(),
                folder.display()
            )));
        }
    }
    Ok(())
}

/// A key id (8 bytes, little-endian) as minisign prints it.
fn key_id(keynum: &[u8]) -> String {
    let mut bytes = [0u8; 8];
    for (to, from) in bytes.iter_mut().zip(keynum) {
        *to = *from;
    }
    format!("{:016X}", u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_site_marker_is_the_configuration_file() {
        assert_eq!(super::SITE_MARKER, crate::config::CONFIG_FILE);
    }

    use super::*;

    #[test]
    fn a_signature_verifies_with_its_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let one = keygen(&dir.path().join("one")).unwrap();
        let two = keygen(&dir.path().join("two")).unwrap();
        let secret = SecretKey::from_file(&one.secret).unwrap();
        assert_eq!(secret.public().id(), one.key.id());
        let signature = secret.sign(b"{}\n", "release 1\nseal chain x").unwrap();
        assert_eq!(
            trusted_comment(&signature).as_deref(),
            Some("release 1 seal chain x")
        );
        assert!(verify(b"{}\n", &signature, &one.key).is_ok());
        let changed = verify(b"{ }\n", &signature, &one.key).unwrap_err();
        assert!(changed.contains("changed after it was signed"), "{changed}");
        let other = verify(b"{}\n", &signature, &two.key).unwrap_err();
        assert!(other.contains("not by the key given"), "{other}");
    }

    #[test]
    fn public_keys_read_from_a_line_or_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let files = keygen(dir.path()).unwrap();
        let text = std::fs::read_to_string(&files.public).unwrap();
        assert!(text.starts_with("untrusted comment: minisign public key "));
        let from_file = PublicKey::from_file(&files.public).unwrap();
        let from_line = PublicKey::parse(&from_file.to_base64()).unwrap();
        assert_eq!(from_file.id(), from_line.id());
        assert!(from_line.to_base64().starts_with("RW"));
        assert!(PublicKey::parse("RWnot-a-key").is_err());
    }

    #[test]
    fn keygen_refuses_to_replace_a_key_and_to_write_into_a_site() {
        let dir = tempfile::tempdir().unwrap();
        keygen(dir.path()).unwrap();
        assert!(keygen(dir.path()).is_err());
        std::fs::write(dir.path().join("tally.toml"), "").unwrap();
        let err = keygen(&dir.path().join("keys")).unwrap_err().to_string();
        assert!(err.contains("inside the site"), "{err}");
    }
}
