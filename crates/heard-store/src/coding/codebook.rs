//! Codebooks: a programme's codes and the organisation's (shared by every programme), as a
//! hierarchy. Merging moves a code's codings to another and keeps the merged code, marked, for its
//! history; splitting moves chosen codings to a new code. Every change is a `code_events` row.

use heard_domain::Invalid;
use heard_domain::coding::codebook::{CodeInput, MAX_CODE_DEPTH, code_name_key, default_colour};
use serde::Serialize;
use time::OffsetDateTime;

use crate::journeys::UserRef;
use crate::{Store, StoreError, now, unique};

/// A live code of a codebook, in tree order with its depth (0 for a top-level code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Code {
    pub id: i64,
    /// `None`: the organisation's codebook, shared by every programme.
    pub programme_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    pub colour: String,
    pub depth: usize,
    /// How many codings use it in the programme the codebook was read for.
    pub codings: i64,
}

/// Something that happened to a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeEvent {
    /// `created`, `edited`, `merged_into`, `merged_from`, `split_into`, `split_from` or `imported`.
    pub kind: String,
    pub other_code: Option<(i64, String)>,
    pub codings: i64,
    pub actor: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    programme_id: Option<i64>,
    parent_id: Option<i64>,
    name: String,
    description: Option<String>,
    colour: String,
    codings: i64,
}

/// Orders codes as a tree (parents before children, siblings by name) and sets their depth.
fn tree_order(rows: Vec<CodeRow>) -> Vec<Code> {
    fn visit(parent: Option<i64>, depth: usize, rows: &[CodeRow], out: &mut Vec<Code>) {
        for row in rows.iter().filter(|r| r.parent_id == parent) {
            out.push(Code {
                id: row.id,
                programme_id: row.programme_id,
                parent_id: row.parent_id,
                name: row.name.clone(),
                description: row.description.clone(),
                colour: row.colour.clone(),
                depth,
                codings: row.codings,
            });
            visit(Some(row.id), depth + 1, rows, out);
        }
    }
    let mut rows = rows;
    rows.sort_by_key(|r| (code_name_key(&r.name), r.id));
    let mut out = Vec::with_capacity(rows.len());
    visit(None, 0, &rows, &mut out);
    // A parent outside the codebook read (cannot happen through the Store) still shows its children.
    let placed: std::collections::HashSet<i64> = out.iter().map(|c| c.id).collect();
    for row in rows.iter().filter(|r| !placed.contains(&r.id)) {
        out.push(Code {
            id: row.id,
            programme_id: row.programme_id,
            parent_id: row.parent_id,
            name: row.name.clone(),
            description: row.description.clone(),
            colour: row.colour.clone(),
            depth: 0,
            codings: row.codings,
        });
    }
    out
}

const CODE_COLUMNS: &str = "c.id, c.programme_id, c.parent_id, c.name, c.description, c.colour";

/// kind, other code's id and name, codings, actor's id and name, when.
type EventRow = (String, Option<i64>, Option<String>, i64, Option<i64>, Option<String>, OffsetDateTime);

