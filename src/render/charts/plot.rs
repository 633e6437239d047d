//! Plotting with plotters' SVG backend ("plot", not "draw": a draw is a lottery). Colours here are placeholder inks (see
//! [`Ink`]) that [`super::svg`] replaces with palette colours, hatch patterns, dash
//! styles and `currentColor`; this module knows nothing about accessibility or themes.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, Tick};
use crate::model::week::WeekId;
use crate::render::numbers::Numbers;

/// The font size of every label, in SVG pixels.
pub const FONT_PX: f64 = 15.0;
/// plotters divides the font size it is given by 1.24 when it writes the SVG.
const PLOTTERS_FONT: f64 = FONT_PX * 1.24;
const LEGEND_ROW: u32 = 24;
const SWATCH: i32 = 14;
/// Below this many pixels per week, stacked bars become stacked bands.
const MIN_BAR_PX: f64 = 4.0;

/// What a mark is painted with. Each variant is drawn in a placeholder colour that
/// [`super::svg::finish`] recognises and replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ink {
    /// Text, axes and grid: the page's text colour.
    Fg,
    /// An area or bar of palette colour `n` with its hatch pattern.
    Fill(u8),
    /// A line of palette colour `n` in dash style `dash` (0 solid), or a marker
    /// (filled, never dashed).
    Line { colour: u8, dash: u8 },
    /// The city: hatched in the text colour when filled, dashed when stroked.
    City,
}

impl Ink {
    pub fn placeholder(self) -> RGBColor {
        match self {
            Ink::Fg => RGBColor(1, 4, 0),
            Ink::Fill(n) => RGBColor(1, 2, n),
            Ink::Line { colour, dash } => RGBColor(1, 16 + dash, colour),
            Ink::City => RGBColor(1, 3, 0),
        }
    }
}

/// The x axis: a run of consecutive weeks, or named groups (categories).
#[derive(Debug, Clone)]
pub enum XAxis {
    Weeks(Vec<WeekId>),
    Groups(Vec<String>),
}

impl XAxis {
    fn len(&self) -> usize {
        match self {
            XAxis::Weeks(w) => w.len(),
            XAxis::Groups(g) => g.len(),
        }
    }
}

/// One layer of marks.
#[derive(Debug, Clone)]
pub enum Layer {
    /// Bars stacked at each x, one series each, bottom first.
    Stacked(Vec<(Ink, Vec<f64>)>),
    /// Bars side by side at each x, one series each, left first.
    Grouped(Vec<(Ink, Vec<f64>)>),
    /// A line through the values that are present (a gap where one is missing), with
    /// a marker on the latest point; `area` shades the area beneath.
    Line {
        ink: Ink,
        values: Vec<Option<f64>>,
        area: bool,
    },
    /// A horizontal reference line.
    Rule { y: f64 },
}

/// An entry of the legend drawn above the plot.
#[derive(Debug, Clone)]
pub struct Key {
    pub ink: Ink,
    /// Drawn as a line sample rather than a box.
    pub line: bool,
    pub label: String,
}

/// A value written beside its mark (the latest week's), as Our World in Data does, so
/// that the reader needs no legend or axis to read it.
#[derive(Debug, Clone)]
pub struct EndLabel {
    /// The week (or group) the label sits on.
    pub index: usize,
    pub y: f64,
    pub text: String,
}

/// Everything needed to draw one plot.
#[derive(Debug, Clone)]
pub struct Plot {
    pub width: u32,
    /// The height of the plot without its legend, which adds rows above it.
    pub height: u32,
    pub x: XAxis,
    pub x_desc: String,
    pub y_desc: String,
    pub percent: bool,
    pub layers: Vec<Layer>,
    pub keys: Vec<Key>,
    /// Shown in the middle of the plot instead of marks when there is nothing to draw.
    pub empty_note: String,
    /// The last week is in progress: its column is hatched and labelled with this
    /// (`so far`).
    pub partial: Option<String>,
    pub end_labels: Vec<EndLabel>,
}

