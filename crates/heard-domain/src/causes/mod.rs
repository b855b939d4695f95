//! The causes area: cause maps (DOMAIN.md, "Cause map") and their interchange with Kumu
//! ([`kumu`]). The analysis is `heard_analysis::causes`.

pub mod kumu;
