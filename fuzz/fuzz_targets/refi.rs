//! Fuzzes the REFI-QDA readers: arbitrary bytes as a `.qdpx` archive and as a `.qdc` codebook
//! must never panic, and what they accept must keep the invariants the reader promises and write
//! back out.
#![no_main]

use std::io::Cursor;

use heard_domain::coding::refi;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(imported) = refi::read_qdpx(Cursor::new(data)) {
        for source in &imported.project.sources {
            let length = source.text.chars().count();
            for excerpt in &source.excerpts {
                assert!(excerpt.start <= excerpt.end && excerpt.end <= length);
            }
        }
        // Whatever was accepted is a project Heard can write.
        refi::project_xml(&imported.project).expect("an accepted project writes");
    }
    if let Ok(codebook) = refi::read_qdc(data) {
        if !codebook.codes.is_empty() {
            let xml = refi::codebook_xml(&codebook).expect("an accepted codebook writes");
            assert_eq!(refi::read_qdc(xml.as_bytes()).expect("reads back"), codebook);
        }
    }
});
