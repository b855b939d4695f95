//! Subject access: everything Heard holds about one participant, for them to be given (their
//! consents and contact details, the sources they are heard in with original and redacted text
//! and answers, the excerpts coded from them, and where their words were used), read in one
//! transaction, with the export audited in it.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{Erase, Erasure};
use crate::Participant;
use crate::{Store, StoreError, decode_count};

/// Everything held about one participant.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectAccess {
    pub programme: String,
    #[serde(with = "time::serde::rfc3339")]
    pub made_at: OffsetDateTime,
    pub participant: Participant,
    /// Personal data; only in this export for the person themselves.
    pub contact_details: Option<String>,
    pub sources: Vec<HeldSource>,
    pub excerpts: Vec<HeldExcerpt>,
    pub uses: Vec<WordsUsed>,
    pub erasures: Vec<Erasure>,
}

/// A source the participant is heard in.
#[derive(Debug, Clone, Serialize)]
pub struct HeldSource {
    pub id: i64,
    pub kind: heard_domain::voice::sources::SourceKind,
    pub title: String,
    pub collected_on: Option<Date>,
    pub original_text: String,
    pub redacted_text: String,
    /// A story form's answers, or an import's extra columns.
    pub answers: BTreeMap<String, String>,
    /// A recording's media type and size, if the source holds one.
    pub recording: Option<(String, i64)>,
    /// How many other people are heard in it (never who).
    pub others_heard: u32,
}

/// An excerpt coded from one of their sources, with the codes applied to it.
#[derive(Debug, Clone, Serialize)]
pub struct HeldExcerpt {
    pub id: i64,
    pub source_id: i64,
    pub quote: String,
    pub codes: Vec<String>,
}

/// A place their words were used: an insight (with its stance) or a cause map's factor.
#[derive(Debug, Clone, Serialize)]
pub struct WordsUsed {
    /// `insight` or `cause map factor`.
    pub what: &'static str,
    pub id: i64,
    /// The insight's statement, or the map's title and the factor's label.
    pub text: String,
    pub excerpt_id: i64,
    pub stance: Option<String>,
}

per_backend! {
    async fn heard_in(conn: &mut Conn, participant_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT source_id FROM source_participants WHERE participant_id = $1
             UNION SELECT source_id FROM story_answers WHERE participant_id = $1 ORDER BY 1",
        )
        .bind(participant_id)
        .fetch_all(&mut *conn)
        .await?)
    }

    pub(super) async fn subject_access_uses(
        pool: &DbPool,
        programme_id: i64,
        participant_id: i64,
        by: i64,
    ) -> Result<(Vec<i64>, Vec<u32>, Vec<WordsUsed>, Option<String>), StoreError> {
        let mut tx = begin(pool).await?;
        let contact: Option<Option<String>> =
            sqlx::query_scalar("SELECT contact_details FROM participants WHERE programme_id = $1 AND id = $2")
                .bind(programme_id)
                .bind(participant_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(contact) = contact else { return Err(StoreError::NotFound) };
        let sources = heard_in(&mut tx, participant_id).await?;
        let mut others = Vec::with_capacity(sources.len());
        let mut uses = Vec::new();
        for &source in &sources {
            let n: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM source_participants WHERE source_id = $1 AND participant_id <> $2",
            )
            .bind(source)
            .bind(participant_id)
            .fetch_one(&mut *tx)
            .await?;
            others.push(decode_count(n)?);
            let insights: Vec<(i64, String, i64, String)> = sqlx::query_as(
                "SELECT i.id, i.statement, ie.excerpt_id, ie.stance FROM insight_evidence ie
                 JOIN insights i ON i.id = ie.insight_id JOIN excerpts e ON e.id = ie.excerpt_id
                 WHERE e.source_id = $1 ORDER BY i.id, ie.excerpt_id",
            )
            .bind(source)
            .fetch_all(&mut *tx)
            .await?;
            uses.extend(insights.into_iter().map(|(id, text, excerpt_id, stance)| WordsUsed {
                what: "insight",
                id,
                text,
                excerpt_id,
                stance: Some(stance),
            }));
            let factors: Vec<(i64, String, String, i64)> = sqlx::query_as(
                "SELECT f.id, m.title, f.label, fe.excerpt_id FROM factor_evidence fe
                 JOIN factors f ON f.id = fe.factor_id JOIN cause_maps m ON m.id = f.map_id
                 JOIN excerpts e ON e.id = fe.excerpt_id WHERE e.source_id = $1 ORDER BY f.id, fe.excerpt_id",
            )
            .bind(source)
            .fetch_all(&mut *tx)
            .await?;
            uses.extend(factors.into_iter().map(|(id, map, label, excerpt_id)| WordsUsed {
                what: "cause map factor",
                id,
                text: format!("{map}: {label}"),
                excerpt_id,
                stance: None,
            }));
        }
        tx.record_in_audit_log(Some(by), "subject_access.exported", &format!("participant {participant_id}")).await?;
        tx.commit().await?;
        Ok((sources, others, uses, contact))
    }
}

impl Store {
    /// Everything held about a participant of a programme, for a subject access request made by
    /// `by` (audited as `subject_access.exported`: it holds original text and contact details).
    /// `NotFound` if there is no such participant.
    pub async fn subject_access(
        &self,
        programme_id: i64,
        programme: &str,
        participant_id: i64,
        by: i64,
    ) -> Result<SubjectAccess, StoreError> {
        let (source_ids, others, uses, contact_details) =
            dispatch!(self, subject_access_uses(programme_id, participant_id, by))?;
        let participant = self.participant(programme_id, participant_id).await?.ok_or(StoreError::NotFound)?;
        let mut sources = Vec::with_capacity(source_ids.len());
        let mut excerpts = Vec::new();
        for (id, others_heard) in source_ids.into_iter().zip(others) {
            let Some(source) = self.source(programme_id, id).await? else { continue };
            for excerpt in self.source_excerpts(programme_id, id).await? {
                let mut codes: Vec<String> = excerpt.codings.iter().map(|c| c.code_name.clone()).collect();
                codes.sort();
                codes.dedup();
                excerpts.push(HeldExcerpt { id: excerpt.id, source_id: id, quote: excerpt.quote, codes });
            }
            sources.push(HeldSource {
                id,
                kind: source.kind,
                title: source.title,
                collected_on: source.collected_on,
                original_text: source.text.original().to_owned(),
                redacted_text: source.redacted_text,
                answers: source.attributes,
                recording: source.media.map(|m| (m.media_type, m.bytes)),
                others_heard,
            });
        }
        Ok(SubjectAccess {
            programme: programme.to_owned(),
            made_at: crate::now(),
            participant,
            contact_details,
            sources,
            excerpts,
            uses,
            erasures: self.erasures(programme_id, Some(participant_id)).await?,
        })
    }
}
