//! Invoices to the municipality: one per closed period (month or quarter), its lines
//! built from the period's service rows, valued at replacement cost. Plain data and
//! pure date arithmetic; no formatting for display and no file I/O here.

use std::collections::BTreeMap;
use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::config::{Config, InvoiceConfig, InvoicePeriod, InvoiceProfile, Municipality, Party};
use crate::model::Note;
pub mod issued;
pub mod status;

use self::issued::{DocumentKind, Frozen};
use self::status::Status;
use crate::model::ledger::{CheckedLedger, Entries, Kind, Name, Rates};

/// A month (`index` 1–12) or a quarter (`index` 1–4) of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub kind: InvoicePeriod,
    pub year: i16,
    pub index: i8,
}

impl Period {
    /// The period of `kind` holding `date`.
    pub fn of(kind: InvoicePeriod, date: Date) -> Period {
        let index = match kind {
            InvoicePeriod::Month => date.month(),
            InvoicePeriod::Quarter => (date.month() - 1) / 3 + 1,
        };
        Period {
            kind,
            year: date.year(),
            index,
        }
    }

    fn first_month(self) -> i8 {
        match self.kind {
            InvoicePeriod::Month => self.index,
            InvoicePeriod::Quarter => (self.index - 1) * 3 + 1,
        }
    }

    fn months(self) -> i8 {
        match self.kind {
            InvoicePeriod::Month => 1,
            InvoicePeriod::Quarter => 3,
        }
    }

    /// The first day of the period.
    pub fn start(self) -> Date {
        Date::new(self.year, self.first_month(), 1).unwrap_or_default()
    }

    /// The last day of the period.
    pub fn end(self) -> Date {
        self.next().start().yesterday().unwrap_or_default()
    }

    /// The period right after this one.
    pub fn next(self) -> Period {
        let month = self.first_month() + self.months();
        let (year, month) = if month > 12 {
            (self.year + 1, month - 12)
        } else {
            (self.year, month)
        };
        Period::of(self.kind, Date::new(year, month, 1).unwrap_or_default())
    }

    pub fn contains(self, date: Date) -> bool {
        self.start() <= date && date <= self.end()
    }

    /// The invoice number: `<prefix>-2026-Q3` or `<prefix>-2026-09`.
    pub fn number(self, prefix: &str) -> String {
        format!("{prefix}-{self}")
    }

    /// The period an invoice number names (`INV-2026-Q3`, `INV-2026-09`), if it is one.
    pub fn parse(kind: InvoicePeriod, prefix: &str, number: &str) -> Option<Period> {
        let rest = number.strip_prefix(prefix)?.strip_prefix('-')?;
        let (year, index) = rest.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i16 = year.parse().ok()?;
        let (index, last): (i8, i8) = match kind {
            InvoicePeriod::Quarter => (index.strip_prefix('Q')?.parse().ok()?, 4),
            InvoicePeriod::Month => (index.parse().ok()?, 12),
        };
        // Only the canonical spelling: `Q3` not `Q03`, `09` not `9`.
        ((1..=last).contains(&index))
            .then_some(Period { kind, year, index })
            .filter(|p| p.number(prefix) == number)
    }

    /// `Q3 2026` or `September 2026`.
    pub fn label(self) -> String {
        match self.kind {
            InvoicePeriod::Quarter => format!("Q{} {}", self.index, self.year),
            InvoicePeriod::Month => self.start().strftime("%B %Y").to_string(),
        }
    }
}

impl fmt::Display for Period {
    /// `2026-Q3` or `2026-09`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            InvoicePeriod::Quarter => write!(f, "{:04}-Q{}", self.year, self.index),
            InvoicePeriod::Month => write!(f, "{:04}-{:02}", self.year, self.index),
        }
    }
}

