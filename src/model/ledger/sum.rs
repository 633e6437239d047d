//! Exact running sums: a decimal sum that does the common case itself, and one cell's
//! totals for a category and unit.

use rust_decimal::Decimal;

use super::*;

/// A running sum of decimals that is, read back, the very decimal (value, scale and sign)
/// that adding them one by one with `Decimal`'s `+` gives: it keeps `Decimal`'s own
/// parts and does the common case itself. A decimal of the sign and scale of a sum that
/// is not zero adds up to the two sizes added, in that sign and scale, as long as that
/// fits 96 bits; anything else (the first value, another scale or sign, a sum `+` would
/// round) is left to `+`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sum {
    /// `Decimal`'s flags: sign and scale.
    flags: u32,
    /// The size, below 2^96.
    size: u128,
}

/// The smallest size too large for a `Decimal`.
const SIZE_LIMIT: u128 = 1 << 96;

impl Sum {
    pub(super) const ZERO: Sum = Sum { flags: 0, size: 0 };

    /// A decimal's flags and size.
    #[inline]
    pub(super) fn parts(x: Decimal) -> (u32, u128) {
        let b = x.serialize();
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        (
            word(0),
            u128::from(word(4)) | u128::from(word(8)) << 32 | u128::from(word(12)) << 64,
        )
    }

    #[inline]
    pub(super) fn add(&mut self, x: Decimal) {
        let (flags, size) = Sum::parts(x);
        // `d + 0` is `d`, whatever the zero's sign and scale.
        if self.size != 0 && (flags == self.flags || size == 0) {
            let sum = self.size + size;
            if sum < SIZE_LIMIT {
                self.size = sum;
                return;
            }
        }
        self.add_slowly(x);
    }

    #[inline(never)]
    pub(super) fn add_slowly(&mut self, x: Decimal) {
        (self.flags, self.size) = Sum::parts(self.get() + x);
    }

    pub(super) fn get(self) -> Decimal {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&self.flags.to_le_bytes());
        b[4..].copy_from_slice(&self.size.to_le_bytes()[..12]);
        Decimal::deserialize(b)
    }
}

/// One cell's totals for a category and unit while its week is being added up.
#[derive(Debug, Clone)]
pub(super) struct CellSums {
    pub(super) cell: Name,
    pub(super) category: Name,
    pub(super) unit: Name,
    services: u64,
    drawn: Sum,
    receipts: u64,
    contribution_rows: u64,
    contributed: Sum,
    value: Sum,
}

impl CellSums {
    pub(super) fn new(cell: Name, category: Name, unit: Name) -> CellSums {
        CellSums {
            cell,
            category,
            unit,
            services: 0,
            drawn: Sum::ZERO,
            receipts: 0,
            contribution_rows: 0,
            contributed: Sum::ZERO,
            value: Sum::ZERO,
        }
    }

    pub(super) fn is(&self, cell: &Name, category: &Name, unit: &Name) -> bool {
        self.category == *category && self.unit == *unit && self.cell == *cell
    }

    /// Adds a row, `value` being its value (service rows).
    pub(super) fn add(&mut self, row: LedgerRow<'_>, value: Option<Decimal>) {
        match row.kind {
            Kind::Service => {
                self.services += 1;
                self.drawn.add(row.quantity);
                self.receipts += u64::from(row.text.has_receipt());
                if let Some(value) = value {
                    self.value.add(value);
                }
            }
            Kind::Contribution => {
                self.contribution_rows += 1;
                self.contributed.add(row.quantity);
            }
            _ => {}
        }
    }

    /// Adds what `later` counted from later rows.
    pub(super) fn merge(&mut self, later: &CellSums) {
        self.services += later.services;
        self.drawn.add(later.drawn.get());
        self.receipts += later.receipts;
        self.contribution_rows += later.contribution_rows;
        self.contributed.add(later.contributed.get());
        self.value.add(later.value.get());
    }

    pub(super) fn line(&self) -> Line {
        Line {
            cell: Some(self.cell),
            category: self.category,
            unit: self.unit,
            services: self.services,
            drawn: self.drawn.get(),
            receipts: self.receipts,
            contribution_rows: self.contribution_rows,
            contributed: self.contributed.get(),
            value: self.value.get(),
        }
    }
}
