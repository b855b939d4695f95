//! Signals: the organisation's items of horizon scanning, each with its categories (primary
//! first), every scoring kept (the latest is current; the one before shows movement), the
//! programmes and cause-map factors it is linked to; review dates; CSV import in one transaction.

use std::collections::BTreeMap;

use heard_domain::horizon::csv::SignalRecord;
use heard_domain::horizon::signals::{Category, Confidence, Horizon, Score, Scoring, SignalInput, SignalKind};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::audit::{AuditConn, AuditEntry};
use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, missing_parent, now};

/// One scoring of a signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignalScore {
    pub id: i64,
    pub horizon: Horizon,
    pub impact: Score,
    pub uncertainty: Score,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub scored_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub scored_at: OffsetDateTime,
}

impl SignalScore {
    /// The scoring as input, e.g. to fill a re-scoring form.
    pub fn scoring(&self) -> Scoring {
        Scoring {
            horizon: self.horizon,
            impact: self.impact,
            uncertainty: self.uncertainty,
            confidence: self.confidence,
            note: self.note.clone(),
        }
    }
}

/// A programme a signal is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProgrammeLink {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// A cause-map factor a signal is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FactorLink {
    pub id: i64,
    pub map_id: i64,
    pub label: String,
}

/// A signal whole, with its current scoring and the one before (for movement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Signal {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub source_url: Option<String>,
    pub source_publication: Option<String>,
    pub spotted_on: Date,
    pub spotted_by: Option<String>,
    /// Primary first; never empty.
    pub categories: Vec<Category>,
    pub kind: SignalKind,
    pub so_what: Option<String>,
    pub review_on: Option<Date>,
    /// The latest scoring.
    pub current: SignalScore,
    /// The scoring before the latest, if it was ever re-scored.
    pub previous: Option<SignalScore>,
    /// How many times it has been scored (1 for never re-scored).
    pub scorings: usize,
    pub programmes: Vec<ProgrammeLink>,
    pub factors: Vec<FactorLink>,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Signal {
    /// The signal's descriptive fields as input, e.g. to fill an edit form.
    pub fn input(&self) -> SignalInput {
        SignalInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            source_url: self.source_url.clone(),
            source_publication: self.source_publication.clone(),
            spotted_on: self.spotted_on,
            spotted_by: self.spotted_by.clone(),
            categories: self.categories.clone(),
            kind: self.kind,
            so_what: self.so_what.clone(),
            review_on: self.review_on,
        }
    }

    /// The signal as a CSV row: its fields and current scores; new when never re-scored.
    pub fn record(&self) -> SignalRecord {
        SignalRecord { signal: self.input(), scoring: self.current.scoring(), is_new: self.previous.is_none() }
    }

    pub fn primary_category(&self) -> Category {
        self.categories.first().copied().unwrap_or(Category::Social)
    }

    /// Whether it is due for review on `date`: its review date is that day or earlier.
    pub fn due_on(&self, date: Date) -> bool {
        self.review_on.is_some_and(|review| review <= date)
    }
}

/// Which signals [`Store::signals`] lists. Every field left `None` lists them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignalFilter {
    /// Linked to this programme.
    pub programme_id: Option<i64>,
    /// With this category, primary or not.
    pub category: Option<Category>,
    /// Currently on this horizon.
    pub horizon: Option<Horizon>,
    pub kind: Option<SignalKind>,
    /// Due for review on this date: a review date on it or before.
    pub due_on: Option<Date>,
}

impl SignalFilter {
    fn keeps(&self, signal: &Signal) -> bool {
        self.category.is_none_or(|c| signal.categories.contains(&c))
            && self.horizon.is_none_or(|h| signal.current.horizon == h)
            && self.kind.is_none_or(|k| signal.kind == k)
            && self.due_on.is_none_or(|d| signal.due_on(d))
    }
}

/// Which signals a load reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    All,
    One(i64),
    Programme(i64),
}

