//! Fuzzes the Pol.is export reader: any bytes split into `comments.csv` and `votes.csv` (and read
//! as `participants-votes.csv`) must read without panicking, and an accepted export must hold
//! its invariants: every vote names a listed participant and statement, one vote per pair.
#![no_main]

use std::collections::HashSet;

use heard_domain::deliberation::polis;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte says where comments.csv ends and votes.csv starts.
    let Some((&cut, rest)) = data.split_first() else { return };
    let cut = usize::from(cut).min(rest.len());
    let (comments, votes) = rest.split_at(cut);
    if let Ok(export) = polis::read_export(comments, votes) {
        let mut pairs = HashSet::new();
        for vote in &export.votes {
            assert!(vote.participant < export.participants.len());
            assert!(vote.statement < export.statements.len());
            assert!(pairs.insert((vote.participant, vote.statement)), "one vote per participant and statement");
        }
        assert!(export.statements.windows(2).all(|w| w[0].id < w[1].id));
    }
    let _ = polis::read_groups(rest);
});
