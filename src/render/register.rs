//! Jobs and views for the registers built from all minutes: `/decisions/`,
//! `/committees/`, `/roles/` with one page per draw, `/delegates/`, and the structured
//! records shown on each minutes page. Views hold display-ready strings only.

use serde::Serialize;

use super::beacon_view::{self, BeaconView};
use super::views::long_date;
use super::{Job, Renderer};
use crate::error::Result;
use crate::model::Minutes;
use crate::model::register::{
    CommitteeAction, CommitteeEvent, CommitteeState, Decision, Draw, Mandate, MandateState,
    Outcome, Record, Votes, sunset,
};

/// Each register is a keyed page: its fingerprint hashes the records it lists (and the
/// "as of" date where states depend on it), so a change to a minutes file re-renders a
/// register only when what the register shows of it changed.
pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let mut jobs = vec![decisions_job(r), committees_job(r)];
    jobs.extend(roles_jobs(r));
    jobs.push(delegates_job(r));
    Ok(jobs)
}

/// `/decisions/`: every decision, with the assemblies that took them to filter by.
fn decisions_job<'a>(r: &'a Renderer<'_>) -> Job<'a> {
    let registers = &r.site.registers;
    let root = r.site_view.root.as_str();
    Job::keyed(
        "decisions/",
        "decisions.html",
        r.fingerprint(&r.hash_items("decisions", &registers.decisions, super::hash_of)),
        move || {
            let decisions: Vec<DecisionView> = registers
                .decisions
                .iter()
                .map(|d| DecisionView::new(d, root))
                .collect();
            let mut assemblies: Vec<String> = decisions
                .iter()
                .map(|d| d.record.assembly.clone())
                .collect();
            assemblies.sort();
            assemblies.dedup();
            let context = r.context("Decisions", "minutes");
            let context = Renderer::with(context, "register", "decisions");
            let context = Renderer::with(context, "decisions", &decisions);
            Ok(Renderer::with(context, "assemblies", &assemblies))
        },
    )
}

/// `/committees/`: each committee's events and state on the "as of" date, and how many
/// lapsed committees were brought back.
fn committees_job<'a>(r: &'a Renderer<'_>) -> Job<'a> {
    let site = r.site;
    let registers = &site.registers;
    let root = r.site_view.root.as_str();
    Job::keyed(
        "committees/",
        "committees.html",
        r.fingerprint(&(&registers.committees, site.as_of)),
        move || {
            let committees: Vec<CommitteeView> = registers
                .committees
                .iter()
                .map(|c| CommitteeView::new(&c.name, &c.events, c.state, root))
                .collect();
            let context = r.context("Committees", "minutes");
            let context = Renderer::with(context, "register", "committees");
            let context = Renderer::with(context, "committees", &committees);
            let back = &site.resurrections;
            let context = Renderer::with(
                context,
                "resurrections",
                &[back.lapses, back.resurrected, back.let_lapse()],
            );
            Ok(Renderer::with(context, "as_of", &site.as_of.map(long_date)))
        },
    )
}

/// `/roles/`, the list of draws, and `/roles/<draw>/`, one page per draw.
fn roles_jobs<'a>(r: &'a Renderer<'_>) -> Vec<Job<'a>> {
    let registers = &r.site.registers;
    let root = r.site_view.root.as_str();
    let mut jobs = vec![Job::keyed(
        "roles/",
        "roles.html",
        r.fingerprint(&registers.draws),
        move || {
            let draws: Vec<DrawSummary> = registers
                .draws
                .iter()
                .map(|d| DrawSummary::new(d, root))
                .collect();
            let context = r.context("Roles drawn by lottery", "minutes");
            let context = Renderer::with(context, "register", "roles");
            Ok(Renderer::with(context, "draws", &draws))
        },
    )];
    for d in &registers.draws {
        jobs.push(Job::keyed(
            &format!("roles/{}/", d.slug()),
            "draw.html",
            r.fingerprint(d),
            move || {
                let view = DrawView::new(d, root);
                let title = format!("{} · {}", view.summary.role_label, view.summary.record.date);
                let context = Renderer::with(r.context(&title, "minutes"), "register", "roles");
                Ok(Renderer::with(context, "draw", &view))
            },
        ));
    }
    jobs
}

