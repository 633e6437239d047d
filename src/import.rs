//! `tally import FILE`: sniffs an export (encoding, delimiter, decimal mark, the header
//! line after a preamble, the date format, likely column matches by their names in
//! English, German, French and Spanish) and prints a `[[ledger.sources]]` block to
//! paste into `tally.toml`, the first rows as tally reads them with it, and what is
//! still missing. It writes nothing.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::load::ledger::Column;
use crate::load::sources::file::MappedFile;
use crate::load::sources::{MappedRow, decode, file, source};

/// Header names that likely hold each column, best first: matched whole, then within.
const NAMES: [(Column, &[&str]); 9] = [
    (
        Column::Date,
        &[
            "date",
            "datum",
            "buchungstag",
            "buchungsdatum",
            "fecha",
            "fecha operación",
            "date opération",
            "date d'opération",
            "timestamp",
            "marca temporal",
            "horodateur",
            "zeitstempel",
            "datetime",
            "transaction date",
            "booking date",
        ],
    ),
    (
        Column::Quantity,
        &[
            "quantity",
            "amount",
            "betrag",
            "umsatz",
            "montant",
            "importe",
            "cantidad",
            "menge",
            "quantité",
            "weight",
            "gewicht",
            "poids",
            "peso",
            "hours",
            "stunden",
            "heures",
            "horas",
            "kwh",
        ],
    ),
    (
        Column::Unit,
        &[
            "unit",
            "currency",
            "währung",
            "waehrung",
            "devise",
            "moneda",
            "divisa",
            "einheit",
            "unité",
            "unidad",
            "commodity",
        ],
    ),
    (Column::Cell, &["cell", "zelle", "cellule", "célula"]),
    (
        Column::Category,
        &[
            "category",
            "kategorie",
            "catégorie",
            "categoría",
            "categoria",
        ],
    ),
    (Column::Kind, &["kind"]),
    (Column::Receipt, &["receipt", "beleg", "reçu", "recibo"]),
    (
        Column::Counterparty,
        &[
            "counterparty",
            "name zahlungsbeteiligter",
            "zahlungsbeteiligter",
            "auftraggeber",
            "empfänger",
            "payee",
            "beneficiary",
            "bénéficiaire",
            "beneficiario",
            "tiers",
            "oppositeaccountname",
            "household",
            "haushalt",
            "ménage",
            "hogar",
        ],
    ),
    (
        Column::Memo,
        &[
            "memo",
            "description",
            "verwendungszweck",
            "libellé",
            "libelle",
            "concepto",
            "descripción",
            "notes",
            "bemerkung",
            "comment",
        ],
    ),
];

const DATE_FORMATS: [&str; 8] = [
    "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%y", "%m/%d/%y",
];

/// What was found in an export.
struct Sniffed {
    encoding: &'static str,
    delimiter: u8,
    header_line: usize,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    ignore: Vec<String>,
}

/// The text `tally import` prints for `file`; `site` is where the block will go.
pub fn import(file: &Path, site: &Path) -> Result<String> {
    let bytes = std::fs::read(file).map_err(|e| Error::io("read", file, e))?;
    let sniffed = sniff(&bytes).ok_or_else(|| {
        Error::Usage(format!("{}: no rows of a table were found", file.display()))
    })?;
    let shown = site_path(file, site);
    let (block, missing) = propose(&sniffed, &shown);
    let mut out = block.clone();
    out.push('\n');
    for m in &missing {
        let _ = writeln!(out, "# missing: {m}");
    }
    out.push_str(&preview(&block, &shown, &bytes));
    Ok(out)
}

/// `file` as a path under `site`, with `/` separators, for `files = …`.
fn site_path(file: &Path, site: &Path) -> String {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file_abs, site_abs) = (absolute(file), absolute(site));
    let shown = file_abs
        .strip_prefix(&site_abs)
        .map_or_else(|_| file.to_path_buf(), Path::to_path_buf);
    shown.to_string_lossy().replace('\\', "/")
}

/// A delimiter tried: rows of the usual width, the delimiter, that width, the records.
type Candidate = (usize, u8, usize, Vec<(u64, Vec<String>)>);

fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    let encoding = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        "utf-16"
    } else if std::str::from_utf8(bytes).is_ok() {
        "utf-8"
    } else {
        "windows-1252"
    };
    let text = decode::decode(bytes, decode::encoding(encoding)?).ok()?;
    let mut best: Option<Candidate> = None;
    for delimiter in [b',', b';', b'\t', b'|'] {
        let records = records(&text, delimiter);
        let mut counts = std::collections::BTreeMap::<usize, usize>::new();
        for (_, r) in &records {
            *counts.entry(r.len()).or_default() += 1;
        }
        let Some((&width, &n)) = counts
            .iter()
            .filter(|(w, _)| **w > 1)
            .max_by_key(|(w, n)| (**n, **w))
        else {
            continue;
        };
        if best.as_ref().is_none_or(|b| n > b.0) {
            best = Some((n, delimiter, width, records));
        }
    }
    let (_, delimiter, width, records) = best?;
    let start = records.iter().position(|(_, r)| r.len() == width)?;
    let (header_line, header) = records[start].clone();
    let mut rows = Vec::new();
    let mut ignore = Vec::new();
    for (_, r) in &records[start + 1..] {
        if r.len() == width {
            rows.push(r.clone());
        } else {
            let first: String = r[0]
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == ' ')
                .collect();
            let pattern = format!("^{}", regex::escape(first.trim_end()));
            if !first.trim().is_empty() && !ignore.contains(&pattern) {
                ignore.push(pattern);
            }
        }
    }
    Some(Sniffed {
        encoding,
        delimiter,
        header_line: header_line as usize,
        header: header.iter().map(|h| h.trim().to_string()).collect(),
        rows,
        ignore,
    })
}

/// Every non-blank record of `text` with its line.
fn records(text: &str, delimiter: u8) -> Vec<(u64, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records().map_while(std::result::Result::ok) {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map_or(0, |p| crate::load::ledger::line_of(text.as_bytes(), p));
        out.push((line, record.iter().map(str::to_string).collect()));
    }
    out
}

/// The header that likely holds each column, each header used once. A column empty in
/// every row (a bank's `Kategorie` left blank) is not proposed: mapping it would make
/// every row fail.
fn matches(header: &[String], rows: &[Vec<String>]) -> [Option<usize>; 10] {
    let mut found = [None; 10];
    let mut used: Vec<bool> = (0..header.len())
        .map(|i| {
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.get(i).is_none_or(|v| v.trim().is_empty()))
        })
        .collect();
    for whole in [true, false] {
        for (column, names) in NAMES {
            if found[column as usize].is_some() {
                continue;
            }
            'names: for name in names {
                for (i, h) in header.iter().enumerate() {
                    let h = h.to_lowercase();
                    let hit = if whole { h == *name } else { h.contains(name) };
                    if hit && !used[i] {
                        found[column as usize] = Some(i);
                        used[i] = true;
                        break 'names;
                    }
                }
            }
        }
    }
    found
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// What an export's header and rows suggest for its block.
struct Guesses<'a> {
    sniffed: &'a Sniffed,
    found: [Option<usize>; 10],
    decimal: char,
    date_format: Option<&'static str>,
    /// Some quantity carries a minus sign: the sign tells income from expense.
    signed: bool,
    /// A currency written in the quantities' cells.
    cell_unit: Option<String>,
    /// A unit named in the quantity's header (`kWh`, `Stunden`).
    header_unit: Option<String>,
    unit: Option<String>,
    /// The unit is a currency code.
    money: bool,
    /// A double-entry export: one row per account of each posting.
    posting: bool,
    /// The source's name, from the file's name.
    slug: String,
}

