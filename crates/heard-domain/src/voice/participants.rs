//! Participants under pseudonyms and their consent per purpose.
