//! Propositions in the store: a programme's proposed changes with every version of their words,
//! every change of status, the people who shaped them by kind, their links to insights, factors
//! and signals, and the lineage of merges and splits. Edits name the version they started from and
//! status changes the status the person saw: a stale one is [`StoreError::Conflict`] and nothing
//! is saved. The breadth of the evidence (who is behind it) is in [`breadth`].

pub mod breadth;

use std::collections::{BTreeMap, BTreeSet};

use heard_domain::Invalid;
use heard_domain::causes::map::name_key;
use heard_domain::propositions::{
    EvidenceRef, PropositionInput, PropositionStatus, ShaperInput, ShaperKind, StatusChange,
};
use serde::Serialize;
use time::OffsetDateTime;

pub use breadth::{Breadth, KindCount};

use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, now, unique};

/// The most propositions one merge takes in, and the most parts one split makes.
pub const MAX_PARTS: usize = 10;

/// A proposition in a list, with how much stands behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PropositionSummary {
    pub id: i64,
    pub title: String,
    pub status: PropositionStatus,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub insights: i64,
    pub factors: i64,
    pub signals: i64,
    /// People counted as shaping it, all kinds.
    pub shapers: i64,
    /// Of them, service users, carers, parents and young people.
    pub citizen_shapers: i64,
    /// Who is heard in its evidence.
    pub breadth: Breadth,
}

/// A proposition whole: its words, status, evidence with breadth, shapers, history, versions and
/// lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proposition {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    /// The change it proposes to what is commissioned or how.
    pub change: String,
    pub status: PropositionStatus,
    /// For optimistic versioning: send it back with an edit.
    pub version: i64,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub evidence: PropositionEvidence,
    pub breadth: Breadth,
    pub shapers: Vec<Shaper>,
    /// Every change of status, oldest first; the first is its creation.
    pub history: Vec<StatusRecord>,
    /// Every version of its words, oldest first.
    pub versions: Vec<Version>,
    pub lineage: Lineage,
}

impl Proposition {
    /// People counted as shaping it, by kind, in the vocabulary's order.
    pub fn shaped_by(&self) -> Vec<(ShaperKind, i64)> {
        let mut by: BTreeMap<ShaperKind, i64> = BTreeMap::new();
        for shaper in &self.shapers {
            *by.entry(shaper.kind).or_default() += shaper.count;
        }
        by.into_iter().collect()
    }

    /// The evidence links it has, as references.
    pub fn evidence_refs(&self) -> Vec<EvidenceRef> {
        let e = &self.evidence;
        e.insights
            .iter()
            .map(|i| EvidenceRef::Insight(i.id))
            .chain(e.factors.iter().map(|f| EvidenceRef::Factor(f.id)))
            .chain(e.signals.iter().map(|s| EvidenceRef::Signal(s.id)))
            .collect()
    }
}

/// What a proposition stands on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PropositionEvidence {
    pub insights: Vec<LinkedInsight>,
    pub factors: Vec<LinkedFactor>,
    pub signals: Vec<LinkedSignal>,
}

/// An insight a proposition stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkedInsight {
    pub id: i64,
    pub statement: String,
    /// Distinct participants heard in its supporting excerpts.
    pub participants: usize,
}

/// A cause-map factor a proposition stands on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkedFactor {
    pub id: i64,
    pub map_id: i64,
    pub map_title: String,
    pub label: String,
    /// Distinct participants heard in its evidence (excerpts linked directly and those supporting
    /// its insights).
    pub participants: usize,
}

/// A signal of change a proposition stands on. Signals are not anyone's words, so no one is heard
/// in them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LinkedSignal {
    pub id: i64,
    pub title: String,
}

/// People of one kind who shaped a proposition, at an activity or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Shaper {
    pub kind: ShaperKind,
    pub count: i64,
    pub activity: Option<ActivityLink>,
}

/// An activity of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActivityLink {
    pub id: i64,
    pub title: String,
}

/// One change of status. `from` is `None` for the proposition's creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusRecord {
    pub from: Option<PropositionStatus>,
    pub to: PropositionStatus,
    pub note: Option<String>,
    pub changed_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub changed_at: OffsetDateTime,
}

/// One version of a proposition's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Version {
    pub version: i64,
    pub title: String,
    pub change: String,
    pub note: Option<String>,
    pub edited_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub edited_at: OffsetDateTime,
}

/// Another proposition, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PropositionRef {
    pub id: i64,
    pub title: String,
    pub status: PropositionStatus,
}