impl<'a> Guesses<'a> {
    fn new(s: &'a Sniffed, path: &str) -> Self {
        let mut g = Guesses {
            sniffed: s,
            found: matches(&s.header, &s.rows),
            decimal: '.',
            date_format: None,
            signed: false,
            cell_unit: None,
            header_unit: None,
            unit: None,
            money: false,
            posting: false,
            slug: slug(path),
        };
        let quantities = g.values(Column::Quantity);
        g.decimal = decimal_mark(&quantities);
        g.date_format = date_format(&g.values(Column::Date));
        g.signed = quantities
            .iter()
            .any(|q| q.starts_with('-') || q.contains("-€") || q.ends_with('-'));
        // The unit: a column, the cells' own currency, or a word in the quantity's header.
        g.cell_unit = quantities
            .iter()
            .find_map(|q| crate::load::sources::amount::parse(q, g.decimal).ok()?.unit);
        g.header_unit = g.header_of(Column::Quantity).and_then(header_unit);
        g.unit = g
            .values(Column::Unit)
            .first()
            .map(|u| u.to_string())
            .or(g.cell_unit.clone())
            .or(g.header_unit.clone());
        g.money = g
            .unit
            .as_deref()
            .is_some_and(|u| u.len() == 3 && u.chars().all(|c| c.is_ascii_uppercase()));
        g.posting = s.header.iter().any(|h| h.eq_ignore_ascii_case("account"))
            && s.header.iter().any(|h| {
                h.eq_ignore_ascii_case("txnidx") || h.eq_ignore_ascii_case("transaction id")
            });
        g
    }

    fn column(&self, c: Column) -> Option<usize> {
        self.found[c as usize]
    }

    /// The trimmed values of column `c` in every row; none if it was not found.
    fn values(&self, c: Column) -> Vec<&'a str> {
        let rows = &self.sniffed.rows;
        self.column(c).map_or_else(Vec::new, |i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|v| v.trim())
                .collect()
        })
    }

    fn header_of(&self, c: Column) -> Option<&'a str> {
        let header = &self.sniffed.header;
        self.column(c)
            .and_then(|i| header.get(i))
            .map(String::as_str)
    }

    /// `[[ledger.sources]]` with the file's name, format and the lines to skip.
    fn write_source(&self, b: &mut String, path: &str) {
        let s = self.sniffed;
        let delimiter = match s.delimiter {
            b'\t' => "\\t".to_string(),
            d => (d as char).to_string(),
        };
        let _ = writeln!(
            b,
            "# proposed by `tally import {path}`: check every line marked \"guessed\""
        );
        b.push_str("[[ledger.sources]]\n");
        let _ = writeln!(b, "name = {}", quote(&self.slug));
        let _ = writeln!(b, "files = {}", quote(path));
        if s.delimiter != b',' {
            let _ = writeln!(b, "delimiter = {}", quote(&delimiter));
        }
        if s.encoding != "utf-8" {
            let _ = writeln!(b, "encoding = {}", quote(s.encoding));
        }
        if self.decimal == ',' {
            b.push_str("decimal = \",\"\n");
        }
        if s.header_line > 1 {
            let _ = writeln!(
                b,
                "skip_lines = {}                  # the lines before the header",
                s.header_line - 1
            );
        }
        if !s.ignore.is_empty() {
            let list: Vec<String> = s.ignore.iter().map(|p| quote(p)).collect();
            let _ = writeln!(
                b,
                "ignore_lines = [{}]   # lines that are not rows",
                list.join(", ")
            );
        }
        if let Some(f) = self.date_format.filter(|f| *f != "%Y-%m-%d") {
            let _ = writeln!(b, "date_format = {}", quote(f));
        }
    }

    /// `[ledger.sources.columns]`: each column found and the header it is read from.
    fn write_columns(&self, b: &mut String) {
        b.push_str("[ledger.sources.columns]\n");
        for c in Column::ALL {
            if let Some(h) = self.header_of(c) {
                let _ = writeln!(b, "{} = {}", c.name(), quote(h));
            }
        }
    }

    /// The `[ledger.sources.set]` lines for columns the export lacks, and what could not
    /// be guessed at all.
    fn set_lines(&self, missing: &mut Vec<String>) -> Vec<String> {
        let mut set = Vec::new();
        if self.column(Column::Cell).is_none() {
            set.push(format!(
                "cell = {}   # guessed from the file's name",
                quote(&self.slug)
            ));
        }
        if self.column(Column::Unit).is_none() && self.cell_unit.is_none() {
            match &self.header_unit {
                Some(u) => set.push(format!(
                    "unit = {}   # guessed from the quantity's header",
                    quote(u)
                )),
                None => missing
                    .push("no unit: add `unit = \"…\"` under [ledger.sources.set]".to_string()),
            }
        }
        if self.column(Column::Category).is_none() {
            match self.category() {
                Some(g) => set.push(format!("category = {}   # guessed from the unit", quote(g))),
                None => missing.push(
                    "no category: add `category = \"…\"` under [ledger.sources.set]".to_string(),
                ),
            }
        }
        if self.column(Column::Kind).is_none() && !self.signed {
            set.push(format!(
                "kind = {}   # guessed: every row is read as this kind",
                quote(if self.money { "income" } else { "service" })
            ));
        }
        if self.column(Column::Date).is_none() {
            missing.push("no date column was recognised: map one with `date = \"…\"` under [ledger.sources.columns]".into());
        }
        if self.column(Column::Quantity).is_none() {
            missing.push("no quantity column was recognised: map one with `quantity = \"…\"` under [ledger.sources.columns]".into());
        }
        set
    }

    /// The category the unit suggests: money is the treasury's, kilograms food, and so on.
    fn category(&self) -> Option<&'static str> {
        if self.money {
            return Some("treasury");
        }
        match self.unit.as_deref() {
            Some("kg") => Some("food"),
            Some("kWh") => Some("energy"),
            Some("h") => Some("care"),
            _ => None,
        }
    }

    /// How a row's kind is read: from the sign of its quantity, or from the words of a
    /// kind column that are not tally's own.
    fn write_kinds(&self, b: &mut String) {
        let kind_column = self.column(Column::Kind).is_some();
        if !kind_column && self.signed {
            let (neg, pos) = if self.posting {
                ("income", "expense")
            } else {
                ("expense", "income")
            };
            let _ = writeln!(
                b,
                "[ledger.sources.negative]\nkind = {}\n[ledger.sources.positive]\nkind = {}",
                quote(neg),
                quote(pos)
            );
        }
        if kind_column {
            let mut words: Vec<&str> = self
                .values(Column::Kind)
                .into_iter()
                .filter(|w| !w.is_empty() && !file::KINDS.iter().any(|k| k.eq_ignore_ascii_case(w)))
                .collect();
            words.sort_unstable();
            words.dedup();
            if !words.is_empty() {
                let map: Vec<String> = words
                    .iter()
                    .map(|w| format!("{} = {}", quote(w), quote(guess_kind(w))))
                    .collect();
                let _ = writeln!(
                    b,
                    "[ledger.sources.values]   # guessed: check each word's kind\nkind = {{ {} }}",
                    map.join(", ")
                );
            }
        }
    }
}

