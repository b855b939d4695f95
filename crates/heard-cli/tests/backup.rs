//! `heard backup` and `heard restore` on a real embedded installation (the demo, with its film):
//! a backup taken while Heard writes restores to a consistent database; one taken at rest restores
//! to exactly the same rows and media bytes; a damaged backup or an occupied data folder is refused
//! with nothing changed.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use heard_domain::journeys::{ProgrammeStatus, Slug};
use heard_store::{NewProgramme, Store};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};

fn heard(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heard"))
        .args(args)
        .env("HEARD_DATA_DIR", data_dir)
        .env_remove("HEARD_DATABASE_URL")
        .env("HEARD_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("the heard binary runs")
}

fn succeeded(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "heard failed: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn failed(output: &Output) -> String {
    assert!(!output.status.success(), "heard should have refused");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn open(db: &Path) -> SqliteConnection {
    SqliteConnectOptions::new().filename(db).connect().await.expect("the database opens")
}

async fn programme_count(db: &Path) -> i64 {
    let mut connection = open(db).await;
    sqlx::query_scalar("SELECT COUNT(*) FROM programmes").fetch_one(&mut connection).await.unwrap()
}

/// Every table of `restored` holds exactly the rows of the same table in `original` (sessions
/// aside: a backup signs nobody in), and no table is missing on either side.
async fn assert_same_rows(original: &Path, restored: &Path) {
    let mut connection = open(restored).await;
    sqlx::query("ATTACH DATABASE $1 AS original")
        .bind(original.to_str().unwrap())
        .execute(&mut connection)
        .await
        .unwrap();
    let tables = |schema: &str| {
        format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> 'tower_sessions' ORDER BY name"
        )
    };
    let names: Vec<String> = sqlx::query_scalar(&tables("main")).fetch_all(&mut connection).await.unwrap();
    let original_names: Vec<String> = sqlx::query_scalar(&tables("original")).fetch_all(&mut connection).await.unwrap();
    assert_eq!(names, original_names, "the same tables");
    assert!(names.len() > 30, "a Heard database has its tables: {names:?}");
    let mut rows_compared = 0;
    for name in &names {
        let count = |schema: &str| format!("SELECT COUNT(*) FROM {schema}.\"{name}\"");
        let here: i64 = sqlx::query_scalar(&count("main")).fetch_one(&mut connection).await.unwrap();
        let there: i64 = sqlx::query_scalar(&count("original")).fetch_one(&mut connection).await.unwrap();
        assert_eq!(here, there, "rows in {name}");
        for (a, b) in [("main", "original"), ("original", "main")] {
            let differing: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT * FROM {a}.\"{name}\" EXCEPT SELECT * FROM {b}.\"{name}\")"
            ))
            .fetch_one(&mut connection)
            .await
            .unwrap();
            assert_eq!(differing, 0, "rows of {name} in {a} and not in {b}");
        }
        rows_compared += here;
    }
    assert!(rows_compared > 1000, "the demo's rows were compared: {rows_compared}");
}

