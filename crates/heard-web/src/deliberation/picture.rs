//! The opinion map of a deliberation drawn as SVG: participants as marks in the two-component
//! plane of the analysis (`heard_analysis::deliberation::analyse`), each opinion group a colour and
//! a shape, with each group's representative statements listed beside the map.
//!
//! Written with quick-xml's writer, so every label and statement is escaped by the writer, never
//! pasted into markup. The picture holds no links, so it is an `img` named by its `<title>` and
//! described by its `<desc>`; [`rows`] gives the same content as plain rows for a table beside it.
//! Colours are Okabe and Ito's colour-blind safe palette, and each group also has its own shape and
//! its label on the map, so colour is never the only cue. Text is 22px or more in a picture 1600
//! wide, to be read from the back of a room when projected.
//!
//! Above [`DENSITY_ABOVE`] participants, drawing every mark makes a picture of megabytes in which
//! marks hide one another, so the map draws density instead: the plane in a grid of cells, and in
//! each cell one mark per group present, its area growing with the group's people there.

use std::io;

use heard_analysis::causes::layout::{text_width, wrap};
use quick_xml::Writer;
use quick_xml::events::BytesText;

const INK: &str = "#0b0c0c";
const GREY: &str = "#505a5f";
const RULE: &str = "#b1b4b6";
const WHITE: &str = "#ffffff";
const FONT: &str = "arial, sans-serif";

/// The picture's width; its height grows with the statements beside the map.
pub const WIDTH: f64 = 1600.0;
const MARGIN: f64 = 32.0;
/// The map is a square this wide.
const PLOT: f64 = 800.0;
/// Room inside the map's frame, so marks at the edge are whole.
const INSET: f64 = 24.0;
const PANEL_X: f64 = MARGIN + PLOT + 48.0;
const PANEL_WIDTH: f64 = WIDTH - PANEL_X - MARGIN;
/// Statements are indented past the group's marker.
const INDENT: f64 = 44.0;
const HEADING_SIZE: f64 = 32.0;
const STATEMENT_SIZE: f64 = 26.0;
const STATEMENT_LINE: f64 = 33.0;
const NOTE_SIZE: f64 = 22.0;
const NOTE_LINE: f64 = 30.0;
const LABEL_SIZE: f64 = 34.0;
/// Half the width of a participant's mark.
const MARK: f64 = 5.5;

/// Above this many participants the map draws density (binned cells) instead of every mark. At
/// this size a map of marks is about 100 KB (see the `sizes` test).
pub const DENSITY_ABOVE: usize = 3_000;
/// Cells across the map when drawing density.
const CELLS: usize = 40;

/// Okabe and Ito's palette ("Color Universal Design", 2008), strongest first; every mark also has
/// a dark outline, which keeps the pale ones visible on white.
const PALETTE: [(&str, &str); 7] = [
    ("#0072b2", "blue"),
    ("#d55e00", "vermilion"),
    ("#009e73", "green"),
    ("#e69f00", "orange"),
    ("#cc79a7", "pink"),
    ("#56b4e9", "sky blue"),
    ("#f0e442", "yellow"),
];

/// A participant on the map: where the analysis placed them and their opinion group (an index
/// into [`OpinionMap::groups`]), `None` when they are in none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub group: Option<usize>,
}

/// A statement shown for a group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Statement {
    pub text: String,
    /// A short figure under it, such as "84% of this group agree".
    pub note: Option<String>,
}

/// An opinion group as the map shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Short, such as "Group A": it is also drawn on the map, at the group's centre.
    pub label: String,
    /// Its representative statements, most representative first.
    pub statements: Vec<Statement>,
}

pub struct OpinionMap<'a> {
    /// The deliberation's name.
    pub title: &'a str,
    pub dots: &'a [Dot],
    pub groups: &'a [Group],
}

/// A group's row in the text alternative: what the map shows of it, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    pub label: String,
    /// How its marks look, such as "blue circles".
    pub marks: String,
    pub participants: usize,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    InvertedTriangle,
    Plus,
    /// An outline only: participants in no group.
    Ring,
}

const SHAPES: [Shape; 6] =
    [Shape::Circle, Shape::Square, Shape::Triangle, Shape::Diamond, Shape::InvertedTriangle, Shape::Plus];

