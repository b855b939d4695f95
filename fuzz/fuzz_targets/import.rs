//! Fuzzes the source import parsers (CSV, JSON Lines, XLSX): they must never panic, and every row
//! they accept must be valid. The first byte picks the format.
#![no_main]

use heard_domain::voice::import::{self, ColumnMapping, ImportFormat, MAX_TEXT_CHARS, SourceKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else { return };
    let format = match selector % 3 {
        0 => ImportFormat::Csv,
        1 => ImportFormat::JsonLines,
        _ => ImportFormat::Xlsx,
    };
    let report = import::read(file, format, &ColumnMapping::default(), SourceKind::Story);
    for row in &report.rows {
        assert!(row.row >= 1);
        assert!(!row.text.trim().is_empty());
        assert!(row.text.chars().count() <= MAX_TEXT_CHARS);
    }
    for problem in &report.problems {
        assert!(!problem.message.is_empty());
    }
    // Reading from a stream gives the same report as reading from memory.
    assert_eq!(import::read_from(file, format, &ColumnMapping::default(), SourceKind::Story), report);
});
