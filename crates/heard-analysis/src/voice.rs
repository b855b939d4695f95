//! The voice area: what citizens said, as sources of text. Finding and replacing personal data
//! ([`redaction`]), screening a source on arrival and after review ([`screening`]), and synthetic sources for tests and benchmarks ([`synthetic`]).

pub mod redaction;
pub mod screening;
pub mod synthetic;
pub mod synthetic_audio;
