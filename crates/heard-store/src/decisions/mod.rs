//! Decisions in the store: a programme's commissioning decisions, the propositions each takes up,
//! its departures from what a Deliberation Day favoured with their reasons, the room's ranking a
//! decision is compared with (read from the stored choices and dots, ranked by
//! `heard_analysis::deliberation::prioritise` as the results page ranks them), whether the
//! programme's "You said, we did" page is published, and which decisions a contributor's story fed
//! into. The evidence trail is in [`trail`].

pub mod outcomes;
pub mod trail;

use std::collections::{BTreeMap, BTreeSet};

use heard_analysis::deliberation::prioritise::{self, Choice, DotVote};
use heard_domain::Invalid;
use heard_domain::decisions::{DeciderKind, DecisionInput, Departure, DepartureKind, RoomRank};
use heard_domain::deliberation::days::{DeliberationStatus, Prioritisation};
use heard_domain::propositions::PropositionStatus;
use heard_domain::voice::forms::ReceiptCode;
use serde::Serialize;
use time::{Date, OffsetDateTime};

pub use trail::{Trail, TrailExcerpt, TrailFactor, TrailInsight, TrailProposition};

use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, now};

/// A decision in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DecisionSummary {
    pub id: i64,
    pub title: String,
    pub decided_on: Date,
    pub decided_by_kind: DeciderKind,
    pub decided_by: String,
    pub budget_pence: Option<i64>,
    /// Propositions it takes up.
    pub propositions: i64,
    /// Departures from what the Deliberation Day favoured.
    pub departures: i64,
}

/// A decision whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    /// The change to what is commissioned or how.
    pub service_change: String,
    pub budget_pence: Option<i64>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub decided_by_kind: DeciderKind,
    pub decided_by: String,
    pub decided_on: Date,
    /// Why it was made.
    pub rationale: String,
    pub version: i64,
    /// The Deliberation Day it was compared with, if any.
    pub deliberation: Option<DeliberationRef>,
    pub propositions: Vec<TakenUp>,
    pub departures: Vec<DepartureRecord>,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A Deliberation Day, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliberationRef {
    pub id: i64,
    pub title: String,
    pub held_on: Date,
}

/// A proposition a decision takes up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TakenUp {
    pub id: i64,
    pub title: String,
    pub status: PropositionStatus,
}

/// A departure from what the room favoured, as recorded with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DepartureRecord {
    pub proposition_id: i64,
    pub proposition_title: String,
    pub kind: DepartureKind,
    /// Where the room ranked it when the decision was recorded: `rank` of `ranked`.
    pub rank: i64,
    pub ranked: i64,
    pub reason: String,
}

/// What a Deliberation Day's prioritisation says about a programme's propositions.
#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    pub deliberation: DeliberationRef,
    pub prioritisation: Prioritisation,
    /// Each proposition it prioritised, strongest first.
    pub ranks: Vec<RoomRank>,
}

/// A decision a contributor's story fed into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FedInto {
    pub decision_id: i64,
    pub title: String,
    pub decided_on: Date,
}

/// id, title, decided on, by kind, by, budget, propositions, departures.
type SummaryRow = (i64, String, Date, String, String, Option<i64>, i64, i64);
/// title, change, budget, start, end, by kind, by, on, rationale, version, deliberation (id, title,
/// held on), creator (id, name), created.
type CoreRow = (
    String,
    String,
    Option<i64>,
    Option<Date>,
    Option<Date>,
    String,
    String,
    Date,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<Date>,
    Option<i64>,
    Option<String>,
    OffsetDateTime,
);

