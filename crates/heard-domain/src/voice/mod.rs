//! Voice: the people whose voices are recorded and what they consented to, the sources that hold
//! their words, transcripts of recordings, imports of sources from files, and public story forms.

pub mod forms;
pub mod import;
pub mod media;
pub mod participants;
pub mod sources;
pub mod transcript;
