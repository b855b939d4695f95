//! Pol.is interchange in the store: an open-data export imported as a finished (closed)
//! deliberation, in one transaction with batched inserts, so a conversation of tens of thousands of
//! votes loads in a moment and a failure saves nothing; and a deliberation read back as an export
//! with its attendees numbered from 0, never by their ids.

use std::collections::{HashMap, HashSet};

use heard_domain::Invalid;
use heard_domain::deliberation::days::{JoinCode, MAX_STATEMENTS, Stance, StatementState, statement_key};
use heard_domain::deliberation::polis::{Comment, Export, Moderated, OutgoingStatement, OutgoingVote, PolisVote};
use time::{Date, OffsetDateTime};

use crate::{Store, StoreError, decode, missing_parent, now};

/// Rows per INSERT: far below both backends' limits on parameters (SQLite 32,766, PostgreSQL
/// 65,535), large enough that the round trips do not dominate.
const BATCH: usize = 1_000;

/// Tries this many fresh join codes before giving up, as [`Store::create_deliberation`] does.
const JOIN_CODE_TRIES: usize = 8;

/// Whether a backend's parameters are numbered (`$1`) or anonymous (`?`). SQLite looks a numbered
/// parameter up by name, so binding n of them costs n²; anonymous ones are free.
trait Placeholders {
    const NUMBERED: bool;
}

impl Placeholders for sqlx::SqliteConnection {
    const NUMBERED: bool = false;
}

impl Placeholders for sqlx::PgConnection {
    const NUMBERED: bool = true;
}

/// `(...), (...)` for `rows` rows of `columns` parameters.
fn values(rows: usize, columns: usize, numbered: bool) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push_str(&format!("${}", row * columns + column + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(Invalid::one(field, message))
}

/// What is inserted, checked before anything is written: ids that fit the database, votes on
/// statements and participants the export lists, and a text key per statement (a comment whose
/// words repeat an earlier one's keeps its own key, marked with its id, since Pol.is allows both).
struct Checked<'a> {
    statements: Vec<(&'a Comment, i64, String)>,
    participants: Vec<i64>,
}

fn check(export: &Export) -> Result<Checked<'_>, StoreError> {
    if export.statements.is_empty() {
        return Err(invalid("comments", "The export holds no comments to import"));
    }
    if export.statements.len() > MAX_STATEMENTS {
        return Err(invalid(
            "comments",
            format!(
                "The export holds {} comments; a deliberation holds at most {MAX_STATEMENTS}",
                export.statements.len()
            ),
        ));
    }
    let mut ids = HashSet::new();
    let mut keys = HashSet::new();
    let mut statements = Vec::with_capacity(export.statements.len());
    for comment in &export.statements {
        let id = i64::try_from(comment.id)
            .map_err(|_| invalid("comment-id", format!("Comment {} has too large an id", comment.id)))?;
        if !ids.insert(id) {
            return Err(invalid("comment-id", format!("Comment {id} is listed twice")));
        }
        let mut key = statement_key(&comment.text);
        if !keys.insert(key.clone()) {
            // A folded key never has a word starting with '#', so this cannot meet a real one.
            key = format!("{key} #{id}");
            keys.insert(key.clone());
        }
        statements.push((comment, id, key));
    }
    let participants = export
        .participants
        .iter()
        .map(|&p| i64::try_from(p).map_err(|_| invalid("voter-id", format!("Participant {p} has too large an id"))))
        .collect::<Result<Vec<_>, _>>()?;
    for vote in &export.votes {
        if vote.statement >= statements.len() || vote.participant >= participants.len() {
            return Err(invalid("votes", "A vote refers to a comment or participant the export does not list"));
        }
    }
    Ok(Checked { statements, participants })
}

fn stance(vote: PolisVote) -> Stance {
    match vote {
        PolisVote::Agree => Stance::Agree,
        PolisVote::Disagree => Stance::Disagree,
        PolisVote::Pass => Stance::Pass,
    }
}

