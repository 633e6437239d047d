//! Stage 3 for a federation: the region as plain data. Totals per week and category,
//! member by member and summed (computed once, here); quarters; flows between members
//! (a transfer whose `to_cell` is `network:cell`), as the supplier states them, valued
//! at the supplier's replacement rate; the reconciliation of what each supplier says it
//! sent against what each receiver says it received (a receiver books a transfer whose
//! `cell` is `network:cell` of the supplier); rotation per member seat of the council.
//! No formatting for display here; reading the members' copies is `crate::federation`'s.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use rust_decimal::Decimal;

use crate::model::register::Mandate;
use crate::model::week::WeekId;

/// One member network as its published data tells it.
#[derive(Debug, Clone, Hash)]
pub struct MemberData {
    pub name: String,
    pub title: String,
    /// The member's site, from its data package (`homepage`).
    pub homepage: String,
    pub currency: String,
    pub rates: Vec<Rate>,
    pub weekly: Vec<WeeklyRow>,
    /// Its ledger's transfer rows.
    pub transfers: Vec<Transfer>,
    /// `None` when the member publishes no `decisions.csv`.
    pub decisions: Option<Vec<PublishedDecision>>,
    /// The seal chain head of the copy.
    pub seal_chain: String,
}

/// A replacement rate from the member's data package.
#[derive(Debug, Clone, Hash)]
pub struct Rate {
    pub unit: String,
    pub category: String,
    pub rate: Decimal,
    pub valid_from: Date,
}

/// One row of `weekly.csv` (a week, category and unit).
#[derive(Debug, Clone, Hash)]
pub struct WeeklyRow {
    pub week: WeekId,
    pub in_progress: bool,
    pub category: String,
    pub category_value: Decimal,
    pub city_share: Option<Decimal>,
}

/// A transfer row of `ledger.csv`.
#[derive(Debug, Clone, Hash)]
pub struct Transfer {
    pub line: usize,
    pub date: Date,
    pub cell: String,
    pub category: String,
    pub quantity: Decimal,
    pub unit: String,
    pub to_cell: String,
}

/// One row of `decisions.csv`.
#[derive(Debug, Clone, Hash)]
pub struct PublishedDecision {
    pub date: Date,
    pub minutes: String,
    pub url: String,
    pub text: String,
    pub outcome: String,
}

/// The region: its members' data and what is made of it.
#[derive(Debug, Clone)]
pub struct Federation {
    /// In `tally.toml` order.
    pub members: Vec<MemberData>,
    /// Every week any member published, oldest first.
    pub weeks: Vec<FederationWeek>,
    /// Every flow between members, as the suppliers state them.
    pub flows: Vec<Flow>,
    /// Per quarter, oldest first.
    pub quarters: Vec<QuarterFlows>,
    /// Transfers naming a network outside the federation: (member, row).
    pub outside: Vec<(String, Transfer)>,
    /// One per member.
    pub seats: Vec<Seat>,
    /// The latest date in the federation's own content and its members' weeks.
    pub as_of: Option<Date>,
}

impl Federation {
    /// The region made of `members` (checked) and the council's `mandates`; `as_of` is
    /// the federation site's own "as of" date.
    pub fn build(
        members: Vec<MemberData>,
        mandates: &[&Mandate],
        as_of: Option<Date>,
    ) -> Federation {
        let weeks = weeks(&members);
        let as_of = as_of.max(weeks.last().map(|w| w.week.sunday()));
        let (flows, receipts, outside) = flows(&members);
        let quarters = quarters(&flows, &receipts);
        let seats = seats(&members, mandates, as_of);
        Federation {
            members,
            weeks,
            flows,
            quarters,
            outside,
            seats,
            as_of,
        }
    }
}

/// Where a member stands in one week of the federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Published {
    /// In its `weekly.csv`; `in_progress` for its latest, still open week.
    Yes { in_progress: bool },
    /// Before its first published week, or a week it had no activity in.
    Nothing,
    /// After its latest published week: its figures are not in the totals yet.
    NotYet,
}

/// One member in one week: value and city share per category.
#[derive(Debug, Clone, Hash)]
pub struct MemberWeek {
    pub published: Published,
    /// category → (value, city share).
    pub categories: BTreeMap<String, (Decimal, Decimal)>,
}

impl MemberWeek {
    pub fn value(&self) -> Decimal {
        self.categories.values().map(|c| c.0).sum()
    }
    pub fn city_share(&self) -> Decimal {
        self.categories.values().map(|c| c.1).sum()
    }
}

