//! The registers of self-government, built from every minutes file: decisions,
//! committees (with the lunar sunset rule), roles drawn by lottery and delegates'
//! mandates. Plain data and the date rules; no formatting for display here.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::SignedDuration;
use jiff::civil::{Date, Time};

pub use super::lottery::Ticket;

/// How a decision went.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    Deferred,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(deny_unknown_fields)]
pub struct Votes {
    #[serde(rename = "for", default)]
    pub in_favour: u32,
    #[serde(default)]
    pub against: u32,
    #[serde(default)]
    pub abstain: u32,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum CommitteeAction {
    Create,
    Renew,
    Dissolve,
}

/// The minutes that recorded something: enough to name and link them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    pub slug: String,
    pub title: String,
    pub date: Date,
    pub assembly: String,
}

/// A decision put to an assembly.
#[derive(Debug, Clone, Hash)]
pub struct Decision {
    pub record: Record,
    /// 1-based position in its minutes.
    pub number: usize,
    pub text: String,
    pub outcome: Outcome,
    pub votes: Option<Votes>,
}

impl Decision {
    /// `decision-2`: its anchor on the minutes page.
    pub fn anchor(&self) -> String {
        format!("decision-{}", self.number)
    }
}

/// One create, renew or dissolve of a committee, as recorded in minutes.
#[derive(Debug, Clone, Hash)]
pub struct CommitteeEvent {
    pub record: Record,
    pub committee: String,
    pub action: CommitteeAction,
    pub mandate: Option<String>,
}

/// One synodic month (new moon to new moon, on average): 29.530589 days, that is
/// 29 days, 12 hours, 44 minutes and 2.8896 seconds.
pub const SYNODIC_MONTH: SignedDuration = SignedDuration::new(2_551_442, 889_600_000);

/// The day a committee's cycle ends when it was created or renewed on `start`.
///
/// Minutes carry dates, not times, so a cycle is counted from the start (00:00) of the
/// day of the assembly that created or renewed the committee. One synodic month later is
/// 12:44 on the 29th day after it: that calendar day is the sunset date. The committee
/// is active up to and including its sunset date and has lapsed from the day after.
/// Example: renewed on 30 October 2026, it sunsets on 28 November 2026 and has lapsed
/// on 29 November.
pub fn sunset(start: Date) -> Date {
    start
        .to_datetime(Time::midnight())
        .checked_add(SYNODIC_MONTH)
        .map_or(Date::MAX, |end| end.date())
}

/// A committee's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommitteeState {
    /// Created or renewed, serving until `sunsets` (inclusive) unless renewed.
    Active { sunsets: Date },
    /// Not renewed in time: its last cycle ended on `sunset`.
    Lapsed { sunset: Date },
    /// Dissolved by an assembly on `on`.
    Dissolved { on: Date },
    /// Only created after that day (the day is before its first minutes).
    NotYetCreated,
}

impl CommitteeState {
    pub fn is_active(self) -> bool {
        matches!(self, CommitteeState::Active { .. })
    }
}

/// The state on `day` of a committee with these events (in date order): the last event
/// on or before `day` decides, and an active cycle that ended before `day` has lapsed.
pub fn state_on(events: &[CommitteeEvent], day: Date) -> CommitteeState {
    let Some(last) = events.iter().rev().find(|e| e.record.date <= day) else {
        return CommitteeState::NotYetCreated;
    };
    match last.action {
        CommitteeAction::Dissolve => CommitteeState::Dissolved {
            on: last.record.date,
        },
        CommitteeAction::Create | CommitteeAction::Renew => {
            let end = sunset(last.record.date);
            if day <= end {
                CommitteeState::Active { sunsets: end }
            } else {
                CommitteeState::Lapsed { sunset: end }
            }
        }
    }
}

/// A committee with its whole history and its state on the site's "as of" date.
#[derive(Debug, Clone, Hash)]
pub struct Committee {
    pub name: String,
    /// In date order (then by minutes, then as written).
    pub events: Vec<CommitteeEvent>,
    pub state: CommitteeState,
}

