//! `/receipts/`: a resident types the commons receipt id on their slip and sees its week,
//! cell, need, quantity, value, the week's seal and the invoice it was billed in.
//!
//! Static: the receipts are split into small JSON files, `receipts/shards/<hex>.json`,
//! by the first bits of the 32-bit FNV-1a hash of the id (ids share their prefixes —
//! `FC-000001`, `FC-000002` — so the id's own first letters would make one shard of
//! nearly all of them). The number of bits is the least that keeps a shard to
//! [`PER_SHARD`] receipts on average; the page names it (`data-bits`), and its script
//! hashes the id typed, fetches that one shard and shows the receipt. Without the
//! script, the page lists every week's canonical file, where the id can be found.
//!
//! A shard holds only public columns: never the counterparty, never the memo.
//! Shard: `{"receipts": {id: [date, week, cell, need, kind, quantity, unit, value,
//! invoice]}}` (an absent value is ""). The weeks they name are in one file for all
//! shards, [`WEEKS_FILE`]: `{week: [dates, state, public digest]}`, read beside the
//! shard. (Each shard once carried its weeks' entries: on a million rows those copies
//! took the shards from 129 MB to 213 MB on disk, and a seal changed every shard
//! holding one of the week's receipts.)

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use serde::Serialize;

use super::numbers::Numbers;
use super::report::week_dates;
use super::{Job, OutputFile, Renderer};
use crate::config::Named;
use crate::error::Result;
use crate::model::receipt::{Receipt, receipt_at};
use crate::model::week::WeekId;

/// Receipts per shard, on average: a shard is a few kilobytes.
pub const PER_SHARD: usize = 64;

/// The weeks that receipts name, with their dates and seals: one file for every shard.
pub const WEEKS_FILE: &str = "receipts/weeks.json";

/// FNV-1a, 32 bits, over the id's UTF-8 bytes: the same in the page's script.
pub fn fnv1a(id: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in id.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The least number of bits that keeps `n` receipts to [`PER_SHARD`] a shard on average.
pub fn bits_for(n: usize) -> u32 {
    let mut bits = 0;
    while bits < 24 && (n >> bits) > PER_SHARD {
        bits += 1;
    }
    bits
}

/// The shard file of `id` (`receipts/shards/3f.json`).
pub fn shard_path(id: &str, bits: u32) -> String {
    shard_file(shard_index(fnv1a(id), bits), bits)
}

/// The shard of an id whose hash is `hash`: its first `bits` bits.
fn shard_index(hash: u32, bits: u32) -> u32 {
    if bits == 0 { 0 } else { hash >> (32 - bits) }
}

fn shard_file(index: u32, bits: u32) -> String {
    let width = bits.div_ceil(4).max(1) as usize;
    format!("receipts/shards/{index:0width$x}.json")
}

/// What the page shows without its script: every week's canonical file.
#[derive(Debug, Clone, Serialize)]
pub struct WeekLink {
    pub week: String,
    pub dates: String,
    pub canonical: String,
    pub report: String,
}

/// Every shard of the site's receipts, by path, with the bits and the count of
/// receipts (in a check, the count and no shard).
///
/// The receipts are not gathered first: each receipt row's hash and index (16 bytes a
/// receipt) are sorted by shard, and each shard reads its own rows and writes its JSON
/// straight into its file's bytes, the shards in parallel; then [`WEEKS_FILE`].
pub fn shards(r: &Renderer<'_>) -> Result<(u32, usize, Vec<OutputFile>)> {
    let site = r.site;
    let ledger = &site.ledger;
    let mut placed: Vec<(u32, usize)> = ledger
        .entries
        .rows()
        .enumerate()
        .filter_map(|(index, row)| {
            let id = row.receipt().filter(|id| !id.is_empty())?;
            Some((fnv1a(id), index))
        })
        .collect();
    let count = placed.len();
    let bits = bits_for(count);
    if r.checking() {
        // A check makes no shard: they are written from checked rows alone.
        return Ok((bits, count, Vec::new()));
    }
    placed.sort_unstable_by_key(|&(hash, index)| (shard_index(hash, bits), index));
    let mut files: Vec<OutputFile> = placed
        .par_chunk_by(|a, b| shard_index(a.0, bits) == shard_index(b.0, bits))
        .map(|group| {
            let index = group
                .first()
                .map_or(0, |&(hash, _)| shard_index(hash, bits));
            r.file(shard_file(index, bits), shard_json(site, group))
        })
        .collect::<Result<_>>()?;
    files.push(r.file(WEEKS_FILE.to_string(), weeks_json(site))?);
    Ok((bits, count, files))
}

/// [`WEEKS_FILE`]: every week of the ledger and every sealed one, by its key, as
/// `{"2026-W47":[dates, state, public digest],...}`.
fn weeks_json(site: &crate::model::Site) -> Vec<u8> {
    let mut weeks: Vec<WeekId> = site.ledger.weeks.iter().map(|w| w.week).collect();
    weeks.extend(site.seals.weeks.keys().copied());
    weeks.sort_unstable();
    weeks.dedup();
    let mut json = Vec::with_capacity(128 * weeks.len() + 2);
    json.push(b'{');
    for (i, week) in weeks.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json_str(&mut json, &week.to_string());
        json.push(b':');
        let _ = serde_json::to_writer(&mut json, &week_row(site, *week));
    }
    json.push(b'}');
    json
}