/// `/delegates/`: mandates current, upcoming and past on the "as of" date.
fn delegates_job<'a>(r: &'a Renderer<'_>) -> Job<'a> {
    let site = r.site;
    let registers = &site.registers;
    let root = r.site_view.root.as_str();
    Job::keyed(
        "delegates/",
        "delegates.html",
        r.fingerprint(&(&registers.mandates, site.as_of)),
        move || {
            let mut current = Vec::new();
            let mut upcoming = Vec::new();
            let mut past = Vec::new();
            for m in &registers.mandates {
                let state = site
                    .as_of
                    .map_or(MandateState::Current, |day| m.state_on(day));
                let view = MandateView::new(m, state, root);
                match state {
                    MandateState::Current => current.push(view),
                    MandateState::Upcoming => upcoming.push(view),
                    MandateState::Past => past.push(view),
                }
            }
            let context = r.context("Delegates", "minutes");
            let context = Renderer::with(context, "register", "delegates");
            let context = Renderer::with(context, "current", &current);
            let context = Renderer::with(context, "upcoming", &upcoming);
            let context = Renderer::with(context, "past", &past);
            Ok(Renderer::with(context, "as_of", &site.as_of.map(long_date)))
        },
    )
}

/// Adds the five latest decisions to the home page's context as `latest_decisions`.
pub fn with_latest_decisions(
    context: tera::Context,
    site: &crate::model::Site,
    root: &str,
) -> tera::Context {
    let latest: Vec<DecisionView> = site
        .registers
        .decisions
        .iter()
        .take(5)
        .map(|d| DecisionView::new(d, root))
        .collect();
    Renderer::with(context, "latest_decisions", &latest)
}

/// The minutes a record came from, with a link.
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    pub url: String,
    pub title: String,
    pub date: String,
    pub iso_date: String,
    pub assembly: String,
}

