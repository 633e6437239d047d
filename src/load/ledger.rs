//! `data/ledger/*.csv` → [`LedgerFile`]s: the bytes of each export and where each
//! canonical column sits in it. Rows are streamed by [`LedgerFile::read_rows`], read
//! in place unless they need unquoting ([`super::records`]), each with its file line;
//! judging the values is `check`'s work.
//!
//! Columns come in any order, named canonically or mapped from another export's
//! headers by `[ledger.columns]` in `tally.toml`. UTF-8 with or without a byte-order
//! mark, CRLF or LF line ends, quoted fields.

use std::path::{Path, PathBuf};

pub mod sources;

use rayon::prelude::*;

use super::record::{Record, Records};
use super::{FileCache, relative, sorted_files};
use crate::config::{CONFIG_FILE, LedgerConfig};
use crate::error::{Diagnostic, Diagnostics};

/// The ledger folder, relative to the site.
pub const LEDGER_DIR: &str = "data/ledger";

/// A canonical ledger column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    Date,
    Cell,
    Category,
    Kind,
    Quantity,
    Unit,
    Receipt,
    ToCell,
    Counterparty,
    Memo,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Date,
        Column::Cell,
        Column::Category,
        Column::Kind,
        Column::Quantity,
        Column::Unit,
        Column::Receipt,
        Column::ToCell,
        Column::Counterparty,
        Column::Memo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Date => "date",
            Column::Cell => "cell",
            Column::Category => "category",
            Column::Kind => "kind",
            Column::Quantity => "quantity",
            Column::Unit => "unit",
            Column::Receipt => "receipt",
            Column::ToCell => "to_cell",
            Column::Counterparty => "counterparty",
            Column::Memo => "memo",
        }
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Date
                | Column::Cell
                | Column::Category
                | Column::Kind
                | Column::Quantity
                | Column::Unit
        )
    }

    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Trims surrounding whitespace, checking the ends first: most fields have none.
fn trim(field: &str) -> &str {
    let b = field.as_bytes();
    match (b.first(), b.last()) {
        (None, _) => field,
        // Above the space and below 0x80: never whitespace, nor part of a character
        // that could be (a vertical tab is whitespace to `str::trim`).
        (Some(&f), Some(&l)) if (b'!'..0x80).contains(&f) && (b'!'..0x80).contains(&l) => field,
        _ => field.trim(),
    }
}

/// Where each canonical column sits in a file's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    index: [Option<usize>; 10],
    /// Number of header fields: every row must have as many.
    pub width: usize,
}

impl Layout {
    pub fn index(&self, column: Column) -> Option<usize> {
        self.index[column as usize]
    }

    /// For each header field, the columns read from it: bit `c` for `Column::ALL[c]`
    /// (a mapping may read two columns from one field).
    pub fn slots(&self) -> Vec<u16> {
        let mut slots = vec![0u16; self.width];
        for (c, at) in self.index.iter().enumerate() {
            if let Some(field) = at.and_then(|i| slots.get_mut(i)) {
                *field |= 1 << c;
            }
        }
        slots
    }
}

/// One ledger export: its header read, its rows read when checked
/// ([`LedgerFile::read_rows`]), a chunk at a time, so a large export is never held in
/// memory whole.
#[derive(Debug, Clone)]
pub struct LedgerFile {
    /// Relative to the site, for messages (`data/ledger/food-coop.csv`).
    pub path: PathBuf,
    /// Where the file is read from.
    pub source: PathBuf,
    /// Its size in bytes when its header was read.
    pub size: u64,
    pub layout: Layout,
    /// Rows already read and mapped by a `[[ledger.sources]]` block; `None` for tally's
    /// own layout, read from the file.
    pub mapped: Option<sources::Shared>,
}

/// One data row of a ledger file: its line and the trimmed text of each column.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    pub line: u64,
    columns: &'a [&'a str; 10],
    width: usize,
}

impl<'a> RawRow<'a> {
    /// The trimmed text of a column; empty when the file has no such column.
    pub fn get(&self, column: Column) -> &'a str {
        self.columns[column as usize]
    }

    /// Number of fields in this row.
    pub fn width(&self) -> usize {
        self.width
    }
}

