//! The radar and the matrix drawn as inline SVG from their placement
//! (`heard_analysis::horizon`). Written with quick-xml's writer, so every title and address is
//! escaped by the writer, never pasted into markup. Each marker is a link with an accessible name
//! (an `aria-label` only: a `<title>` inside a link adds to its visible text, which then no longer
//! matches its name) saying what it is and how it moved; movement and candidacy are shown by shape
//! and outline, not colour alone; numbers stand inside the markers and the numbered list beside
//! the picture (in the page's template) carries the titles, so no label can overlap another.

use std::io;

use heard_analysis::horizon::matrix::{self, Matrix};
use heard_analysis::horizon::radar::{self, Cell, Dot, Movement, Radar, polar};
use heard_analysis::horizon::{Marker, Point};
use quick_xml::Writer;
use quick_xml::events::BytesText;

const INK: &str = "#0b0c0c";
const BLUE: &str = "#1d70b8";
const GREY: &str = "#b1b4b6";
const LIGHT: &str = "#f3f2f1";
const WHITE: &str = "#ffffff";

/// A signal on the radar.
#[derive(Debug, Clone)]
pub struct RadarEntry {
    pub title: String,
    pub href: String,
    pub dot: Dot,
}

/// The radar's words: its title, the sectors' names, and each ring's short and long name.
#[derive(Debug, Clone)]
pub struct RadarLabels<'a> {
    pub title: &'a str,
    pub sectors: &'a [&'a str],
    /// (short, long), e.g. ("H1", "H1, 0 to 2 years").
    pub rings: &'a [(&'a str, &'a str)],
}

/// The radar placed and drawn.
#[derive(Debug, Clone)]
pub struct RadarPicture {
    pub svg: String,
    pub radar: Radar,
}

/// Room beside the circle for the sectors' names.
const SIDE: f64 = 150.0;
const TOP: f64 = 40.0;

pub fn radar(labels: &RadarLabels<'_>, entries: &[RadarEntry]) -> io::Result<RadarPicture> {
    let shape = radar::Shape::new(labels.rings.len(), labels.sectors.len());
    let dots: Vec<Dot> = entries.iter().map(|entry| entry.dot).collect();
    let radar = radar::place(shape, &dots);
    let r = radar.radius();
    let view = format!("{} {} {} {}", num(-r - SIDE), num(-r - TOP), num(2.0 * (r + SIDE)), num(2.0 * (r + TOP)));
    let mut w = Writer::new(Vec::new());
    w.create_element("svg")
        .with_attribute(("xmlns", "http://www.w3.org/2000/svg"))
        .with_attribute(("class", "heard-picture"))
        .with_attribute(("viewBox", view.as_str()))
        .with_attribute(("width", "100%"))
        .with_attribute(("role", "group"))
        .with_attribute(("aria-labelledby", "radar-title"))
        .with_attribute(("font-family", "arial, sans-serif"))
        .with_attribute(("data-picture", "radar"))
        .write_inner_content(|w| {
            w.create_element("title")
                .with_attribute(("id", "radar-title"))
                .write_text_content(BytesText::new(labels.title))?;
            draw_radar_background(w, &radar, labels)?;
            for placed in &radar.placed {
                let entry = &entries[placed.input];
                let name = radar_name(placed.number, entry, placed.cell, placed.movement, labels);
                w.create_element("a")
                    .with_attribute(("href", entry.href.as_str()))
                    .with_attribute(("aria-label", name.as_str()))
                    .with_attribute(("data-number", placed.number.to_string().as_str()))
                    .with_attribute(("data-movement", movement_code(placed.movement)))
                    .write_inner_content(|w| {
                        let angle = placed.at.x.atan2(-placed.at.y);
                        radar_marker(w, radar.shape.marker, placed.at, angle, placed.movement)?;
                        number(w, placed.at, placed.number)
                    })?;
            }
            Ok(())
        })?;
    Ok(RadarPicture { svg: into_string(w)?, radar })
}

