//! Minutes: the file's own fields, its decisions, committee actions, draws and
//! delegates. Committee actions are replayed in date order across all minutes
//! (renewing or dissolving a committee that is not active is an error), and every draw
//! is recomputed. Every problem names the file and the line of the entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::is_slug;
use crate::draw;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::content::{CommitteeAction, RawDraw};
use crate::load::{RawMinutes, RawPool};
use crate::model::Minutes;
use crate::model::registers::{
    self, CommitteeEvent, CommitteeState, Decision, Draw, Mandate, Record, Records,
};

/// Validates every minutes file and, when `all_read` (no minutes file was left out for
/// a problem of its own), the committee timeline they make together.
pub fn check(
    raw: Vec<RawMinutes>,
    pools: &BTreeMap<String, RawPool>,
    all_read: bool,
    problems: &mut Diagnostics,
) -> Vec<Minutes> {
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut minutes = Vec::new();
    let mut timeline: Vec<Located<CommitteeEvent>> = Vec::new();
    for m in raw {
        let mut ok = true;
        let mut fail = |d: Diagnostic| {
            problems.push(d);
            ok = false;
        };
        if !is_slug(&m.slug) {
            fail(Diagnostic::at(
                &m.path,
                1,
                format!(
                    "file name {:?} is not a URL slug (use lowercase letters, digits and dashes)",
                    m.slug
                ),
            ));
        }
        if let Some(first) = seen.insert(m.slug.clone(), m.path.clone()) {
            fail(Diagnostic::at(
                &m.path,
                1,
                format!(
                    "other minutes have the slug {:?}: {}",
                    m.slug,
                    first.display()
                ),
            ));
        }
        if !is_slug(&m.front.assembly) {
            fail(Diagnostic::at(
                &m.path,
                2,
                format!(
                    "assembly: {:?} is not a slug like `north-ward`",
                    m.front.assembly
                ),
            ));
        }
        let record = Record {
            slug: m.slug.clone(),
            title: m.front.title.clone(),
            date: m.front.date.0,
            assembly: m.front.assembly.clone(),
        };
        let mut records = Records::default();
        let before = problems.0.len();
        check_decisions(&m, &record, &mut records, problems);
        check_committee_actions(&m, &record, &mut records, &mut timeline, problems);
        check_draws(&m, &record, pools, &mut records, problems);
        check_delegates(&m, &record, &mut records, problems);
        ok &= problems.0.len() == before;
        if ok {
            minutes.push(Minutes {
                path: m.path,
                slug: m.slug,
                title: m.front.title,
                date: m.front.date.0,
                assembly: m.front.assembly,
                attendance: m.front.attendance,
                body: m.body,
                records,
            });
        }
    }
    if all_read {
        check_committee_timeline(timeline, problems);
    }
    minutes
}

/// A record with the file and line it came from.
struct Located<T> {
    item: T,
    path: PathBuf,
    line: usize,
}

fn check_decisions(
    m: &RawMinutes,
    record: &Record,
    records: &mut Records,
    problems: &mut Diagnostics,
) {
    for (i, d) in m.front.decisions.iter().enumerate() {
        let line = RawMinutes::line_of(&m.decision_lines, i);
        let mut ok = true;
        if d.text.trim().is_empty() {
            problems.push(Diagnostic::at(&m.path, line, "text: must not be empty"));
            ok = false;
        }
        if let (Some(votes), Some(attendance)) = (d.votes, m.front.attendance) {
            let cast = votes.in_favour + votes.against + votes.abstain;
            if cast > attendance {
                problems.push(Diagnostic::at(
                    &m.path,
                    line,
                    format!("votes: {cast} votes cast but attendance is {attendance}"),
                ));
                ok = false;
            }
        }
        if ok {
            records.decisions.push(Decision {
                record: record.clone(),
                number: i + 1,
                text: d.text.trim().to_string(),
                outcome: d.outcome,
                votes: d.votes,
            });
        }
    }
}

