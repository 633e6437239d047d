//! Standing rules, festivals and acts across every minutes file: a decision's `rule`,
//! `[[festivals]]` (or `kind = "festival"`) and `[[acts]]`. Every problem names the
//! file and the line of the entry: a rule that is not a slug or is adopted by a
//! decision that did not pass; a festival re-adopting a rule no decision adopted
//! (unknown rule) or one first adopted after the festival (festival before adoption);
//! an act without a kind or with a count below one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawMinutes;
use crate::model::register::{Outcome, Record};
use crate::model::rule::{Act, Adoption, Festival, Standing};
use crate::slug::is_slug;

/// A festival's re-adoption, judged once every decision's adoption is known.
struct Readoption {
    rule: String,
    festival: Festival,
    path: PathBuf,
    line: usize,
}

/// Gathers and checks what every minutes file says about rules, festivals and acts.
/// `all_read`: no minutes file was left out, so a rule missing from them is unknown.
pub fn check(minutes: &[Arc<RawMinutes>], all_read: bool, problems: &mut Diagnostics) -> Standing {
    let mut adoptions = Vec::new();
    let mut festivals = Vec::new();
    let mut readoptions = Vec::new();
    let mut acts = Vec::new();
    for m in minutes {
        let front = &m.front;
        if front.kind.is_none()
            && front.festivals.is_empty()
            && front.acts.is_empty()
            && front.decisions.iter().all(|d| d.rule.is_none())
        {
            // Nothing of standing rules, festivals or acts (most minutes): no record
            // to make for them.
            continue;
        }
        let record = Record {
            slug: m.slug.clone(),
            title: m.front.title.clone(),
            date: m.front.date.0,
            assembly: m.front.assembly.clone(),
        };
        adoptions.extend(decisions(m, &record, problems));
        let (found, again) = festivals_of(m, &record, problems);
        festivals.extend(found);
        readoptions.extend(again);
        acts.extend(acts_of(m, &record, problems));
    }
    let first: BTreeMap<&str, Date> =
        adoptions
            .iter()
            .fold(BTreeMap::new(), |mut first, (rule, a)| {
                let at = first.entry(rule.as_str()).or_insert(a.date);
                *at = (*at).min(a.date);
                first
            });
    let mut more = Vec::new();
    for r in readoptions {
        match first.get(r.rule.as_str()) {
            None if all_read => problems.push(Diagnostic::at(
                &r.path,
                r.line,
                format!(
                    "readopted: unknown rule {:?}: no passed decision adopts it (`rule = {:?}`)",
                    r.rule, r.rule
                ),
            )),
            Some(&adopted) if adopted >= r.festival.date => problems.push(Diagnostic::at(
                &r.path,
                r.line,
                format!(
                    "readopted: festival before adoption: {:?} on {} cannot re-adopt rule {:?}, \
                     first adopted on {adopted}",
                    r.festival.name, r.festival.date, r.rule
                ),
            )),
            _ => more.push((
                r.rule,
                Adoption {
                    date: r.festival.date,
                    text: format!("Adopted again at {}", r.festival.name),
                    record: r.festival.record,
                },
            )),
        }
    }
    adoptions.extend(more);
    Standing::build(adoptions, festivals, acts)
}

/// The rules adopted by the passed decisions of `m`.
fn decisions(
    m: &RawMinutes,
    record: &Record,
    problems: &mut Diagnostics,
) -> Vec<(String, Adoption)> {
    let mut adopted = Vec::new();
    for (i, d) in m.front.decisions.iter().enumerate() {
        let Some(rule) = &d.rule else { continue };
        let line = RawMinutes::line_of(&m.decision_lines, i);
        if !is_slug(rule) {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!("rule: {rule:?} is not a slug like `quiet-hours`"),
            ));
        } else if d.outcome != Outcome::Passed {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!(
                    "rule: only a passed decision adopts a standing rule; this one is {:?}",
                    outcome(d.outcome)
                ),
            ));
        } else {
            adopted.push((
                rule.clone(),
                Adoption {
                    date: record.date,
                    record: record.clone(),
                    text: d.text.trim().to_string(),
                },
            ));
        }
    }
    adopted
}

fn outcome(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::Deferred => "deferred",
    }
}

/// The festivals of `m` (itself, when `kind = "festival"`) and their re-adoptions.
fn festivals_of(
    m: &RawMinutes,
    record: &Record,
    problems: &mut Diagnostics,
) -> (Vec<Festival>, Vec<Readoption>) {
    let mut festivals = Vec::new();
    let mut again = Vec::new();
    match m.front.kind.as_deref() {
        None => {}
        Some("festival") => festivals.push(Festival {
            name: m.front.title.clone(),
            date: record.date,
            record: record.clone(),
            note: None,
        }),
        Some(other) => problems.push(Diagnostic::at(
            &m.path,
            2,
            format!("kind: {other:?} is not a kind of minutes; the only kind is \"festival\""),
        )),
    }
    for (i, f) in m.front.festivals.iter().enumerate() {
        let line = RawMinutes::line_of(&m.festival_lines, i);
        if f.name.trim().is_empty() {
            problems.push(Diagnostic::at(&m.path, line, "name: must not be empty"));
            continue;
        }
        let festival = Festival {
            name: f.name.trim().to_string(),
            date: f.date.map_or(record.date, |d| d.0),
            record: record.clone(),
            note: f.note.clone().filter(|n| !n.trim().is_empty()),
        };
        for rule in &f.readopted {
            again.push(Readoption {
                rule: rule.clone(),
                festival: festival.clone(),
                path: m.path.clone(),
                line,
            });
        }
        festivals.push(festival);
    }
    (festivals, again)
}

fn acts_of(m: &RawMinutes, record: &Record, problems: &mut Diagnostics) -> Vec<Act> {
    let mut acts = Vec::new();
    for (i, a) in m.front.acts.iter().enumerate() {
        let line = RawMinutes::line_of(&m.act_lines, i);
        if !is_slug(&a.kind) {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!("kind: {:?} is not a slug like `tree-planted`", a.kind),
            ));
            continue;
        }
        let Ok(count) = u64::try_from(a.count)
            .map_err(drop)
            .and_then(|c| if c == 0 { Err(()) } else { Ok(c) })
        else {
            problems.push(Diagnostic::at(
                &m.path,
                line,
                format!("count: {} is not a count of one or more", a.count),
            ));
            continue;
        };
        acts.push(Act {
            kind: a.kind.clone(),
            count,
            note: a.note.clone().filter(|n| !n.trim().is_empty()),
            record: record.clone(),
        });
    }
    acts
}
