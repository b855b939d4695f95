//! The radar: rings are horizons (the nearest at the centre), sectors are categories, and each
//! signal is a numbered marker inside its ring and sector, with a numbered list beside the picture
//! (the Build Your Own Radar convention), so no text is ever placed where it could overlap.
//!
//! Each cell (a ring within a sector) is filled from a lattice of candidate positions: rows on
//! arcs one marker pitch apart, positions along each row one pitch apart, every candidate at
//! least half a pitch from the cell's edges. Markers in one cell are then at least a pitch apart,
//! and so are markers either side of an edge. When the fullest cell has too few candidates the
//! whole radar grows, so markers keep a legible size. Rings have equal areas, so a ring near the
//! centre is not crowded out.

use super::{Marker, Point, spread};
use std::f64::consts::TAU;

/// A ring and a sector: where a signal sits on the radar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub ring: usize,
    pub sector: usize,
}

/// A signal to place: where it sits now and, when it has been reviewed before, where it sat then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dot {
    pub cell: Cell,
    pub previous: Option<Cell>,
}

/// How a signal moved since its last review, drawn as the marker's shape (not colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Movement {
    /// Not reviewed before, or in the same ring and sector.
    Unchanged,
    /// To a nearer ring (a nearer horizon).
    In,
    /// To a further ring.
    Out,
    /// The same ring, another sector.
    Across,
}

impl Dot {
    pub fn movement(&self) -> Movement {
        match self.previous {
            Some(previous) if previous.ring > self.cell.ring => Movement::In,
            Some(previous) if previous.ring < self.cell.ring => Movement::Out,
            Some(previous) if previous.sector != self.cell.sector => Movement::Across,
            _ => Movement::Unchanged,
        }
    }
}

/// The radar's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    pub rings: usize,
    pub sectors: usize,
    pub marker: Marker,
    /// The smallest outer radius; the radar grows beyond it only when a cell is too full.
    pub min_radius: f64,
    /// Extra clearance either side of the vertical line at the top, where the rings' names are
    /// written, so they never sit under a marker.
    pub label_lane: f64,
}

impl Shape {
    pub fn new(rings: usize, sectors: usize) -> Shape {
        Shape { rings, sectors, marker: Marker::default(), min_radius: 300.0, label_lane: 12.0 }
    }
}

/// A marker's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The dot's index in the input.
    pub input: usize,
    /// Its number on the picture and in the list, from 1: by sector, then ring, then input order.
    pub number: usize,
    pub cell: Cell,
    pub movement: Movement,
    /// Centre, with the radar's centre at the origin and y growing downwards.
    pub at: Point,
}

/// The placed radar.
#[derive(Debug, Clone, PartialEq)]
pub struct Radar {
    pub shape: Shape,
    /// The outer radius of each ring, nearest first; the last is the radar's radius.
    pub ring_radii: Vec<f64>,
    /// Markers in number order.
    pub placed: Vec<Placed>,
}

impl Radar {
    pub fn radius(&self) -> f64 {
        self.ring_radii.last().copied().unwrap_or(self.shape.min_radius)
    }

    /// A sector's start and end angle, in radians clockwise from the top.
    pub fn sector_angles(&self, sector: usize) -> (f64, f64) {
        sector_angles(self.shape.sectors, sector)
    }
}

/// The point at `radius` and `angle` (radians clockwise from the top).
pub fn polar(radius: f64, angle: f64) -> Point {
    Point { x: radius * angle.sin(), y: -radius * angle.cos() }
}

fn sector_angles(sectors: usize, sector: usize) -> (f64, f64) {
    let width = TAU / sectors.max(1) as f64;
    (sector as f64 * width, (sector + 1) as f64 * width)
}

fn ring_radii(rings: usize, radius: f64) -> Vec<f64> {
    (1..=rings.max(1)).map(|k| radius * (k as f64 / rings.max(1) as f64).sqrt()).collect()
}