/// One week of the federation: every member (in `tally.toml` order) and the totals.
#[derive(Debug, Clone, Hash)]
pub struct FederationWeek {
    pub week: WeekId,
    pub members: Vec<MemberWeek>,
    /// category → (value, city share), summed over the members.
    pub totals: BTreeMap<String, (Decimal, Decimal)>,
}

impl FederationWeek {
    pub fn value(&self) -> Decimal {
        self.totals.values().map(|c| c.0).sum()
    }
    pub fn city_share(&self) -> Decimal {
        self.totals.values().map(|c| c.1).sum()
    }
    /// How many members have not published this week yet.
    pub fn not_yet(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.published == Published::NotYet)
            .count()
    }
}

/// `2026-Q4`: the quarter holding the week's Thursday (so a week belongs to one quarter).
pub fn quarter_of(week: WeekId) -> String {
    let thursday = week.monday().saturating_add(jiff::Span::new().days(3));
    format!("{}-Q{}", thursday.year(), (thursday.month() - 1) / 3 + 1)
}

/// `2026-Q4` of a day.
pub fn quarter_of_date(date: Date) -> String {
    format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1)
}

/// Every week any member published, oldest first, with each member's figures.
pub fn weeks(members: &[MemberData]) -> Vec<FederationWeek> {
    let all: BTreeSet<WeekId> = members
        .iter()
        .flat_map(|m| m.weekly.iter().map(|r| r.week))
        .collect();
    let latest: Vec<Option<WeekId>> = members
        .iter()
        .map(|m| m.weekly.iter().map(|r| r.week).max())
        .collect();
    all.into_iter()
        .map(|week| {
            let members: Vec<MemberWeek> = members
                .iter()
                .zip(&latest)
                .map(|(m, latest)| member_week(m, week, *latest))
                .collect();
            let mut totals: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
            for m in &members {
                for (category, (value, share)) in &m.categories {
                    let t = totals.entry(category.clone()).or_default();
                    t.0 += value;
                    t.1 += share;
                }
            }
            FederationWeek {
                week,
                members,
                totals,
            }
        })
        .collect()
}

/// A member's figures for `week`: `weekly.csv` repeats a category's value and city share
/// on each of its unit rows, so each category is taken once.
fn member_week(member: &MemberData, week: WeekId, latest: Option<WeekId>) -> MemberWeek {
    let rows: Vec<_> = member.weekly.iter().filter(|r| r.week == week).collect();
    let published = match (rows.first(), latest) {
        (Some(row), _) => Published::Yes {
            in_progress: row.in_progress,
        },
        (None, Some(latest)) if week > latest => Published::NotYet,
        _ => Published::Nothing,
    };
    let mut categories = BTreeMap::new();
    for row in rows {
        categories
            .entry(row.category.clone())
            .or_insert((row.category_value, row.city_share.unwrap_or_default()));
    }
    MemberWeek {
        published,
        categories,
    }
}

/// A flow between two members, as the supplier's ledger states it.
#[derive(Debug, Clone, Hash)]
pub struct Flow {
    pub quarter: String,
    pub from: String,
    pub from_cell: String,
    pub to: String,
    pub to_cell: String,
    pub category: String,
    pub unit: String,
    pub quantity: Decimal,
    /// quantity × the supplier's replacement rate on the day, when it has one.
    pub value: Option<Decimal>,
}

/// A receiver's booking of a flow: a transfer whose `cell` is `supplier:cell`.
#[derive(Debug, Clone, Hash)]
pub struct Receipt {
    pub quarter: String,
    pub from: String,
    pub to: String,
    pub unit: String,
    pub quantity: Decimal,
}

/// Supplier, receiver, unit: the key of the matrix and of the reconciliation.
pub type Pair = (String, String, String);

/// One quarter's flows.
#[derive(Debug, Clone, Hash)]
pub struct QuarterFlows {
    pub quarter: String,
    /// (from, to, unit) → (quantity sent, value).
    pub matrix: BTreeMap<Pair, (Decimal, Option<Decimal>)>,
    /// (from, to, unit) → (sent as the supplier says, received as the receiver says).
    pub reconciliation: BTreeMap<Pair, (Decimal, Decimal)>,
}

impl QuarterFlows {
    /// The pairs whose two sides differ.
    pub fn mismatches(&self) -> impl Iterator<Item = (&Pair, &(Decimal, Decimal))> {
        self.reconciliation
            .iter()
            .filter(|(_, (sent, got))| sent != got)
    }
}

/// A `network:cell` name split, when the network is a member.
fn member_cell<'a>(text: &'a str, members: &BTreeSet<&str>) -> Option<(&'a str, &'a str)> {
    let (network, cell) = text.split_once(':')?;
    members.contains(network).then_some((network, cell))
}

