//! Outcomes of decisions in the store: indicators with baseline, target and weight, dated
//! measurements, review dates; each outcome's progress and the weighted roll-up to its decision
//! and the programme (`heard_domain::decisions::outcome`); reviews due across programmes.

use std::collections::BTreeMap;

use heard_domain::decisions::outcome::{MeasurementInput, OutcomeInput, outcome_progress, rolled_up};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Store, StoreError, UserRef, missing_parent, now};

/// One measurement of an outcome's indicator.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Measurement {
    pub id: i64,
    pub value: f64,
    pub measured_on: Date,
    pub note: Option<String>,
    pub recorded_by: Option<UserRef>,
}

/// A date an outcome is to be reviewed on, and whether it was.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    pub review_on: Date,
    /// `None` while the review is still to be done.
    #[serde(with = "time::serde::rfc3339::option")]
    pub reviewed_at: Option<OffsetDateTime>,
    pub reviewed_by: Option<UserRef>,
    pub note: Option<String>,
}

/// An outcome with its measurements (by date, earliest first), reviews (by date) and progress.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub id: i64,
    pub decision_id: i64,
    pub indicator: String,
    pub unit: Option<String>,
    pub baseline: f64,
    pub target: f64,
    pub weight: u32,
    pub measurements: Vec<Measurement>,
    pub reviews: Vec<Review>,
    /// From 0 to 1 by the latest measurement; `None` before any.
    pub progress: Option<f64>,
}

impl Outcome {
    /// The latest measurement by date, if any.
    pub fn latest(&self) -> Option<&Measurement> {
        self.measurements.iter().max_by_key(|m| (m.measured_on, m.id))
    }
}

/// A decision's progress: its outcomes rolled up by weight.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DecisionProgress {
    pub decision_id: i64,
    pub title: String,
    pub outcomes: u32,
    /// How many of them have a measurement.
    pub measured: u32,
    /// Its outcomes' weights together: what the decision weighs in the programme's progress.
    pub weight: u64,
    /// `None` for a decision with no outcomes.
    pub progress: Option<f64>,
}

/// A programme's progress: each decision's, and all its decisions' outcomes rolled up by weight.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgrammeProgress {
    pub decisions: Vec<DecisionProgress>,
    pub progress: Option<f64>,
}

/// A review on or before the day asked about and not yet done, with where it belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ReviewDue {
    pub review_id: i64,
    pub review_on: Date,
    pub outcome_id: i64,
    pub indicator: String,
    pub decision_id: i64,
    pub decision_title: String,
    pub programme_slug: String,
    pub programme_name: String,
}

type OutcomeRow = (i64, i64, String, Option<String>, f64, f64, i64);
type MeasurementRow = (i64, i64, f64, Date, Option<String>, Option<i64>, Option<String>);
type DueRow = (i64, Date, i64, String, i64, String, String, String);
type ReviewRow = (i64, i64, Date, Option<OffsetDateTime>, Option<i64>, Option<String>, Option<String>);

fn user(id: Option<i64>, name: Option<String>) -> Option<UserRef> {
    id.zip(name).map(|(id, display_name)| UserRef { id, display_name })
}

