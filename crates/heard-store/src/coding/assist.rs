//! What assisted coding and theme discovery read and keep: coded excerpts to learn from, uncoded
//! sources to suggest for or cluster, suggestions waiting for a researcher's decision (accepted
//! ones become ordinary codings marked assisted), and theme-discovery runs with their themes.

use heard_domain::coding::codebook::{CodeInput, SuggestionStatus};
use serde::Serialize;
use time::OffsetDateTime;

use crate::coding::CodingConn;
use crate::{Store, StoreError, decode, now};

/// A coded excerpt as a training example: its words and the codes applied to it by anyone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub code_ids: Vec<i64>,
}

/// A source nobody has coded yet, by its redacted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncoded {
    pub source_id: i64,
    pub text: String,
}

/// A code suggested for a whole source.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub id: i64,
    pub source_id: i64,
    pub source_title: String,
    /// The start of the source's redacted text.
    pub preview: String,
    pub code_id: i64,
    pub code_name: String,
    pub colour: String,
    /// The model's confidence, 0 to 1.
    pub confidence: f64,
    pub status: SuggestionStatus,
}

/// A theme as discovery proposed it, to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTheme {
    pub top_terms: Vec<String>,
    pub member_ids: Vec<i64>,
    pub representative_ids: Vec<i64>,
}

/// A source quoted as representative of a theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Representative {
    pub source_id: i64,
    pub title: String,
    pub preview: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Theme {
    pub id: i64,
    pub position: i64,
    pub top_terms: Vec<String>,
    pub size: usize,
    pub representatives: Vec<Representative>,
    /// The code a researcher made of it.
    pub code_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ThemeRun {
    pub id: i64,
    pub seed: i64,
    /// How many sources were clustered.
    pub sources: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub themes: Vec<Theme>,
}

fn json_ids(json: &str) -> Result<Vec<i64>, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Database(sqlx::Error::Decode("theme ids".into())))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".to_owned())
}

/// How much of a source's text a preview shows, in characters.
const PREVIEW_CHARS: usize = 240;

fn preview(text: &str) -> String {
    text.chars().take(PREVIEW_CHARS).collect()
}

/// id, source id, title, redacted text, code id, name, colour, confidence, status.
type SuggestionRow = (i64, i64, String, String, i64, String, String, f64, String);

