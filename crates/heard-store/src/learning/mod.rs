//! The learning log in the store: a programme's reflections, each written by one account (who
//! alone changes or deletes it, checked by the web layer) and linked to the programme's own stage,
//! activity or decision, checked here in the same transaction as the write.

use heard_domain::learning::{ReflectionInput, ReflectionKind};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Store, StoreError, UserRef, decode, now};

/// Something a reflection is linked to: its id and the words it is shown by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkRef {
    pub id: i64,
    /// An activity's or a decision's title.
    pub title: String,
}

/// A stage a reflection is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StageRef {
    pub id: i64,
    /// 1 for the first stage; its page's address.
    pub position: i32,
    pub name: String,
}

/// An entry in the learning log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reflection {
    pub id: i64,
    pub programme_id: i64,
    pub kind: ReflectionKind,
    pub text: String,
    pub written_on: Date,
    /// `None` once the account is gone.
    pub written_by: Option<UserRef>,
    pub stage: Option<StageRef>,
    pub activity: Option<LinkRef>,
    pub decision: Option<LinkRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Reflection {
    /// The reflection as input again, e.g. to fill its edit form.
    pub fn input(&self) -> ReflectionInput {
        ReflectionInput {
            kind: self.kind,
            text: self.text.clone(),
            written_on: self.written_on,
            stage_id: self.stage.as_ref().map(|l| l.id),
            activity_id: self.activity.as_ref().map(|l| l.id),
            decision_id: self.decision.as_ref().map(|l| l.id),
        }
    }
}

/// A decision as the learning log and the story of transformation name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DecisionRef {
    pub id: i64,
    pub title: String,
    pub decided_on: Date,
}

/// Which of a programme's reflections to list; `None` is any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReflectionFilter {
    pub kind: Option<ReflectionKind>,
    pub stage_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub decision_id: Option<i64>,
}

type ReflectionRow = (
    i64,
    i64,
    String,
    String,
    Date,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i32>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    OffsetDateTime,
    OffsetDateTime,
);

fn from_row(row: ReflectionRow) -> Result<Reflection, StoreError> {
    let (
        id,
        programme_id,
        kind,
        text,
        written_on,
        by,
        by_name,
        stage_id,
        position,
        stage_name,
        activity_id,
        activity_title,
        decision_id,
        decision_title,
        created_at,
        updated_at,
    ) = row;
    Ok(Reflection {
        id,
        programme_id,
        kind: decode(&kind)?,
        text,
        written_on,
        written_by: by.zip(by_name).map(|(id, display_name)| UserRef { id, display_name }),
        stage: stage_id.map(|id| StageRef {
            id,
            position: position.unwrap_or_default(),
            name: stage_name.unwrap_or_default(),
        }),
        activity: activity_id.map(|id| LinkRef { id, title: activity_title.unwrap_or_default() }),
        decision: decision_id.map(|id| LinkRef { id, title: decision_title.unwrap_or_default() }),
        created_at,
        updated_at,
    })
}

const SELECT: &str = "SELECT r.id, r.programme_id, r.kind, r.text, r.written_on, r.written_by, u.display_name,
        r.stage_id, s.position, s.name, r.activity_id, a.title, r.decision_id, d.title, r.created_at, r.updated_at
     FROM reflections r
     LEFT JOIN users u ON u.id = r.written_by
     LEFT JOIN stages s ON s.id = r.stage_id
     LEFT JOIN activities a ON a.id = r.activity_id
     LEFT JOIN decisions d ON d.id = r.decision_id";

