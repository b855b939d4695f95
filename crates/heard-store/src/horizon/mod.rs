//! Horizon scanning in the store: signals, their scoring history, drivers and links.
