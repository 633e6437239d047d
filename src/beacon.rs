//! The public randomness beacon that makes a draw unsteerable: drand's "quicknet" chain
//! (League of Entropy mainnet, scheme `bls-unchained-g1-rfc9380`), checked offline.
//!
//! A round's signature is a BLS12-381 signature on G1 of `SHA-256(round as 8 bytes,
//! big-endian)` under the network's public key on G2; its randomness is
//! `SHA-256(signature)`; it is published at `genesis + (round - 1) × period`. The pairing
//! check is the `drand-verify` crate's; nothing here does curve arithmetic. Pure
//! functions, no I/O, no clock: callers pass every moment in.

use std::fmt;

use drand_verify::{G2PubkeyRfc, Pubkey};
use jiff::Timestamp;

/// The name a draw gives the beacon: `beacon = "drand-quicknet"`.
pub const QUICKNET: &str = "drand-quicknet";
/// The chain's hash: it names the chain at every drand endpoint.
pub const CHAIN_HASH: &str = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
/// The network's public key (BLS12-381 G2, compressed).
pub const PUBLIC_KEY: &str = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";
/// Round 1's time, in seconds since 1970 (2023-08-23T15:09:27Z).
pub const GENESIS_TIME: i64 = 1_692_803_367;
/// Seconds between rounds.
pub const PERIOD: i64 = 3;
/// The public HTTP relays that serve the chain (`<relay>/<chain hash>/public/<round>`).
pub const RELAYS: [&str; 3] = [
    "https://api.drand.sh",
    "https://api2.drand.sh",
    "https://drand.cloudflare.com",
];

/// Why a beacon round did not check out. Each says what to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeaconProblem {
    /// `beacon` names a beacon tally does not know.
    UnknownBeacon(String),
    /// Round 0 does not exist; rounds this far out have no time.
    NoSuchRound(u64),
    /// Not hex, or not the right length.
    Malformed { field: &'static str, reason: String },
    /// The BLS check against the network's public key failed.
    BadSignature(u64),
    /// `randomness` is not SHA-256 of the signature.
    WrongRandomness { expected: String },
}

impl fmt::Display for BeaconProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BeaconProblem::UnknownBeacon(name) => write!(
                f,
                "beacon: {name:?} is not a beacon tally can check; use {QUICKNET:?}"
            ),
            BeaconProblem::NoSuchRound(round) => {
                write!(f, "round: {round} is not a {QUICKNET} round")
            }
            BeaconProblem::Malformed { field, reason } => write!(f, "{field}: {reason}"),
            BeaconProblem::BadSignature(round) => write!(
                f,
                "signature: is not the {QUICKNET} signature of round {round} (the BLS check against the network's public key fails): copy it again from {}",
                round_url(RELAYS[0], *round)
            ),
            BeaconProblem::WrongRandomness { expected } => write!(
                f,
                "randomness: is not SHA-256 of the signature, which is {expected}"
            ),
        }
    }
}

/// A round whose signature and randomness were checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifiedRound {
    pub round: u64,
    /// When the network published it.
    pub time: Timestamp,
    /// 64 lowercase hex digits.
    pub randomness: String,
    /// 96 lowercase hex digits.
    pub signature: String,
}

/// When `round` is published, or `None` for round 0 and rounds past the year 9999.
pub fn round_time(round: u64) -> Option<Timestamp> {
    let after = i64::try_from(round.checked_sub(1)?).ok()?;
    let seconds = after.checked_mul(PERIOD)?.checked_add(GENESIS_TIME)?;
    Timestamp::from_second(seconds).ok()
}

/// The first round published strictly after `moment`: a round whose randomness nobody
/// can know at `moment`.
pub fn first_round_after(moment: Timestamp) -> u64 {
    let since = moment.as_second() - GENESIS_TIME;
    if since < 0 {
        return 1;
    }
    // Round r is published at genesis + (r - 1) × period; the first after `moment`
    // has (r - 1) × period > since.
    (since / PERIOD + 2) as u64
}

/// Where anyone can see the round at the beacon's public relays.
pub fn round_url(relay: &str, round: u64) -> String {
    format!("{relay}/{CHAIN_HASH}/public/{round}")
}

/// Checks a quicknet round offline: the signature against the network's public key,
/// the randomness against the signature. Hex may be upper or lower case.
pub fn verify(
    beacon: &str,
    round: u64,
    randomness: &str,
    signature: &str,
) -> Result<VerifiedRound, BeaconProblem> {
    if beacon != QUICKNET {
        return Err(BeaconProblem::UnknownBeacon(beacon.to_string()));
    }
    let time = round_time(round).ok_or(BeaconProblem::NoSuchRound(round))?;
    let signature_bytes = hex_bytes("signature", signature, 48)?;
    hex_bytes("randomness", randomness, 32)?;
    let key = public_key();
    // The key is a constant checked by the tests: it always decodes.
    let verified = key
        .map(|key| key.verify(round, b"", &signature_bytes))
        .map_err(|_| BeaconProblem::BadSignature(round))?;
    if !matches!(verified, Ok(true)) {
        return Err(BeaconProblem::BadSignature(round));
    }
    let expected = crate::digest::sha256_hex(&signature_bytes);
    if !randomness.eq_ignore_ascii_case(&expected) {
        return Err(BeaconProblem::WrongRandomness { expected });
    }
    Ok(VerifiedRound {
        round,
        time,
        randomness: expected,
        signature: signature.to_ascii_lowercase(),
    })
}

fn public_key() -> Result<G2PubkeyRfc, ()> {
    let bytes = decode_hex(PUBLIC_KEY).ok_or(())?;
    G2PubkeyRfc::from_variable(&bytes).map_err(|_| ())
}

