//! Deliberation Days: a programme's deliberations with their setup, the propositions they
//! prioritise, the questionnaire, and their statements (written, seeded, or added by attendees and
//! moderated). What attendees give (votes, choices, dots, answers) is in [`attendees`].

pub mod attendees;
pub mod polis;

use heard_domain::Invalid;
use heard_domain::deliberation::days::{
    DeliberationInput, DeliberationStatus, JoinCode, MAX_STATEMENTS, Prioritisation, StatementState, may_move,
    statement_key,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Store, StoreError, decode, decode_count, missing_parent, now, unique};

pub use attendees::{Attendee, Participation, VoteData};

/// A deliberation with its setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deliberation {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    pub held_on: Date,
    pub venue: Option<String>,
    /// As stored: six characters, upper case. Shown as `ABC-DEF` ([`Deliberation::join_code_shown`]).
    pub join_code: String,
    pub status: DeliberationStatus,
    pub attendee_statements: bool,
    pub prioritisation: Prioritisation,
    pub dots: Option<u32>,
    /// Where a finished deliberation came from when it was not run in Heard, e.g. "polis".
    pub imported_from: Option<String>,
    /// The propositions it prioritises, in the facilitator's order.
    pub proposition_ids: Vec<i64>,
    pub questions: Vec<Question>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opened_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closed_at: Option<OffsetDateTime>,
}

impl Deliberation {
    /// The join code as the projector shows it: `ABC-DEF`.
    pub fn join_code_shown(&self) -> String {
        match JoinCode::parse("code", &self.join_code) {
            Ok(code) => code.display(),
            Err(_) => self.join_code.clone(),
        }
    }
}

/// A question of the pre and post questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: i64,
    pub position: u32,
    pub text: String,
}

/// A programme's deliberation in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliberationSummary {
    pub id: i64,
    pub title: String,
    pub held_on: Date,
    pub status: DeliberationStatus,
    pub attendees: u32,
    pub votes: u64,
}

/// Where a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Origin {
    /// Written by a facilitator.
    Written,
    /// Seeded from an insight.
    Insight(i64),
    /// Seeded from a proposition.
    Proposition(i64),
    /// Added by an attendee (who, is not said).
    Attendee,
    /// Brought in with an imported deliberation.
    Imported,
}

/// A statement with its vote counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Statement {
    pub id: i64,
    pub text: String,
    pub state: StatementState,
    pub origin: Origin,
    pub agree: u32,
    pub disagree: u32,
    pub pass: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Statement {
    pub fn votes(&self) -> u32 {
        self.agree + self.disagree + self.pass
    }
}

/// Where a new statement comes from, and who added it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewOrigin {
    Written,
    Insight(i64),
    Proposition(i64),
}

type DeliberationRow = (
    i64,
    i64,
    String,
    Date,
    Option<String>,
    String,
    String,
    bool,
    String,
    Option<i64>,
    Option<String>,
    OffsetDateTime,
    Option<OffsetDateTime>,
    Option<OffsetDateTime>,
);

type StatementRow =
    (i64, String, String, Option<i64>, Option<i64>, Option<i64>, Option<i64>, OffsetDateTime, i64, i64, i64);

const DELIBERATION_COLUMNS: &str = "id, programme_id, title, held_on, venue, join_code, status, attendee_statements, \
     prioritisation, dots, imported_from, created_at, opened_at, closed_at";

/// Tries this many fresh join codes before giving up (30 random bits each: a clash is rare).
const JOIN_CODE_TRIES: usize = 8;

fn not_open(field: &str) -> StoreError {
    StoreError::Invalid(Invalid::one(field, "This Deliberation Day is not open: nothing more can be given to it"))
}

