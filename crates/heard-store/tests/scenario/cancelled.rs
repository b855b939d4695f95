//! Requests abandoned mid-write (a client hanging up) leave the store as it was: the next write
//! goes through at once on both backends, rather than waiting on a transaction nobody holds.

use std::time::Duration;

use heard_testkit::fresh_store;

#[tokio::test]
async fn writes_abandoned_at_any_point_leave_no_transaction_open() {
    for backend in heard_testkit::backends() {
        let opened = fresh_store(backend).await;
        let store = &opened.store;
        // Each call opens a write transaction (the token's use is audited in it); cut off after
        // anything from nothing to a millisecond, so over the loop every step gets interrupted.
        for i in 0..400u64 {
            let wait = Duration::from_micros(i * 7 % 1_100);
            let _ = tokio::time::timeout(wait, store.user_by_api_token(&format!("{i:064x}"))).await;
        }
        // On SQLite a transaction left open holds the write lock: a write waits out the busy
        // timeout (10 s) and fails. Both must answer at once, on any of the pool's connections.
        for i in 0..16u64 {
            let token = format!("{:064x}", 1_000 + i);
            let answer = tokio::time::timeout(Duration::from_secs(5), store.user_by_api_token(&token)).await;
            assert!(matches!(answer, Ok(Ok(None))), "{backend:?}: write {i} after the abandoned ones: {answer:?}");
        }
    }
}