impl Shape {
    fn plural(self) -> &'static str {
        match self {
            Shape::Circle => "circles",
            Shape::Square => "squares",
            Shape::Triangle => "triangles",
            Shape::Diamond => "diamonds",
            Shape::InvertedTriangle => "upside-down triangles",
            Shape::Plus => "plus signs",
            Shape::Ring => "rings",
        }
    }

    /// The shape centred on (x, y), `r` its half-width, as one closed subpath (two for a circle
    /// or ring) with relative moves, so a map of marks stays small.
    fn path(self, d: &mut String, x: f64, y: f64, r: f64) {
        use std::fmt::Write;
        let n = num;
        // Writing to a String cannot fail.
        let _ = match self {
            Shape::Circle | Shape::Ring => write!(
                d,
                "M{} {}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0z",
                n(x - r),
                n(y),
                n(2.0 * r),
                n(2.0 * r),
                r = n(r)
            ),
            Shape::Square => {
                let s = r * 0.9;
                write!(d, "M{} {}h{}v{}h-{}z", n(x - s), n(y - s), n(2.0 * s), n(2.0 * s), n(2.0 * s))
            }
            Shape::Triangle => {
                write!(d, "M{} {}l{} {}h-{}z", n(x), n(y - 1.2 * r), n(1.2 * r), n(2.1 * r), n(2.4 * r))
            }
            Shape::InvertedTriangle => {
                write!(d, "M{} {}l{} -{}h-{}z", n(x), n(y + 1.2 * r), n(1.2 * r), n(2.1 * r), n(2.4 * r))
            }
            Shape::Diamond => {
                let s = n(1.3 * r);
                write!(d, "M{} {}l{s} {s} -{s} {s} -{s} -{s}z", n(x), n(y - 1.3 * r))
            }
            Shape::Plus => {
                let (a, l) = (0.45 * r, 1.25 * r);
                let (arm, w) = (n(l - a), n(2.0 * a));
                write!(d, "M{} {}h{w}v{arm}h{arm}v{w}h-{arm}v{arm}h-{w}v-{arm}h-{arm}v-{w}h{arm}z", n(x - a), n(y - l))
            }
        };
    }
}

/// How a group's marks look: its colour (hex, name) and shape. `None` is no group: grey rings.
fn look(group: Option<usize>) -> (&'static str, &'static str, Shape) {
    match group {
        Some(g) => {
            let (hex, name) = PALETTE[g % PALETTE.len()];
            (hex, name, SHAPES[g % SHAPES.len()])
        }
        None => (GREY, "grey", Shape::Ring),
    }
}

/// A dot's group, `None` also where the index names no group (a caller's slip, drawn, not lost).
fn group_of(dot: &Dot, groups: usize) -> Option<usize> {
    dot.group.filter(|&g| g < groups)
}

/// How each group's marks look, in words, as the legend and the text alternative say it.
pub fn marks_of(group: Option<usize>) -> String {
    let (_, colour, shape) = look(group);
    format!("{colour} {}", shape.plural())
}

/// The map's content as plain rows, for a table the page shows with (or instead of) the picture:
/// one per group, then one for participants in no group, if any.
pub fn rows(map: &OpinionMap) -> Vec<GroupRow> {
    let sizes = sizes(map);
    let mut rows: Vec<GroupRow> = map
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupRow {
            label: group.label.clone(),
            marks: marks_of(Some(g)),
            participants: sizes[g],
            statements: group.statements.clone(),
        })
        .collect();
    if sizes[map.groups.len()] > 0 {
        rows.push(GroupRow {
            label: "Not in a group".to_owned(),
            marks: marks_of(None),
            participants: sizes[map.groups.len()],
            statements: Vec::new(),
        });
    }
    rows
}

/// Participants per group, and last those in none.
fn sizes(map: &OpinionMap) -> Vec<usize> {
    let mut sizes = vec![0; map.groups.len() + 1];
    for dot in map.dots {
        sizes[group_of(dot, map.groups.len()).unwrap_or(map.groups.len())] += 1;
    }
    sizes
}

/// A number as SVG wants it: at most one decimal, no trailing ".0".
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{}", rounded as i64) } else { format!("{rounded:.1}") }
}

fn people(count: usize) -> String {
    format!("{} {}", thousands(count), if count == 1 { "person" } else { "people" })
}

/// A count with commas between thousands, as GOV.UK writes numbers: 33,000.
fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Places the analysis's coordinates in the square map, the same scale on both axes so distances
/// stay true; the second component points up.
struct Frame {
    centre: (f64, f64),
    scale: f64,
}

