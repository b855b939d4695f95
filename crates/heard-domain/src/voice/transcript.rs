//! Timed transcripts of recordings, from WebVTT and SRT.
