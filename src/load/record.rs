//! CSV records read from a file a chunk at a time, each with the line it starts on.
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

    /// Where each field ends in [`Record::bytes`].
    pub fn ends(&self) -> &'a [usize] {
        self.ends
    }

    /// Bytes between one field's end and the next one's start.
    pub fn gap(&self) -> usize {
        self.gap
    }

    /// Whether every field of the record, whose bytes are the UTF-8 `text`, is UTF-8
    /// on its own. A record read as its line is cut at ASCII commas, never inside a
    /// character; the fields of an unquoted one are joined, so their bounds are checked.
    pub fn fields_are_whole(&self, text: &str) -> bool {
        self.gap == 1
            || (0..self.len()).all(|i| {
                self.range(i)
                    .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
            })
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

/// Bytes read from the source at a time, once the buffer has grown from its first
/// size (small, for small files); it grows beyond only for a longer record.
const CHUNK: usize = 256 * 1024;
const FIRST_CHUNK: usize = 4 * 1024;

/// Reads the records of a CSV source in order, a chunk at a time into one reused
/// buffer, so that a large export is never held in memory whole. A byte-order mark at
/// the start is skipped.
pub struct Records<R> {
    source: R,
    buf: Vec<u8>,
    /// Where the unread bytes start and end in `buf`.
    at: usize,
    end: usize,
    /// Whether the source has no more bytes.
    eof: bool,
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

impl<R: std::io::Read> Records<R> {
    pub fn new(source: R) -> Records<R> {
        Records {
            source,
            buf: Vec::new(),
            at: 0,
            end: 0,
            eof: false,
            line: 1,
            cuts: Vec::with_capacity(16),
            quoted: None,
            out: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Reads more of the source after the unread bytes, which move to the start of the
    /// buffer; the buffer grows when they fill it. Sets `eof` when nothing is left.
    fn fill(&mut self) -> std::io::Result<()> {
        let first = self.buf.is_empty();
        if first {
            self.buf.resize(FIRST_CHUNK, 0);
        }
        self.buf.copy_within(self.at..self.end, 0);
        self.end -= self.at;
        self.at = 0;
        if self.end == self.buf.len() || (!first && self.buf.len() < CHUNK) {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        self.read_more()?;
        if first {
            while self.end < 3 && !self.eof {
                self.read_more()?;
            }
            if self.buf.starts_with(b"\xEF\xBB\xBF") && self.end >= 3 {
                self.at = 3;
            }
        }
        Ok(())
    }

    /// One read of the source into the free end of the buffer.
    fn read_more(&mut self) -> std::io::Result<()> {
        let Some(free) = self.buf.get_mut(self.end..) else {
            return Ok(());
        };
        let n = loop {
            match self.source.read(free) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                read => break read?,
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(())
    }

    /// The next record, `None` at the end of the source.
    #[allow(clippy::should_implement_trait)] // each record borrows the reader's buffers
    pub fn next(&mut self) -> std::io::Result<Option<Record<'_>>> {
        // Line ends before a record, and empty lines, are no record.
        loop {
            match self.buf.get(self.at..self.end).and_then(<[u8]>::first) {
                Some(b'\n') => self.line += 1,
                Some(b'\r') => {}
                Some(_) => break,
                None if self.eof => return Ok(None),
                None => {
                    self.fill()?;
                    continue;
                }
            }
            self.at += 1;
        }
        // The record's first line, read further until it ends.
        let mut searched = 0;
        let len = loop {
            let unread = self.buf.get(self.at..self.end).unwrap_or_default();
            match unread
                .get(searched..)
                .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
            {
                Some(i) => break searched + i,
                None if self.eof => break unread.len(),
                None => {
                    searched = unread.len();
                    self.fill()?;
                }
            }
        };
        let start = self.at;
        let quoted = self
            .buf
            .get(start..start + len)
            .is_none_or(|text| memchr::memchr(b'"', text).is_some());
        if quoted {
            return self.read_quoted();
        }
        let text = self.buf.get(start..start + len).unwrap_or_default();
        self.cuts.clear();
        commas(text, &mut self.cuts);
        self.cuts.push(len);
        self.at += len;
        Ok(Some(Record {
            line: self.line,
            bytes: text,
            ends: &self.cuts,
            gap: 1,
        }))
    }

    /// A record with a quote character: read by `csv-core` from its start.
    fn read_quoted(&mut self) -> std::io::Result<Option<Record<'_>>> {
        if self.quoted.is_none() {
            self.out.resize(256, 0);
            self.ends.resize(16, 0);
            self.quoted = Some(csv_core::Reader::new());
        }
        let (mut read, mut written, mut fields) = (0, 0, 0);
        loop {
            let (Some(quoted), Some(input), Some(out), Some(ends)) = (
                self.quoted.as_mut(),
                self.buf.get(self.at + read..self.end),
                self.out.get_mut(written..),
                self.ends.get_mut(fields..),
            ) else {
                return Ok(None);
            };
            // An empty input tells csv-core the source has ended.
            let (result, nin, nout, nend) = quoted.read_record(input, out, ends);
            read += nin;
            written += nout;
            fields += nend;
            match result {
                ReadRecordResult::InputEmpty if !self.eof => self.fill()?,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => {
                    self.at = self.end;
                    return Ok(None);
                }
            }
        }
        let line = self.line;
        let record = self.buf.get(self.at..self.at + read).unwrap_or_default();
        self.line += memchr::memchr_iter(b'\n', record).count() as u64;
        self.at += read;
        Ok(Some(Record {
            line,
            bytes: self.out.get(..written).unwrap_or_default(),
            ends: self.ends.get(..fields).unwrap_or_default(),
            gap: 0,
        }))
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
        while let Some(r) = records.next().unwrap() {
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
            b"\xEF\xBB\xBFa,b\n1,2\n",
            b"\xEF\xBB\xBF\"a\",b\n1,2\n",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB",
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

    /// A source that gives one byte per read, as a slow pipe might.
    struct OneByte<'a>(&'a [u8]);

    impl std::io::Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let (Some(first), Some(out)) = (self.0.first(), buf.first_mut()) else {
                return Ok(0);
            };
            *out = *first;
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn records_read_a_byte_at_a_time_are_the_same() {
        let text: &[u8] = b"\xEF\xBB\xBFa,b\r\n\"x\r\ny\",2\n\n3,\"4\"\"\"\r\n5,6";
        let mut records = Records::new(OneByte(text));
        let mut found = Vec::new();
        while let Some(r) = records.next().unwrap() {
            found.push((r.line, r.fields().map(<[u8]>::to_vec).collect::<Vec<_>>()));
        }
        assert_eq!(found, read(text));
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn a_record_longer_than_the_buffer_is_read_whole() {
        let long = "x".repeat(CHUNK * 2 + 17);
        let text = format!("a,b\n{long},1\n\"{long}\",2\n");
        let found = read(text.as_bytes());
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].1[0].len(), long.len());
        assert_eq!(found[2], (3, vec![long.into_bytes(), b"2".to_vec()]));
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
