//! Stage 5, **write**: the rendered files go to a temporary folder beside the output
//! folder, which is then swapped in whole. A failed build never touches the previous
//! output.

use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use std::sync::Arc;

use crate::render::{OutputFile, Sink, Stored};

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
    Staging::create(out)?.commit(files)
}

/// The folder a build writes into, `.<name>.tmp-<pid>` beside `out`, swapped in whole
/// by [`Staging::commit`]; removed if the build fails (dropped uncommitted). Files can
/// be written into it as they are made ([`Sink`]), so that a large site is never whole
/// in memory.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Folders already made in `dir`.
    folders: std::sync::Mutex<std::collections::HashSet<String>>,
    committed: bool,
}

impl Staging {
    /// Makes the empty staging folder of `out`, after cleaning up what an interrupted
    /// earlier build left.
    pub fn create(out: &Path) -> Result<Staging> {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Usage(format!("{} is not a folder name", out.display())))?;
        let parent = out.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        recover(out)?;
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io("remove", &dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            folders: Default::default(),
            committed: false,
        })
    }

    /// The staging folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The bytes of `file`: held, or read back from the staging folder.
    pub fn read<'f>(&self, file: &'f OutputFile) -> Result<std::borrow::Cow<'f, [u8]>> {
        if file.stored.is_none() {
            return Ok(std::borrow::Cow::Borrowed(&file.bytes));
        }
        let path = self.dir.join(&file.path);
        std::fs::read(&path)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| Error::io("read", &path, e))
    }

    /// Makes `folder` (relative, `/`-separated) in the staging folder once.
    fn folder(&self, folder: &str) -> std::io::Result<()> {
        let known = self
            .folders
            .lock()
            .map(|made| made.contains(folder))
            .unwrap_or(false);
        if !known {
            std::fs::create_dir_all(self.dir.join(folder))?;
            if let Ok(mut made) = self.folders.lock() {
                made.insert(folder.to_string());
            }
        }
        Ok(())
    }

    /// Checks every path of `files` (those written already and the rest), writes the
    /// files still held, and swaps the staging folder in as `out`. `files` is the whole
    /// output: a file written already that is not among them (one a later file at the
    /// same path replaced) is overwritten by it.
    pub fn commit(mut self, files: &[OutputFile]) -> Result<()> {
        let mut refused: Vec<Diagnostic> = files
            .iter()
            .filter_map(|f| {
                crate::paths::output_path_problem(&f.path).map(|why| {
                    Diagnostic::new(
                        self.out.join(&f.path),
                        format!("refusing to write this output file: {why}"),
                    )
                })
            })
            .collect();
        refused.extend(collisions(files).into_iter().map(|(path, why)| {
            Diagnostic::new(self.out.join(path), format!("two outputs collide: {why}"))
        }));
        if !refused.is_empty() {
            return Err(Error::Input(refused));
        }
        let held: Vec<&OutputFile> = files.iter().filter(|f| f.stored.is_none()).collect();
        write_all(&self.dir, &held)?;
        let (out, dir) = (&self.out, &self.dir);
        let parent = out.parent().unwrap_or(Path::new("."));
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
        let old = parent.join(format!(
            ".{}.old-{}",
            name.unwrap_or_default(),
            std::process::id()
        ));
        if out.exists() {
            std::fs::rename(out, &old).map_err(|e| Error::io("move aside", out, e))?;
        }
        if let Err(e) = std::fs::rename(dir, out) {
            let _ = std::fs::rename(&old, out);
            return Err(Error::io("move into place", out, e));
        }
        self.committed = true;
        if old.exists() {
            remove_tree(&old).map_err(|e| Error::io("remove", &old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    /// Writes `bytes` at `path` in the staging folder and keeps their length and
    /// SHA-256. A path that is refused, or that cannot be written (a file where a
    /// folder is wanted), keeps its bytes instead: [`Staging::commit`] reports every
    /// such path at once.
    fn store(&self, path: String, bytes: &[u8]) -> Result<OutputFile> {
        if crate::paths::output_path_problem(&path).is_some() {
            return Ok(OutputFile::new(path, bytes));
        }
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let written = self
            .folder(folder)
            .and_then(|()| std::fs::write(self.dir.join(&path), bytes));
        if written.is_err() {
            return Ok(OutputFile::new(path, bytes));
        }
        Ok(OutputFile {
            path,
            bytes: Arc::from(Vec::new()),
            stored: Some(Stored {
                len: bytes.len() as u64,
                sha256: Some(crate::digest::sha256(bytes)),
            }),
        })
    }
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
            Some(other) if !same_content(other, file) => found.push((
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

/// Removes the folder `dir` and everything in it: its files on every core, then its
/// folders level by level, the deepest first (a previous output of a large site is
/// tens of thousands of files and folders). Links are removed, never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let (mut folders, mut files) = (Vec::new(), Vec::new());
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            folders.push((entry.depth(), entry.into_path()));
        } else {
            files.push(entry.into_path());
        }
    }
    files.par_iter().try_for_each(std::fs::remove_file)?;
    // A level's folders are empty once the deeper ones are gone: each level on every core.
    folders.sort_by_key(|f| std::cmp::Reverse(f.0));
    for level in folders.chunk_by(|a, b| a.0 == b.0) {
        level
            .par_iter()
            .try_for_each(|(_, folder)| std::fs::remove_dir(folder))?;
    }
    Ok(())
}

/// Whether two files hold the same bytes (by digest when one was written out already).
fn same_content(a: &OutputFile, b: &OutputFile) -> bool {
    if a.stored.is_none() && b.stored.is_none() {
        a.bytes == b.bytes
    } else {
        a.len() == b.len() && a.sha256_hex() == b.sha256_hex()
    }
}

/// Creates every folder first, then writes the files on every core at once: each file
/// is in memory whole and goes to disk in one write (no buffer in between, nothing
/// read back; `manifest.json` was made from the same bytes).
fn write_all(dir: &Path, files: &[&OutputFile]) -> Result<()> {
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
    fn staged_files_keep_their_length_and_digest_and_appear_only_on_commit() {
        let parent = tempfile::tempdir().expect("a folder");
        let out = parent.path().join("public");
        let staging = Staging::create(&out).expect("staging");
        let stored = staging
            .store("a/b/page.html".into(), b"<p>hi</p>")
            .expect("stored");
        assert!(stored.bytes.is_empty());
        assert_eq!(stored.len(), 9);
        assert_eq!(stored.sha256_hex(), crate::digest::sha256_hex(b"<p>hi</p>"));
        assert_eq!(
            staging.read(&stored).expect("read back").as_ref(),
            b"<p>hi</p>"
        );
        assert!(!out.exists(), "nothing is in place before the commit");
        let held = OutputFile::new("index.html", "home");
        staging.commit(&[stored, held]).expect("committed");
        assert_eq!(
            std::fs::read(out.join("a/b/page.html")).unwrap(),
            b"<p>hi</p>"
        );
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"home");
        let names: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the output is left");
    }

    #[test]
    fn a_staging_folder_dropped_uncommitted_is_removed_and_the_output_untouched() {
        let parent = tempfile::tempdir().expect("a folder");
        let out = parent.path().join("public");
        write(&out, &[OutputFile::new("index.html", "before")]).expect("first output");
        {
            let staging = Staging::create(&out).expect("staging");
            staging
                .store("index.html".into(), b"after")
                .expect("stored");
            assert!(staging.dir().join("index.html").exists());
        }
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"before");
        let names: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the staging folder is gone");
    }

    #[test]
    fn a_tree_is_removed_whole_without_following_its_links() {
        let parent = tempfile::tempdir().expect("a folder");
        let outside = parent.path().join("outside.txt");
        std::fs::write(&outside, "kept").unwrap();
        let tree = parent.path().join("old");
        for folder in ["a/b/c", "a/d", "e"] {
            std::fs::create_dir_all(tree.join(folder)).unwrap();
        }
        for file in ["a/b/c/1.html", "a/b/2.html", "a/d/3.css", "4.xml"] {
            std::fs::write(tree.join(file), file).unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, tree.join("e/link")).unwrap();
        remove_tree(&tree).expect("removed");
        assert!(!tree.exists());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "kept");
    }

    #[test]
    fn a_written_file_colliding_with_a_held_one_fails_the_commit() {
        let parent = tempfile::tempdir().expect("a folder");
        let out = parent.path().join("public");
        let staging = Staging::create(&out).expect("staging");
        let stored = staging.store("A.html".into(), b"one").expect("stored");
        let held = OutputFile::new("a.html", "two");
        let same = OutputFile::new("B.html", "one");
        let stored_same = staging.store("b.html".into(), b"one").expect("stored");
        let Err(Error::Input(problems)) = staging.commit(&[stored, held, same, stored_same]) else {
            panic!("the commit should fail");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().contains("a.html"), "{problems:?}");
        assert!(!out.exists());
        let names: Vec<_> = std::fs::read_dir(parent.path()).unwrap().collect();
        assert!(names.is_empty(), "the staging folder is gone");
    }

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