/// Fills `columns` with the trimmed text of each canonical column of a record, walking
/// its fields once: `slots[i]` has bit `c` set when field `i` is read as
/// `Column::ALL[c]` ([`Layout::slots`]). A column the row is too short for stays
/// empty (the row's width is judged after). `false` when a field is not UTF-8: each
/// field on its own must be, as the csv crate checks a `StringRecord`.
fn columns<'r>(record: &Record<'r>, slots: &[u16], columns: &mut [&'r str; 10]) -> bool {
    let Ok(text) = std::str::from_utf8(record.bytes()) else {
        return false;
    };
    if !record.fields_are_whole(text) {
        return false;
    }
    let mut start = 0;
    for (&end, &wanted) in record.ends().iter().zip(slots) {
        if wanted != 0 {
            let field = text.get(start..end).map_or("", trim);
            let mut bits = wanted;
            while bits != 0 {
                if let Some(slot) = columns.get_mut(bits.trailing_zeros() as usize) {
                    *slot = field;
                }
                bits &= bits - 1;
            }
        }
        start = end + record.gap();
    }
    true
}

/// Whether a field (known to be UTF-8) is only whitespace, as `str::trim` sees it.
fn blank(field: &[u8]) -> bool {
    std::str::from_utf8(field).is_ok_and(|f| f.trim().is_empty())
}

impl LedgerFile {
    /// A file read by a `[[ledger.sources]]` block: its rows come from `mapped`.
    pub fn mapped(
        path: PathBuf,
        source: PathBuf,
        size: u64,
        mapped: sources::MappedFile,
    ) -> LedgerFile {
        LedgerFile {
            path,
            source,
            size,
            layout: Layout {
                width: mapped.width,
                ..Layout::default()
            },
            mapped: Some(std::sync::Arc::new(mapped)),
        }
    }

