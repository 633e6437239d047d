//! Lottery pools kept in files (`pool_file = "data/pools/2026-11.csv"` in a draw): a CSV
//! with an `id` column, one candidate a row, and an optional `name` column shown beside
//! the ids on the draw's page. Other columns are ignored and never reach the output. Reads the files named by minutes; judging the draw is `check`'s work.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::RawMinutes;
use crate::error::{Diagnostic, Diagnostics, Error, Result};

/// One pool file: its path (relative to the site) and each id with its file line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPool {
    pub path: PathBuf,
    pub ids: Vec<(String, usize)>,
    /// id → name, from the optional `name` column (rows with an empty name left out).
    pub names: BTreeMap<String, String>,
}

/// Reads every pool file named by a draw, keyed by `pool_file` as written. A path that
/// leaves the site or a file that cannot be read is an error at the draw's line.
pub fn load_for(
    site: &Path,
    minutes: &[std::sync::Arc<RawMinutes>],
    problems: &mut Diagnostics,
) -> BTreeMap<String, RawPool> {
    let mut pools = BTreeMap::new();
    let mut failed = std::collections::BTreeSet::new();
    for m in minutes {
        for (i, draw) in m.front.draws.iter().enumerate() {
            let Some(name) = &draw.pool_file else {
                continue;
            };
            if pools.contains_key(name) || failed.contains(name) {
                continue;
            }
            let line = RawMinutes::line_of(&m.draw_lines, i);
            let Some(relative) = inside_site(name) else {
                problems.push(Diagnostic::at(
                    &m.path,
                    line,
                    format!(
                        "pool_file: {name:?} must be a path inside the site, like data/pools/2026-11.csv"
                    ),
                ));
                failed.insert(name.clone());
                continue;
            };
            let file = site.join(&relative);
            if !file.is_file() {
                problems.push(Diagnostic::at(
                    &m.path,
                    line,
                    format!("pool_file: {name} does not exist"),
                ));
                failed.insert(name.clone());
                continue;
            }
            if let Some(why) = crate::paths::read_problem(site, &file) {
                problems.push(Diagnostic::at(&m.path, line, format!("pool_file: {why}")));
                failed.insert(name.clone());
                continue;
            }
            match read(&file, &relative) {
                Ok(pool) => {
                    pools.insert(name.clone(), pool);
                }
                Err(Error::Input(all)) => {
                    problems.extend(all);
                    failed.insert(name.clone());
                }
                Err(e) => {
                    problems.push(Diagnostic::new(&relative, e.to_string()));
                    failed.insert(name.clone());
                }
            }
        }
    }
    pools
}

