//! A cause map drawn as SVG (and PNG) from its layered layout (`heard_analysis::causes::layout`).
//!
//! Written with quick-xml's writer, so every label and address is escaped by the writer, never
//! pasted into markup. Inlined in a page, the picture is a `group` named by its `<title>` (not an
//! `img`, whose children are presentational, which would hide the links inside): each factor is a
//! link to its evidence with an accessible name of its label and evidence count. The central event
//! is dark with bold text; highlighted loops are thick dashed arrows, root causes a thick outline
//! and a "Root cause" tab, and a legend says so: never colour alone. Text is 12px or more and the
//! picture keeps its size (the page scrolls it) rather than shrinking at 100 factors.
//!
//! Its items are `pub` only so that `heard_web::bench` can reach them for the benchmark.
//!
//! The PNG is the same SVG drawn by resvg with DejaVu Sans embedded (the `dejavu` crate), so it has
//! text on a server with no fonts installed.

use std::collections::HashSet;
use std::io;
use std::sync::Arc;

use heard_analysis::causes::layout::{LABEL_SIZE, LINE_HEIGHT, Layout, NOTE_HEIGHT, NOTE_SIZE, PADDING_X, PADDING_Y};
use heard_analysis::causes::{Analysis, CauseMap};
use quick_xml::Writer;
use quick_xml::events::BytesText;
use resvg::{tiny_skia, usvg};

const INK: &str = "#0b0c0c";
const BLUE: &str = "#1d70b8";
const RED: &str = "#d4351c";
const GREY: &str = "#505a5f";
const LIGHT: &str = "#f3f2f1";
const WHITE: &str = "#ffffff";
const FONT: &str = "arial, sans-serif";
/// Room above the map for the legend.
const LEGEND_HEIGHT: f64 = 64.0;

/// What the picture shows on a factor besides its label.
pub struct FactorMark<'a> {
    /// Where its evidence is.
    pub href: &'a str,
    pub insights: usize,
    /// Distinct people heard in its evidence.
    pub participants: usize,
    pub tags: &'a [String],
}

/// What to pick out, on request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Highlight {
    pub loops: bool,
    pub root_causes: bool,
}

pub struct Picture<'a> {
    pub title: &'a str,
    pub map: &'a CauseMap,
    pub layout: &'a Layout,
    pub analysis: &'a Analysis,
    /// One per factor, in factor order.
    pub marks: &'a [FactorMark<'a>],
    pub highlight: Highlight,
}

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the picture's SVG could not be read: {0}")]
    Svg(#[from] usvg::Error),
    #[error("the picture is too large to draw ({0} by {1} pixels)")]
    TooLarge(u32, u32),
    #[error("the PNG could not be encoded: {0}")]
    Png(String),
}

/// The picture as an SVG document, ready to inline in a page or download.
pub fn svg(picture: &Picture) -> String {
    let mut w = Writer::new(Vec::new());
    // Writing into memory cannot fail; an error here would be quick-xml's own.
    match write_svg(&mut w, picture) {
        Ok(()) => String::from_utf8_lossy(&w.into_inner()).into_owned(),
        Err(e) => {
            tracing::error!("writing a cause map's SVG: {e}");
            String::new()
        }
    }
}

/// A number as SVG wants it: at most one decimal, no trailing ".0".
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{}", rounded as i64) } else { format!("{rounded:.1}") }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The evidence line on a factor.
fn evidence(mark: Option<&FactorMark>) -> String {
    match mark {
        Some(m) if m.insights > 0 || m.participants > 0 => {
            format!("{} · {}", plural(m.insights, "insight", "insights"), plural(m.participants, "person", "people"))
        }
        _ => "No evidence yet".to_owned(),
    }
}

/// The arrows in some loop: both ends in one strongly connected component (every such arrow lies
/// on a cycle), whether or not the bounded enumeration listed that loop.
fn loop_arrows(analysis: &Analysis, map: &CauseMap) -> HashSet<(usize, usize)> {
    let mut cluster_of = vec![usize::MAX; map.factors.len()];
    for (c, members) in analysis.clusters.iter().enumerate() {
        for &m in members {
            if m < cluster_of.len() {
                cluster_of[m] = c;
            }
        }
    }
    map.arrows
        .iter()
        .copied()
        .filter(|&(a, b)| {
            a == b
                || (a < cluster_of.len()
                    && b < cluster_of.len()
                    && cluster_of[a] != usize::MAX
                    && cluster_of[a] == cluster_of[b])
        })
        .collect()
}

