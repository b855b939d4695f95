//! The impact-by-uncertainty matrix: uncertainty (1 to 5) along, impact (1 to 5) up, each item a
//! numbered marker within its cell. Markers in a cell stand on a small square grid, centred; the
//! cells grow together when the fullest needs more room, so markers never overlap. Items high on
//! both (impact and uncertainty at least [`CANDIDATE`]) are candidates for scenario axes.

use super::{Marker, Point};

/// The least impact and uncertainty of a candidate for a scenario axis.
pub const CANDIDATE: u8 = 4;

/// The highest score on either axis; scores run from 1.
pub const SCALE: u8 = 5;

/// An item to place: a driver or a signal, with its scores (clamped to 1 to 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub impact: u8,
    pub uncertainty: u8,
}

impl Item {
    fn clamped(self) -> Item {
        Item { impact: self.impact.clamp(1, SCALE), uncertainty: self.uncertainty.clamp(1, SCALE) }
    }

    pub fn is_candidate(self) -> bool {
        let item = self.clamped();
        item.impact >= CANDIDATE && item.uncertainty >= CANDIDATE
    }
}

/// A marker's place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// The item's index in the input.
    pub input: usize,
    /// Its number on the picture and in the list, from 1: highest impact first, then highest
    /// uncertainty, then input order, so the candidates come first.
    pub number: usize,
    pub item: Item,
    pub candidate: bool,
    /// Centre, with the grid's top left corner at the origin and y growing downwards.
    pub at: Point,
}

/// The placed matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub marker: Marker,
    /// The side of one cell; the grid is [`SCALE`] cells each way.
    pub cell: f64,
    pub placed: Vec<Placed>,
}

impl Matrix {
    pub fn side(&self) -> f64 {
        self.cell * f64::from(SCALE)
    }

    /// The top left corner of the cell for these scores.
    pub fn cell_origin(&self, impact: u8, uncertainty: u8) -> Point {
        Point {
            x: f64::from(uncertainty.clamp(1, SCALE) - 1) * self.cell,
            y: f64::from(SCALE - impact.clamp(1, SCALE)) * self.cell,
        }
    }
}

/// Places every item; `min_cell` is the smallest side of a cell.
pub fn place(marker: Marker, min_cell: f64, items: &[Item]) -> Matrix {
    let items: Vec<Item> = items.iter().map(|item| item.clamped()).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(items[i].impact), std::cmp::Reverse(items[i].uncertainty), i));

    let pitch = marker.pitch();
    let fullest = order.chunk_by(|&a, &b| items[a] == items[b]).map(|group| group.len()).max().unwrap_or(0);
    let side = columns(fullest);
    let cell = min_cell.max(side as f64 * pitch);
    let mut matrix = Matrix { marker, cell, placed: Vec::with_capacity(items.len()) };

    for group in order.chunk_by(|&a, &b| items[a] == items[b]) {
        let item = items[group[0]];
        let origin = matrix.cell_origin(item.impact, item.uncertainty);
        let columns = columns(group.len());
        let rows = group.len().div_ceil(columns.max(1));
        // The block of markers centred in the cell: each at least half a pitch from its edges.
        let left = origin.x + (cell - columns as f64 * pitch) / 2.0 + pitch / 2.0;
        let top = origin.y + (cell - rows as f64 * pitch) / 2.0 + pitch / 2.0;
        for (k, &input) in group.iter().enumerate() {
            let at = Point { x: left + (k % columns) as f64 * pitch, y: top + (k / columns) as f64 * pitch };
            let number = matrix.placed.len() + 1;
            matrix.placed.push(Placed { input, number, item, candidate: item.is_candidate(), at });
        }
    }
    matrix
}

/// The columns of the squarest grid holding `count` markers.
fn columns(count: usize) -> usize {
    let mut side = count.isqrt();
    if side * side < count {
        side += 1;
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(count: usize, seed: u64) -> Vec<Item> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            // Skewed towards the middle, as scores are.
            let a = ((state >> 33) % 5) as u8;
            let b = ((state >> 45) % 5) as u8;
            (a + b) / 2 + 1
        };
        (0..count).map(|_| Item { impact: next(), uncertainty: next() }).collect()
    }

    fn assert_legible(matrix: &Matrix) {
        let pitch = matrix.marker.pitch();
        for (i, a) in matrix.placed.iter().enumerate() {
            for b in &matrix.placed[i + 1..] {
                assert!(a.at.distance(b.at) >= pitch - 1e-9, "markers {} and {}", a.number, b.number);
            }
            let origin = matrix.cell_origin(a.item.impact, a.item.uncertainty);
            let half = pitch / 2.0;
            assert!(a.at.x >= origin.x + half - 1e-9 && a.at.x <= origin.x + matrix.cell - half + 1e-9);
            assert!(a.at.y >= origin.y + half - 1e-9 && a.at.y <= origin.y + matrix.cell - half + 1e-9);
        }
    }

    #[test]
    fn two_hundred_items_never_overlap() {
        for seed in 0..20 {
            let matrix = place(Marker::default(), 80.0, &items(200, seed));
            assert_eq!(matrix.placed.len(), 200);
            assert_legible(&matrix);
        }
        let crowded = place(Marker::default(), 80.0, &[Item { impact: 5, uncertainty: 5 }; 200]);
        assert!(crowded.cell > 80.0);
        assert_legible(&crowded);
    }

    #[test]
    fn candidates_are_high_on_both_and_numbered_first() {
        let items = [
            Item { impact: 2, uncertainty: 5 },
            Item { impact: 4, uncertainty: 4 },
            Item { impact: 5, uncertainty: 3 },
            Item { impact: 5, uncertainty: 5 },
            Item { impact: 9, uncertainty: 0 },
        ];
        let matrix = place(Marker::default(), 80.0, &items);
        let by_number: Vec<(usize, bool)> = matrix.placed.iter().map(|p| (p.input, p.candidate)).collect();
        assert_eq!(by_number, [(3, true), (2, false), (4, false), (1, true), (0, false)]);
        assert_eq!(matrix.placed[2].item, Item { impact: 5, uncertainty: 1 });
    }

    #[test]
    fn placement_is_deterministic() {
        let items = items(200, 3);
        assert_eq!(place(Marker::default(), 80.0, &items), place(Marker::default(), 80.0, &items));
    }
}
