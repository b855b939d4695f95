//! Fuzzes the horizon-scanning CSV reader (radar sheets and Heard's full layout): any bytes must
//! read without panicking, and rows it accepts must write back out and read again the same.
#![no_main]

use heard_domain::horizon::csv::{self, CsvLayout};
use libfuzzer_sys::fuzz_target;
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else { return };
    let layout = if selector % 2 == 0 { CsvLayout::Radar } else { CsvLayout::Full };
    let today = date!(2026 - 01 - 15);
    let Ok(records) = csv::read(file, layout, today) else { return };
    assert!(records.len() <= csv::MAX_ROWS);
    let mut written = Vec::new();
    csv::write(&mut written, CsvLayout::Full, &records).expect("accepted rows write");
    let again = csv::read(written.as_slice(), CsvLayout::Full, today).expect("written CSV reads back");
    // The full layout does not carry the radar's isNew.
    let strip = |r: &csv::SignalRecord| (r.signal.clone(), r.scoring.clone());
    assert_eq!(again.iter().map(strip).collect::<Vec<_>>(), records.iter().map(strip).collect::<Vec<_>>());
});
