//! `tally draw`: performs a verifiable lottery (DESIGN.md, "Verifiable lottery") and
//! prints the block to paste into the minutes. The ranking itself is
//! [`crate::model::lottery`]; this command adds reading the pool and writing the block.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::lottery::{Ticket, pool_digest, rank};

/// Where a draw's pool is written in the minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolSpec {
    Inline(Vec<String>),
    /// `pool_file`, relative to the site.
    File(String),
}

/// One value of a draw block: text, a whole number or a list of ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(u64),
    List(Vec<String>),
}

/// One `key = value` of a draw block, with an optional comment after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub value: Value,
    pub note: Option<String>,
}

impl Field {
    pub fn new(key: &'static str, value: Value) -> Field {
        Field {
            key,
            value,
            note: None,
        }
    }

    pub fn text(key: &'static str, text: &str) -> Field {
        Field::new(key, Value::Text(text.to_string()))
    }

    fn with_note(mut self, note: String) -> Field {
        self.note = Some(note);
        self
    }
}

/// A draw as the minutes record it, field by field, written in either front-matter
/// language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block(pub Vec<Field>);

impl Block {
    /// The `[[draws]]` table (TOML front matter).
    pub fn toml(&self) -> String {
        let mut out = String::from("[[draws]]\n");
        for field in &self.0 {
            let value = match &field.value {
                Value::Text(text) => toml_string(text),
                Value::Number(n) => n.to_string(),
                Value::List(ids) => toml_list(ids),
            };
            let _ = write!(out, "{} = {value}", field.key);
            note(&mut out, field.note.as_deref());
        }
        out
    }

    /// One item of the `draws:` list (YAML front matter), its dash `indent` spaces in.
    pub fn yaml_item(&self, indent: usize) -> String {
        let mut out = String::new();
        for (i, field) in self.0.iter().enumerate() {
            let lead = if i == 0 { "- " } else { "  " };
            let value = match &field.value {
                Value::Text(text) => yaml_string(text),
                Value::Number(n) => n.to_string(),
                Value::List(ids) => {
                    let items: Vec<String> = ids.iter().map(|id| yaml_string(id)).collect();
                    format!("[{}]", items.join(", "))
                }
            };
            let _ = write!(out, "{:indent$}{lead}{}: {value}", "", field.key);
            note(&mut out, field.note.as_deref());
        }
        out
    }
}

fn note(out: &mut String, note: Option<&str>) {
    match note {
        Some(note) => {
            let _ = writeln!(out, "  # {note}");
        }
        None => out.push('\n'),
    }
}

/// A YAML double-quoted scalar: JSON's string syntax, which YAML reads the same.
fn yaml_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The block's first fields: the role (or a placeholder to fill in) and the seats.
pub fn head(role: Option<&str>, seats: usize) -> Vec<Field> {
    let role = match role {
        Some(role) => Field::text("role", role),
        None => Field::text("role", "")
            .with_note("the role drawn, a slug like \"facilitator\"".to_string()),
    };
    vec![role, Field::new("seats", Value::Number(seats as u64))]
}

/// The block's last fields: the pinned pool, where the pool is, and who was selected.
pub fn tail(digest: &str, pool: &PoolSpec, selected: &[String]) -> Vec<Field> {
    let mut fields = vec![Field::text("pool_digest", digest)];
    fields.push(match pool {
        PoolSpec::Inline(ids) => Field::new("pool", Value::List(ids.clone())),
        PoolSpec::File(path) => Field::text("pool_file", path),
    });
    fields.push(Field::new("selected", Value::List(selected.to_vec())));
    fields
}

/// A beacon round's field, with the moment it was published as its comment.
pub fn round_field(round: u64, published: impl std::fmt::Display) -> Field {
    Field::new("round", Value::Number(round)).with_note(format!("published {published}"))
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
    /// The site a pool file's path is relative to.
    pub site: PathBuf,
}

