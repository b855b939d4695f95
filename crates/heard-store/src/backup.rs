//! Copies of an embedded (SQLite) installation taken while it runs, and their checks on the way
//! back. `heard backup` and `heard restore` put these together with the media files; a PostgreSQL
//! installation is backed up with `pg_dump` instead (docs/operations.md).
//!
//! A copy is made by `VACUUM INTO`, which reads the database in one read transaction: the copy is
//! the database as it was at one moment, whatever is written meanwhile, and holds no free pages
//! (so nothing already erased travels with it). Sessions are taken out of the copy, so restoring
//! it signs nobody in.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};

use crate::{Pool, Store, StoreError};

/// What a database copy holds that the rest of a backup depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFacts {
    /// The newest migration applied to the copy.
    pub schema_version: i64,
    /// The media files the copy's sources refer to, by content address, each once, in order.
    pub media_addresses: Vec<String>,
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `target`, which must not exist yet,
    /// while others go on reading and writing. A PostgreSQL store is refused (`Invalid`, field
    /// `database`): use pg_dump.
    pub async fn copy_sqlite_to(&self, target: &Path) -> Result<(), StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::Invalid(heard_domain::Invalid::one(
                "database",
                "A PostgreSQL database is backed up with pg_dump (see docs/operations.md), not heard backup",
            )));
        };
        let target = target.to_str().ok_or_else(|| {
            StoreError::Invalid(heard_domain::Invalid::one("file", "The backup's folder name is not valid UTF-8"))
        })?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        Ok(())
    }
}

/// Readies a copy made by [`Store::copy_sqlite_to`] for keeping: removes the sessions (securely,
/// then vacuums so their pages go) and reports what the copy needs beside it.
pub async fn seal_copy(copy: &Path) -> Result<CopyFacts, StoreError> {
    let mut connection = open_copy(copy).await?;
    sqlx::query("PRAGMA secure_delete = ON").execute(&mut connection).await?;
    let has_sessions = sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tower_sessions'")
        .fetch_optional(&mut connection)
        .await?
        .is_some();
    if has_sessions {
        sqlx::query("DELETE FROM tower_sessions").execute(&mut connection).await?;
        sqlx::query("VACUUM").execute(&mut connection).await?;
    }
    let facts = copy_facts(&mut connection).await?;
    connection.close().await?;
    Ok(facts)
}

/// Checks a copy about to be restored: SQLite's integrity check passes and its schema is one this
/// version of Heard knows (it may be older: the next start migrates it forward).
pub async fn check_copy(copy: &Path) -> Result<CopyFacts, StoreError> {
    let mut connection = open_copy(copy).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut connection).await?;
    if verdict != "ok" {
        return Err(StoreError::Invalid(heard_domain::Invalid::one(
            "file",
            "The backup's database fails SQLite's integrity check: it is damaged",
        )));
    }
    let facts = copy_facts(&mut connection).await?;
    connection.close().await?;
    let newest_known = crate::SQLITE_MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if facts.schema_version > newest_known {
        return Err(StoreError::Invalid(heard_domain::Invalid::one(
            "file",
            format!(
                "The backup was made by a newer version of Heard (schema {}; this one knows up to {newest_known}): \
                 restore it with that version or newer",
                facts.schema_version
            ),
        )));
    }
    Ok(facts)
}

async fn open_copy(copy: &Path) -> Result<SqliteConnection, StoreError> {
    Ok(SqliteConnectOptions::new().filename(copy).create_if_missing(false).connect().await?)
}

async fn copy_facts(connection: &mut SqliteConnection) -> Result<CopyFacts, StoreError> {
    let schema_version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *connection)
        .await
        .map_err(|_| {
            StoreError::Invalid(heard_domain::Invalid::one("file", "The backup's database is not a Heard database"))
        })?;
    let media_addresses = sqlx::query(
        "SELECT DISTINCT media_address FROM sources WHERE media_address IS NOT NULL ORDER BY media_address",
    )
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| row.get::<String, _>(0))
    .collect();
    Ok(CopyFacts { schema_version: schema_version.unwrap_or(0), media_addresses })
}
