//! Receipt ids unique across the ledger, checked through tables of their 64-bit hashes;
//! and [`ReceiptHasher`], the fixed-seed hasher of the tables keyed a million times.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rayon::prelude::*;

use crate::error::{Diagnostic, Diagnostics};
use crate::model::ledger::Entries;

/// A receipt id is unique across the ledger: each repeat names the first use.
///
/// A million receipts are checked through tables of their 64-bit hashes; ids whose
/// hashes collide fall back to a table of the ids. Each file's checker hashes its
/// receipts as it reads them and spreads them over parts by some of the hashes' bits,
/// so that each part's table is small enough to stay in the processor's cache and the
/// parts are checked in parallel, each over the files in input order.
pub(super) fn receipt_hash(receipt: &str) -> u64 {
    ReceiptHasher::default().hash_one(receipt.as_bytes())
}

/// Number of parts the receipts' hashes are spread over.
const RECEIPT_PARTS: usize = 256;

/// One file's receipts spread over [`RECEIPT_PARTS`] parts by bits 32 to 39 of their
/// hashes, each as (the hash's low 32 bits, index of the entry in the file), in input
/// order: 8 bytes a receipt.
pub(super) struct ReceiptHashes(Vec<Vec<(u32, u32)>>);

impl ReceiptHashes {
    pub(super) fn new(rows: usize) -> ReceiptHashes {
        ReceiptHashes(
            (0..RECEIPT_PARTS)
                .map(|_| Vec::with_capacity(rows / RECEIPT_PARTS * 9 / 8))
                .collect(),
        )
    }

    pub(super) fn add(&mut self, hash: u64, index: usize) {
        let Ok(index) = u32::try_from(index) else {
            return;
        };
        if let Some(part) = self.0.get_mut((hash >> 32) as usize % RECEIPT_PARTS) {
            part.push((hash as u32, index));
        }
    }
}

/// Reports every repeated receipt, given each file's receipt hashes.
pub(super) fn check_receipts(
    entries: &Entries,
    hashes: &[ReceiptHashes],
    problems: &mut Diagnostics,
) {
    let starts: Vec<usize> = entries.parts().map(|(start, _)| start).collect();
    let mut repeats: Vec<(u32, u32)> = (0..RECEIPT_PARTS)
        .into_par_iter()
        .flat_map_iter(|p| {
            let part: Vec<(usize, &[(u32, u32)])> = starts
                .iter()
                .zip(hashes)
                .filter_map(|(&start, file)| file.0.get(p).map(|h| (start, h.as_slice())))
                .collect();
            repeats_in(entries, &part)
        })
        .collect();
    // Reported in input order, as the rows are.
    repeats.sort_unstable();
    for (repeat, first) in repeats {
        let (Some(e), Some(first)) = (entries.row(repeat as usize), entries.get(first as usize))
        else {
            continue;
        };
        problems.push(Diagnostic::at(
            &*e.source.file,
            e.source.line as usize,
            format!(
                "receipt: {:?} is already used at {}",
                e.receipt().unwrap_or(""),
                first.source
            ),
        ));
    }
}

/// The repeats among one part's receipts (each file's index of its first entry, and
/// its (hash bits, index in the file) in input order): each repeat's index in the
/// ledger and its first use's.
fn repeats_in(entries: &Entries, part: &[(usize, &[(u32, u32)])]) -> Vec<(u32, u32)> {
    use std::collections::hash_map::Entry as Slot;
    let receipt_of = |i: u32| entries.receipt(i as usize);
    let mut seen: HashMap<u32, u32, ReceiptHasher> = HashMap::with_capacity_and_hasher(
        part.iter().map(|(_, p)| p.len()).sum(),
        ReceiptHasher::default(),
    );
    let mut collided: HashMap<&str, u32, ReceiptHasher> = HashMap::default();
    let mut repeats = Vec::new();
    let in_order = part.iter().flat_map(|&(start, hashes)| {
        hashes
            .iter()
            .filter_map(move |&(h, i)| Some((h, u32::try_from(start + i as usize).ok()?)))
    });
    for (h, index) in in_order {
        match seen.entry(h) {
            Slot::Vacant(slot) => {
                slot.insert(index);
            }
            Slot::Occupied(slot) => {
                // Only here are the ids themselves read: a million lookups in the
                // entries would cost more than the whole table.
                let Some(receipt) = receipt_of(index) else {
                    continue;
                };
                let first = *slot.get();
                if receipt_of(first) == Some(receipt) {
                    repeats.push((index, first));
                } else {
                    match collided.entry(receipt) {
                        Slot::Vacant(other) => {
                            other.insert(index);
                        }
                        Slot::Occupied(other) => repeats.push((index, *other.get())),
                    }
                }
            }
        }
    }
    repeats
}

/// Hash tables for keys read a million times (receipt ids, cells): foldhash, with a
/// fixed seed so that a build does the same work each time. Not resistant to crafted
/// collisions, which a site's own ledger has no reason to contain (and a collision
/// only costs time: the ids themselves are compared).
pub(super) type ReceiptHasher = foldhash::fast::FixedState;
