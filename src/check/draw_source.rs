//! A draw's source of randomness and its pinned pool: a seed chosen by the assembly, or
//! a drand quicknet round (verified offline) published after the pool was fixed; and a
//! `pool_digest` that a later edit of the pool contradicts. Called by `minutes` for
//! each draw; problems name what to fix.

use std::path::Path;

use crate::beacon;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawMinutes;
use crate::load::content::RawDraw;
use crate::load::moment::FrontMoment;
use crate::model::lottery;
use crate::model::register::DrawSource;

/// The draw's source, or its problems (pushed to `problems`).
pub fn source_of(
    m: &RawMinutes,
    d: &RawDraw,
    at: &dyn Fn(String) -> Diagnostic,
    problems: &mut Diagnostics,
) -> Option<DrawSource> {
    let beacon_fields =
        d.beacon.is_some() || d.round.is_some() || d.randomness.is_some() || d.signature.is_some();
    match (&d.seed, beacon_fields) {
        (Some(_), true) => {
            problems.push(at(
                "seed: give either a seed or a beacon round (beacon, round, randomness, signature), not both".into(),
            ));
            None
        }
        (None, false) => {
            problems.push(at(format!(
                "beacon: a draw needs its randomness: beacon = {:?} with round, randomness and signature (`tally draw --next-round` names a round), or a seed",
                beacon::QUICKNET
            )));
            None
        }
        (Some(seed), false) => {
            if seed.trim().is_empty() {
                problems.push(at("seed: must not be empty".into()));
                return None;
            }
            Some(DrawSource::Seed(seed.clone()))
        }
        (None, true) => beacon_source(m, d, at, problems),
    }
}

fn beacon_source(
    m: &RawMinutes,
    d: &RawDraw,
    at: &dyn Fn(String) -> Diagnostic,
    problems: &mut Diagnostics,
) -> Option<DrawSource> {
    let missing: Vec<&str> = [
        ("beacon", d.beacon.is_none()),
        ("round", d.round.is_none()),
        ("randomness", d.randomness.is_none()),
        ("signature", d.signature.is_none()),
        ("pool_digest", d.pool_digest.is_none()),
    ]
    .into_iter()
    .filter_map(|(field, absent)| absent.then_some(field))
    .collect();
    if !missing.is_empty() {
        problems.push(at(format!(
            "{}: a beacon draw needs beacon, round, randomness, signature and pool_digest (`tally draw --beacon-round …` prints them all)",
            missing.join(", ")
        )));
        return None;
    }
    let (Some(name), Some(round), Some(randomness), Some(signature)) =
        (&d.beacon, d.round, &d.randomness, &d.signature)
    else {
        return None;
    };
    let verified = match beacon::verify(name, round, randomness, signature) {
        Ok(verified) => verified,
        Err(problem) => {
            problems.push(at(problem.to_string()));
            return None;
        }
    };
    let (pool_fixed, defaulted) = match &m.front.pool_fixed {
        Some(moment) => (moment.clone(), false),
        None => match FrontMoment::end_of(m.front.date.0) {
            Ok(moment) => (moment, true),
            Err(e) => {
                problems.push(at(format!("pool_fixed: {e}")));
                return None;
            }
        },
    };
    if verified.time <= pool_fixed.time {
        let hint = if defaulted {
            format!(
                " (pool_fixed defaults to the assembly's date, {}, so the round must come after that day ends; write pool_fixed = 2026-11-02T18:00:00Z with the moment the pool was fixed if it was earlier)",
                pool_fixed.text
            )
        } else {
            String::new()
        };
        problems.push(at(format!(
            "round: round {round} was published at {}, not after the pool was fixed ({}): its randomness could be known when the pool was fixed; draw on a later round (`tally draw --next-round --at {}`){hint}",
            verified.time,
            pool_fixed.time,
            pool_fixed.time
        )));
        return None;
    }
    Some(DrawSource::Beacon {
        round: verified,
        pool_fixed: pool_fixed.text,
        pool_fixed_time: pool_fixed.time,
    })
}

/// Compares the pinned `pool_digest` with the pool's: a pool edited after it was fixed
/// is an error naming the pool and the draw it would change. Returns the pool's digest.
pub fn check_pin(
    m: &RawMinutes,
    d: &RawDraw,
    pool: &[String],
    at: &dyn Fn(String) -> Diagnostic,
    problems: &mut Diagnostics,
) -> Option<String> {
    let digest = lottery::pool_digest(pool);
    let Some(pinned) = &d.pool_digest else {
        return Some(digest);
    };
    if !lottery::is_digest(pinned) {
        problems.push(at(format!(
            "pool_digest: {pinned:?} is not a SHA-256 digest (64 lowercase hex digits)"
        )));
        return None;
    }
    if *pinned == digest {
        return Some(digest);
    }
    let pool_name = match &d.pool_file {
        Some(file) => format!("pool file {file}"),
        None => "the pool written in these minutes".to_string(),
    };
    problems.push(at(format!(
        "pool_digest: {pool_name} was edited after the pool was fixed: its digest is now {digest}, the draw pinned {pinned}; the edit would change the draw of {:?} in {} (restore the pool as it was fixed; do not edit these minutes)",
        d.role, m.slug
    )));
    None
}

/// One error for each pool file edited after draws pinned it, at the pool file, naming
/// every draw it would change and what each would select now: the fix is to restore the
/// pool, not to rewrite old minutes.
pub fn edited_pools(
    minutes: &[std::sync::Arc<RawMinutes>],
    pools: &std::collections::BTreeMap<String, crate::load::RawPool>,
    problems: &mut Diagnostics,
) {
    let mut edited: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for m in minutes {
        for (i, d) in m.front.draws.iter().enumerate() {
            let (Some(name), Some(pinned)) = (&d.pool_file, &d.pool_digest) else {
                continue;
            };
            let Some(pool) = pools.get(name) else {
                continue;
            };
            let ids: Vec<String> = pool.ids.iter().map(|(id, _)| id.clone()).collect();
            let digest = lottery::pool_digest(&ids);
            if digest == *pinned || !lottery::is_digest(pinned) {
                continue;
            }
            let line = RawMinutes::line_of(&m.draw_lines, i);
            edited.entry(name).or_default().push(format!(
                "{:?} in {}:{line} ({})",
                d.role,
                m.path.display(),
                change_of(d, &digest, &ids)
            ));
        }
    }
    for (name, draws) in edited {
        problems.push(Diagnostic::at(
            Path::new(name),
            1,
            format!(
                "edited after {} draw{} pinned it by pool_digest: {}; restore {name} as it was when drawn (from the site's history or backup, e.g. `git log -p -- {name}`), and do not edit the old minutes",
                draws.len(),
                if draws.len() == 1 { "" } else { "s" },
                draws.join("; ")
            ),
        ));
    }
}

/// What a draw would select with the pool as it is now.
fn change_of(d: &RawDraw, digest: &str, ids: &[String]) -> String {
    let prefix = match (&d.seed, &d.randomness) {
        (Some(seed), _) => seed.clone(),
        (None, Some(randomness)) => lottery::ticket_prefix(digest, randomness),
        (None, None) => return "its draw no longer matches its pool".to_string(),
    };
    let now: Vec<String> = lottery::rank(&prefix, ids)
        .into_iter()
        .take(d.seats as usize)
        .map(|t| t.id)
        .collect();
    let mut was = d.selected.clone();
    was.sort();
    let mut sorted = now.clone();
    sorted.sort();
    if sorted == was {
        format!("still selects {now:?}, but from another pool")
    } else {
        format!("would select {now:?} instead of {:?}", d.selected)
    }
}