/// Where a proposition came from and went: the parts merged into it, what it was merged into, the
/// whole it was split from, and the parts it was split into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Lineage {
    pub merged_from: Vec<PropositionRef>,
    pub merged_into: Option<PropositionRef>,
    pub split_from: Option<PropositionRef>,
    pub split_into: Vec<PropositionRef>,
    /// When the merge or split that made or ended it happened, and who did it, with their note.
    pub notes: Vec<LineageNote>,
}

/// A merge or split as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LineageNote {
    /// `merge` or `split`.
    pub kind: String,
    pub note: Option<String>,
    pub recorded_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// One part of a split: its words and the evidence of the whole it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitPart {
    pub input: PropositionInput,
    pub evidence: Vec<EvidenceRef>,
}

/// The proposition's own columns: title, change, status, version, creator, created, updated.
type CoreRow = (String, String, String, i64, Option<i64>, Option<String>, OffsetDateTime, OffsetDateTime);
/// id, title, status, version, updated, insights, factors, signals, shapers, citizen shapers.
type SummaryRow = (i64, String, String, i64, OffsetDateTime, i64, i64, i64, i64, i64);
/// What a proposition's links hold: kind, id, words, the factor's map and its title.
type LinkRow = (String, i64, String, Option<i64>, Option<String>);
type LineageRow = (String, i64, i64, String, String, Option<String>, Option<i64>, Option<String>, OffsetDateTime);

fn user(id: Option<i64>, name: Option<String>) -> Option<UserRef> {
    id.zip(name).map(|(id, display_name)| UserRef { id, display_name })
}

fn duplicate_title(error: StoreError, field: &str) -> StoreError {
    match error {
        StoreError::Duplicate { .. } => {
            Invalid::one(field, "Another proposition of this programme has this title: choose another").into()
        }
        other => other,
    }
}

/// The citizen kinds' codes, for SQL.
fn citizen_codes() -> String {
    ShaperKind::ALL.iter().filter(|k| k.is_citizen()).map(|k| format!("'{}'", k.code())).collect::<Vec<_>>().join(", ")
}

