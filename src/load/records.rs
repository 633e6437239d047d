//! CSV records read straight from a file's bytes, each with the line it starts on.
//!
//! A ledger export is mostly rows without a quote character. Such a row is its bytes
//! up to the line end, cut at each comma: its fields are read in place, without being
//! copied. A row with a quote anywhere is read by `csv-core`, the parser of the `csv`
//! crate, so quoting, escaped quotes and line breaks inside fields are read exactly as
//! the `csv` crate reads them. Both agree on what ends a record (`\n`, `\r\n` or a
//! lone `\r`) and skip empty lines, as the `csv` crate does; the tests hold the two
//! readers to the same records and lines.

use csv_core::ReadRecordResult;

/// One record: the line it starts on and its fields.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The line the record starts on, counting from 1.
    pub line: u64,
    /// The record's bytes: its line (fields cut at `ends`), or its fields unquoted and
    /// joined.
    bytes: &'a [u8],
    /// Where each field ends in `bytes`.
    ends: &'a [usize],
    /// Bytes between one field's end and the next one's start: 1 (the comma) when the
    /// record is its line as written, 0 when its fields were unquoted and joined.
    gap: usize,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no field (never: an empty line is no record).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where field `i` is in [`Record::bytes`], if the record has it.
    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(before) => self.ends.get(before)? + self.gap,
            None => 0,
        };
        Some(start..end)
    }

    /// The bytes of field `i`, if the record has it.
    pub fn field(&self, i: usize) -> Option<&'a [u8]> {
        self.bytes.get(self.range(i)?)
    }

    /// Every byte of the record's fields, with whatever separates them.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Every field, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.field(i))
    }
}

