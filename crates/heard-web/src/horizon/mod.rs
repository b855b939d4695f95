//! The horizon area's pages and API: signals, drivers, the radar and the matrix.