per_backend! {
    pub(crate) async fn load_codebook(conn: &mut Conn, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        let mut codes = load_codes(&mut *conn, programme_id).await?;
        // Counts of codings in the programme, in one pass over covering indexes: a count per code
        // as a correlated subquery would look every coding's excerpt and source up by rowid.
        let counts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT g.code_id, COUNT(*) FROM sources s JOIN excerpts e ON e.source_id = s.id
             JOIN codings g ON g.excerpt_id = e.id WHERE s.programme_id = $1 GROUP BY g.code_id",
        )
        .bind(programme_id)
        .fetch_all(&mut *conn)
        .await?;
        let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
        for code in &mut codes {
            code.codings = counts.get(&code.id).copied().unwrap_or(0);
        }
        Ok(codes)
    }

    /// The codebook without counts: what a matrix needs to label its rows.
    pub(crate) async fn load_codes(conn: &mut Conn, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        // A programme's codebook holds its own codes and the organisation's; the organisation's
        // alone (programme_id None) holds only those.
        let rows: Vec<CodeRow> = sqlx::query_as(&format!(
            "SELECT {CODE_COLUMNS}, CAST(0 AS BIGINT) AS codings FROM codes c
             WHERE c.merged_into IS NULL AND (c.programme_id IS NULL OR c.programme_id = $1)"
        ))
        .bind(programme_id)
        .fetch_all(&mut *conn)
        .await?;
        Ok(tree_order(rows))
    }

    pub(super) async fn codes(pool: &DbPool, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_codes(&mut conn, programme_id).await
    }

    pub(super) async fn codebook(pool: &DbPool, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_codebook(&mut conn, programme_id).await
    }

    async fn record_event(
        conn: &mut Conn,
        code_id: i64,
        kind: &str,
        other: Option<i64>,
        codings: i64,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO code_events (code_id, kind, other_code_id, codings, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(code_id)
            .bind(kind)
            .bind(other)
            .bind(codings)
            .bind(by)
            .bind(now())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// Checks that `parent` is a live code of the same codebook, not `child` or beneath it, and
    /// that the code would sit no deeper than MAX_CODE_DEPTH.
    async fn check_parent(
        conn: &mut Conn,
        programme_id: Option<i64>,
        child: Option<i64>,
        parent: Option<i64>,
    ) -> Result<(), StoreError> {
        let Some(parent) = parent else { return Ok(()) };
        let codes = load_codebook(&mut *conn, programme_id).await?;
        let Some(found) = codes.iter().find(|c| c.id == parent && c.programme_id == programme_id) else {
            return Err(Invalid::one("parent", "Choose a parent code from this codebook").into());
        };
        let mut depth = found.depth + 1;
        let mut at = Some(parent);
        while let Some(id) = at {
            if Some(id) == child {
                return Err(Invalid::one("parent", "A code cannot sit beneath itself").into());
            }
            at = codes.iter().find(|c| c.id == id).and_then(|c| c.parent_id);
        }
        if let Some(child) = child {
            // The deepest descendant moves with the code.
            let mut below = 0;
            let mut frontier = vec![(child, 0)];
            while let Some((id, d)) = frontier.pop() {
                below = below.max(d);
                frontier.extend(codes.iter().filter(|c| c.parent_id == Some(id)).map(|c| (c.id, d + 1)));
            }
            depth += below;
        }
        if depth >= MAX_CODE_DEPTH {
            return Err(Invalid::one("parent", format!("Codes may nest at most {MAX_CODE_DEPTH} levels deep")).into());
        }
        Ok(())
    }

    pub(crate) async fn insert_code(
        conn: &mut Conn,
        programme_id: Option<i64>,
        input: &CodeInput,
        by: Option<i64>,
        event: &str,
    ) -> Result<i64, StoreError> {
        check_parent(&mut *conn, programme_id, None, input.parent_id).await?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM codes WHERE programme_id IS NOT DISTINCT FROM $1")
            .bind(programme_id)
            .fetch_one(&mut *conn)
            .await?;
        let colour = input.colour.clone().unwrap_or_else(|| default_colour(usize::try_from(count).unwrap_or(0)).to_owned());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO codes (programme_id, parent_id, name, name_key, description, colour, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(programme_id)
        .bind(input.parent_id)
        .bind(&input.name)
        .bind(code_name_key(&input.name))
        .bind(&input.description)
        .bind(colour)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
        .map_err(unique("name"))?;
        record_event(&mut *conn, id, event, None, 0, by).await?;
        Ok(id)
    }

    pub(super) async fn add_code(
        pool: &DbPool,
        programme_id: Option<i64>,
        input: &CodeInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let id = insert_code(&mut tx, programme_id, input, Some(by), "created").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live code `id` as the programme sees it (its own or the organisation's).
    async fn live_code(conn: &mut Conn, programme_id: i64, id: i64) -> Result<Code, StoreError> {
        load_codebook(&mut *conn, Some(programme_id)).await?.into_iter().find(|c| c.id == id).ok_or(StoreError::NotFound)
    }

    pub(super) async fn edit_code(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        input: &CodeInput,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let code = live_code(&mut tx, programme_id, id).await?;
        check_parent(&mut tx, code.programme_id, Some(id), input.parent_id).await?;
        sqlx::query("UPDATE codes SET name = $1, name_key = $2, description = $3, colour = $4, parent_id = $5 WHERE id = $6")
            .bind(&input.name)
            .bind(code_name_key(&input.name))
            .bind(&input.description)
            .bind(input.colour.as_deref().unwrap_or(&code.colour))
            .bind(input.parent_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(unique("name"))?;
        record_event(&mut tx, id, "edited", None, 0, Some(by)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves codings of `from` onto `into`. Where the same coder already applied `into` to the
    /// same excerpt, the duplicate goes. Returns how many codings now carry `into` that did not.
    async fn move_codings(conn: &mut Conn, from: i64, into: i64, only: Option<&[i64]>) -> Result<i64, StoreError> {
        let ids: Vec<(i64, i64, Option<i64>)> = sqlx::query_as("SELECT id, excerpt_id, coded_by FROM codings WHERE code_id = $1")
            .bind(from)
            .fetch_all(&mut *conn)
            .await?;
        let mut moved = 0;
        for (id, excerpt_id, coder) in ids {
            if only.is_some_and(|only| !only.contains(&id)) {
                continue;
            }
            let clash: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM codings WHERE excerpt_id = $1 AND code_id = $2 AND coded_by IS NOT DISTINCT FROM $3",
            )
            .bind(excerpt_id)
            .bind(into)
            .bind(coder)
            .fetch_optional(&mut *conn)
            .await?;
            if clash.is_some() {
                sqlx::query("DELETE FROM codings WHERE id = $1").bind(id).execute(&mut *conn).await?;
            } else {
                sqlx::query("UPDATE codings SET code_id = $1 WHERE id = $2").bind(into).bind(id).execute(&mut *conn).await?;
                moved += 1;
            }
        }
        Ok(moved)
    }

    pub(super) async fn merge_codes(
        pool: &DbPool,
        programme_id: i64,
        from: i64,
        into: i64,
        by: i64,
    ) -> Result<i64, StoreError> {
        if from == into {
            return Err(Invalid::one("into", "Choose a different code to merge into").into());
        }
        let mut tx = begin(pool).await?;
        let from_code = live_code(&mut tx, programme_id, from).await?;
        let into_code = live_code(&mut tx, programme_id, into).await
            .map_err(|_| StoreError::Invalid(Invalid::one("into", "Choose a code of this codebook to merge into")))?;
        if from_code.programme_id.is_none() && into_code.programme_id.is_some() {
            return Err(Invalid::one("into", "An organisation code can only merge into another organisation code").into());
        }
        let moved = move_codings(&mut tx, from, into, None).await?;
        // Children, memos and suggestions follow the code they belonged to.
        sqlx::query("UPDATE codes SET parent_id = $1 WHERE parent_id = $2").bind(into).bind(from).execute(&mut *tx).await?;
        sqlx::query("UPDATE memos SET code_id = $1 WHERE code_id = $2").bind(into).bind(from).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM coding_suggestions WHERE code_id = $1").bind(from).execute(&mut *tx).await?;
        sqlx::query("UPDATE codes SET merged_into = $1, parent_id = NULL WHERE id = $2").bind(into).bind(from).execute(&mut *tx).await?;
        record_event(&mut tx, from, "merged_into", Some(into), moved, Some(by)).await?;
        record_event(&mut tx, into, "merged_from", Some(from), moved, Some(by)).await?;
        tx.commit().await?;
        Ok(moved)
    }

    pub(super) async fn split_code(
        pool: &DbPool,
        programme_id: i64,
        from: i64,
        new: &CodeInput,
        codings: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let from_code = live_code(&mut tx, programme_id, from).await?;
        if codings.is_empty() {
            return Err(Invalid::one("codings", "Choose the codings that move to the new code").into());
        }
        let into = insert_code(&mut tx, from_code.programme_id, new, Some(by), "split_from").await?;
        let moved = move_codings(&mut tx, from, into, Some(codings)).await?;
        sqlx::query("UPDATE code_events SET other_code_id = $1, codings = $2 WHERE code_id = $3 AND kind = 'split_from'")
            .bind(from)
            .bind(moved)
            .bind(into)
            .execute(&mut *tx)
            .await?;
        record_event(&mut tx, from, "split_into", Some(into), moved, Some(by)).await?;
        tx.commit().await?;
        Ok(into)
    }

    pub(super) async fn code_events(pool: &DbPool, code_id: i64) -> Result<Vec<CodeEvent>, StoreError> {
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT e.kind, e.other_code_id, o.name, e.codings, e.actor_id, u.display_name, e.at FROM code_events e
             LEFT JOIN codes o ON o.id = e.other_code_id LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.code_id = $1 ORDER BY e.at, e.id",
        )
        .bind(code_id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, other, other_name, codings, actor, actor_name, at)| CodeEvent {
                kind,
                other_code: other.zip(other_name),
                codings,
                actor: actor.zip(actor_name).map(|(id, display_name)| UserRef { id, display_name }),
                at,
            })
            .collect())
    }
}

// For `CodingConn`, which other modules use inside transactions of their own.
pub(crate) mod sqlite_steps {
    pub(crate) use super::sqlite::insert_code;
}
pub(crate) mod postgres_steps {
    pub(crate) use super::postgres::insert_code;
}

impl Store {
    /// A programme's codebook (its codes and the organisation's), or with `None` the
    /// organisation's alone: live codes in tree order.
    pub async fn codebook(&self, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        dispatch!(self, codebook(programme_id))
    }

    /// The codebook as [`Store::codebook`] reads it, without counting each code's codings.
    pub async fn codes(&self, programme_id: Option<i64>) -> Result<Vec<Code>, StoreError> {
        dispatch!(self, codes(programme_id))
    }

    /// Adds a code to a programme's codebook (or the organisation's, with `None`). `Duplicate`
    /// naming `name` if its parent already has a code of that name; `Invalid` naming `parent`.
    pub async fn add_code(&self, programme_id: Option<i64>, input: &CodeInput, by: i64) -> Result<i64, StoreError> {
        dispatch!(self, add_code(programme_id, input, by))
    }

    /// Changes a code's name, description, colour or parent.
    pub async fn edit_code(&self, programme_id: i64, id: i64, input: &CodeInput, by: i64) -> Result<(), StoreError> {
        dispatch!(self, edit_code(programme_id, id, input, by))
    }

    /// Merges `from` into `into`: codings, children and memos move; `from` is kept, marked merged,
    /// for its history. Returns how many codings moved.
    pub async fn merge_codes(&self, programme_id: i64, from: i64, into: i64, by: i64) -> Result<i64, StoreError> {
        dispatch!(self, merge_codes(programme_id, from, into, by))
    }

    /// Splits a code: makes `new` (in the same codebook) and moves the chosen codings of `from`
    /// to it. Returns the new code's id.
    pub async fn split_code(
        &self,
        programme_id: i64,
        from: i64,
        new: &CodeInput,
        codings: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, split_code(programme_id, from, new, codings, by))
    }

    /// A code's history, oldest first.
    pub async fn code_events(&self, code_id: i64) -> Result<Vec<CodeEvent>, StoreError> {
        dispatch!(self, code_events(code_id))
    }
}