impl Frame {
    fn fit(dots: &[Dot]) -> Frame {
        let finite = dots.iter().filter(|d| d.x.is_finite() && d.y.is_finite());
        let (mut lo, mut hi) = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
        for d in finite {
            lo = (lo.0.min(d.x), lo.1.min(d.y));
            hi = (hi.0.max(d.x), hi.1.max(d.y));
        }
        if lo.0 > hi.0 {
            return Frame { centre: (0.0, 0.0), scale: 1.0 };
        }
        let span = (hi.0 - lo.0).max(hi.1 - lo.1).max(1e-9);
        Frame { centre: ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0), scale: (PLOT - 2.0 * INSET) / span }
    }

    /// Where a dot is drawn; a coordinate that is not a number goes to the middle.
    fn place(&self, dot: &Dot) -> (f64, f64) {
        let finite = |v: f64, c: f64| if v.is_finite() { v } else { c };
        let x = finite(dot.x, self.centre.0);
        let y = finite(dot.y, self.centre.1);
        (MARGIN + PLOT / 2.0 + (x - self.centre.0) * self.scale, MARGIN + PLOT / 2.0 - (y - self.centre.1) * self.scale)
    }
}

/// The map as an SVG document, ready to inline in a page or download.
pub fn svg(map: &OpinionMap) -> String {
    drawn(map, map.dots.len() > DENSITY_ABOVE)
}

fn drawn(map: &OpinionMap, density: bool) -> String {
    let mut w = Writer::new(Vec::new());
    // Writing into memory cannot fail; an error here would be quick-xml's own.
    match write_svg(&mut w, map, density) {
        Ok(()) => String::from_utf8_lossy(&w.into_inner()).into_owned(),
        Err(e) => {
            tracing::error!("writing an opinion map's SVG: {e}");
            String::new()
        }
    }
}

/// A block of text lines beside the map, laid out before drawing so the height is known.
struct Line {
    y: f64,
    x: f64,
    size: f64,
    bold: bool,
    fill: &'static str,
    text: String,
}

/// The panel beside the map: each group's heading (its marker, label and size) and statements.
/// Returns the lines, each heading's marker position, and the panel's bottom.
#[allow(clippy::type_complexity)]
fn panel(map: &OpinionMap, sizes: &[usize]) -> (Vec<Line>, Vec<(Option<usize>, f64, f64)>, f64) {
    let mut lines = Vec::new();
    let mut markers = Vec::new();
    let mut y = MARGIN;
    let mut heading = |y: &mut f64, group: Option<usize>, text: String, lines: &mut Vec<Line>| {
        *y += HEADING_SIZE;
        markers.push((group, PANEL_X + 14.0, *y - HEADING_SIZE * 0.33));
        lines.push(Line { y: *y, x: PANEL_X + INDENT, size: HEADING_SIZE, bold: true, fill: INK, text });
        *y += 14.0;
    };
    for (g, group) in map.groups.iter().enumerate() {
        heading(&mut y, Some(g), format!("{}: {}", group.label, people(sizes[g])), &mut lines);
        if group.statements.is_empty() {
            y += NOTE_LINE;
            lines.push(Line {
                y: y - 6.0,
                x: PANEL_X + INDENT,
                size: NOTE_SIZE,
                bold: false,
                fill: GREY,
                text: "No statement sets this group apart yet".to_owned(),
            });
        }
        for statement in &group.statements {
            for text in wrap(&statement.text, PANEL_WIDTH - INDENT, STATEMENT_SIZE) {
                y += STATEMENT_LINE;
                lines.push(Line {
                    y: y - 6.0,
                    x: PANEL_X + INDENT,
                    size: STATEMENT_SIZE,
                    bold: false,
                    fill: INK,
                    text,
                });
            }
            if let Some(note) = &statement.note {
                for text in wrap(note, PANEL_WIDTH - INDENT, NOTE_SIZE) {
                    y += NOTE_LINE;
                    lines.push(Line {
                        y: y - 6.0,
                        x: PANEL_X + INDENT,
                        size: NOTE_SIZE,
                        bold: false,
                        fill: GREY,
                        text,
                    });
                }
            }
            y += 12.0;
        }
        y += 20.0;
    }
    let ungrouped = sizes[map.groups.len()];
    if ungrouped > 0 {
        heading(&mut y, None, format!("Not in a group: {}", people(ungrouped)), &mut lines);
    }
    (lines, markers, y)
}