    /// Streams a mapped file's rows, as [`LedgerFile::read_rows`] does a file's.
    fn read_mapped(
        mapped: &sources::MappedFile,
        mut each: impl FnMut(Result<RawRow<'_>, Diagnostic>),
    ) {
        for row in &mapped.rows {
            match row {
                sources::MappedRow::Row { line, columns } => {
                    let found: [&str; 10] = std::array::from_fn(|c| columns[c].as_str());
                    each(Ok(RawRow {
                        line: *line,
                        columns: &found,
                        width: mapped.width,
                    }));
                }
                sources::MappedRow::Failed(problems) => {
                    for problem in problems {
                        each(Err(problem.clone()));
                    }
                }
            }
        }
    }

    /// Streams every data row to `each`, in file order. A row that cannot be read as
    /// CSV (invalid UTF-8, broken quoting) or has the wrong number of fields becomes a
    /// diagnostic instead, as does a file that cannot be read.
    pub fn read_rows(&self, each: impl FnMut(Result<RawRow<'_>, Diagnostic>)) {
        if let Some(mapped) = &self.mapped {
            return LedgerFile::read_mapped(mapped, each);
        }
        match std::fs::File::open(&self.source) {
            Ok(file) => self.read_rows_from(file, each),
            Err(e) => {
                let mut each = each;
                each(Err(Diagnostic::new(
                    &self.path,
                    format!("failed to read: {e}"),
                )));
            }
        }
    }

    /// [`LedgerFile::read_rows`] from `source`, whose first record is the header.
    pub fn read_rows_from(
        &self,
        source: impl std::io::Read,
        mut each: impl FnMut(Result<RawRow<'_>, Diagnostic>),
    ) {
        let mut records = Records::new(source);
        let slots = self.layout.slots();
        let failed =
            |e: std::io::Error| Diagnostic::new(&self.path, format!("failed to read: {e}"));
        // The header, read by `open`.
        match records.next() {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => return each(Err(failed(e))),
        }
        loop {
            let record = match records.next() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(e) => return each(Err(failed(e))),
            };
            let line = record.line;
            let mut found = [""; 10];
            if !columns(&record, &slots, &mut found) {
                each(Err(Diagnostic::at(
                    &self.path,
                    line as usize,
                    sources::decode::not_utf8(record.bytes()),
                )));
                continue;
            }
            if record.len() == 1 && record.fields().all(blank) {
                // A line of blanks: nothing to account for.
                continue;
            }
            if record.len() != self.layout.width {
                each(Err(Diagnostic::at(
                    &self.path,
                    line as usize,
                    format!(
                        "expected {} fields like the header, found {}",
                        self.layout.width,
                        record.len()
                    ),
                )));
                continue;
            }
            each(Ok(RawRow {
                line,
                columns: &found,
                width: record.len(),
            }));
        }
    }
}

/// The line a record starts on. After a CRLF line end the reader's position sits on
/// the `\n` and still counts the previous line: the record starts on the next one.
pub fn line_of(bytes: &[u8], position: &csv::Position) -> u64 {
    let at = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    position.line() + u64::from(bytes.get(at) == Some(&b'\n'))
}

/// Reads every `data/ledger/*.csv` of the site and maps its header to the canonical
/// columns. A file whose header lacks a required column is reported and left out.
pub fn load(
    site: &Path,
    config: &LedgerConfig,
    cache: &FileCache,
    problems: &mut Diagnostics,
) -> Vec<LedgerFile> {
    let mapping = mapping(config, problems);
    let sourced = sources::load(site, config, problems);
    let mut found = sorted_files(&site.join(LEDGER_DIR), "csv", problems);
    found.retain(|file| !sourced.claimed.contains(file));
    // Headers read in parallel, reported in order.
    let read: Vec<(Option<LedgerFile>, Diagnostics)> = found
        .par_iter()
        .map(|file| {
            let mut found = Diagnostics::default();
            // The layout comes from tally.toml, whose change empties the cache.
            let ledger = cache.parse(file, &mut found, |problems| {
                if let Some(why) = crate::paths::read_problem(site, file) {
                    problems.push(Diagnostic::new(relative(site, file), why));
                    return None;
                }
                open(relative(site, file), file, &mapping, problems)
            });
            (ledger, found)
        })
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for (ledger, found) in read {
        problems.extend(found.0);
        files.extend(ledger);
    }
    if !sourced.files.is_empty() {
        files.extend(sourced.files);
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    files
}

/// The header name expected for each canonical column (mapped or canonical).
pub type Mapping = [String; 10];

/// The expected header of each column from `[ledger.columns]`; unknown keys are errors.
pub fn mapping(config: &LedgerConfig, problems: &mut Diagnostics) -> Mapping {
    let mut names: Mapping = Column::ALL.map(|c| c.name().to_string());
    for (canonical, header) in &config.columns {
        match Column::from_name(canonical) {
            Some(column) => names[column as usize] = header.trim().to_string(),
            None => problems.push(Diagnostic::new(
                CONFIG_FILE,
                format!(
                    "[ledger.columns]: {canonical:?} is not a ledger column; the columns are {}",
                    Column::ALL.map(Column::name).join(", ")
                ),
            )),
        }
    }
    names
}

/// Opens a ledger file (`path` relative to the site, `source` where it is read from),
/// reads its header and locates each column.
pub fn open(
    path: PathBuf,
    source: &Path,
    mapping: &Mapping,
    problems: &mut Diagnostics,
) -> Option<LedgerFile> {
    let opened = std::fs::File::open(source).and_then(|f| Ok((f.metadata()?.len(), f)));
    let (size, file) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            problems.push(Diagnostic::new(&path, format!("failed to read: {e}")));
            return None;
        }
    };
    let layout = header(&path, &mut Records::new(file), mapping, problems)?;
    Some(LedgerFile {
        path,
        source: source.to_path_buf(),
        size,
        layout,
        mapped: None,
    })
}

/// Reads the header, the first record of `records`, and locates each column.
pub fn header(
    path: &Path,
    records: &mut Records<impl std::io::Read>,
    mapping: &Mapping,
    problems: &mut Diagnostics,
) -> Option<Layout> {
    let header: Vec<String> = match records.next() {
        Ok(Some(record)) => {
            let text: Result<Vec<&str>, _> = record.fields().map(std::str::from_utf8).collect();
            match text {
                Ok(fields) => fields.into_iter().map(|f| f.trim().to_string()).collect(),
                Err(_) => {
                    problems.push(Diagnostic::at(
                        path,
                        record.line as usize,
                        format!(
                            "cannot read the header row: it is {}",
                            sources::decode::not_utf8(record.bytes())
                        ),
                    ));
                    return None;
                }
            }
        }
        Ok(None) => {
            problems.push(Diagnostic::at(
                path,
                1,
                format!(
                    "the file is empty; a ledger starts with a header row: {}",
                    Column::ALL.map(Column::name).join(",")
                ),
            ));
            return None;
        }
        Err(e) => {
            problems.push(Diagnostic::new(path, format!("failed to read: {e}")));
            return None;
        }
    };
    let found: Vec<&str> = header.iter().map(String::as_str).collect();
    if let Some(hint) = sources::decode::delimiter_hint(&found, b',') {
        problems.push(Diagnostic::at(
            path,
            1,
            format!(
                "the header is one field {:?}: {hint} in a [[ledger.sources]] block of {CONFIG_FILE}",
                found[0]
            ),
        ));
        return None;
    }
    let mut layout = Layout {
        index: [None; 10],
        width: found.len(),
    };
    let mut ok = true;
    for column in Column::ALL {
        let expected = &mapping[column as usize];
        let position = found.iter().position(|h| h.eq_ignore_ascii_case(expected));
        layout.index[column as usize] = position;
        if position.is_none() && column.required() {
            let mapped = if expected != column.name() {
                format!(" {expected:?} (mapped by [ledger.columns] in {CONFIG_FILE})")
            } else {
                String::new()
            };
            problems.push(Diagnostic::at(
                path,
                1,
                format!(
                    "{}: missing required column{mapped}; expected the columns {}; found {}; {}",
                    column.name(),
                    Column::ALL
                        .into_iter()
                        .filter(|c| c.required())
                        .map(|c| mapping[c as usize].as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    found.join(", "),
                    mapping_hint(column, &found, mapping)
                ),
            ));
            ok = false;
        }
    }
    ok.then_some(layout)
}

/// How to map a spreadsheet's own header to `column`: a `[ledger.columns]` line with the
/// found header most like the column's name (one no other column reads).
fn mapping_hint(column: Column, found: &[&str], mapping: &[String]) -> String {
    let unread: Vec<&str> = found
        .iter()
        .copied()
        .filter(|h| !mapping.iter().any(|m| h.eq_ignore_ascii_case(m)))
        .collect();
    let name = column.name();
    let header = unread
        .iter()
        .find(|h| h.to_lowercase().contains(name))
        .or_else(|| {
            unread
                .iter()
                .find(|h| strsim::levenshtein(&h.to_lowercase(), name) <= 2)
        })
        .copied()
        .unwrap_or("the export's header");
    format!(
        "if the export calls it something else, map it in {CONFIG_FILE}: [ledger.columns] {name} = {header:?}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ledger file read from text rather than from disk.
    struct Text {
        file: LedgerFile,
        bytes: Vec<u8>,
    }

    impl Text {
        fn read_rows(&self, each: impl FnMut(Result<RawRow<'_>, Diagnostic>)) {
            self.file.read_rows_from(self.bytes.as_slice(), each);
        }
    }

    fn parse(
        path: PathBuf,
        bytes: Vec<u8>,
        mapping: &Mapping,
        problems: &mut Diagnostics,
    ) -> Option<Text> {
        let layout = header(
            &path,
            &mut Records::new(bytes.as_slice()),
            mapping,
            problems,
        )?;
        Some(Text {
            file: LedgerFile {
                path,
                source: PathBuf::new(),
                size: bytes.len() as u64,
                layout,
                mapped: None,
            },
            bytes,
        })
    }

    fn file(text: &str) -> (Option<Text>, Diagnostics) {
        let mut problems = Diagnostics::default();
        let mapping = mapping(&LedgerConfig::default(), &mut problems);
        let f = parse(
            PathBuf::from("data/ledger/t.csv"),
            text.as_bytes().to_vec(),
            &mapping,
            &mut problems,
        );
        (f, problems)
    }

    fn rows(f: &Text) -> Vec<(u64, String, String)> {
        let mut out = Vec::new();
        f.read_rows(|r| {
            let r = r.unwrap();
            out.push((
                r.line,
                r.get(Column::Quantity).to_string(),
                r.get(Column::Memo).to_string(),
            ))
        });
        out
    }

    #[test]
    fn bom_crlf_and_quoted_fields_are_read() {
        let text = "\u{feff}memo,date,cell,category,kind,quantity,unit\r\n\"a, \"\"b\"\"\",2026-01-05,x,food,service,2,kg\r\n\"two\r\nlines\",2026-01-05,x,food,service,3,kg\r\n";
        let (f, problems) = file(text);
        assert!(problems.is_empty(), "{problems:?}");
        let f = f.unwrap();
        assert_eq!(
            rows(&f),
            vec![
                (2, "2".to_string(), "a, \"b\"".to_string()),
                (3, "3".to_string(), "two\r\nlines".to_string())
            ]
        );
    }

    #[test]
    fn rows_after_empty_lines_keep_their_own_line() {
        let text = "date,cell,category,kind,quantity,unit\n\n2026-01-05,x,food,service,1,kg\r\n\r\n\r\n2026-01-05,x,food,service,\"2\",kg\n   \n2026-01-05,x,food,service,3,kg";
        let (f, problems) = file(text);
        assert!(problems.is_empty(), "{problems:?}");
        let lines: Vec<(u64, String)> = rows(&f.unwrap())
            .into_iter()
            .map(|(line, quantity, _)| (line, quantity))
            .collect();
        assert_eq!(lines, [(3, "1".into()), (6, "2".into()), (8, "3".into())]);
    }

    #[test]
    fn fields_are_trimmed_as_any_text_is() {
        for field in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\x0ba\x0b",
            "\x0c",
            "\x01a\x1f",
            "a b",
            "~",
        ] {
            assert_eq!(trim(field), field.trim(), "{field:?}");
        }
    }

    #[test]
    fn missing_column_names_expected_and_found_headers() {
        let (f, problems) = file("date,cell,kind,quantity,unit\n");
        assert!(f.is_none());
        let message = problems.0[0].to_string();
        assert!(
            message.starts_with("data/ledger/t.csv:1: category: missing required column"),
            "{message}"
        );
        assert!(message.contains("found date, cell, kind, quantity, unit"));
        assert!(
            message.ends_with(
                "map it in tally.toml: [ledger.columns] category = \"the export's header\""
            ),
            "{message}"
        );
        let (_, problems) = file("Date,Cell,Need Category,kind,quantity,unit,catgory\n");
        let message = problems.0[0].to_string();
        assert!(
            message.ends_with("[ledger.columns] category = \"Need Category\""),
            "{message}"
        );
    }

    #[test]
    fn rows_that_are_not_utf8_are_reported_with_their_own_line() {
        let mut problems = Diagnostics::default();
        let mapping = mapping(&LedgerConfig::default(), &mut problems);
        let mut bytes = b"date,cell,category,kind,quantity,unit,memo\r\n".to_vec();
        bytes.extend_from_slice(b"2026-01-05,x,food,service,1,kg,caf\xe9\r\n");
        bytes.extend_from_slice(b"2026-01-05,x,food,service,2,kg,caf\xc3\xa9\r\n");
        // Each field on its own must be UTF-8, even when the row as a whole would be.
        bytes.extend_from_slice(b"2026-01-05,x,food,service,3,kg\xc3,\xa9\r\n");
        let f = parse(
            PathBuf::from("data/ledger/t.csv"),
            bytes,
            &mapping,
            &mut problems,
        )
        .unwrap();
        let mut found = Vec::new();
        f.read_rows(|r| match r {
            Ok(row) => found.push(format!("{}: {}", row.line, row.get(Column::Memo))),
            Err(d) => found.push(d.to_string()),
        });
        assert_eq!(
            found,
            vec![
                format!(
                    "data/ledger/t.csv:2: not valid UTF-8 text; {}",
                    sources::decode::ENCODING_HINT
                ),
                "3: café".to_string(),
                format!(
                    "data/ledger/t.csv:4: not valid UTF-8 text; {}",
                    sources::decode::ENCODING_HINT
                ),
            ]
        );
    }

    #[test]
    fn two_columns_may_be_read_from_one_header() {
        let mut problems = Diagnostics::default();
        let config = LedgerConfig {
            columns: [
                ("memo".to_string(), "Note".to_string()),
                ("receipt".to_string(), "Note".to_string()),
            ]
            .into_iter()
            .collect(),
            ..LedgerConfig::default()
        };
        let mapping = mapping(&config, &mut problems);
        let text =
            "date,cell,category,kind,quantity,unit,Note\n2026-01-05,x,food,service,2,kg, R-1 \n";
        let f = parse(
            PathBuf::from("data/ledger/t.csv"),
            text.as_bytes().to_vec(),
            &mapping,
            &mut problems,
        )
        .unwrap();
        let mut found = Vec::new();
        f.read_rows(|r| {
            let r = r.unwrap();
            found.push(format!(
                "{}|{}|{}|{}",
                r.get(Column::Receipt),
                r.get(Column::Memo),
                r.get(Column::Quantity),
                r.get(Column::ToCell)
            ));
        });
        assert_eq!(found, vec!["R-1|R-1|2|"]);
    }

    #[test]
    fn rows_of_the_wrong_width_are_reported_with_their_line() {
        let (f, _) = file("date,cell,category,kind,quantity,unit\n2026-01-05,x,food\n");
        let mut errors = Vec::new();
        f.unwrap().read_rows(|r| {
            if let Err(d) = r {
                errors.push(d.to_string())
            }
        });
        assert_eq!(
            errors,
            vec!["data/ledger/t.csv:2: expected 6 fields like the header, found 3"]
        );
    }
}