/// Draws `plot` and returns plotters' SVG text (placeholder colours, fixed size).
pub fn render(plot: &Plot, numbers: Numbers) -> Result<String, String> {
    let mut svg = String::new();
    {
        let legend_rows = legend_layout(&plot.keys, plot.width);
        let legend_h = if plot.keys.is_empty() {
            4
        } else {
            legend_rows.iter().map(|r| r.2).max().unwrap_or(0) * LEGEND_ROW + 10
        };
        let root = SVGBackend::with_string(&mut svg, (plot.width, plot.height + legend_h))
            .into_drawing_area();
        let (legend, body) = root.split_vertically(legend_h);
        draw_legend(&legend, &plot.keys, &legend_rows).map_err(|e| e.to_string())?;
        if plot.x.len() == 0 {
            draw_empty(&body, &plot.empty_note).map_err(|e| e.to_string())?;
        } else {
            draw_body(&root, &body, plot, numbers).map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn font(ink: Ink) -> TextStyle<'static> {
    let mut style = TextStyle::from(("sans-serif", PLOTTERS_FONT).into_font());
    style.color = ink.placeholder().to_backend_color();
    style
}

/// The exact `font-size` value plotters writes for labels, so it can be replaced.
pub fn plotters_font_size() -> String {
    format!("{}", PLOTTERS_FONT / 1.24)
}

/// Where each legend entry goes: (x, key index, row).
fn legend_layout(keys: &[Key], width: u32) -> Vec<(i32, usize, u32)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (8.0, 0);
    for (i, key) in keys.iter().enumerate() {
        let w = 28.0 + axis::text_width(&key.label, FONT_PX) + 18.0;
        if x > 8.0 && x + w > f64::from(width) - 8.0 {
            x = 8.0;
            row += 1;
        }
        out.push((x as i32, i, row + 1));
        x += w;
    }
    out
}

type Area<'a, 'b> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn draw_legend(area: &Area<'_, '_>, keys: &[Key], layout: &[(i32, usize, u32)]) -> DrawResult {
    for &(x, i, row) in layout {
        let key = &keys[i];
        let y = ((row - 1) * LEGEND_ROW + 6) as i32;
        let mid = y + SWATCH / 2;
        if key.line {
            area.draw(&PathElement::new(
                vec![(x, mid), (x + 22, mid)],
                key.ink.placeholder().stroke_width(3),
            ))?;
        } else {
            area.draw(&Rectangle::new(
                [(x, y), (x + 22, y + SWATCH)],
                key.ink.placeholder().filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x, y), (x + 22, y + SWATCH)],
                Ink::Fg.placeholder().mix(0.6).stroke_width(1),
            ))?;
        }
        area.draw(&Text::new(
            key.label.clone(),
            (x + 28, mid),
            font(Ink::Fg).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn draw_empty(area: &Area<'_, '_>, note: &str) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        note.to_string(),
        (w as i32 / 2, h as i32 / 2),
        font(Ink::Fg).pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}

/// The lowest and highest y any layer reaches, with zero always included.
fn y_extent(layers: &[Layer]) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    let mut see = |v: f64| {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    for layer in layers {
        match layer {
            Layer::Stacked(series) => {
                let n = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
                for i in 0..n {
                    let (mut up, mut down) = (0.0, 0.0);
                    for (_, values) in series {
                        let v = values.get(i).copied().unwrap_or(0.0);
                        if v >= 0.0 {
                            up += v;
                        } else {
                            down += v;
                        }
                    }
                    see(up);
                    see(down);
                }
            }
            Layer::Grouped(series) => series.iter().flat_map(|(_, v)| v).for_each(|&v| see(v)),
            Layer::Line { values, .. } => values.iter().flatten().for_each(|&v| see(v)),
            Layer::Rule { y } => see(*y),
        }
    }
    (lo, hi)
}

/// A "nice" tick step (1, 2, 2.5 or 5 × 10ⁿ) that splits `span` into about `ticks` parts.
fn nice_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 2.5 {
        2.5
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn draw_body(
    root: &Area<'_, '_>,
    area: &Area<'_, '_>,
    plot: &Plot,
    numbers: Numbers,
) -> DrawResult {
    let n = plot.x.len();
    let scale = YScale::of(&plot.layers);
    let y_label = |v: f64| {
        let text = axis::axis_number(v, scale.step, scale.largest(), numbers);
        if plot.percent {
            format!("{text}%")
        } else {
            text
        }
    };
    let y_label_w = scale
        .ticks()
        .iter()
        .map(|&v| axis::text_width(&y_label(v), FONT_PX))
        .fold(0.0, f64::max);
    let y_area = (y_label_w + FONT_PX * 2.2 + 10.0).ceil() as u32;
    let plot_w = f64::from(plot.width) - f64::from(y_area) - 20.0;
    let ticks = x_ticks(&plot.x, plot_w);
    let mut chart = ChartBuilder::on(area)
        .margin_top(6)
        .margin_right(20)
        .margin_bottom(4)
        .x_label_area_size((FONT_PX * 3.6) as u32)
        .y_label_area_size(y_area)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, scale.lo..scale.hi)?;
    // Axis lines and descriptions from plotters; ticks, labels and grid drawn below so
    // that they sit exactly on weeks and on the chosen y steps.
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_style(Ink::Fg.placeholder().mix(0.6).stroke_width(1))
        .axis_desc_style(font(Ink::Fg))
        .x_desc(plot.x_desc.as_str())
        .y_desc(plot.y_desc.as_str())
        .draw()?;
    draw_y_grid(root, &mut chart, n, &scale, &y_label)?;
    draw_x_ticks(root, &chart, &ticks, scale.lo)?;
    let marks = Marks {
        n,
        banded: plot_w / (n as f64) < MIN_BAR_PX,
        groups: most_groups(&plot.layers),
        scale: &scale,
    };
    for layer in &plot.layers {
        marks.draw(&mut chart, layer)?;
    }
    if let Some(label) = &plot.partial {
        draw_partial(root, &chart, n, (scale.lo, scale.hi), label)?;
    }
    draw_end_labels(root, &chart, n, &plot.end_labels)
}

/// The y axis's range and step: round numbers around every layer, with headroom on top.
struct YScale {
    lo: f64,
    hi: f64,
    step: f64,
}

impl YScale {
    /// The scale that holds every value of `layers` (a flat chart gets a span of one).
    fn of(layers: &[Layer]) -> Self {
        let (lo, hi) = y_extent(layers);
        let (lo, hi) = if hi - lo <= f64::EPSILON {
            (lo, lo + 1.0)
        } else {
            (lo, hi)
        };
        let step = nice_step(hi - lo, 4.0);
        // Headroom: a line at the very top of the plot would sit on its edge.
        Self {
            lo: (lo / step).floor() * step,
            hi: ((hi + (hi - lo) * 0.04) / step).ceil() * step,
            step,
        }
    }

    /// The values that get a grid line and a label, from bottom to top.
    fn ticks(&self) -> Vec<f64> {
        let count = ((self.hi - self.lo) / self.step).round() as i64;
        (0..=count)
            .map(|k| self.lo + k as f64 * self.step)
            .collect()
    }

    /// The largest magnitude on the axis, which sets how labels are abbreviated.
    fn largest(&self) -> f64 {
        self.lo.abs().max(self.hi.abs())
    }
}

/// The labelled positions on the x axis: chosen weeks, or every group.
fn x_ticks(x: &XAxis, plot_w: f64) -> Vec<Tick> {
    match x {
        XAxis::Weeks(weeks) => axis::week_ticks(weeks, plot_w, FONT_PX),
        XAxis::Groups(groups) => groups
            .iter()
            .enumerate()
            .map(|(index, label)| Tick {
                index,
                label: label.clone(),
            })
            .collect(),
    }
}

/// A faint grid line at each y step above the axis, and each step's label left of it.
fn draw_y_grid(
    root: &Area<'_, '_>,
    chart: &mut Chart<'_, '_>,
    n: usize,
    scale: &YScale,
    y_label: &dyn Fn(f64) -> String,
) -> DrawResult {
    for v in scale.ticks() {
        if v != scale.lo {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, v), (n as f64 - 0.5, v)],
                Ink::Fg.placeholder().mix(0.18).stroke_width(1),
            )))?;
        }
        let (px, py) = chart.backend_coord(&(-0.5, v));
        root.draw(&Text::new(
            y_label(v),
            (px - 6, py),
            font(Ink::Fg).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A short tick below the x axis at each labelled position, its label under it.
fn draw_x_ticks(
    root: &Area<'_, '_>,
    chart: &Chart<'_, '_>,
    ticks: &[Tick],
    y_lo: f64,
) -> DrawResult {
    for tick in ticks {
        let (px, py) = chart.backend_coord(&(tick.index as f64, y_lo));
        root.draw(&PathElement::new(
            vec![(px, py), (px, py + 5)],
            Ink::Fg.placeholder().mix(0.6).stroke_width(1),
        ))?;
        root.draw(&Text::new(
            tick.label.clone(),
            (px, py + 8),
            font(Ink::Fg).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// The most series any grouped layer holds: how many bars share one x position.
fn most_groups(layers: &[Layer]) -> usize {
    layers
        .iter()
        .map(|l| match l {
            Layer::Grouped(s) => s.len(),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// What every layer's marks are laid out by: the number of x positions, whether
/// they are too narrow for bars, how many grouped bars share one, and the y scale.
struct Marks<'s> {
    n: usize,
    banded: bool,
    groups: usize,
    scale: &'s YScale,
}

impl Marks<'_> {
    /// One layer's marks.
    fn draw(&self, chart: &mut Chart<'_, '_>, layer: &Layer) -> DrawResult {
        match layer {
            Layer::Stacked(series) if self.banded => self.draw_bands(chart, series),
            Layer::Stacked(series) => self.draw_stacked_bars(chart, series),
            Layer::Grouped(series) => self.draw_grouped_bars(chart, series),
            Layer::Line { ink, values, area } => self.draw_line(chart, *ink, values, *area),
            Layer::Rule { y } => {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, *y), (self.n as f64 - 0.5, *y)],
                    Ink::City.placeholder().stroke_width(2),
                )))?;
                Ok(())
            }
        }
    }

    /// Too many weeks for bars: stacked bands, each between the running total below
    /// it and the running total with it.
    fn draw_bands(&self, chart: &mut Chart<'_, '_>, series: &[(Ink, Vec<f64>)]) -> DrawResult {
        let n = self.n;
        let mut below = vec![0.0; n];
        for (ink, values) in series {
            let above: Vec<f64> = (0..n)
                .map(|i| below[i] + values.get(i).copied().unwrap_or(0.0).max(0.0))
                .collect();
            let mut outline: Vec<(f64, f64)> = (0..n).map(|i| (i as f64, above[i])).collect();
            outline.extend((0..n).rev().map(|i| (i as f64, below[i])));
            chart.draw_series(std::iter::once(Polygon::new(
                outline,
                ink.placeholder().filled(),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                (0..n).map(|i| (i as f64, above[i])).collect::<Vec<_>>(),
                Ink::Fg.placeholder().mix(0.6).stroke_width(1),
            )))?;
            below = above;
        }
        Ok(())
    }

    /// Stacked bars: positive values stack up from zero, negative ones down.
    fn draw_stacked_bars(
        &self,
        chart: &mut Chart<'_, '_>,
        series: &[(Ink, Vec<f64>)],
    ) -> DrawResult {
        let mut up = vec![0.0; self.n];
        let mut down = vec![0.0; self.n];
        for (ink, values) in series {
            let mut bars = Vec::new();
            for (i, &v) in values.iter().enumerate().take(self.n) {
                if v == 0.0 || !v.is_finite() {
                    continue;
                }
                let base = if v > 0.0 { &mut up[i] } else { &mut down[i] };
                let x = i as f64;
                bars.push(Rectangle::new(
                    [(x - 0.38, *base), (x + 0.38, *base + v)],
                    ink.placeholder().filled(),
                ));
                *base += v;
            }
            chart.draw_series(bars)?;
        }
        Ok(())
    }

    /// Grouped bars: each series its own slot beside the others, filled then outlined.
    fn draw_grouped_bars(
        &self,
        chart: &mut Chart<'_, '_>,
        series: &[(Ink, Vec<f64>)],
    ) -> DrawResult {
        let slot = 0.8 / self.groups.max(1) as f64;
        for (k, (ink, values)) in series.iter().enumerate() {
            let bar = |i: usize, v: f64, style: ShapeStyle| {
                let left = i as f64 - 0.4 + k as f64 * slot;
                Rectangle::new([(left + slot * 0.06, 0.0), (left + slot * 0.94, v)], style)
            };
            let fill = ink.placeholder().filled();
            chart.draw_series(
                values
                    .iter()
                    .enumerate()
                    .take(self.n)
                    .map(|(i, &v)| bar(i, v, fill)),
            )?;
            let outline = Ink::Fg.placeholder().mix(0.6).stroke_width(1);
            chart.draw_series(
                values
                    .iter()
                    .enumerate()
                    .take(self.n)
                    .map(|(i, &v)| bar(i, v, outline)),
            )?;
        }
        Ok(())
    }

    /// A line broken where values are missing, optionally filled down to the axis,
    /// with a marker on its latest point.
    fn draw_line(
        &self,
        chart: &mut Chart<'_, '_>,
        ink: Ink,
        values: &[Option<f64>],
        area: bool,
    ) -> DrawResult {
        let line_width = if self.banded { 2 } else { 3 };
        for run in runs(values) {
            let points: Vec<(f64, f64)> = run.iter().map(|&(i, v)| (i as f64, v)).collect();
            if area {
                self.draw_area_under(chart, ink, &points)?;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                points,
                ink.placeholder().stroke_width(line_width),
            )))?;
        }
        if let Some((i, v)) = values
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, v)| v.map(|v| (i, v)))
        {
            draw_marker(chart, ink, (i as f64, v))?;
        }
        Ok(())
    }

    /// The translucent fill between a run of a line and zero (or the nearest axis edge).
    fn draw_area_under(
        &self,
        chart: &mut Chart<'_, '_>,
        ink: Ink,
        points: &[(f64, f64)],
    ) -> DrawResult {
        let base = self.scale.lo.max(0.0).min(self.scale.hi);
        let mut outline = points.to_vec();
        if let (Some(&(x0, _)), Some(&(x1, _))) = (points.first(), points.last()) {
            outline.push((x1, base));
            outline.push((x0, base));
        }
        let fill = match ink {
            Ink::Line { colour, .. } => Ink::Fill(colour),
            other => other,
        };
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            fill.placeholder().mix(0.35).filled(),
        )))?;
        Ok(())
    }
}

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Coords>;

