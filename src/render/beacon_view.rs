//! What a draw's page shows about its source of randomness: the beacon round (its time,
//! randomness, signature and where to see it) or the seed chosen by the assembly, and
//! the commands that recompute a ticket. Display-ready strings only.

use serde::Serialize;

use crate::beacon;
use crate::model::lottery;
use crate::model::register::{Draw, DrawSource};

/// The beacon round a draw used.
#[derive(Debug, Clone, Serialize)]
pub struct BeaconView {
    pub name: &'static str,
    pub chain_hash: &'static str,
    pub public_key: &'static str,
    pub period: i64,
    pub round: u64,
    /// `2026-09-21T14:13:39Z`
    pub time_iso: String,
    /// `21 September 2026, 14:13:39 UTC`
    pub time: String,
    pub randomness: String,
    pub signature: String,
    /// When the pool was fixed, as written, and as a moment.
    pub pool_fixed: String,
    pub pool_fixed_iso: String,
    pub pool_fixed_time: String,
    /// The round at each public relay.
    pub urls: Vec<String>,
}

impl BeaconView {
    pub fn of(d: &Draw) -> Option<BeaconView> {
        let DrawSource::Beacon {
            round,
            pool_fixed,
            pool_fixed_time,
        } = &d.source
        else {
            return None;
        };
        Some(BeaconView {
            name: beacon::QUICKNET,
            chain_hash: beacon::CHAIN_HASH,
            public_key: beacon::PUBLIC_KEY,
            period: beacon::PERIOD,
            round: round.round,
            time_iso: round.time.to_string(),
            time: human(round.time),
            randomness: round.randomness.clone(),
            signature: round.signature.clone(),
            pool_fixed: pool_fixed.clone(),
            pool_fixed_iso: pool_fixed_time.to_string(),
            pool_fixed_time: human(*pool_fixed_time),
            urls: beacon::RELAYS
                .iter()
                .map(|relay| beacon::round_url(relay, round.round))
                .collect(),
        })
    }
}

/// `21 September 2026, 14:13:39 UTC`
fn human(time: jiff::Timestamp) -> String {
    time.strftime("%-d %B %Y, %H:%M:%S UTC").to_string()
}

/// `beacon` or `seed`: what the page explains.
pub fn kind(d: &Draw) -> &'static str {
    match d.source {
        DrawSource::Seed(_) => "seed",
        DrawSource::Beacon { .. } => "beacon",
    }
}

/// The seed of a seed-only draw.
pub fn seed(d: &Draw) -> Option<String> {
    match &d.source {
        DrawSource::Seed(seed) => Some(seed.clone()),
        DrawSource::Beacon { .. } => None,
    }
}

/// The one-line command that recomputes `id`'s ticket.
pub fn ticket_command(d: &Draw, id: &str) -> String {
    match &d.source {
        DrawSource::Seed(seed) => lottery::verify_command(seed, id),
        DrawSource::Beacon { round, .. } => {
            lottery::beacon_verify_command(&d.pool_digest, &round.randomness, id)
        }
    }
}

/// One line that recomputes every ticket and sorts them: the first `seats` lines are
/// the selection.
pub fn check_all(d: &Draw) -> String {
    let ids: Vec<String> = d.pool.iter().map(|id| lottery::shell_quote(id)).collect();
    let printf = match &d.source {
        DrawSource::Seed(seed) => format!("printf '%s:%s' {} \"$id\"", lottery::shell_quote(seed)),
        DrawSource::Beacon { round, .. } => format!(
            "printf '%s:%s:%s' {} {} \"$id\"",
            d.pool_digest, round.randomness
        ),
    };
    format!(
        "for id in {}; do printf '%s  %s\\n' \"$({printf} | sha256sum | cut -c1-64)\" \"$id\"; done | LC_ALL=C sort | head -n {}",
        ids.join(" "),
        d.seats
    )
}

/// One line that recomputes the pool's digest from its ids.
pub fn digest_command(d: &Draw) -> String {
    let ids: Vec<String> = d.pool.iter().map(|id| lottery::shell_quote(id)).collect();
    format!(
        "printf '%s\\n' {} | LC_ALL=C sort | sha256sum",
        ids.join(" ")
    )
}
