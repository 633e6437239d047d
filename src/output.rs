//! Stage 5, **write**: the rendered files go to a temporary folder beside the output
//! folder, which is then swapped in whole. A failed build never touches the previous
//! output.

use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::render::OutputFile;

/// Refuses output folders whose replacement would destroy sources or more: anything
/// inside the site but `public/`, the site folder or any folder holding it, the file
/// system root, the home folder and every folder holding it, a file, and an existing
/// non-empty folder that is not an earlier tally output (no tally `manifest.json`).
pub fn guard_out_dir(site: &Path, out: &Path) -> Result<PathBuf> {
    let site = absolute(site)?;
    let out = absolute(out)?;
    let refuse = |why: &str| {
        Err(Error::Usage(format!(
            "refusing to write the output to {}: {why}",
            out.display()
        )))
    };
    if out.parent().is_none() {
        return refuse("it is the root folder");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && let Ok(home) = absolute(&home)
        && home.starts_with(&out)
    {
        return refuse("it is the home folder or holds it");
    }
    if site.starts_with(&out) {
        return refuse("it is the site folder or holds it");
    }
    if out.starts_with(&site) && out != site.join("public") {
        return refuse("it is inside the site, where only public/ is an output folder");
    }
    if out.exists() && !out.is_dir() {
        return refuse("it is a file, not a folder");
    }
    if out.is_dir() && !is_empty_dir(&out)? && !is_tally_output(&out) {
        return refuse(
            "it is a folder with files that is not an earlier tally output (no manifest.json from tally)",
        );
    }
    Ok(out)
}

fn is_empty_dir(dir: &Path) -> Result<bool> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
    Ok(entries.next().is_none())
}

/// Whether `dir` holds a `manifest.json` written by tally.
fn is_tally_output(dir: &Path) -> bool {
    std::fs::read(dir.join(crate::manifest::MANIFEST_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<crate::manifest::Manifest>(&bytes).ok())
        .is_some_and(|m| m.generator.starts_with("tally "))
}

/// An absolute, normalised path (`.` and `..` resolved; symlinks of the existing part
/// resolved), whether or not it exists yet.
fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io("read the current folder", path, e))?
            .join(path)
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Resolve symlinks in the longest existing prefix.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Writes `files` into `out`: first into `.<name>.tmp-<pid>` beside it, then swaps.
/// Every output path is checked first ([`crate::paths::output_path_problem`]): a path
/// that would leave `out` fails the build before anything is written. Leftovers of an
/// interrupted earlier build are cleaned up first, and a missing `out` restored.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<()> {
    let mut refused: Vec<Diagnostic> = files
        .iter()
        .filter_map(|f| {
            crate::paths::output_path_problem(&f.path).map(|why| {
                Diagnostic::new(
                    out.join(&f.path),
                    format!("refusing to write this output file: {why}"),
                )
            })
        })
        .collect();
    refused.extend(
        collisions(files).into_iter().map(|(path, why)| {
            Diagnostic::new(out.join(path), format!("two outputs collide: {why}"))
        }),
    );
    if !refused.is_empty() {
        return Err(Error::Input(refused));
    }
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("{} is not a folder name", out.display())))?;
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    recover(out)?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.tmp-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io("remove", &tmp, e))?;
    }
    if let Err(e) = write_all(&tmp, files) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if out.exists() {
        std::fs::rename(out, &old).map_err(|e| Error::io("move aside", out, e))?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        // Put the previous output back before reporting.
        let _ = std::fs::rename(&old, out);
        return Err(Error::io("move into place", out, e));
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    Ok(())
}

/// Cleans up after a build into `out` that was killed: when `out` is missing but a
/// `.name.old-<pid>` of a finished process is there (killed between the two
/// renames), it is put back; every other `.name.tmp-<pid>` and `.name.old-<pid>` of a
/// process no longer running is removed.
pub fn recover(out: &Path) -> Result<()> {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Ok(());
    };
    let name = name.to_string_lossy();
    if !parent.is_dir() {
        return Ok(());
    }
    let entries = std::fs::read_dir(parent).map_err(|e| Error::io("read", parent, e))?;
    let mut stale: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (is_old, pid) = match (rest.strip_prefix("old-"), rest.strip_prefix("tmp-")) {
            (Some(pid), _) => (true, pid),
            (_, Some(pid)) => (false, pid),
            _ => continue,
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !process_is_running(pid) {
            stale.push((entry.path(), is_old));
        }
    }
    stale.sort();
    for (path, is_old) in stale {
        if is_old && !out.exists() {
            std::fs::rename(&path, out).map_err(|e| Error::io("restore", &path, e))?;
        } else {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
    }
    Ok(())
}

/// Whether a process with this id runs now. Where that cannot be told (no `/proc`),
/// every other process is taken as finished: leftovers are only ever removed, never
/// written into, so at worst a concurrent build's swap fails and reports it.
fn process_is_running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.is_dir() && proc.join(pid.to_string()).exists()
}

/// Output paths that two different files claim, or that are both a file and a folder
/// (`feed.xml` and `feed.xml/index.html`): one would overwrite or block the other.
/// Names are compared without case, as on the file systems of Windows and macOS.
fn collisions(files: &[OutputFile]) -> Vec<(String, String)> {
    let mut by_path: std::collections::HashMap<String, &OutputFile> =
        std::collections::HashMap::with_capacity(files.len());
    let mut found = Vec::new();
    for file in files {
        match by_path.insert(file.path.to_lowercase(), file) {
            Some(other) if other.bytes != file.bytes => found.push((
                file.path.clone(),
                format!(
                    "{} and {} are different files at one path (names that differ only in case or punctuation?)",
                    other.path, file.path
                ),
            )),
            _ => {}
        }
    }
    for file in files {
        let lower = file.path.to_lowercase();
        let mut at = 0;
        while let Some(slash) = lower[at..].find('/') {
            let folder = &lower[..at + slash];
            if let Some(other) = by_path.get(folder) {
                found.push((
                    other.path.clone(),
                    format!(
                        "{} is a file, but {} needs it to be a folder (a page named after a file?)",
                        other.path, file.path
                    ),
                ));
            }
            at += slash + 1;
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Creates every folder first, then writes the files on every core at once: each file
/// is in memory whole and goes to disk in one write (no buffer in between, nothing
/// read back; `manifest.json` was made from the same bytes).
fn write_all(dir: &Path, files: &[OutputFile]) -> Result<()> {
    use rayon::prelude::*;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let mut folders: Vec<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(folder, _)| folder))
        .collect();
    folders.dedup();
    let mut made = std::collections::HashSet::with_capacity(folders.len());
    for folder in folders {
        if made.insert(folder) {
            let path = dir.join(folder);
            std::fs::create_dir_all(&path).map_err(|e| Error::io("create", &path, e))?;
        }
    }
    files.par_iter().try_for_each(|file| {
        let path = dir.join(&file.path);
        std::fs::write(&path, &file.bytes).map_err(|e| Error::io("write", &path, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_site_its_sources_and_their_parents() {
        let site = std::env::temp_dir().join("tally-guard-site");
        assert!(guard_out_dir(&site, &site).is_err());
        assert!(guard_out_dir(&site, &site.join("content")).is_err());
        assert!(guard_out_dir(&site, &site.join("data/x")).is_err());
        assert!(guard_out_dir(&site, &site.join("..")).is_err());
        assert!(guard_out_dir(&site, Path::new("/")).is_err());
        assert!(guard_out_dir(&site, &site.join("public")).is_ok());
        assert!(guard_out_dir(&site, &site.join("public/../content")).is_err());
    }
}
