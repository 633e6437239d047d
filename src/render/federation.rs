//! Stage 4 for a federation: views of the model and the jobs that render them —
//! `/federation/` (totals per week, quarter and category with a member breakdown and
//! the governance chart by member), `/flows/` (per quarter: matrix per unit, chart,
//! reconciliation), `/federation/delegates/` (rotation per seat),
//! `/federation/decisions/` (members' latest decisions) and the open data under
//! `/data/federation/`. Templates see views only; no file I/O.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::error::Result;
use crate::model::federation::{Federation, FederationWeek, Published, QuarterFlows, quarter_of};
use crate::model::week::WeekId;
use crate::render::charts::flows::{FlowBar, flows as flows_chart};
use crate::render::charts::{self, Chart, Frame, Series};
use crate::render::numbers::{Numbers, machine_exact};
use crate::render::{Job, OutputFile, Renderer};

/// How many of each member's latest decisions the regional page shows.
pub const LATEST_DECISIONS: usize = 5;

pub fn jobs<'a>(r: &'a Renderer<'_>) -> Result<Vec<Job<'a>>> {
    let Some(federation) = r.site.federation.as_deref() else {
        return Ok(Vec::new());
    };
    let numbers = Numbers::of(&r.site.config);
    let currency = &r.site.config.currency;
    let totals = totals_view(federation, numbers, currency)?;
    let flows = flows_view(federation, numbers, currency);
    let mut jobs = vec![
        Job::page(
            "federation/",
            "federation_totals.html",
            Renderer::with(r.context("Federation", "federation"), "federation", &totals),
        ),
        Job::page(
            "flows/",
            "federation_flows.html",
            Renderer::with(
                r.context("Flows between members", "federation"),
                "flows",
                &flows,
            ),
        ),
        Job::page(
            "federation/delegates/",
            "federation_delegates.html",
            Renderer::with(
                r.context("Seats and rotation", "federation"),
                "seats",
                &seats_view(federation),
            ),
        ),
        Job::page(
            "federation/decisions/",
            "federation_decisions.html",
            Renderer::with(
                r.context("Decisions across the region", "federation"),
                "regional",
                &decisions_view(federation),
            ),
        ),
    ];
    jobs.extend(data_files(federation).into_iter().map(Job::File));
    if let Some(chart) = &totals.chart {
        jobs.push(Job::File(OutputFile::new(
            "federation/governance.svg",
            chart.svg.clone(),
        )));
    }
    Ok(jobs)
}

#[derive(Debug, Serialize)]
struct MemberView {
    name: String,
    title: String,
    homepage: String,
    seal_chain: String,
    latest_week: String,
}

#[derive(Debug, Serialize)]
struct WeekView {
    week: String,
    quarter: String,
    value: String,
    city_share: String,
    ratio: String,
    /// One per member: its value, `not yet published` or `—`.
    members: Vec<String>,
    not_yet: usize,
}

#[derive(Debug, Serialize)]
struct SumView {
    name: String,
    value: String,
    city_share: String,
    ratio: String,
}

#[derive(Debug, Serialize)]
struct TotalsView {
    members: Vec<MemberView>,
    weeks: Vec<WeekView>,
    quarters: Vec<SumView>,
    categories: Vec<SumView>,
    chart: Option<Chart>,
}

fn ratio(numbers: Numbers, value: Decimal, share: Decimal) -> String {
    if share.is_zero() {
        "—".into()
    } else {
        numbers.percent(value / share)
    }
}

fn sum_view(
    name: String,
    (value, share): (Decimal, Decimal),
    numbers: Numbers,
    currency: &str,
) -> SumView {
    SumView {
        name,
        value: numbers.money(value, currency),
        city_share: numbers.money(share, currency),
        ratio: ratio(numbers, value, share),
    }
}