/// Every media file under `a` is under `b` with the same bytes, and the other way round.
fn assert_same_media(a: &Path, b: &Path) -> usize {
    fn files(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut found = Vec::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if path.file_name().is_some_and(|n| n != "tmp") {
                        folders.push(path);
                    }
                } else {
                    found.push((path.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&path).unwrap()));
                }
            }
        }
        found.sort();
        found
    }
    let (left, right) = (files(&a.join("media")), files(&b.join("media")));
    assert_eq!(left.len(), right.len(), "the same number of media files");
    assert!(left == right, "media files differ");
    left.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_the_installation_it_was_taken_from() {
    let original = tempfile::tempdir().unwrap();
    succeeded(&heard(original.path(), &["demo", "load"]));
    let db = original.path().join("heard.db");
    let backups = tempfile::tempdir().unwrap();

    // Taken while another connection keeps adding programmes: the copy is the database at one
    // moment, so it opens whole with some prefix of the writes.
    let before = programme_count(&db).await;
    let store = Store::open_sqlite_file(&db).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = tokio::spawn({
        let (stop, written, store) = (stop.clone(), written.clone(), store.clone());
        async move {
            while !stop.load(Ordering::Relaxed) {
                let n = written.load(Ordering::Relaxed);
                let new = NewProgramme {
                    slug: Slug::parse("slug", &format!("backup-probe-{n}")).unwrap(),
                    name: format!("Backup probe {n}"),
                    aim: "Written while a backup runs.".into(),
                    status: ProgrammeStatus::Active,
                    lead_commissioner_id: None,
                    partner_ids: Vec::new(),
                };
                store.create_programme(&new).await.unwrap();
                written.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    let online = backups.path().join("online.zip");
    let output = {
        let (dir, file) = (original.path().to_path_buf(), online.clone());
        tokio::task::spawn_blocking(move || heard(&dir, &["backup", file.to_str().unwrap()])).await.unwrap()
    };
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    let said = succeeded(&output);
    assert!(said.contains("1 media file(s)"), "the demo film is in the backup: {said}");
    let after = programme_count(&db).await;
    assert!(written.load(Ordering::Relaxed) > 0 && after > before, "writes went on meanwhile");

    let from_online = tempfile::tempdir().unwrap();
    succeeded(&heard(from_online.path(), &["restore", online.to_str().unwrap()]));
    let restored = from_online.path().join("heard.db");
    let mut connection = open(&restored).await;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap();
    assert_eq!(verdict, "ok");
    let sessions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tower_sessions").fetch_one(&mut connection).await.unwrap();
    assert_eq!(sessions, 0, "a restored backup signs nobody in");
    connection.close().await.unwrap();
    let restored_count = programme_count(&restored).await;
    assert!((before..=after).contains(&restored_count), "{before} <= {restored_count} <= {after}");
    // The writes it holds are a prefix: the probes numbered 0.. with none missing.
    let mut connection = open(&restored).await;
    let probes: Vec<String> = sqlx::query("SELECT slug FROM programmes WHERE slug LIKE 'backup-probe-%'")
        .fetch_all(&mut connection)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for n in 0..probes.len() {
        assert!(probes.contains(&format!("backup-probe-{n}")), "probe {n} of {} is missing", probes.len());
    }
    connection.close().await.unwrap();
    store.close().await;

    // At rest: the restored installation is the original, row for row and byte for byte.
    let at_rest = backups.path().join("at-rest.zip");
    succeeded(&heard(original.path(), &["backup", at_rest.to_str().unwrap()]));
    let copy = tempfile::tempdir().unwrap();
    succeeded(&heard(copy.path(), &["restore", at_rest.to_str().unwrap()]));
    assert_same_rows(&db, &copy.path().join("heard.db")).await;
    assert_eq!(assert_same_media(original.path(), copy.path()), 1, "the demo film");

    // An occupied data folder is refused unless told to replace it; replacing gives the backup.
    let refused = failed(&heard(from_online.path(), &["restore", at_rest.to_str().unwrap()]));
    assert!(refused.contains("already holds an installation") && refused.contains("--replace"), "{refused}");
    assert_eq!(programme_count(&restored).await, restored_count, "nothing changed");
    succeeded(&heard(from_online.path(), &["restore", "--replace", at_rest.to_str().unwrap()]));
    assert_same_rows(&db, &restored).await;
    assert_same_media(original.path(), from_online.path());
    succeeded(&heard(from_online.path(), &["migrate"]));

    // A damaged backup is refused and the installation stays as it was.
    let mut bytes = std::fs::read(&at_rest).unwrap();
    let middle = bytes.len() / 3;
    for byte in &mut bytes[middle..middle + 64] {
        *byte ^= 0x5a;
    }
    let damaged = backups.path().join("damaged.zip");
    std::fs::write(&damaged, bytes).unwrap();
    let refused = failed(&heard(copy.path(), &["restore", "--replace", damaged.to_str().unwrap()]));
    assert!(refused.contains("damaged") || refused.contains("not a backup"), "{refused}");
    assert_same_rows(&db, &copy.path().join("heard.db")).await;
    let leftovers: Vec<_> = std::fs::read_dir(copy.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".heard-restore-"))
        .collect();
    assert!(leftovers.is_empty(), "a refused restore leaves nothing behind");

    let not_a_backup = backups.path().join("notes.zip");
    std::fs::write(&not_a_backup, b"not a zip at all").unwrap();
    let refused = failed(&heard(copy.path(), &["restore", "--replace", not_a_backup.to_str().unwrap()]));
    assert!(refused.contains("is not a backup made by heard backup"), "{refused}");
}

/// PostgreSQL installations are backed up with pg_dump and restored with pg_restore
/// (docs/operations.md): the same commands, run here on the demo, give back the same rows.
#[tokio::test]
async fn pg_dump_and_pg_restore_give_back_a_postgresql_installation() {
    let data_dir = tempfile::tempdir().unwrap();
    let original = heard_testkit::fresh_postgres_url().await;
    let loaded = Command::new(env!("CARGO_BIN_EXE_heard"))
        .args(["demo", "load"])
        .env("HEARD_DATA_DIR", data_dir.path())
        .env("HEARD_DATABASE_URL", &original)
        .env("HEARD_LOG", "warn")
        .output()
        .unwrap();
    succeeded(&loaded);
    let dump = data_dir.path().join("heard.dump");
    succeeded(
        &Command::new("pg_dump")
            .args(["--format=custom", "--file"])
            .arg(&dump)
            .args(["--dbname", &original])
            .output()
            .expect("pg_dump runs"),
    );
    let restored = heard_testkit::fresh_postgres_url().await;
    succeeded(
        &Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname", &restored])
            .arg(&dump)
            .output()
            .expect("pg_restore runs"),
    );

    async fn fingerprints(url: &str) -> Vec<(String, i64, Option<String>)> {
        let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'session' ORDER BY 1",
        )
        .fetch_all(&mut connection)
        .await
        .unwrap();
        let mut found = Vec::new();
        for table in tables {
            let row = sqlx::query(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT), md5(string_agg(t::text, E'\\n' ORDER BY t::text)) FROM \"{table}\" t"
            ))
            .fetch_one(&mut connection)
            .await
            .unwrap();
            found.push((table, row.get(0), row.get(1)));
        }
        connection.close().await.unwrap();
        found
    }
    let (before, after) = (fingerprints(&original).await, fingerprints(&restored).await);
    assert!(before.len() > 30, "a Heard database has its tables");
    assert!(before.iter().map(|(_, rows, _)| rows).sum::<i64>() > 1000, "the demo's rows");
    assert_eq!(before, after, "every table's rows come back");
    let migrated = Command::new(env!("CARGO_BIN_EXE_heard"))
        .arg("migrate")
        .env("HEARD_DATA_DIR", data_dir.path())
        .env("HEARD_DATABASE_URL", &restored)
        .env("HEARD_LOG", "warn")
        .output()
        .unwrap();
    assert!(succeeded(&migrated).contains("postgres"));
}