/// `text` as `len` bytes of hex, or why not.
fn hex_bytes(field: &'static str, text: &str, len: usize) -> Result<Vec<u8>, BeaconProblem> {
    let malformed = |reason: String| BeaconProblem::Malformed { field, reason };
    if text.len() != len * 2 {
        return Err(malformed(format!(
            "has {} characters; a {QUICKNET} {field} is {} hex digits",
            text.len(),
            len * 2
        )));
    }
    decode_hex(text).ok_or_else(|| malformed("is not hexadecimal (0-9, a-f)".into()))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(digits, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors copied from the drand repositories and documentation, with sources.
    const VECTORS: &str = include_str!("../tests/data/drand-quicknet.toml");

    struct Vector {
        round: u64,
        time: i64,
        signature: String,
        randomness: String,
    }

    fn vectors() -> (toml::Table, Vec<Vector>) {
        let table: toml::Table = toml::from_str(VECTORS).unwrap();
        let rounds = table["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Vector {
                round: r["round"].as_integer().unwrap() as u64,
                time: r["time"].as_integer().unwrap(),
                signature: r["signature"].as_str().unwrap().to_string(),
                randomness: r["randomness"].as_str().unwrap().to_string(),
            })
            .collect();
        (table, rounds)
    }

    #[test]
    fn chain_constants_match_the_published_chain_info() {
        let (table, _) = vectors();
        let chain = &table["chain"];
        assert_eq!(chain["chain_hash"].as_str(), Some(CHAIN_HASH));
        assert_eq!(chain["public_key"].as_str(), Some(PUBLIC_KEY));
        assert_eq!(chain["genesis_time"].as_integer(), Some(GENESIS_TIME));
        assert_eq!(chain["period"].as_integer(), Some(PERIOD));
        assert!(public_key().is_ok());
    }

    #[test]
    fn real_quicknet_rounds_verify_and_their_times_follow_from_genesis() {
        let (_, rounds) = vectors();
        assert!(rounds.len() >= 3);
        for v in rounds {
            let verified = verify(QUICKNET, v.round, &v.randomness, &v.signature)
                .unwrap_or_else(|e| panic!("round {}: {e}", v.round));
            assert_eq!(verified.time.as_second(), v.time, "round {}", v.round);
            assert_eq!(verified.randomness, v.randomness);
        }
    }

    #[test]
    fn a_flipped_byte_in_the_signature_fails_the_bls_check() {
        let (_, rounds) = vectors();
        for v in rounds {
            let mut bytes = decode_hex(&v.signature).unwrap();
            bytes[20] ^= 0x01;
            let flipped: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let e = verify(QUICKNET, v.round, &v.randomness, &flipped).unwrap_err();
            assert!(
                matches!(e, BeaconProblem::BadSignature(_)),
                "round {}: a flipped signature must fail the pairing check: {e}",
                v.round
            );
        }
    }

    #[test]
    fn a_signature_of_another_round_fails() {
        let (_, rounds) = vectors();
        let e = verify(
            QUICKNET,
            rounds[0].round + 1,
            &rounds[0].randomness,
            &rounds[0].signature,
        )
        .unwrap_err();
        assert_eq!(e, BeaconProblem::BadSignature(rounds[0].round + 1));
    }

    #[test]
    fn a_flipped_byte_in_the_randomness_fails() {
        let (_, rounds) = vectors();
        let v = &rounds[0];
        let mut randomness = v.randomness.clone().into_bytes();
        randomness[0] = if randomness[0] == b'0' { b'1' } else { b'0' };
        let randomness = String::from_utf8(randomness).unwrap();
        let e = verify(QUICKNET, v.round, &randomness, &v.signature).unwrap_err();
        assert_eq!(
            e,
            BeaconProblem::WrongRandomness {
                expected: v.randomness.clone()
            }
        );
    }

    #[test]
    fn malformed_input_is_named_not_panicked_on() {
        let (_, rounds) = vectors();
        let v = &rounds[0];
        for (field, randomness, signature) in [
            ("signature", v.randomness.as_str(), "zz"),
            ("signature", v.randomness.as_str(), &"g".repeat(96)[..]),
            ("randomness", "", v.signature.as_str()),
        ] {
            match verify(QUICKNET, v.round, randomness, signature) {
                Err(BeaconProblem::Malformed { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            verify("drand-mainnet", v.round, &v.randomness, &v.signature).unwrap_err(),
            BeaconProblem::UnknownBeacon("drand-mainnet".into())
        );
        assert_eq!(
            verify(QUICKNET, 0, &v.randomness, &v.signature).unwrap_err(),
            BeaconProblem::NoSuchRound(0)
        );
        assert!(round_time(u64::MAX).is_none());
    }

    #[test]
    fn first_round_after_a_moment_is_strictly_later() {
        let genesis = Timestamp::from_second(GENESIS_TIME).unwrap();
        assert_eq!(first_round_after(genesis), 2);
        let before = Timestamp::from_second(GENESIS_TIME - 100).unwrap();
        assert_eq!(first_round_after(before), 1);
        // Round 32398885 is published at 1790000019: one second earlier, it is next;
        // at that very second, the next one is.
        let at = Timestamp::from_second(1_790_000_019).unwrap();
        assert_eq!(first_round_after(at), 32_398_886);
        let just_before = Timestamp::from_second(1_790_000_018).unwrap();
        assert_eq!(first_round_after(just_before), 32_398_885);
        for second in 1_790_000_000..1_790_000_030 {
            let moment = Timestamp::from_second(second).unwrap();
            let round = first_round_after(moment);
            assert!(round_time(round).unwrap() > moment);
            assert!(round_time(round - 1).unwrap() <= moment);
        }
    }
}
