//! The audit log on both backends: appends from many writers at once keep one unbroken chain, the
//! database refuses updates and deletes, filters and pages read it, entries written before the
//! chain are sealed into it, and a link broken behind the store's back is found and named.

use heard_domain::audit::{AuditKind, BrokenLink, GENESIS};
use heard_store::{AuditEntry, AuditEvent, AuditFilter, Store};
use heard_testkit::{TestBackend, fresh_postgres_url};
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use time::OffsetDateTime;

/// A migrated store with a second, raw way into its database: the test's way round the store.
struct Raw {
    store: Store,
    sql: RawPool,
    _dir: Option<TempDir>,
}

enum RawPool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Raw {
    async fn new(backend: TestBackend) -> Raw {
        match backend {
            TestBackend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("heard.db");
                let store = Store::open_sqlite_file(&path).await.unwrap();
                store.migrate().await.unwrap();
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
                Raw { store, sql: RawPool::Sqlite(pool), _dir: Some(dir) }
            }
            TestBackend::Postgres => {
                let url = fresh_postgres_url().await;
                let store = Store::connect(&url).await.unwrap();
                store.migrate().await.unwrap();
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                Raw { store, sql: RawPool::Postgres(pool), _dir: None }
            }
        }
    }

    /// Runs `sql` on the database directly; the error's text if it is refused.
    async fn execute(&self, sql: &str) -> Result<(), String> {
        let result = match &self.sql {
            RawPool::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            RawPool::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        };
        result.map_err(|e| e.to_string())
    }

    /// Takes away the triggers that keep the log append-only, as someone with the database file
    /// in hand could.
    async fn drop_triggers(&self) {
        let sql = match &self.sql {
            RawPool::Sqlite(_) => {
                "DROP TRIGGER IF EXISTS audit_events_chained_insert; DROP TRIGGER audit_events_no_update; \
                 DROP TRIGGER audit_events_no_delete;"
            }
            RawPool::Postgres(_) => {
                "DROP TRIGGER audit_events_append_only ON audit_events; \
                 DROP TRIGGER audit_events_no_truncate ON audit_events;"
            }
        };
        self.execute(sql).await.unwrap();
    }
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Every entry, oldest first.
async fn all(store: &Store) -> Vec<AuditEvent> {
    let mut events = store.audit_events(100_000).await.unwrap();
    events.reverse();
    events
}

