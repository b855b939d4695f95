//! Horizon scanning in the store: signals, their scoring history and links ([`signals`]), and
//! drivers that group them ([`drivers`]). CSV reading and writing is `heard_domain::horizon::csv`;
//! the store imports its records in one transaction and exports a programme's.

pub mod drivers;
pub mod signals;

pub use drivers::Driver;
pub use signals::{FactorLink, ProgrammeLink, Signal, SignalFilter, SignalScore};
