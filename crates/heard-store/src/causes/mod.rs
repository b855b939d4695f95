//! Cause maps in the store: a programme's maps, their factors (one the central event), arrows,
//! tags and the insights and excerpts that evidence a factor. Edits name the version they started
//! from, so two people editing at once cannot silently overwrite each other: the second gets
//! [`StoreError::Conflict`] and nothing is saved.

use std::collections::BTreeMap;

use heard_domain::Invalid;
use heard_domain::causes::kumu::MapParts;
use heard_domain::causes::map::{self, FactorInput, MAX_ARROWS, MAX_FACTORS, MapInput, name_key};
use heard_domain::voice::participants::ConsentPurpose;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Store, StoreError, now, unique};

/// A cause map in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CauseMapSummary {
    pub id: i64,
    pub title: String,
    /// The central event's words.
    pub central: String,
    pub factors: i64,
    pub arrows: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A cause map whole: its factors in the person's order and its arrows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CauseMap {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    /// The version of the map's own fields (title, central event), for optimistic versioning.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub factors: Vec<Factor>,
    pub arrows: Vec<Arrow>,
}

/// A factor of a map, with how much evidence is behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Factor {
    pub id: i64,
    pub label: String,
    pub description: Option<String>,
    /// Whether this factor is the map's central event.
    pub central: bool,
    /// The person's order within a column of the picture, smallest first.
    pub position: i64,
    /// For optimistic versioning: send it back with an edit.
    pub version: i64,
    /// A set, listed alphabetically (ignoring case).
    pub tags: Vec<String>,
    /// Insights linked as evidence.
    pub insights: i64,
    /// Excerpts linked directly as evidence.
    pub excerpts: i64,
    /// Distinct participants heard in that evidence (the excerpts linked directly and those
    /// supporting the linked insights).
    pub participants: i64,
}

/// An arrow: `from` contributes to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Arrow {
    pub id: i64,
    pub from: i64,
    pub to: i64,
}

impl CauseMap {
    pub fn central(&self) -> Option<&Factor> {
        self.factors.iter().find(|f| f.central)
    }

    pub fn factor(&self, id: i64) -> Option<&Factor> {
        self.factors.iter().find(|f| f.id == id)
    }

    /// The map as the analysis takes it, with the person's order of each factor.
    pub fn graph(&self) -> (heard_analysis::causes::CauseMap, Vec<i64>) {
        let parts = self.parts();
        let graph =
            heard_analysis::causes::CauseMap { factors: parts.labels, arrows: parts.arrows, central: parts.central };
        (graph, self.factors.iter().map(|f| f.position).collect())
    }

    /// The map as plain parts (factors by index in the map's order), for analysis and export.
    pub fn parts(&self) -> MapParts {
        let index: BTreeMap<i64, usize> = self.factors.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        MapParts {
            labels: self.factors.iter().map(|f| f.label.clone()).collect(),
            descriptions: self.factors.iter().map(|f| f.description.clone()).collect(),
            tags: self.factors.iter().map(|f| f.tags.clone()).collect(),
            arrows: self.arrows.iter().filter_map(|a| Some((*index.get(&a.from)?, *index.get(&a.to)?))).collect(),
            central: self.factors.iter().position(|f| f.central).unwrap_or(0),
        }
    }
}

/// What evidences a factor: an insight or an excerpt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceRef {
    Insight(i64),
    Excerpt(i64),
}

/// The evidence behind one factor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FactorEvidence {
    pub insights: Vec<LinkedInsight>,
    pub excerpts: Vec<LinkedExcerpt>,
}

/// An insight linked to a factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = FactorInsight)]
pub struct LinkedInsight {
    pub id: i64,
    pub statement: String,
    /// Distinct participants heard in its supporting excerpts.
    pub participants: i64,
}

/// An excerpt linked to a factor. `quotable` says whether everyone heard in its source consents
/// to anonymous quotation now; the web layer shows the quote to commissioners only then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkedExcerpt {
    pub id: i64,
    pub quote: String,
    pub quotable: bool,
    pub source_id: i64,
    pub source_title: String,
}

type FactorRow = (i64, String, Option<String>, bool, i64, i64);

fn not_on_map(field: &str) -> StoreError {
    Invalid::one(field, "Choose a factor of this map").into()
}

