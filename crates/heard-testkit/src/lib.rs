//! Test-only helpers: a fresh, migrated database per test on SQLite or PostgreSQL ([`fresh_store`]),
//! [`plant`] for a consenting participant and a coded story put straight into the store, and, with
//! the `app` feature, `TestApp`: the real router on port 0.
//!
//! PostgreSQL tests need `HEARD_TEST_DATABASE_URL`, a server URL whose role may `CREATE DATABASE`
//! (`scripts/test` starts a throwaway server and sets it). Without it they fail; they never skip.

#[cfg(feature = "app")]
pub mod app;
pub mod plant;

use std::ops::Deref;

use heard_store::Store;
use rand::Rng;
use sqlx::Connection;
use tempfile::TempDir;

#[cfg(feature = "app")]
pub use app::*;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// Both backends, for tests that run unchanged on each.
pub fn backends() -> [TestBackend; 2] {
    [TestBackend::Sqlite, TestBackend::Postgres]
}

/// A migrated, empty Store. Keep it alive for the whole test: for SQLite it owns the temporary
/// directory that holds the database file.
pub struct TestStore {
    pub store: Store,
    /// The PostgreSQL database's URL; `None` on SQLite.
    pub postgres_url: Option<String>,
    _dir: Option<TempDir>,
}

impl TestStore {
    /// The SQLite database file (its WAL beside it, `-wal`); `None` on PostgreSQL.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|dir| dir.path().join("heard.db"))
    }
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// The environment variable that names the PostgreSQL server for tests.
pub const DATABASE_URL_VAR: &str = "HEARD_TEST_DATABASE_URL";

/// A new database, migrated and empty: a file in a fresh temporary directory for SQLite, a new
/// database `heard_test_<random hex>` on the `HEARD_TEST_DATABASE_URL` server for PostgreSQL.
pub async fn fresh_store(backend: TestBackend) -> TestStore {
    let (store, dir, postgres_url) = match backend {
        TestBackend::Sqlite => {
            let dir = tempfile::Builder::new().prefix("heard-test-").tempdir().expect("a temporary directory");
            let store = Store::open_sqlite_file(&dir.path().join("heard.db")).await.expect("SQLite opens");
            (store, Some(dir), None)
        }
        TestBackend::Postgres => {
            let url = fresh_postgres_url().await;
            (Store::connect(&url).await.expect("PostgreSQL connects"), None, Some(url))
        }
    };
    store.migrate().await.expect("migrations apply");
    TestStore { store, postgres_url, _dir: dir }
}

/// Creates a fresh, empty (unmigrated) database on the test server and returns its URL, for tests
/// of the binary's own `migrate`.
pub async fn fresh_postgres_url() -> String {
    let server = std::env::var(DATABASE_URL_VAR).unwrap_or_default();
    if server.trim().is_empty() {
        panic!("{DATABASE_URL_VAR} is not set: the PostgreSQL tests need a server; scripts/test starts one");
    }
    let name = format!("heard_test_{:016x}", rand::rng().random::<u64>());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {DATABASE_URL_VAR}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("CREATE DATABASE");
    admin.close().await.ok();
    with_database(&server, &name)
}

/// The tables of the PostgreSQL database at `url` (schema public) that have a row whose text holds
/// `needle`: for tests that something is gone from every table, or still in some.
pub async fn postgres_tables_holding(url: &str, needle: &str) -> Vec<String> {
    let mut conn = sqlx::PgConnection::connect(url).await.expect("PostgreSQL connects");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .fetch_all(&mut conn)
            .await
            .expect("the tables");
    let mut holding = Vec::new();
    for table in tables {
        let sql = format!("SELECT COUNT(*) FROM \"{table}\" t WHERE strpos(t::text, $1) > 0");
        let n: i64 = sqlx::query_scalar(&sql).bind(needle).fetch_one(&mut conn).await.expect("a count");
        if n > 0 {
            holding.push(table);
        }
    }
    conn.close().await.ok();
    holding
}

/// `url` with its database name replaced by `database`, keeping any query string.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    let mut result = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced() {
        assert_eq!(with_database("postgres://u:p@h:5432/postgres", "t"), "postgres://u:p@h:5432/t");
        assert_eq!(with_database("postgres://u@h:1", "t"), "postgres://u@h:1/t");
        assert_eq!(with_database("postgresql://h/db?sslmode=disable", "t"), "postgresql://h/t?sslmode=disable");
    }
}
