//! Fuzzes the WebVTT and SRT parser: it must never panic, and what it accepts must hold its
//! invariants and read back the same after being written as WebVTT.
#![no_main]

use heard_domain::voice::transcript::{self, MAX_CUE_CHARS, MAX_CUES, TranscriptFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [None, Some(TranscriptFormat::WebVtt), Some(TranscriptFormat::Srt)] {
        let Ok(parsed) = transcript::parse(data, format) else { continue };
        assert!(!parsed.cues.is_empty() && parsed.cues.len() <= MAX_CUES);
        for cue in &parsed.cues {
            assert!(cue.start_ms < cue.end_ms);
            assert!(cue.text.chars().count() <= MAX_CUE_CHARS);
        }
        let written = transcript::to_webvtt(&parsed);
        let mut again = transcript::parse(written.as_bytes(), None).expect("written WebVTT parses");
        // Identifiers WebVTT cannot carry are left out when written.
        for (cue, original) in again.cues.iter_mut().zip(&parsed.cues) {
            if cue.identifier.is_none() {
                cue.identifier.clone_from(&original.identifier);
            }
        }
        assert_eq!(again, parsed);
    }
});
