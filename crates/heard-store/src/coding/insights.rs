//! Insights: findings stated in a sentence, with the excerpts that support them and those that cut
//! against them, and their breadth (who is behind them). And the programme's gaps: which kinds of
//! participant, age bands and areas are thin in the evidence ("who have we not heard").

use std::collections::{BTreeMap, BTreeSet};

use heard_domain::coding::codebook::Stance;
use heard_domain::voice::participants::{AgeBand, ConsentPurpose, ParticipantKind};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, now};

/// An insight in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InsightSummary {
    pub id: i64,
    pub statement: String,
    pub supporting: i64,
    pub contradicting: i64,
    /// Distinct participants heard in the supporting excerpts.
    pub participants: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A participant heard in a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Voice {
    pub id: i64,
    pub pseudonym: String,
    pub kind: ParticipantKind,
}

/// An excerpt attached to an insight, with where it came from. `quotable` says whether everyone
/// heard in its source consents to anonymous quotation now; the web layer shows the quote to
/// commissioners only then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub excerpt_id: i64,
    pub stance: Stance,
    pub quote: String,
    pub quotable: bool,
    pub source_id: i64,
    pub source_title: String,
    pub collected_on: Option<Date>,
    pub activity: Option<String>,
    pub voices: Vec<Voice>,
}

/// Who is behind an insight's supporting evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = InsightBreadth)]
pub struct Breadth {
    pub participants: usize,
    /// Distinct participants of each kind, most first.
    pub by_kind: Vec<(ParticipantKind, usize)>,
    pub sources: usize,
    pub activities: usize,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Breadth {
    fn of(evidence: &[Evidence]) -> Breadth {
        let supporting: Vec<&Evidence> = evidence.iter().filter(|e| e.stance == Stance::Supports).collect();
        let people: BTreeMap<i64, ParticipantKind> =
            supporting.iter().flat_map(|e| e.voices.iter().map(|v| (v.id, v.kind))).collect();
        let mut by_kind: BTreeMap<ParticipantKind, usize> = BTreeMap::new();
        for kind in people.values() {
            *by_kind.entry(*kind).or_default() += 1;
        }
        let mut by_kind: Vec<_> = by_kind.into_iter().collect();
        by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let dates: Vec<Date> = supporting.iter().filter_map(|e| e.collected_on).collect();
        Breadth {
            participants: people.len(),
            by_kind,
            sources: supporting.iter().map(|e| e.source_id).collect::<BTreeSet<_>>().len(),
            activities: supporting.iter().filter_map(|e| e.activity.as_deref()).collect::<BTreeSet<_>>().len(),
            from: dates.iter().min().copied(),
            to: dates.iter().max().copied(),
        }
    }
}

/// An insight whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Insight {
    pub id: i64,
    pub programme_id: i64,
    pub statement: String,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub evidence: Vec<Evidence>,
    pub breadth: Breadth,
}

/// One row of the "who have we not heard" view: a value of an attribute (a kind of participant,
/// an age band, an area) and how many of the programme's participants with it are in the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Gap {
    /// `kind`, `age_band` or `area`.
    pub attribute: String,
    /// The value's code (e.g. `carer`), or the area as entered; empty for "not recorded".
    pub value: String,
    pub label: String,
    /// Participants registered with this value.
    pub registered: i64,
    /// Of them, heard in at least one source.
    pub heard: i64,
    /// Of them, heard in a coded excerpt.
    pub coded: i64,
    /// Of them, heard in an insight's evidence.
    pub in_insights: i64,
    /// Thin: nobody with this value in the coded evidence, or under a fifth of the share of
    /// coded participants that the value has among those registered.
    pub thin: bool,
}

/// A participant's kind, age band and area, and whether heard, coded, in an insight.
type PersonRow = (String, Option<String>, Option<String>, bool, bool, bool);

/// source id, participant id, pseudonym, kind, consents to anonymous quotation.
type VoiceRow = (i64, i64, String, String, bool);

type EvidenceRow = (i64, String, String, i64, String, Option<Date>, Option<String>);