/// The 1-based line of the record starting at byte `start`. The csv crate's own line
/// count is one short for CRLF files (the `\n` is read with the next record), so count
/// here, skipping the line ending a record may start with.
fn line_at(bytes: &[u8], start: usize) -> usize {
    let start = start.min(bytes.len());
    let mut line = 1 + bytes[..start].iter().filter(|&&b| b == b'\n').count();
    for &b in &bytes[start..] {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

/// `name` as a relative path with no `..`, or `None` if it could leave the site.
fn inside_site(name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    if name.trim().is_empty() {
        return None;
    }
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(clean)
}

/// Reads one pool file; `shown` names it in messages. Every bad row is reported:
/// a missing `id` column, an empty id, spaces around an id, an id given twice.
pub fn read(file: &Path, shown: &Path) -> Result<RawPool> {
    let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let mut problems = Diagnostics::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let (column, name_column) = columns(&mut reader, shown)?;
    let mut ids: Vec<(String, usize)> = Vec::new();
    let mut names = BTreeMap::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(1, |p| line_at(bytes, p.byte() as usize));
                problems.push(Diagnostic::at(shown, line, format!("not valid CSV: {e}")));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(1, |p| line_at(bytes, p.byte() as usize));
        let id = record.get(column).unwrap_or("");
        if let Some(why) = id_problem(id, line, &mut seen) {
            problems.push(Diagnostic::at(shown, line, why));
            continue;
        }
        let name = name_column
            .and_then(|c| record.get(c))
            .map_or("", str::trim);
        if !name.is_empty() {
            names.insert(id.to_string(), name.to_string());
        }
        ids.push((id.to_string(), line));
    }
    problems.finish(RawPool {
        path: shown.to_path_buf(),
        ids,
        names,
    })
}

/// What is wrong with the `id` on `line`, if anything; `seen` holds the ids before it
/// with their lines, and takes this one.
fn id_problem(id: &str, line: usize, seen: &mut BTreeMap<String, usize>) -> Option<String> {
    if id.trim().is_empty() {
        return Some("id: must not be empty".into());
    }
    if id.trim() != id {
        return Some(format!(
            "id: {id:?} has spaces around it, which would change its ticket"
        ));
    }
    let first = seen.insert(id.to_string(), line)?;
    Some(format!("id: {id:?} is already in the pool at line {first}"))
}

/// Where the header puts the `id` column, which a pool file needs, and the optional
/// `name` column.
fn columns(reader: &mut csv::Reader<&[u8]>, shown: &Path) -> Result<(usize, Option<usize>)> {
    let (column, name_column) = match reader.headers() {
        Ok(headers) => (
            headers.iter().position(|h| h.trim() == "id"),
            headers.iter().position(|h| h.trim() == "name"),
        ),
        Err(e) => {
            return Err(Error::Input(vec![Diagnostic::at(
                shown,
                1,
                format!("not a readable CSV header: {e}"),
            )]));
        }
    };
    let Some(column) = column else {
        return Err(Error::Input(vec![Diagnostic::at(
            shown,
            1,
            "header: a pool file needs an `id` column (one candidate per row)",
        )]));
    };
    Ok((column, name_column))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<RawPool> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pool.csv");
        std::fs::write(&file, text).unwrap();
        read(&file, Path::new("data/pools/p.csv"))
    }

    #[test]
    fn reads_ids_with_their_lines() {
        let pool = read_text("\u{feff}id,name\r\nm-1,Ana\r\nm-2,Ben\r\n").unwrap();
        assert_eq!(pool.ids, vec![("m-1".into(), 2), ("m-2".into(), 3)]);
        assert_eq!(pool.names.get("m-2").map(String::as_str), Some("Ben"));
    }

    #[test]
    fn names_are_optional_and_empty_ones_are_left_out() {
        let pool = read_text("id,name,phone\nm-1,  Ana Lima ,555\nm-2,,556\n").unwrap();
        assert_eq!(pool.names.len(), 1);
        assert_eq!(pool.names["m-1"], "Ana Lima");
        assert!(read_text("id\nm-1\n").unwrap().names.is_empty());
    }

    #[test]
    fn reports_every_bad_row_with_its_line() {
        let Err(Error::Input(all)) = read_text("id\nm-1\n\" m-2\"\nm-1\n") else {
            panic!("expected input errors");
        };
        let lines: Vec<_> = all.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(3), Some(4)], "{all:?}");
        assert!(all[1].message.contains("already in the pool at line 2"));
    }

    #[test]
    fn needs_an_id_column() {
        let Err(Error::Input(all)) = read_text("member\nm-1\n") else {
            panic!("expected input errors");
        };
        assert_eq!(
            all[0].to_string(),
            "data/pools/p.csv:1: header: a pool file needs an `id` column (one candidate per row)"
        );
    }

    #[test]
    fn pool_paths_stay_inside_the_site() {
        assert_eq!(
            inside_site("./data/pools/a.csv"),
            Some(PathBuf::from("data/pools/a.csv"))
        );
        assert_eq!(inside_site("../secret.csv"), None);
        assert_eq!(inside_site("/etc/passwd"), None);
    }
}
