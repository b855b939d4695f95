//! The horizon area's algorithms: placing signals on a radar and an impact-by-uncertainty matrix.
//! Pure placement over plain data: where each numbered marker goes so that none overlaps another
//! and none crosses into a neighbouring cell, deterministically. Drawing is the web layer's.

pub mod matrix;
pub mod radar;

/// A point of a picture, in the picture's own units (SVG user units; y grows downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }
}

/// The size of a numbered marker: its radius and the clear gap kept between two markers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    pub radius: f64,
    pub gap: f64,
}

impl Marker {
    /// Centre to centre, the closest two markers may be.
    pub fn pitch(self) -> f64 {
        2.0 * self.radius + self.gap
    }
}

impl Default for Marker {
    /// Large enough for a three-digit number at a legible size inside it.
    fn default() -> Self {
        Marker { radius: 9.0, gap: 2.0 }
    }
}

/// `count` of `slots` spread evenly: when a cell has more room than markers, they are spread over
/// it rather than packed into one corner.
fn spread(count: usize, slots: usize) -> impl Iterator<Item = usize> {
    (0..count).map(move |i| ((2 * i + 1) * slots) / (2 * count.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_picks_distinct_slots_in_order() {
        for slots in 1..40 {
            for count in 1..=slots {
                let picked: Vec<usize> = spread(count, slots).collect();
                assert!(picked.windows(2).all(|w| w[0] < w[1]), "{count} of {slots}: {picked:?}");
                assert!(picked.iter().all(|&p| p < slots));
            }
        }
    }
}
