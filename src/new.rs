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
    (
        ".gitignore",
        "/public\n# The seal key (tally seal creates it): the treasurer keeps it and backs it up,\n# and gives it to an auditor. Never commit or publish it.\n/data/seal.key\n",
    ),
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

/// `tally new minutes TITLE [--date D]`: writes `content/minutes/<date>-<slug>.md` in
/// `site` with the documented fields, the optional ones as comments, and returns its
/// path. An existing file is never overwritten.
pub fn minutes(site: &Path, title: &str, date: Option<&str>) -> Result<std::path::PathBuf> {
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() || title.contains(['\n', '\r']) {
        return Err(Error::Usage(
            "TITLE: give the assembly's title in one line, like \"North ward assembly\"".into(),
        ));
    }
    let date = match date {
        Some(text) => crate::load::front_matter::parse_date(text)
            .map_err(|why| Error::Usage(format!("--date: {why}")))?,
        None => jiff::tz::TimeZone::UTC
            .to_datetime(jiff::Timestamp::now())
            .date(),
    };
    if !site.join(crate::config::CONFIG_FILE).is_file() {
        return Err(Error::Usage(format!(
            "{} has no {}: give the site with --site",
            site.display(),
            crate::config::CONFIG_FILE
        )));
    }
    let folder = site.join("content/minutes");
    let file = folder.join(format!("{date}-{slug}.md"));
    std::fs::create_dir_all(&folder).map_err(|e| Error::io("create", &folder, e))?;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
                "{} exists already; tally new never overwrites a file",
                file.display()
            )),
            _ => Error::io("create", &file, e),
        })?;
    use std::io::Write;
    out.write_all(minutes_text(title, &slug, date).as_bytes())
        .map_err(|e| Error::io("write", &file, e))?;
    Ok(file)
}

/// `North Ward Assembly (spring)` → `north-ward-assembly-spring`.
fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// The minutes file: front matter with every field the minutes loader accepts.
fn minutes_text(title: &str, slug: &str, date: jiff::civil::Date) -> String {
    let title = title.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        r#"+++
title = "{title}"
date = {date}
# The assembly or council that met: a slug like `north-ward`.
assembly = "{slug}"
# How many people took part; votes cast may not exceed it.
# attendance = 0

# Each decision (outcome: passed, failed or deferred; votes optional).
# [[decisions]]
# text = "Open the pantry on Saturday mornings"
# outcome = "passed"
# votes = {{ for = 11, against = 0, abstain = 1 }}

# Committees: create, renew or dissolve. A committee lapses one lunar cycle
# (29 days) after it was created or last renewed unless renewed before then.
# [[committees]]
# name = "flood-watch"
# action = "create"
# mandate = "Keep a phone tree and sandbags for when the river rises"

# Roles drawn by lot: print this block with `tally draw` and paste it here.
# [[draws]]
# role = "facilitator"
# seats = 1
# seed = "minutes:{date}:{slug}:facilitator"
# pool_file = "data/pools/{date}.csv"
# selected = ["m-001"]

# Delegates sent to a council, with their mandate (from/until optional).
# [[delegates]]
# name = "Amina H."
# council = "federation-council"
# mandate = "Vote for the shared cold room"
# from = {date}
# until = {date}
+++

## Agenda

1. 

## Notes

"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_slugs() {
        assert_eq!(
            slugify("North Ward Assembly (spring)"),
            "north-ward-assembly-spring"
        );
        assert_eq!(slugify("  Care circle: check-in! "), "care-circle-check-in");
        assert_eq!(slugify("!!!"), "");
    }
}
