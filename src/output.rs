//! Stage 5, **write**: the rendered files go to a temporary folder beside the output
//! folder, which is then swapped in whole. A failed build never touches the previous
//! output.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::render::OutputFile;

/// Refuses output folders whose replacement would destroy sources or more:
/// the site folder or any folder holding it, `content/`, `data/` (and anything in them),
/// the file system root and the home folder.
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
        && absolute(&home).is_ok_and(|h| h == out)
    {
        return refuse("it is the home folder");
    }
    if site.starts_with(&out) {
        return refuse("it is the site folder or holds it");
    }
    for source in ["content", "data", "templates", "static", "themes"] {
        if out.starts_with(site.join(source)) {
            return refuse(&format!("it is inside the site's {source}/ folder"));
        }
    }
    Ok(out)
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

/// Writes `files` into `out`: first into `.<name>.tmp` beside it, then swaps.
pub fn write(out: &Path, files: &[OutputFile]) -> Result<()> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("{} is not a folder name", out.display())))?;
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
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

fn write_all(dir: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&path, &file.bytes).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
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
