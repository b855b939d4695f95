//! A few phones voting against the real `heard serve` for a few seconds: the room benchmark's
//! code path (benches/room), run in the test suite so it cannot rot, and checked for what must hold
//! at any speed: every phone joins, no request fails, and every vote answered as counted is stored
//! exactly once.

#![allow(clippy::unwrap_used)]

#[path = "../benches/room/load.rs"]
mod load;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_room_votes_without_errors_and_every_vote_is_stored_once() {
    let plan = load::Plan {
        attendees: 12,
        voting: Duration::from_secs(4),
        statements: 8,
        think: (Duration::from_millis(50), Duration::from_millis(150)),
    };
    let outcome = load::run(&load::heard_binary(), plan).await;
    assert_eq!(outcome.errors, 0, "{}", outcome.report());
    assert_eq!(outcome.joins.len(), 12, "{}", outcome.report());
    // 12 phones a vote every 0.1 to 0.3 s for 4 s: far more than none, and at most one a statement each.
    assert!(outcome.votes.len() >= 24, "{}", outcome.report());
    assert!(outcome.votes.len() <= 12 * 8, "{}", outcome.report());
    assert_eq!(outcome.stored, outcome.votes.len() as u64, "{}", outcome.report());
}