per_backend! {
    pub(super) async fn cause_maps(pool: &DbPool, programme_id: i64) -> Result<Vec<CauseMapSummary>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, i64, i64, OffsetDateTime)> = sqlx::query_as(
            "SELECT m.id, m.title,
                 (SELECT f.label FROM factors f WHERE f.map_id = m.id AND f.central),
                 (SELECT COUNT(*) FROM factors f WHERE f.map_id = m.id),
                 (SELECT COUNT(*) FROM arrows a WHERE a.map_id = m.id),
                 m.updated_at
             FROM cause_maps m WHERE m.programme_id = $1 ORDER BY m.title_key",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, central, factors, arrows, updated_at)| CauseMapSummary {
                id,
                title,
                central: central.unwrap_or_default(),
                factors,
                arrows,
                updated_at,
            })
            .collect())
    }

    pub(super) async fn cause_map_id(pool: &DbPool, programme_id: i64, title: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM cause_maps WHERE programme_id = $1 AND title_key = $2")
            .bind(programme_id)
            .bind(name_key(title))
            .fetch_optional(pool)
            .await?)
    }

    pub(super) async fn create_cause_map(pool: &DbPool, programme_id: i64, input: &MapInput, by: Option<i64>) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let id = insert_map(&mut tx, programme_id, &input.title, by).await?;
        insert_factor(&mut tx, id, &input.central, None, true, 0, by).await.map_err(|e| rename(e, "central"))?;
        tx.commit().await?;
        Ok(id)
    }

    async fn insert_map(conn: &mut Conn, programme_id: i64, title: &str, by: Option<i64>) -> Result<i64, StoreError> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cause_maps (programme_id, title, title_key, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(programme_id)
        .bind(title)
        .bind(name_key(title))
        .bind(by)
        .bind(at)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match crate::missing_parent(e) {
            StoreError::Database(e) => unique("title")(e),
            other => other,
        })?;
        Ok(id)
    }

    async fn insert_factor(
        conn: &mut Conn,
        map_id: i64,
        label: &str,
        description: Option<&str>,
        central: bool,
        position: i64,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO factors (map_id, label, label_key, description, central, position, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(map_id)
        .bind(label)
        .bind(name_key(label))
        .bind(description)
        .bind(central)
        .bind(position)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
        .map_err(unique("label"))?;
        Ok(id)
    }

    async fn set_tags(conn: &mut Conn, factor_id: i64, tags: &[String]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM factor_tags WHERE factor_id = $1").bind(factor_id).execute(&mut *conn).await?;
        for tag in tags {
            sqlx::query("INSERT INTO factor_tags (factor_id, tag, tag_key) VALUES ($1, $2, $3)")
                .bind(factor_id)
                .bind(tag)
                .bind(name_key(tag))
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The map's id if it is the programme's; takes the write lock on SQLite first.
    async fn own_map(conn: &mut Conn, programme_id: i64, map_id: i64) -> Result<(), StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM cause_maps WHERE id = $1 AND programme_id = $2")
            .bind(map_id)
            .bind(programme_id)
            .fetch_optional(&mut *conn)
            .await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    async fn touch(conn: &mut Conn, map_id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE cause_maps SET updated_at = $1 WHERE id = $2").bind(now()).bind(map_id).execute(&mut *conn).await?;
        Ok(())
    }

    /// A factor's version, or `NotFound` if it is not on the map.
    async fn factor_version(conn: &mut Conn, map_id: i64, factor_id: i64) -> Result<(i64, bool), StoreError> {
        let found: Option<(i64, bool)> = sqlx::query_as("SELECT version, central FROM factors WHERE id = $1 AND map_id = $2")
            .bind(factor_id)
            .bind(map_id)
            .fetch_optional(&mut *conn)
            .await?;
        found.ok_or(StoreError::NotFound)
    }

    pub(super) async fn cause_map(pool: &DbPool, programme_id: i64, map_id: i64) -> Result<Option<CauseMap>, StoreError> {
        let Some((title, version, updated_at)): Option<(String, i64, OffsetDateTime)> =
            sqlx::query_as("SELECT title, version, updated_at FROM cause_maps WHERE id = $1 AND programme_id = $2")
                .bind(map_id)
                .bind(programme_id)
                .fetch_optional(pool)
                .await?
        else {
            return Ok(None);
        };
        let rows: Vec<FactorRow> = sqlx::query_as(
            "SELECT id, label, description, central, position, version FROM factors WHERE map_id = $1 ORDER BY position, id",
        )
        .bind(map_id)
        .fetch_all(pool)
        .await?;
        let tags: Vec<(i64, String)> = sqlx::query_as(
            "SELECT t.factor_id, t.tag FROM factor_tags t JOIN factors f ON f.id = t.factor_id WHERE f.map_id = $1 ORDER BY t.tag_key",
        )
        .bind(map_id)
        .fetch_all(pool)
        .await?;
        let counts: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT fe.factor_id, CAST(COUNT(fe.insight_id) AS BIGINT), CAST(COUNT(fe.excerpt_id) AS BIGINT)
             FROM factor_evidence fe JOIN factors f ON f.id = fe.factor_id WHERE f.map_id = $1 GROUP BY fe.factor_id",
        )
        .bind(map_id)
        .fetch_all(pool)
        .await?;
        let people: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT heard.factor_id, CAST(COUNT(DISTINCT sp.participant_id) AS BIGINT) FROM (
                 SELECT fe.factor_id, e.source_id FROM factor_evidence fe
                     JOIN factors f ON f.id = fe.factor_id JOIN excerpts e ON e.id = fe.excerpt_id WHERE f.map_id = $1
                 UNION ALL
                 SELECT fe.factor_id, e.source_id FROM factor_evidence fe JOIN factors f ON f.id = fe.factor_id
                     JOIN insight_evidence v ON v.insight_id = fe.insight_id AND v.stance = 'supports'
                     JOIN excerpts e ON e.id = v.excerpt_id WHERE f.map_id = $1
             ) heard JOIN source_participants sp ON sp.source_id = heard.source_id GROUP BY heard.factor_id",
        )
        .bind(map_id)
        .fetch_all(pool)
        .await?;
        let arrows: Vec<(i64, i64, i64)> =
            sqlx::query_as("SELECT id, from_factor, to_factor FROM arrows WHERE map_id = $1 ORDER BY id")
                .bind(map_id)
                .fetch_all(pool)
                .await?;
        let mut tags_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (factor, tag) in tags {
            tags_of.entry(factor).or_default().push(tag);
        }
        let counts: BTreeMap<i64, (i64, i64)> = counts.into_iter().map(|(f, i, e)| (f, (i, e))).collect();
        let people: BTreeMap<i64, i64> = people.into_iter().collect();
        Ok(Some(CauseMap {
            id: map_id,
            programme_id,
            title,
            version,
            updated_at,
            factors: rows
                .into_iter()
                .map(|(id, label, description, central, position, version)| {
                    let (insights, excerpts) = counts.get(&id).copied().unwrap_or_default();
                    Factor {
                        id,
                        label,
                        description,
                        central,
                        position,
                        version,
                        tags: tags_of.remove(&id).unwrap_or_default(),
                        insights,
                        excerpts,
                        participants: people.get(&id).copied().unwrap_or_default(),
                    }
                })
                .collect(),
            arrows: arrows.into_iter().map(|(id, from, to)| Arrow { id, from, to }).collect(),
        }))
    }

    pub(super) async fn edit_cause_map(pool: &DbPool, programme_id: i64, map_id: i64, version: i64, input: &MapInput) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        let done = sqlx::query(
            "UPDATE cause_maps SET title = $1, title_key = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
        )
        .bind(&input.title)
        .bind(name_key(&input.title))
        .bind(now())
        .bind(map_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(unique("title"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict { what: "map" });
        }
        sqlx::query("UPDATE factors SET label = $1, label_key = $2, version = version + 1 WHERE map_id = $3 AND central AND label_key <> $2")
            .bind(&input.central)
            .bind(name_key(&input.central))
            .bind(map_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| rename(unique("label")(e), "central"))?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_cause_map(pool: &DbPool, programme_id: i64, map_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM cause_maps WHERE id = $1 AND programme_id = $2")
            .bind(map_id)
            .bind(programme_id)
            .execute(pool)
            .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn add_factor(
        pool: &DbPool,
        programme_id: i64,
        map_id: i64,
        input: &FactorInput,
        contributes_to: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        let (count, last): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MAX(position) FROM factors WHERE map_id = $1")
                .bind(map_id)
                .fetch_one(&mut *tx)
                .await?;
        if count as usize >= MAX_FACTORS {
            return Err(Invalid::one("label", format!("A map holds at most {MAX_FACTORS} factors")).into());
        }
        let id = insert_factor(&mut tx, map_id, &input.label, input.description.as_deref(), false, last.unwrap_or(0) + 1, by).await?;
        set_tags(&mut tx, id, &input.tags).await?;
        if let Some(to) = contributes_to {
            factor_version(&mut tx, map_id, to).await.map_err(|_| not_on_map("contributes_to"))?;
            sqlx::query("INSERT INTO arrows (map_id, from_factor, to_factor, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(map_id)
                .bind(id)
                .bind(to)
                .bind(by)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        }
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn edit_factor(
        pool: &DbPool,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        version: i64,
        input: &FactorInput,
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        factor_version(&mut tx, map_id, factor_id).await?;
        let done = sqlx::query(
            "UPDATE factors SET label = $1, label_key = $2, description = $3, version = version + 1
             WHERE id = $4 AND map_id = $5 AND version = $6",
        )
        .bind(&input.label)
        .bind(name_key(&input.label))
        .bind(input.description.as_deref())
        .bind(factor_id)
        .bind(map_id)
        .bind(version)
        .execute(&mut *tx)
        .await
        .map_err(unique("label"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict { what: "factor" });
        }
        set_tags(&mut tx, factor_id, &input.tags).await?;
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_factor(pool: &DbPool, programme_id: i64, map_id: i64, factor_id: i64, version: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        let (current, central) = factor_version(&mut tx, map_id, factor_id).await?;
        if central {
            return Err(Invalid::one("factor", "The central event cannot be deleted: change its words instead").into());
        }
        if current != version {
            return Err(StoreError::Conflict { what: "factor" });
        }
        sqlx::query("DELETE FROM factors WHERE id = $1").bind(factor_id).execute(&mut *tx).await?;
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn set_positions(pool: &DbPool, programme_id: i64, map_id: i64, positions: &[(i64, i64)]) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        for (factor_id, position) in positions {
            let done = sqlx::query("UPDATE factors SET position = $1 WHERE id = $2 AND map_id = $3")
                .bind(position)
                .bind(factor_id)
                .bind(map_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn add_arrow(pool: &DbPool, programme_id: i64, map_id: i64, from: i64, to: i64, by: Option<i64>) -> Result<i64, StoreError> {
        if from == to {
            return Err(Invalid::one("to", "An arrow goes from one factor to another: choose two different factors").into());
        }
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        factor_version(&mut tx, map_id, from).await.map_err(|_| not_on_map("from"))?;
        factor_version(&mut tx, map_id, to).await.map_err(|_| not_on_map("to"))?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM arrows WHERE map_id = $1").bind(map_id).fetch_one(&mut *tx).await?;
        if count as usize >= MAX_ARROWS {
            return Err(Invalid::one("to", format!("A map holds at most {MAX_ARROWS} arrows")).into());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO arrows (map_id, from_factor, to_factor, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(map_id)
        .bind(from)
        .bind(to)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match unique("arrow")(e) {
            StoreError::Duplicate { .. } => Invalid::one("to", "There is already an arrow between these factors").into(),
            other => other,
        })?;
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn remove_arrow(pool: &DbPool, programme_id: i64, map_id: i64, arrow_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "DELETE FROM arrows WHERE id = $1 AND map_id = $2 AND map_id IN (SELECT id FROM cause_maps WHERE programme_id = $3)",
        )
        .bind(arrow_id)
        .bind(map_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn link_evidence(
        pool: &DbPool,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        evidence: EvidenceRef,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own_map(&mut tx, programme_id, map_id).await?;
        factor_version(&mut tx, map_id, factor_id).await?;
        let (insight, excerpt) = match evidence {
            EvidenceRef::Insight(id) => (Some(id), None),
            EvidenceRef::Excerpt(id) => (None, Some(id)),
        };
        let ours: Option<i64> = match evidence {
            EvidenceRef::Insight(id) => sqlx::query_scalar("SELECT id FROM insights WHERE id = $1 AND programme_id = $2")
                .bind(id)
                .bind(programme_id)
                .fetch_optional(&mut *tx)
                .await?,
            EvidenceRef::Excerpt(id) => sqlx::query_scalar(
                "SELECT e.id FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.id = $1 AND s.programme_id = $2",
            )
            .bind(id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?,
        };
        if ours.is_none() {
            let (field, what) = match evidence {
                EvidenceRef::Insight(_) => ("insight", "Choose an insight of this programme"),
                EvidenceRef::Excerpt(_) => ("excerpt", "Choose an excerpt of this programme"),
            };
            return Err(Invalid::one(field, what).into());
        }
        sqlx::query(
            "INSERT INTO factor_evidence (factor_id, insight_id, excerpt_id, added_by, added_at)
             SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (
                 SELECT 1 FROM factor_evidence WHERE factor_id = $1
                 AND (insight_id = $2 OR excerpt_id = $3))",
        )
        .bind(factor_id)
        .bind(insight)
        .bind(excerpt)
        .bind(by)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, map_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn unlink_evidence(pool: &DbPool, programme_id: i64, map_id: i64, factor_id: i64, evidence: EvidenceRef) -> Result<(), StoreError> {
        let (insight, excerpt) = match evidence {
            EvidenceRef::Insight(id) => (Some(id), None),
            EvidenceRef::Excerpt(id) => (None, Some(id)),
        };
        let done = sqlx::query(
            "DELETE FROM factor_evidence WHERE factor_id = $1 AND (insight_id = $2 OR excerpt_id = $3)
             AND factor_id IN (SELECT f.id FROM factors f JOIN cause_maps m ON m.id = f.map_id WHERE f.map_id = $4 AND m.programme_id = $5)",
        )
        .bind(factor_id)
        .bind(insight)
        .bind(excerpt)
        .bind(map_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn factor_evidence(pool: &DbPool, programme_id: i64, map_id: i64, factor_id: i64) -> Result<FactorEvidence, StoreError> {
        let owned: Option<i64> = sqlx::query_scalar(
            "SELECT f.id FROM factors f JOIN cause_maps m ON m.id = f.map_id WHERE f.id = $1 AND f.map_id = $2 AND m.programme_id = $3",
        )
        .bind(factor_id)
        .bind(map_id)
        .bind(programme_id)
        .fetch_optional(pool)
        .await?;
        if owned.is_none() {
            return Err(StoreError::NotFound);
        }
        let insights: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT i.id, i.statement,
                 (SELECT CAST(COUNT(DISTINCT sp.participant_id) AS BIGINT) FROM insight_evidence v JOIN excerpts e ON e.id = v.excerpt_id
                     JOIN source_participants sp ON sp.source_id = e.source_id WHERE v.insight_id = i.id AND v.stance = 'supports')
             FROM factor_evidence fe JOIN insights i ON i.id = fe.insight_id WHERE fe.factor_id = $1 ORDER BY fe.added_at, i.id",
        )
        .bind(factor_id)
        .fetch_all(pool)
        .await?;
        let excerpts: Vec<(i64, String, i64, String, bool)> = sqlx::query_as(
            "SELECT e.id, e.quote, s.id, s.title,
                 NOT EXISTS (SELECT 1 FROM source_participants sp WHERE sp.source_id = s.id AND NOT EXISTS (
                     SELECT 1 FROM consents c WHERE c.participant_id = sp.participant_id AND c.purpose = $2 AND c.withdrawn_on IS NULL))
             FROM factor_evidence fe JOIN excerpts e ON e.id = fe.excerpt_id JOIN sources s ON s.id = e.source_id
             WHERE fe.factor_id = $1 ORDER BY fe.added_at, e.id",
        )
        .bind(factor_id)
        .bind(ConsentPurpose::AnonymousQuotation.code())
        .fetch_all(pool)
        .await?;
        Ok(FactorEvidence {
            insights: insights.into_iter().map(|(id, statement, participants)| LinkedInsight { id, statement, participants }).collect(),
            excerpts: excerpts
                .into_iter()
                .map(|(id, quote, source_id, source_title, quotable)| LinkedExcerpt { id, quote, quotable, source_id, source_title })
                .collect(),
        })
    }

    pub(super) async fn import_cause_map(
        pool: &DbPool,
        programme_id: i64,
        title: &str,
        parts: &MapParts,
        positions: &[i64],
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let map_id = insert_map(&mut tx, programme_id, title, by).await?;
        let mut ids = Vec::with_capacity(parts.labels.len());
        for (index, label) in parts.labels.iter().enumerate() {
            let description = parts.descriptions.get(index).and_then(|d| d.as_deref());
            let position = positions.get(index).copied().unwrap_or(index as i64);
            let id = insert_factor(&mut tx, map_id, label, description, index == parts.central, position, by)
                .await
                .map_err(|e| match e {
                    StoreError::Duplicate { .. } => {
                        Invalid::one(format!("elements[{index}].label"), "Another factor has the same words").into()
                    }
                    other => other,
                })?;
            if let Some(tags) = parts.tags.get(index) {
                set_tags(&mut tx, id, tags).await?;
            }
            ids.push(id);
        }
        let at = now();
        for (number, (from, to)) in parts.arrows.iter().enumerate() {
            let (Some(from), Some(to)) = (ids.get(*from), ids.get(*to)) else {
                return Err(Invalid::one(format!("connections[{number}]"), "Connects a factor that is not in the map").into());
            };
            sqlx::query("INSERT INTO arrows (map_id, from_factor, to_factor, created_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(map_id)
                .bind(from)
                .bind(to)
                .bind(by)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(|e| match unique("arrow")(e) {
                    StoreError::Duplicate { .. } => Invalid::one(format!("connections[{number}]"), "Repeats an arrow").into(),
                    other => other,
                })?;
        }
        tx.commit().await?;
        Ok(map_id)
    }
}

/// Names `field` in a duplicate-value error, so a form can say which of its fields clashed.
fn rename(error: StoreError, field: &'static str) -> StoreError {
    match error {
        StoreError::Duplicate { .. } => StoreError::Duplicate { field },
        other => other,
    }
}

/// Checks an imported map's words and tags as a form would, naming the element at fault, and
/// returns them as a form would keep them (one line, tags once each).
fn checked_parts(parts: &MapParts) -> Result<MapParts, StoreError> {
    if parts.labels.len() > MAX_FACTORS {
        return Err(Invalid::one("elements", format!("A map holds at most {MAX_FACTORS} factors")).into());
    }
    if parts.arrows.len() > MAX_ARROWS {
        return Err(Invalid::one("connections", format!("A map holds at most {MAX_ARROWS} arrows")).into());
    }
    if parts.central >= parts.labels.len() {
        return Err(Invalid::one("elements", "The map has no central event").into());
    }
    let mut checked = MapParts {
        labels: Vec::new(),
        descriptions: Vec::new(),
        tags: Vec::new(),
        arrows: parts.arrows.clone(),
        central: parts.central,
    };
    for (index, label) in parts.labels.iter().enumerate() {
        checked.labels.push(map::factor_label(&format!("elements[{index}].label"), label)?);
        let tags = parts.tags.get(index).map(|t| t.join(",")).unwrap_or_default();
        checked.tags.push(map::parse_tags(&format!("elements[{index}].tags"), &tags)?);
        let description = parts.descriptions.get(index).cloned().flatten().unwrap_or_default();
        checked.descriptions.push(heard_domain::error::optional_text(
            &format!("elements[{index}].description"),
            "the description",
            &description,
            2_000,
        )?);
    }
    for (number, (from, to)) in parts.arrows.iter().enumerate() {
        if from == to {
            return Err(
                Invalid::one(format!("connections[{number}]"), "An arrow cannot go from a factor to itself").into()
            );
        }
    }
    Ok(checked)
}

impl Store {
    /// A programme's cause maps, by title.
    pub async fn cause_maps(&self, programme_id: i64) -> Result<Vec<CauseMapSummary>, StoreError> {
        dispatch!(self, cause_maps(programme_id))
    }

    /// The id of the programme's map with this title (compared ignoring case and spacing).
    pub async fn cause_map_id(&self, programme_id: i64, title: &str) -> Result<Option<i64>, StoreError> {
        dispatch!(self, cause_map_id(programme_id, title))
    }

    /// Makes a map with its central event. `Duplicate` naming `title` or `central` on a clash.
    pub async fn create_cause_map(
        &self,
        programme_id: i64,
        input: &MapInput,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create_cause_map(programme_id, input, by))
    }

    /// One map with its factors (in the person's order), evidence counts and arrows.
    pub async fn cause_map(&self, programme_id: i64, map_id: i64) -> Result<Option<CauseMap>, StoreError> {
        dispatch!(self, cause_map(programme_id, map_id))
    }

    /// Changes a map's title and central event's words, if the map is still at `version`.
    pub async fn edit_cause_map(
        &self,
        programme_id: i64,
        map_id: i64,
        version: i64,
        input: &MapInput,
    ) -> Result<(), StoreError> {
        dispatch!(self, edit_cause_map(programme_id, map_id, version, input))
    }

    pub async fn delete_cause_map(&self, programme_id: i64, map_id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_cause_map(programme_id, map_id))
    }

    /// Adds a factor at the end of the person's order and, with `contributes_to`, its arrow to
    /// that factor, in one transaction. `Duplicate` naming `label` on a clash; `Invalid` naming
    /// `contributes_to` for a factor not on the map.
    pub async fn add_factor(
        &self,
        programme_id: i64,
        map_id: i64,
        input: &FactorInput,
        contributes_to: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, add_factor(programme_id, map_id, input, contributes_to, by))
    }

    /// Rewrites a factor's words, description and tags if it is still at `version`.
    pub async fn edit_factor(
        &self,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        version: i64,
        input: &FactorInput,
    ) -> Result<(), StoreError> {
        dispatch!(self, edit_factor(programme_id, map_id, factor_id, version, input))
    }

    /// Deletes a factor and its arrows if it is still at `version`; the central event stays.
    pub async fn delete_factor(
        &self,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        version: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, delete_factor(programme_id, map_id, factor_id, version))
    }

    /// Reorders every column of the map's picture to reduce crossing arrows ("Tidy the map"),
    /// replacing moves made by hand.
    pub async fn tidy_cause_map(&self, programme_id: i64, map_id: i64) -> Result<(), StoreError> {
        let map = self.cause_map(programme_id, map_id).await?.ok_or(StoreError::NotFound)?;
        let (graph, order) = map.graph();
        let tidied = heard_analysis::causes::layout::tidy(&graph, &order);
        let positions: Vec<(i64, i64)> = map.factors.iter().zip(tidied).map(|(f, p)| (f.id, p)).collect();
        self.set_factor_positions(programme_id, map_id, &positions).await
    }

    /// Sets factors' places in the person's order (a move, or tidying the whole map).
    pub async fn set_factor_positions(
        &self,
        programme_id: i64,
        map_id: i64,
        positions: &[(i64, i64)],
    ) -> Result<(), StoreError> {
        dispatch!(self, set_positions(programme_id, map_id, positions))
    }

    /// Draws an arrow: `from` contributes to `to`. `Invalid` naming `from` or `to` for a factor of
    /// another map, an arrow to itself, or one that is there already.
    pub async fn add_arrow(
        &self,
        programme_id: i64,
        map_id: i64,
        from: i64,
        to: i64,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, add_arrow(programme_id, map_id, from, to, by))
    }

    pub async fn remove_arrow(&self, programme_id: i64, map_id: i64, arrow_id: i64) -> Result<(), StoreError> {
        dispatch!(self, remove_arrow(programme_id, map_id, arrow_id))
    }

    /// Links an insight or excerpt of the programme to a factor as its evidence (once).
    pub async fn link_factor_evidence(
        &self,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        evidence: EvidenceRef,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, link_evidence(programme_id, map_id, factor_id, evidence, by))
    }

    pub async fn unlink_factor_evidence(
        &self,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
        evidence: EvidenceRef,
    ) -> Result<(), StoreError> {
        dispatch!(self, unlink_evidence(programme_id, map_id, factor_id, evidence))
    }

    /// The insights and excerpts behind a factor.
    pub async fn factor_evidence(
        &self,
        programme_id: i64,
        map_id: i64,
        factor_id: i64,
    ) -> Result<FactorEvidence, StoreError> {
        dispatch!(self, factor_evidence(programme_id, map_id, factor_id))
    }

    /// Makes a map from imported parts (a Kumu blueprint) in one transaction: all of it or, on
    /// any problem, none of it, with `Invalid` naming the element or connection at fault. Without
    /// a title the map is titled after its central event. Factors are ordered to reduce crossings.
    pub async fn import_cause_map(
        &self,
        programme_id: i64,
        title: Option<&str>,
        parts: &MapParts,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let parts = checked_parts(parts)?;
        let central = parts.labels.get(parts.central).map(String::as_str).unwrap_or_default();
        let input = MapInput::parse(title.unwrap_or_default(), central)?;
        // Ordered as "Tidy the map" would, so an imported picture crosses as little as it can.
        let graph = heard_analysis::causes::CauseMap {
            factors: parts.labels.clone(),
            arrows: parts.arrows.clone(),
            central: parts.central,
        };
        let unordered: Vec<i64> = (0..parts.labels.len() as i64).collect();
        let positions = heard_analysis::causes::layout::tidy(&graph, &unordered);
        dispatch!(self, import_cause_map(programme_id, &input.title, &parts, &positions, by))
    }
}