fn write_svg(w: &mut Writer<Vec<u8>>, map: &OpinionMap, density: bool) -> io::Result<()> {
    let sizes = sizes(map);
    let (lines, markers, panel_bottom) = panel(map, &sizes);
    let map_bottom = MARGIN + PLOT + 2.0 * NOTE_LINE;
    let height = map_bottom.max(panel_bottom) + MARGIN;
    let view = format!("0 0 {} {}", num(WIDTH), num(height));
    let frame = Frame::fit(map.dots);
    let in_groups: Vec<String> = map
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| format!("{}, {}, {}", group.label, marks_of(Some(g)), people(sizes[g])))
        .collect();
    let description = format!(
        "{} in {} {}: {}{}. Marks close together voted alike; the axes have no meaning of their own. \
         Each group's representative statements are listed beside the map.{}",
        people(map.dots.len()),
        map.groups.len(),
        if map.groups.len() == 1 { "opinion group" } else { "opinion groups" },
        in_groups.join("; "),
        if sizes[map.groups.len()] > 0 {
            format!("; not in a group, {}, {}", marks_of(None), people(sizes[map.groups.len()]))
        } else {
            String::new()
        },
        if density { " Each mark stands for a group's people in one small area: the bigger, the more." } else { "" }
    );
    w.create_element("svg")
        .with_attribute(("xmlns", "http://www.w3.org/2000/svg"))
        .with_attribute(("class", "heard-picture"))
        .with_attribute(("viewBox", view.as_str()))
        .with_attribute(("width", num(WIDTH).as_str()))
        .with_attribute(("height", num(height).as_str()))
        .with_attribute(("role", "img"))
        .with_attribute(("aria-labelledby", "opinion-map-title"))
        .with_attribute(("aria-describedby", "opinion-map-desc"))
        .with_attribute(("font-family", FONT))
        .with_attribute(("data-picture", "opinion-map"))
        .with_attribute(("data-drawn", if density { "density" } else { "marks" }))
        .write_inner_content(|w| {
            w.create_element("title")
                .with_attribute(("id", "opinion-map-title"))
                .write_text_content(BytesText::new(&format!("Opinion map: {}", map.title)))?;
            w.create_element("desc")
                .with_attribute(("id", "opinion-map-desc"))
                .write_text_content(BytesText::new(&description))?;
            w.create_element("rect")
                .with_attribute(("width", num(WIDTH).as_str()))
                .with_attribute(("height", num(height).as_str()))
                .with_attribute(("fill", WHITE))
                .write_empty()?;
            plane(w)?;
            if density {
                cells(w, map, &frame)?;
            } else {
                dots(w, map, &frame)?;
            }
            group_labels(w, map, &frame)?;
            let note = if density {
                "Each mark: one group's people in a small area; bigger, more people."
            } else {
                "Each mark is one participant. Marks close together voted alike."
            };
            text(w, MARGIN, MARGIN + PLOT + NOTE_LINE + 6.0, NOTE_SIZE, false, GREY, note)?;
            for &(group, x, y) in &markers {
                marker(w, group, x, y, 12.0)?;
            }
            for line in &lines {
                text(w, line.x, line.y, line.size, line.bold, line.fill, &line.text)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn text(w: &mut Writer<Vec<u8>>, x: f64, y: f64, size: f64, bold: bool, fill: &str, content: &str) -> io::Result<()> {
    let mut element = w
        .create_element("text")
        .with_attribute(("x", num(x).as_str()))
        .with_attribute(("y", num(y).as_str()))
        .with_attribute(("font-size", num(size).as_str()))
        .with_attribute(("fill", fill));
    if bold {
        element = element.with_attribute(("font-weight", "bold"));
    }
    element.write_text_content(BytesText::new(content))?;
    Ok(())
}

/// One mark in a group's look, with its outline.
fn marker(w: &mut Writer<Vec<u8>>, group: Option<usize>, x: f64, y: f64, r: f64) -> io::Result<()> {
    let (fill, _, shape) = look(group);
    let mut d = String::new();
    shape.path(&mut d, x, y, r);
    let (fill, stroke) = if shape == Shape::Ring { ("none", fill) } else { (fill, INK) };
    w.create_element("path")
        .with_attribute(("d", d.as_str()))
        .with_attribute(("fill", fill))
        .with_attribute(("stroke", stroke))
        .with_attribute(("stroke-width", "2"))
        .write_empty()?;
    Ok(())
}

/// The map's frame and a faint cross through the middle of the participants.
fn plane(w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    w.create_element("rect")
        .with_attribute(("x", num(MARGIN).as_str()))
        .with_attribute(("y", num(MARGIN).as_str()))
        .with_attribute(("width", num(PLOT).as_str()))
        .with_attribute(("height", num(PLOT).as_str()))
        .with_attribute(("fill", WHITE))
        .with_attribute(("stroke", RULE))
        .with_attribute(("stroke-width", "2"))
        .write_empty()?;
    let (mid, end) = (MARGIN + PLOT / 2.0, MARGIN + PLOT);
    let cross = format!("M{} {}H{}M{} {}V{}", num(MARGIN), num(mid), num(end), num(mid), num(MARGIN), num(end));
    w.create_element("path")
        .with_attribute(("d", cross.as_str()))
        .with_attribute(("stroke", RULE))
        .with_attribute(("stroke-dasharray", "6 6"))
        .write_empty()?;
    Ok(())
}

/// Every participant as a mark: one path per group, one subpath per participant.
fn dots(w: &mut Writer<Vec<u8>>, map: &OpinionMap, frame: &Frame) -> io::Result<()> {
    let groups = map.groups.len();
    for group in (0..groups).map(Some).chain([None]) {
        let mut d = String::new();
        let mut count = 0usize;
        for dot in map.dots.iter().filter(|dot| group_of(dot, groups) == group) {
            let (x, y) = frame.place(dot);
            look(group).2.path(&mut d, x, y, MARK);
            count += 1;
        }
        if count == 0 {
            continue;
        }
        let (colour, _, shape) = look(group);
        let (fill, stroke) = if shape == Shape::Ring { ("none", colour) } else { (colour, INK) };
        w.create_element("path")
            .with_attribute(("data-group", group.map_or("none".to_owned(), |g| g.to_string()).as_str()))
            .with_attribute(("data-participants", count.to_string().as_str()))
            .with_attribute(("fill", fill))
            .with_attribute(("fill-opacity", "0.85"))
            .with_attribute(("stroke", stroke))
            .with_attribute(("stroke-width", "1"))
            .with_attribute(("d", d.as_str()))
            .write_empty()?;
    }
    Ok(())
}

/// Density: the map in a grid of cells, and in each cell one mark per group present, at the
/// mean place of its people there, its area in proportion to their number.
fn cells(w: &mut Writer<Vec<u8>>, map: &OpinionMap, frame: &Frame) -> io::Result<()> {
    let groups = map.groups.len();
    let cell = PLOT / CELLS as f64;
    // (count, sum of x, sum of y) per group (the last for none) and cell.
    let mut bins = vec![(0usize, 0.0f64, 0.0f64); (groups + 1) * CELLS * CELLS];
    for dot in map.dots {
        let (x, y) = frame.place(dot);
        let column = (((x - MARGIN) / cell) as usize).min(CELLS - 1);
        let row = (((y - MARGIN) / cell) as usize).min(CELLS - 1);
        let g = group_of(dot, groups).unwrap_or(groups);
        let bin = &mut bins[(g * CELLS + row) * CELLS + column];
        *bin = (bin.0 + 1, bin.1 + x, bin.2 + y);
    }
    let fullest = bins.iter().map(|b| b.0).max().unwrap_or(1).max(1) as f64;
    for g in 0..=groups {
        let group = (g < groups).then_some(g);
        let (colour, _, shape) = look(group);
        let (fill, stroke) = if shape == Shape::Ring { ("none", colour) } else { (colour, INK) };
        let in_group = &bins[g * CELLS * CELLS..(g + 1) * CELLS * CELLS];
        let count: usize = in_group.iter().map(|b| b.0).sum();
        if count == 0 {
            continue;
        }
        w.create_element("g")
            .with_attribute(("data-group", group.map_or("none".to_owned(), |g| g.to_string()).as_str()))
            .with_attribute(("data-participants", count.to_string().as_str()))
            .with_attribute(("fill", fill))
            .with_attribute(("fill-opacity", "0.85"))
            .with_attribute(("stroke", stroke))
            .with_attribute(("stroke-width", "1"))
            .write_inner_content(|w| {
                for &(n, sx, sy) in in_group.iter().filter(|b| b.0 > 0) {
                    let r = (cell * 0.6 * (n as f64 / fullest).sqrt()).max(MARK * 0.6);
                    let mut d = String::new();
                    shape.path(&mut d, sx / n as f64, sy / n as f64, r);
                    w.create_element("path")
                        .with_attribute(("data-participants", n.to_string().as_str()))
                        .with_attribute(("d", d.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
    }
    Ok(())
}

/// Each group's label at the mean place of its people, over a white halo so it reads on marks.
fn group_labels(w: &mut Writer<Vec<u8>>, map: &OpinionMap, frame: &Frame) -> io::Result<()> {
    let groups = map.groups.len();
    let mut sums = vec![(0usize, 0.0f64, 0.0f64); groups];
    for dot in map.dots {
        if let Some(g) = group_of(dot, groups) {
            let (x, y) = frame.place(dot);
            sums[g] = (sums[g].0 + 1, sums[g].1 + x, sums[g].2 + y);
        }
    }
    for (g, &(n, sx, sy)) in sums.iter().enumerate() {
        if n == 0 {
            continue;
        }
        // Kept whole inside the map's frame.
        let half = text_width(&map.groups[g].label, LABEL_SIZE) / 2.0 + 8.0;
        let x = (sx / n as f64).clamp(MARGIN + half, (MARGIN + PLOT - half).max(MARGIN + half));
        let y = (sy / n as f64 + LABEL_SIZE * 0.35).clamp(MARGIN + LABEL_SIZE, MARGIN + PLOT - 8.0);
        w.create_element("text")
            .with_attribute(("x", num(x).as_str()))
            .with_attribute(("y", num(y).as_str()))
            .with_attribute(("font-size", num(LABEL_SIZE).as_str()))
            .with_attribute(("font-weight", "bold"))
            .with_attribute(("text-anchor", "middle"))
            .with_attribute(("fill", INK))
            .with_attribute(("stroke", WHITE))
            .with_attribute(("stroke-width", "8"))
            .with_attribute(("stroke-linejoin", "round"))
            .with_attribute(("paint-order", "stroke"))
            .write_text_content(BytesText::new(&map.groups[g].label))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;
    use quick_xml::events::Event;

    fn group(label: &str, statements: &[(&str, Option<&str>)]) -> Group {
        Group {
            label: label.to_owned(),
            statements: statements
                .iter()
                .map(|(t, n)| Statement { text: (*t).to_owned(), note: n.map(str::to_owned) })
                .collect(),
        }
    }

    fn synthetic_groups() -> Vec<Group> {
        vec![
            group(
                "Group A",
                &[
                    ("Synthetic statement one: more evening clinics near bus routes", Some("80% of this group agree")),
                    ("Synthetic statement two", Some("70% of this group disagree")),
                ],
            ),
            group("Group B", &[("Synthetic statement three about waiting times for a first appointment", None)]),
            group("Group C", &[]),
        ]
    }

    /// Three clumps of participants and one in no group, placed by a fixed rule.
    fn synthetic_dots() -> Vec<Dot> {
        let mut dots = Vec::new();
        for (g, (cx, cy), n) in [(0, (-1.0, 0.5), 6), (1, (1.0, 0.4), 4), (2, (0.0, -1.0), 2)] {
            for i in 0..n {
                let t = f64::from(i);
                dots.push(Dot { x: cx + 0.1 * (t * 1.7).sin(), y: cy + 0.1 * (t * 2.3).cos(), group: Some(g) });
            }
        }
        dots.push(Dot { x: 0.1, y: 0.1, group: None });
        dots
    }

    /// Parses the SVG back, failing on anything that is not well-formed XML; returns the element
    /// names in order.
    fn parse(svg: &str) -> Vec<String> {
        let mut reader = Reader::from_str(svg);
        reader.config_mut().check_end_names = true;
        let mut names = Vec::new();
        let mut depth = 0i32;
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    depth += 1;
                    names.push(e.name().into_inner().to_owned());
                }
                Event::Empty(e) => names.push(e.name().into_inner().to_owned()),
                Event::End(_) => depth -= 1,
                Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0, "every element closed");
        names
    }

    /// The marks drawn: for each path with a participant count, its group (its own `data-group`
    /// or, for a density cell, its enclosing `<g>`'s), that count, and its subpaths: every mark's
    /// subpath starts with the one absolute move, `M` (a circle adds none: its arcs are relative).
    fn marks_by_group(svg: &str) -> Vec<(String, usize, usize)> {
        let mut found = Vec::new();
        let mut enclosing: Option<String> = None;
        let mut reader = Reader::from_str(svg);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) if e.name().into_inner() == "g" => {
                    enclosing = e.try_get_attribute("data-group").ok().flatten().map(|a| a.value.into_owned());
                }
                Event::End(e) if e.name().into_inner() == "g" => enclosing = None,
                Event::Empty(e) => {
                    let attr = |name: &str| e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned());
                    if let (Some(group), Some(count), Some(d)) =
                        (attr("data-group").or_else(|| enclosing.clone()), attr("data-participants"), attr("d"))
                    {
                        found.push((group, count.parse().expect("a count"), d.matches('M').count()));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        found
    }

    #[test]
    fn a_small_synthetic_map_as_svg() {
        let groups = synthetic_groups();
        let dots = synthetic_dots();
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups });
        insta::assert_snapshot!("small", drawn);
    }

    #[test]
    fn it_is_well_formed_and_every_participant_is_drawn_once() {
        let groups = synthetic_groups();
        let dots = synthetic_dots();
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups });
        let names = parse(&drawn);
        assert_eq!(names[0], "svg");
        assert_eq!(names.iter().filter(|n| *n == "title").count(), 1);
        assert_eq!(names.iter().filter(|n| *n == "desc").count(), 1);
        assert!(!names.iter().any(|n| n == "a"), "no links in an img");
        assert!(drawn.contains("role=\"img\"") && drawn.contains("aria-labelledby=\"opinion-map-title\""));
        let marks = marks_by_group(&drawn);
        let expected = [("0", 6), ("1", 4), ("2", 2), ("none", 1)];
        assert_eq!(marks.len(), expected.len(), "{marks:?}");
        for ((group, count, subpaths), (want_group, want)) in marks.iter().zip(expected) {
            assert_eq!((group.as_str(), *count, *subpaths), (want_group, want, want));
        }
        // The same picture parses as SVG too.
        assert!(resvg::usvg::Tree::from_str(&drawn, &resvg::usvg::Options::default()).is_ok());
    }

    #[test]
    fn groups_look_different_and_colour_is_not_the_only_cue() {
        let looks: Vec<(&str, Shape)> = (0..5).map(|g| look(Some(g))).map(|(c, _, s)| (c, s)).collect();
        for (i, a) in looks.iter().enumerate() {
            for b in &looks[i + 1..] {
                assert_ne!(a.0, b.0, "colours differ");
                assert_ne!(a.1, b.1, "shapes differ");
            }
        }
        assert!(looks.iter().all(|(c, _)| *c != GREY), "no group is grey, the colour of none");
        // Up to seven groups keep distinct colours, and no two of the first 42 look alike.
        let seven: std::collections::HashSet<&str> = (0..7).map(|g| look(Some(g)).0).collect();
        assert_eq!(seven.len(), 7);
        let many: std::collections::HashSet<(&str, Shape)> =
            (0..42).map(|g| look(Some(g))).map(|(c, _, s)| (c, s)).collect();
        assert_eq!(many.len(), 42);
        let groups = synthetic_groups();
        let dots = synthetic_dots();
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups });
        // Each group's label is drawn on the map and in the panel beside it.
        for label in ["Group A", "Group B", "Group C"] {
            assert_eq!(drawn.matches(&format!(">{label}</text>")).count(), 1, "{label} on the map");
            assert_eq!(drawn.matches(&format!(">{label}: ")).count(), 1, "{label} beside it");
        }
    }

    #[test]
    fn statements_and_labels_are_escaped() {
        let groups = vec![
            group("A & <B>", &[("Fear <script>alert(\"x\")</script> & shame", Some("5 < 6"))]),
            group("\"Quoted\"", &[]),
        ];
        let dots = [Dot { x: 0.0, y: 0.0, group: Some(0) }, Dot { x: 1.0, y: 1.0, group: Some(1) }];
        let drawn = svg(&OpinionMap { title: "Title & <more>", dots: &dots, groups: &groups });
        assert!(!drawn.contains("<script>"));
        assert!(!drawn.contains("<B>"));
        assert!(drawn.contains("Fear &lt;script&gt;alert("));
        assert!(drawn.contains("&amp; shame"));
        assert!(drawn.contains("5 &lt; 6"));
        assert!(drawn.contains("Opinion map: Title &amp; &lt;more&gt;"));
        parse(&drawn);
    }

    #[test]
    fn the_text_alternative_says_what_the_map_shows() {
        let groups = synthetic_groups();
        let dots = synthetic_dots();
        let rows = rows(&OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups });
        let summary: Vec<(&str, &str, usize, usize)> =
            rows.iter().map(|r| (r.label.as_str(), r.marks.as_str(), r.participants, r.statements.len())).collect();
        assert_eq!(
            summary,
            vec![
                ("Group A", "blue circles", 6, 2),
                ("Group B", "vermilion squares", 4, 1),
                ("Group C", "green triangles", 2, 0),
                ("Not in a group", "grey rings", 1, 0),
            ]
        );
        assert_eq!(rows[0].statements[0].note.as_deref(), Some("80% of this group agree"));
    }

    #[test]
    fn text_is_large_enough_for_a_room_and_the_picture_fits_its_content() {
        let many: Vec<(String, Option<&str>)> =
            (0..5).map(|i| (format!("Synthetic statement {i} ").repeat(8), Some("a note"))).collect();
        let statements: Vec<(&str, Option<&str>)> = many.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        let groups: Vec<Group> = (0..5).map(|g| group(&format!("Group {g}"), &statements)).collect();
        let dots: Vec<Dot> =
            (0..50).map(|i| Dot { x: f64::from(i), y: f64::from(i % 7), group: Some(i as usize % 5) }).collect();
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups });
        let sizes: Vec<f64> =
            drawn.split("font-size=\"").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect();
        assert!(!sizes.is_empty() && sizes.iter().all(|&s| s >= 22.0), "{sizes:?}");
        // Every line of text lies inside the picture's height.
        let height: f64 =
            drawn.split("height=\"").nth(1).and_then(|rest| rest.split('"').next()?.parse().ok()).expect("a height");
        let lowest = drawn
            .split("<text ")
            .skip(1)
            .filter_map(|t| t.split("y=\"").nth(1)?.split('"').next()?.parse::<f64>().ok())
            .fold(0.0, f64::max);
        assert!(height > 1_500.0, "grown for 25 long statements: {height}");
        assert!(lowest < height, "last line at {lowest}, picture {height} high");
        // Every mark lies inside the map's frame.
        let frame = Frame::fit(&dots);
        for dot in &dots {
            let (x, y) = frame.place(dot);
            assert!((MARGIN + INSET - 0.01..=MARGIN + PLOT - INSET + 0.01).contains(&x), "x {x}");
            assert!((MARGIN..=MARGIN + PLOT).contains(&y), "y {y}");
        }
    }

    /// A synthetic room of `n` participants in three groups, spread around three centres.
    fn room(n: usize) -> Vec<Dot> {
        (0..n)
            .map(|i| {
                let g = i % 3;
                let t = i as f64;
                let (cx, cy) = [(-2.0, 1.0), (2.0, 1.0), (0.0, -2.0)][g];
                Dot { x: cx + (t * 0.618).sin() * 1.3, y: cy + (t * 1.618).cos() * 1.1, group: Some(g) }
            })
            .collect()
    }

    #[test]
    fn above_the_threshold_it_draws_density_and_counts_everyone_once() {
        let groups = synthetic_groups();
        let at = room(DENSITY_ABOVE);
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &at, groups: &groups });
        assert!(drawn.contains("data-drawn=\"marks\""));
        let above = room(33_000);
        let drawn = svg(&OpinionMap { title: "Synthetic day", dots: &above, groups: &groups });
        assert!(drawn.contains("data-drawn=\"density\""));
        parse(&drawn);
        let cells = marks_by_group(&drawn);
        // Cells are the path elements inside each group's <g>: their counts add up to the room.
        let total: usize = cells.iter().map(|(_, count, _)| count).sum();
        assert_eq!(total, 33_000);
        for g in ["0", "1", "2"] {
            let in_group: usize = cells.iter().filter(|(group, _, _)| group == g).map(|(_, count, _)| count).sum();
            assert_eq!(in_group, 11_000, "group {g}");
        }
        assert!(cells.iter().all(|(_, _, subpaths)| *subpaths == 1));
        assert!(cells.len() <= 3 * CELLS * CELLS);
        assert!(drawn.contains(">Group A: 11,000 people</text>"));
        assert!(drawn.len() < 100_000, "{} bytes", drawn.len());
    }

    #[test]
    #[ignore = "a measurement: cargo test -p heard-web --lib sizes -- --ignored --nocapture"]
    fn sizes() {
        let groups = synthetic_groups();
        for n in [300, 1_000, 3_000, 10_000, 33_000] {
            let dots = room(n);
            let map = OpinionMap { title: "Synthetic day", dots: &dots, groups: &groups };
            for density in [false, true] {
                let start = std::time::Instant::now();
                let svg = drawn(&map, density);
                let took = start.elapsed();
                let how = if density { "density" } else { "marks" };
                println!("{n} participants as {how}: {} bytes in {took:?}", svg.len());
                if n == 300 || n == 33_000 {
                    std::fs::write(format!("/tmp/om-{n}-{how}.png"), crate::causes::picture::png(&svg).expect("png"))
                        .expect("w");
                }
            }
        }
    }
}
