//! Excerpts and codings: a researcher's span of a source's redacted text, by character offsets,
//! with the codes each coder applied to it, and the memos written on sources, codes and excerpts.
//! A coded source's text is fixed: when a redaction review changes it, the coded version is kept
//! and its excerpts are carried to the new one where their words are unchanged ([`carry_excerpts`]).

use heard_domain::Invalid;
use heard_domain::coding::codebook::{CharSpan, MemoTarget};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::journeys::UserRef;
use crate::{Store, StoreError, now};

/// One coder's application of one code to an excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Coding {
    pub id: i64,
    pub code_id: i64,
    pub code_name: String,
    pub colour: String,
    pub coder: Option<UserRef>,
    /// Accepted from an assisted-coding suggestion.
    pub assisted: bool,
}

/// An excerpt of a source with its codings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Excerpt {
    pub id: i64,
    pub source_id: i64,
    pub start: usize,
    pub end: usize,
    /// The words quoted, from the redacted text, as they were when coded.
    pub quote: String,
    /// False when the source's text changed inside the excerpt since: the offsets count in an
    /// older version and a researcher should place it again.
    pub current: bool,
    pub codings: Vec<Coding>,
}

/// An excerpt as a list of evidence shows it: with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExcerptInContext {
    pub excerpt: Excerpt,
    pub source_title: String,
    pub collected_on: Option<Date>,
}

/// A memo on a source, a code or an excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Memo {
    pub id: i64,
    pub target: MemoTarget,
    pub target_id: i64,
    pub body: String,
    pub written_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub written_at: OffsetDateTime,
}

/// One coding as agreement and matrices read them: flat, current excerpts only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct CodingRecord {
    pub excerpt_id: i64,
    pub source_id: i64,
    pub code_id: i64,
    pub coder: i64,
    pub start: i64,
    pub end: i64,
}

type CodingRow =
    (i64, i64, i64, i64, String, Option<i64>, String, String, Option<i64>, Option<String>, bool, i64, bool);

/// Rows of `CODING_SELECT` grouped into excerpts, in the order given.
fn group(rows: Vec<CodingRow>) -> Result<Vec<Excerpt>, StoreError> {
    let mut out: Vec<Excerpt> = Vec::new();
    for (
        excerpt_id,
        source_id,
        start,
        end,
        quote,
        coding_id,
        code_name,
        colour,
        coder,
        coder_name,
        assisted,
        code_id,
        stale,
    ) in rows
    {
        if out.last().is_none_or(|e| e.id != excerpt_id) {
            out.push(Excerpt {
                id: excerpt_id,
                source_id,
                start: usize::try_from(start).map_err(|_| corrupt())?,
                end: usize::try_from(end).map_err(|_| corrupt())?,
                quote,
                current: !stale,
                codings: Vec::new(),
            });
        }
        if let (Some(id), Some(excerpt)) = (coding_id, out.last_mut()) {
            excerpt.codings.push(Coding {
                id,
                code_id,
                code_name,
                colour,
                coder: coder.zip(coder_name).map(|(id, display_name)| UserRef { id, display_name }),
                assisted,
            });
        }
    }
    Ok(out)
}

fn corrupt() -> StoreError {
    StoreError::Database(sqlx::Error::Decode("excerpt offsets".into()))
}

/// Excerpts with their codings (a left join, so an excerpt kept only as evidence or for a memo
/// still shows); `stale` is true when the source's text has moved on from the excerpt's version.
const CODING_SELECT: &str = "SELECT e.id, e.source_id, e.start_char, e.end_char, e.quote, g.id, COALESCE(c.name, ''),
     COALESCE(c.colour, ''), g.coded_by, u.display_name, COALESCE(g.assisted, FALSE), COALESCE(g.code_id, 0),
     (e.text_version <> s.text_version)
     FROM excerpts e JOIN sources s ON s.id = e.source_id LEFT JOIN codings g ON g.excerpt_id = e.id
     LEFT JOIN codes c ON c.id = g.code_id LEFT JOIN users u ON u.id = g.coded_by";

/// id, source, code or excerpt id, body, writer's id and name, when.
type MemoRow = (i64, Option<i64>, Option<i64>, Option<i64>, String, Option<i64>, Option<String>, OffsetDateTime);

