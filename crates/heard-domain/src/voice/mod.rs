//! Voice: the people whose voices are recorded and what they consented to, the sources that hold
//! their words, transcripts of recordings, and imports of sources from files.

pub mod import;
pub mod participants;
pub mod sources;
pub mod transcript;
