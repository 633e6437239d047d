//! `tally status [SITE]`: where the site stands this week, like `git status` — the as-of
//! date, the week in progress, closed weeks still provisional, what `tally seal` would
//! seal, draft invoices, budgets missing for the coming weeks, commentary that reads as
//! written mid-week, and the command to run next. Everything comes from the checked
//! model ([`crate::prepare`]); nothing is written.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::error::{Diagnostic, Error, Result};
use crate::model::Site;
use crate::model::seal::SealState;
use crate::model::week::WeekId;
use crate::seal::SealPlan;

/// Words that belong to a week still under way: commentary holding them, on a closed
/// week, was most likely written before the week ended.
const MID_WEEK_WORDING: &[&str] = &[
    "still open",
    "so far this week",
    "this week so far",
    "in progress",
    "until sunday",
    "more to come",
    "not over yet",
];

/// What `tally status` found.
#[derive(Debug, Clone, Default)]
pub struct Status {
    pub site: PathBuf,
    pub as_of: Option<Date>,
    /// The week holding the as-of date, and how many of its days have passed (1–7).
    pub in_progress: Option<(WeekId, i8)>,
    /// Closed weeks not sealed yet, oldest first.
    pub provisional: Vec<WeekId>,
    /// Sealed weeks amended whose corrected rows are not sealed yet.
    pub amended_unsealed: Vec<WeekId>,
    /// What `tally seal` would append now.
    pub plan: SealPlan,
    /// Sealed weeks whose latest entry is unkeyed: `tally seal --rekey` seals them again.
    pub unkeyed: Vec<WeekId>,
    /// Invoices whose period is closed but not wholly sealed: `(number, period)`.
    pub drafts: Vec<(String, String)>,
    /// Budgets or rates the coming weeks will need and do not have.
    pub missing: Vec<String>,
    /// Commentary of closed weeks that reads as written before the week ended.
    pub stale: Vec<String>,
    /// What `tally check` warns of (weeks with rows but no city budget, near misses
    /// of declared names).
    pub warnings: Vec<String>,
    /// The site's problems, when it does not check clean (nothing else is known then).
    pub problems: Vec<Diagnostic>,
}

/// Checks the site and gathers its status. Input problems are part of the status, not
/// an error; a missing or broken `tally.toml` is.
pub fn status(site_dir: &Path) -> Result<Status> {
    let mut status = Status {
        site: site_dir.to_path_buf(),
        ..Status::default()
    };
    let site = match crate::prepare(site_dir, None) {
        Ok(site) => site,
        Err(Error::Input(problems)) => {
            status.problems = problems;
            return Ok(status);
        }
        Err(other) => return Err(other),
    };
    status.as_of = site.as_of;
    status.in_progress = site.as_of.map(|d| {
        let week = WeekId::of(d);
        (week, d.weekday().to_monday_one_offset())
    });
    for (week, seal) in &site.seals.weeks {
        match seal.state {
            SealState::Provisional => status.provisional.push(*week),
            SealState::Amended if seal.chain.is_none() => status.amended_unsealed.push(*week),
            _ => {}
        }
    }
    status.plan = crate::seal::plan(&site, None)?;
    status.unkeyed = site.seals.unkeyed_weeks();
    status.drafts = site
        .invoices
        .iter()
        .filter(|i| i.draft)
        .map(|i| (i.number.clone(), i.period.label()))
        .collect();
    status.missing = missing_budgets(&site);
    status.stale = stale_commentary(site_dir, &site);
    status.warnings = site.warnings.clone();
    Ok(status)
}

/// Days of the week in progress and the next one that a category with a city budget
/// has none for (no period of `data/city-budget.csv` holds them).
fn missing_budgets(site: &Site) -> Vec<String> {
    let Some(as_of) = site.as_of else {
        return Vec::new();
    };
    let coming = WeekId::of(as_of);
    let budget = &site.ledger.budget;
    let mut missing = Vec::new();
    for category in budget.categories() {
        for (from, to) in budget.uncovered(category, coming.monday(), coming.next().sunday()) {
            missing.push(format!(
                "no city budget for {category} from {from} to {to} ({}): those days will show no share of the city's budget",
                budget.path.display()
            ));
        }
    }
    missing
}

/// Commentary on a closed week that uses mid-week wording, or whose file was last
/// changed before the week ended.
fn stale_commentary(site_dir: &Path, site: &Site) -> Vec<String> {
    let mut stale = Vec::new();
    for (week, note) in &site.report_notes {
        let Some(week) = WeekId::parse(week) else {
            continue;
        };
        let closed = site
            .seals
            .weeks
            .get(&week)
            .is_some_and(|s| s.state != SealState::InProgress);
        if !closed {
            continue;
        }
        let shown = note.path.display();
        let lower = note.body.to_lowercase();
        if let Some(words) = MID_WEEK_WORDING.iter().find(|w| lower.contains(*w)) {
            stale.push(format!(
                "{shown}: {week} is over, but its commentary says \"{words}\""
            ));
        } else if let Some(changed) = modified_on(&site_dir.join(&note.path))
            && changed <= week.sunday()
        {
            stale.push(format!(
                "{shown}: last changed on {changed}, before {week} ended ({})",
                week.sunday()
            ));
        }
    }
    stale
}

