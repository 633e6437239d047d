//! The own texts of a file's rows (receipt, counterparty, memo), kept one after the
//! other in one buffer per file.

/// The own texts of one file's rows (receipt, counterparty, memo), one after the other
/// in one buffer, so that an entry holds only where its row's texts start and building
/// and freeing a million entries costs no allocation per row. Each row's texts are
/// written as their three lengths (LEB128: one byte each below 128) and then their
/// bytes; a row without any text takes no room. An empty text is an absent one.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RowTexts {
    bytes: Vec<u8>,
}

/// Where a row's texts start in its file's [`RowTexts`]; only [`RowTexts::push`] makes
/// one, apart from [`TextOffset::NONE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextOffset(u32);

impl TextOffset {
    /// A row without receipt, counterparty or memo, in any file's texts.
    pub const NONE: TextOffset = TextOffset(0);
}

impl Default for RowTexts {
    fn default() -> RowTexts {
        RowTexts::with_capacity(0)
    }
}

impl RowTexts {
    /// Room for `bytes` bytes of texts and lengths before growing.
    pub fn with_capacity(bytes: usize) -> RowTexts {
        let mut texts = Vec::with_capacity(bytes.max(3));
        // [`TextOffset::NONE`]: three empty texts.
        texts.extend_from_slice(&[0, 0, 0]);
        RowTexts { bytes: texts }
    }

    /// Adds a row's texts. `None` once the buffer holds 4 GiB, past what an offset
    /// can point to.
    pub fn push(&mut self, receipt: &str, counterparty: &str, memo: &str) -> Option<TextOffset> {
        let parts = [receipt, counterparty, memo];
        if parts.iter().all(|p| p.is_empty()) {
            return Some(TextOffset::NONE);
        }
        let at = TextOffset(u32::try_from(self.bytes.len()).ok()?);
        for part in parts {
            let mut len = part.len();
            while len >= 0x80 {
                self.bytes.push((len & 0x7f) as u8 | 0x80);
                len >>= 7;
            }
            self.bytes.push(len as u8);
        }
        for part in parts {
            self.bytes.extend_from_slice(part.as_bytes());
        }
        Some(at)
    }

    /// The texts of the row whose texts start at `at`.
    pub fn get(&self, at: TextOffset) -> RowText<'_> {
        RowText(self.bytes.get(at.0 as usize..).unwrap_or_default())
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

impl std::fmt::Debug for RowTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowTexts")
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// One row's receipt, counterparty and memo, read from its file's [`RowTexts`].
#[derive(Clone, Copy)]
pub struct RowText<'a>(&'a [u8]);

impl<'a> RowText<'a> {
    /// The three texts' lengths and where the first text starts.
    fn lengths(self) -> ([usize; 3], usize) {
        let mut lens = [0usize; 3];
        let mut at = 0;
        for len in &mut lens {
            let mut shift = 0;
            while let Some(&byte) = self.0.get(at) {
                at += 1;
                *len |= usize::from(byte & 0x7f) << shift;
                shift += 7;
                if byte < 0x80 || shift >= usize::BITS {
                    break;
                }
            }
        }
        (lens, at)
    }

    /// The text `len` bytes long at `at`, empty when it is not there.
    fn text(self, at: usize, len: usize) -> &'a str {
        self.0
            .get(at..at.saturating_add(len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// Text `i` alone (only its own bytes are checked as UTF-8: a row's receipt is read
    /// for every receipt shard and every line of the open data).
    fn part(self, i: usize) -> Option<&'a str> {
        let (lens, at) = self.lengths();
        let len = *lens.get(i)?;
        let start = lens[..i].iter().fold(at, |at, &l| at.saturating_add(l));
        Some(self.text(start, len)).filter(|text| !text.is_empty())
    }

    pub fn receipt(self) -> Option<&'a str> {
        self.part(0)
    }

    /// Whether there is a receipt, without reading it: its length's first byte is not 0.
    pub fn has_receipt(self) -> bool {
        self.0.first().is_some_and(|&len| len != 0)
    }

    pub fn counterparty(self) -> Option<&'a str> {
        self.part(1)
    }

    pub fn memo(self) -> Option<&'a str> {
        self.part(2)
    }
}

impl std::fmt::Debug for RowText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowText")
            .field("receipt", &self.receipt())
            .field("counterparty", &self.counterparty())
            .field("memo", &self.memo())
            .finish()
    }
}
