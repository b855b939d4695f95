//! Drivers: forces of change that group signals. A driver's impact and uncertainty summarise its
//! signals (the mean of their current scores) unless set by hand.

use std::collections::BTreeMap;

use heard_domain::horizon::signals::{DriverInput, Score, mean, name_key};
use serde::Serialize;
use time::OffsetDateTime;

use super::signals::score;
use crate::{Store, StoreError, missing_parent, now, unique};

/// A driver with its signals and summary scores.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Driver {
    pub id: i64,
    /// The programme it was made in; `None`: the organisation's, shown with every programme.
    pub programme_id: Option<i64>,
    pub name: String,
    pub description: Option<String>,
    /// Impact set by hand, if any.
    pub impact_set: Option<Score>,
    /// Uncertainty set by hand, if any.
    pub uncertainty_set: Option<Score>,
    /// The impact shown: set by hand, or the mean of its signals' current impact; `None` when
    /// neither (no signals and nothing set).
    pub impact: Option<f64>,
    /// The uncertainty shown, as `impact`.
    pub uncertainty: Option<f64>,
    /// Its signals' ids, smallest first.
    pub signal_ids: Vec<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

type DriverRow = (i64, Option<i64>, String, Option<String>, Option<i64>, Option<i64>, OffsetDateTime);

per_backend! {
    async fn load_drivers(conn: &mut Conn, one: Option<i64>, programme_id: Option<i64>) -> Result<Vec<Driver>, StoreError> {
        // $1: one driver, or none; $2: a programme's and the organisation's, or all.
        let rows: Vec<DriverRow> = sqlx::query_as(
            "SELECT id, programme_id, name, description, impact, uncertainty, created_at FROM drivers
             WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR programme_id IS NULL OR programme_id = $2)
             ORDER BY name_key, id",
        )
        .bind(one)
        .bind(programme_id)
        .fetch_all(&mut *conn)
        .await?;
        // Each member with its current scores.
        let members: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT d.driver_id, d.signal_id, c.impact, c.uncertainty FROM driver_signals d
             JOIN signal_scores c ON c.signal_id = d.signal_id
             WHERE c.id = (SELECT MAX(id) FROM signal_scores WHERE signal_id = d.signal_id)
             ORDER BY d.driver_id, d.signal_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut members_of: BTreeMap<i64, Vec<(i64, Score, Score)>> = BTreeMap::new();
        for (driver, signal, impact, uncertainty) in members {
            members_of.entry(driver).or_default().push((signal, score(impact)?, score(uncertainty)?));
        }
        let mut drivers = Vec::with_capacity(rows.len());
        for (id, programme_id, name, description, impact, uncertainty, created_at) in rows {
            let members = members_of.remove(&id).unwrap_or_default();
            let impact_set = impact.map(score).transpose()?;
            let uncertainty_set = uncertainty.map(score).transpose()?;
            drivers.push(Driver {
                id,
                programme_id,
                name,
                description,
                impact_set,
                uncertainty_set,
                impact: impact_set.map(|s| f64::from(s.get())).or_else(|| mean(members.iter().map(|m| m.1))),
                uncertainty: uncertainty_set.map(|s| f64::from(s.get())).or_else(|| mean(members.iter().map(|m| m.2))),
                signal_ids: members.iter().map(|m| m.0).collect(),
                created_at,
            });
        }
        Ok(drivers)
    }

    pub(super) async fn create_driver(
        pool: &DbPool,
        programme_id: Option<i64>,
        input: &DriverInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO drivers (programme_id, name, name_key, description, impact, uncertainty, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(programme_id)
        .bind(&input.name)
        .bind(name_key(&input.name))
        .bind(&input.description)
        .bind(input.impact.map(|s| i64::from(s.get())))
        .bind(input.uncertainty.map(|s| i64::from(s.get())))
        .bind(by)
        .bind(now())
        .fetch_one(pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => missing_parent(e),
            _ => unique("name")(e),
        })?;
        Ok(id)
    }

    pub(super) async fn edit_driver(pool: &DbPool, id: i64, input: &DriverInput) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE drivers SET name = $1, name_key = $2, description = $3, impact = $4, uncertainty = $5 WHERE id = $6",
        )
        .bind(&input.name)
        .bind(name_key(&input.name))
        .bind(&input.description)
        .bind(input.impact.map(|s| i64::from(s.get())))
        .bind(input.uncertainty.map(|s| i64::from(s.get())))
        .bind(id)
        .execute(pool)
        .await
        .map_err(unique("name"))?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn delete_driver(pool: &DbPool, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM drivers WHERE id = $1").bind(id).execute(pool).await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn driver(pool: &DbPool, id: i64) -> Result<Option<Driver>, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(load_drivers(&mut conn, Some(id), None).await?.pop())
    }

    pub(super) async fn drivers(pool: &DbPool, programme_id: Option<i64>) -> Result<Vec<Driver>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_drivers(&mut conn, None, programme_id).await
    }

    pub(super) async fn set_driver_signals(pool: &DbPool, id: i64, signal_ids: &[i64]) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM drivers WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM driver_signals WHERE driver_id = $1").bind(id).execute(&mut *tx).await?;
        for signal_id in signal_ids {
            sqlx::query("INSERT INTO driver_signals (driver_id, signal_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(signal_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| match missing_parent(e) {
                    StoreError::NotFound => heard_domain::Invalid::one("signals", "Choose signals from the list").into(),
                    other => other,
                })?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn add_driver_signal(pool: &DbPool, id: i64, signal_id: i64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO driver_signals (driver_id, signal_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(signal_id)
            .execute(pool)
            .await
            .map_err(missing_parent)?;
        Ok(())
    }

    pub(super) async fn remove_driver_signal(pool: &DbPool, id: i64, signal_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM driver_signals WHERE driver_id = $1 AND signal_id = $2").bind(id).bind(signal_id).execute(pool).await?;
        Ok(())
    }
}