/// A role drawn by lottery, recomputed and checked.
#[derive(Debug, Clone, Hash)]
pub struct Draw {
    pub record: Record,
    pub role: String,
    pub seats: usize,
    /// Where the tickets' randomness came from.
    pub source: DrawSource,
    /// The pool as written (inline or in the file), in its own order.
    pub pool: Vec<String>,
    /// `pool_file` when the pool came from a file.
    pub pool_file: Option<String>,
    /// SHA-256 of the sorted ids, one per line (equal to the pinned one when pinned).
    pub pool_digest: String,
    /// Whether the minutes pinned `pool_digest`.
    pub pool_pinned: bool,
    /// Every candidate with its ticket, in draw order (ascending hash).
    pub ranking: Vec<Ticket>,
    /// id → name, from the pool file's optional `name` column.
    pub names: BTreeMap<String, String>,
}

/// Where a draw's randomness came from.
#[derive(Debug, Clone, Hash)]
pub enum DrawSource {
    /// A seed chosen by the assembly: checkable, not proof against steering. Tickets
    /// are `SHA-256(seed:id)`.
    Seed(String),
    /// A public beacon round published after the pool was fixed, verified offline.
    /// Tickets are `SHA-256(pool_digest:randomness:id)`.
    Beacon {
        round: crate::beacon::VerifiedRound,
        /// When the pool was fixed, as written (or the assembly's date).
        pool_fixed: String,
        pool_fixed_time: jiff::Timestamp,
    },
}

impl Draw {
    /// `2026-11-02-north-ward-assembly-flood-watch-steward`: the draw's page is
    /// `/roles/<slug>/`.
    pub fn slug(&self) -> String {
        format!("{}-{}", self.record.slug, self.role)
    }

    /// `Ana Lima (m-005)`, or the id alone when the pool gives no name.
    pub fn candidate(&self, id: &str) -> String {
        match self.names.get(id) {
            Some(name) => format!("{name} ({id})"),
            None => id.to_string(),
        }
    }

    /// The selected ids in draw order.
    pub fn selected(&self) -> impl Iterator<Item = &Ticket> {
        self.ranking.iter().take(self.seats)
    }
}

/// A delegate's mandate to a council.
#[derive(Debug, Clone, Hash)]
pub struct Mandate {
    pub record: Record,
    pub name: String,
    pub council: String,
    pub mandate: Option<String>,
    /// Defaults to the minutes' date.
    pub from: Date,
    /// Open-ended when absent.
    pub until: Option<Date>,
}

/// Where a mandate stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MandateState {
    Current,
    Upcoming,
    Past,
}

impl Mandate {
    /// Current from `from` to `until`, both inclusive.
    pub fn state_on(&self, day: Date) -> MandateState {
        if day < self.from {
            MandateState::Upcoming
        } else if self.until.is_some_and(|until| day > until) {
            MandateState::Past
        } else {
            MandateState::Current
        }
    }
}

/// Everything the minutes record, gathered across all minutes. The records are shared
/// with the minutes they come from, not copied.
#[derive(Debug, Clone, Default)]
pub struct Registers {
    /// Newest first; within one minutes file, as written.
    pub decisions: Vec<Arc<Decision>>,
    /// By name.
    pub committees: Vec<Committee>,
    /// Newest first.
    pub draws: Vec<Arc<Draw>>,
    /// Newest first (by start, then by minutes).
    pub mandates: Vec<Arc<Mandate>>,
}

/// What one minutes file records, validated.
#[derive(Debug, Clone, Default, Hash)]
pub struct Records {
    pub decisions: Vec<Arc<Decision>>,
    pub committee_events: Vec<CommitteeEvent>,
    pub draws: Vec<Arc<Draw>>,
    pub mandates: Vec<Arc<Mandate>>,
}

