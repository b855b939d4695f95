//! The horizon area's pages and API: signals, drivers, the radar and the matrix.

// The pages that draw them come next.
#[allow(dead_code)]
pub mod picture;