per_backend! {
    /// The programme's outcomes (or one decision's), each with its measurements and reviews.
    async fn load(conn: &mut Conn, programme_id: i64, decision_id: Option<i64>) -> Result<Vec<Outcome>, StoreError> {
        let rows: Vec<OutcomeRow> = sqlx::query_as(
            "SELECT o.id, o.decision_id, o.indicator, o.unit, o.baseline, o.target, o.weight FROM outcomes o
             JOIN decisions d ON d.id = o.decision_id
             WHERE d.programme_id = $1 AND ($2 IS NULL OR o.decision_id = $2) ORDER BY o.decision_id, o.id",
        )
        .bind(programme_id)
        .bind(decision_id)
        .fetch_all(&mut *conn)
        .await?;
        let measurements: Vec<MeasurementRow> = sqlx::query_as(
            "SELECT m.id, m.outcome_id, m.value, m.measured_on, m.note, m.recorded_by, u.display_name
             FROM outcome_measurements m JOIN outcomes o ON o.id = m.outcome_id JOIN decisions d ON d.id = o.decision_id
             LEFT JOIN users u ON u.id = m.recorded_by
             WHERE d.programme_id = $1 AND ($2 IS NULL OR o.decision_id = $2) ORDER BY m.measured_on, m.id",
        )
        .bind(programme_id)
        .bind(decision_id)
        .fetch_all(&mut *conn)
        .await?;
        let reviews: Vec<ReviewRow> = sqlx::query_as(
            "SELECT r.id, r.outcome_id, r.review_on, r.reviewed_at, r.reviewed_by, u.display_name, r.note
             FROM outcome_reviews r JOIN outcomes o ON o.id = r.outcome_id JOIN decisions d ON d.id = o.decision_id
             LEFT JOIN users u ON u.id = r.reviewed_by
             WHERE d.programme_id = $1 AND ($2 IS NULL OR o.decision_id = $2) ORDER BY r.review_on, r.id",
        )
        .bind(programme_id)
        .bind(decision_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut measured: BTreeMap<i64, Vec<Measurement>> = BTreeMap::new();
        for (id, outcome, value, measured_on, note, by, name) in measurements {
            measured.entry(outcome).or_default().push(Measurement { id, value, measured_on, note, recorded_by: user(by, name) });
        }
        let mut reviewed: BTreeMap<i64, Vec<Review>> = BTreeMap::new();
        for (id, outcome, review_on, reviewed_at, by, name, note) in reviews {
            reviewed.entry(outcome).or_default().push(Review { id, review_on, reviewed_at, reviewed_by: user(by, name), note });
        }
        let mut outcomes = Vec::with_capacity(rows.len());
        for (id, decision_id, indicator, unit, baseline, target, weight) in rows {
            let measurements = measured.remove(&id).unwrap_or_default();
            let values: Vec<(f64, Date)> = measurements.iter().map(|m| (m.value, m.measured_on)).collect();
            outcomes.push(Outcome {
                id,
                decision_id,
                indicator,
                unit,
                baseline,
                target,
                weight: u32::try_from(weight).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?,
                progress: outcome_progress(baseline, target, &values),
                measurements,
                reviews: reviewed.remove(&id).unwrap_or_default(),
            });
        }
        Ok(outcomes)
    }

    pub(super) async fn outcomes(pool: &DbPool, programme_id: i64, decision_id: Option<i64>) -> Result<Vec<Outcome>, StoreError> {
        let mut conn = pool.acquire().await?;
        load(&mut conn, programme_id, decision_id).await
    }

    pub(super) async fn programme_progress(pool: &DbPool, programme_id: i64) -> Result<ProgrammeProgress, StoreError> {
        let mut conn = pool.acquire().await?;
        let decisions: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, title FROM decisions WHERE programme_id = $1 ORDER BY decided_on, id")
                .bind(programme_id)
                .fetch_all(&mut *conn)
                .await?;
        let outcomes = load(&mut conn, programme_id, None).await?;
        let progress = rolled_up(outcomes.iter().map(|o| (o.progress, o.weight)));
        let decisions = decisions
            .into_iter()
            .map(|(decision_id, title)| {
                let own: Vec<&Outcome> = outcomes.iter().filter(|o| o.decision_id == decision_id).collect();
                DecisionProgress {
                    decision_id,
                    title,
                    outcomes: own.len() as u32,
                    measured: own.iter().filter(|o| o.progress.is_some()).count() as u32,
                    weight: own.iter().map(|o| u64::from(o.weight)).sum(),
                    progress: rolled_up(own.iter().map(|o| (o.progress, o.weight))),
                }
            })
            .collect();
        Ok(ProgrammeProgress { decisions, progress })
    }

    pub(super) async fn add_outcome(pool: &DbPool, programme_id: i64, decision_id: i64, input: &OutcomeInput, by: i64) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM decisions WHERE id = $1 AND programme_id = $2")
            .bind(decision_id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outcomes (decision_id, indicator, unit, baseline, target, weight, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(decision_id)
        .bind(&input.indicator)
        .bind(&input.unit)
        .bind(input.baseline)
        .bind(input.target)
        .bind(i64::from(input.weight))
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether the outcome is one of the programme's.
    async fn owns(conn: &mut Conn, programme_id: i64, outcome_id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE o.id = $1 AND d.programme_id = $2",
        )
        .bind(outcome_id)
        .bind(programme_id)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(found.is_some())
    }

    pub(super) async fn record_measurement(pool: &DbPool, programme_id: i64, outcome_id: i64, input: &MeasurementInput, by: i64) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        if !owns(&mut tx, programme_id, outcome_id).await? {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outcome_measurements (outcome_id, value, measured_on, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(outcome_id)
        .bind(input.value)
        .bind(input.measured_on)
        .bind(&input.note)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn schedule_review(pool: &DbPool, programme_id: i64, outcome_id: i64, review_on: Date) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        if !owns(&mut tx, programme_id, outcome_id).await? {
            return Err(StoreError::NotFound);
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO outcome_reviews (outcome_id, review_on) VALUES ($1, $2) RETURNING id")
            .bind(outcome_id)
            .bind(review_on)
            .fetch_one(&mut *tx)
            .await
            .map_err(missing_parent)?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn mark_reviewed(pool: &DbPool, programme_id: i64, review_id: i64, note: Option<&str>, by: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE outcome_reviews SET reviewed_at = $1, reviewed_by = $2, note = $3
             WHERE id = $4 AND reviewed_at IS NULL AND outcome_id IN
               (SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.programme_id = $5)",
        )
        .bind(now())
        .bind(by)
        .bind(note)
        .bind(review_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn edit_outcome(pool: &DbPool, programme_id: i64, outcome_id: i64, input: &OutcomeInput) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE outcomes SET indicator = $1, unit = $2, baseline = $3, target = $4, weight = $5
             WHERE id = $6 AND decision_id IN (SELECT id FROM decisions WHERE programme_id = $7)",
        )
        .bind(&input.indicator)
        .bind(&input.unit)
        .bind(input.baseline)
        .bind(input.target)
        .bind(i64::from(input.weight))
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn delete_outcome(pool: &DbPool, programme_id: i64, outcome_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "DELETE FROM outcomes WHERE id = $1 AND decision_id IN (SELECT id FROM decisions WHERE programme_id = $2)",
        )
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn correct_measurement(pool: &DbPool, programme_id: i64, outcome_id: i64, measurement_id: i64, input: &MeasurementInput) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE outcome_measurements SET value = $1, measured_on = $2, note = $3
             WHERE id = $4 AND outcome_id = $5 AND outcome_id IN
               (SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.programme_id = $6)",
        )
        .bind(input.value)
        .bind(input.measured_on)
        .bind(&input.note)
        .bind(measurement_id)
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn delete_measurement(pool: &DbPool, programme_id: i64, outcome_id: i64, measurement_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "DELETE FROM outcome_measurements WHERE id = $1 AND outcome_id = $2 AND outcome_id IN
               (SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.programme_id = $3)",
        )
        .bind(measurement_id)
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn move_review(pool: &DbPool, programme_id: i64, outcome_id: i64, review_id: i64, review_on: Date) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE outcome_reviews SET review_on = $1
             WHERE id = $2 AND outcome_id = $3 AND reviewed_at IS NULL AND outcome_id IN
               (SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.programme_id = $4)",
        )
        .bind(review_on)
        .bind(review_id)
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn delete_review(pool: &DbPool, programme_id: i64, outcome_id: i64, review_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "DELETE FROM outcome_reviews WHERE id = $1 AND outcome_id = $2 AND outcome_id IN
               (SELECT o.id FROM outcomes o JOIN decisions d ON d.id = o.decision_id WHERE d.programme_id = $3)",
        )
        .bind(review_id)
        .bind(outcome_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn reviews_due(pool: &DbPool, on: Date) -> Result<Vec<ReviewDue>, StoreError> {
        let rows: Vec<DueRow> = sqlx::query_as(
            "SELECT r.id, r.review_on, o.id, o.indicator, d.id, d.title, p.slug, p.name
             FROM outcome_reviews r JOIN outcomes o ON o.id = r.outcome_id JOIN decisions d ON d.id = o.decision_id
             JOIN programmes p ON p.id = d.programme_id
             WHERE r.reviewed_at IS NULL AND r.review_on <= $1 ORDER BY r.review_on, r.id",
        )
        .bind(on)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(review_id, review_on, outcome_id, indicator, decision_id, decision_title, programme_slug, programme_name)| ReviewDue {
                review_id,
                review_on,
                outcome_id,
                indicator,
                decision_id,
                decision_title,
                programme_slug,
                programme_name,
            })
            .collect())
    }
}

impl Store {
    /// A programme's outcomes, or with `Some` one decision's, with measurements, reviews and
    /// progress.
    pub async fn outcomes(&self, programme_id: i64, decision_id: Option<i64>) -> Result<Vec<Outcome>, StoreError> {
        dispatch!(self, outcomes(programme_id, decision_id))
    }

    /// Each of a programme's decisions' progress (by decision date) and the programme's.
    pub async fn programme_progress(&self, programme_id: i64) -> Result<ProgrammeProgress, StoreError> {
        dispatch!(self, programme_progress(programme_id))
    }

    /// Adds an outcome to one of the programme's decisions (`NotFound` otherwise). Returns its id.
    pub async fn add_outcome(
        &self,
        programme_id: i64,
        decision_id: i64,
        input: &OutcomeInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, add_outcome(programme_id, decision_id, input, by))
    }

    /// Records a measurement of one of the programme's outcomes (`NotFound` otherwise).
    pub async fn record_measurement(
        &self,
        programme_id: i64,
        outcome_id: i64,
        input: &MeasurementInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, record_measurement(programme_id, outcome_id, input, by))
    }

    /// Sets a date to review one of the programme's outcomes on (`NotFound` otherwise).
    pub async fn schedule_review(
        &self,
        programme_id: i64,
        outcome_id: i64,
        review_on: Date,
    ) -> Result<i64, StoreError> {
        dispatch!(self, schedule_review(programme_id, outcome_id, review_on))
    }

    /// Records a review as done, with what it found. `NotFound` if it is not the programme's or
    /// was already done.
    pub async fn mark_reviewed(
        &self,
        programme_id: i64,
        review_id: i64,
        note: Option<&str>,
        by: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, mark_reviewed(programme_id, review_id, note, by))
    }

    /// Changes one of the programme's outcomes: indicator, unit, baseline, target and weight; its
    /// measurements stay and its progress is read against the new figures. `NotFound` otherwise.
    pub async fn edit_outcome(
        &self,
        programme_id: i64,
        outcome_id: i64,
        input: &OutcomeInput,
    ) -> Result<(), StoreError> {
        dispatch!(self, edit_outcome(programme_id, outcome_id, input))
    }

    /// Deletes one of the programme's outcomes with its measurements and reviews (`NotFound`
    /// otherwise).
    pub async fn delete_outcome(&self, programme_id: i64, outcome_id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_outcome(programme_id, outcome_id))
    }

    /// Corrects a measurement of one of the programme's outcomes (`NotFound` unless the
    /// measurement is that outcome's and the outcome the programme's).
    pub async fn correct_measurement(
        &self,
        programme_id: i64,
        outcome_id: i64,
        measurement_id: i64,
        input: &MeasurementInput,
    ) -> Result<(), StoreError> {
        dispatch!(self, correct_measurement(programme_id, outcome_id, measurement_id, input))
    }

    /// Deletes a measurement of one of the programme's outcomes (`NotFound` otherwise).
    pub async fn delete_measurement(
        &self,
        programme_id: i64,
        outcome_id: i64,
        measurement_id: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, delete_measurement(programme_id, outcome_id, measurement_id))
    }

    /// Moves a review not yet done to another date (`NotFound` if it is not that outcome's, or
    /// was done: a review done keeps the date it was due).
    pub async fn move_review(
        &self,
        programme_id: i64,
        outcome_id: i64,
        review_id: i64,
        review_on: Date,
    ) -> Result<(), StoreError> {
        dispatch!(self, move_review(programme_id, outcome_id, review_id, review_on))
    }

    /// Deletes a review date of one of the programme's outcomes, done or not (`NotFound`
    /// otherwise).
    pub async fn delete_review(&self, programme_id: i64, outcome_id: i64, review_id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_review(programme_id, outcome_id, review_id))
    }

    /// Every programme's reviews on or before `on` and not yet done, earliest first.
    pub async fn reviews_due(&self, on: Date) -> Result<Vec<ReviewDue>, StoreError> {
        dispatch!(self, reviews_due(on))
    }
}