/// A draw performed by `tally draw`.
#[derive(Debug, Clone)]
pub struct Performed {
    /// The draw as the minutes record it.
    pub block: Block,
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
    let drawn = Drawn::read(
        request.role.as_deref(),
        &request.pool,
        request.seats,
        &request.site,
        |_| request.seed.clone(),
    )?;
    let mut fields = head(request.role.as_deref(), request.seats);
    fields.push(Field::text("seed", &request.seed));
    let pool = written_pool(&request.pool, drawn.pool);
    fields.extend(tail(&drawn.digest, &pool, &drawn.selected));
    Ok(Performed {
        block: Block(fields),
        ranking: drawn.ranking,
    })
}

/// A pool read, pinned and ranked: what every kind of draw does before writing its block.
pub struct Drawn {
    /// The candidates, checked.
    pub pool: Vec<String>,
    /// The pool's digest (see [`pool_digest`]).
    pub digest: String,
    /// Every candidate in draw order.
    pub ranking: Vec<Ticket>,
    /// The ids of the first `seats` candidates.
    pub selected: Vec<String>,
}

impl Drawn {
    /// Reads the pool (see [`read_pool`]) and ranks it by the seed that `seed` makes
    /// of the pool's digest.
    pub fn read(
        role: Option<&str>,
        spec: &PoolSpec,
        seats: usize,
        site: &Path,
        seed: impl FnOnce(&str) -> String,
    ) -> Result<Drawn> {
        let pool = read_pool(role, spec, seats, site)?;
        let digest = pool_digest(&pool);
        let ranking = rank(&seed(&digest), &pool);
        let selected = ranking.iter().take(seats).map(|t| t.id.clone()).collect();
        Ok(Drawn {
            pool,
            digest,
            ranking,
            selected,
        })
    }
}

/// The candidates of a draw asked for on the command line, checked with its role and
/// seats: bad requests are [`Error::Usage`], a malformed pool file [`Error::Input`]. A
/// pool file's path is relative to `site`, as the minutes write it.
pub fn read_pool(
    role: Option<&str>,
    spec: &PoolSpec,
    seats: usize,
    site: &Path,
) -> Result<Vec<String>> {
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
            crate::load::pool::read(&site.join(file), file)?
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

    fn block() -> Block {
        let mut fields = head(Some("facilitator"), 1);
        fields.push(Field::text("seed", "seed \"quoted\" it's: #1"));
        fields.extend(tail(
            &"a".repeat(64),
            &PoolSpec::Inline(ids(&["a", "b: c"])),
            &ids(&["b: c"]),
        ));
        Block(fields)
    }

    #[test]
    fn block_is_toml_that_reads_back() {
        let value: toml::Table = toml::from_str(&block().toml()).unwrap();
        let draw = &value["draws"].as_array().unwrap()[0];
        assert_eq!(draw["seed"].as_str(), Some("seed \"quoted\" it's: #1"));
        assert_eq!(draw["selected"].as_array().unwrap().len(), 1);
        assert_eq!(draw["pool_digest"].as_str(), Some(&*"a".repeat(64)));
    }

    #[test]
    fn block_is_yaml_that_reads_back() {
        let text = format!("draws:\n{}", block().yaml_item(2));
        let value: serde_norway::Value = serde_norway::from_str(&text).unwrap();
        let draw = &value["draws"][0];
        assert_eq!(draw["seed"].as_str(), Some("seed \"quoted\" it's: #1"));
        assert_eq!(draw["seats"].as_u64(), Some(1));
        assert_eq!(draw["selected"][0].as_str(), Some("b: c"));
    }

    #[test]
    fn perform_refuses_more_seats_than_candidates() {
        let request = DrawRequest {
            seed: "s".into(),
            seats: 3,
            role: None,
            pool: PoolSpec::Inline(ids(&["a", "b"])),
            site: PathBuf::from("."),
        };
        let e = perform(&request).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{e}");
    }
}
