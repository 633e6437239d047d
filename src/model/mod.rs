//! Stage 3, **model**: the site as plain data — pages, minutes, weeks, registers —
//! derived from checked records. No file I/O and no formatting for display here.

pub mod audit;
pub mod federation;
pub mod independence;
mod interned;
pub mod invoice;
pub mod invoice_lifecycle;
pub use invoice::status as invoice_status;
pub mod ledger;
pub mod lottery;
pub mod manual;
pub mod markup;
pub mod receipt;
pub mod register;
pub mod release;
pub mod rule;
pub mod seal;
pub mod source_report;
pub mod theme;
pub mod week;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;

use crate::config::Config;
use theme::Theme;

/// A free page at `/<slug>/`.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub body: String,
}

/// One assembly's minutes at `/minutes/<slug>/`.
#[derive(Debug, Clone, Hash)]
pub struct Minutes {
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub date: Date,
    pub assembly: String,
    pub attendance: Option<u32>,
    pub body: String,
    /// Its decisions, committee actions, draws and mandates, validated.
    pub records: register::Records,
    /// A hash of all the fields above, the same for equal minutes within one run:
    /// what a page made from these minutes is keyed by (see `render::Job::keyed`).
    pub fingerprint: u64,
}

/// A Markdown note attached to something else (a week's commentary, an invoice's letter).
#[derive(Debug, Clone, Hash)]
pub struct Note {
    pub path: PathBuf,
    pub body: String,
}

/// What `check` hands over: the validated site sources, ready to be modelled.
#[derive(Debug, Clone)]
pub struct Checked {
    pub config: Config,
    pub theme: Theme,
    pub pages: Vec<Page>,
    pub minutes: Vec<std::sync::Arc<Minutes>>,
    pub report_notes: BTreeMap<String, Note>,
    pub invoice_letters: BTreeMap<String, Note>,
    /// `data/invoice-events.csv`, by invoice number.
    pub invoice_events: BTreeMap<String, Vec<invoice_status::InvoiceEvent>>,
    pub seals: seal::Seals,
    /// The invoices, credit notes and supplementary invoices recorded in `tally.lock`.
    pub issued: Vec<invoice::issued::IssuedRecord>,
    pub ledger: ledger::CheckedLedger,
    /// What each `[[ledger.sources]]` block read: rows read, skipped by reason.
    pub ledger_sources: Vec<source_report::SourceReport>,
    pub manuals: Vec<manual::Manual>,
    /// Standing rules, festivals and acts from every minutes file.
    pub standing: rule::Standing,
    /// `data/pledges.csv`, in file order.
    pub pledges: Vec<audit::Pledge>,
}

/// The whole site, ready to render.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub theme: Theme,
    /// The latest date found in the content and data: "now" for this site, so the same
    /// input always builds the same output.
    pub as_of: Option<Date>,
    pub pages: Vec<Page>,
    /// Newest first. Shared: `tally serve` keeps unchanged minutes between builds.
    pub minutes: Vec<Arc<Minutes>>,
    /// Decisions, committees, draws and mandates gathered from every minutes file.
    pub registers: register::Registers,
    pub report_notes: BTreeMap<String, Note>,
    pub invoice_letters: BTreeMap<String, Note>,
    /// `tally.lock` and where every week stands against it.
    pub seals: seal::Seals,
    /// The ledger, valued and added up week by week.
    pub ledger: ledger::Ledger,
    /// What each `[[ledger.sources]]` block read: rows read, skipped by reason.
    pub ledger_sources: Vec<source_report::SourceReport>,
    /// By slug.
    pub manuals: Vec<manual::Manual>,
    /// One per closed period with services, oldest first, each followed by its credit
    /// notes and supplementary invoices.
    pub invoices: Vec<invoice::Invoice>,
    /// What the build reports without failing: recomputed figures that differ from an
    /// issued invoice, an issued invoice not yet recorded in `tally.lock`.
    pub warnings: Vec<String>,
    /// Standing rules, festivals and acts.
    pub standing: rule::Standing,
    /// Committees' cycles that lapsed, and how many came back.
    pub resurrections: rule::Resurrections,
    /// The People's Audit (empty without `data/pledges.csv`).
    pub audit: audit::PeoplesAudit,
    /// With `[independence]` in `tally.toml`.
    pub independence: Option<independence::Independence>,
    /// The recorded releases before this build, oldest first (`releases.toml`): the
    /// footer links to `/releases/` and the feed has an entry for each.
    pub releases: Vec<release::Release>,
    /// With `[[federation.members]]`: the region built from the members' fetched data.
    pub federation: Option<Arc<federation::Federation>>,
}

pub fn build(mut checked: Checked) -> Site {
    let ledger_warnings = std::mem::take(&mut checked.ledger.warnings);
    let mut minutes = checked.minutes;
    minutes.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
    let as_of = as_of(&minutes, &checked.ledger);
    let registers = register::build(minutes.iter().map(|m| &m.records), as_of);
    // The invoices are made from the checked entries while the weeks are added up.
    let (ledger, recomputed) =
        ledger::Ledger::build_beside(checked.ledger, as_of, &checked.config.currency, |entries| {
            invoice::of_checked(&checked.config, entries, as_of, &checked.invoice_letters)
        });
    let settled = invoice_lifecycle::settle(recomputed, &checked.issued, &checked.seals, as_of);
    let mut invoices = settled.invoices;
    for inv in &mut invoices {
        let events = checked.invoice_events.get(&inv.number);
        inv.status = invoice_status::status(inv, events.map_or(&[], Vec::as_slice), as_of);
    }
    let mut pages = checked.pages;
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    let manuals = manual::build(checked.manuals, &checked.config);
    let resurrections = rule::resurrections(&registers.committees, as_of);
    let audit = audit::PeoplesAudit::build(checked.pledges, &ledger);
    let independence = checked
        .config
        .independence
        .as_ref()
        .map(|c| independence::Independence::build(c, &ledger));
    Site {
        config: checked.config,
        theme: checked.theme,
        as_of,
        pages,
        minutes,
        registers,
        report_notes: checked.report_notes,
        invoice_letters: checked.invoice_letters,
        seals: checked.seals,
        ledger,
        ledger_sources: checked.ledger_sources,
        manuals,
        invoices,
        warnings: ledger_warnings
            .into_iter()
            .chain(settled.warnings)
            .collect(),
        standing: checked.standing,
        resurrections,
        audit,
        independence,
        releases: Vec::new(),
        federation: None,
    }
}

/// The site's "as of" date: the latest date in the minutes and the ledger. The week
/// holding it is in progress; earlier weeks are closed.
pub fn as_of(minutes: &[Arc<Minutes>], ledger: &ledger::CheckedLedger) -> Option<Date> {
    minutes
        .iter()
        .map(|m| m.date)
        .chain(ledger.latest_date())
        .max()
}
