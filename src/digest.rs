//! Hashing shared by every stage: SHA-256 as lowercase hex, what `sha256sum` prints, and
//! the seal key's HMAC-SHA256, what `openssl dgst -sha256 -mac HMAC` prints.
//! A leaf: imports nothing from the crate.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `bytes`: what `sha256sum` prints.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The key of a site's seals (`data/seal.key`): 32 secret bytes. A sealed week's digest
/// is the HMAC-SHA256 of its canonical lines under this key, so that nobody without it
/// can test a guess of a private column against a published digest. Never printed:
/// its `Debug` shows the key's id only.
#[derive(Clone, PartialEq, Eq)]
pub struct SealKey([u8; SealKey::LEN]);

impl SealKey {
    pub const LEN: usize = 32;

    /// 32 fresh random bytes from the operating system.
    pub fn generate() -> Result<SealKey, String> {
        let mut bytes = [0u8; SealKey::LEN];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the system: {e}"))?;
        Ok(SealKey(bytes))
    }

    /// The key as written in `data/seal.key`: 64 hex digits, surrounding blanks allowed.
    pub fn parse(text: &str) -> Result<SealKey, String> {
        let text = text.trim();
        if text.len() != SealKey::LEN * 2 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "expected {} hex digits (32 random bytes, as `tally seal` writes them), found {} characters",
                SealKey::LEN * 2,
                text.chars().count()
            ));
        }
        let mut bytes = [0u8; SealKey::LEN];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let digits = std::str::from_utf8(pair).unwrap_or("00");
            *byte = u8::from_str_radix(digits, 16).unwrap_or(0);
        }
        Ok(SealKey(bytes))
    }

    /// The text of `data/seal.key`: the key in lowercase hex and a line feed.
    pub fn to_file_text(&self) -> String {
        format!("{}\n", to_hex(&self.0))
    }

    /// Lowercase hex HMAC-SHA256 of `bytes` under the key.
    pub fn digest(&self, bytes: &[u8]) -> String {
        let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(&self.0) else {
            unreachable!("HMAC takes a key of any length");
        };
        mac.update(bytes);
        to_hex(&mac.finalize().into_bytes())
    }

    /// Names the key without revealing it: the first 16 hex digits of the HMAC of
    /// [`SealKey::ID_TEXT`]. Lock entries sealed with the key carry it.
    pub fn id(&self) -> String {
        self.digest(SealKey::ID_TEXT.as_bytes())[..16].to_string()
    }

    pub const ID_TEXT: &str = "tally seal key";
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey(id {})", self.id())
    }
}

pub const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_sha256sum() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_seal_key_digest_is_hmac_sha256() {
        // RFC 4231, test case 2 ("Jefe" is shorter than 32 bytes: padded here with zeros,
        // which HMAC does itself, so the result is the RFC's).
        let mut hex = to_hex(b"Jefe");
        hex.push_str(&"0".repeat(64 - hex.len()));
        let key = SealKey::parse(&hex).unwrap();
        assert_eq!(
            key.digest(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(key.id().len(), 16);
        assert!(!format!("{key:?}").contains(&hex[..8]));
    }

    #[test]
    fn a_seal_key_is_64_hex_digits_and_written_back_the_same() {
        let key = SealKey::generate().unwrap();
        let text = key.to_file_text();
        assert_eq!(text.len(), 65);
        assert_eq!(SealKey::parse(&text).unwrap(), key);
        assert_eq!(
            SealKey::parse(&format!("  {}  ", text.to_uppercase())).unwrap(),
            key
        );
        assert_ne!(SealKey::generate().unwrap(), key);
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(66), &"é".repeat(32)] {
            assert!(SealKey::parse(bad).is_err(), "{bad:?}");
        }
    }
}