/// The periods that are closed as of `as_of`, from the one holding `first` on: every
/// period that ends before the period holding `as_of` begins. The period holding the
/// "as of" date is still open and gets no invoice.
pub fn closed_periods(kind: InvoicePeriod, first: Date, as_of: Date) -> Vec<Period> {
    let open = Period::of(kind, as_of);
    let mut periods = Vec::new();
    let mut period = Period::of(kind, first);
    while period < open {
        periods.push(period);
        let next = period.next();
        if next <= period {
            // The last period dates can name: nothing comes after it.
            break;
        }
        period = next;
    }
    periods
}

/// The UN/ECE Recommendation 20 code of a ledger unit: the site's own mapping
/// (`[invoices] unit_codes`) first, then the built-in one.
pub fn unit_code<'a>(unit: &str, site_codes: &'a BTreeMap<String, String>) -> Option<&'a str> {
    if let Some(code) = site_codes.get(unit) {
        return Some(code.as_str());
    }
    match unit {
        "kg" => Some("KGM"),
        "kWh" => Some("KWH"),
        "h" => Some("HUR"),
        "l" => Some("LTR"),
        "km" => Some("KMT"),
        _ => None,
    }
}

/// The day an invoice for `period` is issued: the day after the period ends.
pub fn issue_date(period: Period) -> Date {
    period.end().tomorrow().unwrap_or_default()
}

/// The day payment is due: the issue date plus the payment terms.
pub fn due_date(issue: Date, payment_terms_days: u32) -> Date {
    issue.saturating_add(i64::from(payment_terms_days).days())
}

/// A service row as an invoice needs it: a validated `service` row of the ledger and
/// the rate it is valued at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub date: Date,
    pub category: String,
    pub unit: String,
    pub quantity: Decimal,
    /// Whether the row carries a commons receipt id.
    pub receipt: bool,
    pub rate: ServiceRate,
}

/// The site's invoices: one per closed period with services, as of the site's date
/// (none without one).
pub fn of_checked(
    config: &Config,
    ledger: &CheckedLedger,
    as_of: Option<Date>,
    letters: &BTreeMap<String, Note>,
) -> Vec<Invoice> {
    let Some(as_of) = as_of else {
        return Vec::new();
    };
    invoices_of(
        Parties::of(config),
        &ledger.entries,
        &ledger.rates,
        as_of,
        letters,
    )
}

/// What one period's services of one category and unit at one rate add up to:
/// (quantity, services, receipts).
type Tally = (Decimal, usize, usize);

fn add(to: &mut Tally, (quantity, services, receipts): Tally) {
    to.0 += quantity;
    to.1 += services;
    to.2 += receipts;
}

/// One invoice per closed period that has services, oldest first, tallied from the
/// entries as they are (each file's in parallel), without a row of text for each.
pub fn invoices_of(
    parties: Parties<'_>,
    entries: &Entries,
    rates: &Rates,
    as_of: Date,
    letters: &BTreeMap<String, Note>,
) -> Vec<Invoice> {
    use rayon::prelude::*;
    use std::collections::HashMap;
    type Key = (Period, Name, Name, u32);
    let kind = parties.terms.period;
    let open = Period::of(kind, as_of);
    type Table = HashMap<Key, Tally, foldhash::fast::FixedState>;
    let tallies: Vec<Table> = entries
        .parts()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(_, part)| {
            let mut table = Table::default();
            // Rows of a file mostly repeat the period, category, unit and rate of the
            // row before: such a run is added up before it goes into the table.
            let mut run: Option<(Key, Tally)> = None;
            for row in part.rows().filter(|e| e.kind == Kind::Service) {
                let Some(rate) = row.rate.get().filter(|&i| rates.get(i).is_some()) else {
                    continue;
                };
                let period = Period::of(kind, row.date);
                if period >= open {
                    continue;
                }
                let key = (period, row.category, row.unit, rate);
                let services = (row.quantity, 1, usize::from(row.text.has_receipt()));
                match &mut run {
                    Some((alike, tally)) if *alike == key => add(tally, services),
                    _ => {
                        if let Some((key, tally)) = run.replace((key, services)) {
                            add(table.entry(key).or_default(), tally);
                        }
                    }
                }
            }
            if let Some((key, tally)) = run {
                add(table.entry(key).or_default(), tally);
            }
            table
        })
        .collect();
    let mut by_period: BTreeMap<Period, Groups> = BTreeMap::new();
    for ((period, category, unit, rate), tally) in tallies.into_iter().flatten() {
        let Some(rate) = rates.get(rate) else {
            continue;
        };
        let rate = ServiceRate {
            valid_from: rate.valid_from,
            rate: rate.rate,
            source: rate.source.clone(),
        };
        let group = by_period
            .entry(period)
            .or_default()
            .entry((category.as_str(), unit.as_str()))
            .or_default();
        add(group.entry(rate).or_default(), tally);
    }
    by_period
        .into_iter()
        .map(|(period, groups)| {
            let number = period.number(&parties.terms.prefix);
            let letter = letters.get(&number).cloned();
            with_lines(parties, period, lines_of(period, groups), letter)
        })
        .collect()
}

