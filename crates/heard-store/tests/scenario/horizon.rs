//! Horizon scanning on both backends: signals, re-scoring history, drivers, links, CSV.
