//! Stage 2, **check**: raw records → validated ones. Cross-references and rules live
//! here; every problem is collected so that one run lists them all. Writes nothing.

pub mod budget;
mod draw_source;
mod invoice;
mod invoice_event;
mod issued;
pub mod ledger;
pub mod manual;
mod minutes;
pub mod names;
mod pledge;
mod root_causes;
pub mod seal;
mod standing;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics, Result};
use crate::load::{RawNote, RawPage, Sources};
use crate::model::week::WeekId;
use crate::model::{Checked, Note, Page};
use crate::slug::is_slug;

/// What `check` found in each file, kept between builds (`tally serve`) by the loaded
/// record it was found in: while a file is unchanged, the [`crate::load::FileCache`]
/// hands out the same record, and it is not checked again. Only the rules across files
/// run on every build, over what is kept. A disabled cache (`tally build`) keeps nothing.
#[derive(Default)]
pub struct CheckCache {
    minutes: minutes::Memo,
}

impl CheckCache {
    pub fn new() -> CheckCache {
        CheckCache {
            minutes: minutes::Memo::new(),
        }
    }

    pub fn disabled() -> CheckCache {
        CheckCache::default()
    }

    /// Forgets everything (the configuration changed).
    pub fn clear(&mut self) {
        *self = CheckCache::new();
    }
}

/// Checks what loaded and reports it with every problem `load` found, all at once.
pub fn check(sources: Sources) -> Result<Checked> {
    check_with(sources, &mut CheckCache::disabled())
}

/// [`check`], taking from `cache` what was found in the files that did not change.
pub fn check_with(sources: Sources, cache: &mut CheckCache) -> Result<Checked> {
    let mut problems = Diagnostics::default();
    // Rules across files judge a folder only when all of it was read: a file left out
    // for its own problem would otherwise show as a missing committee, chapter or row.
    let unread: Vec<PathBuf> = sources.problems.iter().map(|d| d.path.clone()).collect();
    let read_whole = |dir: &Path| !unread.iter().any(|file| file.starts_with(dir));
    problems.extend(sources.problems);
    let pages = check_pages(sources.pages, &mut problems);
    let minutes_read = read_whole(Path::new("content/minutes"));
    let standing = standing::check(&sources.minutes, minutes_read, &mut problems);
    let minutes = minutes::check(
        sources.minutes,
        &sources.pools,
        minutes_read,
        &mut cache.minutes,
        &mut problems,
    );
    let report_notes = check_report_notes(sources.report_notes, &mut problems);
    let ledger_sources = crate::load::sources::reports(&sources.config.ledger, &sources.ledger);
    let before_ledger = problems.0.len();
    let budget = budget::check_budget(
        sources.budget.as_ref(),
        &sources.config.currency,
        &mut problems,
    );
    let mut ledger = ledger::check(
        &sources.ledger,
        sources.rates.as_ref(),
        budget,
        &sources.config,
        &mut problems,
    );
    let budget_warnings = budget::weeks_without_budget(&ledger.budget, &ledger.entries);
    ledger.warnings.extend(budget_warnings);
    // Sealed weeks are judged on a ledger that checked clean: a row left out for an
    // error would otherwise also show as a changed week.
    let ledger_clean = unread.is_empty() && problems.0.len() == before_ledger;
    if ledger_clean {
        notes_without_rows(&report_notes, &ledger, &mut problems);
    }
    let as_of = crate::model::as_of(&minutes, &ledger);
    // The weeks are digested while the invoices are checked; what the invoices' checks
    // find is reported after the seals' problems and the manuals', as if in turn.
    let (weeks, (invoice_problems, invoice_events)) = rayon::join(
        || {
            ledger_clean.then(|| {
                let open_week = as_of.map(WeekId::of);
                let digests =
                    crate::model::seal::week_digests(&ledger.entries, sources.seal_key.as_ref());
                (digests, open_week)
            })
        },
        || {
            let mut found = Diagnostics::default();
            invoice::check(
                &sources.config,
                &ledger,
                as_of,
                &sources.invoice_letters,
                &mut found,
            );
            let events = invoice_event::check(
                &sources.config,
                &ledger,
                as_of,
                sources.invoice_events.as_ref(),
                &mut found,
            );
            (found, events)
        },
    );
    let seals = seal::check(
        sources.lock,
        sources.amendments,
        weeks,
        sources.seal_key.as_ref(),
        &mut problems,
    );
    let manuals = manual::check_manuals(sources.manuals, &read_whole, &mut problems);
    problems.extend(invoice_problems.0);
    let issued = issued::check(&sources.config, sources.issued, &seals, &mut problems);
    let invoice_letters = notes_by_key(sources.invoice_letters);
    let pledges = pledge::check(
        sources.pledges.as_ref(),
        &sources.config.currency,
        &mut problems,
    );
    problems.finish(Checked {
        config: sources.config,
        theme: sources.theme,
        pages,
        minutes,
        report_notes,
        invoice_letters,
        invoice_events,
        seals,
        issued,
        ledger,
        ledger_sources,
        manuals,
        standing,
        pledges,
    })
}