/// The rate a service row is valued at (a row of `data/rates.csv`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServiceRate {
    pub valid_from: Date,
    pub rate: Decimal,
    pub source: String,
}

/// One line of an invoice: every service of one category and unit valued at one rate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InvoiceLine {
    pub category: String,
    pub unit: String,
    pub quantity: Decimal,
    pub rate: Decimal,
    pub rate_source: String,
    /// The days of the period this rate applied: from the later of the period's start
    /// and the rate's `valid_from`, to the day before the next rate of the same category
    /// and unit took effect (or the period's end).
    pub from: Date,
    pub to: Date,
    /// `quantity × rate`, rounded to cents once.
    pub amount: Decimal,
    /// The service rows behind the line.
    pub services: usize,
    /// The commons receipts behind the line: its service rows that carry a receipt id.
    pub receipts: usize,
}

/// The sum of one category's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtotal {
    pub category: String,
    pub amount: Decimal,
    pub receipts: usize,
}

/// A statement of services rendered to residents, addressed to the municipality.
#[derive(Debug, Clone)]
pub struct Invoice {
    /// `INV-2026-Q3`: stable across builds.
    pub number: String,
    pub period: Period,
    pub issue_date: Date,
    pub due_date: Date,
    pub payment_terms_days: u32,
    pub currency: String,
    pub issuer: Party,
    pub addressee: Municipality,
    /// Sorted by category, unit and start date.
    pub lines: Vec<InvoiceLine>,
    /// Sorted by category.
    pub subtotals: Vec<Subtotal>,
    /// The sum of the lines' amounts.
    pub total: Decimal,
    pub receipts: usize,
    /// The cover letter from `content/invoices/<number>.md`, when there is one.
    pub letter: Option<Note>,
    /// The ISO 11649 creditor reference the city quotes when it pays (`RF…`), derived
    /// from the number.
    pub payment_reference: String,
    /// The rules its e-invoice follows.
    pub profile: InvoiceProfile,
    /// What became of it (`data/invoice-events.csv`).
    pub status: Status,
    /// Not issued yet: a week of its period is not sealed, so its figures may change.
    /// A draft has no e-invoice and owes nothing yet.
    pub draft: bool,
    /// An invoice, or a credit note or supplementary invoice correcting one.
    pub kind: DocumentKind,
    /// The invoice a credit note or supplementary invoice corrects.
    pub references: Option<String>,
    /// The credit notes and supplementary invoices that correct this invoice, oldest first.
    pub corrections: Vec<String>,
    /// Where it was frozen in `tally.lock`, once issued and recorded.
    pub frozen: Option<Frozen>,
}

/// Who issues invoices, to whom, in which currency and on which terms.
#[derive(Debug, Clone, Copy)]
pub struct Parties<'a> {
    pub issuer: &'a Party,
    pub addressee: &'a Municipality,
    pub currency: &'a str,
    pub terms: &'a InvoiceConfig,
}

