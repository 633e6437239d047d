//! A federation: a regional site built from its members' published data
//! (`[[federation.members]]` in `tally.toml`), with the flows between them.
//!
//! `tally fetch` ([`fetch`]) copies and verifies each member's published `data/` into
//! `data/members/<name>/` ([`copy`]); a build reads only those copies, in pipeline
//! order: [`load`] (copies → checked rows, errors naming member, file and line) →
//! [`model`] (totals, quarters, flows, reconciliation, seat rotation) → [`render`]
//! (pages and open data). The federation's own minutes, pages and optional ledger build
//! as any network's do. Builds never touch the network.

pub mod copy;
pub mod fetch;
pub mod load;
pub mod model;
pub mod render;

use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;

use crate::error::{Diagnostic, Error, Result};
use crate::model::Site;
use crate::model::registers::Mandate;

/// The region: its members' data and what is made of it.
#[derive(Debug, Clone)]
pub struct Federation {
    /// In `tally.toml` order.
    pub members: Vec<load::MemberData>,
    /// Every week any member published, oldest first.
    pub weeks: Vec<model::FederationWeek>,
    /// Every flow between members, as the suppliers state them.
    pub flows: Vec<model::Flow>,
    /// Per quarter, oldest first.
    pub quarters: Vec<model::QuarterFlows>,
    /// Transfers naming a network outside the federation: (member, row).
    pub outside: Vec<(String, load::Transfer)>,
    /// One per member.
    pub seats: Vec<model::Seat>,
    /// The latest date in the federation's own content and its members' weeks.
    pub as_of: Option<Date>,
}

/// The federation of the site at `site_dir`, or `None` when `tally.toml` lists no
/// members. Reads the fetched copies; all problems of all members at once.
pub fn build(site_dir: &Path, site: &Site) -> Result<Option<Arc<Federation>>> {
    let Some(config) = site.config.federation.as_ref().filter(|f| !f.members.is_empty()) else {
        return Ok(None);
    };
    let members =
        load::load(site_dir, &config.members, &site.config.currency).map_err(Error::Input)?;
    let mandates: Vec<&Mandate> = site.registers.mandates.iter().map(|m| &**m).collect();
    check_seats(&members, &mandates, site)?;
    let weeks = model::weeks(&members);
    let latest_week = weeks.last().map(|w| w.week.sunday());
    let as_of = site.as_of.max(latest_week);
    let (flows, receipts, outside) = model::flows(&members);
    let quarters = model::quarters(&flows, &receipts);
    let seats = model::seats(&members, &mandates, as_of);
    Ok(Some(Arc::new(Federation {
        members,
        weeks,
        flows,
        quarters,
        outside,
        seats,
        as_of,
    })))
}

/// A delegate of the federation's minutes whose `council` is no member's seat.
fn check_seats(members: &[load::MemberData], mandates: &[&Mandate], site: &Site) -> Result<()> {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let problems: Vec<Diagnostic> = mandates
        .iter()
        .filter(|m| !names.contains(&m.council.as_str()))
        .map(|m| {
            let path = site
                .minutes
                .iter()
                .find(|x| x.slug == m.record.slug)
                .map(|x| x.path.clone())
                .unwrap_or_default();
            Diagnostic::new(
                path,
                format!(
                    "delegates: {} holds a seat for council {:?}, which is no member of the federation ({}); in a federation's minutes a delegate's council names the member seat",
                    m.name,
                    m.council,
                    names.join(", ")
                ),
            )
        })
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(Error::Input(problems)) }
}
