//! The site's public signing key, when `tally.toml` has `[signing]`: published at
//! `/.well-known/tally.pub` and `/data/tally.pub` in minisign's format, so that anyone
//! can check `manifest.json.minisig` with `minisign -Vm manifest.json -p tally.pub`.
//! A copy's own key proves nothing by itself: readers compare it with the key the
//! network publishes elsewhere.

use crate::model::Site;
use crate::render::{Job, OutputFile};
use crate::signing::{DATA_KEY_FILE, PublicKey, WELL_KNOWN_KEY_FILE};

/// The two public key files, or nothing when the site is not signed.
pub fn jobs<'a>(site: &Site) -> Vec<Job<'a>> {
    let Some(key) = public_key(site) else {
        return Vec::new();
    };
    let text = key.file_text();
    [WELL_KNOWN_KEY_FILE, DATA_KEY_FILE]
        .into_iter()
        .map(|path| Job::File(OutputFile::new(path, text.clone())))
        .collect()
}

/// The key of `[signing]` (checked when `tally.toml` was read).
pub fn public_key(site: &Site) -> Option<PublicKey> {
    let signing = site.config.signing.as_ref()?;
    PublicKey::parse(&signing.public_key).ok()
}