impl<'a> Parties<'a> {
    /// The site's network invoicing its municipality, in the site's currency and on
    /// its invoicing terms.
    pub fn of(config: &'a Config) -> Self {
        Parties {
            issuer: &config.network,
            addressee: &config.municipality,
            currency: &config.currency,
            terms: &config.invoices,
        }
    }
}

/// The invoice for one period from its service rows.
pub fn invoice(
    parties: Parties<'_>,
    period: Period,
    rows: Vec<&ServiceRow>,
    letter: Option<Note>,
) -> Invoice {
    with_lines(parties, period, lines(period, rows), letter)
}

/// The invoice for one period with its lines.
fn with_lines(
    parties: Parties<'_>,
    period: Period,
    lines: Vec<InvoiceLine>,
    letter: Option<Note>,
) -> Invoice {
    let subtotals = subtotals(&lines);
    let total = lines.iter().map(|l| l.amount).sum();
    let receipts = lines.iter().map(|l| l.receipts).sum();
    let issue = issue_date(period);
    let number = period.number(&parties.terms.prefix);
    Invoice {
        payment_reference: crate::payment::creditor_reference(&number).unwrap_or_default(),
        profile: parties.terms.profile,
        status: Status::default(),
        draft: false,
        kind: DocumentKind::Invoice,
        references: None,
        corrections: Vec::new(),
        frozen: None,
        number,
        period,
        issue_date: issue,
        due_date: due_date(issue, parties.terms.payment_terms_days),
        payment_terms_days: parties.terms.payment_terms_days,
        currency: parties.currency.to_string(),
        issuer: parties.issuer.clone(),
        addressee: parties.addressee.clone(),
        lines,
        subtotals,
        total,
        receipts,
        letter,
    }
}

/// One line per category, unit and rate; a rate change inside the period gives two
/// lines of one category and unit, each with the days its rate applied.
pub fn lines(period: Period, rows: Vec<&ServiceRow>) -> Vec<InvoiceLine> {
    let mut groups = Groups::new();
    for row in rows {
        let tally = groups
            .entry((row.category.as_str(), row.unit.as_str()))
            .or_default()
            .entry(row.rate.clone())
            .or_default();
        add(tally, (row.quantity, 1, usize::from(row.receipt)));
    }
    lines_of(period, groups)
}

/// A period's services: (category, unit) → rate → what they add up to.
type Groups<'a> = BTreeMap<(&'a str, &'a str), BTreeMap<ServiceRate, Tally>>;

/// The lines of a period's services.
fn lines_of(period: Period, groups: Groups<'_>) -> Vec<InvoiceLine> {
    let mut lines = Vec::new();
    for ((category, unit), rates) in groups {
        // Rates sort by `valid_from` first: each one applies until the next begins.
        let starts: Vec<Date> = rates
            .keys()
            .map(|r| r.valid_from.max(period.start()))
            .collect();
        for (i, (rate, (quantity, services, receipts))) in rates.into_iter().enumerate() {
            let to = starts
                .get(i + 1)
                .and_then(|next| next.yesterday().ok())
                .unwrap_or(period.end());
            lines.push(InvoiceLine {
                category: category.to_string(),
                unit: unit.to_string(),
                quantity: quantity.normalize(),
                amount: cents(quantity * rate.rate),
                rate: rate.rate,
                rate_source: rate.source,
                from: starts[i],
                to,
                services,
                receipts,
            });
        }
    }
    lines
}

