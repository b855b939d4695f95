//! What attendees give to a Deliberation Day: joining with the code (no account; their phone keeps
//! a secret whose hash is stored), votes on statements (the latest counts), statements of their
//! own (waiting for moderation), pairwise choices, dot votes, and the questionnaire before and
//! after. Everything is refused unless the deliberation is open. Read back only for analysis and
//! as aggregates: no reader returns who voted what outside the server.

use std::collections::BTreeMap;

use heard_analysis::deliberation::prioritise::Pick;
use heard_analysis::deliberation::questionnaire::Moment;
use heard_domain::Invalid;
use heard_domain::deliberation::days::{
    Declaration, DeclaredKind, DeliberationStatus, MAX_STATEMENTS, Prioritisation, Stance, statement_key,
};
use heard_domain::governance::Sector;
use serde::Serialize;
use time::OffsetDateTime;

use super::not_open;
use crate::{Store, StoreError, decode, decode_count, now, unique};

/// The most statements one attendee may add to a deliberation.
pub const STATEMENTS_PER_ATTENDEE: i64 = 10;

/// An attendee of a deliberation, known only by what they declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendee {
    pub id: i64,
    pub deliberation_id: i64,
    pub kind: Option<DeclaredKind>,
    pub sector: Option<Sector>,
    #[serde(with = "time::serde::rfc3339")]
    pub joined_at: OffsetDateTime,
}

/// How many took part, and how: counts only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Participation {
    pub attendees: u32,
    /// Attendees who voted on at least one statement.
    pub voters: u32,
    pub votes: u64,
    /// Attendees by the kind they declared.
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_kind: BTreeMap<DeclaredKind, u32>,
    /// Attendees by the sector they declared.
    #[schema(value_type = BTreeMap<String, u32>)]
    pub by_sector: BTreeMap<Sector, u32>,
    /// Attendees' statements waiting for moderation.
    pub waiting: u32,
    pub pairwise_choices: u64,
    /// Attendees who placed dots.
    pub dot_voters: u32,
    /// Attendees who answered the questionnaire before, and after.
    pub answered_before: u32,
    pub answered_after: u32,
}

/// A deliberation's votes as the analysis wants them: attendees and accepted statements by
/// position, and each vote by those positions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoteData {
    /// Attendees who voted, by id, with the kind they declared.
    pub attendees: Vec<(i64, Option<DeclaredKind>)>,
    /// Accepted statements, by id.
    pub statements: Vec<i64>,
    /// (attendee position, statement position, stance).
    pub votes: Vec<(u32, u32, Stance)>,
}

/// A pairwise choice as the analysis wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairwiseRecord {
    pub attendee_id: i64,
    pub left: i64,
    pub right: i64,
    pub pick: Pick,
    pub kind: Option<DeclaredKind>,
}

/// Dots one attendee placed on one proposition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotRecord {
    pub proposition_id: i64,
    pub dots: u32,
    pub kind: Option<DeclaredKind>,
}

/// One answer to the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRecord {
    pub attendee_id: i64,
    pub question_id: i64,
    pub moment: Moment,
    pub value: i32,
    pub kind: Option<DeclaredKind>,
}

fn pick_code(pick: Pick) -> &'static str {
    match pick {
        Pick::Left => "left",
        Pick::Right => "right",
        Pick::CantDecide => "skip",
    }
}

fn moment_code(moment: Moment) -> &'static str {
    match moment {
        Moment::Before => "pre",
        Moment::After => "post",
    }
}

fn kind_of(code: Option<String>) -> Result<Option<DeclaredKind>, StoreError> {
    code.as_deref().map(decode).transpose()
}

type AttendeeRow = (i64, i64, Option<String>, Option<String>, OffsetDateTime);

