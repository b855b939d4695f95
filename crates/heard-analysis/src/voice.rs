//! The voice area: what citizens said, as sources of text. Finding and replacing personal data
//! ([`redaction`]), and synthetic sources for tests and benchmarks ([`synthetic`]).

pub mod redaction;
pub mod synthetic;