/// Rounds an amount to cents, halves away from zero.
pub fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// One subtotal per category, sorted by category.
pub fn subtotals(lines: &[InvoiceLine]) -> Vec<Subtotal> {
    let mut by_category: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    for line in lines {
        let entry = by_category
            .entry(line.category.as_str())
            .or_insert((Decimal::ZERO, 0));
        entry.0 += line.amount;
        entry.1 += line.receipts;
    }
    by_category
        .into_iter()
        .map(|(category, (amount, receipts))| Subtotal {
            category: category.to_string(),
            amount,
            receipts,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn rate(valid_from: Date, rate: &str) -> ServiceRate {
        ServiceRate {
            valid_from,
            rate: d(rate),
            source: format!("tariff from {valid_from}"),
        }
    }

    fn row(date: Date, category: &str, unit: &str, quantity: &str, r: &ServiceRate) -> ServiceRow {
        ServiceRow {
            date,
            category: category.into(),
            unit: unit.into(),
            quantity: d(quantity),
            receipt: true,
            rate: r.clone(),
        }
    }

    #[test]
    fn site_unit_codes_come_before_the_built_in_ones() {
        let mut site = BTreeMap::new();
        site.insert("bag".to_string(), "XBG".to_string());
        site.insert("h".to_string(), "HUR".to_string());
        assert_eq!(unit_code("bag", &site), Some("XBG"));
        assert_eq!(unit_code("kg", &site), Some("KGM"));
        assert_eq!(unit_code("kWh", &BTreeMap::new()), Some("KWH"));
        assert_eq!(unit_code("h", &BTreeMap::new()), Some("HUR"));
        assert_eq!(unit_code("crates", &site), None);
    }

    #[test]
    fn quarters_and_months_have_their_days() {
        let q3 = Period::of(InvoicePeriod::Quarter, date(2026, 8, 15));
        assert_eq!(
            (q3.start(), q3.end()),
            (date(2026, 7, 1), date(2026, 9, 30))
        );
        assert_eq!(q3.number("INV"), "INV-2026-Q3");
        assert_eq!(q3.label(), "Q3 2026");
        let q4 = Period::of(InvoicePeriod::Quarter, date(2026, 12, 31));
        assert_eq!(q4.end(), date(2026, 12, 31));
        assert_eq!(q4.next().number("INV"), "INV-2027-Q1");
        let feb = Period::of(InvoicePeriod::Month, date(2028, 2, 10));
        assert_eq!(
            (feb.start(), feb.end()),
            (date(2028, 2, 1), date(2028, 2, 29))
        );
        assert_eq!(feb.number("RMA"), "RMA-2028-02");
        assert_eq!(feb.label(), "February 2028");
        assert_eq!(
            Period::parse(InvoicePeriod::Month, "RMA", "RMA-2028-02"),
            Some(feb)
        );
        assert_eq!(
            Period::parse(InvoicePeriod::Quarter, "INV", "INV-2026-Q3"),
            Some(q3)
        );
        for bad in [
            "INV-2026-Q5",
            "INV-2026-Q03",
            "INV-2026-09",
            "INV-26-Q3",
            "XYZ-2026-Q3",
            "INV-2026-Q3x",
        ] {
            assert_eq!(
                Period::parse(InvoicePeriod::Quarter, "INV", bad),
                None,
                "{bad}"
            );
        }
        assert_eq!(
            Period::parse(InvoicePeriod::Month, "INV", "INV-2026-13"),
            None
        );
        assert_eq!(
            Period::parse(InvoicePeriod::Month, "INV", "INV-2026-9"),
            None
        );
        let dec = Period::of(InvoicePeriod::Month, date(2026, 12, 1));
        assert_eq!(dec.next().number("INV"), "INV-2027-01");
    }

    #[test]
    fn issued_the_day_after_the_period_and_due_after_the_terms() {
        let q2 = Period::of(InvoicePeriod::Quarter, date(2026, 4, 1));
        assert_eq!(issue_date(q2), date(2026, 7, 1));
        assert_eq!(due_date(issue_date(q2), 30), date(2026, 7, 31));
        let dec = Period::of(InvoicePeriod::Month, date(2026, 12, 5));
        assert_eq!(issue_date(dec), date(2027, 1, 1));
        assert_eq!(due_date(issue_date(dec), 0), date(2027, 1, 1));
    }

    #[test]
    fn the_period_holding_the_as_of_date_is_open() {
        let closed = closed_periods(InvoicePeriod::Quarter, date(2026, 4, 1), date(2026, 11, 25));
        let numbers: Vec<String> = closed.iter().map(|p| p.number("INV")).collect();
        assert_eq!(numbers, ["INV-2026-Q2", "INV-2026-Q3"]);
        // On the last day of a quarter that quarter is still open.
        let closed = closed_periods(InvoicePeriod::Quarter, date(2026, 4, 1), date(2026, 9, 30));
        assert_eq!(closed.len(), 1);
        let months = closed_periods(InvoicePeriod::Month, date(2026, 4, 20), date(2026, 7, 1));
        let numbers: Vec<String> = months.iter().map(|p| p.number("INV")).collect();
        assert_eq!(numbers, ["INV-2026-04", "INV-2026-05", "INV-2026-06"]);
    }

    #[test]
    fn a_rate_change_splits_the_line_at_its_date() {
        let q3 = Period::of(InvoicePeriod::Quarter, date(2026, 7, 1));
        let old = rate(date(2026, 1, 1), "0.34");
        let new = rate(date(2026, 8, 1), "0.31");
        let rows = [
            row(date(2026, 7, 3), "energy", "kWh", "10", &old),
            row(date(2026, 7, 30), "energy", "kWh", "5.5", &old),
            row(date(2026, 8, 1), "energy", "kWh", "20", &new),
        ];
        let lines = lines(q3, rows.iter().collect());
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (
                lines[0].from,
                lines[0].to,
                lines[0].quantity,
                lines[0].amount,
                lines[0].receipts
            ),
            (date(2026, 7, 1), date(2026, 7, 31), d("15.5"), d("5.27"), 2)
        );
        assert_eq!(
            (
                lines[1].from,
                lines[1].to,
                lines[1].quantity,
                lines[1].amount,
                lines[1].receipts
            ),
            (date(2026, 8, 1), date(2026, 9, 30), d("20"), d("6.20"), 1)
        );
    }

    // The reference the tallies are checked against: every service row copied with its
    // texts, then the rows of each period made into its invoice.
    /// The service rows of `entries`, each with its rate from `rates`.
    fn service_rows_of(entries: &Entries, rates: &Rates) -> Vec<ServiceRow> {
        entries
            .rows()
            .filter(|e| e.kind == Kind::Service)
            .filter_map(|e| {
                let rate = rates.of(&e)?;
                Some(ServiceRow {
                    date: e.date,
                    category: e.category.to_string(),
                    unit: e.unit.to_string(),
                    quantity: e.quantity,
                    receipt: e.text.has_receipt(),
                    rate: ServiceRate {
                        valid_from: rate.valid_from,
                        rate: rate.rate,
                        source: rate.source.clone(),
                    },
                })
            })
            .collect()
    }

    /// One invoice per closed period that has services, oldest first. `rows` may hold
    /// rows of any period; those of open periods are left out.
    fn invoices(
        parties: Parties<'_>,
        rows: &[ServiceRow],
        as_of: Date,
        letters: &BTreeMap<String, Note>,
    ) -> Vec<Invoice> {
        let kind = parties.terms.period;
        let mut by_period: BTreeMap<Period, Vec<&ServiceRow>> = BTreeMap::new();
        let open = Period::of(kind, as_of);
        for row in rows {
            let period = Period::of(kind, row.date);
            if period < open {
                by_period.entry(period).or_default().push(row);
            }
        }
        by_period
            .into_iter()
            .map(|(period, rows)| {
                let number = period.number(&parties.terms.prefix);
                let letter = letters.get(&number).cloned();
                invoice(parties, period, rows, letter)
            })
            .collect()
    }

    #[test]
    fn invoices_tallied_from_entries_are_those_made_from_service_rows() {
        use crate::model::ledger::{FileEntries, Rate, RateIndex, test_entry};
        let tariff = |unit: &str, rate: &str, from: Date, source: &str| Rate {
            unit: unit.into(),
            category: None,
            rate: d(rate),
            currency: "EUR".into(),
            valid_from: from,
            source: source.into(),
            line: 0,
        };
        let rates = Rates {
            path: Default::default(),
            rates: vec![
                tariff("kg", "3.80", date(2026, 1, 1), "basket"),
                tariff("kg", "4.10", date(2026, 5, 1), "basket 2"),
                // Alike but for its place in the file: one rate of the invoices.
                tariff("kg", "3.80", date(2026, 1, 1), "basket"),
                tariff("h", "14.5", date(2026, 1, 1), "care"),
            ],
        };
        let mut parts = Vec::new();
        let mut line = 0;
        for file in 0..3 {
            let mut part = FileEntries::default();
            for day in 0..200 {
                line += 1;
                let date = date(2026, 1, 1).saturating_add((day * 2 + file).days());
                let receipt = if line % 3 == 0 { "R-1" } else { "" };
                let text = part.texts.push(receipt, "", "").unwrap();
                let mut entry = test_entry(line, text);
                entry.date = date;
                entry.quantity = Decimal::new(i64::from(line % 7) * 25 + 1, line % 3);
                entry.kind = if line % 5 == 0 {
                    Kind::Contribution
                } else {
                    Kind::Service
                };
                // Runs of rows alike but for their quantity.
                let rate = (line / 3) % 6;
                entry.rate = RateIndex::new((rate < 5).then_some(rate));
                if rate == 3 {
                    entry.unit = Name::new("h");
                    entry.category = Name::new("care");
                }
                part.entries.push(entry);
            }
            parts.push(part);
        }
        let entries = Entries::from_parts(parts);
        let terms = InvoiceConfig::default();
        let parties = Parties {
            issuer: &Party::default(),
            addressee: &Municipality::default(),
            currency: "EUR",
            terms: &terms,
        };
        let as_of = date(2026, 12, 1);
        let letters = BTreeMap::new();
        let rows = service_rows_of(&entries, &rates);
        let made = invoices(parties, &rows, as_of, &letters);
        let tallied = invoices_of(parties, &entries, &rates, as_of, &letters);
        assert_eq!(made.len(), 3);
        assert!(made.iter().any(|i| i.lines.len() > 2));
        assert_eq!(format!("{tallied:?}"), format!("{made:?}"));
    }

    #[test]
    fn amounts_are_rounded_once_per_line_and_total_is_their_sum() {
        let q2 = Period::of(InvoicePeriod::Quarter, date(2026, 4, 1));
        let food = rate(date(2026, 1, 1), "3.333");
        // Three rows of 1 kg: 3 × 3.333 = 9.999 → 10.00 (not 3 × 3.33 = 9.99).
        let rows = [
            row(date(2026, 4, 1), "food", "kg", "1", &food),
            row(date(2026, 5, 1), "food", "kg", "1", &food),
            row(date(2026, 6, 1), "food", "kg", "1", &food),
            row(
                date(2026, 6, 2),
                "care",
                "h",
                "2.5",
                &rate(date(2026, 1, 1), "14.50"),
            ),
        ];
        let terms = InvoiceConfig::default();
        let parties = Parties {
            issuer: &Party::default(),
            addressee: &Municipality::default(),
            currency: "EUR",
            terms: &terms,
        };
        let invoice = invoice(parties, q2, rows.iter().collect(), None);
        assert_eq!(invoice.lines[0].category, "care");
        assert_eq!(invoice.lines[0].amount, d("36.25"));
        assert_eq!(invoice.lines[1].amount, d("10.00"));
        assert_eq!(invoice.total, d("46.25"));
        assert_eq!(invoice.receipts, 4);
        assert_eq!(invoice.subtotals.len(), 2);
        assert_eq!(invoice.total.to_string(), "46.25");
    }

    #[test]
    fn cents_round_halves_away_from_zero() {
        assert_eq!(cents(d("0.125")).to_string(), "0.13");
        assert_eq!(cents(d("0.135")).to_string(), "0.14");
        assert_eq!(cents(d("7")).to_string(), "7.00");
    }
}
