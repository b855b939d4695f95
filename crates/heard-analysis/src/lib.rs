//! Heard's algorithms as pure functions over plain data: no I/O, no database, no web. Each area of
//! the domain that has an algorithm has a module of the same name (see `ARCHITECTURE.md`).

pub mod causes;
pub mod coding;
pub mod deliberation;
pub mod horizon;
pub mod voice;
