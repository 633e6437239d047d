//! Standing rules and the festivals that dissolve them, acts recorded after assemblies,
//! and how many committees came back after they lapsed. Plain data and pure rules:
//!
//! - A passed decision with `rule = "quiet-hours"` **adopts** that standing rule on the
//!   date of its minutes; a festival's `readopted` list adopts rules on the festival's day.
//! - A **festival** dissolves every rule adopted before its day. A rule adopted again
//!   on the festival's day or after it (before the next festival) **endured** that
//!   festival; one that was not, **lapsed** at it.
//! - A rule's state today: in force and through at least one festival, re-adopted after
//!   the latest it met — *endured*; in force without having met a festival since it was
//!   last adopted afresh — *standing*; not adopted since the latest festival — *lapsed*.

use jiff::civil::Date;

use super::register::{Committee, CommitteeAction, Record, sunset};

/// One adoption (or re-adoption) of a standing rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Adoption {
    pub date: Date,
    pub record: Record,
    /// The decision's text, or the festival's name for a re-adoption on the day.
    pub text: String,
}

/// A day on which every standing rule is dissolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Festival {
    pub name: String,
    pub date: Date,
    pub record: Record,
    pub note: Option<String>,
}

/// Something done together after an assembly: `3 × tree-planted`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Act {
    pub kind: String,
    pub count: u64,
    pub note: Option<String>,
    pub record: Record,
}

/// Where a rule stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleState {
    Standing,
    Endured,
    Lapsed,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Standing => "standing",
            RuleState::Endured => "endured",
            RuleState::Lapsed => "lapsed",
        }
    }
}

/// A festival a rule was in force for, and whether it was adopted again after it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Passage {
    /// Index into [`Standing::festivals`].
    pub festival: usize,
    /// The re-adoption on or after the festival's day (before the next festival).
    pub readopted: Option<Date>,
}

/// A standing rule with every adoption and the festivals it met.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    pub slug: String,
    /// Oldest first.
    pub adoptions: Vec<Adoption>,
    pub passages: Vec<Passage>,
    pub state: RuleState,
}

impl Rule {
    /// The festivals it endured.
    pub fn endured(&self) -> usize {
        self.passages
            .iter()
            .filter(|p| p.readopted.is_some())
            .count()
    }
}

/// The total of one kind of act.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActTally {
    pub kind: String,
    pub count: u64,
}

/// Rules, festivals and acts from every minutes file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Standing {
    /// By slug.
    pub rules: Vec<Rule>,
    /// Oldest first.
    pub festivals: Vec<Festival>,
    /// Newest first.
    pub acts: Vec<Act>,
}

impl Standing {
    /// Rules from their adoptions (`(rule, adoption)`), judged against the festivals.
    pub fn build(
        adoptions: Vec<(String, Adoption)>,
        mut festivals: Vec<Festival>,
        mut acts: Vec<Act>,
    ) -> Standing {
        festivals.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.name.cmp(&b.name)));
        acts.sort_by(|a, b| {
            b.record
                .date
                .cmp(&a.record.date)
                .then_with(|| a.record.slug.cmp(&b.record.slug))
        });
        let mut by_rule: std::collections::BTreeMap<String, Vec<Adoption>> = Default::default();
        for (rule, adoption) in adoptions {
            by_rule.entry(rule).or_default().push(adoption);
        }
        let days: Vec<Date> = festivals.iter().map(|f| f.date).collect();
        let rules = by_rule
            .into_iter()
            .map(|(slug, mut adoptions)| {
                adoptions.sort_by_key(|a| a.date);
                let dates: Vec<Date> = adoptions.iter().map(|a| a.date).collect();
                let (passages, state) = judge(&dates, &days);
                Rule {
                    slug,
                    adoptions,
                    passages,
                    state,
                }
            })
            .collect();
        Standing {
            rules,
            festivals,
            acts,
        }
    }

    /// Each kind of act and its total, most first (then by kind).
    pub fn tally(&self) -> Vec<ActTally> {
        let mut totals: std::collections::BTreeMap<&str, u64> = Default::default();
        for act in &self.acts {
            *totals.entry(&act.kind).or_default() += act.count;
        }
        let mut tally: Vec<ActTally> = totals
            .into_iter()
            .map(|(kind, count)| ActTally {
                kind: kind.to_string(),
                count,
            })
            .collect();
        tally.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.kind.cmp(&b.kind)));
        tally
    }

    /// How many rules stand in `state`.
    pub fn count(&self, state: RuleState) -> usize {
        self.rules.iter().filter(|r| r.state == state).count()
    }
}

