//! Values kept once for the whole process in an append-only table, each known by a
//! small number: ledger names and file paths repeat a million times, and an entry that
//! holds a 4-byte number instead of a pointer stays small. Reading a value takes no
//! lock; only adding a new one does. Nothing is ever removed, so a number once given
//! names the same value until the process ends. No ledger rules here.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::{Mutex, OnceLock, PoisonError};

/// log2 of the first segment's slots; each next segment has twice as many.
const FIRST_BITS: u32 = 6;
const FIRST: u64 = 1 << FIRST_BITS;
/// Enough segments for every `u32` number: the last starts at 2^32 − 64.
const SEGMENTS: usize = 27;

/// An append-only table of `&'static T`, numbered from 0 in the order they were added.
/// Its slots are segments of doubling size, each allocated once and never moved, so a
/// value is read by two atomic loads.
pub struct Table<T: ?Sized + 'static> {
    segments: [OnceLock<Box<[OnceLock<&'static T>]>>; SEGMENTS],
    /// Each value's number, for adding: only here is a lock taken.
    numbers: Mutex<Option<HashMap<&'static T, u32>>>,
}

impl<T: ?Sized + Eq + Hash + 'static> Table<T> {
    pub const fn new() -> Table<T> {
        Table {
            segments: [const { OnceLock::new() }; SEGMENTS],
            numbers: Mutex::new(None),
        }
    }

    /// The number of `value`, added with the copy `keep` makes if it is new. `None`
    /// only once the table holds 2^32 − 1 values (far more than memory can).
    pub fn number(&self, value: &T, keep: impl FnOnce(&T) -> &'static T) -> Option<u32> {
        let mut numbers = self.numbers.lock().unwrap_or_else(PoisonError::into_inner);
        let numbers = numbers.get_or_insert_with(HashMap::new);
        if let Some(&n) = numbers.get(value) {
            return Some(n);
        }
        let n = u32::try_from(numbers.len())
            .ok()
            .filter(|&n| n < u32::MAX)?;
        let (segment, slot) = place(n);
        let slots = self
            .segments
            .get(segment)?
            .get_or_init(|| (0..FIRST << segment).map(|_| OnceLock::new()).collect());
        let kept = keep(value);
        slots.get(slot)?.set(kept).ok()?;
        numbers.insert(kept, n);
        Some(n)
    }

    /// The value numbered `n`, if one was added.
    pub fn get(&self, n: u32) -> Option<&'static T> {
        let (segment, slot) = place(n);
        self.segments.get(segment)?.get()?.get(slot)?.get().copied()
    }

    /// [`Table::number`] counted from 1, so that an `Option` of a key takes no more
    /// room than the key. A full table (2^32 values, more than memory holds) gives a
    /// key that reads as no value.
    pub fn key(&self, value: &T, keep: impl FnOnce(&T) -> &'static T) -> NonZeroU32 {
        self.number(value, keep)
            .and_then(|n| NonZeroU32::new(n.wrapping_add(1)))
            .unwrap_or(NonZeroU32::MAX)
    }

    /// The value of a [`Table::key`].
    pub fn by_key(&self, key: NonZeroU32) -> Option<&'static T> {
        self.get(key.get() - 1)
    }
}

/// The segment holding number `n`, and its slot there.
fn place(n: u32) -> (usize, usize) {
    let shifted = u64::from(n) + FIRST;
    let segment = 63 - shifted.leading_zeros() - FIRST_BITS;
    (segment as usize, (shifted - (FIRST << segment)) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_map_to_segments_without_gaps_or_overlaps() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(63), (0, 63));
        assert_eq!(place(64), (1, 0));
        assert_eq!(place(191), (1, 127));
        assert_eq!(place(192), (2, 0));
        assert_eq!(
            place(u32::MAX),
            (
                SEGMENTS - 1,
                (u64::from(u32::MAX) + FIRST - (FIRST << 26)) as usize
            )
        );
        let mut expected = (0, 0);
        for n in 0..10_000u32 {
            assert_eq!(place(n), expected, "{n}");
            expected.1 += 1;
            if expected.1 as u64 == FIRST << expected.0 {
                expected = (expected.0 + 1, 0);
            }
        }
    }

    #[test]
    fn values_are_numbered_once_and_read_back_across_segments() {
        static TABLE: Table<str> = Table::new();
        let keep = |s: &str| -> &'static str { Box::leak(Box::from(s)) };
        let texts: Vec<String> = (0..500).map(|i| format!("name-{i}")).collect();
        let numbers: Vec<u32> = texts
            .iter()
            .map(|t| TABLE.number(t, keep).unwrap())
            .collect();
        assert_eq!(numbers, (0..500).collect::<Vec<u32>>());
        assert_eq!(TABLE.number("name-7", keep), Some(7));
        for (t, n) in texts.iter().zip(numbers) {
            assert_eq!(TABLE.get(n), Some(t.as_str()));
        }
        assert_eq!(TABLE.get(500), None);
        assert_eq!(TABLE.get(u32::MAX), None);
    }
}
