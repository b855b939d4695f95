//! Heard's Store: the one API through which the rest of Heard reads and writes, over an embedded
//! SQLite file (the default, in WAL mode) or a PostgreSQL server. Only this crate writes SQL.
//!
//! Each method is written once: [`per_backend!`] compiles the same functions against SQLite and
//! against PostgreSQL, and [`Store`] dispatches to the one its pool uses. Queries are built at run
//! time (`sqlx::query_as`) with `$1` placeholders, which both drivers accept.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

/// `begin(pool)`: opens a write transaction (`BEGIN`) in a task of its own. sqlx 0.8's begin with
/// a custom statement runs BEGIN and then checks the connection before handing the transaction
/// back; a caller dropped between the two (a client hanging up on a request) left the pool a
/// connection inside a transaction nobody held, which on SQLite kept the write lock and made every
/// later write fail ("database is locked", seen under wrk when it stopped mid-request). In its own
/// task the begin always finishes, and a transaction no one awaits any more is dropped there,
/// which rolls it back.
macro_rules! begin_in_a_task {
    () => {
        async fn begin(pool: &DbPool) -> Result<sqlx::Transaction<'static, Db>, sqlx::Error> {
            let pool = pool.clone();
            match tokio::spawn(async move { pool.begin_with(BEGIN).await }).await {
                Ok(begun) => begun,
                Err(error) => match error.try_into_panic() {
                    Ok(panic) => std::panic::resume_unwind(panic),
                    // The runtime is shutting down.
                    Err(_) => Err(sqlx::Error::PoolClosed),
                },
            }
        }
    };
}

/// Compiles the items given once for SQLite (module `sqlite`) and once for PostgreSQL (module
/// `postgres`). Inside, `DbPool` is the backend's pool, `Conn` its connection, and `BEGIN` the
/// statement that opens a write transaction.
macro_rules! per_backend {
    ($($item:item)*) => {
        mod sqlite {
            #![allow(dead_code, unused_imports)]
            use super::*;
            type DbPool = sqlx::SqlitePool;
            type Conn = sqlx::SqliteConnection;
            // IMMEDIATE takes the write lock at once, so a transaction that reads and then writes
            // waits for a concurrent writer (busy_timeout) instead of failing with SQLITE_BUSY.
            const BEGIN: &str = "BEGIN IMMEDIATE";
            type Db = sqlx::Sqlite;
            begin_in_a_task!();
            $($item)*
        }
        mod postgres {
            #![allow(dead_code, unused_imports)]
            use super::*;
            type DbPool = sqlx::PgPool;
            type Conn = sqlx::PgConnection;
            const BEGIN: &str = "BEGIN";
            type Db = sqlx::Postgres;
            begin_in_a_task!();
            $($item)*
        }
    };
}

/// Calls `sqlite::f(pool, args..)` or `postgres::f(pool, args..)`, whichever backend `store` uses.
macro_rules! dispatch {
    ($store:expr, $f:ident($($arg:expr),* $(,)?)) => {
        match &$store.pool {
            $crate::Pool::Sqlite(pool) => sqlite::$f(pool $(, $arg)*).await,
            $crate::Pool::Postgres(pool) => postgres::$f(pool $(, $arg)*).await,
        }
    };
}

pub mod audit;
pub mod backup;
pub mod causes;
pub mod coding;
pub mod decisions;
pub mod deliberation;
pub mod demo;
pub mod governance;
pub mod horizon;
pub mod journeys;
pub mod learning;
pub mod media;
pub mod propositions;
pub mod protection;
pub mod sessions;
pub mod sso;
pub mod voice;

pub use audit::{AuditEntry, AuditEvent, AuditFilter, AuditPage, ChainReport};
pub use governance::{ApiTokenRecord, NewUser, Partner, User, UserChange};
pub use journeys::{
    Activity, Move, NewActivity, NewProgramme, Programme, ProgrammeChange, ProgrammeSummary, Stage, StageChange,
    TemplateStage, UserRef,
};
pub use sessions::SessionStore;
pub use voice::{
    Consent, Media, NewConsent, NewParticipant, NewSource, NewStory, Participant, PatternStory, SearchFilters,
    SearchHit, SearchResults, Source, SourceSummary, StoryForm, StoryReceipt,
};

/// Which database a [`Store`] keeps its data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name shown on the status page and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
    }
}

