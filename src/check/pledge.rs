//! `data/pledges.csv` (`date,pledges,amount,currency,source`), the People's Audit: every
//! row is checked and every problem reported as `file:line: column: reason`.

use rust_decimal::Decimal;

use crate::error::{Diagnostic, Diagnostics};
use crate::load::RawTable;
use crate::model::audit::Pledge;

const COLUMNS: [&str; 5] = ["date", "pledges", "amount", "currency", "source"];

/// The valid rows of `table`; each bad one is reported and left out.
pub fn check(table: Option<&RawTable>, currency: &str, problems: &mut Diagnostics) -> Vec<Pledge> {
    let Some(table) = table else {
        return Vec::new();
    };
    if !table.require(&COLUMNS, problems) {
        return Vec::new();
    }
    let [date, pledges, amount, money, source] = COLUMNS.map(|c| table.column(c));
    let mut valid = Vec::new();
    for row in &table.rows {
        let mut found = Vec::new();
        let parsed_date = row.get(date).parse::<jiff::civil::Date>().ok();
        if parsed_date.is_none() {
            found.push(format!(
                "date: {:?} is not a date like 2026-11-02",
                row.get(date)
            ));
        }
        let count = count_of(row.get(pledges))
            .map_err(|why| found.push(why))
            .ok();
        let sum = amount_of(row.get(amount))
            .map_err(|why| found.push(why))
            .ok();
        if row.get(money) != currency {
            found.push(format!(
                "currency: {:?} is not the site's currency {currency:?}",
                row.get(money)
            ));
        }
        if row.get(source).is_empty() {
            found.push("source: missing: say where the count comes from".to_string());
        }
        match (parsed_date, count, sum) {
            (Some(date), Some(pledges), Some(amount)) if found.is_empty() => valid.push(Pledge {
                date,
                pledges,
                amount,
                source: row.get(source).to_string(),
                line: row.line,
            }),
            _ => {
                for why in found {
                    problems.push(Diagnostic::at(&table.path, row.line, why));
                }
            }
        }
    }
    valid
}

fn count_of(text: &str) -> Result<u64, String> {
    match text.parse::<i64>() {
        Ok(n) if n < 0 => Err(format!(
            "pledges: {n} is negative: a count of residents is 0 or more"
        )),
        Ok(n) if n > 100_000_000 => {
            Err(format!("pledges: {n} is more residents than a city holds"))
        }
        Ok(n) => Ok(n.unsigned_abs()),
        Err(_) => Err(format!(
            "pledges: {text:?} is not a whole number of residents"
        )),
    }
}

fn amount_of(text: &str) -> Result<Decimal, String> {
    match text.parse::<Decimal>() {
        Ok(a) if a.is_sign_negative() && !a.is_zero() => {
            Err(format!("amount: {text} is negative: a pledge is 0 or more"))
        }
        Ok(a) if a > Decimal::from(1_000_000_000_000i64) => {
            Err(format!("amount: {text} is above 1,000,000,000,000"))
        }
        Ok(a) => Ok(a),
        Err(_) => Err(format!(
            "amount: {text:?} is not an amount with a dot, like 1250.50"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::valuation::parse_table;

    fn run(csv: &str) -> (Vec<Pledge>, Vec<String>) {
        let mut problems = Diagnostics::default();
        let table = parse_table("data/pledges.csv".into(), csv.as_bytes(), &mut problems);
        let pledges = check(Some(&table), "EUR", &mut problems);
        (pledges, problems.0.iter().map(|d| d.to_string()).collect())
    }

    #[test]
    fn a_negative_pledge_is_reported_with_its_line() {
        let (ok, found) = run(
            "date,pledges,amount,currency,source\n2026-09-01,10,1200,EUR,stall\n2026-10-01,-3,-50,EUR,stall\n",
        );
        assert_eq!(ok.len(), 1);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("data/pledges.csv:3: pledges: -3 is negative"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("data/pledges.csv:3: amount: -50 is negative"),
            "{found:?}"
        );
    }

    #[test]
    fn another_currency_a_bad_date_and_no_source_are_reported() {
        let (ok, found) = run("date,pledges,amount,currency,source\n2026-13-01,1,5,USD,\n");
        assert!(ok.is_empty());
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found.iter().all(|f| f.starts_with("data/pledges.csv:2: ")),
            "{found:?}"
        );
    }
}
