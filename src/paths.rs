//! The path policy, one place for every reader and writer.
//!
//! - **Reading**: a source is read only when its real location (symbolic links
//!   resolved) is inside the site folder. A link whose target is inside the site is
//!   followed; a link that leads out of it is refused with an error naming the link.
//! - **Writing**: an output path is a `/`-separated relative path of plain names (no
//!   `..`, `.`, empty or absolute parts, no control characters, no backslash, no names
//!   Windows reserves); anything else is refused before a single byte is written.
//! - **Naming**: a file read from a folder is known by its `/`-separated path below that
//!   folder, on every system.
//!
//! Leaf module: it knows paths and the error type, nothing of the stages.

use std::path::{Component, Path, PathBuf};

/// Names Windows reserves for devices, with or without an extension (`con`, `aux.md`).
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The longest file or folder name most file systems accept, in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// Why `rel` cannot be written below the output folder, or `None` when it can.
pub fn output_path_problem(rel: &str) -> Option<String> {
    if rel.is_empty() {
        return Some("an empty output path".into());
    }
    if rel.starts_with('/') {
        return Some("an absolute path, outside the output folder".into());
    }
    for segment in rel.split('/') {
        if let Some(why) = name_problem(segment) {
            return Some(why);
        }
    }
    None
}

/// Why `name` cannot be one file or folder name of the output (or of a slug that names
/// one), or `None` when it can.
pub fn name_problem(name: &str) -> Option<String> {
    match name {
        "" => return Some("an empty name in the path".into()),
        "." | ".." => return Some(format!("{name:?} would leave the output folder")),
        _ => {}
    }
    if name.contains('\\') || name.contains(':') {
        return Some(format!("{name:?} holds a path separator"));
    }
    if name.chars().any(char::is_control) {
        return Some(format!("{:?} holds a control character", name));
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!(
            "a name of {} bytes is longer than the {MAX_NAME_BYTES} a file system accepts",
            name.len()
        ));
    }
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    if RESERVED.contains(&stem.as_str()) {
        return Some(format!("{name:?} is a device name on Windows"));
    }
    None
}

/// The site folder with symbolic links resolved; the folder itself when it cannot be.
pub fn real_site(site: &Path) -> PathBuf {
    site.canonicalize().unwrap_or_else(|_| site.to_path_buf())
}

/// Why `file` may not be read as a source of `site`, or `None` when it may: its real
/// location (links resolved) must be inside the real site folder.
pub fn read_problem(site: &Path, file: &Path) -> Option<String> {
    let Ok(real) = file.canonicalize() else {
        // Missing or unreadable: the read itself reports it.
        return None;
    };
    if real.starts_with(real_site(site)) {
        return None;
    }
    let link = first_link(site, file);
    Some(match link {
        Some(link) => format!(
            "{} is a symbolic link to {}, outside the site: sources are read only from inside the site",
            link.strip_prefix(site).unwrap_or(&link).display(),
            std::fs::read_link(&link)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| real.display().to_string())
        ),
        None => format!(
            "is outside the site ({}): sources are read only from inside the site",
            real.display()
        ),
    })
}

/// The first symbolic link on the way from `site` down to `file`.
fn first_link(site: &Path, file: &Path) -> Option<PathBuf> {
    let rel = file.strip_prefix(site).ok()?;
    let mut at = site.to_path_buf();
    for component in rel.components() {
        at.push(component);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// `name` (from `tally.toml` or front matter) as a relative path of plain parts, or
/// `None` when it is absolute, empty or climbs with `..`.
pub fn relative_name(name: &str) -> Option<PathBuf> {
    if name.trim().is_empty() {
        return None;
    }
    let mut clean = PathBuf::new();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!clean.as_os_str().is_empty()).then_some(clean)
}

/// `path` below `base` as `/`-separated parts (`css/site.css` on every system): the
/// key a file read from a folder is known by. `path` itself, so written, when it is not
/// below `base`.
pub fn slash_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_paths_are_relative_and_slash_separated() {
        let base = Path::new("site").join("content");
        assert_eq!(
            slash_path(&base, &base.join("css").join("a.css")),
            "css/a.css"
        );
        assert_eq!(slash_path(&base, Path::new("elsewhere")), "elsewhere");
    }

    #[test]
    fn output_paths_stay_below_the_output_folder() {
        assert!(output_path_problem("index.html").is_none());
        assert!(output_path_problem("invoices/INV-1/index.html").is_none());
        for bad in [
            "",
            "/etc/x",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a\\..\\b",
            "con/index.html",
            "a/nul.txt",
            "a\u{0}b",
            "c:/x",
        ] {
            assert!(output_path_problem(bad).is_some(), "{bad:?} was allowed");
        }
        assert!(output_path_problem(&"x".repeat(256)).is_some());
        assert!(output_path_problem(&"x".repeat(255)).is_none());
    }

    #[test]
    fn names_from_configuration_cannot_climb_or_be_absolute() {
        assert_eq!(relative_name("dark"), Some(PathBuf::from("dark")));
        assert_eq!(relative_name("./a/b"), Some(PathBuf::from("a/b")));
        assert_eq!(relative_name("../x"), None);
        assert_eq!(relative_name("/abs"), None);
        assert_eq!(relative_name(" "), None);
        assert_eq!(relative_name("."), None);
    }

    #[test]
    fn links_out_of_the_site_are_refused_and_links_within_followed() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(site.join("content/a.md"), "a").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(site.join("content/a.md"), site.join("content/b.md"))
                .unwrap();
            std::os::unix::fs::symlink(dir.path().join("secret"), site.join("content/c.md"))
                .unwrap();
            assert!(read_problem(&site, &site.join("content/b.md")).is_none());
            let why = read_problem(&site, &site.join("content/c.md")).unwrap();
            assert!(why.contains("content/c.md is a symbolic link"), "{why}");
        }
        assert!(read_problem(&site, &site.join("content/a.md")).is_none());
    }
}