/// Why a Store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing named does not exist.
    #[error("not found")]
    NotFound,
    /// Another row already has this value of a unique field, e.g. `email`, `slug` or `name`.
    #[error("there is already one with this {field}")]
    Duplicate { field: &'static str },
    /// A journey stage cannot move that way.
    #[error(transparent)]
    Transition(heard_domain::journeys::TransitionError),
    /// Someone else changed it since the person read it (optimistic versioning); nothing was saved.
    /// `what` names the thing, e.g. "factor".
    #[error("this {what} was changed by someone else")]
    Conflict { what: &'static str },
    /// The input breaks a rule only the store can check, e.g. the lead commissioner is not one.
    #[error(transparent)]
    Invalid(heard_domain::Invalid),
    /// Anything else. The message stays generic because a driver's message may quote row values;
    /// the source carries the detail for logs.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// For an UPDATE or DELETE whose WHERE names the row (and the programme it must belong to):
/// no row changed means there is no such row there, `NotFound`.
fn found(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

impl From<heard_domain::Invalid> for StoreError {
    fn from(invalid: heard_domain::Invalid) -> Self {
        StoreError::Invalid(invalid)
    }
}

impl From<heard_domain::journeys::TransitionError> for StoreError {
    fn from(error: heard_domain::journeys::TransitionError) -> Self {
        StoreError::Transition(error)
    }
}

/// Heard's data, in SQLite or PostgreSQL. Cheap to clone: clones share the connection pool.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `sqlite:///absolute/path.db`, `sqlite://relative.db` (created if missing),
    /// `postgres://…` or `postgresql://…`.
    pub async fn connect(database_url: &str) -> Result<Store, StoreError> {
        if database_url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(database_url)?;
            Self::open_sqlite(options).await
        } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new().max_connections(10).connect(database_url).await?;
            Ok(Store { pool: Pool::Postgres(pool) })
        } else {
            Err(StoreError::Invalid(heard_domain::Invalid::one(
                "database_url",
                "Use a database URL that starts sqlite:, postgres:// or postgresql://",
            )))
        }
    }

    /// Opens (creating if missing) the SQLite database file at `path`; its directory must exist.
    pub async fn open_sqlite_file(path: &Path) -> Result<Store, StoreError> {
        Self::open_sqlite(SqliteConnectOptions::new().filename(path)).await
    }

    async fn open_sqlite(options: SqliteConnectOptions) -> Result<Store, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Deleted rows are overwritten with zeros, so erased text (a withdrawn consent, a
            // retention run) does not survive in free pages; see protection::Store::scrub for the WAL.
            .pragma("secure_delete", "ON")
            // 16 MiB of page cache a connection rather than SQLite's 2 MiB: reading a programme's
            // codings whole (matrices, agreement) otherwise spends as long in read calls as in SQLite.
            .pragma("cache_size", "-16384");
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Ok(Store { pool: Pool::Sqlite(pool) })
    }

    /// Brings the schema up to date (Heard's tables and the session table) and, on a new
    /// installation, writes the default journey template.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Pool::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        self.session_store().migrate().await?;
        self.seal_audit_log().await?;
        if self.journey_template().await?.is_empty() {
            self.replace_journey_template(&heard_domain::journeys::default_template()).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        let result = match &self.pool {
            Pool::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        result.is_ok()
    }

    /// Closes every connection; later calls fail. SQLite first checkpoints the WAL into the
    /// database file and truncates it: SQLite's own checkpoint on the last close is skipped when
    /// two connections close at once, each seeing the other still open, and would leave the WAL
    /// (with whatever was written since the last scrub) beside the database.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => {
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await {
                    tracing::warn!(%error, "could not checkpoint the WAL before closing");
                }
                pool.close().await
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// Now, to the microsecond: what PostgreSQL keeps, so a value written reads back equal.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`] naming `field`.
pub(crate) fn unique(field: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate { field },
        _ => StoreError::Database(error),
    }
}

/// Maps a foreign-key violation (a row that refers to one that does not exist) to `NotFound`.
pub(crate) fn missing_parent(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        _ => StoreError::Database(error),
    }
}

/// Parses a vocabulary code read from the database; a code the program does not know is a
/// decoding failure, not bad input.
pub(crate) fn decode<T>(code: &str) -> Result<T, StoreError>
where
    T: FromStr<Err = heard_domain::vocabulary::UnknownCode>,
{
    code.parse()
        .map_err(|e: heard_domain::vocabulary::UnknownCode| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// A count read from the database as a `u32`; negative is a decoding failure.
pub(crate) fn decode_count(n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}
