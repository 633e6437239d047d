//! Finishing plotters' SVG: a `viewBox` without fixed size (the chart scales to the page),
//! `role="img"` with `<title>` and `<desc>`, the Okabe–Ito palette with a hatch pattern
//! per colour and a dash style per line (so charts read in greyscale), and the text
//! colour taken from the page (`currentColor`, light and dark) instead of black.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::plot::{self, Ink};

/// The Okabe–Ito palette without black: orange, sky blue, bluish green, yellow, blue,
/// vermillion, reddish purple.
pub const PALETTE: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
];

/// Hatch drawn over each palette colour in an 8×8 tile (empty: plain colour).
/// Hatch drawn over each palette colour in an 8×8 tile (empty: plain colour, kept for
/// the network's blue).
const HATCHES: [&str; 7] = [
    "M-2,2l4,-4M0,8l8,-8M6,10l4,-4",
    "M0,2h8M0,6h8",
    "M-2,6l4,4M0,0l8,8M6,-2l4,4",
    "M2,0v8M6,0v8",
    "",
    "M0,4h8M4,0v8",
    "M2,2h.01M6,6h.01",
];

/// Dash styles of lines: solid, dashed, dotted, dash-dot.
const DASHES: [&str; 4] = ["", "10 5", "2 5", "12 4 2 4"];

/// The colour of palette entry `n` (entries repeat after seven, with another hatch).
pub fn colour(n: u8) -> &'static str {
    PALETTE[usize::from(n) % PALETTE.len()]
}

fn hatch(n: u8) -> &'static str {
    let n = usize::from(n);
    HATCHES[(n + n / PALETTE.len()) % HATCHES.len()]
}

/// Light colours get a dark hatch, dark colours a light one.
fn hatch_ink(n: u8) -> &'static str {
    match usize::from(n) % PALETTE.len() {
        2 | 4 | 5 => "#FFFFFF",
        _ => "#000000",
    }
}

/// Text and axes in the page's colour (`--fg`, or the theme's own colours in a file
/// opened alone), light and dark; in dark mode the palette's blue, too dark on a dark
/// page, is lightened.
const STYLE: &str = "<style>\
.tally-chart{color:#1d1f21;color:var(--fg,#1d1f21);font-family:var(--font,sans-serif)}\
.tally-chart text{font-family:inherit}\
.tally-chart:root{background:#fdfcf8}\
@media (prefers-color-scheme:dark){\
.tally-chart{color:#e8e6e1;color:var(--fg,#e8e6e1)}\
.tally-chart:root{background:#15171a}\
.tally-chart [stroke=\"#0072B2\"]{stroke:#3D9DDB}\
.tally-chart [fill=\"#0072B2\"]{fill:#3D9DDB}}\
</style>\n";

/// Turns plotters' output into the published chart. `id` must be unique on a page: it
/// prefixes every id inside the SVG.
pub fn finish(plotters: &str, id: &str, title: &str, desc: &str) -> String {
    let (head, body) = plotters.split_once('\n').unwrap_or((plotters, ""));
    let view_box = attribute(head, "viewBox").unwrap_or("0 0 640 360");
    let mut used = BTreeSet::new();
    let body = body.replace(
        &format!("font-size=\"{}\"", plot::plotters_font_size()),
        &format!("font-size=\"{}\"", plot::FONT_PX),
    );
    let body = recolour(&body, id, &mut used);

    let mut out = String::with_capacity(body.len() + 2048);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{view_box}\" class=\"tally-chart\" \
         id=\"{id}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">"
    );
    let _ = writeln!(out, "<title id=\"{id}-title\">{}</title>", escape(title));
    let _ = writeln!(out, "<desc id=\"{id}-desc\">{}</desc>", escape(desc));
    out.push_str(STYLE);
    out.push_str(&defs(id, &used));
    out.push_str(&body);
    // Labels inside plotters' body come from the ledger too: no character XML 1.0
    // forbids may reach the file, or it would not parse.
    if out.chars().any(crate::render::escape::xml_forbidden) {
        out.retain(|c| !crate::render::escape::xml_forbidden(c));
    }
    out
}

/// Escapes text for an element's content or a double-quoted attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The value of `name="…"` in a tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// A pattern or other definition the recoloured body refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Def {
    Fill(u8),
    City,
}

