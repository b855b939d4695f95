//! Voice: a programme's participants under pseudonyms and their consent ([`participants`]), and
//! the sources that hold their words, redacted on arrival and searchable ([`sources`]).

pub mod participants;
pub mod sources;

pub use participants::{Consent, NewConsent, NewParticipant, Participant};
pub use sources::{Media, NewSource, SearchFilters, SearchHit, SearchResults, Source, SourceSummary};
