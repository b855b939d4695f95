//! The coding area: codebooks and their codes, excerpts by character offsets, memos, insights with
//! their evidence ([`codebook`]), and REFI-QDA interchange ([`refi`]).

pub mod codebook;
pub mod refi;