/// The block and what it could not find.
fn propose(s: &Sniffed, path: &str) -> (String, Vec<String>) {
    let guesses = Guesses::new(s, path);
    let mut b = String::new();
    guesses.write_source(&mut b, path);
    let mut missing = Vec::new();
    guesses.write_columns(&mut b);
    let set = guesses.set_lines(&mut missing);
    if !set.is_empty() {
        b.push_str("[ledger.sources.set]\n");
        for line in set {
            b.push_str(&line);
            b.push('\n');
        }
    }
    guesses.write_kinds(&mut b);
    if guesses.posting {
        let _ = writeln!(
            b,
            "[[ledger.sources.rules]]   # a posting export: one row per account; count one side\nwhen = {{ account = \"^assets:\" }}\nskip = \"the bank or cash side of a posting: its other side is counted\""
        );
    }
    (b, missing)
}

/// The source's name: the file's stem in lower case, other than letters and digits as `-`.
fn slug(path: &str) -> String {
    let stem = Path::new(path)
        .file_stem()
        .map_or("export".to_string(), |s| s.to_string_lossy().to_string());
    stem.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// The first of [`DATE_FORMATS`] every date (its part before a time) reads with.
fn date_format(dates: &[&str]) -> Option<&'static str> {
    DATE_FORMATS.into_iter().find(|f| {
        !dates.is_empty()
            && dates.iter().all(|d| {
                let part = d
                    .split(|c: char| c == 'T' || c.is_whitespace())
                    .next()
                    .unwrap_or(d);
                jiff::civil::Date::strptime(f, part).is_ok()
            })
    })
}