per_backend! {
    /// The deliberation an attendee belongs to, if it is open, with how it prioritises.
    async fn open_deliberation_of(conn: &mut Conn, attendee_id: i64, field: &str) -> Result<(i64, Prioritisation, Option<i64>, bool), StoreError> {
        let row: Option<(i64, String, String, Option<i64>, bool)> = sqlx::query_as(
            "SELECT d.id, d.status, d.prioritisation, d.dots, d.attendee_statements
             FROM attendees a JOIN deliberations d ON d.id = a.deliberation_id WHERE a.id = $1",
        )
        .bind(attendee_id)
        .fetch_optional(&mut *conn)
        .await?;
        let (id, status, prioritisation, dots, statements) = row.ok_or(StoreError::NotFound)?;
        if decode::<DeliberationStatus>(&status)? != DeliberationStatus::Open {
            return Err(not_open(field));
        }
        Ok((id, decode(&prioritisation)?, dots, statements))
    }

    pub(super) async fn join_deliberation(
        pool: &DbPool,
        deliberation_id: i64,
        token_hash: &str,
        declaration: &Declaration,
    ) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM deliberations WHERE id = $1")
            .bind(deliberation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if decode::<DeliberationStatus>(&status.ok_or(StoreError::NotFound)?)? != DeliberationStatus::Open {
            return Err(not_open("code"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attendees (deliberation_id, token_hash, kind, sector, joined_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(deliberation_id)
        .bind(token_hash)
        .bind(declaration.kind.code())
        .bind(declaration.sector.map(|s| s.code()))
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("token"))?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn attendee(pool: &DbPool, token_hash: &str) -> Result<Option<Attendee>, StoreError> {
        let row: Option<AttendeeRow> = sqlx::query_as(
            "SELECT id, deliberation_id, kind, sector, joined_at FROM attendees WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?;
        row.map(|(id, deliberation_id, kind, sector, joined_at)| {
            Ok(Attendee {
                id,
                deliberation_id,
                kind: kind_of(kind)?,
                sector: sector.as_deref().map(decode).transpose()?,
                joined_at,
            })
        })
        .transpose()
    }

    pub(super) async fn vote(pool: &DbPool, attendee_id: i64, statement_id: i64, stance: Stance) -> Result<(), StoreError> {
        // One statement on the path every phone takes: counted only when the attendee's
        // deliberation is open and the statement is an accepted one of the same deliberation.
        let done = sqlx::query(
            "INSERT INTO votes (deliberation_id, attendee_id, statement_id, vote, voted_at)
             SELECT a.deliberation_id, a.id, s.id, $3, $4
             FROM attendees a
             JOIN deliberations d ON d.id = a.deliberation_id AND d.status = 'open'
             JOIN statements s ON s.deliberation_id = a.deliberation_id AND s.id = $2 AND s.state = 'accepted'
             WHERE a.id = $1
             ON CONFLICT (attendee_id, statement_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
        )
        .bind(attendee_id)
        .bind(statement_id)
        .bind(stance.value())
        .bind(now())
        .execute(pool)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(());
        }
        // Not counted: say why.
        let mut conn = pool.acquire().await?;
        let (deliberation_id, ..) = open_deliberation_of(&mut conn, attendee_id, "statement").await?;
        let of: Option<(i64, String)> = sqlx::query_as("SELECT deliberation_id, state FROM statements WHERE id = $1")
            .bind(statement_id)
            .fetch_optional(&mut *conn)
            .await?;
        Err(StoreError::Invalid(Invalid::one(
            "statement",
            match of {
                Some((d, state)) if d == deliberation_id && state != "accepted" => "That statement is not open for votes",
                _ => "That statement is not part of this Deliberation Day",
            },
        )))
    }

    pub(super) async fn attendee_votes(pool: &DbPool, attendee_id: i64) -> Result<Vec<(i64, Stance)>, StoreError> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT statement_id, vote FROM votes WHERE attendee_id = $1 ORDER BY statement_id")
                .bind(attendee_id)
                .fetch_all(pool)
                .await?;
        rows.into_iter()
            .map(|(statement, vote)| {
                let stance = Stance::from_value(vote).ok_or(StoreError::Database(sqlx::Error::Decode("vote out of range".into())))?;
                Ok((statement, stance))
            })
            .collect()
    }

    pub(super) async fn suggest_statement(pool: &DbPool, attendee_id: i64, text: &str) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let (deliberation_id, _, _, allowed) = open_deliberation_of(&mut tx, attendee_id, "text").await?;
        if !allowed {
            return Err(StoreError::Invalid(Invalid::one("text", "This Deliberation Day does not take attendees' statements")));
        }
        let theirs: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM statements WHERE attendee_id = $1")
            .bind(attendee_id)
            .fetch_one(&mut *tx)
            .await?;
        if theirs >= STATEMENTS_PER_ATTENDEE {
            return Err(StoreError::Invalid(Invalid::one(
                "text",
                format!("You have added {STATEMENTS_PER_ATTENDEE} statements, the most one person may add"),
            )));
        }
        let all: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM statements WHERE deliberation_id = $1")
            .bind(deliberation_id)
            .fetch_one(&mut *tx)
            .await?;
        if all as usize >= MAX_STATEMENTS {
            return Err(StoreError::Invalid(Invalid::one("text", "This Deliberation Day has as many statements as it can hold")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO statements (deliberation_id, text, text_key, state, attendee_id, created_at)
             VALUES ($1, $2, $3, 'pending', $4, $5) RETURNING id",
        )
        .bind(deliberation_id)
        .bind(text)
        .bind(statement_key(text))
        .bind(attendee_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("text"))?;
        tx.commit().await?;
        Ok(id)
    }

    pub(super) async fn vote_data(pool: &DbPool, deliberation_id: i64) -> Result<VoteData, StoreError> {
        let mut conn = pool.acquire().await?;
        let statements: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM statements WHERE deliberation_id = $1 AND state = 'accepted' ORDER BY id",
        )
        .bind(deliberation_id)
        .fetch_all(&mut *conn)
        .await?;
        let attendees: Vec<(i64, Option<String>)> = sqlx::query_as(
            "SELECT a.id, a.kind FROM attendees a WHERE a.deliberation_id = $1
               AND EXISTS (SELECT 1 FROM votes v WHERE v.attendee_id = a.id) ORDER BY a.id",
        )
        .bind(deliberation_id)
        .fetch_all(&mut *conn)
        .await?;
        let votes: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT v.attendee_id, v.statement_id, v.vote FROM votes v
             JOIN statements s ON s.id = v.statement_id AND s.state = 'accepted'
             WHERE v.deliberation_id = $1",
        )
        .bind(deliberation_id)
        .fetch_all(&mut *conn)
        .await?;
        let statement_at: BTreeMap<i64, u32> = statements.iter().enumerate().map(|(n, &id)| (id, n as u32)).collect();
        let attendee_at: BTreeMap<i64, u32> = attendees.iter().enumerate().map(|(n, a)| (a.0, n as u32)).collect();
        let mut data = VoteData {
            attendees: attendees.into_iter().map(|(id, kind)| Ok((id, kind_of(kind)?))).collect::<Result<_, StoreError>>()?,
            statements,
            votes: Vec::with_capacity(votes.len()),
        };
        for (attendee, statement, vote) in votes {
            if let (Some(&a), Some(&s), Some(stance)) = (attendee_at.get(&attendee), statement_at.get(&statement), Stance::from_value(vote)) {
                data.votes.push((a, s, stance));
            }
        }
        Ok(data)
    }

    pub(super) async fn participation(pool: &DbPool, deliberation_id: i64) -> Result<Participation, StoreError> {
        let mut conn = pool.acquire().await?;
        let declared: Vec<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT kind, sector FROM attendees WHERE deliberation_id = $1")
                .bind(deliberation_id)
                .fetch_all(&mut *conn)
                .await?;
        let counts: (i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT
                CAST((SELECT COUNT(DISTINCT attendee_id) FROM votes WHERE deliberation_id = $1) AS BIGINT),
                CAST((SELECT COUNT(*) FROM votes WHERE deliberation_id = $1) AS BIGINT),
                CAST((SELECT COUNT(*) FROM statements WHERE deliberation_id = $1 AND state = 'pending') AS BIGINT),
                CAST((SELECT COUNT(*) FROM pairwise_choices WHERE deliberation_id = $1) AS BIGINT),
                CAST((SELECT COUNT(DISTINCT attendee_id) FROM dot_votes WHERE deliberation_id = $1) AS BIGINT),
                CAST((SELECT COUNT(DISTINCT attendee_id) FROM questionnaire_answers WHERE deliberation_id = $1 AND moment = 'pre') AS BIGINT),
                CAST((SELECT COUNT(DISTINCT attendee_id) FROM questionnaire_answers WHERE deliberation_id = $1 AND moment = 'post') AS BIGINT)",
        )
        .bind(deliberation_id)
        .fetch_one(&mut *conn)
        .await?;
        let mut by_kind = BTreeMap::new();
        let mut by_sector = BTreeMap::new();
        for (kind, sector) in &declared {
            if let Some(kind) = kind_of(kind.clone())? {
                *by_kind.entry(kind).or_insert(0) += 1;
            }
            if let Some(sector) = sector.as_deref().map(decode::<Sector>).transpose()? {
                *by_sector.entry(sector).or_insert(0) += 1;
            }
        }
        Ok(Participation {
            attendees: decode_count(declared.len() as i64)?,
            voters: decode_count(counts.0)?,
            votes: u64::try_from(counts.1).unwrap_or(0),
            by_kind,
            by_sector,
            waiting: decode_count(counts.2)?,
            pairwise_choices: u64::try_from(counts.3).unwrap_or(0),
            dot_voters: decode_count(counts.4)?,
            answered_before: decode_count(counts.5)?,
            answered_after: decode_count(counts.6)?,
        })
    }

    pub(super) async fn choose_pair(pool: &DbPool, attendee_id: i64, left: i64, right: i64, pick: Pick) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let (deliberation_id, prioritisation, ..) = open_deliberation_of(&mut tx, attendee_id, "choice").await?;
        if prioritisation != Prioritisation::Pairwise {
            return Err(StoreError::Invalid(Invalid::one("choice", "This Deliberation Day does not prioritise by pairs")));
        }
        if left == right {
            return Err(StoreError::Invalid(Invalid::one("choice", "Choose between two different propositions")));
        }
        sqlx::query(
            "INSERT INTO pairwise_choices (deliberation_id, attendee_id, left_id, right_id, pick, chosen_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(deliberation_id)
        .bind(attendee_id)
        .bind(left)
        .bind(right)
        .bind(pick_code(pick))
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::Invalid(Invalid::one("choice", "Those propositions are not being prioritised here"))
            }
            _ => StoreError::Database(e),
        })?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn pairwise_choices(pool: &DbPool, deliberation_id: i64) -> Result<Vec<PairwiseRecord>, StoreError> {
        let rows: Vec<(i64, i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT c.attendee_id, c.left_id, c.right_id, c.pick, a.kind FROM pairwise_choices c
             JOIN attendees a ON a.id = c.attendee_id WHERE c.deliberation_id = $1 ORDER BY c.id",
        )
        .bind(deliberation_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(attendee_id, left, right, pick, kind)| {
                let pick = match pick.as_str() {
                    "left" => Pick::Left,
                    "right" => Pick::Right,
                    _ => Pick::CantDecide,
                };
                Ok(PairwiseRecord { attendee_id, left, right, pick, kind: kind_of(kind)? })
            })
            .collect()
    }

    pub(super) async fn place_dots(pool: &DbPool, attendee_id: i64, dots: &[(i64, u32)]) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let (deliberation_id, prioritisation, allowed, _) = open_deliberation_of(&mut tx, attendee_id, "dots").await?;
        if prioritisation != Prioritisation::Dots {
            return Err(StoreError::Invalid(Invalid::one("dots", "This Deliberation Day does not prioritise by dots")));
        }
        let allowed = allowed.unwrap_or(0);
        let total: i64 = dots.iter().map(|&(_, n)| i64::from(n)).sum();
        if total > allowed {
            return Err(StoreError::Invalid(Invalid::one("dots", format!("You have {allowed} dots: you placed {total}"))));
        }
        sqlx::query("DELETE FROM dot_votes WHERE attendee_id = $1").bind(attendee_id).execute(&mut *tx).await?;
        for &(proposition, n) in dots.iter().filter(|d| d.1 > 0) {
            sqlx::query("INSERT INTO dot_votes (deliberation_id, attendee_id, proposition_id, dots) VALUES ($1, $2, $3, $4)")
                .bind(deliberation_id)
                .bind(attendee_id)
                .bind(proposition)
                .bind(i64::from(n))
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                        StoreError::Invalid(Invalid::one("dots", "Place dots only on the propositions shown"))
                    }
                    sqlx::Error::Database(db) if db.is_unique_violation() => {
                        StoreError::Invalid(Invalid::one("dots", "Give each proposition its dots once"))
                    }
                    _ => StoreError::Database(e),
                })?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn attendee_dots(pool: &DbPool, attendee_id: i64) -> Result<Vec<(i64, u32)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT proposition_id, dots FROM dot_votes WHERE attendee_id = $1 ORDER BY proposition_id")
            .bind(attendee_id)
            .fetch_all(pool)
            .await?;
        rows.into_iter().map(|(p, n)| Ok((p, decode_count(n)?))).collect()
    }

    pub(super) async fn dot_votes(pool: &DbPool, deliberation_id: i64) -> Result<Vec<DotRecord>, StoreError> {
        let rows: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT d.proposition_id, d.dots, a.kind FROM dot_votes d JOIN attendees a ON a.id = d.attendee_id
             WHERE d.deliberation_id = $1 ORDER BY d.proposition_id",
        )
        .bind(deliberation_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(proposition_id, dots, kind)| Ok(DotRecord { proposition_id, dots: decode_count(dots)?, kind: kind_of(kind)? }))
            .collect()
    }

    pub(super) async fn answer_questions(pool: &DbPool, attendee_id: i64, moment: Moment, answers: &[(i64, i32)]) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let (deliberation_id, ..) = open_deliberation_of(&mut tx, attendee_id, "questions").await?;
        for &(question, value) in answers {
            sqlx::query(
                "INSERT INTO questionnaire_answers (deliberation_id, attendee_id, question_id, moment, value, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (attendee_id, question_id, moment) DO UPDATE SET value = excluded.value, answered_at = excluded.answered_at",
            )
            .bind(deliberation_id)
            .bind(attendee_id)
            .bind(question)
            .bind(moment_code(moment))
            .bind(i64::from(value))
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_foreign_key_violation() || db.is_check_violation() => {
                    StoreError::Invalid(Invalid::one(format!("q{question}"), "Answer the questions shown, from 1 to 5"))
                }
                _ => StoreError::Database(e),
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn questionnaire_answers(pool: &DbPool, deliberation_id: i64) -> Result<Vec<AnswerRecord>, StoreError> {
        let rows: Vec<(i64, i64, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT q.attendee_id, q.question_id, q.moment, q.value, a.kind FROM questionnaire_answers q
             JOIN attendees a ON a.id = q.attendee_id WHERE q.deliberation_id = $1 ORDER BY q.attendee_id, q.question_id",
        )
        .bind(deliberation_id)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(attendee_id, question_id, moment, value, kind)| {
                Ok(AnswerRecord {
                    attendee_id,
                    question_id,
                    moment: if moment == "pre" { Moment::Before } else { Moment::After },
                    value: i32::try_from(value).unwrap_or(0),
                    kind: kind_of(kind)?,
                })
            })
            .collect()
    }

    pub(super) async fn attendee_answers(pool: &DbPool, attendee_id: i64) -> Result<Vec<(i64, Moment, i32)>, StoreError> {
        let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT question_id, moment, value FROM questionnaire_answers WHERE attendee_id = $1 ORDER BY question_id",
        )
        .bind(attendee_id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(q, m, v)| (q, if m == "pre" { Moment::Before } else { Moment::After }, i32::try_from(v).unwrap_or(0)))
            .collect())
    }
}

