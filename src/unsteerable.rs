//! What makes a draw unsteerable besides the beacon itself (see [`crate::beacon`]): the
//! pool is pinned by its digest when it is fixed, and each ticket mixes that digest with
//! the beacon round's randomness:
//! `SHA-256(pool_digest + ":" + randomness + ":" + id)`, lowest first, as every draw.
//! Pure functions only.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::beacon::{self, VerifiedRound};
use crate::draw::{self, Block, Field, Performed, PoolSpec};
use crate::error::{Error, Result};
use crate::model::lottery::ticket_prefix;

/// What `tally draw --beacon-round` was asked.
#[derive(Debug, Clone)]
pub struct BeaconDrawRequest {
    pub round: u64,
    pub randomness: String,
    pub signature: String,
    pub seats: usize,
    pub role: Option<String>,
    pub pool: PoolSpec,
    /// The site a pool file's path is relative to.
    pub site: PathBuf,
}

/// Performs a beacon draw: checks the round offline, reads the pool, pins its digest
/// and returns the block to paste, with the round as checked.
pub fn perform(request: &BeaconDrawRequest) -> Result<(Performed, VerifiedRound)> {
    let round = beacon::verify(
        beacon::QUICKNET,
        request.round,
        &request.randomness,
        &request.signature,
    )
    .map_err(|problem| Error::Usage(format!("--{problem}")))?;
    let drawn = draw::Drawn::read(
        request.role.as_deref(),
        &request.pool,
        request.seats,
        &request.site,
        |digest| ticket_prefix(digest, &round.randomness),
    )?;
    let block = beacon_block(
        request.role.as_deref(),
        request.seats,
        &round,
        &drawn.digest,
        &draw::written_pool(&request.pool, drawn.pool),
        &drawn.selected,
    );
    Ok((
        Performed {
            block,
            ranking: drawn.ranking,
        },
        round,
    ))
}

/// What `tally draw --next-round [--at TIME]` prints: the first quicknet round
/// published after the moment (now when none is given), and where to see it.
pub fn next_round_text(at: Option<&str>) -> Result<String> {
    let moment = match at {
        Some(text) => {
            crate::load::moment::FrontMoment::parse(text)
                .map_err(|e| Error::Usage(format!("--at: {e}")))?
                .time
        }
        None => jiff::Timestamp::now(),
    };
    let round = beacon::first_round_after(moment);
    let time = beacon::round_time(round)
        .ok_or_else(|| Error::Usage(format!("--at: {moment} is beyond the beacon's rounds")))?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} round {round}, published {time} (the first after {moment})",
        beacon::QUICKNET
    );
    for relay in beacon::RELAYS {
        let _ = writeln!(out, "  {}", beacon::round_url(relay, round));
    }
    Ok(out)
}

/// The draw block of a beacon draw.
fn beacon_block(
    role: Option<&str>,
    seats: usize,
    round: &VerifiedRound,
    digest: &str,
    pool: &PoolSpec,
    selected: &[String],
) -> Block {
    let mut fields = draw::head(role, seats);
    fields.extend([
        Field::text("beacon", beacon::QUICKNET),
        draw::round_field(round.round, round.time),
        Field::text("randomness", &round.randomness),
        Field::text("signature", &round.signature),
    ]);
    fields.extend(draw::tail(digest, pool, selected));
    Block(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::lottery::{beacon_verify_command as verify_command, is_digest, pool_digest};

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
            crate::model::lottery::ticket(&prefix, "m-1"),
            "f224d70b56a9faae1834fc198d1a643761aaf4c65326719be1caa285563f2264"
        );
        assert_eq!(
            verify_command("d", "r", "it's"),
            r"printf '%s:%s:%s' d r 'it'\''s' | sha256sum"
        );
    }
}