/// The festivals a rule adopted on `adopted` (sorted) was in force for, and its state,
/// given the festival days `days` (sorted).
pub fn judge(adopted: &[Date], days: &[Date]) -> (Vec<Passage>, RuleState) {
    let mut passages = Vec::new();
    for (i, &day) in days.iter().enumerate() {
        let since = i.checked_sub(1).and_then(|p| days.get(p)).copied();
        let next = days.get(i + 1).copied();
        let in_force = adopted
            .iter()
            .any(|&a| a < day && since.is_none_or(|s| a >= s));
        if !in_force {
            continue;
        }
        let readopted = adopted
            .iter()
            .copied()
            .find(|&a| a >= day && next.is_none_or(|n| a < n));
        passages.push(Passage {
            festival: i,
            readopted,
        });
    }
    let latest = days.last().copied();
    let in_force_now = adopted
        .last()
        .is_some_and(|&a| latest.is_none_or(|l| a >= l));
    let state = match passages.last() {
        _ if !in_force_now => RuleState::Lapsed,
        Some(p) if p.readopted.is_some() && Some(p.festival + 1) == Some(days.len()) => {
            RuleState::Endured
        }
        _ => RuleState::Standing,
    };
    (passages, state)
}

/// Committees' cycles that ended by lapsing (the sunset passed without a renewal or a
/// dissolution), and how many of them an assembly brought back by creating the
/// committee again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Resurrections {
    pub lapses: usize,
    pub resurrected: usize,
}

impl Resurrections {
    /// Lapses left as they are.
    pub fn let_lapse(&self) -> usize {
        self.lapses - self.resurrected
    }
}

/// Counts the lapses and resurrections of `committees` up to `as_of`.
pub fn resurrections(committees: &[Committee], as_of: Option<Date>) -> Resurrections {
    let mut counts = Resurrections::default();
    for committee in committees {
        for (i, event) in committee.events.iter().enumerate() {
            if event.action == CommitteeAction::Dissolve {
                continue;
            }
            let ends = sunset(event.record.date);
            match committee.events.get(i + 1) {
                Some(next) if next.record.date > ends => {
                    counts.lapses += 1;
                    if next.action == CommitteeAction::Create {
                        counts.resurrected += 1;
                    }
                }
                Some(_) => {}
                None if as_of.is_some_and(|d| d > ends) => counts.lapses += 1,
                None => {}
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_rule_readopted_after_each_festival_endured_them_all() {
        let adopted = [date(2026, 4, 1), date(2026, 6, 21), date(2026, 9, 25)];
        let days = [date(2026, 6, 21), date(2026, 9, 22)];
        let (passages, state) = judge(&adopted, &days);
        assert_eq!(passages.len(), 2);
        assert_eq!(passages[0].readopted, Some(date(2026, 6, 21)));
        assert_eq!(passages[1].readopted, Some(date(2026, 9, 25)));
        assert_eq!(state, RuleState::Endured);
    }

    #[test]
    fn a_rule_not_readopted_after_the_last_festival_lapsed() {
        let adopted = [date(2026, 4, 1), date(2026, 7, 1)];
        let days = [date(2026, 6, 21), date(2026, 9, 22)];
        let (passages, state) = judge(&adopted, &days);
        assert_eq!(passages.len(), 2);
        assert!(passages[1].readopted.is_none());
        assert_eq!(state, RuleState::Lapsed);
    }

    #[test]
    fn a_rule_adopted_after_every_festival_stands() {
        let (passages, state) = judge(&[date(2026, 10, 1)], &[date(2026, 6, 21)]);
        assert!(passages.is_empty());
        assert_eq!(state, RuleState::Standing);
    }

    #[test]
    fn a_festival_passes_a_lapsed_rule_by() {
        // Lapsed at the first festival, adopted afresh after the second.
        let adopted = [date(2026, 4, 1), date(2026, 10, 1)];
        let days = [date(2026, 6, 21), date(2026, 9, 22)];
        let (passages, state) = judge(&adopted, &days);
        assert_eq!(passages.len(), 1);
        assert!(passages[0].readopted.is_none());
        assert_eq!(state, RuleState::Standing);
    }
}
