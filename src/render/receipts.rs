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
//! Shard: `{"weeks": {week: [dates, state, public digest]}, "receipts": {id: [date,
//! week, cell, need, kind, quantity, unit, value, invoice]}}` (an absent value is "").

use std::collections::BTreeMap;

use serde::Serialize;

use super::numbers::Numbers;
use super::reports::week_dates;
use super::{Job, OutputFile, Renderer};
use crate::error::Result;
use crate::model::receipts::{Receipt, receipts};
use crate::model::week::WeekId;

/// Receipts per shard, on average: a shard is a few kilobytes.
pub const PER_SHARD: usize = 64;

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
    let index = if bits == 0 {
        0
    } else {
        fnv1a(id) >> (32 - bits)
    };
    let width = bits.div_ceil(4).max(1) as usize;
    format!("receipts/shards/{index:0width$x}.json")
}

#[derive(Default, Serialize)]
struct Shard {
    weeks: BTreeMap<String, [String; 3]>,
    receipts: BTreeMap<String, [String; 9]>,
}

/// What the page shows without its script: every week's canonical file.
#[derive(Debug, Clone, Serialize)]
pub struct WeekLink {
    pub week: String,
    pub dates: String,
    pub canonical: String,
    pub report: String,
}

/// Every shard of the site's receipts, by path.
pub fn shards(r: &Renderer<'_>) -> (u32, usize, Vec<OutputFile>) {
    let site = r.site;
    let all: Vec<Receipt<'_>> =
        receipts(&site.ledger, &site.invoices, site.config.invoices.period).collect();
    let bits = bits_for(all.len());
    let mut shards: BTreeMap<String, Shard> = BTreeMap::new();
    let currency = &site.config.currency;
    let n = Numbers::of(&site.config);
    for receipt in &all {
        let shard = shards.entry(shard_path(receipt.id, bits)).or_default();
        let week = receipt.week.to_string();
        shard
            .weeks
            .entry(week.clone())
            .or_insert_with(|| week_row(site, receipt.week));
        shard.receipts.insert(
            receipt.id.to_string(),
            [
                receipt.date.to_string(),
                week,
                super::names::cell(&site.config, &receipt.cell),
                super::names::category(&site.config, &receipt.category),
                receipt.kind.name().to_string(),
                n.quantity(receipt.quantity),
                receipt.unit.to_string(),
                receipt
                    .value
                    .map(|v| n.money(v, currency))
                    .unwrap_or_default(),
                receipt.invoice.unwrap_or_default().to_string(),
            ],
        );
    }
    let files = shards
        .into_iter()
        .map(|(path, shard)| {
            let json = serde_json::to_string(&shard).unwrap_or_default();
            OutputFile::new(path, json)
        })
        .collect();
    (bits, all.len(), files)
}

/// A week as a shard names it: its dates, its seal's state and its public digest.
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
    let (bits, count, files) = shards(r);
    let weeks: Vec<WeekLink> = site
        .seals
        .weeks
        .keys()
        .rev()
        .map(|week| WeekLink {
            week: week.to_string(),
            dates: week_dates(*week),
            canonical: format!("{root}{}", super::seals::canonical_path(*week)),
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