fn draw_radar_background(w: &mut Writer<Vec<u8>>, radar: &Radar, labels: &RadarLabels<'_>) -> io::Result<()> {
    let r = radar.radius();
    w.create_element("g").with_attribute(("aria-hidden", "true")).write_inner_content(|w| {
        for sector in 0..radar.shape.sectors {
            let (start, end) = radar.sector_angles(sector);
            let (a, b) = (polar(r, start), polar(r, end));
            let large = if end - start > std::f64::consts::PI { 1 } else { 0 };
            let wedge = format!(
                "M 0 0 L {} {} A {} {} 0 {large} 1 {} {} Z",
                num(a.x),
                num(a.y),
                num(r),
                num(r),
                num(b.x),
                num(b.y)
            );
            let fill = if sector % 2 == 0 { LIGHT } else { WHITE };
            w.create_element("path")
                .with_attribute(("d", wedge.as_str()))
                .with_attribute(("fill", fill))
                .with_attribute(("stroke", GREY))
                .write_empty()?;
            let mid = (start + end) / 2.0;
            let at = polar(r + 14.0, mid);
            let anchor = match mid.sin() {
                s if s > 0.2 => "start",
                s if s < -0.2 => "end",
                _ => "middle",
            };
            let baseline = if mid.cos() > 0.2 {
                "auto"
            } else if mid.cos() < -0.2 {
                "hanging"
            } else {
                "middle"
            };
            let name = labels.sectors.get(sector).copied().unwrap_or("");
            w.create_element("text")
                .with_attribute(("x", num(at.x).as_str()))
                .with_attribute(("y", num(at.y).as_str()))
                .with_attribute(("text-anchor", anchor))
                .with_attribute(("dominant-baseline", baseline))
                .with_attribute(("font-size", "16"))
                .with_attribute(("font-weight", "bold"))
                .with_attribute(("fill", INK))
                .write_text_content(BytesText::new(name))?;
        }
        let mut inner = 0.0;
        for (ring, outer) in radar.ring_radii.iter().enumerate() {
            w.create_element("circle")
                .with_attribute(("r", num(*outer).as_str()))
                .with_attribute(("fill", "none"))
                .with_attribute(("stroke", INK))
                .write_empty()?;
            // In the lane kept clear at the top.
            let name = labels.rings.get(ring).map(|(short, _)| *short).unwrap_or("");
            w.create_element("text")
                .with_attribute(("x", "0"))
                .with_attribute(("y", num(-(inner + outer) / 2.0).as_str()))
                .with_attribute(("text-anchor", "middle"))
                .with_attribute(("dominant-baseline", "middle"))
                .with_attribute(("font-size", "12"))
                .with_attribute(("font-weight", "bold"))
                .with_attribute(("fill", INK))
                .write_text_content(BytesText::new(name))?;
            inner = *outer;
        }
        Ok(())
    })?;
    Ok(())
}

/// A circle; a thick arc on the side it came from when it moved between rings (the outer half
/// for a move in, the inner half for a move out); a dashed outline when it moved sector.
fn radar_marker(w: &mut Writer<Vec<u8>>, marker: Marker, at: Point, angle: f64, movement: Movement) -> io::Result<()> {
    let mut circle = w
        .create_element("circle")
        .with_attribute(("cx", num(at.x).as_str()))
        .with_attribute(("cy", num(at.y).as_str()))
        .with_attribute(("r", num(marker.radius).as_str()))
        .with_attribute(("fill", BLUE))
        .with_attribute(("stroke", INK))
        .with_attribute(("class", "heard-marker"));
    if movement == Movement::Across {
        circle = circle.with_attribute(("stroke-dasharray", "3 2")).with_attribute(("stroke-width", "2"));
    }
    circle.write_empty()?;
    let facing = match movement {
        Movement::In => angle,
        Movement::Out => angle + std::f64::consts::PI,
        Movement::Unchanged | Movement::Across => return Ok(()),
    };
    let half = std::f64::consts::FRAC_PI_2;
    let rr = marker.radius - 1.0;
    let (a, b) = (polar(rr, facing - half), polar(rr, facing + half));
    let d = format!(
        "M {} {} A {} {} 0 0 1 {} {}",
        num(at.x + a.x),
        num(at.y + a.y),
        num(rr),
        num(rr),
        num(at.x + b.x),
        num(at.y + b.y)
    );
    w.create_element("path")
        .with_attribute(("d", d.as_str()))
        .with_attribute(("fill", "none"))
        .with_attribute(("stroke", INK))
        .with_attribute(("stroke-width", "3"))
        .write_empty()?;
    Ok(())
}

