//! Deliberation: Deliberation Days, their statements and votes, and what comes in from elsewhere.

pub mod days;
pub mod polis;
