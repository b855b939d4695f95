//! The audit log: append-only and hash-chained (see `heard_domain::audit`). Entries are only ever
//! added, through [`Store::audit`] or, inside a transaction of one's own, [`AuditConn::append_audit`];
//! there is no update or delete, and the database's triggers refuse both (migration 0015).
//!
//! Appends are serialised so the chain stays one line under concurrent writers: on SQLite the
//! append runs in a transaction holding the one write lock (`BEGIN IMMEDIATE`, or the caller's
//! transaction that has written); on PostgreSQL it takes a transaction-scoped advisory lock before
//! reading the last hash, held until the caller's transaction ends.

use heard_domain::audit::{AuditContent, AuditKind, BrokenLink, ChainCheck, ChainedEntry, GENESIS};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Store, StoreError, decode, now};

/// The PostgreSQL advisory lock that serialises appends ("HEARD-AU" in ASCII).
const APPEND_LOCK: i64 = 0x4845_4152_442d_4155;

/// How many entries `heard audit verify` reads at a time.
const VERIFY_BATCH: i64 = 1_000;

/// An entry to append: who (a user id, or none for a visitor, a contributor or the system), what
/// kind, the action word, and what was acted on, by id (`source 12`, `user 3`, a route's path).
/// Never a name, an email, a pseudonym or anything a person wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_id: Option<i64>,
    pub kind: AuditKind,
    pub action: String,
    pub object: String,
}

impl AuditEntry {
    pub fn new(kind: AuditKind, action: impl Into<String>, object: impl Into<String>) -> AuditEntry {
        AuditEntry { actor_id: None, kind, action: action.into(), object: object.into() }
    }

    /// An entry with only an action word; its kind from [`AuditKind::of_action`].
    pub fn of_action(action: &str, object: impl Into<String>) -> AuditEntry {
        AuditEntry::new(AuditKind::of_action(action), action, object)
    }

    /// The same entry, done by the user `actor_id`.
    pub fn by(self, actor_id: impl Into<Option<i64>>) -> AuditEntry {
        AuditEntry { actor_id: actor_id.into(), ..self }
    }
}

/// One entry of the audit log as read back: who did what to what, and when, with its place in
/// the chain.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub kind: AuditKind,
    pub action: String,
    /// What was acted on, by id.
    pub subject: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// Which entries to read: every field optional; dates inclusive, in UTC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    pub actor_id: Option<i64>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The object, as written (`source 12`): that entry and entries about it in more detail
    /// (`source 12, span 3..9`).
    pub object: Option<String>,
}

/// A page of entries, newest first, and how many match in all.
#[derive(Debug, Clone, Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEvent>,
    pub total: i64,
}

/// What `heard audit verify` found: how many entries held, the head of the chain, and the first
/// broken link if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: u64,
    pub head: String,
    pub broken: Option<BrokenLink>,
}

/// Appending to the audit log inside a transaction the caller holds, so the entry commits or
/// rolls back with the work it records. `conn.append_audit(&entry)` with `use
/// crate::audit::AuditConn`, on `&mut *tx` of either backend. Returns the entry's id.
pub(crate) trait AuditConn {
    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<i64, StoreError>;
    /// Waits for any other append to finish and keeps others out until this transaction ends.
    async fn lock_audit(&mut self) -> Result<(), StoreError>;
}

impl AuditConn for sqlx::SqliteConnection {
    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<i64, StoreError> {
        // SQLite has one writer at a time: inside a transaction that holds the write lock, the last
        // entry read here stays the last until commit. (A deferred transaction that has only read
        // fails with SQLITE_BUSY here rather than fork the chain.)
        let last: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *self)
                .await?;
        let id = last.as_ref().map_or(1, |(id, _)| id + 1);
        let prev = last.and_then(|(_, hash)| hash).unwrap_or_else(|| GENESIS.to_owned());
        let (content, hash) = sealed(id, entry, &prev);
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_id, kind, action, subject, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(content.at)
        .bind(content.actor_id)
        .bind(content.kind.code())
        .bind(&content.action)
        .bind(&content.object)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *self)
        .await?;
        Ok(id)
    }

    async fn lock_audit(&mut self) -> Result<(), StoreError> {
        // The transaction's BEGIN IMMEDIATE, or its first write, holds SQLite's one write lock.
        Ok(())
    }
}