fn number(w: &mut Writer<Vec<u8>>, at: Point, number: usize) -> io::Result<()> {
    let size = if number >= 100 { "8" } else { "10" };
    w.create_element("text")
        .with_attribute(("x", num(at.x).as_str()))
        .with_attribute(("y", num(at.y).as_str()))
        .with_attribute(("text-anchor", "middle"))
        .with_attribute(("dominant-baseline", "central"))
        .with_attribute(("font-size", size))
        .with_attribute(("font-weight", "bold"))
        .with_attribute(("fill", WHITE))
        .with_attribute(("aria-hidden", "true"))
        .write_text_content(BytesText::new(&number.to_string()))?;
    Ok(())
}

fn radar_name(number: usize, entry: &RadarEntry, cell: Cell, movement: Movement, labels: &RadarLabels<'_>) -> String {
    let ring = |ring: usize| labels.rings.get(ring).map(|(_, long)| *long).unwrap_or("");
    let sector = |sector: usize| labels.sectors.get(sector).copied().unwrap_or("");
    let moved = match (movement, entry.dot.previous) {
        (Movement::In, Some(previous)) => format!(", moved in from {}", ring(previous.ring)),
        (Movement::Out, Some(previous)) => format!(", moved out from {}", ring(previous.ring)),
        (Movement::Across, Some(previous)) => format!(", moved from {}", sector(previous.sector)),
        _ => String::new(),
    };
    format!("{number}. {}: {}, {}{moved}", entry.title, sector(cell.sector), ring(cell.ring))
}

/// The movement as a word, for tests and the page's list.
pub fn movement_code(movement: Movement) -> &'static str {
    match movement {
        Movement::Unchanged => "unchanged",
        Movement::In => "in",
        Movement::Out => "out",
        Movement::Across => "across",
    }
}

/// A driver or a signal on the matrix.
#[derive(Debug, Clone)]
pub struct MatrixEntry {
    pub title: String,
    pub href: String,
    pub item: matrix::Item,
    /// Drivers are squares, signals circles.
    pub driver: bool,
}

/// The matrix placed and drawn.
#[derive(Debug, Clone)]
pub struct MatrixPicture {
    pub svg: String,
    pub matrix: Matrix,
}

const LEFT: f64 = 70.0;
const ABOVE: f64 = 36.0;
const BELOW: f64 = 60.0;
const RIGHT: f64 = 16.0;