/// Gathers the registers from minutes (any order); committee states are taken on
/// `as_of` (the latest event's day when the site has no "as of" date).
pub fn build<'a>(all: impl IntoIterator<Item = &'a Records>, as_of: Option<Date>) -> Registers {
    let mut registers = Registers::default();
    let all: Vec<&Records> = all.into_iter().collect();
    registers
        .decisions
        .reserve(all.iter().map(|r| r.decisions.len()).sum());
    let mut events: Vec<CommitteeEvent> = Vec::new();
    for records in all {
        registers
            .decisions
            .extend(records.decisions.iter().cloned());
        events.extend(records.committee_events.iter().cloned());
        registers.draws.extend(records.draws.iter().cloned());
        registers.mandates.extend(records.mandates.iter().cloned());
    }
    let newest_first =
        |a: &Record, b: &Record| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug));
    registers
        .decisions
        .sort_by(|a, b| newest_first(&a.record, &b.record).then(a.number.cmp(&b.number)));
    registers
        .draws
        .sort_by(|a, b| newest_first(&a.record, &b.record).then_with(|| a.role.cmp(&b.role)));
    registers.mandates.sort_by(|a, b| {
        b.from
            .cmp(&a.from)
            .then_with(|| newest_first(&a.record, &b.record))
            .then_with(|| a.name.cmp(&b.name))
    });

    // A stable sort keeps each file's own order for events on one day.
    events.sort_by(|a, b| {
        a.record
            .date
            .cmp(&b.record.date)
            .then_with(|| a.record.slug.cmp(&b.record.slug))
    });
    let day = as_of.or_else(|| events.iter().map(|e| e.record.date).max());
    let mut by_name: BTreeMap<String, Vec<CommitteeEvent>> = BTreeMap::new();
    for event in events {
        by_name
            .entry(event.committee.clone())
            .or_default()
            .push(event);
    }
    registers.committees = by_name
        .into_iter()
        .map(|(name, events)| Committee {
            state: day.map_or(CommitteeState::NotYetCreated, |d| state_on(&events, d)),
            name,
            events,
        })
        .collect();
    registers
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn event(day: Date, action: CommitteeAction) -> CommitteeEvent {
        CommitteeEvent {
            record: Record {
                slug: format!("{day}-x"),
                title: "x".into(),
                date: day,
                assembly: "x".into(),
            },
            committee: "c".into(),
            action,
            mandate: None,
        }
    }

    #[test]
    fn sunset_is_29_days_after_the_cycle_starts() {
        // 2026-10-30 00:00 + 29.530589 days = 2026-11-28 12:44:02.8896.
        assert_eq!(sunset(date(2026, 10, 30)), date(2026, 11, 28));
        assert_eq!(sunset(date(2026, 2, 1)), date(2026, 3, 2));
        assert_eq!(sunset(date(2028, 2, 1)), date(2028, 3, 1));
        assert_eq!(
            date(2026, 10, 30)
                .to_datetime(Time::midnight())
                .checked_add(SYNODIC_MONTH)
                .unwrap()
                .to_string(),
            "2026-11-28T12:44:02.8896"
        );
    }

    #[test]
    fn committee_is_active_on_its_sunset_day_and_lapsed_the_day_after() {
        let events = vec![event(date(2026, 10, 30), CommitteeAction::Create)];
        assert_eq!(
            state_on(&events, date(2026, 11, 27)),
            CommitteeState::Active {
                sunsets: date(2026, 11, 28)
            }
        );
        assert_eq!(
            state_on(&events, date(2026, 11, 28)),
            CommitteeState::Active {
                sunsets: date(2026, 11, 28)
            }
        );
        assert_eq!(
            state_on(&events, date(2026, 11, 29)),
            CommitteeState::Lapsed {
                sunset: date(2026, 11, 28)
            }
        );
        assert_eq!(
            state_on(&events, date(2026, 10, 29)),
            CommitteeState::NotYetCreated
        );
    }

    #[test]
    fn renewal_starts_a_new_cycle_and_dissolution_ends_it() {
        let events = vec![
            event(date(2026, 10, 5), CommitteeAction::Create),
            event(date(2026, 10, 30), CommitteeAction::Renew),
        ];
        assert!(state_on(&events, date(2026, 11, 28)).is_active());
        let mut dissolved = events.clone();
        dissolved.push(event(date(2026, 11, 10), CommitteeAction::Dissolve));
        assert_eq!(
            state_on(&dissolved, date(2026, 11, 20)),
            CommitteeState::Dissolved {
                on: date(2026, 11, 10)
            }
        );
    }

    #[test]
    fn mandates_are_current_between_from_and_until_inclusive() {
        let m = Mandate {
            record: event(date(2026, 9, 7), CommitteeAction::Create).record,
            name: "A".into(),
            council: "c".into(),
            mandate: None,
            from: date(2026, 9, 7),
            until: Some(date(2026, 12, 31)),
        };
        assert_eq!(m.state_on(date(2026, 9, 6)), MandateState::Upcoming);
        assert_eq!(m.state_on(date(2026, 9, 7)), MandateState::Current);
        assert_eq!(m.state_on(date(2026, 12, 31)), MandateState::Current);
        assert_eq!(m.state_on(date(2027, 1, 1)), MandateState::Past);
    }
}