per_backend! {
    /// Refuses links to another programme's (or no) stage or activity, naming the field.
    async fn check_links(conn: &mut Conn, programme_id: i64, input: &ReflectionInput) -> Result<(), StoreError> {
        let mut errors = heard_domain::error::Collector::new();
        for (field, label, table, id) in [
            ("stage", "a stage", "stages", input.stage_id),
            ("activity", "an activity", "activities", input.activity_id),
            ("decision", "a decision", "decisions", input.decision_id),
        ] {
            let Some(id) = id else { continue };
            let owner: Option<i64> = sqlx::query_scalar(&format!("SELECT programme_id FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            if owner != Some(programme_id) {
                errors.push(field, format!("Select {label} of this programme from the list"));
            }
        }
        errors.finish(|| ()).map_err(StoreError::from)
    }

    pub(super) async fn create_reflection(pool: &DbPool, programme_id: i64, input: &ReflectionInput, by: i64) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM programmes WHERE id = $1").bind(programme_id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        check_links(&mut tx, programme_id, input).await?;
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO reflections (programme_id, kind, text, written_on, written_by, stage_id, activity_id, decision_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(programme_id)
        .bind(input.kind.code())
        .bind(&input.text)
        .bind(input.written_on)
        .bind(by)
        .bind(input.stage_id)
        .bind(input.activity_id)
        .bind(input.decision_id)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn edit_reflection(pool: &DbPool, programme_id: i64, id: i64, input: &ReflectionInput) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        check_links(&mut tx, programme_id, input).await?;
        let done = sqlx::query(
            "UPDATE reflections SET kind = $1, text = $2, written_on = $3, stage_id = $4, activity_id = $5, decision_id = $6,
                 updated_at = $7
             WHERE id = $8 AND programme_id = $9",
        )
        .bind(input.kind.code())
        .bind(&input.text)
        .bind(input.written_on)
        .bind(input.stage_id)
        .bind(input.activity_id)
        .bind(input.decision_id)
        .bind(now())
        .bind(id)
        .bind(programme_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_reflection(pool: &DbPool, programme_id: i64, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM reflections WHERE id = $1 AND programme_id = $2")
            .bind(id)
            .bind(programme_id)
            .execute(pool)
            .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn reflection(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<Reflection>, StoreError> {
        let row: Option<ReflectionRow> = sqlx::query_as(&format!("{SELECT} WHERE r.id = $1 AND r.programme_id = $2"))
            .bind(id)
            .bind(programme_id)
            .fetch_optional(pool)
            .await?;
        row.map(from_row).transpose()
    }

    pub(super) async fn decision_refs(pool: &DbPool, programme_id: i64) -> Result<Vec<DecisionRef>, StoreError> {
        let rows: Vec<(i64, String, Date)> = sqlx::query_as(
            "SELECT id, title, decided_on FROM decisions WHERE programme_id = $1 ORDER BY decided_on, id",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(rows.into_iter().map(|(id, title, decided_on)| DecisionRef { id, title, decided_on }).collect())
    }

    pub(super) async fn reflections(pool: &DbPool, programme_id: i64, filter: ReflectionFilter) -> Result<Vec<Reflection>, StoreError> {
        let rows: Vec<ReflectionRow> = sqlx::query_as(&format!(
            "{SELECT} WHERE r.programme_id = $1 AND ($2 IS NULL OR r.kind = $2)
               AND ($3 IS NULL OR r.stage_id = $3) AND ($4 IS NULL OR r.activity_id = $4)
               AND ($5 IS NULL OR r.decision_id = $5)
             ORDER BY r.written_on DESC, r.id DESC"
        ))
        .bind(programme_id)
        .bind(filter.kind.map(|k| k.code()))
        .bind(filter.stage_id)
        .bind(filter.activity_id)
        .bind(filter.decision_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter().map(from_row).collect()
    }
}

impl Store {
    /// Writes a reflection in a programme's learning log, by the account `by`. `Invalid` naming
    /// `stage` or `activity` when a link is not one of the programme's; `NotFound` without the
    /// programme. Returns its id.
    pub async fn create_reflection(
        &self,
        programme_id: i64,
        input: &ReflectionInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create_reflection(programme_id, input, by))
    }

    /// Changes a reflection (its writer stays). `NotFound` if it is not the programme's.
    pub async fn edit_reflection(&self, programme_id: i64, id: i64, input: &ReflectionInput) -> Result<(), StoreError> {
        dispatch!(self, edit_reflection(programme_id, id, input))
    }

    /// Deletes a reflection. `NotFound` if it is not the programme's.
    pub async fn delete_reflection(&self, programme_id: i64, id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_reflection(programme_id, id))
    }

    /// One of a programme's reflections, or `None`.
    pub async fn reflection(&self, programme_id: i64, id: i64) -> Result<Option<Reflection>, StoreError> {
        dispatch!(self, reflection(programme_id, id))
    }

    /// A programme's decisions by date, as a reflection may name them.
    pub async fn decision_refs(&self, programme_id: i64) -> Result<Vec<DecisionRef>, StoreError> {
        dispatch!(self, decision_refs(programme_id))
    }

    /// A programme's reflections, latest first.
    pub async fn reflections(
        &self,
        programme_id: i64,
        filter: ReflectionFilter,
    ) -> Result<Vec<Reflection>, StoreError> {
        dispatch!(self, reflections(programme_id, filter))
    }
}