impl Scope {
    /// A condition on `signals s`, with `$1` bound by [`Scope::param`].
    fn condition(self) -> &'static str {
        match self {
            Scope::All => "1 = 1",
            Scope::One(_) => "s.id = $1",
            Scope::Programme(_) => "s.id IN (SELECT signal_id FROM signal_programmes WHERE programme_id = $1)",
        }
    }

    fn param(self) -> Option<i64> {
        match self {
            Scope::All => None,
            Scope::One(id) | Scope::Programme(id) => Some(id),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SignalRow {
    id: i64,
    title: String,
    summary: String,
    source_url: Option<String>,
    source_publication: Option<String>,
    spotted_on: Date,
    spotted_by: Option<String>,
    kind: String,
    so_what: Option<String>,
    review_on: Option<Date>,
    created_by: Option<i64>,
    created_by_name: Option<String>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ScoreRow {
    signal_id: i64,
    id: i64,
    horizon: String,
    impact: i64,
    uncertainty: i64,
    confidence: String,
    note: Option<String>,
    scored_by: Option<i64>,
    scored_by_name: Option<String>,
    scored_at: OffsetDateTime,
}

impl ScoreRow {
    fn score(&self) -> Result<SignalScore, StoreError> {
        Ok(SignalScore {
            id: self.id,
            horizon: decode(&self.horizon)?,
            impact: score(self.impact)?,
            uncertainty: score(self.uncertainty)?,
            confidence: decode(&self.confidence)?,
            note: self.note.clone(),
            scored_by: user(self.scored_by, self.scored_by_name.clone()),
            scored_at: self.scored_at,
        })
    }
}

/// A score read from the database; out of range is a decoding failure.
pub(crate) fn score(value: i64) -> Result<Score, StoreError> {
    Score::new(value).ok_or_else(|| StoreError::Database(sqlx::Error::Decode(format!("score {value}").into())))
}

fn user(id: Option<i64>, name: Option<String>) -> Option<UserRef> {
    id.zip(name).map(|(id, display_name)| UserRef { id, display_name })
}

const SCORE_COLUMNS: &str = "c.signal_id, c.id, c.horizon, c.impact, c.uncertainty, c.confidence, c.note, \
                             c.scored_by, u.display_name AS scored_by_name, c.scored_at";

per_backend! {
    /// Runs `sql` (whose `$1`, if any, is the scope's parameter) and reads every row as `T`.
    async fn fetch_scoped<T>(conn: &mut Conn, sql: &str, scope: Scope) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> sqlx::FromRow<'r, <<Conn as sqlx::Connection>::Database as sqlx::Database>::Row> + Send + Unpin,
    {
        let query = sqlx::query_as::<_, T>(sql);
        let query = match scope.param() {
            Some(id) => query.bind(id),
            None => query,
        };
        Ok(query.fetch_all(&mut *conn).await?)
    }

    /// The signals in `scope`, whole, sorted by title.
    pub(crate) async fn load_signals(conn: &mut Conn, scope: Scope) -> Result<Vec<Signal>, StoreError> {
        let within = format!("SELECT s.id FROM signals s WHERE {}", scope.condition());
        let rows: Vec<SignalRow> = fetch_scoped(&mut *conn, &format!(
            "SELECT s.id, s.title, s.summary, s.source_url, s.source_publication, s.spotted_on, s.spotted_by, s.kind,
                    s.so_what, s.review_on, s.created_by, u.display_name AS created_by_name, s.created_at, s.updated_at
             FROM signals s LEFT JOIN users u ON u.id = s.created_by WHERE {}",
            scope.condition()
        ), scope).await?;
        let categories: Vec<(i64, String)> = fetch_scoped(&mut *conn, &format!(
            "SELECT signal_id, category FROM signal_categories WHERE signal_id IN ({within}) ORDER BY signal_id, position"
        ), scope).await?;
        // Only each signal's latest two scorings: the current one and the one before.
        let scores: Vec<ScoreRow> = fetch_scoped(&mut *conn, &format!(
            "SELECT {SCORE_COLUMNS} FROM signal_scores c LEFT JOIN users u ON u.id = c.scored_by
             WHERE c.signal_id IN ({within})
               AND (SELECT COUNT(*) FROM signal_scores later WHERE later.signal_id = c.signal_id AND later.id > c.id) < 2
             ORDER BY c.signal_id, c.id"
        ), scope).await?;
        let counts: Vec<(i64, i64)> = fetch_scoped(&mut *conn, &format!(
            "SELECT signal_id, COUNT(*) FROM signal_scores WHERE signal_id IN ({within}) GROUP BY signal_id"
        ), scope).await?;
        let programmes: Vec<(i64, i64, String, String)> = fetch_scoped(&mut *conn, &format!(
            "SELECT l.signal_id, p.id, p.slug, p.name FROM signal_programmes l JOIN programmes p ON p.id = l.programme_id
             WHERE l.signal_id IN ({within}) ORDER BY p.name, p.id"
        ), scope).await?;
        let factors: Vec<(i64, i64, i64, String)> = fetch_scoped(&mut *conn, &format!(
            "SELECT l.signal_id, f.id, f.map_id, f.label FROM signal_factors l JOIN factors f ON f.id = l.factor_id
             WHERE l.signal_id IN ({within}) ORDER BY f.label, f.id"
        ), scope).await?;

        let mut categories_of: BTreeMap<i64, Vec<Category>> = BTreeMap::new();
        for (id, code) in categories {
            categories_of.entry(id).or_default().push(decode(&code)?);
        }
        let mut scores_of: BTreeMap<i64, Vec<SignalScore>> = BTreeMap::new();
        for row in &scores {
            scores_of.entry(row.signal_id).or_default().push(row.score()?);
        }
        let counts: BTreeMap<i64, i64> = counts.into_iter().collect();
        let mut programmes_of: BTreeMap<i64, Vec<ProgrammeLink>> = BTreeMap::new();
        for (id, programme, slug, name) in programmes {
            programmes_of.entry(id).or_default().push(ProgrammeLink { id: programme, slug, name });
        }
        let mut factors_of: BTreeMap<i64, Vec<FactorLink>> = BTreeMap::new();
        for (id, factor, map_id, label) in factors {
            factors_of.entry(id).or_default().push(FactorLink { id: factor, map_id, label });
        }

        let mut signals = Vec::with_capacity(rows.len());
        for row in rows {
            let mut scores = scores_of.remove(&row.id).unwrap_or_default();
            // Every signal is made with a scoring; one without is not yet committed by its maker.
            let Some(current) = scores.pop() else { continue };
            signals.push(Signal {
                id: row.id,
                title: row.title,
                summary: row.summary,
                source_url: row.source_url,
                source_publication: row.source_publication,
                spotted_on: row.spotted_on,
                spotted_by: row.spotted_by,
                categories: categories_of.remove(&row.id).unwrap_or_default(),
                kind: decode(&row.kind)?,
                so_what: row.so_what,
                review_on: row.review_on,
                current,
                previous: scores.pop(),
                scorings: usize::try_from(counts.get(&row.id).copied().unwrap_or(1)).unwrap_or(1),
                programmes: programmes_of.remove(&row.id).unwrap_or_default(),
                factors: factors_of.remove(&row.id).unwrap_or_default(),
                created_by: user(row.created_by, row.created_by_name),
                created_at: row.created_at,
                updated_at: row.updated_at,
            });
        }
        signals.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(signals)
    }

    async fn write_categories(conn: &mut Conn, signal_id: i64, categories: &[Category]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM signal_categories WHERE signal_id = $1").bind(signal_id).execute(&mut *conn).await?;
        for (position, category) in (1_i64..).zip(categories) {
            sqlx::query("INSERT INTO signal_categories (signal_id, position, category) VALUES ($1, $2, $3)")
                .bind(signal_id)
                .bind(position)
                .bind(category.code())
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    async fn insert_score(conn: &mut Conn, signal_id: i64, scoring: &Scoring, by: Option<i64>) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signal_scores (signal_id, horizon, impact, uncertainty, confidence, note, scored_by, scored_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(signal_id)
        .bind(scoring.horizon.code())
        .bind(i64::from(scoring.impact.get()))
        .bind(i64::from(scoring.uncertainty.get()))
        .bind(scoring.confidence.code())
        .bind(&scoring.note)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await?;
        Ok(id)
    }

    async fn insert_signal(
        conn: &mut Conn,
        input: &SignalInput,
        scoring: &Scoring,
        programme_ids: &[i64],
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO signals (title, summary, source_url, source_publication, spotted_on, spotted_by, kind, so_what,
                                  review_on, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.source_url)
        .bind(&input.source_publication)
        .bind(input.spotted_on)
        .bind(&input.spotted_by)
        .bind(input.kind.code())
        .bind(&input.so_what)
        .bind(input.review_on)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        write_categories(&mut *conn, id, &input.categories).await?;
        insert_score(&mut *conn, id, scoring, by).await?;
        for programme_id in programme_ids {
            sqlx::query("INSERT INTO signal_programmes (signal_id, programme_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(programme_id)
                .execute(&mut *conn)
                .await
                .map_err(missing_parent)?;
        }
        Ok(id)
    }

    async fn exists(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM signals WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
        found.map(|_| ()).ok_or(StoreError::NotFound)
    }

    async fn touch(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE signals SET updated_at = $1 WHERE id = $2").bind(now()).bind(id).execute(&mut *conn).await?;
        Ok(())
    }

    pub(super) async fn create_signal(
        pool: &DbPool,
        input: &SignalInput,
        scoring: &Scoring,
        programme_ids: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let id = insert_signal(&mut tx, input, scoring, programme_ids, Some(by)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn edit_signal(pool: &DbPool, id: i64, input: &SignalInput) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let done = sqlx::query(
            "UPDATE signals SET title = $1, summary = $2, source_url = $3, source_publication = $4, spotted_on = $5,
                    spotted_by = $6, kind = $7, so_what = $8, review_on = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(&input.title)
        .bind(&input.summary)
        .bind(&input.source_url)
        .bind(&input.source_publication)
        .bind(input.spotted_on)
        .bind(&input.spotted_by)
        .bind(input.kind.code())
        .bind(&input.so_what)
        .bind(input.review_on)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        write_categories(&mut tx, id, &input.categories).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_signal(pool: &DbPool, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM signals WHERE id = $1").bind(id).execute(pool).await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn signal(pool: &DbPool, id: i64) -> Result<Option<Signal>, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(load_signals(&mut conn, Scope::One(id)).await?.pop())
    }

    pub(super) async fn signals(pool: &DbPool, filter: SignalFilter) -> Result<Vec<Signal>, StoreError> {
        let mut conn = pool.acquire().await?;
        let scope = filter.programme_id.map_or(Scope::All, Scope::Programme);
        let mut signals = load_signals(&mut conn, scope).await?;
        signals.retain(|s| filter.keeps(s));
        Ok(signals)
    }

    pub(super) async fn rescore_signal(
        pool: &DbPool,
        id: i64,
        scoring: &Scoring,
        review_on: Option<Option<Date>>,
        by: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        exists(&mut tx, id).await?;
        let score_id = insert_score(&mut tx, id, scoring, Some(by)).await?;
        if let Some(review_on) = review_on {
            sqlx::query("UPDATE signals SET review_on = $1 WHERE id = $2").bind(review_on).bind(id).execute(&mut *tx).await?;
        }
        touch(&mut tx, id).await?;
        tx.commit().await?;
        Ok(score_id)
    }

    pub(super) async fn signal_history(pool: &DbPool, id: i64) -> Result<Vec<SignalScore>, StoreError> {
        let mut conn = pool.acquire().await?;
        exists(&mut conn, id).await?;
        let rows: Vec<ScoreRow> = sqlx::query_as(&format!(
            "SELECT {SCORE_COLUMNS} FROM signal_scores c LEFT JOIN users u ON u.id = c.scored_by
             WHERE c.signal_id = $1 ORDER BY c.id"
        ))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter().map(ScoreRow::score).collect()
    }

    pub(super) async fn link_signal_programme(pool: &DbPool, signal_id: i64, programme_id: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        exists(&mut tx, signal_id).await?;
        sqlx::query("INSERT INTO signal_programmes (signal_id, programme_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(signal_id)
            .bind(programme_id)
            .execute(&mut *tx)
            .await
            .map_err(missing_parent)?;
        touch(&mut tx, signal_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn unlink_signal_programme(pool: &DbPool, signal_id: i64, programme_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM signal_programmes WHERE signal_id = $1 AND programme_id = $2")
            .bind(signal_id)
            .bind(programme_id)
            .execute(pool)
            .await?;
        Ok(())
    }

    pub(super) async fn link_signal_factor(pool: &DbPool, signal_id: i64, factor_id: i64, by: i64) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        exists(&mut tx, signal_id).await?;
        sqlx::query(
            "INSERT INTO signal_factors (signal_id, factor_id, added_by, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(signal_id)
        .bind(factor_id)
        .bind(by)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(missing_parent)?;
        touch(&mut tx, signal_id).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn unlink_signal_factor(pool: &DbPool, signal_id: i64, factor_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM signal_factors WHERE signal_id = $1 AND factor_id = $2")
            .bind(signal_id)
            .bind(factor_id)
            .execute(pool)
            .await?;
        Ok(())
    }

    pub(super) async fn import_signals(
        pool: &DbPool,
        programme_id: i64,
        records: &[SignalRecord],
        by: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = begin(pool).await?;
        let programme: Option<i64> = sqlx::query_scalar("SELECT id FROM programmes WHERE id = $1")
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        if programme.is_none() {
            return Err(StoreError::NotFound);
        }
        let mut ids = Vec::with_capacity(records.len());
        for record in records {
            ids.push(insert_signal(&mut tx, &record.signal, &record.scoring, &[programme_id], by).await?);
        }
        let subject = format!("programme {programme_id}: {} signals", ids.len());
        tx.append_audit(&AuditEntry::of_action("signals.import", subject).by(by)).await?;
        tx.commit().await?;
        Ok(ids)
    }
}

impl Store {
    /// Adds a signal with its first scoring, linked to `programme_ids` (which may be empty: the
    /// organisation's signal). `NotFound` if a programme does not exist. Returns its id.
    pub async fn create_signal(
        &self,
        input: &SignalInput,
        scoring: &Scoring,
        programme_ids: &[i64],
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create_signal(input, scoring, programme_ids, by))
    }

    /// Changes a signal's descriptive fields and categories. Its scores change only by
    /// [`Store::rescore_signal`], which keeps history.
    pub async fn edit_signal(&self, id: i64, input: &SignalInput) -> Result<(), StoreError> {
        dispatch!(self, edit_signal(id, input))
    }

    /// Deletes a signal with its scorings and links.
    pub async fn delete_signal(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_signal(id))
    }

    /// One signal whole, or `None`.
    pub async fn signal(&self, id: i64) -> Result<Option<Signal>, StoreError> {
        dispatch!(self, signal(id))
    }

    /// The signals `filter` keeps, by title.
    pub async fn signals(&self, filter: SignalFilter) -> Result<Vec<Signal>, StoreError> {
        dispatch!(self, signals(filter))
    }

    /// Signals due for review on `date` (review date that day or before), in `programme_id` or
    /// all, earliest review date first: the dashboard's list.
    pub async fn signals_due_for_review(
        &self,
        date: Date,
        programme_id: Option<i64>,
    ) -> Result<Vec<Signal>, StoreError> {
        let mut due =
            self.signals(SignalFilter { programme_id, due_on: Some(date), ..SignalFilter::default() }).await?;
        due.sort_by_key(|s| s.review_on);
        Ok(due)
    }

    /// Scores a signal again, keeping every earlier scoring. Returns the new scoring's id.
    pub async fn rescore_signal(&self, id: i64, scoring: &Scoring, by: i64) -> Result<i64, StoreError> {
        dispatch!(self, rescore_signal(id, scoring, None, by))
    }

    /// Reviews a signal: a new scoring and the next review date (`None`: no further review).
    pub async fn review_signal(
        &self,
        id: i64,
        scoring: &Scoring,
        next_review_on: Option<Date>,
        by: i64,
    ) -> Result<i64, StoreError> {
        dispatch!(self, rescore_signal(id, scoring, Some(next_review_on), by))
    }

    /// Every scoring of a signal, oldest first; `NotFound` if there is no such signal.
    pub async fn signal_history(&self, id: i64) -> Result<Vec<SignalScore>, StoreError> {
        dispatch!(self, signal_history(id))
    }

    /// Links a signal to a programme (again is no change). `NotFound` if either is missing.
    pub async fn link_signal_programme(&self, signal_id: i64, programme_id: i64) -> Result<(), StoreError> {
        dispatch!(self, link_signal_programme(signal_id, programme_id))
    }

    /// Unlinks a signal from a programme; no change if they were not linked.
    pub async fn unlink_signal_programme(&self, signal_id: i64, programme_id: i64) -> Result<(), StoreError> {
        dispatch!(self, unlink_signal_programme(signal_id, programme_id))
    }

    /// Links a signal to a cause-map factor (again is no change). `NotFound` if either is missing.
    pub async fn link_signal_factor(&self, signal_id: i64, factor_id: i64, by: i64) -> Result<(), StoreError> {
        dispatch!(self, link_signal_factor(signal_id, factor_id, by))
    }

    /// Unlinks a signal from a factor; no change if they were not linked.
    pub async fn unlink_signal_factor(&self, signal_id: i64, factor_id: i64) -> Result<(), StoreError> {
        dispatch!(self, unlink_signal_factor(signal_id, factor_id))
    }

    /// Adds every record as a signal linked to the programme, in one transaction: all or none.
    /// Audited as `signals.import`. `NotFound` if the programme does not exist. Returns the ids.
    pub async fn import_signals(
        &self,
        programme_id: i64,
        records: &[SignalRecord],
        by: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, import_signals(programme_id, records, by))
    }

    /// A programme's signals as CSV rows (fields and current scores), by title.
    pub async fn export_signals(&self, programme_id: i64) -> Result<Vec<SignalRecord>, StoreError> {
        let signals =
            self.signals(SignalFilter { programme_id: Some(programme_id), ..SignalFilter::default() }).await?;
        Ok(signals.iter().map(Signal::record).collect())
    }
}
