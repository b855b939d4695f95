//! Sign-in sessions, kept in the same database as everything else so that a restart signs no one
//! out and several server processes can share them.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::{Pool, Store, StoreError};

/// The session store for `tower_sessions::SessionManagerLayer<heard_store::SessionStore>`, on
/// whichever database the [`Store`] uses.
#[derive(Clone, Debug)]
pub enum SessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionStore {
    /// Creates the session table if it is missing.
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            SessionStore::Sqlite(store) => store.migrate().await?,
            SessionStore::Postgres(store) => store.migrate().await?,
        }
        Ok(())
    }
}

#[async_trait]
impl tower_sessions::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.create(record).await,
            SessionStore::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.save(record).await,
            SessionStore::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionStore::Sqlite(store) => store.load(id).await,
            SessionStore::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.delete(id).await,
            SessionStore::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            SessionStore::Sqlite(store) => store.delete_expired().await,
            SessionStore::Postgres(store) => store.delete_expired().await,
        }
    }
}

impl Store {
    /// The session store over this Store's connection pool.
    pub fn session_store(&self) -> SessionStore {
        match &self.pool {
            Pool::Sqlite(pool) => SessionStore::Sqlite(SqliteStore::new(pool.clone())),
            Pool::Postgres(pool) => SessionStore::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    /// Removes sessions past their expiry date; run now and then.
    pub async fn delete_expired_sessions(&self) -> Result<(), StoreError> {
        self.session_store()
            .delete_expired()
            .await
            .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e.to_string())))
    }
}