/// One shard's JSON, `{"receipts": {...}}`, of the receipts at the rows `group` (in
/// input order). As the map of ids it stands for, its keys are sorted and a repeated
/// id keeps its last receipt.
fn shard_json(site: &crate::model::Site, group: &[(u32, usize)]) -> Vec<u8> {
    let ledger = &site.ledger;
    let period = site.config.invoices.period;
    let mut members: Vec<Receipt<'_>> = group
        .iter()
        .filter_map(|&(_, index)| receipt_at(ledger, &site.invoices, period, index))
        .collect();
    // Stable: of one id's receipts, the last in input order stays last.
    members.sort_by(|a, b| a.id.cmp(b.id));

    let mut json = Vec::with_capacity(128 * (members.len() + 1));
    json.extend_from_slice(b"{\"receipts\":{");
    let n = Numbers::of(&site.config);
    let currency = &site.config.currency;
    let mut first = true;
    let mut scratch = String::new();
    for (i, receipt) in members.iter().enumerate() {
        if members.get(i + 1).is_some_and(|next| next.id == receipt.id) {
            continue;
        }
        if !first {
            json.push(b',');
        }
        first = false;
        json_str(&mut json, receipt.id);
        json.extend_from_slice(b":[");
        scratch.clear();
        let _ = write!(scratch, "{}", receipt.date);
        json_str(&mut json, &scratch);
        json.push(b',');
        scratch.clear();
        let _ = write!(scratch, "{}", receipt.week);
        json_str(&mut json, &scratch);
        json.push(b',');
        json_str(&mut json, name_of(&site.config.cells, &receipt.cell));
        json.push(b',');
        json_str(
            &mut json,
            name_of(&site.config.categories, &receipt.category),
        );
        json.push(b',');
        json_str(&mut json, receipt.kind.name());
        json.push(b',');
        json_str(&mut json, &n.quantity(receipt.quantity));
        json.push(b',');
        json_str(&mut json, &receipt.unit);
        json.push(b',');
        match receipt.value {
            Some(v) => json_str(&mut json, &n.money(v, currency)),
            None => json_str(&mut json, ""),
        }
        json.push(b',');
        json_str(&mut json, receipt.invoice.unwrap_or_default());
        json.push(b']');
    }
    json.extend_from_slice(b"}}");
    json
}

/// The name of a cell or need as [`super::names::cell`] gives it, without a copy.
fn name_of<'a>(named: &'a BTreeMap<String, Named>, slug: &'a str) -> &'a str {
    named.get(slug).map_or(slug, |c| c.name.as_str())
}

/// `text` as a JSON string, escaped as `serde_json` escapes it.
fn json_str(json: &mut Vec<u8>, text: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *json, text);
}

/// A week as the receipts name it: its dates, its seal's state and its public digest.
fn week_row(site: &crate::model::Site, week: WeekId) -> [String; 3] {
    let seal = site.seals.weeks.get(&week);
    [
        week_dates(week),
        seal.map_or("in progress", |s| s.state.as_str()).to_string(),
        seal.map(|s| s.current.public_digest.clone())
            .unwrap_or_default(),
    ]
}

pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let site = r.site;
    let root = &r.site_view.root;
    let (bits, count, files) = shards(r)?;
    let weeks: Vec<WeekLink> = site
        .seals
        .weeks
        .keys()
        .rev()
        .map(|week| WeekLink {
            week: week.to_string(),
            dates: week_dates(*week),
            canonical: format!("{root}{}", super::seal::canonical_path(*week)),
            report: format!("{root}reports/{week}/"),
        })
        .collect();
    let context = r.context("Look up a receipt", "receipts");
    let context = Renderer::with(context, "bits", &bits);
    let context = Renderer::with(
        context,
        "receipt_count",
        &Numbers::of(&site.config).count(count as u64),
    );
    let context = Renderer::with(context, "weeks", &weeks);
    let mut jobs = vec![Job::page("receipts/", "receipts.html", context)];
    jobs.extend(files.into_iter().map(Job::File));
    Ok(jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_values() {
        // Test vectors of the FNV reference (draft-eastlake-fnv).
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn shards_stay_small_as_receipts_grow() {
        assert_eq!(bits_for(0), 0);
        assert_eq!(bits_for(64), 0);
        assert_eq!(bits_for(65), 1);
        assert_eq!(bits_for(1_000_000), 14);
        assert_eq!(shard_path("FC-000001", 0), "receipts/shards/0.json");
        assert!(shard_path("FC-000001", 14).len() == "receipts/shards/0000.json".len());
    }
}