/// An arrow's route as a path: curves with level ends between points at different heights, so
/// arrows leave and enter boxes straight; lines along a column's gap.
fn route(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        if i == 0 {
            d.push_str(&format!("M {} {}", num(x), num(y)));
            continue;
        }
        let (px, py) = points[i - 1];
        if (x - px).abs() < 0.5 || (y - py).abs() < 0.5 {
            d.push_str(&format!(" L {} {}", num(x), num(y)));
        } else {
            let mid = (px + x) / 2.0;
            d.push_str(&format!(" C {} {} {} {} {} {}", num(mid), num(py), num(mid), num(y), num(x), num(y)));
        }
    }
    d
}

fn write_svg(w: &mut Writer<Vec<u8>>, picture: &Picture) -> io::Result<()> {
    let layout = picture.layout;
    let width = layout.width.max(560.0);
    let height = layout.height + LEGEND_HEIGHT;
    let view = format!("0 0 {} {}", num(width), num(height));
    let central = picture.map.central;
    let roots: HashSet<usize> = if picture.highlight.root_causes {
        picture.analysis.root_causes.iter().copied().collect()
    } else {
        HashSet::new()
    };
    let in_loops = if picture.highlight.loops { loop_arrows(picture.analysis, picture.map) } else { HashSet::new() };
    let description = format!(
        "{} with {} and {}, reading left to right towards the central event{}.",
        plural(picture.map.factors.len(), "factor", "factors"),
        plural(picture.map.arrows.len(), "arrow", "arrows"),
        plural(picture.analysis.loops.len(), "loop", "loops"),
        picture.map.factors.get(central).map(|c| format!(", {c}")).unwrap_or_default()
    );
    w.create_element("svg")
        .with_attribute(("xmlns", "http://www.w3.org/2000/svg"))
        .with_attribute(("class", "heard-picture"))
        .with_attribute(("viewBox", view.as_str()))
        .with_attribute(("width", num(width).as_str()))
        .with_attribute(("height", num(height).as_str()))
        .with_attribute(("role", "group"))
        .with_attribute(("aria-labelledby", "cause-map-title"))
        .with_attribute(("aria-describedby", "cause-map-desc"))
        .with_attribute(("font-family", FONT))
        .with_attribute(("data-picture", "cause-map"))
        .write_inner_content(|w| {
            w.create_element("title")
                .with_attribute(("id", "cause-map-title"))
                .write_text_content(BytesText::new(&format!("Cause map: {}", picture.title)))?;
            w.create_element("desc")
                .with_attribute(("id", "cause-map-desc"))
                .write_text_content(BytesText::new(&description))?;
            w.create_element("rect")
                .with_attribute(("width", num(width).as_str()))
                .with_attribute(("height", num(height).as_str()))
                .with_attribute(("fill", WHITE))
                .write_empty()?;
            w.create_element("defs").write_inner_content(|w| {
                marker(w, "cause-map-arrow", INK)?;
                marker(w, "cause-map-arrow-loop", RED)
            })?;
            legend(w, picture.highlight)?;
            w.create_element("g")
                .with_attribute(("transform", format!("translate(0 {})", num(LEGEND_HEIGHT)).as_str()))
                .write_inner_content(|w| {
                    if let Some(y) = layout.apart_y {
                        apart_heading(w, y, width)?;
                    }
                    arrows(w, picture, &in_loops)?;
                    for node in &layout.nodes {
                        factor(w, picture, node, node.factor == central, roots.contains(&node.factor))?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn marker(w: &mut Writer<Vec<u8>>, id: &str, colour: &str) -> io::Result<()> {
    w.create_element("marker")
        .with_attribute(("id", id))
        .with_attribute(("viewBox", "0 0 10 10"))
        .with_attribute(("refX", "9"))
        .with_attribute(("refY", "5"))
        .with_attribute(("markerWidth", "10"))
        .with_attribute(("markerHeight", "10"))
        .with_attribute(("markerUnits", "userSpaceOnUse"))
        .with_attribute(("orient", "auto"))
        .write_inner_content(|w| {
            w.create_element("path")
                .with_attribute(("d", "M 0 0 L 10 5 L 0 10 z"))
                .with_attribute(("fill", colour))
                .write_empty()?;
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

/// The legend: what the arrows and the marks mean, the highlights only when shown.
fn legend(w: &mut Writer<Vec<u8>>, highlight: Highlight) -> io::Result<()> {
    w.create_element("g").with_attribute(("class", "heard-cause-map-legend")).write_inner_content(|w| {
        let y = 24.0;
        let mut x = 24.0;
        w.create_element("rect")
            .with_attribute(("x", num(x).as_str()))
            .with_attribute(("y", num(y - 12.0).as_str()))
            .with_attribute(("width", "24"))
            .with_attribute(("height", "18"))
            .with_attribute(("fill", INK))
            .write_empty()?;
        text(w, x + 32.0, y + 2.0, 14.0, false, INK, "Central event")?;
        x += 150.0;
        w.create_element("path")
            .with_attribute((
                "d",
                format!("M {} {} L {} {}", num(x), num(y - 3.0), num(x + 40.0), num(y - 3.0)).as_str(),
            ))
            .with_attribute(("stroke", INK))
            .with_attribute(("stroke-width", "1.5"))
            .with_attribute(("marker-end", "url(#cause-map-arrow)"))
            .write_empty()?;
        text(w, x + 48.0, y + 2.0, 14.0, false, INK, "Contributes to")?;
        x += 170.0;
        if highlight.loops {
            w.create_element("path")
                .with_attribute((
                    "d",
                    format!("M {} {} L {} {}", num(x), num(y - 3.0), num(x + 40.0), num(y - 3.0)).as_str(),
                ))
                .with_attribute(("stroke", RED))
                .with_attribute(("stroke-width", "3.5"))
                .with_attribute(("stroke-dasharray", "10 5"))
                .with_attribute(("marker-end", "url(#cause-map-arrow-loop)"))
                .write_empty()?;
            text(w, x + 48.0, y + 2.0, 14.0, false, INK, "In a loop (thick, dashed)")?;
            x += 240.0;
        }
        if highlight.root_causes {
            w.create_element("rect")
                .with_attribute(("x", num(x).as_str()))
                .with_attribute(("y", num(y - 12.0).as_str()))
                .with_attribute(("width", "24"))
                .with_attribute(("height", "18"))
                .with_attribute(("fill", WHITE))
                .with_attribute(("stroke", BLUE))
                .with_attribute(("stroke-width", "4"))
                .write_empty()?;
            text(w, x + 32.0, y + 2.0, 14.0, false, INK, "Root cause (thick outline, tab)")?;
        }
        text(w, 24.0, y + 28.0, 12.0, false, GREY, "Arrows that go back leave a factor on its left and bow below.")
    })?;
    Ok(())
}

fn apart_heading(w: &mut Writer<Vec<u8>>, y: f64, width: f64) -> io::Result<()> {
    w.create_element("path")
        .with_attribute(("d", format!("M 12 {} L {} {}", num(y), num(width - 12.0), num(y)).as_str()))
        .with_attribute(("stroke", GREY))
        .with_attribute(("stroke-dasharray", "6 4"))
        .write_empty()?;
    text(w, 24.0, y + 22.0, 14.0, true, INK, "Not linked to the central event")
}

fn arrows(w: &mut Writer<Vec<u8>>, picture: &Picture, in_loops: &HashSet<(usize, usize)>) -> io::Result<()> {
    w.create_element("g")
        .with_attribute(("aria-hidden", "true"))
        .with_attribute(("fill", "none"))
        .write_inner_content(|w| {
            // Loop arrows last, so they lie on top.
            let (looped, plain): (Vec<_>, Vec<_>) =
                picture.layout.edges.iter().partition(|e| in_loops.contains(&(e.from, e.to)));
            for edge in plain {
                let mut path = w
                    .create_element("path")
                    .with_attribute(("d", route(&edge.points).as_str()))
                    .with_attribute(("stroke", INK))
                    .with_attribute(("stroke-width", "1.5"))
                    .with_attribute(("marker-end", "url(#cause-map-arrow)"));
                if edge.backward {
                    path = path.with_attribute(("data-backward", "true"));
                }
                path.write_empty()?;
            }
            for edge in looped {
                w.create_element("path")
                    .with_attribute(("d", route(&edge.points).as_str()))
                    .with_attribute(("stroke", RED))
                    .with_attribute(("stroke-width", "3.5"))
                    .with_attribute(("stroke-dasharray", "10 5"))
                    .with_attribute(("marker-end", "url(#cause-map-arrow-loop)"))
                    .with_attribute(("data-loop", "true"))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn factor(
    w: &mut Writer<Vec<u8>>,
    picture: &Picture,
    node: &heard_analysis::causes::layout::NodeBox,
    central: bool,
    root: bool,
) -> io::Result<()> {
    let label = picture.map.factors.get(node.factor).map_or("", String::as_str);
    let mark = picture.marks.get(node.factor);
    let note = evidence(mark);
    // The name starts with the words drawn, in the order drawn, so speech matches sight.
    let tab = if root { "Root cause: " } else { "" };
    let mut name = format!("{tab}{label}: {}", note.replace(" · ", ", "));
    if central {
        name.push_str("; the central event");
    }
    if root {
        name.push_str("; a root cause");
    }
    if let Some(m) = mark.filter(|m| !m.tags.is_empty()) {
        name.push_str(&format!("; tags: {}", m.tags.join(", ")));
    }
    let href = mark.map_or("#", |m| m.href);
    let (fill, ink, stroke, stroke_width) = match (central, root) {
        (true, _) => (INK, WHITE, INK, "3"),
        (false, true) => (WHITE, INK, BLUE, "4"),
        (false, false) => (LIGHT, INK, INK, "1"),
    };
    let mut link = w
        .create_element("a")
        .with_attribute(("href", href))
        .with_attribute(("aria-label", name.as_str()))
        .with_attribute(("data-factor", node.factor.to_string().as_str()));
    if central {
        link = link.with_attribute(("data-central", "true"));
    }
    if root {
        link = link.with_attribute(("data-root", "true"));
    }
    link.write_inner_content(|w| {
        // No <title> here: axe counts its words as the link's visible text, which then no longer
        // matches the link's name.
        if root {
            w.create_element("rect")
                .with_attribute(("x", num(node.x).as_str()))
                .with_attribute(("y", num(node.y - 17.0).as_str()))
                .with_attribute(("width", "84"))
                .with_attribute(("height", "17"))
                .with_attribute(("fill", BLUE))
                .write_empty()?;
            text(w, node.x + 6.0, node.y - 4.0, 12.0, true, WHITE, "Root cause ")?;
        }
        w.create_element("rect")
            .with_attribute(("x", num(node.x).as_str()))
            .with_attribute(("y", num(node.y).as_str()))
            .with_attribute(("width", num(node.width).as_str()))
            .with_attribute(("height", num(node.height).as_str()))
            .with_attribute(("rx", "4"))
            .with_attribute(("fill", fill))
            .with_attribute(("stroke", stroke))
            .with_attribute(("stroke-width", stroke_width))
            .write_empty()?;
        let size = if central { LABEL_SIZE * 1.1 } else { LABEL_SIZE };
        for (i, line) in node.lines.iter().enumerate() {
            let baseline = node.y + PADDING_Y + (i as f64 + 1.0) * LINE_HEIGHT - 4.5;
            // A trailing space (not drawn) keeps the words of two lines apart in the link's text.
            text(w, node.x + PADDING_X, baseline, size, central, ink, &format!("{line} "))?;
        }
        let baseline = node.y + PADDING_Y + node.lines.len() as f64 * LINE_HEIGHT + NOTE_HEIGHT - 3.0;
        text(w, node.x + PADDING_X, baseline, NOTE_SIZE, false, if central { WHITE } else { GREY }, &note)
    })?;
    Ok(())
}

/// The most pixels a PNG may have (about 160 MB of pixels in memory while drawing).
const MAX_PIXELS: f64 = 40_000_000.0;
/// Drawn at twice the SVG's size where that fits, so it stays sharp on a slide.
const PNG_SCALE: f64 = 2.0;

/// The fonts the PNG is drawn with, loaded once.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<Arc<usvg::fontdb::Database>> = std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(dejavu::sans::regular().to_vec());
            db.load_font_data(dejavu::sans::bold().to_vec());
            db.set_sans_serif_family("DejaVu Sans");
            Arc::new(db)
        })
        .clone()
}

/// The picture as a PNG, drawn from its SVG on the server.
pub fn png(svg: &str) -> Result<Vec<u8>, PictureError> {
    let options = usvg::Options { font_family: "DejaVu Sans".to_owned(), fontdb: fonts(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options)?;
    let size = tree.size();
    let (w, h) = (f64::from(size.width()), f64::from(size.height()));
    let scale = PNG_SCALE.min((MAX_PIXELS / (w * h).max(1.0)).sqrt());
    let (pw, ph) = ((w * scale).ceil() as u32, (h * scale).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(pw.max(1), ph.max(1)).ok_or(PictureError::TooLarge(pw, ph))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale as f32, scale as f32), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| PictureError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use heard_analysis::causes::layout::layout;
    use heard_analysis::causes::{Limits, analyse};

    fn small_map() -> CauseMap {
        CauseMap {
            factors: [
                "Families reach help too late",
                "Long waits for a first appointment",
                "Staff shortage",
                "Stigma about asking for help",
                "Missed appointments",
                "Funding cuts",
                "Bad weather",
            ]
            .iter()
            .map(|l| (*l).to_owned())
            .collect(),
            arrows: vec![(1, 0), (2, 1), (3, 0), (1, 4), (4, 1), (5, 2), (6, 6)],
            central: 0,
        }
    }

    fn draw(map: &CauseMap, highlight: Highlight) -> String {
        let laid = layout(map, &[]);
        let analysis = analyse(map, Limits::default());
        let hrefs: Vec<String> = (0..map.factors.len()).map(|i| format!("/factors/{i}")).collect();
        let tags = vec!["access".to_owned()];
        let marks: Vec<FactorMark> = hrefs
            .iter()
            .enumerate()
            .map(|(i, href)| FactorMark {
                href,
                insights: i % 3,
                participants: (i * 2) % 5,
                tags: if i == 2 { &tags } else { &[] },
            })
            .collect();
        svg(&Picture { title: "Early help", map, layout: &laid, analysis: &analysis, marks: &marks, highlight })
    }

    #[test]
    fn a_small_map_as_svg() {
        insta::assert_snapshot!("plain", draw(&small_map(), Highlight::default()));
    }

    #[test]
    fn a_small_map_with_loops_and_root_causes_picked_out() {
        let drawn = draw(&small_map(), Highlight { loops: true, root_causes: true });
        assert_eq!(drawn.matches("data-loop=\"true\"").count(), 3, "1 ⇄ 4 and 6 → 6");
        assert_eq!(drawn.matches("data-root=\"true\"").count(), 2, "stigma and funding cuts");
        insta::assert_snapshot!("highlighted", drawn);
    }

    #[test]
    fn labels_are_escaped() {
        let mut map = small_map();
        map.factors[3] = "Fear <script>alert(\"x\")</script> & shame".to_owned();
        let drawn = draw(&map, Highlight::default());
        assert!(!drawn.contains("<script>"));
        assert!(
            drawn.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
                || drawn.contains("&lt;script&gt;alert(\"x\")")
        );
        assert!(drawn.contains("Fear &lt;script&gt;"));
        assert!(drawn.contains("&amp; shame"));
        // It still parses as XML: every label stayed text.
        assert!(usvg::Tree::from_str(&drawn, &usvg::Options::default()).is_ok());
    }

    #[test]
    fn every_factor_is_a_named_link_with_its_evidence() {
        let drawn = draw(&small_map(), Highlight::default());
        assert_eq!(drawn.matches("<a href=\"/factors/").count(), 7);
        assert!(drawn.contains("aria-label=\"Staff shortage: 2 insights, 4 people; tags: access\""));
        assert!(drawn.contains("aria-label=\"Families reach help too late: No evidence yet; the central event\""));
        assert!(drawn.contains(">1 insight · 2 people</text>"));
    }

    #[test]
    fn the_png_decodes_has_text_and_is_not_blank() {
        let drawn = draw(&small_map(), Highlight { loops: true, root_causes: true });
        let png = png(&drawn).expect("drawn");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let pixmap = tiny_skia::Pixmap::decode_png(&png).expect("decodes");
        assert!(pixmap.width() > 800 && pixmap.height() > 400, "{} × {}", pixmap.width(), pixmap.height());
        let pixels = pixmap.pixels();
        let dark = pixels.iter().filter(|p| p.red() < 80 && p.green() < 80 && p.blue() < 80).count();
        let white = pixels.iter().filter(|p| p.red() > 240 && p.green() > 240 && p.blue() > 240).count();
        assert!(white > pixels.len() / 3, "mostly background");
        assert!(dark > 2_000, "boxes, arrows and text drawn: {dark} dark pixels");

        // The same picture without its words has fewer dark pixels: the text was drawn.
        let wordless = drawn.replace("font-size=", "opacity=\"0\" font-size=");
        let bare = tiny_skia::Pixmap::decode_png(&png_of(&wordless)).expect("decodes");
        let bare_dark = bare.pixels().iter().filter(|p| p.red() < 80 && p.green() < 80 && p.blue() < 80).count();
        assert!(dark > bare_dark + 1_000, "text drew {} dark pixels", dark - bare_dark);
    }

    fn png_of(svg: &str) -> Vec<u8> {
        png(svg).expect("drawn")
    }

    #[test]
    fn at_100_factors_text_stays_legible_and_the_picture_grows() {
        let map = heard_analysis::causes::synthetic_map(100, 300, 7);
        let laid = layout(&map, &[]);
        let drawn = draw(&map, Highlight::default());
        let sizes: Vec<f64> =
            drawn.split("font-size=\"").skip(1).filter_map(|rest| rest.split('"').next()?.parse().ok()).collect();
        assert!(sizes.iter().all(|&s| s >= 12.0));
        assert!(drawn.contains(&format!("width=\"{}\"", num(laid.width))));
        assert!(laid.height > 1_000.0);
    }
}