/// The week in progress: its column hatched over its marks, "so far" at its top.
fn draw_partial(
    root: &Area<'_, '_>,
    chart: &Chart<'_, '_>,
    n: usize,
    (y_lo, y_hi): (f64, f64),
    label: &str,
) -> DrawResult {
    let x = n as f64 - 1.0;
    let (left, top) = chart.backend_coord(&(x - 0.5, y_hi));
    let (right, bottom) = chart.backend_coord(&(x + 0.5, y_lo));
    root.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        Ink::City.placeholder().mix(0.45).filled(),
    ))?;
    root.draw(&Text::new(
        label.to_string(),
        (right, top + 2),
        font(Ink::Fg).pos(Pos::new(HPos::Right, VPos::Top)),
    ))
}

/// Each label just above its point; the last column's labels end at the plot's edge.
fn draw_end_labels(
    root: &Area<'_, '_>,
    chart: &Chart<'_, '_>,
    n: usize,
    labels: &[EndLabel],
) -> DrawResult {
    for label in labels {
        let (px, py) = chart.backend_coord(&(label.index as f64, label.y));
        let (edge, _) = chart.backend_coord(&(n as f64 - 0.5, label.y));
        let width = axis::text_width(&label.text, FONT_PX) as i32;
        let x = (px + width / 2).min(edge);
        root.draw(&Text::new(
            label.text.clone(),
            (x, py - 8),
            font(Ink::Fg).pos(Pos::new(HPos::Right, VPos::Bottom)),
        ))?;
    }
    Ok(())
}

