//! `tally new DIR`: a small working site (config, a page, minutes, a tiny ledger) that
//! builds as is. The files are embedded from `src/scaffold/`.

use std::path::Path;

use crate::error::{Error, Result};

const FILES: &[(&str, &str)] = &[
    ("tally.toml", include_str!("scaffold/tally.toml")),
    ("content/pages/about.md", include_str!("scaffold/about.md")),
    (
        "content/minutes/2026-01-12-first-assembly.md",
        include_str!("scaffold/first-assembly.md"),
    ),
    (
        "data/ledger/pantry.csv",
        include_str!("scaffold/pantry.csv"),
    ),
    ("data/rates.csv", include_str!("scaffold/rates.csv")),
    (
        "data/city-budget.csv",
        include_str!("scaffold/city-budget.csv"),
    ),
    (".gitignore", "/public\n"),
];

/// Writes the scaffold into `dir`, which must not exist or be empty.
pub fn create(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Usage(format!(
                "{} is not empty; tally new creates a site in a new or empty folder",
                dir.display()
            )));
        }
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| Error::io("write", &path, e))?;
    }
    Ok(())
}
