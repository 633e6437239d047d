//! What makes a draw unsteerable besides the beacon itself (see [`crate::beacon`]): the
//! pool is pinned by its digest when it is fixed, and each ticket mixes that digest with
//! the beacon round's randomness:
//! `SHA-256(pool_digest + ":" + randomness + ":" + id)`, lowest first, as every draw.
//! Pure functions only.

use crate::draw::shell_quote;

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
    crate::model::seal::sha256_hex(text.as_bytes())
}

/// The text that stands before `":" + id` in a beacon draw's tickets, so that the
/// lottery's `rank(seed, pool)` ranks by `SHA-256(pool_digest:randomness:id)`.
pub fn ticket_prefix(pool_digest: &str, randomness: &str) -> String {
    format!("{pool_digest}:{randomness}")
}

/// The one-line check of a candidate's ticket in a beacon draw.
pub fn verify_command(pool_digest: &str, randomness: &str, id: &str) -> String {
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

    /// Computed with coreutils: `printf 'alice\nbob\ncarol\n' | sha256sum`.
    #[test]
    fn pool_digest_is_sha256_of_the_sorted_ids_one_per_line() {
        let digest = pool_digest(&ids(&["carol", "alice", "bob"]));
        assert_eq!(digest, POOL_ALICE_BOB_CAROL);
        assert_eq!(pool_digest(&ids(&["bob", "carol", "alice"])), digest);
        assert_ne!(pool_digest(&ids(&["alice", "bob"])), digest);
        assert!(is_digest(&digest));
    }

    /// `printf 'alice\nbob\ncarol\n' | sha256sum`
    const POOL_ALICE_BOB_CAROL: &str =
        "54e7fd617a3c08ae396cadd191b9e16db655b8c9e0832d35902f7d351b8cd191";

    #[test]
    fn beacon_tickets_are_sha256_of_digest_randomness_and_id() {
        let prefix = ticket_prefix("d", "r");
        // `printf '%s:%s:%s' d r m-1 | sha256sum`
        assert_eq!(
            crate::draw::ticket(&prefix, "m-1"),
            "f224d70b56a9faae1834fc198d1a643761aaf4c65326719be1caa285563f2264"
        );
        assert_eq!(
            verify_command("d", "r", "it's"),
            r"printf '%s:%s:%s' d r 'it'\''s' | sha256sum"
        );
    }
}