impl RecordView {
    fn new(record: &Record, root: &str) -> RecordView {
        RecordView {
            url: format!("{root}minutes/{}/", record.slug),
            title: record.title.clone(),
            date: long_date(record.date),
            iso_date: record.date.to_string(),
            assembly: record.assembly.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VotesView {
    #[serde(rename = "for")]
    pub in_favour: u32,
    pub against: u32,
    pub abstain: u32,
}

impl From<Votes> for VotesView {
    fn from(v: Votes) -> VotesView {
        VotesView {
            in_favour: v.in_favour,
            against: v.against,
            abstain: v.abstain,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub anchor: String,
    /// The decision on its minutes page.
    pub url: String,
    pub record: RecordView,
    pub text: String,
    /// `passed`, `failed` or `deferred` (also the badge's class).
    pub outcome: &'static str,
    pub votes: Option<VotesView>,
}

impl DecisionView {
    fn new(d: &Decision, root: &str) -> DecisionView {
        let record = RecordView::new(&d.record, root);
        DecisionView {
            anchor: d.anchor(),
            url: format!("{}#{}", record.url, d.anchor()),
            record,
            text: d.text.clone(),
            outcome: outcome_name(d.outcome),
            votes: d.votes.map(VotesView::from),
        }
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Deferred => "deferred",
    }
}

/// `flood-watch-steward` → `Flood watch steward`.
pub fn label(slug: &str) -> String {
    let text = slug.replace('-', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitteeEventView {
    pub action: &'static str,
    pub record: RecordView,
    pub mandate: Option<String>,
    /// For a create or renew: the sunset date of the cycle it started.
    pub cycle_ends: Option<String>,
    pub cycle_ends_iso: Option<String>,
}

impl CommitteeEventView {
    fn new(e: &CommitteeEvent, root: &str) -> CommitteeEventView {
        let (action, ends) = match e.action {
            CommitteeAction::Create => ("created", Some(sunset(e.record.date))),
            CommitteeAction::Renew => ("renewed", Some(sunset(e.record.date))),
            CommitteeAction::Dissolve => ("dissolved", None),
        };
        CommitteeEventView {
            action,
            record: RecordView::new(&e.record, root),
            mandate: e.mandate.clone(),
            cycle_ends: ends.map(long_date),
            cycle_ends_iso: ends.map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitteeView {
    pub name: String,
    pub label: String,
    /// `active`, `lapsed`, `dissolved` or `planned` (also the badge's class).
    pub state: &'static str,
    /// "sunsets 28 November 2026", "sunset 14 July 2026", "dissolved 27 July 2026".
    pub when: String,
    pub when_iso: String,
    /// The latest mandate given to it, if any.
    pub mandate: Option<String>,
    pub events: Vec<CommitteeEventView>,
}

impl CommitteeView {
    pub fn new(
        name: &str,
        events: &[CommitteeEvent],
        state: CommitteeState,
        root: &str,
    ) -> CommitteeView {
        let (state, when, day) = match state {
            CommitteeState::Active { sunsets } => ("active", "sunsets", Some(sunsets)),
            CommitteeState::Lapsed { sunset } => ("lapsed", "sunset on", Some(sunset)),
            CommitteeState::Dissolved { on } => ("dissolved", "dissolved", Some(on)),
            CommitteeState::NotYetCreated => {
                ("planned", "created", events.first().map(|e| e.record.date))
            }
        };
        CommitteeView {
            name: name.to_string(),
            label: label(name),
            state,
            when: day.map_or_else(String::new, |d| format!("{when} {}", long_date(d))),
            when_iso: day.map_or_else(String::new, |d| d.to_string()),
            mandate: events.iter().rev().find_map(|e| e.mandate.clone()),
            events: events
                .iter()
                .map(|e| CommitteeEventView::new(e, root))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DrawSummary {
    pub slug: String,
    pub url: String,
    pub role: String,
    pub role_label: String,
    pub record: RecordView,
    pub seats: usize,
    pub pool_size: usize,
    pub selected: Vec<CandidateName>,
    /// `beacon` (a public round after the pool was fixed) or `seed` (chosen by the
    /// assembly: checkable, not proof against steering).
    pub kind: &'static str,
}

impl DrawSummary {
    fn new(d: &Draw, root: &str) -> DrawSummary {
        DrawSummary {
            slug: d.slug(),
            url: format!("{root}roles/{}/", d.slug()),
            role: d.role.clone(),
            role_label: label(&d.role),
            record: RecordView::new(&d.record, root),
            seats: d.seats,
            pool_size: d.pool.len(),
            selected: d.selected().map(|t| CandidateName::new(d, &t.id)).collect(),
            kind: beacon_view::kind(d),
        }
    }
}

/// A candidate's id, and the name the pool file gives them (if any).
#[derive(Debug, Clone, Serialize)]
pub struct CandidateName {
    pub id: String,
    pub name: Option<String>,
}

impl CandidateName {
    fn new(d: &Draw, id: &str) -> CandidateName {
        CandidateName {
            id: id.to_string(),
            name: d.names.get(id).cloned(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CandidateView {
    /// 1-based place in the draw order.
    pub rank: usize,
    pub id: String,
    pub name: Option<String>,
    pub hash: String,
    pub selected: bool,
    /// `printf '%s:%s' 'SEED' 'ID' | sha256sum`, quoted for a POSIX shell.
    pub command: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrawView {
    #[serde(flatten)]
    pub summary: DrawSummary,
    /// The seed of a seed-only draw.
    pub seed: Option<String>,
    /// The beacon round of an unsteerable draw.
    pub beacon: Option<BeaconView>,
    /// The pool as written, in its own order.
    pub pool: Vec<CandidateName>,
    pub pool_file: Option<String>,
    pub pool_digest: String,
    /// Whether the minutes pinned the digest when the pool was fixed.
    pub pool_pinned: bool,
    /// One line that recomputes the pool's digest.
    pub digest_command: String,
    /// Every candidate, in draw order.
    pub candidates: Vec<CandidateView>,
    /// One line that recomputes every ticket and sorts them: the first `seats` lines
    /// are the selection.
    pub check_all: String,
}

impl DrawView {
    fn new(d: &Draw, root: &str) -> DrawView {
        let candidates = d
            .ranking
            .iter()
            .enumerate()
            .map(|(i, t)| CandidateView {
                rank: i + 1,
                id: t.id.clone(),
                name: d.names.get(&t.id).cloned(),
                hash: t.hash.clone(),
                selected: i < d.seats,
                command: beacon_view::ticket_command(d, &t.id),
            })
            .collect();
        DrawView {
            summary: DrawSummary::new(d, root),
            seed: beacon_view::seed(d),
            beacon: BeaconView::of(d),
            pool: d.pool.iter().map(|id| CandidateName::new(d, id)).collect(),
            pool_file: d.pool_file.clone(),
            pool_digest: d.pool_digest.clone(),
            pool_pinned: d.pool_pinned,
            digest_command: beacon_view::digest_command(d),
            candidates,
            check_all: beacon_view::check_all(d),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MandateView {
    pub name: String,
    pub council: String,
    pub council_label: String,
    pub mandate: Option<String>,
    pub from: String,
    pub from_iso: String,
    pub until: Option<String>,
    pub until_iso: Option<String>,
    /// `current`, `upcoming` or `past`.
    pub state: &'static str,
    pub record: RecordView,
}

impl MandateView {
    fn new(m: &Mandate, state: MandateState, root: &str) -> MandateView {
        MandateView {
            name: m.name.clone(),
            council: m.council.clone(),
            council_label: label(&m.council),
            mandate: m.mandate.clone(),
            from: long_date(m.from),
            from_iso: m.from.to_string(),
            until: m.until.map(long_date),
            until_iso: m.until.map(|d| d.to_string()),
            state: match state {
                MandateState::Current => "current",
                MandateState::Upcoming => "upcoming",
                MandateState::Past => "past",
            },
            record: RecordView::new(&m.record, root),
        }
    }
}

/// A committee action as shown on its minutes page.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    pub name: String,
    pub label: String,
    pub url: String,
    pub action: &'static str,
    pub mandate: Option<String>,
    pub cycle_ends: Option<String>,
}

/// What a minutes file records, shown above its text.
#[derive(Debug, Clone, Serialize)]
pub struct MinutesRecordsView {
    pub decisions: Vec<DecisionView>,
    pub committees: Vec<ActionView>,
    pub draws: Vec<DrawSummary>,
    pub delegates: Vec<MandateView>,
}

impl MinutesRecordsView {
    pub fn new(m: &Minutes, site_as_of: Option<jiff::civil::Date>, root: &str) -> Self {
        let records = &m.records;
        MinutesRecordsView {
            decisions: records
                .decisions
                .iter()
                .map(|d| DecisionView::new(d, root))
                .collect(),
            committees: records
                .committee_events
                .iter()
                .map(|e| {
                    let event = CommitteeEventView::new(e, root);
                    ActionView {
                        name: e.committee.clone(),
                        label: label(&e.committee),
                        url: format!("{root}committees/#committee-{}", e.committee),
                        action: event.action,
                        mandate: event.mandate,
                        cycle_ends: event.cycle_ends,
                    }
                })
                .collect(),
            draws: records
                .draws
                .iter()
                .map(|d| DrawSummary::new(d, root))
                .collect(),
            delegates: records
                .mandates
                .iter()
                .map(|d| {
                    let state = site_as_of.map_or(MandateState::Current, |day| d.state_on(day));
                    MandateView::new(d, state, root)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_words() {
        assert_eq!(label("flood-watch-steward"), "Flood watch steward");
        assert_eq!(label(""), "");
    }
}
