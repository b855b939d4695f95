//! The propositions area (DOMAIN.md, "Proposition"): a proposed change to what is commissioned or
//! how, shaped with service users and carers and linked to the insights, factors and signals it
//! stands on. What a proposition, its status and its shapers may be and how its status may move
//! ([`proposition`]), and the word-level difference between two of its versions ([`diff`]).

pub mod diff;
pub mod proposition;

pub use proposition::{
    EvidenceRef, PropositionInput, PropositionStatus, ShaperInput, ShaperKind, StatusChange, is_citizen, version,
};
