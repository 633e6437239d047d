//! The flows chart of a federation: one horizontal bar per supplier → receiver pair,
//! grouped by unit (kg, kWh, h are never added together), each group scaled to its own
//! largest flow, the quantity written at the bar's end. Bars stack downwards, so the
//! chart stays legible at 12 members (132 pairs) where a chord diagram would not.
//! Drawn as SVG by hand (plotters has no labelled horizontal bars); no file I/O.

use crate::render::escape::xml_escape;
use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::svg::colour;
use super::{Chart, Table};
use crate::render::numbers::Numbers;

/// One bar: supplier, receiver, quantity; `supplier_index` picks its colour.
#[derive(Debug, Clone)]
pub struct FlowBar {
    pub supplier: String,
    pub receiver: String,
    pub supplier_index: usize,
    pub quantity: Decimal,
}

const LABEL_WIDTH: f64 = 230.0;
const BAR_AREA: f64 = 300.0;
const ROW: f64 = 22.0;
const GROUP_HEAD: f64 = 28.0;

/// The chart of `groups` (unit, bars); `id` is unique on the page.
pub fn flows(id: &str, title: &str, groups: &[(String, Vec<FlowBar>)], numbers: Numbers) -> Chart {
    let rows: usize = groups.iter().map(|(_, bars)| bars.len()).sum();
    let height = groups.len() as f64 * GROUP_HEAD + rows as f64 * ROW + 10.0;
    let width = LABEL_WIDTH + BAR_AREA + 110.0;
    let mut body = String::new();
    let mut y = 0.0;
    let mut table_rows = Vec::new();
    for (unit, bars) in groups {
        y += GROUP_HEAD;
        let _ = writeln!(
            body,
            "<text x=\"0\" y=\"{:.0}\" font-size=\"14\" font-weight=\"bold\" fill=\"currentColor\">{}</text>",
            y - 8.0,
            xml_escape(unit)
        );
        let largest = bars
            .iter()
            .map(|b| b.quantity)
            .max()
            .unwrap_or(Decimal::ONE);
        for bar in bars {
            let shown = numbers.quantity(bar.quantity);
            draw_bar(&mut body, y, bar, largest, &format!("{shown} {unit}"));
            table_rows.push(vec![label(bar), unit.clone(), shown]);
            y += ROW;
        }
    }
    let desc = format!(
        "{} flow{} between members, one bar per supplier and receiver, grouped by unit; each group is scaled to its largest flow.",
        rows,
        if rows == 1 { "" } else { "s" }
    );
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" class=\"tally-chart\" id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">"
    );
    let _ = writeln!(
        svg,
        "<title id=\"{id}-title\">{}</title>",
        xml_escape(title)
    );
    let _ = writeln!(svg, "<desc id=\"{id}-desc\">{}</desc>", xml_escape(&desc));
    svg.push_str(&body);
    svg.push_str("</svg>\n");
    Chart {
        id: id.to_string(),
        slug: id.to_string(),
        title: title.to_string(),
        desc,
        svg,
        csv: csv(groups),
        table: Table {
            caption: title.to_string(),
            head: vec![
                "Supplier → receiver".into(),
                "Unit".into(),
                "Quantity".into(),
            ],
            rows: table_rows,
        },
    }
}

fn label(bar: &FlowBar) -> String {
    format!("{} → {}", bar.supplier, bar.receiver)
}

/// One row at `y`: the pair's label, its bar scaled to `largest`, the quantity after it.
fn draw_bar(body: &mut String, y: f64, bar: &FlowBar, largest: Decimal, shown: &str) {
    let share = (bar.quantity / largest.max(Decimal::new(1, 6)))
        .to_f64()
        .unwrap_or(0.0);
    let length = (share * BAR_AREA).max(1.0);
    let _ = writeln!(
        body,
        "<text x=\"{:.0}\" y=\"{:.0}\" font-size=\"12\" text-anchor=\"end\" fill=\"currentColor\">{}</text>\
<rect x=\"{LABEL_WIDTH:.0}\" y=\"{:.0}\" width=\"{length:.1}\" height=\"{:.0}\" fill=\"{}\"/>\
<text x=\"{:.1}\" y=\"{:.0}\" font-size=\"12\" fill=\"currentColor\">{}</text>",
        LABEL_WIDTH - 8.0,
        y + 15.0,
        xml_escape(&label(bar)),
        y + 3.0,
        ROW - 6.0,
        colour(bar.supplier_index as u8),
        LABEL_WIDTH + length + 6.0,
        y + 15.0,
        xml_escape(shown)
    );
}

/// The chart's numbers as CSV: pair, unit, quantity (exact, a dot for decimals).
fn csv(groups: &[(String, Vec<FlowBar>)]) -> String {
    let mut csv = String::from("pair,unit,quantity\n");
    for (unit, bars) in groups {
        for bar in bars {
            let pair = label(bar).replace('"', "\"\"");
            let _ = writeln!(csv, "\"{pair}\",{unit},{}", bar.quantity.normalize());
        }
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_pair_scaled_within_its_unit() {
        let bar = |s: &str, r: &str, q: i64| FlowBar {
            supplier: s.into(),
            receiver: r.into(),
            supplier_index: 0,
            quantity: Decimal::from(q),
        };
        let groups = vec![
            (
                "kg".to_string(),
                vec![bar("a", "b", 100), bar("b", "a", 50)],
            ),
            ("kWh".to_string(), vec![bar("a", "c", 7)]),
        ];
        let chart = flows("flows", "Flows", &groups, Numbers::for_language("en"));
        assert_eq!(chart.svg.matches("<rect").count(), 3);
        assert!(
            chart.svg.contains("width=\"300.0\""),
            "the largest of a unit fills the area"
        );
        assert!(
            chart.svg.contains("width=\"150.0\""),
            "half the largest, half the width"
        );
        assert!(chart.svg.contains("a → c"));
        assert_eq!(chart.table.rows.len(), 3);
        assert_eq!(
            chart.csv,
            "pair,unit,quantity\n\"a → b\",kg,100\n\"b → a\",kg,50\n\"a → c\",kWh,7\n"
        );
        assert!(roxmltree_free_parse(&chart.svg));
    }

    /// Tags balance: every opened element is closed (no XML parser in the library).
    fn roxmltree_free_parse(svg: &str) -> bool {
        svg.matches("<svg").count() == svg.matches("</svg>").count()
            && svg.matches("<text").count() == svg.matches("</text>").count()
    }
}