/// Places every dot. Dots outside the shape (a ring or sector beyond its count) are placed in
/// the last ring or sector, so nothing handed in is lost.
pub fn place(shape: Shape, dots: &[Dot]) -> Radar {
    let rings = shape.rings.max(1);
    let sectors = shape.sectors.max(1);
    let clamp = |cell: Cell| Cell { ring: cell.ring.min(rings - 1), sector: cell.sector.min(sectors - 1) };
    let mut order: Vec<usize> = (0..dots.len()).collect();
    order.sort_by_key(|&i| {
        let cell = clamp(dots[i].cell);
        (cell.sector, cell.ring, i)
    });

    let mut counts = vec![0usize; rings * sectors];
    for dot in dots {
        let cell = clamp(dot.cell);
        counts[cell.sector * rings + cell.ring] += 1;
    }

    // Grow by a tenth at a time until every cell has room; capacity grows with the square of the
    // radius, so this ends within a few dozen steps for any count a page will show.
    let mut radius = shape.min_radius.max(shape.marker.pitch() * 4.0);
    let candidates = loop {
        let candidates = all_candidates(shape, rings, sectors, radius);
        if candidates.iter().zip(&counts).all(|(slots, &count)| slots.len() >= count) {
            break candidates;
        }
        radius *= 1.1;
    };

    let mut placed = Vec::with_capacity(dots.len());
    let mut start = 0;
    while start < order.len() {
        let cell = clamp(dots[order[start]].cell);
        let end = start + order[start..].iter().take_while(|&&i| clamp(dots[i].cell) == cell).count();
        let slots = &candidates[cell.sector * rings + cell.ring];
        for (slot, &input) in spread(end - start, slots.len()).zip(&order[start..end]) {
            placed.push(Placed {
                input,
                number: placed.len() + 1,
                cell,
                movement: dots[input].movement(),
                at: slots[slot],
            });
        }
        start = end;
    }
    Radar { shape: Shape { rings, sectors, ..shape }, ring_radii: ring_radii(rings, radius), placed }
}

fn all_candidates(shape: Shape, rings: usize, sectors: usize, radius: f64) -> Vec<Vec<Point>> {
    let radii = ring_radii(rings, radius);
    let mut all = Vec::with_capacity(rings * sectors);
    for sector in 0..sectors {
        let (start, end) = sector_angles(sectors, sector);
        for ring in 0..rings {
            let inner = if ring == 0 { 0.0 } else { radii[ring - 1] };
            let lane_start = if sector == 0 { shape.label_lane } else { 0.0 };
            let lane_end = if sector == sectors - 1 { shape.label_lane } else { 0.0 };
            all.push(candidates(shape.marker, inner, radii[ring], (start, lane_start), (end, lane_end)));
        }
    }
    all
}

