//! Minutes: the file's own fields, its decisions, committee actions, draws and
//! delegates. Committee actions are replayed in date order across all minutes
//! (renewing or dissolving a committee that is not active is an error), and every draw
//! is recomputed. Every problem names the file and the line of the entry.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::draw_source;
use crate::error::{Diagnostic, Diagnostics};
use crate::load::content::RawDraw;
use crate::load::{RawMinutes, RawPool};
use crate::model::Minutes;
use crate::model::lottery;
use crate::model::register::CommitteeAction;
use crate::model::register::{
    self, CommitteeEvent, CommitteeState, Decision, Draw, DrawSource, Mandate, Record, Records,
};
use crate::slug::is_slug;

/// Validates every minutes file and, when `all_read` (no minutes file was left out for
/// a problem of its own), the committee timeline they make together. What a file holds
/// on its own is checked once per version of the file (see [`Memo`]); the rules across
/// files (unique slugs, the committee timeline) run over every file.
pub fn check(
    raw: Vec<Arc<RawMinutes>>,
    pools: &BTreeMap<String, RawPool>,
    all_read: bool,
    memo: &mut Memo,
    problems: &mut Diagnostics,
) -> Vec<Arc<Minutes>> {
    let mut seen: HashMap<&str, &Path> = HashMap::with_capacity(raw.len());
    let mut minutes = Vec::with_capacity(raw.len());
    let mut timeline: Vec<Located<CommitteeEvent>> = Vec::new();
    memo.checks += 1;
    for m in &raw {
        let found = memo.findings(m, pools);
        problems.extend(found.name.iter().cloned());
        let unique = match seen.insert(&m.slug, &m.path) {
            Some(first) => {
                problems.push(Diagnostic::at(
                    &m.path,
                    1,
                    format!(
                        "other minutes have the slug {:?}: {}",
                        m.slug,
                        first.display()
                    ),
                ));
                false
            }
            None => true,
        };
        problems.extend(found.problems.iter().cloned());
        timeline.extend(found.events.iter().cloned());
        if unique && let Some(checked) = &found.minutes {
            minutes.push(Arc::clone(checked));
        }
    }
    draw_source::edited_pools(&raw, pools, problems);
    // The findings of files that are gone (or changed) are no longer needed.
    let this = memo.checks;
    memo.found.retain(|_, (_, _, check)| *check == this);
    if all_read {
        check_committee_timeline(timeline, problems);
    }
    minutes
}

/// What one minutes file holds on its own, found once per version of the file.
struct Findings {
    /// The file name is not a slug.
    name: Option<Diagnostic>,
    /// Its other problems, in the order found.
    problems: Vec<Diagnostic>,
    /// The validated minutes, when the file has no problem of its own.
    minutes: Option<Arc<Minutes>>,
    /// Its committee actions, for the timeline of all minutes.
    events: Vec<Located<CommitteeEvent>>,
}

/// The findings of each minutes file, by the address of the loaded record they were
/// found in. The record is held with them, so that its address cannot be reused by
/// another record while they are kept. A file whose draws read a pool file is checked
/// on every build (the pool may have changed).
#[derive(Default)]
pub struct Memo {
    enabled: bool,
    /// With the check that last used them.
    found: HashMap<usize, (Arc<RawMinutes>, Arc<Findings>, u64)>,
    /// Counts the checks.
    checks: u64,
}

impl Memo {
    pub fn new() -> Memo {
        Memo {
            enabled: true,
            found: HashMap::new(),
            checks: 0,
        }
    }

    /// The findings of `m`: kept from an earlier check, or found now (and kept).
    fn findings(
        &mut self,
        m: &Arc<RawMinutes>,
        pools: &BTreeMap<String, RawPool>,
    ) -> Arc<Findings> {
        let key = Arc::as_ptr(m) as usize;
        if let Some((record, found, check)) = self.found.get_mut(&key)
            && Arc::ptr_eq(record, m)
        {
            *check = self.checks;
            return Arc::clone(found);
        }
        let found = Arc::new(check_file(m, pools));
        let reads_pools = m.front.draws.iter().any(|d| d.pool_file.is_some());
        if self.enabled && !reads_pools {
            self.found
                .insert(key, (Arc::clone(m), Arc::clone(&found), self.checks));
        }
        found
    }
}

