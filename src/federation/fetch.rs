//! `tally fetch [SITE]`: copies each member's published files (its manifest and the
//! `data/` files a federation reads) from its site over HTTP (`ureq`) or from a folder
//! into `data/members/<name>/`, checks them as `tally verify` does, and keeps the seal
//! chain head in `fetched.toml`. A member whose chain no longer holds the head recorded
//! at its last fetch rewrote its history: an error. Each member is written to a
//! temporary folder and swapped in only when it checks, so a member that is down or
//! fails keeps its previous copy. Builds never fetch.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::federation::{MemberConfig, MemberSource};
use crate::error::{Error, Result};
use crate::manifest::{MANIFEST_FILE, Manifest};

use super::copy::{self, Fetched};

/// The most one published file may weigh: a member's site cannot fill the disk.
const MAX_FILE_BYTES: u64 = 4 << 30;

/// What one member's fetch brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFetch {
    pub name: String,
    pub files: usize,
    pub bytes: u64,
    pub seal_chain: String,
    /// Whether the seal chain moved since the last fetch.
    pub new_seals: bool,
}

/// Fetches every member of the federation at `site`. Members that check are swapped in
/// even when others fail; the error lists every member that failed and why.
pub fn fetch(site: &Path) -> Result<Vec<MemberFetch>> {
    let config = crate::config::Config::load(site)?;
    let members = config
        .federation
        .as_ref()
        .map(|f| f.members.clone())
        .unwrap_or_default();
    if members.is_empty() {
        return Err(Error::Usage(format!(
            "{} lists no [[federation.members]]: nothing to fetch",
            site.join(crate::config::CONFIG_FILE).display()
        )));
    }
    let agent = agent();
    let mut fetched = Vec::new();
    let mut failures = Vec::new();
    for member in &members {
        match fetch_member(site, member, &agent) {
            Ok(done) => fetched.push(done),
            Err(why) => failures.push(format!(
                "member {} ({}): {why}\n  the previous copy in {}/{} is kept",
                member.name,
                member.source,
                copy::MEMBERS_DIR,
                member.name
            )),
        }
    }
    if failures.is_empty() {
        Ok(fetched)
    } else {
        Err(Error::Verify(failures.join("\n")))
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .timeout_connect(Some(Duration::from_secs(10)))
        .build()
        .into()
}

/// One member: read, check, write beside, swap in.
fn fetch_member(site: &Path, member: &MemberConfig, agent: &ureq::Agent) -> Result<MemberFetch> {
    let dir = copy::member_dir(site, &member.name);
    let previous = Fetched::read(&dir)?;
    let kept = previous.as_ref().map(|f| f.seal_chain.as_str());
    let source = member.source(site);
    let found = download(&source, agent)?;
    let checked =
        copy::check(&found, kept).map_err(|problems| Error::Verify(problems.join("\n  ")))?;
    let record = Fetched {
        source: member.source.clone(),
        seal_chain: checked.head.clone(),
        files: found.len(),
    };
    let bytes = found.values().map(|b| b.len() as u64).sum();
    swap_in(&dir, &found, &record)?;
    Ok(MemberFetch {
        name: member.name.clone(),
        files: found.len(),
        bytes,
        new_seals: kept != Some(checked.head.as_str()),
        seal_chain: checked.head,
    })
}

/// The member's manifest and every file of it the federation reads.
fn download(source: &MemberSource, agent: &ureq::Agent) -> Result<BTreeMap<String, Vec<u8>>> {
    let manifest_bytes = get(source, MANIFEST_FILE, agent)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| Error::Verify(format!("{MANIFEST_FILE}: not a tally manifest: {e}")))?;
    let mut found = BTreeMap::new();
    found.insert(MANIFEST_FILE.to_string(), manifest_bytes);
    for path in manifest.files.keys().filter(|p| copy::is_read(p)) {
        found.insert(path.clone(), get(source, path, agent)?);
    }
    Ok(found)
}

/// One file of the member's site.
fn get(source: &MemberSource, path: &str, agent: &ureq::Agent) -> Result<Vec<u8>> {
    match source {
        MemberSource::Folder(dir) => {
            let file = dir.join(path);
            std::fs::read(&file).map_err(|e| Error::io("read", &file, e))
        }
        MemberSource::Url(base) => {
            let url = format!("{base}{path}");
            let failed = |why: String| Error::Verify(format!("cannot fetch {url}: {why}"));
            let mut response = agent.get(&url).call().map_err(|e| failed(e.to_string()))?;
            let mut bytes = Vec::new();
            response
                .body_mut()
                .as_reader()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| failed(e.to_string()))?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(failed(format!("larger than {MAX_FILE_BYTES} bytes")));
            }
            Ok(bytes)
        }
    }
}

/// Writes the copy to `.<name>.fetching` beside `dir`, then puts it in place of `dir`.
fn swap_in(dir: &Path, found: &BTreeMap<String, Vec<u8>>, record: &Fetched) -> Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = dir.parent().unwrap_or(Path::new("."));
    let fresh = parent.join(format!(".{name}.fetching"));
    let old = parent.join(format!(".{name}.previous"));
    for stale in [&fresh, &old] {
        if stale.exists() {
            std::fs::remove_dir_all(stale).map_err(|e| Error::io("remove", stale, e))?;
        }
    }
    for (path, bytes) in found {
        write(&fresh.join(path), bytes)?;
    }
    write(&fresh.join(copy::FETCHED_FILE), record.to_toml().as_bytes())?;
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| Error::io("move", dir, e))?;
    }
    std::fs::rename(&fresh, dir).map_err(|e| Error::io("move", &fresh, e))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    Ok(())
}

fn write(path: &PathBuf, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    std::fs::write(path, bytes).map_err(|e| Error::io("write", path, e))
}