per_backend! {
    pub(super) async fn training_examples(pool: &DbPool, programme_id: i64) -> Result<Vec<Example>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT e.id, e.quote, g.code_id FROM codings g JOIN excerpts e ON e.id = g.excerpt_id
             JOIN sources s ON s.id = e.source_id JOIN codes c ON c.id = g.code_id
             WHERE s.programme_id = $1 AND c.merged_into IS NULL ORDER BY e.id, g.code_id",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        let mut examples: Vec<(i64, Example)> = Vec::new();
        for (excerpt, text, code) in rows {
            match examples.last_mut() {
                Some((id, example)) if *id == excerpt => {
                    if !example.code_ids.contains(&code) {
                        example.code_ids.push(code);
                    }
                }
                _ => examples.push((excerpt, Example { text, code_ids: vec![code] })),
            }
        }
        Ok(examples.into_iter().map(|(_, e)| e).collect())
    }

    pub(super) async fn uncoded_sources(pool: &DbPool, programme_id: i64) -> Result<Vec<Uncoded>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT s.id, s.redacted_text FROM sources s WHERE s.programme_id = $1
             AND NOT EXISTS (SELECT 1 FROM excerpts e JOIN codings g ON g.excerpt_id = e.id WHERE e.source_id = s.id)
             ORDER BY s.id",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(rows.into_iter().map(|(source_id, text)| Uncoded { source_id, text }).collect())
    }

    pub(super) async fn replace_suggestions(
        pool: &DbPool,
        programme_id: i64,
        suggestions: &[(i64, i64, f64)],
    ) -> Result<usize, StoreError> {
        let mut tx = begin(pool).await?;
        sqlx::query(
            "DELETE FROM coding_suggestions WHERE status = 'pending'
             AND source_id IN (SELECT id FROM sources WHERE programme_id = $1)",
        )
        .bind(programme_id)
        .execute(&mut *tx)
        .await?;
        let at = now();
        let mut added = 0;
        for &(source_id, code_id, confidence) in suggestions {
            // A suggestion already decided (accepted or rejected) is not made again.
            let done = sqlx::query(
                "INSERT INTO coding_suggestions (source_id, code_id, confidence, suggested_at)
                 SELECT s.id, $2, $3, $4 FROM sources s WHERE s.id = $1 AND s.programme_id = $5
                 ON CONFLICT (source_id, code_id) DO NOTHING",
            )
            .bind(source_id)
            .bind(code_id)
            .bind(confidence.clamp(0.0, 1.0))
            .bind(at)
            .bind(programme_id)
            .execute(&mut *tx)
            .await?;
            added += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await?;
        Ok(added)
    }

    pub(super) async fn suggestions(pool: &DbPool, programme_id: i64) -> Result<Vec<Suggestion>, StoreError> {
        let rows: Vec<SuggestionRow> = sqlx::query_as(
            "SELECT g.id, s.id, s.title, s.redacted_text, c.id, c.name, c.colour, g.confidence, g.status
             FROM coding_suggestions g JOIN sources s ON s.id = g.source_id JOIN codes c ON c.id = g.code_id
             WHERE s.programme_id = $1 AND g.status = 'pending' AND c.merged_into IS NULL
             ORDER BY g.confidence DESC, g.id",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(id, source_id, source_title, text, code_id, code_name, colour, confidence, status)| {
                Ok(Suggestion {
                    id,
                    source_id,
                    source_title,
                    preview: preview(&text),
                    code_id,
                    code_name,
                    colour,
                    confidence,
                    status: decode(&status)?,
                })
            })
            .collect()
    }

    /// Codes a whole source with `code_ids` as `by`, marked assisted, in the caller's transaction.
    async fn code_whole_source(conn: &mut Conn, programme_id: i64, source_id: i64, code_ids: &[i64], by: i64) -> Result<(), StoreError> {
        let text: String = sqlx::query_scalar("SELECT redacted_text FROM sources WHERE id = $1")
            .bind(source_id)
            .fetch_one(&mut *conn)
            .await?;
        let end = text.chars().count();
        let excerpt = conn.find_or_make_excerpt(programme_id, source_id, (0, end), Some(by)).await?;
        conn.apply_codes(programme_id, excerpt, code_ids, Some(by), true).await
    }

    pub(super) async fn decide_suggestions(
        pool: &DbPool,
        programme_id: i64,
        ids: &[i64],
        accept: bool,
        by: i64,
    ) -> Result<usize, StoreError> {
        let mut tx = begin(pool).await?;
        let mut decided = 0;
        for &id in ids {
            let found: Option<(i64, i64)> = sqlx::query_as(
                "SELECT g.source_id, g.code_id FROM coding_suggestions g JOIN sources s ON s.id = g.source_id
                 WHERE g.id = $1 AND s.programme_id = $2 AND g.status = 'pending'",
            )
            .bind(id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((source_id, code_id)) = found else { continue };
            if accept {
                code_whole_source(&mut tx, programme_id, source_id, &[code_id], by).await?;
            }
            sqlx::query("UPDATE coding_suggestions SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4")
                .bind(if accept { SuggestionStatus::Accepted } else { SuggestionStatus::Rejected }.code())
                .bind(by)
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            decided += 1;
        }
        tx.commit().await?;
        Ok(decided)
    }

    pub(super) async fn save_theme_run(
        pool: &DbPool,
        programme_id: i64,
        seed: i64,
        sources: i64,
        themes: &[NewTheme],
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let run: i64 = sqlx::query_scalar(
            "INSERT INTO theme_runs (programme_id, seed, sources, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(programme_id)
        .bind(seed)
        .bind(sources)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::missing_parent)?;
        for (position, theme) in themes.iter().enumerate() {
            sqlx::query(
                "INSERT INTO themes (run_id, position, top_terms, member_ids, representative_ids) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(run)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(to_json(&theme.top_terms))
            .bind(to_json(&theme.member_ids))
            .bind(to_json(&theme.representative_ids))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(run)
    }

    pub(super) async fn latest_theme_run(pool: &DbPool, programme_id: i64) -> Result<Option<ThemeRun>, StoreError> {
        let Some((id, seed, sources, created_at)): Option<(i64, i64, i64, OffsetDateTime)> = sqlx::query_as(
            "SELECT id, seed, sources, created_at FROM theme_runs WHERE programme_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(programme_id)
        .fetch_optional(pool)
        .await?
        else {
            return Ok(None);
        };
        let rows: Vec<(i64, i64, String, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT id, position, top_terms, member_ids, representative_ids, code_id FROM themes WHERE run_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let mut themes = Vec::with_capacity(rows.len());
        for (theme_id, position, terms, members, representatives, code_id) in rows {
            let mut quoted = Vec::new();
            for source_id in json_ids(&representatives)? {
                let found: Option<(String, String)> =
                    sqlx::query_as("SELECT title, redacted_text FROM sources WHERE id = $1 AND programme_id = $2")
                        .bind(source_id)
                        .bind(programme_id)
                        .fetch_optional(pool)
                        .await?;
                // A source deleted since (withdrawn) is no longer quoted.
                if let Some((title, text)) = found {
                    quoted.push(Representative { source_id, title, preview: preview(&text) });
                }
            }
            themes.push(Theme {
                id: theme_id,
                position,
                top_terms: serde_json::from_str(&terms).map_err(|_| StoreError::Database(sqlx::Error::Decode("theme terms".into())))?,
                size: json_ids(&members)?.len(),
                representatives: quoted,
                code_id,
            });
        }
        Ok(Some(ThemeRun { id, seed, sources, created_at, themes }))
    }

    pub(super) async fn theme_to_code(
        pool: &DbPool,
        programme_id: i64,
        theme_id: i64,
        input: &CodeInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let found: Option<(String, Option<i64>)> = sqlx::query_as(
            "SELECT t.member_ids, t.code_id FROM themes t JOIN theme_runs r ON r.id = t.run_id WHERE t.id = $1 AND r.programme_id = $2",
        )
        .bind(theme_id)
        .bind(programme_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((members, existing)) = found else { return Err(StoreError::NotFound) };
        if existing.is_some() {
            return Err(heard_domain::Invalid::one("theme", "This theme is a code already").into());
        }
        let code = tx.insert_code(Some(programme_id), input, Some(by), "created").await?;
        for source_id in json_ids(&members)? {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM sources WHERE id = $1 AND programme_id = $2")
                .bind(source_id)
                .bind(programme_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                code_whole_source(&mut tx, programme_id, source_id, &[code], by).await?;
            }
        }
        sqlx::query("UPDATE themes SET code_id = $1 WHERE id = $2").bind(code).bind(theme_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(code)
    }
}

impl Store {
    /// A programme's coded excerpts as training examples, one per excerpt with every code on it.
    pub async fn training_examples(&self, programme_id: i64) -> Result<Vec<Example>, StoreError> {
        dispatch!(self, training_examples(programme_id))
    }

    /// A programme's sources that nobody has coded, by their redacted text.
    pub async fn uncoded_sources(&self, programme_id: i64) -> Result<Vec<Uncoded>, StoreError> {
        dispatch!(self, uncoded_sources(programme_id))
    }

    /// Replaces a programme's pending suggestions with these `(source, code, confidence)`; ones
    /// already accepted or rejected are not made again. Returns how many were added.
    pub async fn replace_suggestions(
        &self,
        programme_id: i64,
        suggestions: &[(i64, i64, f64)],
    ) -> Result<usize, StoreError> {
        dispatch!(self, replace_suggestions(programme_id, suggestions))
    }

    /// A programme's pending suggestions, most confident first.
    pub async fn suggestions(&self, programme_id: i64) -> Result<Vec<Suggestion>, StoreError> {
        dispatch!(self, suggestions(programme_id))
    }

    /// Accepts (each becomes a coding of the whole source, marked assisted, by `by`) or rejects
    /// pending suggestions, in one transaction. Returns how many were decided.
    pub async fn decide_suggestions(
        &self,
        programme_id: i64,
        ids: &[i64],
        accept: bool,
        by: i64,
    ) -> Result<usize, StoreError> {
        dispatch!(self, decide_suggestions(programme_id, ids, accept, by))
    }

    /// Keeps a theme-discovery run and its themes.
    pub async fn save_theme_run(
        &self,
        programme_id: i64,
        seed: i64,
        sources: i64,
        themes: &[NewTheme],
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, save_theme_run(programme_id, seed, sources, themes, by))
    }

    /// The programme's latest theme-discovery run.
    pub async fn latest_theme_run(&self, programme_id: i64) -> Result<Option<ThemeRun>, StoreError> {
        dispatch!(self, latest_theme_run(programme_id))
    }

    /// Makes a code of a theme and applies it (assisted) to the theme's sources, in one
    /// transaction. Returns the code's id.
    pub async fn theme_to_code(
        &self,
        programme_id: i64,
        theme_id: i64,
        input: &CodeInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, theme_to_code(programme_id, theme_id, input, by))
    }
}