per_backend! {
    pub(super) async fn add_insight(pool: &DbPool, programme_id: i64, statement: &str, by: i64) -> Result<i64, StoreError> {
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO insights (programme_id, statement, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(programme_id)
        .bind(statement)
        .bind(by)
        .bind(at)
        .fetch_one(pool)
        .await
        .map_err(crate::missing_parent)?;
        Ok(id)
    }

    pub(super) async fn edit_insight(pool: &DbPool, programme_id: i64, id: i64, statement: &str) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE insights SET statement = $1, updated_at = $2 WHERE id = $3 AND programme_id = $4")
            .bind(statement)
            .bind(now())
            .bind(id)
            .bind(programme_id)
            .execute(pool)
            .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn attach_evidence(
        pool: &DbPool,
        programme_id: i64,
        insight_id: i64,
        excerpt_id: i64,
        stance: Stance,
        by: i64,
    ) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let insight: Option<i64> = sqlx::query_scalar("SELECT id FROM insights WHERE id = $1 AND programme_id = $2")
            .bind(insight_id)
            .bind(programme_id)
            .fetch_optional(&mut *tx)
            .await?;
        let excerpt: Option<i64> = sqlx::query_scalar(
            "SELECT e.id FROM excerpts e JOIN sources s ON s.id = e.source_id WHERE e.id = $1 AND s.programme_id = $2",
        )
        .bind(excerpt_id)
        .bind(programme_id)
        .fetch_optional(&mut *tx)
        .await?;
        if insight.is_none() {
            return Err(StoreError::NotFound);
        }
        if excerpt.is_none() {
            return Err(heard_domain::Invalid::one("excerpt", "Choose an excerpt of this programme").into());
        }
        sqlx::query(
            "INSERT INTO insight_evidence (insight_id, excerpt_id, stance, added_by, added_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (insight_id, excerpt_id) DO UPDATE SET stance = excluded.stance, added_by = excluded.added_by, added_at = excluded.added_at",
        )
        .bind(insight_id)
        .bind(excerpt_id)
        .bind(stance.code())
        .bind(by)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE insights SET updated_at = $1 WHERE id = $2").bind(now()).bind(insight_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn detach_evidence(pool: &DbPool, programme_id: i64, insight_id: i64, excerpt_id: i64) -> Result<(), StoreError> {
        let done = sqlx::query(
            "DELETE FROM insight_evidence WHERE insight_id = $1 AND excerpt_id = $2
             AND insight_id IN (SELECT id FROM insights WHERE programme_id = $3)",
        )
        .bind(insight_id)
        .bind(excerpt_id)
        .bind(programme_id)
        .execute(pool)
        .await?;
        crate::found(done.rows_affected())
    }

    pub(super) async fn insights(pool: &DbPool, programme_id: i64) -> Result<Vec<InsightSummary>, StoreError> {
        let rows: Vec<(i64, String, i64, i64, i64, OffsetDateTime)> = sqlx::query_as(
            "SELECT i.id, i.statement,
                 (SELECT COUNT(*) FROM insight_evidence v WHERE v.insight_id = i.id AND v.stance = 'supports'),
                 (SELECT COUNT(*) FROM insight_evidence v WHERE v.insight_id = i.id AND v.stance = 'contradicts'),
                 (SELECT COUNT(DISTINCT sp.participant_id) FROM insight_evidence v JOIN excerpts e ON e.id = v.excerpt_id
                     JOIN source_participants sp ON sp.source_id = e.source_id
                     WHERE v.insight_id = i.id AND v.stance = 'supports'),
                 i.updated_at
             FROM insights i WHERE i.programme_id = $1 ORDER BY i.updated_at DESC, i.id DESC",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, statement, supporting, contradicting, participants, updated_at)| InsightSummary {
                id,
                statement,
                supporting,
                contradicting,
                participants,
                updated_at,
            })
            .collect())
    }

    pub(super) async fn insight(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<Insight>, StoreError> {
        let Some((statement, created_by, creator, created_at)): Option<(String, Option<i64>, Option<String>, OffsetDateTime)> =
            sqlx::query_as(
                "SELECT i.statement, i.created_by, u.display_name, i.created_at FROM insights i
                 LEFT JOIN users u ON u.id = i.created_by WHERE i.id = $1 AND i.programme_id = $2",
            )
            .bind(id)
            .bind(programme_id)
            .fetch_optional(pool)
            .await?
        else {
            return Ok(None);
        };
        let rows: Vec<EvidenceRow> = sqlx::query_as(
            "SELECT v.excerpt_id, v.stance, e.quote, s.id, s.title, s.collected_on, a.title
             FROM insight_evidence v JOIN excerpts e ON e.id = v.excerpt_id JOIN sources s ON s.id = e.source_id
             LEFT JOIN activities a ON a.id = s.activity_id
             WHERE v.insight_id = $1 ORDER BY v.stance DESC, s.collected_on, e.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        // Everyone heard in each source, with whether they consent to anonymous quotation now.
        let voices: Vec<VoiceRow> = sqlx::query_as(
            "SELECT sp.source_id, p.id, p.pseudonym, p.kind,
                 EXISTS (SELECT 1 FROM consents c WHERE c.participant_id = p.id AND c.purpose = $2 AND c.withdrawn_on IS NULL)
             FROM source_participants sp JOIN participants p ON p.id = sp.participant_id
             WHERE sp.source_id IN (SELECT e.source_id FROM insight_evidence v JOIN excerpts e ON e.id = v.excerpt_id WHERE v.insight_id = $1)
             ORDER BY p.pseudonym_key",
        )
        .bind(id)
        .bind(ConsentPurpose::AnonymousQuotation.code())
        .fetch_all(pool)
        .await?;
        let mut evidence = Vec::with_capacity(rows.len());
        for (excerpt_id, stance, quote, source_id, source_title, collected_on, activity) in rows {
            let heard: Vec<&VoiceRow> = voices.iter().filter(|v| v.0 == source_id).collect();
            evidence.push(Evidence {
                excerpt_id,
                stance: decode(&stance)?,
                quote,
                quotable: heard.iter().all(|v| v.4),
                source_id,
                source_title,
                collected_on,
                activity,
                voices: heard
                    .iter()
                    .map(|v| Ok(Voice { id: v.1, pseudonym: v.2.clone(), kind: decode(&v.3)? }))
                    .collect::<Result<_, StoreError>>()?,
            });
        }
        let breadth = Breadth::of(&evidence);
        Ok(Some(Insight {
            id,
            programme_id,
            statement,
            created_by: created_by.zip(creator).map(|(id, display_name)| UserRef { id, display_name }),
            created_at,
            evidence,
            breadth,
        }))
    }

    pub(super) async fn gaps(pool: &DbPool, programme_id: i64) -> Result<Vec<Gap>, StoreError> {
        let people: Vec<PersonRow> = sqlx::query_as(
            "SELECT p.kind, p.age_band, p.area,
                 EXISTS (SELECT 1 FROM source_participants sp WHERE sp.participant_id = p.id),
                 EXISTS (SELECT 1 FROM source_participants sp JOIN excerpts e ON e.source_id = sp.source_id
                         JOIN codings g ON g.excerpt_id = e.id WHERE sp.participant_id = p.id),
                 EXISTS (SELECT 1 FROM source_participants sp JOIN excerpts e ON e.source_id = sp.source_id
                         JOIN insight_evidence v ON v.excerpt_id = e.id WHERE sp.participant_id = p.id)
             FROM participants p WHERE p.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        gap_rows(&people)
    }
}

/// Tallies participants by each attribute. Every kind and age band appears, registered or not, so
/// a kind nobody has registered shows as a gap too.
fn gap_rows(people: &[PersonRow]) -> Result<Vec<Gap>, StoreError> {
    let total = people.len() as f64;
    let coded_total = people.iter().filter(|p| p.4).count() as f64;
    let tally = |attribute: &str, value: String, label: String, matches: &dyn Fn(&PersonRow) -> bool| {
        let with: Vec<_> = people.iter().filter(|p| matches(p)).collect();
        let registered = with.len() as i64;
        let coded = with.iter().filter(|p| p.4).count() as i64;
        // Expected coded people if this value were heard in proportion to its registrations.
        let expected = if total > 0.0 { coded_total * registered as f64 / total } else { 0.0 };
        Gap {
            attribute: attribute.to_owned(),
            value,
            label,
            registered,
            heard: with.iter().filter(|p| p.3).count() as i64,
            coded,
            in_insights: with.iter().filter(|p| p.5).count() as i64,
            thin: coded == 0 || (coded as f64) < expected / 5.0,
        }
    };
    let mut gaps = Vec::new();
    for &kind in ParticipantKind::ALL {
        gaps.push(tally("kind", kind.code().to_owned(), kind.label().to_owned(), &|p| p.0 == kind.code()));
    }
    for &band in AgeBand::ALL {
        gaps.push(tally("age_band", band.code().to_owned(), band.label().to_owned(), &|p| {
            p.1.as_deref() == Some(band.code())
        }));
    }
    gaps.push(tally("age_band", String::new(), "Not recorded".to_owned(), &|p| p.1.is_none()));
    let areas: BTreeSet<&str> = people.iter().filter_map(|p| p.2.as_deref()).collect();
    for area in areas {
        gaps.push(tally("area", area.to_owned(), area.to_owned(), &|p| p.2.as_deref() == Some(area)));
    }
    Ok(gaps)
}

impl Store {
    /// States an insight in a programme.
    pub async fn add_insight(&self, programme_id: i64, statement: &str, by: i64) -> Result<i64, StoreError> {
        dispatch!(self, add_insight(programme_id, statement, by))
    }

    /// Rewrites an insight's statement.
    pub async fn edit_insight(&self, programme_id: i64, id: i64, statement: &str) -> Result<(), StoreError> {
        dispatch!(self, edit_insight(programme_id, id, statement))
    }

    /// Attaches an excerpt to an insight as supporting or cutting against it (changing its stance
    /// if it was attached already). `Invalid` naming `excerpt` if it is not the programme's.
    pub async fn attach_evidence(
        &self,
        programme_id: i64,
        insight_id: i64,
        excerpt_id: i64,
        stance: Stance,
        by: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self, attach_evidence(programme_id, insight_id, excerpt_id, stance, by))
    }

    /// Takes an excerpt off an insight.
    pub async fn detach_evidence(&self, programme_id: i64, insight_id: i64, excerpt_id: i64) -> Result<(), StoreError> {
        dispatch!(self, detach_evidence(programme_id, insight_id, excerpt_id))
    }

    /// A programme's insights, most recently changed first.
    pub async fn insights(&self, programme_id: i64) -> Result<Vec<InsightSummary>, StoreError> {
        dispatch!(self, insights(programme_id))
    }

    /// One insight with its evidence and breadth.
    pub async fn insight(&self, programme_id: i64, id: i64) -> Result<Option<Insight>, StoreError> {
        dispatch!(self, insight(programme_id, id))
    }

    /// Who the programme has and has not heard, by kind, age band and area.
    pub async fn gaps(&self, programme_id: i64) -> Result<Vec<Gap>, StoreError> {
        dispatch!(self, gaps(programme_id))
    }
}
