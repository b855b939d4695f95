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
        writes_answer_at_once(store, backend, 16).await;
    }
}

#[tokio::test]
async fn imports_abandoned_at_any_point_leave_no_transaction_open() {
    use heard_domain::journeys::{ProgrammeStatus, Slug};
    use heard_domain::voice::import::SourceRow;
    use heard_domain::voice::sources::SourceKind;
    use heard_store::NewProgramme;
    use heard_store::voice::import::ImportOptions;

    for backend in heard_testkit::backends() {
        let opened = fresh_store(backend).await;
        let store = &opened.store;
        let programme = store
            .create_programme(&NewProgramme {
                slug: Slug::parse("slug", "cancelled-imports").unwrap(),
                name: "Cancelled imports (test)".to_owned(),
                aim: "Imports cut off part-way.".to_owned(),
                status: ProgrammeStatus::Active,
                lead_commissioner_id: None,
                partner_ids: Vec::new(),
            })
            .await
            .unwrap();
        let rows = |n: usize| -> Vec<SourceRow> {
            (0..n)
                .map(|row| SourceRow {
                    row: row + 2,
                    text: format!("Synthetic field note {row} about the waiting room."),
                    kind: SourceKind::FieldNote,
                    date: None,
                    participant: None,
                    title: None,
                    attributes: Default::default(),
                })
                .collect()
        };
        let options = ImportOptions::default();
        // Cut off after anything from nothing to 5 ms: before, between and inside its statements.
        for i in 0..400u64 {
            let wait = Duration::from_micros(i * 17 % 5_000);
            let import = store.import_sources(programme.id, rows(20), &options, None, &|_| {});
            let _ = tokio::time::timeout(wait, import).await;
        }
        writes_answer_at_once(store, backend, 8).await;
        // And a whole import still goes through, all of it.
        let whole = tokio::time::timeout(
            Duration::from_secs(10),
            store.import_sources(programme.id, rows(5), &options, None, &|_| {}),
        )
        .await;
        assert!(matches!(&whole, Ok(Ok(outcome)) if outcome.committed && outcome.imported == 5), "{whole:?}");
    }
}

/// On SQLite a transaction left open holds the write lock: a write waits out the busy timeout
/// (10 s) and fails. After abandoned requests, `n` writes (each call audits a token look-up) must
/// answer at once, on any of the pool's connections.
async fn writes_answer_at_once(store: &heard_store::Store, backend: heard_testkit::TestBackend, n: u64) {
    for i in 0..n {
        let token = format!("{:064x}", 1_000 + i);
        let answer = tokio::time::timeout(Duration::from_secs(5), store.user_by_api_token(&token)).await;
        assert!(matches!(answer, Ok(Ok(None))), "{backend:?}: write {i} after the abandoned requests: {answer:?}");
    }
}
