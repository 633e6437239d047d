//! When an invoice is issued: only once every week of its period is sealed in
//! `tally.lock` (not merely closed). Until then it is a draft, whose figures may still
//! change. Pure lookups over the seals; no I/O.

use super::invoice::Period;
use super::seal::{SealState, Seals};
use super::week::WeekId;

/// Whether every week of `period` that the seals know of is sealed (or sealed and
/// amended), and the period's last week is among them.
pub fn period_sealed(seals: &Seals, period: Period) -> bool {
    let last = WeekId::of(period.end());
    if !seals.weeks.contains_key(&last) {
        return false;
    }
    let mut week = WeekId::of(period.start());
    loop {
        if let Some(seal) = seals.weeks.get(&week)
            && !matches!(seal.state, SealState::Sealed | SealState::Amended)
        {
            return false;
        }
        if week >= last {
            return true;
        }
        week = week.next();
    }
}