per_backend! {
    pub(crate) async fn load_excerpts(conn: &mut Conn, source_id: i64) -> Result<Vec<Excerpt>, StoreError> {
        let rows: Vec<CodingRow> = sqlx::query_as(&format!(
            "{CODING_SELECT} WHERE e.source_id = $1 ORDER BY e.start_char, e.end_char, e.id, c.name, g.id"
        ))
        .bind(source_id)
        .fetch_all(&mut *conn)
        .await?;
        group(rows)
    }

    pub(super) async fn source_excerpts(pool: &DbPool, programme_id: i64, source_id: i64) -> Result<Vec<Excerpt>, StoreError> {
        let mut conn = pool.acquire().await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE id = $1 AND programme_id = $2")
            .bind(source_id)
            .bind(programme_id)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        load_excerpts(&mut conn, source_id).await
    }

    pub(crate) async fn load_excerpt(conn: &mut Conn, programme_id: i64, id: i64) -> Result<ExcerptInContext, StoreError> {
        let rows: Vec<CodingRow> = sqlx::query_as(&format!(
            "{CODING_SELECT} WHERE e.id = $1 AND s.programme_id = $2 ORDER BY c.name, g.id"
        ))
        .bind(id)
        .bind(programme_id)
        .fetch_all(&mut *conn)
        .await?;
        let excerpt = group(rows)?.pop().ok_or(StoreError::NotFound)?;
        let (source_title, collected_on): (String, Option<Date>) =
            sqlx::query_as("SELECT title, collected_on FROM sources WHERE id = $1")
                .bind(excerpt.source_id)
                .fetch_one(&mut *conn)
                .await?;
        Ok(ExcerptInContext { excerpt, source_title, collected_on })
    }

    pub(super) async fn excerpt(pool: &DbPool, programme_id: i64, id: i64) -> Result<ExcerptInContext, StoreError> {
        let mut conn = pool.acquire().await?;
        load_excerpt(&mut conn, programme_id, id).await
    }

    /// The excerpt of `span` in the source's current text, made if new, inside the caller's
    /// transaction. `Invalid` naming `end` if the span does not fit the text.
    pub(crate) async fn find_or_make_excerpt(
        conn: &mut Conn,
        programme_id: i64,
        source_id: i64,
        start: usize,
        end: usize,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let Some((text, version)): Option<(String, i64)> =
            sqlx::query_as("SELECT redacted_text, text_version FROM sources WHERE id = $1 AND programme_id = $2")
                .bind(source_id)
                .bind(programme_id)
                .fetch_optional(&mut *conn)
                .await?
        else {
            return Err(StoreError::NotFound);
        };
        let span = CharSpan::new(start, end, text.chars().count())?;
        let (start, end) = (i64::try_from(span.start).map_err(|_| corrupt())?, i64::try_from(span.end).map_err(|_| corrupt())?);
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM excerpts WHERE source_id = $1 AND text_version = $2 AND start_char = $3 AND end_char = $4",
        )
        .bind(source_id)
        .bind(version)
        .bind(start)
        .bind(end)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO excerpts (source_id, text_version, start_char, end_char, quote, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(source_id)
        .bind(version)
        .bind(start)
        .bind(end)
        .bind(span.quote(&text))
        .bind(by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await?;
        Ok(id)
    }

    /// Applies codes to an excerpt inside the caller's transaction. Each code must be live in the
    /// programme's codebook (`Invalid` naming `codes` otherwise); applying one twice is a no-op.
    pub(crate) async fn apply_codes(
        conn: &mut Conn,
        programme_id: i64,
        excerpt_id: i64,
        code_ids: &[i64],
        by: Option<i64>,
        assisted: bool,
    ) -> Result<(), StoreError> {
        if code_ids.is_empty() {
            return Err(Invalid::one("codes", "Choose at least one code").into());
        }
        for &code_id in code_ids {
            let live: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM codes WHERE id = $1 AND merged_into IS NULL AND (programme_id IS NULL OR programme_id = $2)",
            )
            .bind(code_id)
            .bind(programme_id)
            .fetch_optional(&mut *conn)
            .await?;
            if live.is_none() {
                return Err(Invalid::one("codes", "Choose codes from this programme's codebook").into());
            }
            sqlx::query(
                "INSERT INTO codings (excerpt_id, code_id, coded_by, assisted, coded_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (excerpt_id, code_id, coded_by) DO NOTHING",
            )
            .bind(excerpt_id)
            .bind(code_id)
            .bind(by)
            .bind(assisted)
            .bind(now())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    pub(super) async fn code_span(
        pool: &DbPool,
        programme_id: i64,
        source_id: i64,
        span: (usize, usize),
        code_ids: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let excerpt_id = find_or_make_excerpt(&mut tx, programme_id, source_id, span.0, span.1, Some(by)).await?;
        apply_codes(&mut tx, programme_id, excerpt_id, code_ids, Some(by), false).await?;
        tx.commit().await?;
        Ok(excerpt_id)
    }

    /// Removes the excerpt if nothing holds it any more: no coding, memo or insight.
    async fn tidy_excerpt(conn: &mut Conn, excerpt_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM excerpts WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM codings WHERE excerpt_id = $1)
             AND NOT EXISTS (SELECT 1 FROM memos WHERE excerpt_id = $1)
             AND NOT EXISTS (SELECT 1 FROM insight_evidence WHERE excerpt_id = $1)",
        )
        .bind(excerpt_id)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(super) async fn remove_coding(pool: &DbPool, programme_id: i64, coding_id: i64, by: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        // A coder takes back their own codings only; another's stay theirs.
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT g.excerpt_id FROM codings g JOIN excerpts e ON e.id = g.excerpt_id JOIN sources s ON s.id = e.source_id
             WHERE g.id = $1 AND s.programme_id = $2 AND g.coded_by = $3",
        )
        .bind(coding_id)
        .bind(programme_id)
        .bind(by)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(excerpt_id) = found else { return Err(StoreError::NotFound) };
        sqlx::query("DELETE FROM codings WHERE id = $1").bind(coding_id).execute(&mut *tx).await?;
        tidy_excerpt(&mut tx, excerpt_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn code_excerpts(pool: &DbPool, programme_id: i64, code_id: i64) -> Result<Vec<ExcerptInContext>, StoreError> {
        // Two queries whatever the number of excerpts: the excerpts with every coding on them,
        // then their sources' titles and dates.
        let rows: Vec<CodingRow> = sqlx::query_as(&format!(
            "{CODING_SELECT} WHERE s.programme_id = $2 AND e.id IN (SELECT excerpt_id FROM codings WHERE code_id = $1)
             ORDER BY e.id, c.name, g.id"
        ))
        .bind(code_id)
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        let sources: Vec<(i64, String, Option<Date>)> = sqlx::query_as(
            "SELECT s.id, s.title, s.collected_on FROM sources s WHERE s.programme_id = $2 AND s.id IN
             (SELECT e.source_id FROM excerpts e JOIN codings g ON g.excerpt_id = e.id WHERE g.code_id = $1)",
        )
        .bind(code_id)
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        let sources: std::collections::HashMap<i64, (String, Option<Date>)> =
            sources.into_iter().map(|(id, title, date)| (id, (title, date))).collect();
        group(rows)?
            .into_iter()
            .map(|excerpt| {
                let (source_title, collected_on) = sources.get(&excerpt.source_id).cloned().ok_or(StoreError::NotFound)?;
                Ok(ExcerptInContext { excerpt, source_title, collected_on })
            })
            .collect()
    }

    pub(super) async fn excerpts_by_id(pool: &DbPool, programme_id: i64, ids: &[i64]) -> Result<Vec<ExcerptInContext>, StoreError> {
        let mut conn = pool.acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            out.push(load_excerpt(&mut conn, programme_id, id).await?);
        }
        Ok(out)
    }

    /// Keeps the coded text of a source as a version and carries its excerpts to `new_text`,
    /// inside the caller's transaction; called before the source's redacted text changes. A
    /// source nobody has coded changes in place: no excerpt counts in its text.
    pub(crate) async fn carry_excerpts(
        conn: &mut Conn,
        source_id: i64,
        old_text: &str,
        new_text: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        if old_text == new_text {
            return Ok(());
        }
        let version: i64 = sqlx::query_scalar("SELECT text_version FROM sources WHERE id = $1")
            .bind(source_id)
            .fetch_one(&mut *conn)
            .await?;
        let excerpts: Vec<(i64, i64, i64)> =
            sqlx::query_as("SELECT id, start_char, end_char FROM excerpts WHERE source_id = $1 AND text_version = $2")
                .bind(source_id)
                .bind(version)
                .fetch_all(&mut *conn)
                .await?;
        if excerpts.is_empty() {
            return Ok(());
        }
        sqlx::query("INSERT INTO source_versions (source_id, version, redacted_text, replaced_by, replaced_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(source_id)
            .bind(version)
            .bind(old_text)
            .bind(by)
            .bind(now())
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE sources SET text_version = $1 WHERE id = $2")
            .bind(version + 1)
            .bind(source_id)
            .execute(&mut *conn)
            .await?;
        let spans: Vec<(usize, usize)> = excerpts
            .iter()
            .map(|&(_, s, e)| Ok((usize::try_from(s).map_err(|_| corrupt())?, usize::try_from(e).map_err(|_| corrupt())?)))
            .collect::<Result<_, StoreError>>()?;
        let carried = heard_analysis::coding::versions::carry(old_text, new_text, &spans);
        for ((id, _, _), place) in excerpts.iter().zip(carried) {
            // An excerpt whose words changed stays on the old version, shown as needing a place.
            let Some((start, end)) = place else { continue };
            sqlx::query("UPDATE excerpts SET text_version = $1, start_char = $2, end_char = $3 WHERE id = $4")
                .bind(version + 1)
                .bind(i64::try_from(start).map_err(|_| corrupt())?)
                .bind(i64::try_from(end).map_err(|_| corrupt())?)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn add_memo(
        pool: &DbPool,
        programme_id: i64,
        target: MemoTarget,
        target_id: i64,
        body: &str,
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let check = match target {
            MemoTarget::Source => "SELECT id FROM sources WHERE id = $1 AND programme_id = $2",
            MemoTarget::Code => "SELECT id FROM codes WHERE id = $1 AND (programme_id = $2 OR programme_id IS NULL)",
            MemoTarget::Excerpt => "SELECT e.id FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.id = $1 AND s.programme_id = $2",
        };
        let found: Option<i64> = sqlx::query_scalar(check).bind(target_id).bind(programme_id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let column = match target {
            MemoTarget::Source => "source_id",
            MemoTarget::Code => "code_id",
            MemoTarget::Excerpt => "excerpt_id",
        };
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO memos (programme_id, {column}, body, written_by, written_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ))
        .bind(programme_id)
        .bind(target_id)
        .bind(body)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn memos(pool: &DbPool, programme_id: i64, target: Option<(MemoTarget, i64)>) -> Result<Vec<Memo>, StoreError> {
        let rows: Vec<MemoRow> =
            sqlx::query_as(
                "SELECT m.id, m.source_id, m.code_id, m.excerpt_id, m.body, m.written_by, u.display_name, m.written_at
                 FROM memos m LEFT JOIN users u ON u.id = m.written_by WHERE m.programme_id = $1 ORDER BY m.written_at, m.id",
            )
            .bind(programme_id)
            .fetch_all(pool)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, source, code, excerpt, body, by, name, at)| {
                let (kind, target_id) = match (source, code, excerpt) {
                    (Some(s), _, _) => (MemoTarget::Source, s),
                    (_, Some(c), _) => (MemoTarget::Code, c),
                    (_, _, Some(e)) => (MemoTarget::Excerpt, e),
                    _ => return None,
                };
                if target.is_some_and(|t| t != (kind, target_id)) {
                    return None;
                }
                Some(Memo {
                    id,
                    target: kind,
                    target_id,
                    body,
                    written_by: by.zip(name).map(|(id, display_name)| UserRef { id, display_name }),
                    written_at: at,
                })
            })
            .collect())
    }
}

// For `CodingConn`, which other modules use inside transactions of their own.
pub(crate) mod sqlite_steps {
    pub(crate) use super::sqlite::{apply_codes, carry_excerpts, find_or_make_excerpt};
}
pub(crate) mod postgres_steps {
    pub(crate) use super::postgres::{apply_codes, carry_excerpts, find_or_make_excerpt};
}

impl Store {
    /// A source's excerpts with their codings, in text order. `NotFound` if the source is not
    /// the programme's.
    pub async fn source_excerpts(&self, programme_id: i64, source_id: i64) -> Result<Vec<Excerpt>, StoreError> {
        dispatch!(self, source_excerpts(programme_id, source_id))
    }

    /// One excerpt with its source's title and date.
    pub async fn excerpt(&self, programme_id: i64, id: i64) -> Result<ExcerptInContext, StoreError> {
        dispatch!(self, excerpt(programme_id, id))
    }

    /// Applies codes to a span (`start..end` in characters of the source's current redacted text)
    /// as `by`, in one transaction; returns the excerpt's id. `Invalid` naming `end` if the span
    /// does not fit the text, or `codes` if a code is not the programme's; nothing is stored then.
    pub async fn code_span(
        &self,
        programme_id: i64,
        source_id: i64,
        span: (usize, usize),
        code_ids: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, code_span(programme_id, source_id, span, code_ids, by))
    }

    /// Takes back one of `by`'s own codings; the excerpt goes too when nothing else holds it.
    pub async fn remove_coding(&self, programme_id: i64, coding_id: i64, by: i64) -> Result<(), StoreError> {
        dispatch!(self, remove_coding(programme_id, coding_id, by))
    }

    /// The excerpts a code is applied to in a programme, with their sources.
    pub async fn code_excerpts(&self, programme_id: i64, code_id: i64) -> Result<Vec<ExcerptInContext>, StoreError> {
        dispatch!(self, code_excerpts(programme_id, code_id))
    }

    /// Excerpts by id, in the order given; `NotFound` if one is not the programme's.
    pub async fn excerpts_by_id(&self, programme_id: i64, ids: &[i64]) -> Result<Vec<ExcerptInContext>, StoreError> {
        dispatch!(self, excerpts_by_id(programme_id, ids))
    }

    /// Every coding of a programme's current excerpts, flat, for agreement and matrices.
    pub async fn coding_records(&self, programme_id: i64) -> Result<Vec<CodingRecord>, StoreError> {
        // From the programme's sources down through the indexes on excerpts (source, version) and
        // codings (excerpt), in no particular order: every reader builds its own maps. SQLite
        // hands rows to sqlx one at a time across a thread, which costs more than the query for a
        // hundred thousand codings, so there the rows come as one JSON array and are parsed here.
        const FROM: &str = "FROM sources s JOIN excerpts e ON e.source_id = s.id AND e.text_version = s.text_version
             JOIN codings g ON g.excerpt_id = e.id WHERE s.programme_id = $1 AND g.coded_by IS NOT NULL";
        match &self.pool {
            crate::Pool::Sqlite(pool) => {
                let json: Option<String> = sqlx::query_scalar(&format!(
                    "SELECT json_group_array(json_array(e.id, e.source_id, g.code_id, g.coded_by, e.start_char, e.end_char)) {FROM}"
                ))
                .bind(programme_id)
                .fetch_one(pool)
                .await?;
                let rows: Vec<(i64, i64, i64, i64, i64, i64)> =
                    serde_json::from_str(json.as_deref().unwrap_or("[]"))
                        .map_err(|_| StoreError::Database(sqlx::Error::Decode("coding records".into())))?;
                Ok(rows
                    .into_iter()
                    .map(|(excerpt_id, source_id, code_id, coder, start, end)| CodingRecord {
                        excerpt_id,
                        source_id,
                        code_id,
                        coder,
                        start,
                        end,
                    })
                    .collect())
            }
            crate::Pool::Postgres(pool) => Ok(sqlx::query_as(&format!(
                "SELECT e.id AS excerpt_id, e.source_id, g.code_id, g.coded_by AS coder, e.start_char AS start,
                 e.end_char AS \"end\" {FROM}"
            ))
            .bind(programme_id)
            .fetch_all(pool)
            .await?),
        }
    }

    /// Writes a memo on a source, code or excerpt of the programme.
    pub async fn add_memo(
        &self,
        programme_id: i64,
        target: MemoTarget,
        target_id: i64,
        body: &str,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, add_memo(programme_id, target, target_id, body, by))
    }

    /// A programme's memos, oldest first; only those on `target` if given.
    pub async fn memos(&self, programme_id: i64, target: Option<(MemoTarget, i64)>) -> Result<Vec<Memo>, StoreError> {
        dispatch!(self, memos(programme_id, target))
    }
}
