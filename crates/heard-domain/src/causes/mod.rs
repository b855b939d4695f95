//! The causes area: cause maps (DOMAIN.md, "Cause map"): what a map, a factor and a tag may be
//! ([`map`]), and their interchange with Kumu ([`kumu`]) and Graphviz ([`dot`]). The analysis is
//! `heard_analysis::causes`.

pub mod dot;
pub mod kumu;
pub mod map;