/// Replaces every placeholder colour in `fill="#…"` and `stroke="#…"`.
fn recolour(body: &str, id: &str, used: &mut BTreeSet<Def>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(pos) = rest.find("=\"#") {
        let attr_start = rest[..pos].rfind([' ', '<']).map(|p| p + 1).unwrap_or(0);
        let name = &rest[attr_start..pos];
        let hex = rest.get(pos + 3..pos + 9).unwrap_or("");
        out.push_str(&rest[..attr_start]);
        let replaced = match (name, parse_hex(hex).and_then(ink_of)) {
            ("fill", Some(ink)) => Some(fill(ink, id, used)),
            ("stroke", Some(ink)) => Some(stroke(ink)),
            _ => None,
        };
        match replaced {
            Some(text) => {
                out.push_str(&text);
                rest = &rest[pos + 10..];
            }
            None => {
                out.push_str(&rest[attr_start..pos + 3]);
                rest = &rest[pos + 3..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn parse_hex(hex: &str) -> Option<(u8, u8, u8)> {
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some((byte(0)?, byte(2)?, byte(4)?))
}

/// The ink a placeholder colour stands for (see [`Ink::placeholder`]).
fn ink_of((r, g, b): (u8, u8, u8)) -> Option<Ink> {
    match (r, g, b) {
        (1, 4, 0) => Some(Ink::Fg),
        (1, 3, 0) => Some(Ink::City),
        (1, 2, n) => Some(Ink::Fill(n)),
        (1, g, n) if (16..16 + DASHES.len() as u8).contains(&g) => Some(Ink::Line {
            colour: n,
            dash: g - 16,
        }),
        _ => None,
    }
}

fn fill(ink: Ink, id: &str, used: &mut BTreeSet<Def>) -> String {
    match ink {
        Ink::Fg => "fill=\"currentColor\"".to_string(),
        Ink::Fill(n) if hatch(n).is_empty() => format!("fill=\"{}\"", colour(n)),
        Ink::Fill(n) => {
            used.insert(Def::Fill(n));
            format!("fill=\"url(#{id}-f{n})\"")
        }
        Ink::Line { colour: n, .. } => format!("fill=\"{}\"", colour(n)),
        Ink::City => {
            used.insert(Def::City);
            format!("fill=\"url(#{id}-city)\"")
        }
    }
}

fn stroke(ink: Ink) -> String {
    match ink {
        Ink::Fg => "stroke=\"currentColor\"".to_string(),
        Ink::Fill(n) => format!("stroke=\"{}\"", colour(n)),
        Ink::Line { colour: n, dash } => {
            let dash = DASHES[usize::from(dash) % DASHES.len()];
            if dash.is_empty() {
                format!("stroke=\"{}\" stroke-linejoin=\"round\"", colour(n))
            } else {
                format!(
                    "stroke=\"{}\" stroke-dasharray=\"{dash}\" stroke-linejoin=\"round\"",
                    colour(n)
                )
            }
        }
        Ink::City => "stroke=\"currentColor\" stroke-dasharray=\"8 5\"".to_string(),
    }
}

/// `<defs>` with the hatch patterns the chart uses, in a fixed order.
fn defs(id: &str, used: &BTreeSet<Def>) -> String {
    if used.is_empty() {
        return String::new();
    }
    let mut out = String::from("<defs>\n");
    for def in used {
        match def {
            Def::Fill(n) => {
                let _ = writeln!(
                    out,
                    "<pattern id=\"{id}-f{n}\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">\
                     <rect width=\"8\" height=\"8\" fill=\"{}\"/>\
                     <path d=\"{}\" stroke=\"{}\" stroke-opacity=\"0.55\" stroke-width=\"1.5\" \
                     stroke-linecap=\"square\" fill=\"none\"/></pattern>",
                    colour(*n),
                    hatch(*n),
                    hatch_ink(*n)
                );
            }
            Def::City => {
                let _ = writeln!(
                    out,
                    "<pattern id=\"{id}-city\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">\
                     <path d=\"M-2,2l4,-4M0,8l8,-8M6,10l4,-4\" stroke=\"currentColor\" \
                     stroke-width=\"1.5\" fill=\"none\"/></pattern>"
                );
            }
        }
    }
    out.push_str("</defs>\n");
    out
}