fn check_committee_actions(
    m: &RawMinutes,
    record: &Record,
    records: &mut Records,
    timeline: &mut Vec<Located<CommitteeEvent>>,
    problems: &mut Diagnostics,
) {
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for (i, c) in m.front.committees.iter().enumerate() {
        let line = RawMinutes::line_of(&m.committee_lines, i);
        if !is_slug(&c.name) {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!("name: {:?} is not a slug like `flood-watch`", c.name),
            ));
            continue;
        }
        if !named.insert(&c.name) {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!(
                    "name: committee {:?} already has an action in these minutes; one action per committee per meeting",
                    c.name
                ),
            ));
            continue;
        }
        let event = CommitteeEvent {
            record: record.clone(),
            committee: c.name.clone(),
            action: c.action,
            mandate: c
                .mandate
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from),
        };
        records.committee_events.push(event.clone());
        timeline.push(Located {
            item: event,
            path: m.path.clone(),
            line,
        });
    }
}

/// Replays every committee action in date order: `create` needs a committee that is
/// not active; `renew` and `dissolve` need an active one (created or renewed no more
/// than one synodic month before, and not dissolved).
fn check_committee_timeline(
    mut timeline: Vec<Located<CommitteeEvent>>,
    problems: &mut Diagnostics,
) {
    timeline.sort_by(|a, b| {
        (a.item.record.date, &a.item.record.slug, a.line).cmp(&(
            b.item.record.date,
            &b.item.record.slug,
            b.line,
        ))
    });
    let mut history: BTreeMap<String, Vec<CommitteeEvent>> = BTreeMap::new();
    for Located { item, path, line } in timeline {
        let past = history.entry(item.committee.clone()).or_default();
        let state = registers::state_on(past, item.record.date);
        let name = &item.committee;
        let problem = match (item.action, state) {
            (CommitteeAction::Create, CommitteeState::Active { sunsets }) => Some(format!(
                "action: committee {name:?} is already active until {}; renew it instead of creating it",
                sunsets
            )),
            (CommitteeAction::Create, _) => None,
            (_, CommitteeState::Active { .. }) => None,
            (action, CommitteeState::NotYetCreated) => Some(format!(
                "action: cannot {} committee {name:?}: no committee of that name was created before {}",
                verb(action),
                item.record.date
            )),
            (action, CommitteeState::Lapsed { sunset }) => Some(format!(
                "action: cannot {} committee {name:?}: it lapsed after {} (one lunar cycle after it was last created or renewed); create it again instead",
                verb(action),
                sunset
            )),
            (action, CommitteeState::Dissolved { on }) => Some(format!(
                "action: cannot {} committee {name:?}: it was dissolved on {}; create it again instead",
                verb(action),
                on
            )),
        };
        match problem {
            Some(message) => problems.push(Diagnostic::at(path, line, message)),
            None => past.push(item),
        }
    }
}

fn verb(action: CommitteeAction) -> &'static str {
    match action {
        CommitteeAction::Create => "create",
        CommitteeAction::Renew => "renew",
        CommitteeAction::Dissolve => "dissolve",
    }
}

fn check_draws(
    m: &RawMinutes,
    record: &Record,
    pools: &BTreeMap<String, RawPool>,
    records: &mut Records,
    problems: &mut Diagnostics,
) {
    let mut roles: BTreeSet<&str> = BTreeSet::new();
    for (i, d) in m.front.draws.iter().enumerate() {
        let line = RawMinutes::line_of(&m.draw_lines, i);
        let at = |message: String| Diagnostic::at(&m.path, line, message);
        if !is_slug(&d.role) {
            problems.push(at(format!(
                "role: {:?} is not a slug like `facilitator` (it names the draw's page)",
                d.role
            )));
            continue;
        }
        if !roles.insert(&d.role) {
            problems.push(at(format!(
                "role: these minutes already draw {:?}; give each draw its own role",
                d.role
            )));
            continue;
        }
        if d.seed.trim().is_empty() {
            problems.push(at("seed: must not be empty".into()));
            continue;
        }
        let Some(pool) = pool_of(d, pools, &at, problems) else {
            continue;
        };
        if let Some(draw) = recompute(d, record, pool, &at, problems) {
            records.draws.push(draw);
        }
    }
}