impl Store {
    /// Adds a driver, in a programme or (with `None`) the organisation's. `Duplicate` naming
    /// `name` if one of that name is already there. Returns its id.
    pub async fn create_driver(
        &self,
        programme_id: Option<i64>,
        input: &DriverInput,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create_driver(programme_id, input, by))
    }

    /// Changes a driver's name, description and hand-set scores (`None` clears them, so the
    /// signals' means show).
    pub async fn edit_driver(&self, id: i64, input: &DriverInput) -> Result<(), StoreError> {
        dispatch!(self, edit_driver(id, input))
    }

    /// Deletes a driver; its signals stay.
    pub async fn delete_driver(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_driver(id))
    }

    /// One driver with its signals and summary scores, or `None`.
    pub async fn driver(&self, id: i64) -> Result<Option<Driver>, StoreError> {
        dispatch!(self, driver(id))
    }

    /// Drivers by name: a programme's and the organisation's, or with `None` every one.
    pub async fn drivers(&self, programme_id: Option<i64>) -> Result<Vec<Driver>, StoreError> {
        dispatch!(self, drivers(programme_id))
    }

    /// Makes `signal_ids` a driver's signals, in place of those it had. `Invalid` naming `signals`
    /// if one does not exist.
    pub async fn set_driver_signals(&self, id: i64, signal_ids: &[i64]) -> Result<(), StoreError> {
        dispatch!(self, set_driver_signals(id, signal_ids))
    }

    /// Adds a signal to a driver (again is no change). `NotFound` if either is missing.
    pub async fn add_driver_signal(&self, id: i64, signal_id: i64) -> Result<(), StoreError> {
        dispatch!(self, add_driver_signal(id, signal_id))
    }

    /// Takes a signal out of a driver; no change if it was not in it.
    pub async fn remove_driver_signal(&self, id: i64, signal_id: i64) -> Result<(), StoreError> {
        dispatch!(self, remove_driver_signal(id, signal_id))
    }
}