/// The day (UTC) a file was last modified, if the system tells.
fn modified_on(file: &Path) -> Option<Date> {
    let modified = std::fs::metadata(file).ok()?.modified().ok()?;
    let stamp = jiff::Timestamp::try_from(modified).ok()?;
    Some(jiff::tz::TimeZone::UTC.to_datetime(stamp).date())
}

impl Status {
    /// The status as `tally status` prints it.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out.push_str(&text);
            out.push('\n');
        };
        if !self.problems.is_empty() {
            line(format!(
                "the site does not check: {} problem{}",
                self.problems.len(),
                plural(self.problems.len())
            ));
            for problem in self.problems.iter().take(5) {
                line(format!("  {problem}"));
            }
            if self.problems.len() > 5 {
                line(format!("  … and {} more", self.problems.len() - 5));
            }
            line(String::new());
            line(format!("next: {}", self.next()));
            return out;
        }
        self.weeks_text(&mut line);
        self.work_text(&mut line);
        line(String::new());
        line(format!("next: {}", self.next()));
        out
    }

    fn weeks_text(&self, line: &mut impl FnMut(String)) {
        match self.as_of {
            Some(date) => line(format!(
                "as of {date} (the latest date in the ledger and minutes)"
            )),
            None => line("no dated rows or minutes yet".to_string()),
        }
        if let Some((week, days)) = self.in_progress {
            line(format!(
                "week in progress: {week} ({} to {}), day {days} of 7",
                week.monday(),
                week.sunday()
            ));
        }
        if self.provisional.is_empty() {
            line("provisional weeks: none; every closed week is sealed".to_string());
        } else {
            line(format!(
                "provisional weeks (closed, not sealed; their figures may still change): {}",
                list(&self.provisional)
            ));
        }
        if !self.amended_unsealed.is_empty() {
            line(format!(
                "amended weeks whose corrected rows are not sealed yet: {}",
                list(&self.amended_unsealed)
            ));
        }
        let plan = &self.plan;
        match (plan.entries.first(), plan.entries.last()) {
            (Some(first), Some(last)) => line(format!(
                "`tally seal` would seal {} entr{}: {} to {}",
                plan.entries.len(),
                if plan.entries.len() == 1 { "y" } else { "ies" },
                first.week,
                last.week
            )),
            _ => line("`tally seal` would seal nothing".to_string()),
        }
        if !plan.held_back.is_empty() {
            line(format!(
                "held back: {} week{} after the latest ledger row ({}): {}; is a date in the minutes a typo?",
                plan.held_back.len(),
                plural(plan.held_back.len()),
                plan.latest_row
                    .map_or_else(|| "none".to_string(), |d| d.to_string()),
                list(&plan.held_back)
            ));
        }
    }

    fn work_text(&self, line: &mut impl FnMut(String)) {
        if self.drafts.is_empty() {
            line("invoice drafts: none".to_string());
        } else {
            line("invoice drafts (their period has weeks not sealed yet):".to_string());
            for (number, period) in &self.drafts {
                line(format!("  {number} ({period})"));
            }
        }
        if !self.missing.is_empty() {
            line("missing for the coming weeks:".to_string());
            for missing in &self.missing {
                line(format!("  {missing}"));
            }
        }
        if !self.warnings.is_empty() {
            line("warnings (tally check gives the same):".to_string());
            for warning in &self.warnings {
                line(format!("  {warning}"));
            }
        }
        if !self.stale.is_empty() {
            line("commentary to review (reads as written before its week ended):".to_string());
            for stale in &self.stale {
                line(format!("  {stale}"));
            }
        }
    }

    /// The command to run next.
    pub fn next(&self) -> String {
        let site = self.site.display();
        if let Some(changed) = self
            .problems
            .iter()
            .find_map(|p| p.message.split_once(" was sealed with digest "))
        {
            return format!(
                "restore the sealed rows of {}, or record the correction: tally amend {} --reason TEXT --site {site}",
                changed.0, changed.0
            );
        }
        if !self.problems.is_empty() {
            return format!("fix the problems above, then: tally check {site}");
        }
        if !self.plan.held_back.is_empty() && self.plan.entries.is_empty() {
            return format!(
                "check the dates after the latest ledger row, then: tally status {site}"
            );
        }
        if !self.unkeyed.is_empty() {
            return format!(
                "tally seal --rekey {site}: {} sealed week{} with unkeyed digests, which let \
                 anyone test a guess of a private column",
                self.unkeyed.len(),
                if self.unkeyed.len() == 1 {
                    " is"
                } else {
                    "s are"
                }
            );
        }
        if !self.plan.entries.is_empty() {
            return format!("tally seal --dry-run {site}, then tally seal {site}");
        }
        format!("tally build {site}, then publish the output")
    }
}

fn list(weeks: &[WeekId]) -> String {
    weeks
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