/// A unit named in a quantity's header: `Menge (kg)`, `Stunden`, `kWh`.
fn header_unit(header: &str) -> Option<String> {
    let h = header.to_lowercase();
    [
        ("kwh", "kWh"),
        ("kg", "kg"),
        ("hour", "h"),
        ("stunden", "h"),
        ("heures", "h"),
        ("horas", "h"),
    ]
    .into_iter()
    .find(|(w, _)| h.contains(w))
    .map(|(_, u)| u.to_string())
}

fn guess_kind(word: &str) -> &'static str {
    let lower = word.to_lowercase();
    if ["credit", "contribution", "donation", "deposit", "income"]
        .iter()
        .any(|w| lower.contains(w))
    {
        "income"
    } else {
        "expense"
    }
}

/// The decimal mark the quantities use: the last mark followed by other than three digits.
fn decimal_mark(quantities: &[&str]) -> char {
    let (mut comma, mut dot) = (0, 0);
    for q in quantities {
        let Some(at) = q.rfind(['.', ',']) else {
            continue;
        };
        let after = q[at + 1..].chars().take_while(char::is_ascii_digit).count();
        let both = q.contains('.') && q.contains(',');
        if after != 3 || both {
            if q[at..].starts_with(',') {
                comma += 1;
            } else {
                dot += 1;
            }
        }
    }
    if comma > dot { ',' } else { '.' }
}

/// The first rows as tally reads them with the proposed block.
fn preview(block: &str, path: &str, bytes: &[u8]) -> String {
    let text = format!("title = \"import\"\nbase_url = \"https://import.example/\"\n{block}");
    let mut out = String::from("\n# the first rows as tally reads them with this block:\n");
    let config = match Config::parse(&text, Path::new("tally.toml")) {
        Ok(config) => config,
        Err(e) => return format!("{out}# the block does not parse: {e}\n"),
    };
    let mut problems = Vec::new();
    let Some(source) = config
        .ledger
        .sources
        .first()
        .and_then(|s| source::compile(s, &mut problems))
    else {
        return format!(
            "{out}# {}\n",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n# ")
        );
    };
    match file::read(&source, Path::new(path), bytes) {
        Ok(mapped) => write_rows(&mut out, &mapped),
        Err(problems) => {
            for p in problems {
                let _ = writeln!(out, "# {p}");
            }
        }
    }
    out
}

/// The first five rows of `mapped` (or why they failed), and how many were read.
fn write_rows(out: &mut String, mapped: &MappedFile) {
    for row in mapped.rows.iter().take(5) {
        match row {
            MappedRow::Row { line, columns } => {
                // Date, cell, category, kind, quantity and unit.
                let shown: Vec<String> = Column::ALL[..6]
                    .iter()
                    .map(|c| format!("{}={}", c.name(), columns[*c as usize]))
                    .collect();
                let _ = writeln!(out, "# line {line}: {}", shown.join(" "));
            }
            MappedRow::Failed(problems) => {
                for p in problems {
                    let _ = writeln!(out, "# {p}");
                }
            }
        }
    }
    let skipped: u64 = mapped.skipped.values().sum();
    let _ = writeln!(
        out,
        "# {} rows read, {} skipped by a rule",
        mapped.read, skipped
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_column_left_empty_in_every_row_is_not_proposed() {
        let header = strings(&["Buchungstag", "Kategorie", "Betrag"]);
        let rows = vec![
            strings(&["23.11.2026", "", "-1.250,50"]),
            strings(&["24.11.2026", " ", "25,00"]),
        ];
        let found = matches(&header, &rows);
        assert_eq!(found[Column::Date as usize], Some(0));
        assert_eq!(found[Column::Category as usize], None);
        assert_eq!(found[Column::Quantity as usize], Some(2));
        let filled = vec![strings(&["23.11.2026", "Lebensmittel", "-1.250,50"])];
        assert_eq!(
            matches(&header, &filled)[Column::Category as usize],
            Some(1)
        );
    }
}
