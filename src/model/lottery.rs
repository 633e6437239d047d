//! The verifiable lottery's ranking, pure: for each candidate `id`, its ticket is
//! `SHA-256(seed + ":" + id)` in lowercase hex; candidates are ranked by ticket,
//! ascending; the first `seats` are selected. Anyone can recompute a ticket with
//! `printf '%s:%s' 'SEED' 'ID' | sha256sum`. No file I/O.

use crate::digest::sha256_hex;

/// A candidate with its ticket, in the order of the draw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ticket {
    pub id: String,
    /// `SHA-256(seed + ":" + id)`, 64 lowercase hex digits.
    pub hash: String,
}

/// `SHA-256(seed + ":" + id)` in lowercase hex.
pub fn ticket(seed: &str, id: &str) -> String {
    sha256_hex(format!("{seed}:{id}").as_bytes())
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

/// `SHA-256` of the candidate ids sorted bytewise, each followed by a newline: the same
/// bytes as `LC_ALL=C sort` prints, so `tail -n +2 POOL.csv | LC_ALL=C sort | sha256sum`
/// recomputes it for a pool file with only an `id` column.
pub fn pool_digest(ids: &[String]) -> String {
    let mut sorted: Vec<&str> = ids.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let mut text = String::new();
    for id in sorted {
        text.push_str(id);
        text.push('\n');
    }
    sha256_hex(text.as_bytes())
}

/// The text that stands before `":" + id` in a beacon draw's tickets, so that the
/// lottery's `rank(seed, pool)` ranks by `SHA-256(pool_digest:randomness:id)`.
pub fn ticket_prefix(pool_digest: &str, randomness: &str) -> String {
    format!("{pool_digest}:{randomness}")
}

/// The one-line check of a candidate's ticket in a beacon draw.
pub fn beacon_verify_command(pool_digest: &str, randomness: &str, id: &str) -> String {
    format!(
        "printf '%s:%s:%s' {pool_digest} {randomness} {} | sha256sum",
        shell_quote(id)
    )
}

/// `64` lowercase hex digits, as a pinned digest is written.
pub fn is_digest(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
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
}