impl AuditConn for sqlx::PgConnection {
    async fn append_audit(&mut self, entry: &AuditEntry) -> Result<i64, StoreError> {
        // Held until the caller's transaction ends, so the next append reads this one as the last
        // (READ COMMITTED: each statement sees what committed before it).
        self.lock_audit().await?;
        let prev: Option<Option<String>> = sqlx::query_scalar("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *self)
            .await?;
        let prev = prev.flatten().unwrap_or_else(|| GENESIS.to_owned());
        let id: i64 = sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('audit_events', 'id'))")
            .fetch_one(&mut *self)
            .await?;
        let (content, hash) = sealed(id, entry, &prev);
        sqlx::query(
            "INSERT INTO audit_events (id, at, actor_id, kind, action, subject, prev_hash, hash)
             OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(content.at)
        .bind(content.actor_id)
        .bind(content.kind.code())
        .bind(&content.action)
        .bind(&content.object)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *self)
        .await?;
        Ok(id)
    }

    async fn lock_audit(&mut self) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(APPEND_LOCK).execute(&mut *self).await?;
        Ok(())
    }
}

fn sealed(id: i64, entry: &AuditEntry, prev: &str) -> (AuditContent, String) {
    let content = AuditContent {
        id,
        at: now(),
        actor_id: entry.actor_id,
        kind: entry.kind,
        action: entry.action.clone(),
        object: entry.object.clone(),
    };
    let hash = content.hash(prev);
    (content, hash)
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: OffsetDateTime,
    actor_id: Option<i64>,
    kind: String,
    action: String,
    subject: String,
    prev_hash: Option<String>,
    hash: Option<String>,
}