fn totals_view(f: &Federation, numbers: Numbers, currency: &str) -> Result<TotalsView> {
    let members = f
        .members
        .iter()
        .map(|m| MemberView {
            name: m.name.clone(),
            title: m.title.clone(),
            homepage: safe_url(&m.homepage),
            seal_chain: m.seal_chain.clone(),
            latest_week: m
                .weekly
                .iter()
                .map(|r| r.week)
                .max()
                .map_or("none".into(), |w| w.to_string()),
        })
        .collect();
    let weeks = f
        .weeks
        .iter()
        .rev()
        .map(|w| week_view(w, numbers, currency))
        .collect();
    let mut quarters: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    let mut categories: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
    for w in &f.weeks {
        let q = quarters.entry(quarter_of(w.week)).or_default();
        q.0 += w.value();
        q.1 += w.city_share();
        for (category, (value, share)) in &w.totals {
            let c = categories.entry(category.clone()).or_default();
            c.0 += value;
            c.1 += share;
        }
    }
    Ok(TotalsView {
        members,
        weeks,
        quarters: quarters
            .into_iter()
            .rev()
            .map(|(q, s)| sum_view(q, s, numbers, currency))
            .collect(),
        categories: categories
            .into_iter()
            .map(|(c, s)| sum_view(c, s, numbers, currency))
            .collect(),
        chart: governance_chart(f, numbers, currency)?,
    })
}

fn week_view(w: &FederationWeek, numbers: Numbers, currency: &str) -> WeekView {
    WeekView {
        week: w.week.to_string(),
        quarter: quarter_of(w.week),
        value: numbers.money(w.value(), currency),
        city_share: numbers.money(w.city_share(), currency),
        ratio: ratio(numbers, w.value(), w.city_share()),
        members: w
            .members
            .iter()
            .map(|m| match m.published {
                Published::NotYet => "not yet published".into(),
                Published::Nothing => "—".into(),
                Published::Yes { in_progress } => {
                    let value = numbers.money(m.value(), currency);
                    if in_progress {
                        format!("{value} (so far)")
                    } else {
                        value
                    }
                }
            })
            .collect(),
        not_yet: w.not_yet(),
    }
}

/// The value per week by member, stacked, against the members' cities' shares.
fn governance_chart(f: &Federation, numbers: Numbers, currency: &str) -> Result<Option<Chart>> {
    if f.weeks.is_empty() {
        return Ok(None);
    }
    let weeks: Vec<WeekId> = f.weeks.iter().map(|w| w.week).collect();
    let series: Vec<Series> = f
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let values = f
                .weeks
                .iter()
                .map(|w| {
                    w.members
                        .get(i)
                        .filter(|x| matches!(x.published, Published::Yes { .. }))
                        .map(|x| x.value())
                })
                .collect();
            Series::new(m.title.clone(), charts::category_colour(i), values)
        })
        .collect();
    let city: Vec<Option<Decimal>> = f.weeks.iter().map(|w| Some(w.city_share())).collect();
    // A latest week that some members have not published yet is drawn as a week in
    // progress: hatched, labelled, and left out of the title's finding.
    let waiting = f.weeks.last().map_or(0, FederationWeek::not_yet);
    let partial = (waiting > 0).then(|| {
        format!(
            "{} of {} members so far",
            f.members.len() - waiting,
            f.members.len()
        )
    });
    let frame = Frame {
        id_prefix: "federation",
        weeks: &weeks,
        numbers,
        currency,
        partial: partial.as_deref(),
    };
    Ok(Some(charts::governance(&frame, &series, &city)?))
}

/// A member's URL only when it is http(s): a member's data cannot plant a script link.
fn safe_url(url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        url.to_string()
    } else {
        String::new()
    }
}

#[derive(Debug, Serialize)]
struct UnitMatrix {
    unit: String,
    receivers: Vec<String>,
    /// Supplier, then one cell per receiver.
    rows: Vec<(String, Vec<String>)>,
}

