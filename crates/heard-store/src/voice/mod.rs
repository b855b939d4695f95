//! Voice: a programme's participants under pseudonyms and their consent ([`participants`]), and
//! the sources that hold their words, redacted on arrival and searchable ([`sources`]), and the
//! story forms through which contributors give them ([`forms`]).

pub mod forms;
pub mod import;
pub mod participants;
pub mod sources;

pub use forms::{NewStory, PatternStory, StoryForm, StoryReceipt};
pub use participants::{Consent, NewConsent, NewParticipant, Participant};
pub use sources::{Media, NewSource, SearchFilters, SearchHit, SearchResults, Source, SourceSummary};
