//! The decisions area (DOMAIN.md, "Decision"): a commissioning decision, the propositions it takes
//! up, who decided, when and why, and where it departs from what a Deliberation Day favoured
//! ([`decision`]).

pub mod decision;
pub mod outcome;

pub use decision::{
    DeciderKind, DecisionFields, DecisionInput, Departure, DepartureKind, RoomRank, departures, favoured, ordinal,
    reason_field, reasons,
};