impl Store {
    /// Joins an open deliberation as a new attendee whose phone keeps the token hashed here.
    pub async fn join_deliberation(
        &self,
        deliberation_id: i64,
        token_hash: &str,
        declaration: &Declaration,
    ) -> Result<i64, StoreError> {
        dispatch!(self, join_deliberation(deliberation_id, token_hash, declaration))
    }

    /// The attendee whose phone holds the token with this hash.
    pub async fn attendee(&self, token_hash: &str) -> Result<Option<Attendee>, StoreError> {
        dispatch!(self, attendee(token_hash))
    }

    /// Records an attendee's vote, replacing an earlier one on the same statement. `Invalid`
    /// naming `statement` when the deliberation is not open or the statement is not an accepted
    /// one of it.
    pub async fn vote(&self, attendee_id: i64, statement_id: i64, stance: Stance) -> Result<(), StoreError> {
        dispatch!(self, vote(attendee_id, statement_id, stance))
    }

    /// An attendee's own votes, by statement.
    pub async fn attendee_votes(&self, attendee_id: i64) -> Result<Vec<(i64, Stance)>, StoreError> {
        dispatch!(self, attendee_votes(attendee_id))
    }

    /// An attendee's statement, waiting for moderation; only where the deliberation takes them,
    /// and at most [`STATEMENTS_PER_ATTENDEE`] from one attendee.
    pub async fn suggest_statement(&self, attendee_id: i64, text: &str) -> Result<i64, StoreError> {
        dispatch!(self, suggest_statement(attendee_id, text))
    }

