//! Data protection: erasure when consent is withdrawn, retention rules and their runs.
//!
//! An erasure is one database transaction: the rows go (the search index with them: an FTS5
//! trigger on SQLite, a generated column on PostgreSQL), an `erasures` row keeps counts without
//! content, and the media files no source holds any more are listed in `media_erasures`. Only
//! after it commits are the files removed ([`finish_erasures`]) and the database scrubbed
//! ([`Store::scrub`]: the WAL checkpointed and truncated on SQLite, which runs with
//! `secure_delete` so freed pages are zeroed; VACUUM on PostgreSQL). Both steps are idempotent and
//! remembered in the database (`media_erasures`, `erasures.scrubbed_at`), so a crash between the
//! commit and them is finished by the next run, and no crash leaves content half-erased.

pub mod access;
pub mod retention;

use std::collections::BTreeSet;

use heard_domain::protection::{ErasureReason, WithdrawalScope, withdrawal_erases};
use heard_domain::voice::participants::ConsentPurpose;
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{AuditConn, AuditEntry};
use crate::media::MediaStore;
use crate::{Pool, Store, StoreError, decode, decode_count, now};

/// What one erasure took away, as numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErasureCounts {
    /// Sources erased whole: original and redacted text, form answers, media, search entries.
    pub sources: u32,
    /// Sources whose original text alone was erased (a retention rule), the redacted copy kept.
    pub originals: u32,
    pub excerpts: u32,
    pub codings: u32,
    /// Quotes: the erased excerpts' places as evidence of insights and cause-map factors; or, for
    /// a withdrawal of consent to quotation, the quotes no longer shown.
    pub quotes: u32,
    pub form_answers: u32,
    /// Media files no source holds any more, removed from the media store.
    pub media_files: u32,
}

impl ErasureCounts {
    fn add(&mut self, other: ErasureCounts) {
        self.sources += other.sources;
        self.originals += other.originals;
        self.excerpts += other.excerpts;
        self.codings += other.codings;
        self.quotes += other.quotes;
        self.form_answers += other.form_answers;
        self.media_files += other.media_files;
    }
}

/// The record an erasure leaves: that it happened, when, why, and counts; never content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub id: i64,
    pub programme_id: Option<i64>,
    pub participant_id: Option<i64>,
    pub reason: ErasureReason,
    pub purpose: Option<ConsentPurpose>,
    pub counts: ErasureCounts,
    pub actor_id: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When free pages and the WAL (SQLite) or dead rows (PostgreSQL) were cleared after it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub scrubbed_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct ErasureRow {
    id: i64,
    programme_id: Option<i64>,
    participant_id: Option<i64>,
    reason: String,
    purpose: Option<String>,
    sources: i64,
    originals: i64,
    excerpts: i64,
    codings: i64,
    quotes: i64,
    form_answers: i64,
    media_files: i64,
    actor_id: Option<i64>,
    at: OffsetDateTime,
    scrubbed_at: Option<OffsetDateTime>,
}

impl ErasureRow {
    fn into_erasure(self) -> Result<Erasure, StoreError> {
        Ok(Erasure {
            id: self.id,
            programme_id: self.programme_id,
            participant_id: self.participant_id,
            reason: decode(&self.reason)?,
            purpose: self.purpose.as_deref().map(decode).transpose()?,
            counts: ErasureCounts {
                sources: decode_count(self.sources)?,
                originals: decode_count(self.originals)?,
                excerpts: decode_count(self.excerpts)?,
                codings: decode_count(self.codings)?,
                quotes: decode_count(self.quotes)?,
                form_answers: decode_count(self.form_answers)?,
                media_files: decode_count(self.media_files)?,
            },
            actor_id: self.actor_id,
            at: self.at,
            scrubbed_at: self.scrubbed_at,
        })
    }
}

// PostgreSQL keeps the counts as INTEGER: read back as BIGINT.
const ERASURE_SELECT: &str = "SELECT id, programme_id, participant_id, reason, purpose, CAST(sources AS BIGINT) AS sources, \
     CAST(originals AS BIGINT) AS originals, CAST(excerpts AS BIGINT) AS excerpts, CAST(codings AS BIGINT) AS codings, \
     CAST(quotes AS BIGINT) AS quotes, CAST(form_answers AS BIGINT) AS form_answers, \
     CAST(media_files AS BIGINT) AS media_files, actor_id, at, scrubbed_at FROM erasures";