fn statement_from(row: StatementRow) -> Result<Statement, StoreError> {
    let (id, text, state, insight, proposition, attendee, external, created_at, agree, disagree, pass) = row;
    let origin = match (insight, proposition, attendee, external) {
        (Some(id), _, _, _) => Origin::Insight(id),
        (_, Some(id), _, _) => Origin::Proposition(id),
        (_, _, Some(_), _) => Origin::Attendee,
        (_, _, _, Some(_)) => Origin::Imported,
        _ => Origin::Written,
    };
    Ok(Statement {
        id,
        text,
        state: decode(&state)?,
        origin,
        agree: decode_count(agree)?,
        disagree: decode_count(disagree)?,
        pass: decode_count(pass)?,
        created_at,
    })
}

per_backend! {
    async fn load(conn: &mut Conn, row: DeliberationRow) -> Result<Deliberation, StoreError> {
        let (id, programme_id, title, held_on, venue, join_code, status, attendee_statements, prioritisation, dots,
            imported_from, created_at, opened_at, closed_at) = row;
        let proposition_ids: Vec<i64> = sqlx::query_scalar(
            "SELECT proposition_id FROM deliberation_propositions WHERE deliberation_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let questions: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT id, position, text FROM deliberation_questions WHERE deliberation_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        Ok(Deliberation {
            id,
            programme_id,
            title,
            held_on,
            venue,
            join_code,
            status: decode(&status)?,
            attendee_statements,
            prioritisation: decode(&prioritisation)?,
            dots: dots.map(decode_count).transpose()?,
            imported_from,
            proposition_ids,
            questions: questions
                .into_iter()
                .map(|(id, position, text)| Ok(Question { id, position: decode_count(position)?, text }))
                .collect::<Result<_, StoreError>>()?,
            created_at,
            opened_at,
            closed_at,
        })
    }

    async fn find(conn: &mut Conn, clause: &str, key: &str) -> Result<Option<Deliberation>, StoreError> {
        let sql = format!("SELECT {DELIBERATION_COLUMNS} FROM deliberations WHERE {clause} = $1");
        let row: Option<DeliberationRow> = sqlx::query_as(&sql).bind(key).fetch_optional(&mut *conn).await?;
        match row {
            Some(row) => Ok(Some(load(conn, row).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn deliberation(pool: &DbPool, id: i64) -> Result<Option<Deliberation>, StoreError> {
        let mut conn = pool.acquire().await?;
        let row: Option<DeliberationRow> =
            sqlx::query_as(&format!("SELECT {DELIBERATION_COLUMNS} FROM deliberations WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        match row {
            Some(row) => Ok(Some(load(&mut conn, row).await?)),
            None => Ok(None),
        }
    }

    pub(super) async fn deliberation_by_code(pool: &DbPool, code: &JoinCode) -> Result<Option<Deliberation>, StoreError> {
        let mut conn = pool.acquire().await?;
        find(&mut conn, "join_code", code.as_str()).await
    }

    pub(super) async fn deliberations(pool: &DbPool, programme_id: i64) -> Result<Vec<DeliberationSummary>, StoreError> {
        let rows: Vec<(i64, String, Date, String, i64, i64)> = sqlx::query_as(
            "SELECT d.id, d.title, d.held_on, d.status,
                    CAST((SELECT COUNT(*) FROM attendees a WHERE a.deliberation_id = d.id) AS BIGINT),
                    CAST((SELECT COUNT(*) FROM votes v WHERE v.deliberation_id = d.id) AS BIGINT)
             FROM deliberations d WHERE d.programme_id = $1 ORDER BY d.held_on DESC, d.id DESC",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(id, title, held_on, status, attendees, votes)| {
                Ok(DeliberationSummary {
                    id,
                    title,
                    held_on,
                    status: decode(&status)?,
                    attendees: decode_count(attendees)?,
                    votes: u64::try_from(votes).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn replace_questions(conn: &mut Conn, id: i64, questions: &[String]) -> Result<(), StoreError> {
        let answered: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM questionnaire_answers WHERE deliberation_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let current: Vec<String> = sqlx::query_scalar(
            "SELECT text FROM deliberation_questions WHERE deliberation_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        if current == questions {
            return Ok(());
        }
        if answered > 0 {
            return Err(StoreError::Invalid(Invalid::one(
                "questions",
                "Attendees have answered the questionnaire, so its questions can no longer change",
            )));
        }
        sqlx::query("DELETE FROM deliberation_questions WHERE deliberation_id = $1").bind(id).execute(&mut *conn).await?;
        for (n, text) in questions.iter().enumerate() {
            sqlx::query("INSERT INTO deliberation_questions (deliberation_id, position, text) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(n as i64 + 1)
                .bind(text)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub(super) async fn create_deliberation(
        pool: &DbPool,
        programme_id: i64,
        input: &DeliberationInput,
        questions: &[String],
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        for _ in 0..JOIN_CODE_TRIES {
            let mut tx = begin(pool).await?;
            let code = JoinCode::generate();
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO deliberations (programme_id, title, held_on, venue, join_code, attendee_statements,
                     prioritisation, dots, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(programme_id)
            .bind(&input.title)
            .bind(input.held_on)
            .bind(&input.venue)
            .bind(code.as_str())
            .bind(input.attendee_statements)
            .bind(input.prioritisation.code())
            .bind(input.dots.map(i64::from))
            .bind(by)
            .bind(now())
            .fetch_one(&mut *tx)
            .await;
            let id = match inserted {
                Ok(id) => id,
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => continue,
                Err(e) => return Err(missing_parent(e)),
            };
            replace_questions(&mut tx, id, questions).await?;
            tx.commit().await?;
            return Ok(id);
        }
        Err(StoreError::Duplicate { field: "join_code" })
    }

    pub(super) async fn edit_deliberation(
        pool: &DbPool,
        id: i64,
        input: &DeliberationInput,
        questions: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM deliberations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let status: DeliberationStatus = decode(&status.ok_or(StoreError::NotFound)?)?;
        let prioritisation: String = sqlx::query_scalar("SELECT prioritisation FROM deliberations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if status != DeliberationStatus::Draft && prioritisation != input.prioritisation.code() {
            return Err(StoreError::Invalid(Invalid::one(
                "prioritisation",
                "How attendees prioritise can change only while the Deliberation Day is being set up",
            )));
        }
        sqlx::query(
            "UPDATE deliberations SET title = $1, held_on = $2, venue = $3, attendee_statements = $4,
                 prioritisation = $5, dots = $6 WHERE id = $7",
        )
        .bind(&input.title)
        .bind(input.held_on)
        .bind(&input.venue)
        .bind(input.attendee_statements)
        .bind(input.prioritisation.code())
        .bind(input.dots.map(i64::from))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        replace_questions(&mut tx, id, questions).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_deliberation(pool: &DbPool, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM deliberations WHERE id = $1").bind(id).execute(pool).await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn set_deliberation_propositions(
        pool: &DbPool,
        id: i64,
        proposition_ids: &[i64],
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT programme_id, status FROM deliberations WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let (programme_id, status) = found.ok_or(StoreError::NotFound)?;
        let current: Vec<i64> = sqlx::query_scalar(
            "SELECT proposition_id FROM deliberation_propositions WHERE deliberation_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        if current == proposition_ids {
            return Ok(());
        }
        if decode::<DeliberationStatus>(&status)? != DeliberationStatus::Draft {
            return Err(StoreError::Invalid(Invalid::one(
                "propositions",
                "The propositions to prioritise can change only while the Deliberation Day is being set up",
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for &proposition in proposition_ids {
            if !seen.insert(proposition) {
                return Err(StoreError::Invalid(Invalid::one("propositions", "Choose each proposition once")));
            }
            let of: Option<i64> = sqlx::query_scalar("SELECT programme_id FROM propositions WHERE id = $1")
                .bind(proposition)
                .fetch_optional(&mut *tx)
                .await?;
            if of != Some(programme_id) {
                return Err(StoreError::Invalid(Invalid::one(
                    "propositions",
                    "Choose propositions of this programme",
                )));
            }
        }
        sqlx::query("DELETE FROM deliberation_propositions WHERE deliberation_id = $1").bind(id).execute(&mut *tx).await?;
        for (n, proposition) in proposition_ids.iter().enumerate() {
            sqlx::query(
                "INSERT INTO deliberation_propositions (deliberation_id, proposition_id, position) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(proposition)
            .bind(n as i64 + 1)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn move_deliberation(pool: &DbPool, id: i64, to: DeliberationStatus) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM deliberations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let from: DeliberationStatus = decode(&status.ok_or(StoreError::NotFound)?)?;
        if !may_move(from, to) {
            return Err(StoreError::Invalid(Invalid::one(
                "status",
                format!("A deliberation that is {} cannot become {}", from.label().to_lowercase(), to.label().to_lowercase()),
            )));
        }
        if to == DeliberationStatus::Draft {
            let attendees: i64 =
                sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM attendees WHERE deliberation_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            if attendees > 0 {
                return Err(StoreError::Invalid(Invalid::one(
                    "status",
                    "Attendees have joined, so it cannot go back to being set up; close it instead",
                )));
            }
        }
        let query = match to {
            DeliberationStatus::Open => sqlx::query(
                "UPDATE deliberations SET status = $1, opened_at = coalesce(opened_at, $2), closed_at = NULL WHERE id = $3",
            )
            .bind(to.code())
            .bind(now()),
            DeliberationStatus::Closed => {
                sqlx::query("UPDATE deliberations SET status = $1, closed_at = $2 WHERE id = $3").bind(to.code()).bind(now())
            }
            DeliberationStatus::Draft => {
                sqlx::query("UPDATE deliberations SET status = $1, opened_at = NULL WHERE id = $2").bind(to.code())
            }
        };
        query.bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn add_statement(
        pool: &DbPool,
        deliberation_id: i64,
        text: &str,
        origin: NewOrigin,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM deliberations WHERE id = $1")
            .bind(deliberation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if decode::<DeliberationStatus>(&status.ok_or(StoreError::NotFound)?)? == DeliberationStatus::Closed {
            return Err(not_open("text"));
        }
        check_room(&mut tx, deliberation_id).await?;
        let (insight, proposition) = match origin {
            NewOrigin::Written => (None, None),
            NewOrigin::Insight(id) => (Some(id), None),
            NewOrigin::Proposition(id) => (None, Some(id)),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO statements (deliberation_id, text, text_key, state, insight_id, proposition_id, created_by, created_at)
             VALUES ($1, $2, $3, 'accepted', $4, $5, $6, $7) RETURNING id",
        )
        .bind(deliberation_id)
        .bind(text)
        .bind(statement_key(text))
        .bind(insight)
        .bind(proposition)
        .bind(by)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => missing_parent(e),
            _ => unique("text")(e),
        })?;
        tx.commit().await?;
        Ok(id)
    }

    async fn check_room(conn: &mut Conn, deliberation_id: i64) -> Result<(), StoreError> {
        let count: i64 =
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM statements WHERE deliberation_id = $1")
                .bind(deliberation_id)
                .fetch_one(&mut *conn)
                .await?;
        if count as usize >= MAX_STATEMENTS {
            return Err(StoreError::Invalid(Invalid::one(
                "text",
                format!("A Deliberation Day holds at most {MAX_STATEMENTS} statements"),
            )));
        }
        Ok(())
    }

    pub(super) async fn moderate_statement(
        pool: &DbPool,
        deliberation_id: i64,
        statement_id: i64,
        state: StatementState,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE statements SET state = $1, moderated_by = $2, moderated_at = $3
             WHERE id = $4 AND deliberation_id = $5",
        )
        .bind(state.code())
        .bind(by)
        .bind(now())
        .bind(statement_id)
        .bind(deliberation_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn statements(pool: &DbPool, deliberation_id: i64) -> Result<Vec<Statement>, StoreError> {
        let rows: Vec<StatementRow> = sqlx::query_as(
            "SELECT s.id, s.text, s.state, s.insight_id, s.proposition_id, s.attendee_id, s.external_id, s.created_at,
                    CAST(COALESCE(SUM(CASE WHEN v.vote = 1 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN v.vote = -1 THEN 1 ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN v.vote = 0 THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM statements s LEFT JOIN votes v ON v.deliberation_id = s.deliberation_id AND v.statement_id = s.id
             WHERE s.deliberation_id = $1
             GROUP BY s.id, s.text, s.state, s.insight_id, s.proposition_id, s.attendee_id, s.external_id, s.created_at
             ORDER BY s.id",
        )
        .bind(deliberation_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter().map(statement_from).collect()
    }

    pub(super) async fn accepted_statements(pool: &DbPool, deliberation_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, text FROM statements WHERE deliberation_id = $1 AND state = 'accepted' ORDER BY id",
        )
        .bind(deliberation_id)
        .fetch_all(pool)
        .await?)
    }
}

impl Store {
    /// A deliberation with its setup, propositions and questions.
    pub async fn deliberation(&self, id: i64) -> Result<Option<Deliberation>, StoreError> {
        dispatch!(self, deliberation(id))
    }

    /// The deliberation this join code opens, whatever its status.
    pub async fn deliberation_by_code(&self, code: &JoinCode) -> Result<Option<Deliberation>, StoreError> {
        dispatch!(self, deliberation_by_code(code))
    }

    /// A programme's deliberations, latest first, with how many attended and voted.
    pub async fn deliberations(&self, programme_id: i64) -> Result<Vec<DeliberationSummary>, StoreError> {
        dispatch!(self, deliberations(programme_id))
    }

    /// Sets up a deliberation (being set up, with a fresh join code) and its questionnaire.
    pub async fn create_deliberation(
        &self,
        programme_id: i64,
        input: &DeliberationInput,
        questions: &[String],
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, create_deliberation(programme_id, input, questions, by))
    }

    /// Changes a deliberation's setup. How attendees prioritise changes only while it is being set
    /// up, and the questions only until someone has answered them (`Invalid` naming the field).
    pub async fn edit_deliberation(
        &self,
        id: i64,
        input: &DeliberationInput,
        questions: &[String],
    ) -> Result<(), StoreError> {
        dispatch!(self, edit_deliberation(id, input, questions))
    }

    /// Deletes a deliberation with everything attendees gave to it.
    pub async fn delete_deliberation(&self, id: i64) -> Result<(), StoreError> {
        dispatch!(self, delete_deliberation(id))
    }

    /// The propositions a deliberation prioritises, in order: its programme's, each once, and
    /// changed only while it is being set up.
    pub async fn set_deliberation_propositions(&self, id: i64, proposition_ids: &[i64]) -> Result<(), StoreError> {
        dispatch!(self, set_deliberation_propositions(id, proposition_ids))
    }

    /// Opens, closes, reopens, or takes back to being set up (only before anyone has joined).
    pub async fn move_deliberation(&self, id: i64, to: DeliberationStatus) -> Result<(), StoreError> {
        dispatch!(self, move_deliberation(id, to))
    }

    /// Adds an accepted statement written by a facilitator or seeded from an insight or
    /// proposition. `Duplicate` naming `text` when the same words are there already.
    pub async fn add_statement(
        &self,
        deliberation_id: i64,
        text: &str,
        origin: NewOrigin,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, add_statement(deliberation_id, text, origin, by))
    }

    /// Accepts or rejects a statement (an attendee's, waiting, or any other).
    pub async fn moderate_statement(
        &self,
        deliberation_id: i64,
        statement_id: i64,
        state: StatementState,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, moderate_statement(deliberation_id, statement_id, state, by))
    }

    /// A deliberation's statements in the order added, with their vote counts.
    pub async fn statements(&self, deliberation_id: i64) -> Result<Vec<Statement>, StoreError> {
        dispatch!(self, statements(deliberation_id))
    }

    /// A deliberation's accepted statements (id and text) in the order added, without counting
    /// votes: what an attendee's pages need, on the path every phone takes.
    pub async fn accepted_statements(&self, deliberation_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        dispatch!(self, accepted_statements(deliberation_id))
    }
}