/// Runs of consecutive present values: a line breaks where a value is missing.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) if v.is_finite() => current.push((i, *v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

type Coords =
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>;

/// A marker on a line's latest point, its shape set by the line's dash style so that
/// lines differ without colour: circle, square, triangle, diamond.
fn draw_marker<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coords>,
    ink: Ink,
    at: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let shape = match ink {
        Ink::Line { dash, .. } => dash % 4,
        _ => 0,
    };
    let solid = match ink {
        Ink::Line { colour, .. } => Ink::Line { colour, dash: 0 },
        Ink::City => Ink::Fg,
        other => other,
    };
    let style = solid.placeholder().filled();
    let r = 6;
    let anchor = || EmptyElement::at(at);
    match shape {
        0 => chart.draw_series(std::iter::once(
            anchor() + Circle::new((0, 0), r as u32, style),
        )),
        1 => chart.draw_series(std::iter::once(
            anchor() + Rectangle::new([(1 - r, 1 - r), (r - 1, r - 1)], style),
        )),
        2 => chart.draw_series(std::iter::once(
            anchor() + Polygon::new(vec![(0, -r - 1), (r + 1, r - 1), (-r - 1, r - 1)], style),
        )),
        _ => chart.draw_series(std::iter::once(
            anchor()
                + Polygon::new(
                    vec![(0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)],
                    style,
                ),
        )),
    }
    .map(|_| ())
}
