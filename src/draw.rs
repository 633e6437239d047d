//! `tally draw`: performs a verifiable lottery (DESIGN.md, "Verifiable lottery") and
//! prints the block to paste into the minutes. The ranking itself is
//! [`crate::model::lottery`]; this command adds reading the pool and writing the block.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::lottery::{Ticket, rank};

/// Where a draw's pool is written in the minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolSpec {
    Inline(Vec<String>),
    /// `pool_file`, relative to the site.
    File(String),
}

/// The `[[draws]]` block to paste into minutes front matter (TOML).
pub fn toml_block(
    role: Option<&str>,
    seats: usize,
    seed: &str,
    pool: &PoolSpec,
    selected: &[String],
) -> String {
    let mut out = String::from("[[draws]]\n");
    match role {
        Some(role) => {
            let _ = writeln!(out, "role = {}", toml_string(role));
        }
        None => out.push_str("role = \"\"  # the role drawn, a slug like \"facilitator\"\n"),
    }
    let _ = writeln!(out, "seats = {seats}");
    let _ = writeln!(out, "seed = {}", toml_string(seed));
    match pool {
        PoolSpec::Inline(ids) => {
            let _ = writeln!(out, "pool = {}", toml_list(ids));
        }
        PoolSpec::File(path) => {
            let _ = writeln!(out, "pool_file = {}", toml_string(path));
        }
    }
    let _ = writeln!(out, "selected = {}", toml_list(selected));
    out
}

pub(crate) fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

pub(crate) fn toml_list(ids: &[String]) -> String {
    let items: Vec<String> = ids.iter().map(|id| toml_string(id)).collect();
    format!("[{}]", items.join(", "))
}

/// What `tally draw` was asked.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub seed: String,
    pub seats: usize,
    pub role: Option<String>,
    pub pool: PoolSpec,
}

/// A draw performed by `tally draw`.
#[derive(Debug, Clone)]
pub struct Performed {
    /// The `[[draws]]` block.
    pub block: String,
    /// Every candidate in draw order.
    pub ranking: Vec<Ticket>,
}

/// Performs a draw: reads the pool (from the list or the pool file, a CSV with an `id`
/// column), checks the request and returns the block to paste. Bad requests are
/// [`Error::Usage`]; a malformed pool file is [`Error::Input`] with its lines.
pub fn perform(request: &DrawRequest) -> Result<Performed> {
    if request.seed.trim().is_empty() {
        return Err(Error::Usage("--seed must not be empty".into()));
    }
    let pool = read_pool(request.role.as_deref(), &request.pool, request.seats)?;
    let ranking = rank(&request.seed, &pool);
    let selected: Vec<String> = ranking
        .iter()
        .take(request.seats)
        .map(|t| t.id.clone())
        .collect();
    Ok(Performed {
        block: toml_block(
            request.role.as_deref(),
            request.seats,
            &request.seed,
            &written_pool(&request.pool, pool),
            &selected,
        ),
        ranking,
    })
}

/// The candidates of a draw asked for on the command line, checked with its role and
/// seats: bad requests are [`Error::Usage`], a malformed pool file [`Error::Input`].
pub fn read_pool(role: Option<&str>, spec: &PoolSpec, seats: usize) -> Result<Vec<String>> {
    if let Some(role) = role
        && !crate::slug::is_slug(role)
    {
        return Err(Error::Usage(format!(
            "--role {role:?} is not a slug like `facilitator`"
        )));
    }
    let pool: Vec<String> = match spec {
        PoolSpec::Inline(ids) => {
            let mut pool = Vec::new();
            for id in ids {
                let id = id.trim();
                if id.is_empty() {
                    return Err(Error::Usage("--pool has an empty id".into()));
                }
                pool.push(id.to_string());
            }
            pool
        }
        PoolSpec::File(path) => {
            let file = Path::new(path);
            crate::load::pool::read(file, file)?
                .ids
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        }
    };
    let mut sorted = pool.clone();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::Usage(format!(
            "the pool names {:?} twice; each candidate may enter once",
            pair[0]
        )));
    }
    if seats == 0 {
        return Err(Error::Usage("--seats must be at least 1".into()));
    }
    if seats > pool.len() {
        return Err(Error::Usage(format!(
            "--seats {} is more than the {} candidates in the pool",
            seats,
            pool.len()
        )));
    }
    Ok(pool)
}

/// The pool as the block writes it: the ids, or the file's path relative to the site.
pub fn written_pool(spec: &PoolSpec, pool: Vec<String>) -> PoolSpec {
    match spec {
        PoolSpec::Inline(_) => PoolSpec::Inline(pool),
        PoolSpec::File(path) => {
            PoolSpec::File(path.strip_prefix("./").unwrap_or(path).replace('\\', "/"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn block_is_toml_that_reads_back() {
        let block = toml_block(
            Some("facilitator"),
            1,
            "seed \"quoted\"",
            &PoolSpec::Inline(ids(&["a", "b"])),
            &ids(&["b"]),
        );
        let value: toml::Table = toml::from_str(&block).unwrap();
        let draw = &value["draws"].as_array().unwrap()[0];
        assert_eq!(draw["seed"].as_str(), Some("seed \"quoted\""));
        assert_eq!(draw["selected"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn perform_refuses_more_seats_than_candidates() {
        let request = DrawRequest {
            seed: "s".into(),
            seats: 3,
            role: None,
            pool: PoolSpec::Inline(ids(&["a", "b"])),
        };
        let e = perform(&request).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
    }
}