per_backend! {
    pub(super) async fn summaries(pool: &DbPool, programme_id: i64) -> Result<Vec<SummaryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT d.id, d.title, d.decided_on, d.decided_by_kind, d.decided_by, d.budget_pence,
                 (SELECT COUNT(*) FROM decision_propositions p WHERE p.decision_id = d.id),
                 (SELECT COUNT(*) FROM decision_departures x WHERE x.decision_id = d.id)
             FROM decisions d WHERE d.programme_id = $1 ORDER BY d.decided_on DESC, d.id DESC",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn core(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<CoreRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT d.title, d.service_change, d.budget_pence, d.period_start, d.period_end, d.decided_by_kind,
                 d.decided_by, d.decided_on, d.rationale, d.version, g.id, g.title, g.held_on, d.created_by,
                 u.display_name, d.created_at
             FROM decisions d LEFT JOIN deliberations g ON g.id = d.deliberation_id
             LEFT JOIN users u ON u.id = d.created_by WHERE d.id = $1 AND d.programme_id = $2",
        )
        .bind(id)
        .bind(programme_id)
        .fetch_optional(pool)
        .await?)
    }

    pub(super) async fn taken_up(pool: &DbPool, id: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.title, p.status FROM decision_propositions t JOIN propositions p ON p.id = t.proposition_id
             WHERE t.decision_id = $1 ORDER BY p.title, p.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn departures(pool: &DbPool, id: i64) -> Result<Vec<(i64, String, String, i64, i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT x.proposition_id, p.title, x.kind, x.rank, x.ranked, x.reason
             FROM decision_departures x JOIN propositions p ON p.id = x.proposition_id
             WHERE x.decision_id = $1 ORDER BY x.rank, x.proposition_id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
    }

    pub(super) async fn programme_taken_up(pool: &DbPool, programme_id: i64, except: Option<i64>) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT t.proposition_id FROM decision_propositions t JOIN decisions d ON d.id = t.decision_id
             WHERE d.programme_id = $1 AND ($2 IS NULL OR d.id <> $2) ORDER BY 1",
        )
        .bind(programme_id)
        .bind(except)
        .fetch_all(pool)
        .await?)
    }

    /// Deliberation Days that prioritised propositions, the latest first.
    pub(super) async fn prioritised(pool: &DbPool, programme_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM deliberations WHERE programme_id = $1 AND prioritisation <> 'none' AND status <> 'draft'
             ORDER BY held_on DESC, id DESC",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?)
    }

    /// `Invalid` naming `propositions` unless every proposition named is the programme's.
    async fn check_propositions(
        conn: &mut Conn,
        programme_id: i64,
        input: &DecisionInput,
        departures: &[(Departure, String)],
    ) -> Result<(), StoreError> {
        for pid in input.propositions.iter().chain(departures.iter().map(|(d, _)| &d.proposition_id)) {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM propositions WHERE id = $1 AND programme_id = $2")
                .bind(pid)
                .bind(programme_id)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Err(Invalid::one("propositions", "Choose propositions of this programme").into());
            }
        }
        Ok(())
    }

    /// The decision's propositions and departures, written afresh.
    async fn write_links(conn: &mut Conn, id: i64, input: &DecisionInput, departures: &[(Departure, String)]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM decision_propositions WHERE decision_id = $1").bind(id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM decision_departures WHERE decision_id = $1").bind(id).execute(&mut *conn).await?;
        for pid in &input.propositions {
            sqlx::query("INSERT INTO decision_propositions (decision_id, proposition_id) VALUES ($1, $2)")
                .bind(id)
                .bind(pid)
                .execute(&mut *conn)
                .await?;
        }
        for (departure, reason) in departures {
            sqlx::query(
                "INSERT INTO decision_departures (decision_id, proposition_id, kind, rank, ranked, reason)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(departure.proposition_id)
            .bind(departure.kind.code())
            .bind(i64::from(departure.rank))
            .bind(i64::from(departure.ranked))
            .bind(reason)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn taken_by(conn: &mut Conn, id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar("SELECT proposition_id FROM decision_propositions WHERE decision_id = $1 ORDER BY 1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?)
    }

    pub(super) async fn create(
        pool: &DbPool,
        programme_id: i64,
        input: &DecisionInput,
        departures: &[(Departure, String)],
        deliberation_id: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        check_propositions(&mut tx, programme_id, input, departures).await?;
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO decisions (programme_id, title, service_change, budget_pence, period_start, period_end,
                 decided_by_kind, decided_by, decided_on, rationale, deliberation_id, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
        )
        .bind(programme_id)
        .bind(&input.title)
        .bind(&input.service_change)
        .bind(input.budget_pence)
        .bind(input.period_start)
        .bind(input.period_end)
        .bind(input.decided_by_kind.code())
        .bind(&input.decided_by)
        .bind(input.decided_on)
        .bind(&input.rationale)
        .bind(deliberation_id)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::missing_parent)?;
        write_links(&mut tx, id, input, departures).await?;
        tx.follow_decisions(&input.propositions, &[], &taking(&input.title), "", by).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn update(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        seen: i64,
        edit: &DecisionEdit<'_>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let (input, departures) = (edit.input, edit.departures);
        let mut tx = begin(pool).await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM decisions WHERE id = $1 AND programme_id = $2")
            .bind(id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        if version.ok_or(StoreError::NotFound)? != seen {
            return Err(StoreError::Conflict { what: "decision" });
        }
        check_propositions(&mut tx, programme_id, input, departures).await?;
        let before = taken_by(&mut tx, id).await?;
        // The version is checked again by the update itself, so of two edits from the same
        // version only the first is saved, on either database.
        let done = sqlx::query(
            "UPDATE decisions SET title = $1, service_change = $2, budget_pence = $3, period_start = $4, period_end = $5,
                 decided_by_kind = $6, decided_by = $7, decided_on = $8, rationale = $9, deliberation_id = $10,
                 version = version + 1, updated_at = $11
             WHERE id = $12 AND version = $13",
        )
        .bind(&input.title)
        .bind(&input.service_change)
        .bind(input.budget_pence)
        .bind(input.period_start)
        .bind(input.period_end)
        .bind(input.decided_by_kind.code())
        .bind(&input.decided_by)
        .bind(input.decided_on)
        .bind(&input.rationale)
        .bind(edit.deliberation_id)
        .bind(now())
        .bind(id)
        .bind(seen)
        .execute(&mut *tx)
        .await
        .map_err(crate::missing_parent)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict { what: "decision" });
        }
        write_links(&mut tx, id, input, departures).await?;
        let released: Vec<i64> = before.into_iter().filter(|p| !input.propositions.contains(p)).collect();
        let releasing = format!("No longer taken up: the decision “{}” was changed", input.title);
        tx.follow_decisions(&input.propositions, &released, &taking(&input.title), &releasing, by).await?;
        tx.commit().await?;
        Ok(seen + 1)
    }

    pub(super) async fn delete(pool: &DbPool, programme_id: i64, id: i64, by: Option<i64>) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM decisions WHERE id = $1 AND programme_id = $2")
            .bind(id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        let title = title.ok_or(StoreError::NotFound)?;
        let measured: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM outcome_measurements m JOIN outcomes o ON o.id = m.outcome_id
             WHERE o.decision_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if measured > 0 {
            return Err(Invalid::one("outcomes", measured_refusal(measured)).into());
        }
        let before = taken_by(&mut tx, id).await?;
        sqlx::query("DELETE FROM decisions WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let releasing = format!("No longer taken up: the decision “{title}” was deleted");
        tx.follow_decisions(&[], &before, "", &releasing, by).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn published_at(pool: &DbPool, programme_id: i64) -> Result<Option<OffsetDateTime>, StoreError> {
        let row: Option<Option<OffsetDateTime>> = sqlx::query_scalar("SELECT published_at FROM publications WHERE programme_id = $1")
            .bind(programme_id)
            .fetch_optional(pool)
            .await?;
        Ok(row.flatten())
    }

    pub(super) async fn publish(pool: &DbPool, programme_id: i64, published: bool, by: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        sqlx::query(
            "INSERT INTO publications (programme_id, published_at, published_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (programme_id) DO UPDATE SET published_at = $2, published_by = $3, updated_at = $4",
        )
        .bind(programme_id)
        .bind(published.then_some(at))
        .bind(by)
        .bind(at)
        .execute(pool)
        .await
        .map_err(crate::missing_parent)?;
        Ok(())
    }

    /// The programme of the story answer with this receipt, and the decisions its source fed:
    /// through excerpts of it supporting an insight or linked to a factor (directly, or through an
    /// insight the factor stands on), to the propositions standing on those, to the decisions that
    /// take them up.
    pub(super) async fn fed_into(pool: &DbPool, receipt_hash: &str) -> Result<Option<(i64, Vec<(i64, String, Date)>)>, StoreError> {
        let found: Option<(i64, i64)> = sqlx::query_as(
            "SELECT s.programme_id, s.id FROM story_answers a JOIN sources s ON s.id = a.source_id WHERE a.receipt_hash = $1",
        )
        .bind(receipt_hash)
        .fetch_optional(pool)
        .await?;
        let Some((programme_id, source_id)) = found else { return Ok(None) };
        let rows: Vec<(i64, String, Date)> = sqlx::query_as(
            "WITH mine AS (SELECT id FROM excerpts WHERE source_id = $1),
             insights_fed AS (
                 SELECT v.insight_id AS id FROM insight_evidence v WHERE v.excerpt_id IN (SELECT id FROM mine) AND v.stance = 'supports'),
             factors_fed AS (
                 SELECT f.factor_id AS id FROM factor_evidence f
                 WHERE f.excerpt_id IN (SELECT id FROM mine) OR f.insight_id IN (SELECT id FROM insights_fed)),
             propositions_fed AS (
                 SELECT e.proposition_id AS id FROM proposition_evidence e
                 WHERE e.insight_id IN (SELECT id FROM insights_fed) OR e.factor_id IN (SELECT id FROM factors_fed))
             SELECT DISTINCT d.id, d.title, d.decided_on FROM decisions d JOIN decision_propositions t ON t.decision_id = d.id
             WHERE t.proposition_id IN (SELECT id FROM propositions_fed) AND d.programme_id = $2
             ORDER BY d.decided_on, d.id",
        )
        .bind(source_id)
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(Some((programme_id, rows)))
    }
}

fn user(id: Option<i64>, name: Option<String>) -> Option<UserRef> {
    id.zip(name).map(|(id, display_name)| UserRef { id, display_name })
}

/// The note on a proposition's move to commissioned when a decision takes it up.
fn taking(title: &str) -> String {
    format!("Taken up by the decision “{title}”")
}

/// Why a decision whose outcomes were measured is not deleted.
pub fn measured_refusal(measurements: i64) -> String {
    let these = if measurements == 1 { "a measurement".to_owned() } else { format!("{measurements} measurements") };
    format!(
        "This decision's outcomes have {these}, the record of what happened since, so it is not deleted. If they were recorded in error, delete them or their outcomes first."
    )
}

/// A decision as changed: its input, each departure with its reason, and the Deliberation Day it
/// is compared with.
#[derive(Debug, Clone, Copy)]
pub struct DecisionEdit<'a> {
    pub input: &'a DecisionInput,
    pub departures: &'a [(Departure, String)],
    pub deliberation_id: Option<i64>,
}

/// Moves the statuses of the propositions a decision takes up or lets go inside the decision's
/// transaction, on whichever backend the connection is.
trait FollowDecisions {
    async fn follow_decisions(
        &mut self,
        taken: &[i64],
        released: &[i64],
        taking: &str,
        releasing: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError>;
}

impl FollowDecisions for sqlx::SqliteConnection {
    async fn follow_decisions(
        &mut self,
        taken: &[i64],
        released: &[i64],
        taking: &str,
        releasing: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        crate::propositions::follow_decisions_sqlite(self, taken, released, taking, releasing, by).await
    }
}

impl FollowDecisions for sqlx::PgConnection {
    async fn follow_decisions(
        &mut self,
        taken: &[i64],
        released: &[i64],
        taking: &str,
        releasing: &str,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        crate::propositions::follow_decisions_postgres(self, taken, released, taking, releasing, by).await
    }
}

impl Store {
    /// A programme's decisions, the latest first.
    pub async fn decisions(&self, programme_id: i64) -> Result<Vec<DecisionSummary>, StoreError> {
        dispatch!(self, summaries(programme_id))?
            .into_iter()
            .map(|(id, title, decided_on, kind, decided_by, budget_pence, propositions, departures)| {
                Ok(DecisionSummary {
                    id,
                    title,
                    decided_on,
                    decided_by_kind: decode(&kind)?,
                    decided_by,
                    budget_pence,
                    propositions,
                    departures,
                })
            })
            .collect()
    }

    /// One of the programme's decisions whole.
    pub async fn decision(&self, programme_id: i64, id: i64) -> Result<Option<Decision>, StoreError> {
        let Some(row) = dispatch!(self, core(programme_id, id))? else {
            return Ok(None);
        };
        let (title, service_change, budget_pence, period_start, period_end, kind, decided_by, decided_on, rationale) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8);
        let deliberation = match (row.10, row.11, row.12) {
            (Some(id), Some(title), Some(held_on)) => Some(DeliberationRef { id, title, held_on }),
            _ => None,
        };
        let propositions = dispatch!(self, taken_up(id))?
            .into_iter()
            .map(|(id, title, status)| Ok(TakenUp { id, title, status: decode(&status)? }))
            .collect::<Result<_, StoreError>>()?;
        let departures = dispatch!(self, departures(id))?
            .into_iter()
            .map(|(proposition_id, proposition_title, kind, rank, ranked, reason)| {
                Ok(DepartureRecord { proposition_id, proposition_title, kind: decode(&kind)?, rank, ranked, reason })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(Decision {
            id,
            programme_id,
            title,
            service_change,
            budget_pence,
            period_start,
            period_end,
            decided_by_kind: decode(&kind)?,
            decided_by,
            decided_on,
            rationale,
            version: row.9,
            deliberation,
            propositions,
            departures,
            created_by: user(row.13, row.14),
            created_at: row.15,
        }))
    }

    /// The propositions the programme's decisions take up.
    pub async fn propositions_taken_up(&self, programme_id: i64) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, programme_taken_up(programme_id, None))
    }

    /// The propositions the programme's decisions other than `decision_id` take up: what a
    /// decision being changed is compared with.
    pub async fn propositions_taken_up_by_others(
        &self,
        programme_id: i64,
        decision_id: i64,
    ) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, programme_taken_up(programme_id, Some(decision_id)))
    }

    /// The prioritisation a new decision is compared with: the latest Deliberation Day of the
    /// programme (opened or closed) that prioritised two or more propositions and where someone
    /// chose; its ranking as the results page ranks it (Bradley-Terry strength for pairwise
    /// choices, dots for dot votes). `None` when no room has said anything yet.
    pub async fn room_for_decisions(&self, programme_id: i64) -> Result<Option<Room>, StoreError> {
        for id in dispatch!(self, prioritised(programme_id))? {
            if let Some(room) = self.room_at(programme_id, id).await? {
                return Ok(Some(room));
            }
        }
        Ok(None)
    }

    /// The prioritisation a decision being changed is compared with: the Deliberation Day it was
    /// compared with when recorded, ranked as it stands now, so the rank stored is the rank at the
    /// time of the change; the latest room (as for a new decision) if it had none or that day no
    /// longer ranks anything.
    pub async fn room_for_decision(&self, programme_id: i64, decision: &Decision) -> Result<Option<Room>, StoreError> {
        if let Some(day) = &decision.deliberation
            && let Some(room) = self.room_at(programme_id, day.id).await?
        {
            return Ok(Some(room));
        }
        self.room_for_decisions(programme_id).await
    }

    /// A Deliberation Day of the programme that was opened, prioritised two or more propositions
    /// and where someone chose, with its ranking.
    async fn room_at(&self, programme_id: i64, id: i64) -> Result<Option<Room>, StoreError> {
        let Some(deliberation) = self.deliberation(id).await? else { return Ok(None) };
        if deliberation.programme_id != programme_id
            || deliberation.status == DeliberationStatus::Draft
            || deliberation.proposition_ids.len() < 2
        {
            return Ok(None);
        }
        let ranks = self.room_ranks(&deliberation.proposition_ids, deliberation.prioritisation, id).await?;
        Ok(ranks.map(|ranks| Room {
            deliberation: DeliberationRef { id, title: deliberation.title.clone(), held_on: deliberation.held_on },
            prioritisation: deliberation.prioritisation,
            ranks,
        }))
    }

    async fn room_ranks(
        &self,
        propositions: &[i64],
        prioritisation: Prioritisation,
        id: i64,
    ) -> Result<Option<Vec<RoomRank>>, StoreError> {
        let items: BTreeMap<i64, usize> = propositions.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let n = propositions.len();
        let ranked = u32::try_from(n).unwrap_or(u32::MAX);
        let ranks: Vec<(usize, usize)> = match prioritisation {
            Prioritisation::Pairwise => {
                let choices: Vec<Choice<()>> = self
                    .pairwise_choices(id)
                    .await?
                    .iter()
                    .filter_map(|c| {
                        Some(Choice {
                            left: *items.get(&c.left)?,
                            right: *items.get(&c.right)?,
                            pick: c.pick,
                            kind: (),
                        })
                    })
                    .collect();
                let results = prioritise::prioritise(n, &choices);
                if results.all.decided == 0 {
                    return Ok(None);
                }
                results.all.ranking.iter().map(|&i| (i, results.all.items[i].rank)).collect()
            }
            Prioritisation::Dots => {
                let votes: Vec<DotVote<()>> = self
                    .dot_votes(id)
                    .await?
                    .iter()
                    .filter_map(|d| Some(DotVote { item: *items.get(&d.proposition_id)?, dots: d.dots, kind: () }))
                    .collect();
                let results = prioritise::dot_votes(n, &votes);
                if results.all.total == 0 {
                    return Ok(None);
                }
                results.all.ranking.iter().map(|&i| (i, results.all.items[i].rank)).collect()
            }
            Prioritisation::None => return Ok(None),
        };
        Ok(Some(
            ranks
                .into_iter()
                .map(|(i, rank)| RoomRank {
                    proposition_id: propositions[i],
                    rank: u32::try_from(rank).unwrap_or(u32::MAX),
                    ranked,
                })
                .collect(),
        ))
    }

    /// Records a decision with the departures found by the rule and their reasons, all or nothing.
    /// `Invalid` naming `propositions` for a proposition that is not the programme's.
    pub async fn record_decision(
        &self,
        programme_id: i64,
        input: &DecisionInput,
        departures: &[(Departure, String)],
        deliberation_id: Option<i64>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let distinct: BTreeSet<i64> = input.propositions.iter().copied().collect();
        if distinct.is_empty() {
            return Err(Invalid::one("propositions", "Choose the propositions this decision takes up").into());
        }
        dispatch!(self, create(programme_id, input, departures, deliberation_id, by))
    }

    /// Changes one of the programme's decisions, if it is still at version `seen` (`Conflict`
    /// otherwise, nothing saved), with the departures found again by the rule and their reasons,
    /// all or nothing: the propositions it no longer takes up go back to the status they had unless
    /// another decision takes them up, those it now takes up are commissioned. Returns the new
    /// version. `NotFound` for another programme's decision, `Invalid` naming `propositions` for a
    /// proposition that is not the programme's.
    pub async fn edit_decision(
        &self,
        programme_id: i64,
        id: i64,
        seen: i64,
        edit: &DecisionEdit<'_>,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        if edit.input.propositions.is_empty() {
            return Err(Invalid::one("propositions", "Choose the propositions this decision takes up").into());
        }
        dispatch!(self, update(programme_id, id, seen, edit, by))
    }

    /// Deletes one of the programme's decisions (`NotFound` otherwise) with its outcomes and their
    /// review dates, and moves back the propositions no other decision takes up. Refused
    /// (`Invalid` naming `outcomes`) while any of its outcomes has a measurement: those record
    /// what happened, and go only when someone deletes them on purpose.
    pub async fn delete_decision(&self, programme_id: i64, id: i64, by: Option<i64>) -> Result<(), StoreError> {
        dispatch!(self, delete(programme_id, id, by))
    }

    /// When the programme's "You said, we did" page was published, if it is.
    pub async fn you_said_we_did_published(&self, programme_id: i64) -> Result<Option<OffsetDateTime>, StoreError> {
        dispatch!(self, published_at(programme_id))
    }

    /// Publishes or unpublishes the programme's "You said, we did" page.
    pub async fn publish_you_said_we_did(
        &self,
        programme_id: i64,
        published: bool,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, publish(programme_id, published, by))
    }

    /// The programme a story with this receipt was given to and the decisions it fed into, or
    /// `None` for a receipt not known (or a story withdrawn).
    pub async fn decisions_fed_by_receipt(
        &self,
        receipt: &ReceiptCode,
    ) -> Result<Option<(i64, Vec<FedInto>)>, StoreError> {
        Ok(dispatch!(self, fed_into(&receipt.hash()))?.map(|(programme_id, rows)| {
            (
                programme_id,
                rows.into_iter()
                    .map(|(decision_id, title, decided_on)| FedInto { decision_id, title, decided_on })
                    .collect(),
            )
        }))
    }
}
