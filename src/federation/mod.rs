//! A federation: a regional site built from its members' published data
//! (`[[federation.members]]` in `tally.toml`), with the flows between them.
//!
//! `tally fetch` ([`fetch`]) copies and verifies each member's published `data/` into
//! `data/members/<name>/` ([`copy`]); a build reads only those copies, in pipeline
//! order: [`load`] (copies → checked rows, errors naming member, file and line) →
//! `model::federation` (totals, quarters, flows, reconciliation, seat rotation) →
//! `render::federation` (pages and open data). The federation's own minutes, pages and optional ledger build
//! as any network's do. Builds never touch the network.

pub mod copy;
pub mod fetch;
pub mod load;

use std::path::Path;
use std::sync::Arc;

use crate::error::{Diagnostic, Error, Result};
use crate::model::Site;
use crate::model::federation::{Federation, MemberData};
use crate::model::register::Mandate;

/// The federation of the site at `site_dir`, or `None` when `tally.toml` lists no
/// members. Reads the fetched copies; all problems of all members at once.
pub fn build(site_dir: &Path, site: &Site) -> Result<Option<Arc<Federation>>> {
    let Some(config) = site
        .config
        .federation
        .as_ref()
        .filter(|f| !f.members.is_empty())
    else {
        return Ok(None);
    };
    let members =
        load::load(site_dir, &config.members, &site.config.currency).map_err(Error::Input)?;
    let mandates: Vec<&Mandate> = site.registers.mandates.iter().map(|m| &**m).collect();
    check_seats(&members, &mandates, site)?;
    Ok(Some(Arc::new(Federation::build(
        members, &mandates, site.as_of,
    ))))
}

/// A delegate of the federation's minutes whose `council` is no member's seat.
fn check_seats(members: &[MemberData], mandates: &[&Mandate], site: &Site) -> Result<()> {
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
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}