/// Every flow and every receipt between members; transfers naming a network outside
/// the federation are returned apart, as `(member, row)`.
pub fn flows(members: &[MemberData]) -> (Vec<Flow>, Vec<Receipt>, Vec<(String, Transfer)>) {
    let names: BTreeSet<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let (mut flows, mut receipts, mut outside) = (Vec::new(), Vec::new(), Vec::new());
    for m in members {
        for t in &m.transfers {
            if let Some((to, to_cell)) = member_cell(&t.to_cell, &names) {
                flows.push(Flow {
                    quarter: quarter_of_date(t.date),
                    from: m.name.clone(),
                    from_cell: t.cell.clone(),
                    to: to.to_string(),
                    to_cell: to_cell.to_string(),
                    category: t.category.clone(),
                    unit: t.unit.clone(),
                    quantity: t.quantity,
                    value: rate_on(&m.rates, &t.unit, &t.category, t.date).map(|r| r * t.quantity),
                });
            } else if let Some((from, _)) = member_cell(&t.cell, &names) {
                receipts.push(Receipt {
                    quarter: quarter_of_date(t.date),
                    from: from.to_string(),
                    to: m.name.clone(),
                    unit: t.unit.clone(),
                    quantity: t.quantity,
                });
            } else if t.to_cell.contains(':') || t.cell.contains(':') {
                outside.push((m.name.clone(), t.clone()));
            }
        }
    }
    (flows, receipts, outside)
}

/// The rate for `unit` and `category` on `date`: the most specific category, then the
/// latest `valid_from` not after the day (as a member's own build values services).
pub fn rate_on(rates: &[Rate], unit: &str, category: &str, date: Date) -> Option<Decimal> {
    rates
        .iter()
        .filter(|r| r.unit == unit && r.valid_from <= date)
        .filter(|r| r.category.is_empty() || r.category == category)
        .max_by_key(|r| (!r.category.is_empty(), r.valid_from))
        .map(|r| r.rate)
}

/// The flows and receipts gathered per quarter, oldest first.
pub fn quarters(flows: &[Flow], receipts: &[Receipt]) -> Vec<QuarterFlows> {
    let mut by_quarter: BTreeMap<String, QuarterFlows> = BTreeMap::new();
    fn quarter<'m>(all: &'m mut BTreeMap<String, QuarterFlows>, q: &str) -> &'m mut QuarterFlows {
        all.entry(q.to_string()).or_insert_with(|| QuarterFlows {
            quarter: q.to_string(),
            matrix: BTreeMap::new(),
            reconciliation: BTreeMap::new(),
        })
    }
    for f in flows {
        let q = quarter(&mut by_quarter, &f.quarter);
        let key = (f.from.clone(), f.to.clone(), f.unit.clone());
        let cell = q
            .matrix
            .entry(key.clone())
            .or_insert((Decimal::ZERO, Some(Decimal::ZERO)));
        cell.0 += f.quantity;
        cell.1 = match (cell.1, f.value) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        q.reconciliation.entry(key).or_default().0 += f.quantity;
    }
    for r in receipts {
        let key = (r.from.clone(), r.to.clone(), r.unit.clone());
        quarter(&mut by_quarter, &r.quarter)
            .reconciliation
            .entry(key)
            .or_default()
            .1 += r.quantity;
    }
    by_quarter.into_values().collect()
}

/// A member's seat on the federation council and who has held it.
#[derive(Debug, Clone, Hash)]
pub struct Seat {
    pub member: String,
    /// Distinct delegates who held it.
    pub delegates: Vec<String>,
    /// Mandates recorded for it.
    pub mandates: usize,
    /// The longest single mandate: holder and days (an open mandate counts to `as_of`).
    pub longest: Option<(String, i32)>,
    /// Who holds it on `as_of`.
    pub current: Vec<String>,
}