/// The tables an erasure deletes from or updates: VACUUMed on PostgreSQL afterwards, so the dead
/// row versions holding erased text are cleared from the tables and their indexes (the GIN search
/// index among them).
const ERASED_TABLES: &str = "sources, source_participants, source_versions, redaction_reviews, excerpts, codings, \
     memos, insight_evidence, factor_evidence, coding_suggestions, story_answers, participants";

/// The audit subject of an erasure: ids and numbers only.
fn erasure_subject(programme_id: Option<i64>, participant_id: Option<i64>, counts: &ErasureCounts) -> String {
    let whose = match (programme_id, participant_id) {
        (_, Some(p)) => format!("participant {p}"),
        (Some(programme), None) => format!("programme {programme}"),
        (None, None) => "installation".to_owned(),
    };
    format!(
        "{whose}: {} sources, {} originals, {} excerpts, {} codings, {} quotes, {} form answers, {} media files",
        counts.sources,
        counts.originals,
        counts.excerpts,
        counts.codings,
        counts.quotes,
        counts.form_answers,
        counts.media_files
    )
}

per_backend! {
    /// Where an erasure, a retention run and a retention rule's change are written to the audit
    /// log, inside the caller's transaction so the entry and the change stand or fall together.
    /// The audit area (issue 8, migration 0015) may make this its hash-chained append; callers
    /// pass only ids, codes and counts.
    pub(crate) async fn record_in_audit_log(
        conn: &mut Conn,
        actor_id: Option<i64>,
        action: &str,
        subject: &str,
    ) -> Result<(), StoreError> {
        conn.append_audit(&AuditEntry::of_action(action, subject).by(actor_id)).await?;
        Ok(())
    }

    /// Lists `addresses` for removal from the media store where no source holds them any more.
    async fn queue_media(conn: &mut Conn, addresses: &BTreeSet<String>) -> Result<u32, StoreError> {
        let mut queued = 0;
        for address in addresses {
            let holders: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sources WHERE media_address = $1")
                .bind(address)
                .fetch_one(&mut *conn)
                .await?;
            if holders == 0 {
                sqlx::query("INSERT INTO media_erasures (address, queued_at) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING")
                    .bind(address)
                    .bind(now())
                    .execute(&mut *conn)
                    .await?;
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Deletes the sources whole, inside the caller's transaction: their text, answers and search
    /// entries, and by cascade their versions, reviews, excerpts, codings, memos, and the excerpts'
    /// places as evidence; their media files are queued. Returns what went, counted first.
    pub(crate) async fn erase_sources(conn: &mut Conn, source_ids: &[i64]) -> Result<ErasureCounts, StoreError> {
        let mut counts = ErasureCounts::default();
        let mut addresses = BTreeSet::new();
        for &id in source_ids {
            let (excerpts, codings, quotes, answers): (i64, i64, i64, i64) = sqlx::query_as(
                "SELECT CAST((SELECT COUNT(*) FROM excerpts WHERE source_id = $1) AS BIGINT),
                        CAST((SELECT COUNT(*) FROM codings c JOIN excerpts e ON e.id = c.excerpt_id WHERE e.source_id = $1) AS BIGINT),
                        CAST((SELECT COUNT(*) FROM insight_evidence ie JOIN excerpts e ON e.id = ie.excerpt_id WHERE e.source_id = $1)
                           + (SELECT COUNT(*) FROM factor_evidence fe JOIN excerpts e ON e.id = fe.excerpt_id WHERE e.source_id = $1) AS BIGINT),
                        CAST((SELECT COUNT(*) FROM story_answers WHERE source_id = $1) AS BIGINT)",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let deleted: Option<Option<String>> = sqlx::query_scalar("DELETE FROM sources WHERE id = $1 RETURNING media_address")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(address) = deleted else { continue };
            counts.sources += 1;
            counts.excerpts += decode_count(excerpts)?;
            counts.codings += decode_count(codings)?;
            counts.quotes += decode_count(quotes)?;
            counts.form_answers += decode_count(answers)?;
            addresses.extend(address);
        }
        counts.media_files = queue_media(conn, &addresses).await?;
        Ok(counts)
    }

    /// Erases the original text of the sources, keeping the redacted copy (which then is the
    /// whole text, with nothing left to review), inside the caller's transaction.
    pub(crate) async fn erase_originals(conn: &mut Conn, source_ids: &[i64]) -> Result<ErasureCounts, StoreError> {
        let mut counts = ErasureCounts::default();
        let at = now();
        for &id in source_ids {
            let done = sqlx::query(
                "UPDATE sources SET original_text = redacted_text, detected_spans = '[]', original_erased_at = $1
                 WHERE id = $2 AND original_erased_at IS NULL",
            )
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() > 0 {
                sqlx::query("DELETE FROM redaction_reviews WHERE source_id = $1").bind(id).execute(&mut *conn).await?;
                counts.originals += 1;
            }
        }
        Ok(counts)
    }

    /// Writes the record of an erasure, and its audit entry, inside the caller's transaction.
    pub(crate) async fn record_erasure(
        conn: &mut Conn,
        programme_id: Option<i64>,
        participant_id: Option<i64>,
        reason: ErasureReason,
        purpose: Option<ConsentPurpose>,
        counts: &ErasureCounts,
        actor_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO erasures (programme_id, participant_id, reason, purpose, sources, originals, excerpts, codings,
                 quotes, form_answers, media_files, actor_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(programme_id)
        .bind(participant_id)
        .bind(reason.code())
        .bind(purpose.map(ConsentPurpose::code))
        .bind(i64::from(counts.sources))
        .bind(i64::from(counts.originals))
        .bind(i64::from(counts.excerpts))
        .bind(i64::from(counts.codings))
        .bind(i64::from(counts.quotes))
        .bind(i64::from(counts.form_answers))
        .bind(i64::from(counts.media_files))
        .bind(actor_id)
        .bind(now())
        .fetch_one(&mut *conn)
        .await?;
        let action = format!("erasure.{}", reason.code());
        record_in_audit_log(conn, actor_id, &action, &erasure_subject(programme_id, participant_id, counts)).await?;
        Ok(id)
    }

    /// Erases what a participant's consent to `purpose` allowed (`heard_domain::protection::
    /// withdrawal_erases`), inside the caller's transaction (the one that records the withdrawal),
    /// and records it.
    pub(crate) async fn erase_for_withdrawal(
        conn: &mut Conn,
        programme_id: i64,
        participant_id: i64,
        purpose: ConsentPurpose,
        reason: ErasureReason,
        actor_id: Option<i64>,
    ) -> Result<ErasureCounts, StoreError> {
        let heard_in: Vec<i64> = sqlx::query_scalar(
            "SELECT source_id FROM source_participants WHERE participant_id = $1
             UNION SELECT source_id FROM story_answers WHERE participant_id = $1 ORDER BY 1",
        )
        .bind(participant_id)
        .fetch_all(&mut *conn)
        .await?;
        let counts = match withdrawal_erases(purpose) {
            WithdrawalScope::Content => {
                let counts = erase_sources(conn, &heard_in).await?;
                // Contact details were kept to reach them about the research; nothing else needs them.
                sqlx::query("UPDATE participants SET contact_details = NULL WHERE id = $1")
                    .bind(participant_id)
                    .execute(&mut *conn)
                    .await?;
                counts
            }
            WithdrawalScope::Media => {
                let mut addresses = BTreeSet::new();
                for &id in &heard_in {
                    let address: Option<String> =
                        sqlx::query_scalar("SELECT media_address FROM sources WHERE id = $1 AND media_address IS NOT NULL")
                            .bind(id)
                            .fetch_optional(&mut *conn)
                            .await?;
                    let Some(address) = address else { continue };
                    sqlx::query("UPDATE sources SET media_address = NULL, media_type = NULL, media_bytes = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    addresses.insert(address);
                }
                ErasureCounts { media_files: queue_media(conn, &addresses).await?, ..Default::default() }
            }
            WithdrawalScope::Nothing => {
                let mut quotes = 0;
                for &id in &heard_in {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT CAST(COUNT(*) AS BIGINT) FROM insight_evidence ie JOIN excerpts e ON e.id = ie.excerpt_id
                         WHERE e.source_id = $1",
                    )
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
                    quotes += decode_count(n)?;
                }
                ErasureCounts {
                    quotes: if purpose == ConsentPurpose::AnonymousQuotation { quotes } else { 0 },
                    ..Default::default()
                }
            }
        };
        record_erasure(conn, Some(programme_id), Some(participant_id), reason, Some(purpose), &counts, actor_id).await?;
        Ok(counts)
    }

    pub(super) async fn erasures(pool: &DbPool, programme_id: i64, participant_id: Option<i64>) -> Result<Vec<Erasure>, StoreError> {
        let rows = sqlx::query_as::<_, ErasureRow>(&format!(
            "{ERASURE_SELECT} WHERE programme_id = $1 AND ($2 IS NULL OR participant_id = $2) ORDER BY at DESC, id DESC"
        ))
        .bind(programme_id)
        .bind(participant_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter().map(ErasureRow::into_erasure).collect()
    }

    pub(super) async fn pending_media_erasures(pool: &DbPool) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT address FROM media_erasures ORDER BY queued_at, address").fetch_all(pool).await?)
    }

    /// Takes `address` off the queue once its file is gone, unless a source holds it again (the
    /// same recording uploaded since): then it stays in the store and leaves the queue too.
    pub(super) async fn media_erasure_done(pool: &DbPool, address: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM media_erasures WHERE address = $1").bind(address).execute(pool).await?;
        Ok(())
    }

    pub(super) async fn unscrubbed(pool: &DbPool) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM erasures WHERE scrubbed_at IS NULL").fetch_one(pool).await?)
    }

    pub(super) async fn mark_scrubbed(pool: &DbPool, up_to: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE erasures SET scrubbed_at = $1 WHERE scrubbed_at IS NULL AND id <= $2")
            .bind(now())
            .bind(up_to)
            .execute(pool)
            .await?;
        Ok(())
    }

    pub(super) async fn last_erasure(pool: &DbPool) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM erasures").fetch_one(pool).await?)
    }
}

/// Erasure inside a caller's transaction, on whichever backend the connection is: for the areas
/// whose own transactions withdraw consent (voice's participants and story receipts) and for
/// retention runs.
pub(crate) trait Erase {
    async fn erase_for_withdrawal(
        &mut self,
        programme_id: i64,
        participant_id: i64,
        purpose: ConsentPurpose,
        reason: ErasureReason,
        actor_id: Option<i64>,
    ) -> Result<ErasureCounts, StoreError>;
    async fn erase_sources(&mut self, source_ids: &[i64]) -> Result<ErasureCounts, StoreError>;
    async fn erase_originals(&mut self, source_ids: &[i64]) -> Result<ErasureCounts, StoreError>;
    async fn record_erasure(
        &mut self,
        programme_id: Option<i64>,
        reason: ErasureReason,
        counts: &ErasureCounts,
        actor_id: Option<i64>,
    ) -> Result<i64, StoreError>;
    async fn record_in_audit_log(
        &mut self,
        actor_id: Option<i64>,
        action: &str,
        subject: &str,
    ) -> Result<(), StoreError>;
}

macro_rules! impl_erase {
    ($conn:ty, $backend:ident) => {
        impl Erase for $conn {
            async fn erase_for_withdrawal(
                &mut self,
                programme_id: i64,
                participant_id: i64,
                purpose: ConsentPurpose,
                reason: ErasureReason,
                actor_id: Option<i64>,
            ) -> Result<ErasureCounts, StoreError> {
                $backend::erase_for_withdrawal(self, programme_id, participant_id, purpose, reason, actor_id).await
            }

            async fn erase_sources(&mut self, source_ids: &[i64]) -> Result<ErasureCounts, StoreError> {
                $backend::erase_sources(self, source_ids).await
            }

            async fn erase_originals(&mut self, source_ids: &[i64]) -> Result<ErasureCounts, StoreError> {
                $backend::erase_originals(self, source_ids).await
            }

            async fn record_erasure(
                &mut self,
                programme_id: Option<i64>,
                reason: ErasureReason,
                counts: &ErasureCounts,
                actor_id: Option<i64>,
            ) -> Result<i64, StoreError> {
                $backend::record_erasure(self, programme_id, None, reason, None, counts, actor_id).await
            }

            async fn record_in_audit_log(
                &mut self,
                actor_id: Option<i64>,
                action: &str,
                subject: &str,
            ) -> Result<(), StoreError> {
                $backend::record_in_audit_log(self, actor_id, action, subject).await
            }
        }
    };
}

impl_erase!(sqlx::SqliteConnection, sqlite);
impl_erase!(sqlx::PgConnection, postgres);

/// What [`finish_erasures`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finished {
    /// Media files removed from the media store.
    pub media_files: u32,
    /// Whether the database is scrubbed of every erasure so far.
    pub scrubbed: bool,
}

impl Store {
    /// The records of a programme's erasures (of one participant's, if given), newest first.
    pub async fn erasures(&self, programme_id: i64, participant_id: Option<i64>) -> Result<Vec<Erasure>, StoreError> {
        dispatch!(self, erasures(programme_id, participant_id))
    }

    /// Media files erased from every source and not yet removed from the media store.
    pub async fn pending_media_erasures(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, pending_media_erasures())
    }

    /// Clears erased content from where the database may still hold it after the rows are gone.
    /// SQLite (which runs with `secure_delete`, so freed pages and cells are zeroed): checkpoints
    /// the WAL into the database file and truncates it to nothing. PostgreSQL: VACUUMs the erased
    /// tables, outside any transaction, so dead row versions and their index entries go. Marks
    /// every erasure so far scrubbed; `Ok(false)` if SQLite could not finish the checkpoint because
    /// a reader held the WAL (the erasures stay unmarked and the next run tries again).
    pub async fn scrub(&self) -> Result<bool, StoreError> {
        let up_to = dispatch!(self, last_erasure())?;
        let done = match &self.pool {
            Pool::Sqlite(pool) => {
                let mut done = false;
                for attempt in 0..5 {
                    let (busy, _, _): (i64, i64, i64) =
                        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(pool).await?;
                    if busy == 0 {
                        done = true;
                        break;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
                done
            }
            Pool::Postgres(pool) => {
                sqlx::raw_sql(&format!("VACUUM (ANALYZE) {ERASED_TABLES}")).execute(pool).await?;
                true
            }
        };
        if done {
            dispatch!(self, mark_scrubbed(up_to))?;
            if let Pool::Sqlite(pool) = &self.pool {
                // Marking wrote to the WAL again (dates and ids only); leave it empty all the same.
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
            }
        }
        Ok(done)
    }

    /// Runs [`Store::scrub`] after an erasure that has committed, logging instead of failing: the
    /// erasure stands, and [`finish_erasures`] retries an unfinished scrub.
    pub(crate) async fn scrub_after_erasure(&self) {
        match self.scrub().await {
            Ok(true) => {}
            Ok(false) => tracing::warn!("the WAL was in use; the scrub after an erasure will be retried"),
            Err(error) => tracing::warn!(%error, "could not scrub the database after an erasure; it will be retried"),
        }
    }
}

/// Finishes every committed erasure: removes the media files they queued (unless a source holds
/// the same recording again) and scrubs the database if an erasure is not scrubbed yet. Idempotent;
/// run after each erasure, when the server starts, and with each retention run.
pub async fn finish_erasures(store: &Store, media: &dyn MediaStore) -> Result<Finished, StoreError> {
    let mut finished = Finished::default();
    for address in store.pending_media_erasures().await? {
        if !store.media_in_use(&address).await? {
            match media.delete(&address).await {
                Ok(()) | Err(crate::media::MediaError::NotFound) => finished.media_files += 1,
                Err(error) => {
                    tracing::warn!(%error, "could not remove an erased media file; it stays queued");
                    continue;
                }
            }
        }
        dispatch!(store, media_erasure_done(&address))?;
    }
    finished.scrubbed = dispatch!(store, unscrubbed())? == 0 || store.scrub().await?;
    Ok(finished)
}