per_backend! {
    pub(super) async fn summaries(pool: &DbPool, programme_id: i64) -> Result<Vec<SummaryRow>, StoreError> {
        let sql = format!(
            "SELECT p.id, p.title, p.status, p.version, p.updated_at,
                 (SELECT COUNT(*) FROM proposition_evidence e WHERE e.proposition_id = p.id AND e.insight_id IS NOT NULL),
                 (SELECT COUNT(*) FROM proposition_evidence e WHERE e.proposition_id = p.id AND e.factor_id IS NOT NULL),
                 (SELECT COUNT(*) FROM proposition_evidence e WHERE e.proposition_id = p.id AND e.signal_id IS NOT NULL),
                 (SELECT CAST(COALESCE(SUM(s.count), 0) AS BIGINT) FROM proposition_shapers s WHERE s.proposition_id = p.id),
                 (SELECT CAST(COALESCE(SUM(s.count), 0) AS BIGINT) FROM proposition_shapers s
                     WHERE s.proposition_id = p.id AND s.kind IN ({}))
             FROM propositions p WHERE p.programme_id = $1 ORDER BY p.updated_at DESC, p.id DESC",
            citizen_codes()
        );
        Ok(sqlx::query_as(&sql).bind(programme_id).fetch_all(pool).await?)
    }

    pub(super) async fn proposition_id(pool: &DbPool, programme_id: i64, title: &str) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT id FROM propositions WHERE programme_id = $1 AND title_key = $2")
            .bind(programme_id)
            .bind(name_key(title))
            .fetch_optional(pool)
            .await?)
    }

    pub(super) async fn core(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<CoreRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.title, p.proposed_change, p.status, p.version, p.created_by, u.display_name, p.created_at, p.updated_at
             FROM propositions p LEFT JOIN users u ON u.id = p.created_by WHERE p.id = $1 AND p.programme_id = $2",
        )
        .bind(id)
        .bind(programme_id)
        .fetch_optional(pool)
        .await?)
    }

    pub(super) async fn links(pool: &DbPool, id: i64) -> Result<Vec<LinkRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT 'insight', i.id, i.statement, CAST(NULL AS BIGINT), CAST(NULL AS TEXT)
                 FROM proposition_evidence e JOIN insights i ON i.id = e.insight_id WHERE e.proposition_id = $1
             UNION ALL
             SELECT 'factor', f.id, f.label, m.id, m.title
                 FROM proposition_evidence e JOIN factors f ON f.id = e.factor_id JOIN cause_maps m ON m.id = f.map_id
                 WHERE e.proposition_id = $1
             UNION ALL
             SELECT 'signal', s.id, s.title, CAST(NULL AS BIGINT), CAST(NULL AS TEXT)
                 FROM proposition_evidence e JOIN signals s ON s.id = e.signal_id WHERE e.proposition_id = $1
             ORDER BY 1, 2",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    /// Every link of every proposition of the programme, for the list's breadth.
    pub(super) async fn programme_links(pool: &DbPool, programme_id: i64) -> Result<Vec<(i64, Option<i64>, Option<i64>, Option<i64>)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT e.proposition_id, e.insight_id, f.map_id, e.factor_id FROM proposition_evidence e
             JOIN propositions p ON p.id = e.proposition_id LEFT JOIN factors f ON f.id = e.factor_id
             WHERE p.programme_id = $1 AND e.signal_id IS NULL ORDER BY e.id",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn shapers(pool: &DbPool, id: i64) -> Result<Vec<(String, i64, Option<i64>, Option<String>)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT s.kind, CAST(SUM(s.count) AS BIGINT), s.activity_id, a.title FROM proposition_shapers s
             LEFT JOIN activities a ON a.id = s.activity_id WHERE s.proposition_id = $1
             GROUP BY s.kind, s.activity_id, a.title, a.held_on
             ORDER BY s.kind, CASE WHEN s.activity_id IS NULL THEN 0 ELSE 1 END, a.held_on, s.activity_id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn history(pool: &DbPool, id: i64) -> Result<Vec<(Option<String>, String, Option<String>, Option<i64>, Option<String>, OffsetDateTime)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.from_status, c.to_status, c.note, c.changed_by, u.display_name, c.changed_at
             FROM proposition_status_changes c LEFT JOIN users u ON u.id = c.changed_by WHERE c.proposition_id = $1 ORDER BY c.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn versions(pool: &DbPool, id: i64) -> Result<Vec<(i64, String, String, Option<String>, Option<i64>, Option<String>, OffsetDateTime)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT v.version, v.title, v.proposed_change, v.note, v.edited_by, u.display_name, v.edited_at
             FROM proposition_versions v LEFT JOIN users u ON u.id = v.edited_by WHERE v.proposition_id = $1 ORDER BY v.version",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn lineage(pool: &DbPool, id: i64) -> Result<Vec<LineageRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT l.kind, l.from_proposition_id, l.to_proposition_id,
                 CASE WHEN l.from_proposition_id = $1 THEN t.title ELSE f.title END,
                 CASE WHEN l.from_proposition_id = $1 THEN t.status ELSE f.status END,
                 l.note, l.recorded_by, u.display_name, l.recorded_at
             FROM proposition_lineage l JOIN propositions f ON f.id = l.from_proposition_id
             JOIN propositions t ON t.id = l.to_proposition_id LEFT JOIN users u ON u.id = l.recorded_by
             WHERE l.from_proposition_id = $1 OR l.to_proposition_id = $1 ORDER BY l.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    async fn insert(conn: &mut Conn, programme_id: i64, input: &PropositionInput, by: Option<i64>, note: Option<&str>) -> Result<i64, StoreError> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO propositions (programme_id, title, title_key, proposed_change, status, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(programme_id)
        .bind(&input.title)
        .bind(name_key(&input.title))
        .bind(&input.change)
        .bind(PropositionStatus::Draft.code())
        .bind(by)
        .bind(at)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match crate::missing_parent(e) {
            StoreError::Database(e) => unique("title")(e),
            other => other,
        })?;
        sqlx::query(
            "INSERT INTO proposition_versions (proposition_id, version, title, proposed_change, note, edited_by, edited_at)
             VALUES ($1, 1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(&input.title)
        .bind(&input.change)
        .bind(input.note.as_deref())
        .bind(by)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        record_status(conn, id, None, PropositionStatus::Draft, note, by).await?;
        Ok(id)
    }

    async fn record_status(
        conn: &mut Conn,
        id: i64,
        from: Option<PropositionStatus>,
        to: PropositionStatus,
        note: Option<&str>,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        record_status_as(conn, id, from, to, note, by, false).await
    }

    /// A change of status, `by_decision` when a decision's taking the proposition up (or letting
    /// it go) made it.
    async fn record_status_as(
        conn: &mut Conn,
        id: i64,
        from: Option<PropositionStatus>,
        to: PropositionStatus,
        note: Option<&str>,
        by: Option<i64>,
        by_decision: bool,
    ) -> Result<(), StoreError> {
        let at = now();
        sqlx::query(
            "INSERT INTO proposition_status_changes (proposition_id, from_status, to_status, note, changed_by, changed_at, by_decision)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(from.map(|s| s.code()))
        .bind(to.code())
        .bind(note)
        .bind(by)
        .bind(at)
        .bind(by_decision)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE propositions SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(to.code())
            .bind(at)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The proposition's status, version and title if it is the programme's; on SQLite the
    /// transaction already holds the write lock, so what it reads stays true until commit.
    async fn own(conn: &mut Conn, programme_id: i64, id: i64) -> Result<(PropositionStatus, i64, String), StoreError> {
        let found: Option<(String, i64, String)> =
            sqlx::query_as("SELECT status, version, title FROM propositions WHERE id = $1 AND programme_id = $2")
                .bind(id)
                .bind(programme_id)
                .fetch_optional(&mut *conn)
                .await?;
        let (status, version, title) = found.ok_or(StoreError::NotFound)?;
        Ok((decode(&status)?, version, title))
    }

    pub(super) async fn create(pool: &DbPool, programme_id: i64, input: &PropositionInput, by: Option<i64>) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let id = insert(&mut tx, programme_id, input, by, None).await.map_err(|e| duplicate_title(e, "title"))?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn edit(pool: &DbPool, programme_id: i64, id: i64, seen: i64, input: &PropositionInput, by: Option<i64>) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let (_, version, _) = own(&mut tx, programme_id, id).await?;
        if version != seen {
            return Err(StoreError::Conflict { what: "proposition" });
        }
        let at = now();
        sqlx::query(
            "UPDATE propositions SET title = $1, title_key = $2, proposed_change = $3, version = version + 1, updated_at = $4
             WHERE id = $5",
        )
        .bind(&input.title)
        .bind(name_key(&input.title))
        .bind(&input.change)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| duplicate_title(unique("title")(e), "title"))?;
        sqlx::query(
            "INSERT INTO proposition_versions (proposition_id, version, title, proposed_change, note, edited_by, edited_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(version + 1)
        .bind(&input.title)
        .bind(&input.change)
        .bind(input.note.as_deref())
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    pub(super) async fn change_status(pool: &DbPool, programme_id: i64, id: i64, change: &StatusChange, by: Option<i64>) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let (status, _, _) = own(&mut tx, programme_id, id).await?;
        if status != change.from {
            return Err(StoreError::Conflict { what: "proposition" });
        }
        if !status.may_move_to(change.to) {
            return Err(Invalid::one("status", heard_domain::propositions::proposition::move_refused(status, change.to)).into());
        }
        record_status(&mut tx, id, Some(status), change.to, change.note.as_deref(), by).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn set_shapers(pool: &DbPool, programme_id: i64, id: i64, input: &ShaperInput, by: Option<i64>) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own(&mut tx, programme_id, id).await?;
        if let Some(activity) = input.activity {
            let ours: Option<i64> = sqlx::query_scalar("SELECT id FROM activities WHERE id = $1 AND programme_id = $2")
                .bind(activity)
                .bind(programme_id)
                .fetch_optional(&mut *tx)
                .await?;
            if ours.is_none() {
                return Err(Invalid::one("activity", "Choose an activity of this programme").into());
            }
        }
        sqlx::query(
            "DELETE FROM proposition_shapers WHERE proposition_id = $1 AND kind = $2 AND COALESCE(activity_id, 0) = COALESCE($3, 0)",
        )
        .bind(id)
        .bind(input.kind.code())
        .bind(input.activity)
        .execute(&mut *tx)
        .await?;
        if input.count > 0 {
            insert_shaper(&mut tx, id, input.kind, input.activity, i64::from(input.count), by).await?;
        }
        touch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_shaper(conn: &mut Conn, id: i64, kind: ShaperKind, activity: Option<i64>, count: i64, by: Option<i64>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO proposition_shapers (proposition_id, kind, activity_id, count, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(kind.code())
        .bind(activity)
        .bind(count)
        .bind(by)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn touch(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE propositions SET updated_at = $1 WHERE id = $2").bind(now()).bind(id).execute(&mut *conn).await?;
        Ok(())
    }

    /// Whether the evidence is the programme's: its insight, a factor of one of its maps, or a
    /// signal linked to it.
    async fn evidence_is_ours(conn: &mut Conn, programme_id: i64, evidence: EvidenceRef) -> Result<bool, StoreError> {
        let sql = match evidence {
            EvidenceRef::Insight(_) => "SELECT id FROM insights WHERE id = $1 AND programme_id = $2",
            EvidenceRef::Factor(_) => "SELECT f.id FROM factors f JOIN cause_maps m ON m.id = f.map_id WHERE f.id = $1 AND m.programme_id = $2",
            EvidenceRef::Signal(_) => "SELECT signal_id FROM signal_programmes WHERE signal_id = $1 AND programme_id = $2",
        };
        let found: Option<i64> = sqlx::query_scalar(sql).bind(evidence.id()).bind(programme_id).fetch_optional(&mut *conn).await?;
        Ok(found.is_some())
    }

    async fn insert_link(conn: &mut Conn, id: i64, evidence: EvidenceRef, by: Option<i64>) -> Result<(), StoreError> {
        let (insight, factor, signal) = match evidence {
            EvidenceRef::Insight(e) => (Some(e), None, None),
            EvidenceRef::Factor(e) => (None, Some(e), None),
            EvidenceRef::Signal(e) => (None, None, Some(e)),
        };
        sqlx::query(
            "INSERT INTO proposition_evidence (proposition_id, insight_id, factor_id, signal_id, added_by, added_at)
             SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (
                 SELECT 1 FROM proposition_evidence WHERE proposition_id = $1
                 AND (insight_id = $2 OR factor_id = $3 OR signal_id = $4))",
        )
        .bind(id)
        .bind(insight)
        .bind(factor)
        .bind(signal)
        .bind(by)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(super) async fn link(pool: &DbPool, programme_id: i64, id: i64, evidence: EvidenceRef, by: Option<i64>) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        own(&mut tx, programme_id, id).await?;
        if !evidence_is_ours(&mut tx, programme_id, evidence).await? {
            let message = match evidence {
                EvidenceRef::Insight(_) => "Choose an insight of this programme",
                EvidenceRef::Factor(_) => "Choose a factor of one of this programme's cause maps",
                EvidenceRef::Signal(_) => "Choose a signal linked to this programme",
            };
            return Err(Invalid::one(evidence.field(), message).into());
        }
        insert_link(&mut tx, id, evidence, by).await?;
        touch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn unlink(pool: &DbPool, programme_id: i64, id: i64, evidence: EvidenceRef) -> Result<(), StoreError> {
        let column = match evidence {
            EvidenceRef::Insight(_) => "insight_id",
            EvidenceRef::Factor(_) => "factor_id",
            EvidenceRef::Signal(_) => "signal_id",
        };
        let mut tx = begin(pool).await?;
        own(&mut tx, programme_id, id).await?;
        let done = sqlx::query(&format!("DELETE FROM proposition_evidence WHERE proposition_id = $1 AND {column} = $2"))
            .bind(id)
            .bind(evidence.id())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        touch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn evidence_of(conn: &mut Conn, id: i64) -> Result<Vec<EvidenceRef>, StoreError> {
        let rows: Vec<(Option<i64>, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT insight_id, factor_id, signal_id FROM proposition_evidence WHERE proposition_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| match row {
                (Some(i), _, _) => Some(EvidenceRef::Insight(i)),
                (_, Some(f), _) => Some(EvidenceRef::Factor(f)),
                (_, _, Some(s)) => Some(EvidenceRef::Signal(s)),
                _ => None,
            })
            .collect())
    }

    async fn shapers_of(conn: &mut Conn, id: i64) -> Result<Vec<(String, Option<i64>, i64)>, StoreError> {
        Ok(sqlx::query_as("SELECT kind, activity_id, count FROM proposition_shapers WHERE proposition_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?)
    }

    async fn record_lineage(conn: &mut Conn, kind: &str, from: i64, to: i64, note: Option<&str>, by: Option<i64>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO proposition_lineage (kind, from_proposition_id, to_proposition_id, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(note)
        .bind(by)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    pub(super) async fn merge(pool: &DbPool, programme_id: i64, parts: &[i64], input: &PropositionInput, by: Option<i64>) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let mut seen = Vec::new();
        for part in parts {
            let (status, _, title) = own(&mut tx, programme_id, *part).await.map_err(|e| match e {
                StoreError::NotFound => Invalid::one("parts", "Choose propositions of this programme").into(),
                other => other,
            })?;
            if !status.may_reshape() {
                return Err(Invalid::one(
                    "parts",
                    format!("“{title}” is {}: only draft propositions and those open for deliberation can be merged", status.label().to_lowercase()),
                )
                .into());
            }
            seen.push(status);
        }
        let id = insert(&mut tx, programme_id, input, by, input.note.as_deref()).await.map_err(|e| duplicate_title(e, "title"))?;
        let mut evidence = BTreeSet::new();
        // The same people often shape every part, so the whole keeps the largest count of each kind
        // at each activity rather than the sum; the parts keep their own counts.
        let mut shapers: BTreeMap<(String, Option<i64>), i64> = BTreeMap::new();
        for (part, status) in parts.iter().zip(&seen) {
            for link in evidence_of(&mut tx, *part).await? {
                if evidence.insert(link) {
                    insert_link(&mut tx, id, link, by).await?;
                }
            }
            for (kind, activity, count) in shapers_of(&mut tx, *part).await? {
                let most = shapers.entry((kind, activity)).or_default();
                *most = (*most).max(count);
            }
            let note = format!("Merged into “{}”", input.title);
            record_status(&mut tx, *part, Some(*status), PropositionStatus::Withdrawn, Some(&note), by).await?;
            record_lineage(&mut tx, "merge", *part, id, input.note.as_deref(), by).await?;
        }
        for ((kind, activity), count) in shapers {
            insert_shaper(&mut tx, id, decode(&kind)?, activity, count, by).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn split(pool: &DbPool, programme_id: i64, whole: i64, seen: i64, parts: &[SplitPart], note: Option<&str>, by: Option<i64>) -> Result<Vec<i64>, StoreError> {
        let mut tx = begin(pool).await?;
        let (status, version, title) = own(&mut tx, programme_id, whole).await?;
        if version != seen {
            return Err(StoreError::Conflict { what: "proposition" });
        }
        if !status.may_reshape() {
            return Err(Invalid::one(
                "parts",
                format!("This proposition is {}: only draft propositions and those open for deliberation can be split", status.label().to_lowercase()),
            )
            .into());
        }
        let evidence: BTreeSet<EvidenceRef> = evidence_of(&mut tx, whole).await?.into_iter().collect();
        let shapers = shapers_of(&mut tx, whole).await?;
        let mut ids = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            if let Some(stray) = part.evidence.iter().find(|e| !evidence.contains(e)) {
                return Err(Invalid::one(format!("parts[{index}].{}", stray.field()), "Choose evidence of the proposition being split").into());
            }
            let split_note = format!("Split from “{title}”");
            let id = insert(&mut tx, programme_id, &part.input, by, Some(&split_note))
                .await
                .map_err(|e| duplicate_title(e, &format!("parts[{index}].title")))?;
            for link in &part.evidence {
                insert_link(&mut tx, id, *link, by).await?;
            }
            for (kind, activity, count) in &shapers {
                insert_shaper(&mut tx, id, decode(kind)?, *activity, *count, by).await?;
            }
            record_lineage(&mut tx, "split", whole, id, note, by).await?;
            ids.push(id);
        }
        let titles: Vec<String> = parts.iter().map(|p| format!("“{}”", p.input.title)).collect();
        let withdrawn = format!("Split into {}", titles.join(" and "));
        record_status(&mut tx, whole, Some(status), PropositionStatus::Withdrawn, Some(&withdrawn), by).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// Inside a decision's transaction, after its propositions are saved: each of `taken` not
    /// commissioned yet becomes commissioned (`taking` as the note), and each of `released` that no
    /// decision takes up any more goes back to the status it had, if a decision commissioned it
    /// (`releasing` as the note); one commissioned by hand stays so.
    pub(crate) async fn follow_decisions(
        conn: &mut Conn,
        taken: &[i64],
        released: &[i64],
        taking: &str,
        releasing: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        for id in taken {
            let status: String = sqlx::query_scalar("SELECT status FROM propositions WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            let status: PropositionStatus = decode(&status)?;
            if status != PropositionStatus::Commissioned {
                record_status_as(conn, *id, Some(status), PropositionStatus::Commissioned, Some(taking), by, true).await?;
            }
        }
        for id in released {
            let still: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM decision_propositions WHERE proposition_id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            if still > 0 {
                continue;
            }
            let last: Option<(Option<String>, String, bool)> = sqlx::query_as(
                "SELECT from_status, to_status, by_decision FROM proposition_status_changes WHERE proposition_id = $1
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((Some(before), to, true)) = last
                && decode::<PropositionStatus>(&to)? == PropositionStatus::Commissioned
            {
                let before: PropositionStatus = decode(&before)?;
                record_status_as(conn, *id, Some(PropositionStatus::Commissioned), before, Some(releasing), by, true).await?;
            }
        }
        Ok(())
    }
}

// For the decisions store, which moves propositions' statuses inside its own transactions.
pub(crate) use postgres::follow_decisions as follow_decisions_postgres;
pub(crate) use sqlite::follow_decisions as follow_decisions_sqlite;

impl Store {
    /// A programme's propositions, most recently changed first, with their evidence counts, their
    /// shapers and the breadth of who is heard in their evidence.
    pub async fn propositions(&self, programme_id: i64) -> Result<Vec<PropositionSummary>, StoreError> {
        let rows = dispatch!(self, summaries(programme_id))?;
        let links = dispatch!(self, programme_links(programme_id))?;
        let mut reader = breadth::Reader::new(self, programme_id);
        let mut summaries = Vec::with_capacity(rows.len());
        for (id, title, status, version, updated_at, insights, factors, signals, shapers, citizen_shapers) in rows {
            let mine: Vec<(Option<i64>, Option<i64>, Option<i64>)> =
                links.iter().filter(|l| l.0 == id).map(|l| (l.1, l.2, l.3)).collect();
            let insight_ids: Vec<i64> = mine.iter().filter_map(|l| l.0).collect();
            let factor_ids: Vec<(i64, i64)> = mine.iter().filter_map(|l| l.1.zip(l.2)).collect();
            let breadth = reader.breadth(&insight_ids, &factor_ids).await?;
            summaries.push(PropositionSummary {
                id,
                title,
                status: decode(&status)?,
                version,
                updated_at,
                insights,
                factors,
                signals,
                shapers,
                citizen_shapers,
                breadth,
            });
        }
        Ok(summaries)
    }

    /// The id of the programme's proposition with this title (compared ignoring case and spacing).
    pub async fn proposition_id(&self, programme_id: i64, title: &str) -> Result<Option<i64>, StoreError> {
        dispatch!(self, proposition_id(programme_id, title))
    }

    /// One proposition whole, with its evidence and the breadth of who is heard in it.
    pub async fn proposition(&self, programme_id: i64, id: i64) -> Result<Option<Proposition>, StoreError> {
        let Some((title, change, status, version, created_by, creator, created_at, updated_at)) =
            dispatch!(self, core(programme_id, id))?
        else {
            return Ok(None);
        };
        let mut reader = breadth::Reader::new(self, programme_id);
        let mut evidence = PropositionEvidence::default();
        let (mut insight_ids, mut factor_ids) = (Vec::new(), Vec::new());
        for (kind, link, words, map_id, map_title) in dispatch!(self, links(id))? {
            match (kind.as_str(), map_id) {
                ("insight", _) => {
                    let participants = reader.breadth(&[link], &[]).await?.participants;
                    evidence.insights.push(LinkedInsight { id: link, statement: words, participants });
                    insight_ids.push(link);
                }
                ("factor", Some(map_id)) => {
                    let participants = reader.breadth(&[], &[(map_id, link)]).await?.participants;
                    evidence.factors.push(LinkedFactor {
                        id: link,
                        map_id,
                        map_title: map_title.unwrap_or_default(),
                        label: words,
                        participants,
                    });
                    factor_ids.push((map_id, link));
                }
                _ => evidence.signals.push(LinkedSignal { id: link, title: words }),
            }
        }
        let breadth = reader.breadth(&insight_ids, &factor_ids).await?;
        let shapers = dispatch!(self, shapers(id))?
            .into_iter()
            .map(|(kind, count, activity, activity_title)| {
                Ok(Shaper {
                    kind: decode(&kind)?,
                    count,
                    activity: activity.zip(activity_title).map(|(id, title)| ActivityLink { id, title }),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let history = dispatch!(self, history(id))?
            .into_iter()
            .map(|(from, to, note, by, name, at)| {
                Ok(StatusRecord {
                    from: from.as_deref().map(decode).transpose()?,
                    to: decode(&to)?,
                    note,
                    changed_by: user(by, name),
                    changed_at: at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        let versions = dispatch!(self, versions(id))?
            .into_iter()
            .map(|(version, title, change, note, by, name, at)| Version {
                version,
                title,
                change,
                note,
                edited_by: user(by, name),
                edited_at: at,
            })
            .collect();
        let mut lineage = Lineage::default();
        for (kind, from, to, other_title, other_status, note, by, name, at) in dispatch!(self, lineage(id))? {
            let other = PropositionRef {
                id: if from == id { to } else { from },
                title: other_title,
                status: decode(&other_status)?,
            };
            match (kind.as_str(), from == id) {
                ("merge", true) => lineage.merged_into = Some(other),
                ("merge", false) => lineage.merged_from.push(other),
                (_, true) => lineage.split_into.push(other),
                (_, false) => lineage.split_from = Some(other),
            }
            let record = LineageNote { kind, note, recorded_by: user(by, name), recorded_at: at };
            if !lineage.notes.contains(&record) {
                lineage.notes.push(record);
            }
        }
        Ok(Some(Proposition {
            id,
            programme_id,
            title,
            change,
            status: decode(&status)?,
            version,
            created_by: user(created_by, creator),
            created_at,
            updated_at,
            evidence,
            breadth,
            shapers,
            history,
            versions,
            lineage,
        }))
    }

    /// Writes a new proposition as a draft, version 1. `Invalid` naming `title` if another of the
    /// programme's propositions has that title.
    pub async fn create_proposition(
        &self,
        programme_id: i64,
        input: &PropositionInput,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create(programme_id, input, by))
    }

    /// Rewrites a proposition's title and change as a new version, if it is still at `version`
    /// (`Conflict` otherwise, nothing saved). Returns the new version.
    pub async fn edit_proposition(
        &self,
        programme_id: i64,
        id: i64,
        version: i64,
        input: &PropositionInput,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, edit(programme_id, id, version, input, by))
    }

    /// Moves a proposition's status, kept in its history, if it is still at `change.from`
    /// (`Conflict` otherwise) and the rules allow the move (`Invalid` naming `status`). Whether the
    /// person may decide is the caller's to check (`move_needs_decision`).
    pub async fn change_proposition_status(
        &self,
        programme_id: i64,
        id: i64,
        change: &StatusChange,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, change_status(programme_id, id, change, by))
    }

    /// Sets how many people of a kind shaped a proposition (at an activity of the programme, or
    /// not); 0 removes them.
    pub async fn set_proposition_shapers(
        &self,
        programme_id: i64,
        id: i64,
        input: &ShaperInput,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, set_shapers(programme_id, id, input, by))
    }

    /// Links an insight, factor or signal of the programme to a proposition (once); `Invalid`
    /// naming `insight`, `factor` or `signal` for one that is not the programme's.
    pub async fn link_proposition_evidence(
        &self,
        programme_id: i64,
        id: i64,
        evidence: EvidenceRef,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, link(programme_id, id, evidence, by))
    }

    pub async fn unlink_proposition_evidence(
        &self,
        programme_id: i64,
        id: i64,
        evidence: EvidenceRef,
    ) -> Result<(), StoreError> {
        dispatch!(self, unlink(programme_id, id, evidence))
    }

    /// Merges several propositions into a new draft: the evidence of all of them, the largest
    /// count of each kind of shaper, and the lineage; the parts are withdrawn ("Merged into ...")
    /// and stay readable. `Invalid` naming `parts` for fewer than two distinct propositions, one
    /// of another programme, or one already decided on, withdrawn or merged.
    pub async fn merge_propositions(
        &self,
        programme_id: i64,
        parts: &[i64],
        input: &PropositionInput,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let distinct: BTreeSet<i64> = parts.iter().copied().collect();
        if distinct.len() < 2 {
            return Err(Invalid::one("parts", "Choose two or more propositions to merge").into());
        }
        if distinct.len() > MAX_PARTS {
            return Err(Invalid::one("parts", format!("Merge {MAX_PARTS} propositions or fewer at a time")).into());
        }
        let parts: Vec<i64> = distinct.into_iter().collect();
        dispatch!(self, merge(programme_id, &parts, input, by))
    }

    /// Splits a proposition at `version` into new drafts, each with the evidence chosen for it
    /// from the whole's and the whole's shapers, and the lineage; the whole is withdrawn ("Split
    /// into ...") and stays readable. `Invalid` naming `parts` or `parts[i].title` (and so on).
    pub async fn split_proposition(
        &self,
        programme_id: i64,
        id: i64,
        version: i64,
        parts: &[SplitPart],
        note: Option<&str>,
        by: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        if parts.len() < 2 {
            return Err(Invalid::one("parts", "Split into two or more propositions").into());
        }
        if parts.len() > MAX_PARTS {
            return Err(Invalid::one("parts", format!("Split into {MAX_PARTS} propositions or fewer")).into());
        }
        for (index, part) in parts.iter().enumerate() {
            let key = name_key(&part.input.title);
            if parts[..index].iter().any(|p| name_key(&p.input.title) == key) {
                return Err(Invalid::one(format!("parts[{index}].title"), "Give each part its own title").into());
            }
        }
        dispatch!(self, split(programme_id, id, version, parts, note, by))
    }
}