/// Reads the records of one file's bytes (without a byte-order mark), in order.
pub struct Records<'a> {
    bytes: &'a [u8],
    /// Where the next record, or the line ends before it, starts.
    at: usize,
    /// The line `at` is on.
    line: u64,
    /// Comma positions of an unquoted record, and its line's length.
    cuts: Vec<usize>,
    /// Made at the first quoted record.
    quoted: Option<csv_core::Reader>,
    /// A quoted record's fields, unquoted, and where each ends.
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl<'a> Records<'a> {
    pub fn new(bytes: &'a [u8]) -> Records<'a> {
        Records {
            bytes,
            at: 0,
            line: 1,
            cuts: Vec::with_capacity(16),
            quoted: None,
            out: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// The next record, or `None` at the end of the bytes.
    #[allow(clippy::should_implement_trait)] // each record borrows the reader's buffers
    pub fn next(&mut self) -> Option<Record<'_>> {
        // Line ends before a record, and empty lines, are no record.
        loop {
            match self.bytes.get(self.at)? {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            self.at += 1;
        }
        let rest = self.bytes.get(self.at..)?;
        let len = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
        let text = rest.get(..len)?;
        if memchr::memchr(b'"', text).is_none() {
            self.cuts.clear();
            commas(text, &mut self.cuts);
            self.cuts.push(len);
            self.at += len;
            return Some(Record {
                line: self.line,
                bytes: text,
                ends: &self.cuts,
                gap: 1,
            });
        }
        self.read_quoted(rest)
    }

    /// A record with a quote character: read by `csv-core` from its start.
    fn read_quoted(&mut self, rest: &'a [u8]) -> Option<Record<'_>> {
        let quoted = self.quoted.get_or_insert_with(|| {
            self.out.resize(256, 0);
            self.ends.resize(16, 0);
            csv_core::Reader::new()
        });
        let (mut read, mut written, mut fields) = (0, 0, 0);
        loop {
            let (result, nin, nout, nend) = quoted.read_record(
                rest.get(read..)?,
                self.out.get_mut(written..)?,
                self.ends.get_mut(fields..)?,
            );
            read += nin;
            written += nout;
            fields += nend;
            match result {
                // The rest of the bytes is read: the next call, with no input, ends
                // the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => {
                    self.at = self.bytes.len();
                    return None;
                }
            }
        }
        let line = self.line;
        self.line += memchr::memchr_iter(b'\n', rest.get(..read)?).count() as u64;
        self.at += read;
        Some(Record {
            line,
            bytes: self.out.get(..written)?,
            ends: self.ends.get(..fields)?,
            gap: 0,
        })
    }
}

/// Adds the position of every comma in `text` to `cuts`, eight bytes at a time: a
/// ledger row's fields are short, so most words hold a comma or two.
fn commas(text: &[u8], cuts: &mut Vec<usize>) {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const COMMAS: u64 = 0x2C2C_2C2C_2C2C_2C2C;
    let mut words = text.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        // Zero where a byte is a comma; then the high bit of exactly those bytes.
        let x = u64::from_le_bytes(bytes) ^ COMMAS;
        let mut found = !(((x & LOW) + LOW) | x | LOW);
        while found != 0 {
            cuts.push(base + (found.trailing_zeros() / 8) as usize);
            found &= found - 1;
        }
        base += 8;
    }
    for (i, &b) in words.remainder().iter().enumerate() {
        if b == b',' {
            cuts.push(base + i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, fields), by this reader.
    fn read(bytes: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut records = Records::new(bytes);
        let mut found = Vec::new();
        while let Some(r) = records.next() {
            found.push((r.line, r.fields().map(<[u8]>::to_vec).collect()));
        }
        found
    }

    /// Every record's fields, by the `csv` crate.
    fn read_by_csv_crate(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut found = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            found.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        found
    }

    /// Every record's fields, by this reader.
    fn fields(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        read(bytes).into_iter().map(|(_, fields)| fields).collect()
    }

    fn lines(bytes: &[u8]) -> Vec<u64> {
        read(bytes).into_iter().map(|(line, _)| line).collect()
    }

    #[test]
    fn commas_are_found_in_every_position_next_to_any_byte() {
        for len in 0..20 {
            for at in 0..len {
                for other in [0u8, b'+', b'-', b'L', 0x80, 0xAC, 0xFF] {
                    let mut text = vec![other; len];
                    text[at] = b',';
                    if at + 2 < len {
                        text[at + 2] = b',';
                    }
                    let mut cuts = Vec::new();
                    commas(&text, &mut cuts);
                    let expected: Vec<usize> = (0..len).filter(|&i| text[i] == b',').collect();
                    assert_eq!(cuts, expected, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn each_record_has_the_line_it_starts_on() {
        assert_eq!(lines(b"a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines(b"a,b\r\n1,2\r\n3,4"), [1, 2, 3]);
        // Empty lines are no record, but they are lines.
        assert_eq!(lines(b"a,b\n\n\n1,2\r\n\r\n3,4\n"), [1, 4, 6]);
        assert_eq!(lines(b"\r\naaa"), [2]);
        // A quoted line break belongs to its record; the next starts after it.
        assert_eq!(lines(b"a,b\n\"two\r\nlines\",2\n3,4\n"), [1, 2, 4]);
        assert_eq!(lines(b"a,\"b\"\r\n\"c\r\n\",d\r\n\r\ne,f"), [1, 2, 5]);
    }

    #[test]
    fn records_are_the_csv_crates_records() {
        let cases: &[&[u8]] = &[
            b"a,b,c\n1,2,3\n",
            b"a,b,c\r\n1,2,3\r\n4,5,6",
            b"a,b\r1,2\r3,4\r",
            b"a,b\n\n\n1,2\r\n\r\n3,4\n",
            b"a,b\n\"x, y\",2\n3,\"4\"\n",
            b"a,b\n\"two\r\nlines\",2\n3,4\n",
            b"a,b\n\"say \"\"hi\"\"\",2\n",
            b"a,b\nab\"c,2\n",
            b"a,b\n\"unclosed,2\n3,4\n",
            b"a,,\n,,\n , \n",
            b"a\n1\n2,3,4\n5\n",
            b"a,b\n1,caf\xc3\xa9\n2,\xe9\n",
            b"a,b\n\"q\"\n",
            b"a,b\n\"q\"x,y\n",
            b"",
            b"\n\r\n",
            b"only",
            b"a,\"b\"\r\n\"c\r\n\",d\r\n",
        ];
        for case in cases {
            assert_eq!(
                fields(case),
                read_by_csv_crate(case),
                "{:?}",
                String::from_utf8_lossy(case)
            );
        }
    }

    #[test]
    fn generated_rows_are_read_as_the_csv_crate_reads_them() {
        // Every short text over the bytes that matter to CSV.
        let alphabet: &[u8] = b"a,\"\r\n";
        let mut text = [0usize; 6];
        let mut tried = 0;
        loop {
            let bytes: Vec<u8> = text.iter().map(|&i| alphabet[i]).collect();
            assert_eq!(
                fields(&bytes),
                read_by_csv_crate(&bytes),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
            tried += 1;
            // The next text, counting in base `alphabet.len()`.
            let mut i = 0;
            while i < text.len() && text[i] + 1 == alphabet.len() {
                text[i] = 0;
                i += 1;
            }
            if i == text.len() {
                break;
            }
            text[i] += 1;
        }
        assert_eq!(tried, alphabet.len().pow(6));
    }
}
