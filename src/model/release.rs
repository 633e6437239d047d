//! A release of the site as `releases.toml` records it: plain data, read and checked by
//! [`crate::releases`], shown by the render stage.

/// One release, as recorded and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    /// The site's "as of" date when it was released (never the wall clock).
    pub date: String,
    /// The SHA-256 of the release's `manifest.json`.
    pub manifest: String,
    pub seal_chain: String,
    pub inputs: String,
    pub note: String,
    pub chain: String,
    /// The release's `manifest.json`, as stored in `releases/<version>.json`.
    pub manifest_json: Vec<u8>,
}