/// Everything about one minutes file that does not depend on the other files.
fn check_file(m: &RawMinutes, pools: &BTreeMap<String, RawPool>) -> Findings {
    let name = file_name_problem(m);
    let mut problems = Diagnostics::default();
    check_name_date(m, &mut problems);
    if !is_slug(&m.front.assembly) {
        problems.push(Diagnostic::at(
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
    let mut events = Vec::new();
    check_decisions(m, &record, &mut records, &mut problems);
    check_committee_actions(m, &record, &mut records, &mut events, &mut problems);
    check_draws(m, &record, pools, &mut records, &mut problems);
    check_delegates(m, &record, &mut records, &mut problems);
    let minutes = (name.is_none() && problems.is_empty()).then(|| minutes_of(m, records));
    Findings {
        name,
        problems: problems.0,
        minutes,
        events,
    }
}

/// The minutes file's name must be a slug that can name a folder of the site.
fn file_name_problem(m: &RawMinutes) -> Option<Diagnostic> {
    if !is_slug(&m.slug) {
        Some(Diagnostic::at(
            &m.path,
            1,
            format!(
                "file name {:?} is not a URL slug (use lowercase letters, digits and dashes)",
                m.slug
            ),
        ))
    } else {
        crate::paths::name_problem(&m.slug).map(|why| {
            Diagnostic::at(
                &m.path,
                1,
                format!(
                    "the file name {:?} cannot name a folder of the site: {why}; rename the file",
                    m.slug
                ),
            )
        })
    }
}

/// Minutes that checked clean, with the records found in them and a fingerprint of all
/// they hold.
fn minutes_of(m: &RawMinutes, records: Records) -> Arc<Minutes> {
    let fingerprint = {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            &m.path,
            &m.slug,
            &m.front.title,
            m.front.date.0,
            &m.front.assembly,
            m.front.attendance,
            &m.body,
            &records,
        )
            .hash(&mut hasher);
        hasher.finish()
    };
    Arc::new(Minutes {
        path: m.path.clone(),
        slug: m.slug.clone(),
        title: m.front.title.clone(),
        date: m.front.date.0,
        assembly: m.front.assembly.clone(),
        attendance: m.front.attendance,
        body: m.body.clone(),
        records,
        fingerprint,
    })
}

/// A file named after a day (`2026-04-13-assembly.md`) must hold the minutes of that
/// day: a name and a `date` that disagree are an error naming both.
fn check_name_date(m: &RawMinutes, problems: &mut Diagnostics) {
    let Some(prefix) = m.slug.get(..10) else {
        return;
    };
    let Ok(named) = prefix.parse::<jiff::civil::Date>() else {
        return;
    };
    if named != m.front.date.0 {
        problems.push(Diagnostic::at(
            &m.path,
            m.date_line,
            format!(
                "date: the file name says {named} but the front matter says {}; rename the file or correct the date",
                m.front.date.0
            ),
        ));
    }
}

/// A record with the file and line it came from.
#[derive(Clone)]
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
            records.decisions.push(Arc::new(Decision {
                record: record.clone(),
                number: i + 1,
                text: d.text.trim().to_string(),
                outcome: d.outcome,
                votes: d.votes,
            }));
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
        let state = register::state_on(past, item.record.date);
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
        let source = draw_source::source_of(m, d, &at, problems);
        let Some(pool) = pool_of(d, pools, &at, problems) else {
            continue;
        };
        let Some(pool_digest) = draw_source::check_pin(m, d, &pool, &at, problems) else {
            continue;
        };
        let Some(source) = source else {
            continue;
        };
        if let Some(mut draw) = recompute(d, record, pool, source, pool_digest, &at, problems) {
            if let Some(file) = d.pool_file.as_ref().and_then(|f| pools.get(f)) {
                draw.names = file.names.clone();
            }
            records.draws.push(Arc::new(draw));
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
    source: DrawSource,
    pool_digest: String,
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
    let (ticket_seed, rule) = match &source {
        DrawSource::Seed(seed) => (seed.clone(), "SHA-256 of seed:id"),
        DrawSource::Beacon { round, .. } => (
            lottery::ticket_prefix(&pool_digest, &round.randomness),
            "SHA-256 of pool_digest:randomness:id",
        ),
    };
    let ranking = lottery::rank(&ticket_seed, &pool);
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
        let restore = match &d.pool_file {
            Some(file) => format!(
                "; if {file} was edited after the draw, restore it rather than these minutes"
            ),
            None => String::new(),
        };
        problems.push(at(format!(
            "selected: the draw selects {} ({rule}, lowest first), not {}{restore}",
            quoted_list(&expected),
            quoted_list(&d.selected.iter().map(String::as_str).collect::<Vec<_>>())
        )));
        return None;
    }
    Some(Draw {
        record: record.clone(),
        role: d.role.clone(),
        seats,
        source,
        pool,
        pool_file: d.pool_file.clone(),
        pool_digest,
        pool_pinned: d.pool_digest.is_some(),
        ranking,
        names: BTreeMap::new(),
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
            records.mandates.push(Arc::new(Mandate {
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
            }));
        }
    }
}
