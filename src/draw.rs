//! The verifiable lottery that draws roles among members (DESIGN.md, "Verifiable lottery").
//!
//! For each candidate `id`, its ticket is `SHA-256(seed + ":" + id)` in lowercase hex;
//! candidates are ranked by ticket, ascending; the first `seats` are selected. Anyone can
//! recompute a ticket with `printf '%s:%s' 'SEED' 'ID' | sha256sum`. Pure functions only:
//! no file I/O except [`perform`], which serves `tally draw`.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// A candidate with its ticket, in the order of the draw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub id: String,
    /// `SHA-256(seed + ":" + id)`, 64 lowercase hex digits.
    pub hash: String,
}

/// `SHA-256(seed + ":" + id)` in lowercase hex.
pub fn ticket(seed: &str, id: &str) -> String {
    crate::model::seal::sha256_hex(format!("{seed}:{id}").as_bytes())
}

/// Every candidate of `pool` with its ticket, sorted by ticket ascending (the draw order).
/// Two equal tickets would need equal ids; they are ordered by id to stay total.
pub fn rank(seed: &str, pool: &[String]) -> Vec<Ticket> {
    let mut tickets: Vec<Ticket> = pool
        .iter()
        .map(|id| Ticket {
            id: id.clone(),
            hash: ticket(seed, id),
        })
        .collect();
    tickets.sort_by(|a, b| a.hash.cmp(&b.hash).then_with(|| a.id.cmp(&b.id)));
    tickets
}

/// The ids selected for `seats` seats, in draw order (fewer when the pool is smaller).
pub fn select(seed: &str, pool: &[String], seats: usize) -> Vec<String> {
    rank(seed, pool)
        .into_iter()
        .take(seats)
        .map(|t| t.id)
        .collect()
}

/// Quotes `text` for a POSIX shell: inside single quotes, each `'` becomes `'\''`.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The one-line command that recomputes a candidate's ticket.
pub fn verify_command(seed: &str, id: &str) -> String {
    format!(
        "printf '%s:%s' {} {} | sha256sum",
        shell_quote(seed),
        shell_quote(id)
    )
}

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
        && !crate::check::is_slug(role)
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

    /// Test vector computed outside Rust with coreutils:
    /// `for id in alice bob carol dave; do printf '%s:%s' 'test-vector' "$id" | sha256sum; done`
    /// or in Python: `hashlib.sha256(b"test-vector:alice").hexdigest()`.
    #[test]
    fn tickets_match_sha256sum() {
        assert_eq!(
            ticket("test-vector", "alice"),
            "6922314f05faf241f87c4fc9220f745982ceb04e7a8776ce797ff7e70fc1bc58"
        );
        assert_eq!(
            ticket("test-vector", "bob"),
            "115ce809b2bc4e73803425045422efaf8901cdeb5c01b20f3c8207b985f69f9a"
        );
        assert_eq!(
            ticket("test-vector", "carol"),
            "9121d3e7c944a23bf045080674865d3639e1280a2499cd3301ec60aac55a890c"
        );
        assert_eq!(
            ticket("test-vector", "dave"),
            "2ae6b2b1107f634ca135e5f60a2abcfe512ac5b55f8a91b5a812446b2eea9f6d"
        );
    }

    /// Same vector, sorted: `… | sha256sum | sort` puts bob, dave, alice, carol.
    #[test]
    fn draw_selects_the_lowest_tickets_in_order() {
        let pool = ids(&["alice", "bob", "carol", "dave"]);
        let order: Vec<String> = rank("test-vector", &pool)
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(order, ids(&["bob", "dave", "alice", "carol"]));
        assert_eq!(select("test-vector", &pool, 2), ids(&["bob", "dave"]));
        // The pool's order does not matter.
        let reversed = ids(&["dave", "carol", "bob", "alice"]);
        assert_eq!(select("test-vector", &reversed, 2), ids(&["bob", "dave"]));
    }

    /// Computed with `printf '%s:%s' "it's" "o'k" | sha256sum`: the quoting below
    /// must hand the shell the same bytes.
    #[test]
    fn verify_command_quotes_single_quotes_for_the_shell() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            verify_command("it's", "o'k"),
            r"printf '%s:%s' 'it'\''s' 'o'\''k' | sha256sum"
        );
        assert_eq!(
            ticket("it's", "o'k"),
            "f3322611ffad7897d397f24597c0b42b62d45ca4af8d9929af3ec295aaf10f8d"
        );
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