/// The lattice of one cell: between radii `inner` and `outer`, between two edges given as an
/// angle and any extra clearance from that edge.
fn candidates(marker: Marker, inner: f64, outer: f64, start: (f64, f64), end: (f64, f64)) -> Vec<Point> {
    let pitch = marker.pitch();
    let half = pitch / 2.0;
    let mut points = Vec::new();
    let mut r = inner + half;
    while r <= outer - half {
        // The angles at which a point on this arc is far enough from each straight edge: its
        // distance from an edge through the centre at angle a is r·sin(θ − a).
        let from = |clearance: f64| {
            let ratio = clearance / r;
            if ratio >= 1.0 { None } else { Some(ratio.asin()) }
        };
        if let (Some(after_start), Some(before_end)) = (from(half + start.1), from(half + end.1)) {
            let first = start.0 + after_start;
            let last = end.0 - before_end;
            if last >= first {
                // Neighbours on one arc are a chord of exactly a pitch apart.
                let step = 2.0 * (half / r).min(1.0).asin();
                let count = ((last - first) / step).floor() as usize + 1;
                // Centre the row between the edges.
                let slack = (last - first) - (count - 1) as f64 * step;
                points.extend((0..count).map(|k| polar(r, first + slack / 2.0 + k as f64 * step)));
            }
        }
        r += pitch;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dots(count: usize, seed: u64) -> Vec<Dot> {
        // A small deterministic generator, skewed so some cells are much fuller than others.
        let mut state = seed;
        let mut next = move |below: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let n = ((state >> 33) as usize) % (below * below);
            n.isqrt()
        };
        (0..count)
            .map(|_| {
                let cell = Cell { ring: next(3), sector: next(7) };
                let previous = match next(4) {
                    0 => Some(Cell { ring: (cell.ring + 1).min(2), ..cell }),
                    1 => Some(Cell { ring: cell.ring.saturating_sub(1), ..cell }),
                    _ => None,
                };
                Dot { cell, previous }
            })
            .collect()
    }

    fn assert_legible(radar: &Radar) {
        let pitch = radar.shape.marker.pitch();
        for (i, a) in radar.placed.iter().enumerate() {
            for b in &radar.placed[i + 1..] {
                let d = a.at.distance(b.at);
                assert!(d >= pitch - 1e-9, "markers {} and {} are {d} apart", a.number, b.number);
            }
            // Inside its own ring and sector, a marker's radius clear of each edge.
            let r = a.at.x.hypot(a.at.y);
            let inner = if a.cell.ring == 0 { 0.0 } else { radar.ring_radii[a.cell.ring - 1] };
            let outer = radar.ring_radii[a.cell.ring];
            let half = pitch / 2.0;
            assert!(r >= inner + half - 1e-9 && r <= outer - half + 1e-9, "marker {} ring", a.number);
            let angle = a.at.x.atan2(-a.at.y).rem_euclid(TAU);
            let (start, end) = radar.sector_angles(a.cell.sector);
            assert!(r * (angle - start).sin() >= half - 1e-9, "marker {} start edge", a.number);
            assert!(r * (end - angle).sin() >= half - 1e-9, "marker {} end edge", a.number);
        }
    }

    #[test]
    fn two_hundred_signals_never_overlap() {
        for seed in 0..20 {
            let dots = dots(200, seed);
            let radar = place(Shape::new(3, 7), &dots);
            assert_eq!(radar.placed.len(), 200);
            assert_legible(&radar);
        }
    }

    #[test]
    fn two_hundred_signals_in_one_cell_grow_the_radar() {
        let dots = vec![Dot { cell: Cell { ring: 0, sector: 3 }, previous: None }; 200];
        let radar = place(Shape::new(3, 7), &dots);
        assert_eq!(radar.placed.len(), 200);
        assert!(radar.radius() > 300.0);
        assert_legible(&radar);
    }

    #[test]
    fn placement_is_deterministic_and_numbered_by_sector_then_ring() {
        let dots = dots(200, 7);
        let first = place(Shape::new(3, 7), &dots);
        assert_eq!(first, place(Shape::new(3, 7), &dots));
        let numbers: Vec<usize> = first.placed.iter().map(|p| p.number).collect();
        assert_eq!(numbers, (1..=200).collect::<Vec<_>>());
        assert!(
            first.placed.windows(2).all(|w| (w[0].cell.sector, w[0].cell.ring) <= (w[1].cell.sector, w[1].cell.ring))
        );
        let mut inputs: Vec<usize> = first.placed.iter().map(|p| p.input).collect();
        inputs.sort_unstable();
        assert_eq!(inputs, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn movement_since_the_last_review() {
        let at = |ring, sector| Cell { ring, sector };
        let dot = |cell, previous| Dot { cell, previous };
        assert_eq!(dot(at(0, 1), Some(at(1, 1))).movement(), Movement::In);
        assert_eq!(dot(at(2, 1), Some(at(1, 1))).movement(), Movement::Out);
        assert_eq!(dot(at(1, 2), Some(at(1, 1))).movement(), Movement::Across);
        assert_eq!(dot(at(1, 1), Some(at(1, 1))).movement(), Movement::Unchanged);
        assert_eq!(dot(at(1, 1), None).movement(), Movement::Unchanged);
    }

    #[test]
    fn out_of_range_cells_are_kept() {
        let dots = [Dot { cell: Cell { ring: 9, sector: 9 }, previous: None }];
        let radar = place(Shape::new(3, 7), &dots);
        assert_eq!(radar.placed[0].cell, Cell { ring: 2, sector: 6 });
        assert!(place(Shape::new(3, 7), &[]).placed.is_empty());
    }
}