impl AuditRow {
    fn into_event(self) -> Result<AuditEvent, StoreError> {
        Ok(AuditEvent {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            kind: decode(&self.kind)?,
            action: self.action,
            subject: self.subject,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }

    fn content(&self) -> Result<AuditContent, StoreError> {
        Ok(AuditContent {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            kind: decode(&self.kind)?,
            action: self.action.clone(),
            object: self.subject.clone(),
        })
    }
}

const COLUMNS: &str = "id, at, actor_id, kind, action, subject, prev_hash, hash";

/// `LIKE` pattern for entries about `object` in more detail: `source 12, …`, `source 12 …`,
/// `/programmes/x/…`, `user:3 …`; never `source 123`.
fn like_escaped(object: &str) -> String {
    object.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

fn day_start(date: Date) -> OffsetDateTime {
    date.midnight().assume_utc()
}

per_backend! {
    pub(super) async fn append(pool: &DbPool, entry: &AuditEntry) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let id = tx.append_audit(entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Seals entries written before the chain (migration 0015 left them without hashes), in id order.
    pub(super) async fn seal(pool: &DbPool) -> Result<u64, StoreError> {
        let mut tx = begin(pool).await?;
        tx.lock_audit().await?;
        let unsealed = sqlx::query_as::<_, AuditRow>(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE hash IS NULL ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let Some(first) = unsealed.first() else {
            return Ok(0);
        };
        let before: Option<Option<String>> =
            sqlx::query_scalar("SELECT hash FROM audit_events WHERE id < $1 ORDER BY id DESC LIMIT 1")
                .bind(first.id)
                .fetch_optional(&mut *tx)
                .await?;
        let mut prev = before.flatten().unwrap_or_else(|| GENESIS.to_owned());
        for row in &unsealed {
            let hash = row.content()?.hash(&prev);
            sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(row.id)
                .execute(&mut *tx)
                .await?;
            prev = hash;
        }
        tx.commit().await?;
        Ok(unsealed.len() as u64)
    }

    pub(super) async fn latest(pool: &DbPool, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        sqlx::query_as::<_, AuditRow>(&format!("SELECT {COLUMNS} FROM audit_events ORDER BY id DESC LIMIT $1"))
            .bind(limit.max(0))
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(AuditRow::into_event)
            .collect()
    }

    pub(super) async fn page(
        pool: &DbPool,
        filter: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<AuditPage, StoreError> {
        // Every condition is always present and switched off by a NULL, so one statement serves
        // every combination of filters.
        let condition = "($1 IS NULL OR kind = $1)
              AND ($2 IS NULL OR actor_id = $2)
              AND ($3 IS NULL OR at >= $3)
              AND ($4 IS NULL OR at < $4)
              AND ($5 IS NULL OR subject = $5
                   OR subject LIKE $6 ESCAPE '\\' OR subject LIKE $7 ESCAPE '\\'
                   OR subject LIKE $8 ESCAPE '\\' OR subject LIKE $9 ESCAPE '\\')";
        let object = filter.object.as_deref().map(str::trim).filter(|o| !o.is_empty());
        let like = |tail: &str| object.map(|o| format!("{}{tail}%", like_escaped(o)));
        let from = filter.from.map(day_start);
        let to = filter.to.and_then(|d| d.next_day()).map(day_start);
        macro_rules! bound {
            ($query:expr) => {
                $query
                    .bind(filter.kind.map(|k| k.code()))
                    .bind(filter.actor_id)
                    .bind(from)
                    .bind(to)
                    .bind(object)
                    .bind(like(","))
                    .bind(like(" "))
                    .bind(like("/"))
                    .bind(like(":"))
            };
        }
        let total: i64 = bound!(sqlx::query_scalar(&format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE {condition}"
        )))
        .fetch_one(pool)
        .await?;
        let entries = bound!(sqlx::query_as::<_, AuditRow>(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE {condition} ORDER BY id DESC LIMIT $10 OFFSET $11"
        )))
        .bind(limit.max(0))
        .bind(offset.max(0))
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(AuditRow::into_event)
        .collect::<Result<_, _>>()?;
        Ok(AuditPage { entries, total })
    }

    pub(super) async fn verify(pool: &DbPool) -> Result<ChainReport, StoreError> {
        let mut check = ChainCheck::new();
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query_as::<_, AuditRow>(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE id > $1 ORDER BY id LIMIT $2"
            ))
            .bind(after)
            .bind(VERIFY_BATCH)
            .fetch_all(pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            for row in &rows {
                let entry = ChainedEntry {
                    content: row.content()?,
                    prev_hash: row.prev_hash.clone().unwrap_or_else(|| "none".to_owned()),
                    hash: row.hash.clone().unwrap_or_else(|| "none".to_owned()),
                };
                if let Err(broken) = check.next(&entry) {
                    return Ok(ChainReport { checked: check.checked(), head: check.head().to_owned(), broken: Some(broken) });
                }
            }
        }
        Ok(ChainReport { checked: check.checked(), head: check.head().to_owned(), broken: None })
    }
}

impl Store {
    /// Appends `entry` to the audit log in a transaction of its own. Inside a transaction of your
    /// own (in heard-store), use [`AuditConn::append_audit`] on it instead, so the entry commits
    /// with the work it records. Returns the entry's id.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        dispatch!(self, append(entry))
    }

    /// Appends an entry with only an action word (`source.original_viewed`, `user.role_changed`);
    /// its kind comes from [`AuditKind::of_action`]. `subject` names what was acted on, by id;
    /// keep personal data out.
    pub async fn record_audit(&self, actor_id: Option<i64>, action: &str, subject: &str) -> Result<(), StoreError> {
        self.audit(&AuditEntry::of_action(action, subject).by(actor_id)).await.map(|_| ())
    }

    /// The latest `limit` audit events, newest first.
    pub async fn audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        dispatch!(self, latest(limit))
    }

    /// The entries `filter` picks, newest first: `limit` of them after skipping `offset`, and how
    /// many there are in all.
    pub async fn audit_log(&self, filter: &AuditFilter, offset: i64, limit: i64) -> Result<AuditPage, StoreError> {
        dispatch!(self, page(filter, offset, limit))
    }

    /// Walks the whole chain from the first entry and reports the first broken link.
    pub async fn verify_audit_log(&self) -> Result<ChainReport, StoreError> {
        dispatch!(self, verify())
    }

    /// Chains entries written before the audit log was chained; run by [`Store::migrate`].
    pub(crate) async fn seal_audit_log(&self) -> Result<u64, StoreError> {
        dispatch!(self, seal())
    }
}
