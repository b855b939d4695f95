//! The opinion map of a deliberation drawn as SVG: participants as dots in the two-component plane,
//! marked by opinion group, with each group's representative statements beside it.

/// A participant on the map: where the analysis placed them and their opinion group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub group: usize,
}