per_backend! {
    pub(super) async fn import_polis(
        pool: &DbPool,
        programme_id: i64,
        title: &str,
        held_on: Date,
        export: &Export,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        let checked = check(export)?;
        let numbered = <Conn as Placeholders>::NUMBERED;
        let at = now();
        let mut tries = 0;
        let (mut tx, deliberation_id) = loop {
            let mut tx = begin(pool).await?;
            let code = JoinCode::generate();
            let inserted: Result<i64, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO deliberations (programme_id, title, held_on, join_code, status, imported_from, created_by,
                     created_at, opened_at, closed_at)
                 VALUES ($1, $2, $3, $4, 'closed', 'polis', $5, $6, $6, $6) RETURNING id",
            )
            .bind(programme_id)
            .bind(title)
            .bind(held_on)
            .bind(code.as_str())
            .bind(by)
            .bind(at)
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok(id) => break (tx, id),
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() && tries + 1 < JOIN_CODE_TRIES => tries += 1,
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    return Err(StoreError::Duplicate { field: "join_code" })
                }
                Err(e) => return Err(missing_parent(e)),
            }
        };

        for chunk in checked.statements.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO statements (deliberation_id, text, text_key, state, external_id, created_by, created_at) VALUES {}",
                values(chunk.len(), 7, numbered)
            );
            let mut query = sqlx::query(&sql);
            for (comment, id, key) in chunk {
                query = query
                    .bind(deliberation_id)
                    .bind(comment.text.as_str())
                    .bind(key.as_str())
                    .bind(StatementState::Accepted.code())
                    .bind(*id)
                    .bind(by)
                    .bind(at);
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in checked.participants.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO attendees (deliberation_id, external_id, joined_at) VALUES {}",
                values(chunk.len(), 3, numbered)
            );
            let mut query = sqlx::query(&sql);
            for participant in chunk {
                query = query.bind(deliberation_id).bind(*participant).bind(at);
            }
            query.execute(&mut *tx).await.map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    invalid("voter-id", "A participant is listed twice")
                }
                _ => StoreError::Database(e),
            })?;
        }

        let statement_ids: HashMap<i64, i64> =
            sqlx::query_as("SELECT external_id, id FROM statements WHERE deliberation_id = $1")
                .bind(deliberation_id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let attendee_ids: HashMap<i64, i64> =
            sqlx::query_as("SELECT external_id, id FROM attendees WHERE deliberation_id = $1")
                .bind(deliberation_id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let statements: Vec<i64> = checked.statements.iter().map(|(_, id, _)| statement_ids[id]).collect();
        let attendees: Vec<i64> = checked.participants.iter().map(|p| attendee_ids[p]).collect();

        for chunk in export.votes.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO votes (deliberation_id, attendee_id, statement_id, vote, voted_at) VALUES {}",
                values(chunk.len(), 5, numbered)
            );
            let mut query = sqlx::query(&sql);
            for vote in chunk {
                query = query
                    .bind(deliberation_id)
                    .bind(attendees[vote.participant])
                    .bind(statements[vote.statement])
                    .bind(stance(vote.vote).value())
                    .bind(at);
            }
            query.execute(&mut *tx).await.map_err(|e| match &e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    invalid("votes", "A participant has two votes on one comment")
                }
                _ => StoreError::Database(e),
            })?;
        }
        tx.commit().await?;
        Ok(deliberation_id)
    }

    pub(super) async fn polis_export(pool: &DbPool, deliberation_id: i64) -> Result<PolisExport, StoreError> {
        let mut conn = pool.acquire().await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM deliberations WHERE id = $1")
            .bind(deliberation_id)
            .fetch_optional(&mut *conn)
            .await?;
        found.ok_or(StoreError::NotFound)?;
        let statements: Vec<(i64, String, String, Option<i64>, OffsetDateTime)> = sqlx::query_as(
            "SELECT id, text, state, attendee_id, created_at FROM statements
             WHERE deliberation_id = $1 AND state <> 'pending' ORDER BY id",
        )
        .bind(deliberation_id)
        .fetch_all(&mut *conn)
        .await?;
        let votes: Vec<(i64, i64, i64, OffsetDateTime)> = sqlx::query_as(
            "SELECT v.attendee_id, v.statement_id, v.vote, v.voted_at FROM votes v
             JOIN statements s ON s.id = v.statement_id AND s.state <> 'pending'
             WHERE v.deliberation_id = $1",
        )
        .bind(deliberation_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut attendees: Vec<i64> =
            votes.iter().map(|v| v.0).chain(statements.iter().filter_map(|s| s.3)).collect();
        attendees.sort_unstable();
        attendees.dedup();
        let number = |attendee: i64| attendees.binary_search(&attendee).map(|n| n as u64).ok();
        let comment: HashMap<i64, u64> = statements.iter().enumerate().map(|(n, s)| (s.0, n as u64)).collect();
        let statements = statements
            .into_iter()
            .enumerate()
            .map(|(n, (_, text, state, author, created_at))| {
                let moderated = match decode::<StatementState>(&state)? {
                    StatementState::Rejected => Moderated::Out,
                    _ => Moderated::In,
                };
                Ok(OutgoingStatement {
                    id: n as u64,
                    text,
                    author: author.and_then(number),
                    created_ms: millis(created_at),
                    moderated,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut votes = votes
            .into_iter()
            .filter_map(|(attendee, statement, vote, at)| {
                let vote = match Stance::from_value(vote)? {
                    Stance::Agree => PolisVote::Agree,
                    Stance::Disagree => PolisVote::Disagree,
                    Stance::Pass => PolisVote::Pass,
                };
                Some(OutgoingVote { participant: number(attendee)?, statement: *comment.get(&statement)?, vote, at_ms: millis(at) })
            })
            .collect::<Vec<_>>();
        votes.sort_by_key(|v| (v.participant, v.statement));
        Ok(PolisExport { statements, votes })
    }
}

impl Store {
    /// Imports a Pol.is export into a programme as a finished (closed) deliberation: each comment
    /// a statement (its `external_id` the comment-id), each participant an attendee (its
    /// `external_id` the voter-id; no token, no declared kind), and their latest votes. Everything in
    /// one transaction: on any error nothing is saved. `Invalid` names what is wrong in the
    /// export; `NotFound` when the programme does not exist.
    pub async fn import_polis(
        &self,
        programme_id: i64,
        title: &str,
        held_on: Date,
        export: &Export,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, import_polis(programme_id, title, held_on, export, by))
    }

    /// A deliberation as a Pol.is export holds it, for [`write_export`]: statements numbered
    /// from 0 in the order added (accepted ones in, rejected ones out; those still waiting for
    /// moderation are left out, since nobody has read them yet), and every vote. Attendees who
    /// voted or wrote a statement are numbered from 0 in the order they joined: never their ids,
    /// tokens or what they declared.
    ///
    /// [`write_export`]: heard_domain::deliberation::polis::write_export
    pub async fn polis_export(&self, deliberation_id: i64) -> Result<PolisExport, StoreError> {
        dispatch!(self, polis_export(deliberation_id))
    }
}

/// What [`Store::polis_export`] reads: owned, to lend to the writer as its `Outgoing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolisExport {
    pub statements: Vec<OutgoingStatement>,
    pub votes: Vec<OutgoingVote>,
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}