#[derive(Debug, Serialize)]
struct PairView {
    from: String,
    to: String,
    unit: String,
    quantity: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct ReconcileView {
    from: String,
    to: String,
    unit: String,
    sent: String,
    received: String,
    difference: String,
    matches: bool,
}

#[derive(Debug, Serialize)]
struct QuarterView {
    quarter: String,
    matrices: Vec<UnitMatrix>,
    pairs: Vec<PairView>,
    chart: Chart,
    reconciliation: Vec<ReconcileView>,
    mismatches: usize,
}

#[derive(Debug, Serialize)]
struct FlowsView {
    quarters: Vec<QuarterView>,
    outside: Vec<String>,
}

fn flows_view(f: &Federation, numbers: Numbers, currency: &str) -> FlowsView {
    let names: Vec<&str> = f.members.iter().map(|m| m.name.as_str()).collect();
    let quarters = f
        .quarters
        .iter()
        .rev()
        .map(|q| quarter_view(q, &names, numbers, currency))
        .collect();
    let outside = f
        .outside
        .iter()
        .map(|(member, t)| {
            format!(
                "{member}: {} {} {} from {} to {} on {}",
                numbers.quantity(t.quantity),
                t.unit,
                t.category,
                t.cell,
                t.to_cell,
                t.date
            )
        })
        .collect();
    FlowsView { quarters, outside }
}

fn quarter_view(q: &QuarterFlows, names: &[&str], numbers: Numbers, currency: &str) -> QuarterView {
    let mut units: Vec<&str> = q.matrix.keys().map(|(_, _, u)| u.as_str()).collect();
    units.sort_unstable();
    units.dedup();
    let pairs = q
        .matrix
        .iter()
        .map(|((from, to, unit), (quantity, value))| PairView {
            from: from.clone(),
            to: to.clone(),
            unit: unit.clone(),
            quantity: numbers.quantity(*quantity),
            value: value.map_or("no rate".into(), |v| numbers.money(v, currency)),
        })
        .collect();
    let groups: Vec<(String, Vec<FlowBar>)> = units
        .iter()
        .map(|unit| (unit.to_string(), bars(q, unit, names)))
        .collect();
    let chart = flows_chart(
        &format!("flows-{}", q.quarter),
        &format!("Flows between members, {}", q.quarter),
        &groups,
        numbers,
    );
    QuarterView {
        quarter: q.quarter.clone(),
        matrices: units
            .iter()
            .map(|unit| matrix(q, unit, names, numbers))
            .collect(),
        pairs,
        chart,
        reconciliation: reconciliation(q, numbers),
        mismatches: q.mismatches().count(),
    }
}

/// Supplier rows × receiver columns of one unit; an empty cell where nothing flowed.
fn matrix(q: &QuarterFlows, unit: &str, names: &[&str], numbers: Numbers) -> UnitMatrix {
    let cell = |from: &str, to: &str| {
        q.matrix
            .get(&(from.to_string(), to.to_string(), unit.to_string()))
            .map_or(String::new(), |(quantity, _)| numbers.quantity(*quantity))
    };
    UnitMatrix {
        unit: unit.to_string(),
        receivers: names.iter().map(|n| n.to_string()).collect(),
        rows: names
            .iter()
            .map(|from| {
                (
                    from.to_string(),
                    names.iter().map(|to| cell(from, to)).collect(),
                )
            })
            .collect(),
    }
}

/// The chart's bars of one unit, coloured by supplier.
fn bars(q: &QuarterFlows, unit: &str, names: &[&str]) -> Vec<FlowBar> {
    q.matrix
        .iter()
        .filter(|((_, _, u), _)| u == unit)
        .map(|((from, to, _), (quantity, _))| FlowBar {
            supplier: from.clone(),
            receiver: to.clone(),
            supplier_index: names.iter().position(|n| n == from).unwrap_or(0),
            quantity: *quantity,
        })
        .collect()
}

fn reconciliation(q: &QuarterFlows, numbers: Numbers) -> Vec<ReconcileView> {
    q.reconciliation
        .iter()
        .map(|((from, to, unit), (sent, received))| ReconcileView {
            from: from.clone(),
            to: to.clone(),
            unit: unit.clone(),
            sent: numbers.quantity(*sent),
            received: numbers.quantity(*received),
            difference: numbers.quantity(*sent - *received),
            matches: sent == received,
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct SeatView {
    member: String,
    title: String,
    delegates: Vec<String>,
    distinct: usize,
    mandates: usize,
    longest_holder: String,
    longest_days: i32,
    current: Vec<String>,
}

fn seats_view(f: &Federation) -> Vec<SeatView> {
    f.seats
        .iter()
        .zip(&f.members)
        .map(|(s, m)| SeatView {
            member: s.member.clone(),
            title: m.title.clone(),
            distinct: s.delegates.len(),
            delegates: s.delegates.clone(),
            mandates: s.mandates,
            longest_holder: s.longest.as_ref().map_or(String::new(), |l| l.0.clone()),
            longest_days: s.longest.as_ref().map_or(0, |l| l.1),
            current: s.current.clone(),
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct RegionalDecision {
    date: String,
    text: String,
    outcome: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct MemberDecisions {
    name: String,
    title: String,
    published: bool,
    decisions: Vec<RegionalDecision>,
}

fn decisions_view(f: &Federation) -> Vec<MemberDecisions> {
    f.members
        .iter()
        .map(|m| {
            let mut latest: Vec<_> = m.decisions.iter().flatten().collect();
            latest.sort_by_key(|d| std::cmp::Reverse(d.date));
            MemberDecisions {
                name: m.name.clone(),
                title: m.title.clone(),
                published: m.decisions.is_some(),
                decisions: latest
                    .into_iter()
                    .take(LATEST_DECISIONS)
                    .map(|d| RegionalDecision {
                        date: d.date.to_string(),
                        text: d.text.clone(),
                        outcome: d.outcome.clone(),
                        url: safe_url(&d.url),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// `data/federation/totals.csv`, `members.csv` and `flows.csv`.
fn data_files(f: &Federation) -> Vec<OutputFile> {
    vec![
        OutputFile::new("data/federation/totals.csv", totals_csv(f)),
        OutputFile::new("data/federation/members.csv", members_csv(f)),
        OutputFile::new("data/federation/flows.csv", flows_csv(f)),
    ]
}

/// One row per week and category, summed over the members.
fn totals_csv(f: &Federation) -> String {
    let mut csv =
        String::from("week,quarter,category,value,city_share,members_not_yet_published\n");
    for w in &f.weeks {
        for (category, (value, share)) in &w.totals {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                w.week,
                quarter_of(w.week),
                cell(category),
                machine_exact(*value),
                machine_exact(*share),
                w.not_yet()
            ));
        }
    }
    csv
}

/// One row per week, member and category; a week not yet published has one empty row.
fn members_csv(f: &Federation) -> String {
    let mut csv = String::from("week,member,status,category,value,city_share\n");
    for w in &f.weeks {
        for (m, mw) in f.members.iter().zip(&w.members) {
            let status = match mw.published {
                Published::Yes { in_progress: true } => "in-progress",
                Published::Yes { in_progress: false } => "closed",
                Published::NotYet => "not-yet-published",
                Published::Nothing => continue,
            };
            if mw.categories.is_empty() {
                csv.push_str(&format!("{},{},{status},,,\n", w.week, m.name));
            }
            for (category, (value, share)) in &mw.categories {
                csv.push_str(&format!(
                    "{},{},{status},{},{},{}\n",
                    w.week,
                    m.name,
                    cell(category),
                    machine_exact(*value),
                    machine_exact(*share)
                ));
            }
        }
    }
    csv
}

/// One row per quarter, supplier, receiver and unit: both sides and the value.
fn flows_csv(f: &Federation) -> String {
    let mut csv = String::from("quarter,supplier,receiver,unit,sent,received,value\n");
    for q in &f.quarters {
        for ((from, to, unit), (sent, received)) in &q.reconciliation {
            let value = q
                .matrix
                .get(&(from.clone(), to.clone(), unit.clone()))
                .and_then(|c| c.1)
                .map(machine_exact)
                .unwrap_or_default();
            csv.push_str(&format!(
                "{},{from},{to},{},{},{},{value}\n",
                q.quarter,
                cell(unit),
                machine_exact(*sent),
                machine_exact(*received)
            ));
        }
    }
    csv
}

/// A text cell of the federation's CSVs: quoted when it must be, safe in a spreadsheet.
fn cell(text: &str) -> String {
    let safe = crate::render::csv_safe::cell(text);
    if safe.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        safe.into_owned()
    }
}
