//! Coding through the real router: codebook, coding a source, insights, matrices, agreement,
//! assisted coding, themes and REFI-QDA exchange. One test binary; each part in its own file.

// A test fails loudly on any unexpected error; that is what unwrap is for here.
#![allow(clippy::unwrap_used)]

mod analysis;
mod assist;
mod codebook;
mod excerpts;
mod exchange;
mod insights;