    /// Votes on accepted statements, for the analysis.
    pub async fn vote_data(&self, deliberation_id: i64) -> Result<VoteData, StoreError> {
        dispatch!(self, vote_data(deliberation_id))
    }

    /// Who took part and how, in counts.
    pub async fn participation(&self, deliberation_id: i64) -> Result<Participation, StoreError> {
        dispatch!(self, participation(deliberation_id))
    }

    /// Records a pairwise choice between two of the deliberation's propositions.
    pub async fn choose_pair(&self, attendee_id: i64, left: i64, right: i64, pick: Pick) -> Result<(), StoreError> {
        dispatch!(self, choose_pair(attendee_id, left, right, pick))
    }

    pub async fn pairwise_choices(&self, deliberation_id: i64) -> Result<Vec<PairwiseRecord>, StoreError> {
        dispatch!(self, pairwise_choices(deliberation_id))
    }

    /// Replaces an attendee's dots: (proposition, dots), at most the deliberation's dots in all.
    pub async fn place_dots(&self, attendee_id: i64, dots: &[(i64, u32)]) -> Result<(), StoreError> {
        dispatch!(self, place_dots(attendee_id, dots))
    }

    pub async fn attendee_dots(&self, attendee_id: i64) -> Result<Vec<(i64, u32)>, StoreError> {
        dispatch!(self, attendee_dots(attendee_id))
    }

    pub async fn dot_votes(&self, deliberation_id: i64) -> Result<Vec<DotRecord>, StoreError> {
        dispatch!(self, dot_votes(deliberation_id))
    }

    /// Records answers (question, 1 to 5) before or after; answering again replaces.
    pub async fn answer_questions(
        &self,
        attendee_id: i64,
        moment: Moment,
        answers: &[(i64, i32)],
    ) -> Result<(), StoreError> {
        dispatch!(self, answer_questions(attendee_id, moment, answers))
    }

    pub async fn questionnaire_answers(&self, deliberation_id: i64) -> Result<Vec<AnswerRecord>, StoreError> {
        dispatch!(self, questionnaire_answers(deliberation_id))
    }

    /// An attendee's own answers: (question, moment, value).
    pub async fn attendee_answers(&self, attendee_id: i64) -> Result<Vec<(i64, Moment, i32)>, StoreError> {
        dispatch!(self, attendee_answers(attendee_id))
    }
}