#[tokio::test]
async fn the_audit_log_on_both_backends() {
    for backend in heard_testkit::backends() {
        let raw = Raw::new(backend).await;
        let store = &raw.store;
        assert_eq!(store.verify_audit_log().await.unwrap().checked, 0, "{backend:?}: empty at first");

        // Twenty writers at once, five entries each, some in their own words, some by action.
        let mut writers = Vec::new();
        for writer in 0..20_i64 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                for n in 0..5 {
                    if n % 2 == 0 {
                        let entry = AuditEntry::new(AuditKind::Export, "export", format!("writer {writer}/{n}"));
                        store.audit(&entry.by(writer + 1)).await.unwrap();
                    } else {
                        store
                            .record_audit(Some(writer + 1), "source.original_viewed", &format!("source {writer}"))
                            .await
                            .unwrap();
                    }
                }
            }));
        }
        for writer in writers {
            writer.await.unwrap();
        }
        let events = all(store).await;
        assert_eq!(events.len(), 100, "{backend:?}");

        // One line: each entry names the hash of the one before it, the first names the genesis,
        // and each hash is SHA-256 over the previous hash and the entry's canonical lines.
        let mut prev = GENESIS.to_owned();
        for event in &events {
            assert_eq!(event.prev_hash.as_deref(), Some(prev.as_str()), "{backend:?}: entry {}", event.id);
            let at = event
                .at
                .to_offset(time::UtcOffset::UTC)
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let canonical = format!(
                "heard-audit-v1\nid:{}\nat:{at}\nactor:{}\nkind:{}\naction:{}\nobject:{}\n",
                event.id,
                event.actor_id.unwrap(),
                event.kind.code(),
                event.action,
                event.subject
            );
            assert_eq!(event.hash.as_deref(), Some(sha256_hex(&format!("{prev}\n{canonical}")).as_str()));
            prev = event.hash.clone().unwrap();
        }
        let report = store.verify_audit_log().await.unwrap();
        assert_eq!((report.checked, report.broken, report.head), (100, None, prev.clone()), "{backend:?}");
        let viewed = events.iter().filter(|e| e.kind == AuditKind::OriginalViewed).count();
        assert_eq!(viewed, 40, "{backend:?}: kind from the action word");

        // Append-only: the database itself refuses a change, a removal, and an entry off the chain.
        let first = events[0].id;
        for sql in [
            format!("UPDATE audit_events SET subject = 'changed' WHERE id = {first}"),
            format!("UPDATE audit_events SET hash = NULL WHERE id = {first}"),
            format!("DELETE FROM audit_events WHERE id = {first}"),
            "DELETE FROM audit_events".to_owned(),
            "INSERT INTO audit_events (at, actor_id, kind, action, subject) \
             VALUES ('2026-01-01T00:00:00Z', 1, 'export', 'export', 'off the chain')"
                .to_owned(),
        ] {
            let refused = raw.execute(&sql).await.expect_err(&sql);
            assert!(refused.contains("audit"), "{backend:?}: {sql}: {refused}");
        }
        if backend == TestBackend::Postgres {
            assert!(raw.execute("TRUNCATE audit_events").await.is_err());
        }
        assert_eq!(all(store).await.len(), 100);

        // Filters and pages, newest first.
        let exports = AuditFilter { kind: Some(AuditKind::Export), ..Default::default() };
        let page = store.audit_log(&exports, 0, 25).await.unwrap();
        assert_eq!((page.total, page.entries.len()), (60, 25), "{backend:?}");
        assert!(page.entries.windows(2).all(|w| w[0].id > w[1].id));
        let last = store.audit_log(&exports, 50, 25).await.unwrap();
        assert_eq!(last.entries.len(), 10);
        let by_actor = AuditFilter { actor_id: Some(3), ..Default::default() };
        let mine = store.audit_log(&by_actor, 0, 100).await.unwrap();
        assert_eq!(mine.total, 5);
        assert!(mine.entries.iter().all(|e| e.actor_id == Some(3)));
        let about = AuditFilter { object: Some("source 1".into()), ..Default::default() };
        let source_1 = store.audit_log(&about, 0, 100).await.unwrap();
        assert_eq!(source_1.total, 2, "{backend:?}: source 1, not source 10 to 19");
        let today = OffsetDateTime::now_utc().date();
        let dated = |from, to| AuditFilter { from, to, ..Default::default() };
        assert_eq!(store.audit_log(&dated(Some(today), Some(today)), 0, 1).await.unwrap().total, 100);
        let tomorrow = today.next_day().unwrap();
        assert_eq!(store.audit_log(&dated(Some(tomorrow), None), 0, 1).await.unwrap().total, 0);
        assert_eq!(store.audit_log(&dated(None, today.previous_day()), 0, 1).await.unwrap().total, 0);
        let none = AuditFilter { kind: Some(AuditKind::Erasure), actor_id: Some(3), ..Default::default() };
        assert_eq!(store.audit_log(&none, 0, 10).await.unwrap().total, 0);

        // An entry written before the chain (as an installation upgraded from migration 0014 has)
        // is sealed into it by the next migrate.
        let (off, on) = match backend {
            TestBackend::Sqlite => ("DROP TRIGGER audit_events_chained_insert", None),
            TestBackend::Postgres => (
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
                Some("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"),
            ),
        };
        raw.execute(off).await.unwrap();
        raw.execute(
            "INSERT INTO audit_events (at, actor_id, kind, action, subject) \
             VALUES ('2026-01-01T00:00:00Z', 1, 'change', 'demo.load', 'before the chain')",
        )
        .await
        .unwrap();
        if let Some(on) = on {
            raw.execute(on).await.unwrap();
        }
        let legacy = store.audit_events(1).await.unwrap().remove(0);
        assert_eq!((legacy.subject.as_str(), legacy.hash.as_deref()), ("before the chain", None));
        let unsealed = store.verify_audit_log().await.unwrap();
        assert_eq!(unsealed.broken.map(|b| b.id()), Some(legacy.id), "{backend:?}");
        store.migrate().await.unwrap();
        let sealed = store.verify_audit_log().await.unwrap();
        assert_eq!((sealed.checked, sealed.broken), (101, None), "{backend:?}");
        store.record_audit(Some(1), "user.role_changed", "user 2").await.unwrap();
        assert_eq!(store.verify_audit_log().await.unwrap().checked, 102);

        // Behind the store's back: drop the triggers and change one entry's object. The first
        // broken link is that entry, and what differs is its content against its hash.
        raw.drop_triggers().await;
        let target = events[41].id;
        raw.execute(&format!("UPDATE audit_events SET subject = 'tampered' WHERE id = {target}")).await.unwrap();
        let report = store.verify_audit_log().await.unwrap();
        match report.broken {
            Some(BrokenLink::Content { id, stored, computed }) => {
                assert_eq!(id, target, "{backend:?}");
                assert_eq!(Some(stored), events[41].hash.clone());
                assert_ne!(Some(computed), events[41].hash.clone());
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert_eq!(report.checked, 41);

        // Put it back and remove the entry after it instead: the one after that breaks its link.
        raw.execute(&format!("UPDATE audit_events SET subject = '{}' WHERE id = {target}", events[41].subject))
            .await
            .unwrap();
        assert_eq!(store.verify_audit_log().await.unwrap().broken, None);
        raw.execute(&format!("DELETE FROM audit_events WHERE id = {}", events[42].id)).await.unwrap();
        match store.verify_audit_log().await.unwrap().broken {
            Some(BrokenLink::Link { id, stored, expected }) => {
                assert_eq!(id, events[43].id);
                assert_eq!(Some(stored), events[42].hash.clone());
                assert_eq!(Some(expected), events[41].hash.clone());
            }
            other => panic!("{backend:?}: {other:?}"),
        }
    }
}