/// Rotation per member seat, from the federation's own minutes: a mandate's `council`
/// names the member whose seat it is.
pub fn seats(members: &[MemberData], mandates: &[&Mandate], as_of: Option<Date>) -> Vec<Seat> {
    members
        .iter()
        .map(|m| {
            let held: Vec<&&Mandate> = mandates.iter().filter(|d| d.council == m.name).collect();
            let mut delegates: Vec<String> = held.iter().map(|d| d.name.clone()).collect();
            delegates.sort();
            delegates.dedup();
            let days = |d: &Mandate| {
                let end = d.until.or(as_of).unwrap_or(d.from);
                (end - d.from).get_days() + 1
            };
            let longest = held
                .iter()
                .map(|d| (d.name.clone(), days(d)))
                .max_by_key(|(name, days)| (*days, std::cmp::Reverse(name.clone())));
            let current = held
                .iter()
                .filter(|d| {
                    as_of.is_some_and(|day| {
                        d.state_on(day) == crate::model::register::MandateState::Current
                    })
                })
                .map(|d| d.name.clone())
                .collect();
            Seat {
                member: m.name.clone(),
                delegates,
                mandates: held.len(),
                longest,
                current,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn member(name: &str, weeks: &[(&str, &str, &str)], transfers: Vec<Transfer>) -> MemberData {
        MemberData {
            name: name.into(),
            title: name.into(),
            homepage: String::new(),
            currency: "EUR".into(),
            rates: vec![
                Rate {
                    unit: "kg".into(),
                    category: String::new(),
                    rate: d("2"),
                    valid_from: day("2026-01-01"),
                },
                Rate {
                    unit: "kg".into(),
                    category: "food".into(),
                    rate: d("3"),
                    valid_from: day("2026-01-01"),
                },
                Rate {
                    unit: "kg".into(),
                    category: "food".into(),
                    rate: d("4"),
                    valid_from: day("2026-11-01"),
                },
            ],
            weekly: weeks
                .iter()
                .map(|(week, category, value)| WeeklyRow {
                    week: WeekId::parse(week).unwrap(),
                    in_progress: false,
                    category: category.to_string(),
                    category_value: d(value),
                    city_share: Some(d("100")),
                })
                .collect(),
            transfers,
            decisions: None,
            seal_chain: String::new(),
        }
    }

    fn transfer(date: &str, cell: &str, quantity: &str, to_cell: &str) -> Transfer {
        Transfer {
            line: 2,
            date: day(date),
            cell: cell.into(),
            category: "food".into(),
            quantity: d(quantity),
            unit: "kg".into(),
            to_cell: to_cell.into(),
        }
    }

    #[test]
    fn rates_prefer_the_category_then_the_latest_in_force() {
        let m = member("a", &[], Vec::new());
        assert_eq!(
            rate_on(&m.rates, "kg", "food", day("2026-10-31")),
            Some(d("3"))
        );
        assert_eq!(
            rate_on(&m.rates, "kg", "food", day("2026-11-01")),
            Some(d("4"))
        );
        assert_eq!(
            rate_on(&m.rates, "kg", "care", day("2026-11-01")),
            Some(d("2"))
        );
        assert_eq!(rate_on(&m.rates, "h", "food", day("2026-11-01")), None);
        assert_eq!(rate_on(&m.rates, "kg", "food", day("2025-12-31")), None);
    }

    #[test]
    fn a_category_repeated_on_unit_rows_counts_once_and_later_weeks_are_not_yet_published() {
        let a = member(
            "a",
            &[
                ("2026-W45", "food", "10"),
                ("2026-W45", "food", "10"),
                ("2026-W46", "food", "7"),
            ],
            Vec::new(),
        );
        let b = member("b", &[("2026-W45", "food", "5")], Vec::new());
        let weeks = weeks(&[a, b]);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].value(), d("15"));
        assert_eq!(weeks[0].city_share(), d("200"));
        assert_eq!(weeks[1].value(), d("7"));
        assert_eq!(weeks[1].members[1].published, Published::NotYet);
        assert_eq!(weeks[1].not_yet(), 1);
    }

    #[test]
    fn flows_are_valued_at_the_supplier_rate_and_reconciled_against_the_receiver() {
        let a = member(
            "a",
            &[],
            vec![
                transfer("2026-10-20", "store", "120", "b:kitchen"),
                transfer("2026-10-21", "store", "5", "elsewhere:x"),
            ],
        );
        let b = member(
            "b",
            &[],
            vec![transfer("2026-10-22", "a:store", "100", "kitchen")],
        );
        let (flows, receipts, outside) = flows(&[a, b]);
        assert_eq!(flows.len(), 1);
        assert_eq!(flows[0].value, Some(d("360")));
        assert_eq!(outside.len(), 1, "a network outside the federation");
        let quarters = quarters(&flows, &receipts);
        assert_eq!(quarters[0].quarter, "2026-Q4");
        let key = ("a".to_string(), "b".to_string(), "kg".to_string());
        assert_eq!(quarters[0].reconciliation[&key], (d("120"), d("100")));
        assert_eq!(quarters[0].mismatches().count(), 1);
    }

    #[test]
    fn a_week_belongs_to_the_quarter_of_its_thursday() {
        // 2026-W40 runs from Monday 28 September to Sunday 4 October; Thursday is 1 October.
        assert_eq!(quarter_of(WeekId::parse("2026-W40").unwrap()), "2026-Q4");
        assert_eq!(quarter_of(WeekId::parse("2026-W39").unwrap()), "2026-Q3");
    }
}