/// The draw's candidates, inline or from its pool file, each checked.
fn pool_of(
    d: &RawDraw,
    pools: &BTreeMap<String, RawPool>,
    at: &dyn Fn(String) -> Diagnostic,
    problems: &mut Diagnostics,
) -> Option<Vec<String>> {
    let ids: Vec<String> = match (&d.pool, &d.pool_file) {
        (Some(_), Some(_)) => {
            problems.push(at(
                "pool: give either `pool` or `pool_file`, not both".into()
            ));
            return None;
        }
        (None, None) => {
            problems.push(at(
                "pool: a draw needs its candidates: `pool = [\"m-001\", …]` or `pool_file = \"data/pools/….csv\"`".into(),
            ));
            return None;
        }
        (Some(ids), None) => ids.clone(),
        // The load stage reported a pool file it could not read.
        (None, Some(name)) => pools
            .get(name)?
            .ids
            .iter()
            .map(|(id, _)| id.clone())
            .collect(),
    };
    let mut seen = BTreeSet::new();
    let mut ok = true;
    for id in &ids {
        if id.trim().is_empty() || id.trim() != id {
            problems.push(at(format!(
                "pool: {id:?} is not a candidate id (empty, or spaces around it)"
            )));
            ok = false;
        } else if !seen.insert(id.as_str()) {
            problems.push(at(format!(
                "pool: {id:?} is in the pool twice; each candidate enters once"
            )));
            ok = false;
        }
    }
    ok.then_some(ids)
}

/// Recomputes the draw and compares it with `selected`. The comparison is as a set:
/// who was selected matters, not the order they are written in (pages list them in
/// draw order, as `tally draw` prints them).
fn recompute(
    d: &RawDraw,
    record: &Record,
    pool: Vec<String>,
    at: &dyn Fn(String) -> Diagnostic,
    problems: &mut Diagnostics,
) -> Option<Draw> {
    let seats = d.seats as usize;
    if seats == 0 {
        problems.push(at("seats: must be at least 1".into()));
        return None;
    }
    if seats > pool.len() {
        problems.push(at(format!(
            "seats: {seats} seats but only {} candidates in the pool",
            pool.len()
        )));
        return None;
    }
    let ranking = draw::rank(&d.seed, &pool);
    let expected: Vec<&str> = ranking.iter().take(seats).map(|t| t.id.as_str()).collect();
    let written: BTreeSet<&str> = d.selected.iter().map(String::as_str).collect();
    if written.len() != d.selected.len() {
        problems.push(at(format!(
            "selected: names someone twice: {:?}",
            d.selected
        )));
        return None;
    }
    if written != expected.iter().copied().collect::<BTreeSet<&str>>() {
        problems.push(at(format!(
            "selected: the draw selects {} (SHA-256 of seed:id, lowest first), not {}",
            quoted_list(&expected),
            quoted_list(&d.selected.iter().map(String::as_str).collect::<Vec<_>>())
        )));
        return None;
    }
    Some(Draw {
        record: record.clone(),
        role: d.role.clone(),
        seats,
        seed: d.seed.clone(),
        pool,
        pool_file: d.pool_file.clone(),
        ranking,
    })
}

fn quoted_list(ids: &[&str]) -> String {
    let items: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn check_delegates(
    m: &RawMinutes,
    record: &Record,
    records: &mut Records,
    problems: &mut Diagnostics,
) {
    for (i, d) in m.front.delegates.iter().enumerate() {
        let line = RawMinutes::line_of(&m.delegate_lines, i);
        let mut ok = true;
        if d.name.trim().is_empty() {
            problems.push(Diagnostic::at(&m.path, line, "name: must not be empty"));
            ok = false;
        }
        if d.council.trim().is_empty() {
            problems.push(Diagnostic::at(&m.path, line, "council: must not be empty"));
            ok = false;
        }
        let from = d.from.map_or(record.date, |f| f.0);
        let until = d.until.map(|u| u.0);
        if let Some(until) = until
            && until < from
        {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!("until: {until} is before the mandate starts ({from})"),
            ));
            ok = false;
        }
        if ok {
            records.mandates.push(Mandate {
                record: record.clone(),
                name: d.name.trim().to_string(),
                council: d.council.trim().to_string(),
                mandate: d
                    .mandate
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
                from,
                until,
            });
        }
    }
}
