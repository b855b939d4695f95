//! The propositions area's pages and API: a programme's propositions with the evidence they stand
//! on and who is heard in it, their versions and the differences between them, their status and
//! its history, the people who shaped them, and merging and splitting with the trace kept.

pub mod api;
mod pages;
mod reshape;

use heard_domain::propositions::EvidenceRef;

use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    let mut routes = pages::routes();
    routes.extend(reshape::routes());
    routes.extend(api::routes());
    routes
}

/// A piece of evidence as a checkbox value: `insight-3`, `factor-12`, `signal-5`.
pub(crate) fn evidence_value(evidence: EvidenceRef) -> String {
    format!("{}-{}", evidence.field(), evidence.id())
}

/// The evidence a checkbox value names, if it names one.
pub(crate) fn evidence_from_value(value: &str) -> Option<EvidenceRef> {
    let (kind, id) = value.split_once('-')?;
    let id: i64 = id.parse().ok().filter(|id| *id > 0)?;
    match kind {
        "insight" => Some(EvidenceRef::Insight(id)),
        "factor" => Some(EvidenceRef::Factor(id)),
        "signal" => Some(EvidenceRef::Signal(id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_values_go_both_ways() {
        for e in [EvidenceRef::Insight(3), EvidenceRef::Factor(12), EvidenceRef::Signal(5)] {
            assert_eq!(evidence_from_value(&evidence_value(e)), Some(e));
        }
        assert_eq!(evidence_from_value("excerpt-3"), None);
        assert_eq!(evidence_from_value("insight-0"), None);
        assert_eq!(evidence_from_value("insight"), None);
    }
}