pub fn matrix(title: &str, entries: &[MatrixEntry]) -> io::Result<MatrixPicture> {
    let items: Vec<matrix::Item> = entries.iter().map(|entry| entry.item).collect();
    let matrix = matrix::place(Marker::default(), 90.0, &items);
    let side = matrix.side();
    let cell = matrix.cell;
    let view = format!("{} {} {} {}", num(-LEFT), num(-ABOVE), num(LEFT + side + RIGHT), num(ABOVE + side + BELOW));
    let mut w = Writer::new(Vec::new());
    w.create_element("svg")
        .with_attribute(("xmlns", "http://www.w3.org/2000/svg"))
        .with_attribute(("class", "heard-picture"))
        .with_attribute(("viewBox", view.as_str()))
        .with_attribute(("width", "100%"))
        .with_attribute(("role", "group"))
        .with_attribute(("aria-labelledby", "matrix-title"))
        .with_attribute(("font-family", "arial, sans-serif"))
        .with_attribute(("data-picture", "matrix"))
        .write_inner_content(|w| {
            w.create_element("title")
                .with_attribute(("id", "matrix-title"))
                .write_text_content(BytesText::new(title))?;
            w.create_element("g").with_attribute(("aria-hidden", "true")).write_inner_content(|w| {
                w.create_element("defs").write_inner_content(|w| {
                    w.create_element("pattern")
                        .with_attribute(("id", "heard-candidates"))
                        .with_attribute(("width", "10"))
                        .with_attribute(("height", "10"))
                        .with_attribute(("patternUnits", "userSpaceOnUse"))
                        .with_attribute(("patternTransform", "rotate(45)"))
                        .write_inner_content(|w| {
                            rect(w, 0.0, 0.0, 10.0, 10.0, LIGHT, "none")?;
                            w.create_element("line")
                                .with_attribute(("x1", "0"))
                                .with_attribute(("y1", "0"))
                                .with_attribute(("x2", "0"))
                                .with_attribute(("y2", "10"))
                                .with_attribute(("stroke", GREY))
                                .with_attribute(("stroke-width", "3"))
                                .write_empty()?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
                rect(w, 0.0, 0.0, side, side, WHITE, INK)?;
                // The candidates' corner: hatched, outlined thickly, and named above the grid.
                let corner = matrix.cell_origin(matrix::SCALE, matrix::CANDIDATE);
                let extent = f64::from(matrix::SCALE - matrix::CANDIDATE + 1) * cell;
                w.create_element("rect")
                    .with_attribute(("x", num(corner.x).as_str()))
                    .with_attribute(("y", num(corner.y).as_str()))
                    .with_attribute(("width", num(extent).as_str()))
                    .with_attribute(("height", num(extent).as_str()))
                    .with_attribute(("fill", "url(#heard-candidates)"))
                    .with_attribute(("stroke", INK))
                    .with_attribute(("stroke-width", "4"))
                    .write_empty()?;
                label(w, corner.x + extent / 2.0, -12.0, "middle", "Candidates for scenario axes", 14)?;
                for k in 1..matrix::SCALE {
                    let at = num(f64::from(k) * cell);
                    line(w, &at, "0", &at, &num(side))?;
                    line(w, "0", &at, &num(side), &at)?;
                }
                for score in 1..=matrix::SCALE {
                    let middle = f64::from(score - 1) * cell + cell / 2.0;
                    label(w, middle, side + 20.0, "middle", &score.to_string(), 14)?;
                    label(w, -14.0, side - middle, "end", &score.to_string(), 14)?;
                }
                label(w, side / 2.0, side + 48.0, "middle", "Uncertainty", 16)?;
                w.create_element("text")
                    .with_attribute((
                        "transform",
                        format!("translate({} {}) rotate(-90)", num(-48.0), num(side / 2.0)).as_str(),
                    ))
                    .with_attribute(("text-anchor", "middle"))
                    .with_attribute(("font-size", "16"))
                    .with_attribute(("font-weight", "bold"))
                    .with_attribute(("fill", INK))
                    .write_text_content(BytesText::new("Impact"))?;
                Ok(())
            })?;
            for placed in &matrix.placed {
                let entry = &entries[placed.input];
                let kind = if entry.driver { "driver" } else { "signal" };
                let candidate = if placed.candidate { ", a candidate for a scenario axis" } else { "" };
                let name = format!(
                    "{}. {} ({kind}): impact {}, uncertainty {}{candidate}",
                    placed.number, entry.title, placed.item.impact, placed.item.uncertainty
                );
                w.create_element("a")
                    .with_attribute(("href", entry.href.as_str()))
                    .with_attribute(("aria-label", name.as_str()))
                    .with_attribute(("data-number", placed.number.to_string().as_str()))
                    .with_attribute(("data-candidate", if placed.candidate { "true" } else { "false" }))
                    .write_inner_content(|w| {
                        matrix_marker(w, matrix.marker, placed.at, entry.driver, placed.candidate)?;
                        number(w, placed.at, placed.number)
                    })?;
            }
            Ok(())
        })?;
    Ok(MatrixPicture { svg: into_string(w)?, matrix })
}

/// A driver a square, a signal a circle; a candidate drawn with a thick outline.
fn matrix_marker(w: &mut Writer<Vec<u8>>, marker: Marker, at: Point, driver: bool, candidate: bool) -> io::Result<()> {
    let stroke_width = if candidate { "3" } else { "1" };
    let r = marker.radius;
    let element = if driver {
        let side = num(2.0 * r * 0.9);
        w.create_element("rect")
            .with_attribute(("x", num(at.x - r * 0.9).as_str()))
            .with_attribute(("y", num(at.y - r * 0.9).as_str()))
            .with_attribute(("width", side.as_str()))
            .with_attribute(("height", side.as_str()))
    } else {
        w.create_element("circle")
            .with_attribute(("cx", num(at.x).as_str()))
            .with_attribute(("cy", num(at.y).as_str()))
            .with_attribute(("r", num(r).as_str()))
    };
    element
        .with_attribute(("fill", BLUE))
        .with_attribute(("stroke", INK))
        .with_attribute(("stroke-width", stroke_width))
        .with_attribute(("class", "heard-marker"))
        .write_empty()?;
    Ok(())
}

fn rect(w: &mut Writer<Vec<u8>>, x: f64, y: f64, width: f64, height: f64, fill: &str, stroke: &str) -> io::Result<()> {
    w.create_element("rect")
        .with_attribute(("x", num(x).as_str()))
        .with_attribute(("y", num(y).as_str()))
        .with_attribute(("width", num(width).as_str()))
        .with_attribute(("height", num(height).as_str()))
        .with_attribute(("fill", fill))
        .with_attribute(("stroke", stroke))
        .write_empty()?;
    Ok(())
}

fn line(w: &mut Writer<Vec<u8>>, x1: &str, y1: &str, x2: &str, y2: &str) -> io::Result<()> {
    w.create_element("line")
        .with_attribute(("x1", x1))
        .with_attribute(("y1", y1))
        .with_attribute(("x2", x2))
        .with_attribute(("y2", y2))
        .with_attribute(("stroke", GREY))
        .write_empty()?;
    Ok(())
}

fn label(w: &mut Writer<Vec<u8>>, x: f64, y: f64, anchor: &str, text: &str, size: u8) -> io::Result<()> {
    w.create_element("text")
        .with_attribute(("x", num(x).as_str()))
        .with_attribute(("y", num(y).as_str()))
        .with_attribute(("text-anchor", anchor))
        .with_attribute(("dominant-baseline", "middle"))
        .with_attribute(("font-size", size.to_string().as_str()))
        .with_attribute(("fill", INK))
        .write_text_content(BytesText::new(text))?;
    Ok(())
}

/// A coordinate to one decimal place; `-0.0` written as `0`.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded == 0.0 { "0".to_owned() } else { format!("{rounded}") }
}

fn into_string(w: Writer<Vec<u8>>) -> io::Result<String> {
    String::from_utf8(w.into_inner()).map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECTORS: [&str; 7] = ["Social", "Technological", "Economic", "Environmental", "Political", "Values", "Legal"];
    const RINGS: [(&str, &str); 3] =
        [("H1", "H1, 0 to 2 years"), ("H2", "H2, 2 to 5 years"), ("H3", "H3, 5 years or more")];

    fn labels() -> RadarLabels<'static> {
        RadarLabels { title: "Signals by horizon and category", sectors: &SECTORS, rings: &RINGS }
    }

    fn entry(title: &str, id: usize, ring: usize, sector: usize, previous: Option<(usize, usize)>) -> RadarEntry {
        RadarEntry {
            title: title.to_owned(),
            href: format!("/signals/{id}"),
            dot: Dot { cell: Cell { ring, sector }, previous: previous.map(|(ring, sector)| Cell { ring, sector }) },
        }
    }

    #[test]
    fn radar_snapshot() {
        let entries = [
            entry("Remote monitoring at home", 1, 0, 1, Some((1, 1))),
            entry("Carers' <unpaid> hours & costs", 2, 1, 2, None),
            entry("Heatwaves \"every summer\"", 3, 2, 3, Some((1, 3))),
            entry("Duty to involve", 4, 1, 6, Some((1, 4))),
            entry("Trust in services", 5, 1, 0, Some((1, 0))),
        ];
        let picture = radar(&labels(), &entries).unwrap();
        insta::assert_snapshot!("radar", picture.svg);
    }

    #[test]
    fn matrix_snapshot() {
        let entries = [
            MatrixEntry {
                title: "Ageing & care".into(),
                href: "/drivers/1".into(),
                item: matrix::Item { impact: 5, uncertainty: 4 },
                driver: true,
            },
            MatrixEntry {
                title: "<Digital> exclusion".into(),
                href: "/drivers/2".into(),
                item: matrix::Item { impact: 3, uncertainty: 2 },
                driver: true,
            },
            MatrixEntry {
                title: "Heatwaves".into(),
                href: "/signals/3".into(),
                item: matrix::Item { impact: 4, uncertainty: 5 },
                driver: false,
            },
        ];
        let picture = matrix("Drivers and signals by impact and uncertainty", &entries).unwrap();
        insta::assert_snapshot!("matrix", picture.svg);
    }

    #[test]
    fn user_text_is_escaped_and_every_marker_is_a_link() {
        let entries: Vec<RadarEntry> = (0..200)
            .map(|i| entry("<script>alert(1)</script> & \"quotes\"", i, i % 3, i % 7, Some(((i + 1) % 3, i % 7))))
            .collect();
        let picture = radar(&labels(), &entries).unwrap();
        assert!(!picture.svg.contains("<script>"));
        assert!(picture.svg.contains("&lt;script&gt;"));
        assert_eq!(picture.svg.matches("<a href=\"/signals/").count(), 200);
        assert_eq!(picture.svg.matches("aria-label=").count(), 200);
        assert!(picture.svg.contains("data-movement=\"in\"") && picture.svg.contains("data-movement=\"out\""));
    }
}