/// Page slugs become top-level URLs: they must be unique and must not take a URL the
/// site itself generates.
const RESERVED: &[&str] = &[
    "reports",
    "minutes",
    "manuals",
    "invoices",
    "data",
    "decisions",
    "committees",
    "roles",
    "delegates",
    "receipts",
    "rules",
    "acts",
    "audit",
    "independence",
    "assets",
    "feed",
    "sitemap",
    "404",
    "manifest",
    "index",
];

fn check_pages(raw: Vec<RawPage>, problems: &mut Diagnostics) -> Vec<Page> {
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut pages = Vec::new();
    for page in raw {
        let slug = &page.slug;
        let name_problem = if !is_slug(slug) {
            Some(format!(
                "file name {slug:?} is not a URL slug (use lowercase letters, digits and dashes)"
            ))
        } else if RESERVED.contains(&slug.as_str()) {
            Some(format!(
                "the page name {slug:?} is taken by a section of the site; rename the file"
            ))
        } else if let Some(why) = crate::paths::name_problem(slug) {
            Some(format!(
                "the page name {slug:?} cannot name a folder of the site: {why}; rename the file"
            ))
        } else {
            seen.insert(slug.clone(), page.path.clone())
                .map(|first| format!("another page has the slug {slug:?}: {}", first.display()))
        };
        if let Some(message) = name_problem {
            problems.push(Diagnostic::at(&page.path, 1, message));
            continue;
        }
        if page.front.title.trim().is_empty() {
            problems.push(Diagnostic::at(&page.path, 2, "title: must not be empty"));
            continue;
        }
        pages.push(Page {
            path: page.path,
            slug: page.slug,
            title: page.front.title,
            description: page.front.description,
            body: page.body,
        });
    }
    pages
}

fn check_report_notes(raw: Vec<RawNote>, problems: &mut Diagnostics) -> BTreeMap<String, Note> {
    let mut valid = Vec::new();
    for note in raw {
        if crate::model::week::WeekId::parse(&note.key).is_some() {
            valid.push(note);
        } else {
            problems.push(Diagnostic::at(
                &note.path,
                1,
                format!(
                    "a weekly commentary is named after its ISO week, like 2026-W47.md, not {:?}",
                    note.key
                ),
            ));
        }
    }
    notes_by_key(valid)
}

/// A commentary for a week without ledger rows is shown nowhere: most often a typo in
/// its week number, so it is an error rather than silently left out.
fn notes_without_rows(
    notes: &BTreeMap<String, Note>,
    ledger: &crate::model::ledger::CheckedLedger,
    problems: &mut Diagnostics,
) {
    if notes.is_empty() {
        return;
    }
    let weeks: std::collections::BTreeSet<WeekId> = ledger.entries.iter().map(|e| e.week).collect();
    for (key, note) in notes {
        let Some(week) = WeekId::parse(key) else {
            continue;
        };
        if !weeks.contains(&week) {
            let (first, last) = (weeks.first(), weeks.last());
            let range = match (first, last) {
                (Some(first), Some(last)) => format!("the ledger has weeks {first} to {last}"),
                _ => "the ledger has no rows yet".to_string(),
            };
            problems.push(Diagnostic::at(
                &note.path,
                1,
                format!(
                    "a commentary for {week}, a week with no ledger rows ({range}); rename it after the week it is about, or remove it"
                ),
            ));
        }
    }
}

fn notes_by_key(raw: Vec<RawNote>) -> BTreeMap<String, Note> {
    raw.into_iter()
        .map(|n| {
            (
                n.key.clone(),
                Note {
                    path: n.path,
                    body: n.body,
                },
            )
        })
        .collect()
}
