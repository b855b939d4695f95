//! Sources: the records that hold people's words, each kept as its original text and a redacted
//! copy. Only [`Screened`] text can be stored, so nothing arrives without passing the detector.
//! Redaction reviews rewrite the redacted copy in the same transaction as the decision, and the
//! search index (SQLite FTS5 kept by triggers; PostgreSQL a generated `tsvector` column) changes
//! with the row it indexes, so it never holds what the sources table no longer holds.

use std::collections::BTreeMap;

use heard_analysis::voice::redaction::{PiiKind, Span};
use heard_analysis::voice::screening::{Review, Screened, spans_from_json, spans_to_json};
use heard_domain::voice::participants::{ConsentPurpose, ParticipantKind};
use heard_domain::voice::sources::{ReviewDecision, SearchQuery, SourceKind, default_title};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::audit::{AuditConn, AuditEntry};
use crate::coding::CodingConn;
use crate::journeys::UserRef;
use crate::{Store, StoreError, decode, missing_parent, now};

/// How many sources a list or search page holds.
pub const PAGE_SIZE: i64 = 20;
/// Search counts matches up to this many, and says "more than" beyond.
pub const COUNT_LIMIT: i64 = 250;
/// Marks the start and end of a matched word in a search snippet (private-use characters, which
/// source text never holds: the web layer escapes the snippet, then turns these into `<mark>`).
pub const MATCH_START: char = '\u{E001}';
pub const MATCH_END: char = '\u{E002}';

/// What a correction of a source's text did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// Excerpts whose words are unchanged, now counted in the corrected text.
    pub excerpts_carried: usize,
    /// Excerpts whose words changed: they stay on the old version until placed again.
    pub excerpts_to_place: usize,
    pub reviews_kept: usize,
    pub reviews_dropped: usize,
}

/// A film's media file in the media store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Media {
    /// The content address: SHA-256 of the file, in lower-case hex.
    pub address: String,
    /// The media type, e.g. `video/mp4` or `audio/wav`.
    pub media_type: String,
    pub bytes: i64,
}

/// A source to add. The text is [`Screened`]: already run through the detector.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub kind: SourceKind,
    /// Blank means one is made from the kind and date.
    pub title: Option<String>,
    pub text: Screened,
    pub collected_on: Option<Date>,
    pub activity_id: Option<i64>,
    pub participant_ids: Vec<i64>,
    pub attributes: BTreeMap<String, String>,
    pub media: Option<Media>,
    /// A film's cue timings in milliseconds, one per line of the text.
    pub cue_timings: Option<Vec<(u64, u64)>>,
}

/// A participant heard in a source, with the purposes they consent to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SourceParticipant {
    pub id: i64,
    pub pseudonym: String,
    pub kind: ParticipantKind,
    pub current_consents: Vec<ConsentPurpose>,
}

/// An activity a source came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ActivityRef {
    pub id: i64,
    pub title: String,
}

/// A researcher's decision on one span, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewRecord {
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub decision: ReviewDecision,
    pub reviewed_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub reviewed_at: OffsetDateTime,
}

/// One source, whole. The original text, the detected spans and the reviews never serialise from
/// here: the web layer adds them only for roles (and consent) that allow.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Source {
    pub id: i64,
    pub programme_id: i64,
    pub activity: Option<ActivityRef>,
    pub kind: SourceKind,
    pub title: String,
    pub collected_on: Option<Date>,
    #[serde(skip)]
    #[schema(ignore)]
    pub text: Screened,
    pub redacted_text: String,
    #[serde(skip)]
    #[schema(ignore)]
    pub reviews: Vec<ReviewRecord>,
    pub participants: Vec<SourceParticipant>,
    pub attributes: BTreeMap<String, String>,
    pub media: Option<Media>,
    /// A film's cue timings in milliseconds, one per line of the text.
    pub cue_timings: Option<Vec<(u64, u64)>>,
    pub created_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Source {
    /// Does everyone heard in this source consent to `purpose` now? True for a source with no
    /// participants (a field note about a place, say): nobody's consent is in question.
    pub fn consented_to(&self, purpose: ConsentPurpose) -> bool {
        self.participants.iter().all(|p| p.current_consents.contains(&purpose))
    }

    /// The spans hidden now: the detector's, as the researcher's reviews leave them.
    pub fn hidden_spans(&self) -> Vec<Span> {
        heard_analysis::voice::screening::reviewed_spans(self.text.detected(), &self.review_decisions())
    }

    /// The reviews as the redaction engine takes them.
    pub fn review_decisions(&self) -> Vec<Review> {
        self.reviews
            .iter()
            .filter_map(|r| {
                let kind = PiiKind::from_code(&r.kind)?;
                Some(Review { span: Span { start: r.start, end: r.end, kind }, decision: r.decision })
            })
            .collect()
    }
}

/// A source in a list or search result: no text but a short redacted preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SourceSummary {
    pub id: i64,
    pub programme_id: i64,
    pub programme_slug: String,
    pub programme_name: String,
    pub kind: SourceKind,
    pub title: String,
    pub collected_on: Option<Date>,
    /// The start of the redacted text.
    pub preview: String,
    pub has_media: bool,
}

/// What a list or search is narrowed to. Every filter is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    pub programme_id: Option<i64>,
    pub kind: Option<SourceKind>,
    pub participant_kind: Option<ParticipantKind>,
    pub activity_id: Option<i64>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// An attribute (an imported column, or a story form's answer) and the value it must have.
    pub attribute: Option<(String, String)>,
}

/// One match: the source and a snippet of its redacted text with matches between
/// [`MATCH_START`] and [`MATCH_END`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    pub source: SourceSummary,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// How many sources match, counted up to [`COUNT_LIMIT`].
    pub total: i64,
    /// True when more than [`COUNT_LIMIT`] match.
    pub more: bool,
    /// True when the hits are in order of relevance (bm25 on SQLite, `ts_rank` on PostgreSQL);
    /// false when more than [`COUNT_LIMIT`] match and they are newest first instead.
    pub by_relevance: bool,
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    id: i64,
    programme_id: i64,
    activity_id: Option<i64>,
    activity_title: Option<String>,
    kind: String,
    title: String,
    collected_on: Option<Date>,
    original_text: String,
    redacted_text: String,
    detected_spans: String,
    attributes: String,
    media_address: Option<String>,
    media_type: Option<String>,
    media_bytes: Option<i64>,
    cue_timings: Option<String>,
    created_by: Option<i64>,
    creator_name: Option<String>,
    created_at: OffsetDateTime,
}

/// start, end, kind, decision, reviewer's id and name, when.
type ReviewRow = (i64, i64, String, String, Option<i64>, Option<String>, OffsetDateTime);

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    programme_id: i64,
    programme_slug: String,
    programme_name: String,
    kind: String,
    title: String,
    collected_on: Option<Date>,
    preview: String,
    has_media: bool,
}

impl SummaryRow {
    fn into_summary(self) -> Result<SourceSummary, StoreError> {
        Ok(SourceSummary {
            id: self.id,
            programme_id: self.programme_id,
            programme_slug: self.programme_slug,
            programme_name: self.programme_name,
            kind: decode(&self.kind)?,
            title: self.title,
            collected_on: self.collected_on,
            preview: self.preview,
            has_media: self.has_media,
        })
    }
}

#[derive(sqlx::FromRow)]
struct HitRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    snippet: String,
}

const SOURCE_SELECT: &str = "SELECT s.id, s.programme_id, s.activity_id, a.title AS activity_title, s.kind, s.title, \
     s.collected_on, s.original_text, s.redacted_text, s.detected_spans, s.attributes, s.media_address, s.media_type, \
     s.media_bytes, s.cue_timings, s.created_by, u.display_name AS creator_name, s.created_at \
     FROM sources s LEFT JOIN activities a ON a.id = s.activity_id LEFT JOIN users u ON u.id = s.created_by";

const SUMMARY_COLUMNS: &str = "s.id, s.programme_id, p.slug AS programme_slug, p.name AS programme_name, s.kind, \
     s.title, s.collected_on, substr(s.redacted_text, 1, 240) AS preview, (s.media_address IS NOT NULL) AS has_media";

/// A value a filter binds.
enum FilterValue {
    Id(i64),
    Text(String),
    Date(Date),
}

/// The filters given, as SQL conditions on `s` (sources) with their values. Only the filters
/// given appear, so the planner can use an index for them and the query reads no column it does not
/// need; placeholders are numbered from `$first`. `date` is the backend's cast for a date.
fn filter_conditions(filters: &SearchFilters, first: usize, date: &str) -> (String, Vec<FilterValue>) {
    let mut sql = vec!["1 = 1".to_owned()];
    let mut values = Vec::new();
    let mut next = |value: FilterValue| {
        values.push(value);
        format!("${}", first + values.len() - 1)
    };
    if let Some(id) = filters.programme_id {
        sql.push(format!("s.programme_id = {}", next(FilterValue::Id(id))));
    }
    if let Some(kind) = filters.kind {
        sql.push(format!("s.kind = {}", next(FilterValue::Text(kind.code().to_owned()))));
    }
    if let Some(kind) = filters.participant_kind {
        sql.push(format!(
            "EXISTS (SELECT 1 FROM source_participants sp JOIN participants pa ON pa.id = sp.participant_id \
             WHERE sp.source_id = s.id AND pa.kind = {})",
            next(FilterValue::Text(kind.code().to_owned()))
        ));
    }
    if let Some(id) = filters.activity_id {
        sql.push(format!("s.activity_id = {}", next(FilterValue::Id(id))));
    }
    if let Some(from) = filters.from {
        sql.push(format!("s.collected_on >= {}{date}", next(FilterValue::Date(from))));
    }
    if let Some(to) = filters.to {
        sql.push(format!("s.collected_on <= {}{date}", next(FilterValue::Date(to))));
    }
    if let Some((key, value)) = &filters.attribute {
        let (key, value) = (next(FilterValue::Text(key.clone())), next(FilterValue::Text(value.clone())));
        // Any key at all, quotes included: SQLite's json_each rather than a JSON path built from it.
        sql.push(if date.is_empty() {
            format!("EXISTS (SELECT 1 FROM json_each(s.attributes) a WHERE a.key = {key} AND a.value = {value})")
        } else {
            format!("(s.attributes::jsonb ->> {key}) = {value}")
        });
    }
    (sql.join(" AND "), values)
}

/// Binds [`filter_conditions`]'s values in order.
macro_rules! bind_filters {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                FilterValue::Id(id) => query.bind(*id),
                FilterValue::Text(text) => query.bind(text.clone()),
                FilterValue::Date(date) => query.bind(*date),
            };
        }
        query
    }};
}

fn timings_to_json(timings: &[(u64, u64)]) -> String {
    serde_json::to_string(timings).unwrap_or_else(|_| "[]".to_owned())
}

fn corrupt(what: &'static str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

fn assemble(
    row: SourceRow,
    participants: Vec<SourceParticipant>,
    reviews: Vec<ReviewRecord>,
) -> Result<Source, StoreError> {
    let detected = spans_from_json(&row.detected_spans).ok_or_else(|| corrupt("detected spans"))?;
    let attributes = serde_json::from_str(&row.attributes).map_err(|_| corrupt("attributes"))?;
    let cue_timings = row
        .cue_timings
        .as_deref()
        .map(|json| serde_json::from_str(json).map_err(|_| corrupt("cue timings")))
        .transpose()?;
    let media = match (row.media_address, row.media_type) {
        (Some(address), Some(media_type)) => Some(Media { address, media_type, bytes: row.media_bytes.unwrap_or(0) }),
        _ => None,
    };
    Ok(Source {
        id: row.id,
        programme_id: row.programme_id,
        activity: match (row.activity_id, row.activity_title) {
            (Some(id), Some(title)) => Some(ActivityRef { id, title }),
            _ => None,
        },
        kind: decode(&row.kind)?,
        title: row.title,
        collected_on: row.collected_on,
        redacted_text: row.redacted_text.clone(),
        text: Screened::from_stored(row.original_text, row.redacted_text, detected),
        reviews,
        participants,
        attributes,
        media,
        cue_timings,
        created_by: match (row.created_by, row.creator_name) {
            (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
            _ => None,
        },
        created_at: row.created_at,
    })
}

per_backend! {
    async fn load_source(conn: &mut Conn, programme_id: i64, id: i64) -> Result<Option<Source>, StoreError> {
        let Some(row) = sqlx::query_as::<_, SourceRow>(&format!("{SOURCE_SELECT} WHERE s.programme_id = $1 AND s.id = $2"))
            .bind(programme_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(None);
        };
        let heard: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT p.id, p.pseudonym, p.kind FROM source_participants sp JOIN participants p ON p.id = sp.participant_id
             WHERE sp.source_id = $1 ORDER BY p.pseudonym_key, p.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let consents: Vec<(i64, String)> = sqlx::query_as(
            "SELECT c.participant_id, c.purpose FROM consents c JOIN source_participants sp ON sp.participant_id = c.participant_id
             WHERE sp.source_id = $1 AND c.withdrawn_on IS NULL",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let mut participants = Vec::with_capacity(heard.len());
        for (pid, pseudonym, kind) in heard {
            let mut current_consents = consents
                .iter()
                .filter(|(of, _)| *of == pid)
                .map(|(_, purpose)| decode::<ConsentPurpose>(purpose))
                .collect::<Result<Vec<_>, _>>()?;
            current_consents.sort();
            participants.push(SourceParticipant { id: pid, pseudonym, kind: decode(&kind)?, current_consents });
        }
        let reviews: Vec<ReviewRow> = sqlx::query_as(
            "SELECT r.start_char, r.end_char, r.kind, r.decision, r.reviewed_by, u.display_name, r.reviewed_at
             FROM redaction_reviews r LEFT JOIN users u ON u.id = r.reviewed_by WHERE r.source_id = $1
             ORDER BY r.start_char, r.end_char",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let reviews = reviews
            .into_iter()
            .map(|(start, end, kind, decision, by, name, at)| {
                Ok(ReviewRecord {
                    start: usize::try_from(start).map_err(|_| corrupt("review start"))?,
                    end: usize::try_from(end).map_err(|_| corrupt("review end"))?,
                    kind,
                    decision: decode(&decision)?,
                    reviewed_by: match (by, name) {
                        (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
                        _ => None,
                    },
                    reviewed_at: at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        assemble(row, participants, reviews).map(Some)
    }

    /// Inserts one source and its participants inside the caller's transaction. Participants and
    /// the activity must belong to the programme (`Invalid` naming the field otherwise).
    pub(crate) async fn insert_source(
        conn: &mut Conn,
        programme_id: i64,
        new: &NewSource,
        by: Option<i64>,
    ) -> Result<i64, StoreError> {
        if let Some(activity_id) = new.activity_id {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM activities WHERE id = $1 AND programme_id = $2")
                .bind(activity_id)
                .bind(programme_id)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Err(StoreError::Invalid(heard_domain::Invalid::one("activity", "Choose an activity of this programme")));
            }
        }
        let attributes = serde_json::to_string(&new.attributes).map_err(|_| corrupt("attributes"))?;
        let title = new.title.clone().unwrap_or_else(|| default_title(new.kind, new.collected_on));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sources (programme_id, activity_id, kind, title, collected_on, original_text, redacted_text,
             detected_spans, attributes, media_address, media_type, media_bytes, cue_timings, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        )
        .bind(programme_id)
        .bind(new.activity_id)
        .bind(new.kind.code())
        .bind(title)
        .bind(new.collected_on)
        .bind(new.text.original())
        .bind(new.text.redacted())
        .bind(spans_to_json(new.text.detected()))
        .bind(attributes)
        .bind(new.media.as_ref().map(|m| m.address.as_str()))
        .bind(new.media.as_ref().map(|m| m.media_type.as_str()))
        .bind(new.media.as_ref().map(|m| m.bytes))
        .bind(new.cue_timings.as_deref().map(timings_to_json))
        .bind(by)
        .bind(now())
        .fetch_one(&mut *conn)
        .await
        .map_err(missing_parent)?;
        for &participant_id in &new.participant_ids {
            let done = sqlx::query(
                "INSERT INTO source_participants (source_id, participant_id)
                 SELECT $1, id FROM participants WHERE id = $2 AND programme_id = $3 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(participant_id)
            .bind(programme_id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM participants WHERE id = $1 AND programme_id = $2")
                    .bind(participant_id)
                    .bind(programme_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::Invalid(heard_domain::Invalid::one(
                        "participants",
                        "Choose participants of this programme",
                    )));
                }
            }
        }
        Ok(id)
    }

    pub(super) async fn add_source(
        pool: &DbPool,
        programme_id: i64,
        new: &NewSource,
        by: Option<i64>,
    ) -> Result<Source, StoreError> {
        let mut tx = begin(pool).await?;
        let id = insert_source(&mut tx, programme_id, new, by).await?;
        let source = load_source(&mut tx, programme_id, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(source)
    }

    pub(super) async fn source(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<Source>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_source(&mut conn, programme_id, id).await
    }

    pub(super) async fn known_names(pool: &DbPool, programme_id: i64) -> Result<Vec<String>, StoreError> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT pseudonym FROM participants WHERE programme_id = $1 UNION SELECT display_name FROM users",
        )
        .bind(programme_id)
        .fetch_all(pool)
        .await?;
        Ok(names)
    }

    pub(super) async fn sources(
        pool: &DbPool,
        filters: &SearchFilters,
        page: i64,
        date_cast: &str,
    ) -> Result<(Vec<SourceSummary>, i64), StoreError> {
        // $1 and $2 are the page; the filters follow.
        let (conditions, values) = filter_conditions(filters, 3, date_cast);
        let sql_rows = format!(
            "SELECT {SUMMARY_COLUMNS} FROM sources s JOIN programmes p ON p.id = s.programme_id WHERE {conditions}
             ORDER BY s.collected_on DESC, s.id DESC LIMIT $1 OFFSET $2"
        );
        let rows: Vec<SummaryRow> = bind_filters!(
            sqlx::query_as::<_, SummaryRow>(&sql_rows).bind(PAGE_SIZE).bind(page.max(0).saturating_mul(PAGE_SIZE)),
            &values
        )
        .fetch_all(pool)
        .await?;
        let (conditions, values) = filter_conditions(filters, 1, date_cast);
        let sql_total = format!("SELECT COUNT(*) FROM sources s WHERE {conditions}");
        let total: i64 = bind_filters!(sqlx::query_scalar::<_, i64>(&sql_total), &values).fetch_one(pool).await?;
        Ok((rows.into_iter().map(SummaryRow::into_summary).collect::<Result<_, _>>()?, total))
    }

    pub(super) async fn review_span(
        pool: &DbPool,
        programme_id: i64,
        source_id: i64,
        span: Span,
        decision: ReviewDecision,
        by: i64,
    ) -> Result<Source, StoreError> {
        let mut tx = begin(pool).await?;
        let source = load_source(&mut tx, programme_id, source_id).await?.ok_or(StoreError::NotFound)?;
        let text_chars = source.text.original().chars().count();
        if span.end > text_chars || span.start >= span.end {
            return Err(StoreError::Invalid(heard_domain::Invalid::one("end", "The span must lie inside the text")));
        }
        let detected = source.text.detected().iter().any(|s| s.start == span.start && s.end == span.end);
        let added = source
            .reviews
            .iter()
            .any(|r| r.start == span.start && r.end == span.end && r.decision == ReviewDecision::Added);
        if decision != ReviewDecision::Added && !detected && !added {
            return Err(StoreError::NotFound);
        }
        if decision == ReviewDecision::Removed && added && !detected {
            // Removing a span the researcher added takes the addition back.
            sqlx::query("DELETE FROM redaction_reviews WHERE source_id = $1 AND start_char = $2 AND end_char = $3")
                .bind(source_id)
                .bind(i64::try_from(span.start).map_err(|_| corrupt("span"))?)
                .bind(i64::try_from(span.end).map_err(|_| corrupt("span"))?)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO redaction_reviews (source_id, start_char, end_char, kind, decision, reviewed_by, reviewed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (source_id, start_char, end_char) DO UPDATE SET kind = excluded.kind, decision = excluded.decision,
                 reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
            )
            .bind(source_id)
            .bind(i64::try_from(span.start).map_err(|_| corrupt("span"))?)
            .bind(i64::try_from(span.end).map_err(|_| corrupt("span"))?)
            .bind(span.kind.code())
            .bind(decision.code())
            .bind(by)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let source = load_source(&mut tx, programme_id, source_id).await?.ok_or(StoreError::NotFound)?;
        let redacted = source.text.reviewed(&source.review_decisions());
        // A coded text is fixed: the coded version is kept and its excerpts carried across.
        tx.carry_excerpts(source_id, &source.redacted_text, &redacted, Some(by)).await?;
        sqlx::query("UPDATE sources SET redacted_text = $1 WHERE id = $2")
            .bind(&redacted)
            .bind(source_id)
            .execute(&mut *tx)
            .await?;
        let subject = format!("source {source_id}, span {}..{}, {}", span.start, span.end, decision.code());
        tx.append_audit(&AuditEntry::of_action("source.redaction_reviewed", subject).by(by)).await?;
        let source = load_source(&mut tx, programme_id, source_id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(source)
    }

    pub(super) async fn correct_text(
        pool: &DbPool,
        programme_id: i64,
        source_id: i64,
        text: &Screened,
        by: i64,
    ) -> Result<Correction, StoreError> {
        let mut tx = begin(pool).await?;
        let source = load_source(&mut tx, programme_id, source_id).await?.ok_or(StoreError::NotFound)?;
        if source.cue_timings.is_some() {
            return Err(StoreError::Invalid(heard_domain::Invalid::one(
                "text",
                "A film's transcript keeps one line per cue: it cannot be corrected here",
            )));
        }
        // Reviews count in characters of the original: each moves with its words, or goes with them.
        let old_spans: Vec<(usize, usize)> = source.reviews.iter().map(|r| (r.start, r.end)).collect();
        let places = heard_analysis::coding::versions::carry(source.text.original(), text.original(), &old_spans);
        sqlx::query("DELETE FROM redaction_reviews WHERE source_id = $1").bind(source_id).execute(&mut *tx).await?;
        let mut kept = Vec::new();
        for (review, place) in source.reviews.iter().zip(places) {
            let Some((start, end)) = place else { continue };
            sqlx::query(
                "INSERT INTO redaction_reviews (source_id, start_char, end_char, kind, decision, reviewed_by, reviewed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(source_id)
            .bind(i64::try_from(start).map_err(|_| corrupt("span"))?)
            .bind(i64::try_from(end).map_err(|_| corrupt("span"))?)
            .bind(&review.kind)
            .bind(review.decision.code())
            .bind(review.reviewed_by.as_ref().map(|u| u.id))
            .bind(review.reviewed_at)
            .execute(&mut *tx)
            .await?;
            if let Some(kind) = PiiKind::from_code(&review.kind) {
                kept.push(Review { span: Span { start, end, kind }, decision: review.decision });
            }
        }
        let redacted = text.reviewed(&kept);
        let before: Vec<(i64, bool)> = sqlx::query_as(
            "SELECT id, text_version = (SELECT text_version FROM sources WHERE id = $1) FROM excerpts WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.carry_excerpts(source_id, &source.redacted_text, &redacted, Some(by)).await?;
        sqlx::query("UPDATE sources SET original_text = $1, redacted_text = $2, detected_spans = $3 WHERE id = $4")
            .bind(text.original())
            .bind(&redacted)
            .bind(spans_to_json(text.detected()))
            .bind(source_id)
            .execute(&mut *tx)
            .await?;
        let after: Vec<(i64, bool)> = sqlx::query_as(
            "SELECT id, text_version = (SELECT text_version FROM sources WHERE id = $1) FROM excerpts WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_all(&mut *tx)
        .await?;
        let was_current: Vec<i64> = before.iter().filter(|(_, current)| *current).map(|(id, _)| *id).collect();
        let carried = after.iter().filter(|(id, current)| *current && was_current.contains(id)).count();
        let entry = AuditEntry::of_action("source.text_corrected", format!("source {source_id}")).by(by);
        tx.append_audit(&entry).await?;
        tx.commit().await?;
        Ok(Correction {
            excerpts_carried: carried,
            excerpts_to_place: was_current.len() - carried,
            reviews_kept: kept.len(),
            reviews_dropped: source.reviews.len() - kept.len(),
        })
    }
}

// For other modules that add a source inside a transaction of their own (story forms).
pub(crate) use postgres::insert_source as insert_source_postgres;
pub(crate) use sqlite::insert_source as insert_source_sqlite;

/// The query as FTS5 syntax: each word and phrase quoted (so no input is an operator), all required.
fn fts5_query(query: &SearchQuery) -> String {
    let mut parts: Vec<String> = query.words.iter().map(|w| format!("\"{w}\"")).collect();
    parts.extend(query.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))));
    parts.join(" ")
}

/// The query as `websearch_to_tsquery` input: words and quoted phrases, all required.
fn websearch_query(query: &SearchQuery) -> String {
    let mut parts: Vec<String> = query.words.clone();
    parts.extend(query.phrases.iter().map(|p| format!("\"{}\"", p.join(" "))));
    parts.join(" ")
}

async fn search_sqlite(
    pool: &sqlx::SqlitePool,
    query: &SearchQuery,
    filters: &SearchFilters,
    page: i64,
) -> Result<SearchResults, StoreError> {
    // $1 is the query, $2 and $3 the limit and offset; the filters follow.
    let (conditions, values) = filter_conditions(filters, 4, "");
    let matched = fts5_query(query);
    // Counting up to COUNT_LIMIT + 1 matches is cheap (FTS5 reads the index in rowid order and
    // stops). Ranking is not: bm25 reads every matching term's whole doclist for its document
    // frequency, so a word in most of a million sources costs tens of milliseconds whatever the
    // LIMIT. So: when few enough match, rank them all by bm25 (exact); when more match, show the
    // newest first and say so, and the searcher narrows with words or filters to get a ranking.
    // CROSS JOIN keeps the index walk outermost: left to itself, SQLite's planner may scan a
    // programme's sources and probe the index for each (70 times slower on a million sources).
    let sql_total = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM sources_search CROSS JOIN sources s ON s.id = sources_search.rowid
             WHERE sources_search MATCH $1 AND {conditions} LIMIT $2 OFFSET $3)"
    );
    let total: i64 = bind_filters!(
        sqlx::query_scalar::<_, i64>(&sql_total).bind(&matched).bind(COUNT_LIMIT + 1).bind(0_i64),
        &values
    )
    .fetch_one(pool)
    .await?;
    let by_relevance = total <= COUNT_LIMIT;
    // Newest first is written as `rowid DESC` so FTS5 reads its index backwards and stops after
    // the page. The snippet is made in the same walk: joining back to the index for it afterwards
    // would run the whole query again for each row.
    let order = if by_relevance { "sources_search.rank, s.id" } else { "sources_search.rowid DESC" };
    let sql_hits = format!(
        "SELECT {SUMMARY_COLUMNS}, snippet(sources_search, 0, '{MATCH_START}', '{MATCH_END}', '…', 24) AS snippet
         FROM sources_search CROSS JOIN sources s ON s.id = sources_search.rowid JOIN programmes p ON p.id = s.programme_id
         WHERE sources_search MATCH $1 AND {conditions}
         ORDER BY {order} LIMIT $2 OFFSET $3"
    );
    let hits: Vec<HitRow> = bind_filters!(
        sqlx::query_as::<_, HitRow>(&sql_hits)
            .bind(&matched)
            .bind(PAGE_SIZE)
            .bind(page.max(0).saturating_mul(PAGE_SIZE)),
        &values
    )
    .fetch_all(pool)
    .await?;
    results(hits, total, by_relevance)
}

async fn search_postgres(
    pool: &sqlx::PgPool,
    query: &SearchQuery,
    filters: &SearchFilters,
    page: i64,
) -> Result<SearchResults, StoreError> {
    // $1 is the query, $2 and $3 the limit and offset; the filters follow.
    let (conditions, values) = filter_conditions(filters, 4, "::date");
    let matched = websearch_query(query);
    // As on SQLite: rank by ts_rank when few enough match; otherwise newest first.
    let sql_total = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM sources s WHERE s.search_vector @@ websearch_to_tsquery('heard', $1)
             AND {conditions} LIMIT $2 OFFSET $3) AS matched"
    );
    let total: i64 = bind_filters!(
        sqlx::query_scalar::<_, i64>(&sql_total).bind(&matched).bind(COUNT_LIMIT + 1).bind(0_i64),
        &values
    )
    .fetch_one(pool)
    .await?;
    let by_relevance = total <= COUNT_LIMIT;
    let (rank, order) =
        if by_relevance { ("ts_rank(s.search_vector, q.q)", "rank DESC, s.id") } else { ("0::real", "s.id DESC") };
    let options = format!(
        "StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=30, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \""
    );
    let outer_order = if by_relevance { "top.rank DESC, s.id" } else { "s.id DESC" };
    let sql_hits = format!(
        "WITH q AS (SELECT websearch_to_tsquery('heard', $1) AS q),
             top AS (SELECT s.id, {rank} AS rank FROM sources s, q
                     WHERE s.search_vector @@ q.q AND {conditions}
                     ORDER BY {order} LIMIT $2 OFFSET $3)
             SELECT {SUMMARY_COLUMNS}, ts_headline('heard', s.redacted_text, q.q, '{options}') AS snippet
             FROM top JOIN sources s ON s.id = top.id JOIN programmes p ON p.id = s.programme_id, q
             ORDER BY {outer_order}"
    );
    let hits: Vec<HitRow> = bind_filters!(
        sqlx::query_as::<_, HitRow>(&sql_hits)
            .bind(&matched)
            .bind(PAGE_SIZE)
            .bind(page.max(0).saturating_mul(PAGE_SIZE)),
        &values
    )
    .fetch_all(pool)
    .await?;
    results(hits, total, by_relevance)
}

fn results(hits: Vec<HitRow>, total: i64, by_relevance: bool) -> Result<SearchResults, StoreError> {
    let hits = hits
        .into_iter()
        .map(|row| Ok(SearchHit { source: row.summary.into_summary()?, snippet: row.snippet }))
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(SearchResults { hits, total: total.min(COUNT_LIMIT), more: total > COUNT_LIMIT, by_relevance })
}

impl Store {
    /// Adds a source (its text already screened), with its participants, in one transaction.
    /// `NotFound` if there is no such programme; `Invalid` naming `activity` or `participants` if
    /// they are not the programme's.
    pub async fn add_source(&self, programme_id: i64, new: &NewSource, by: Option<i64>) -> Result<Source, StoreError> {
        dispatch!(self, add_source(programme_id, new, by))
    }

    /// One source of a programme, whole.
    pub async fn source(&self, programme_id: i64, id: i64) -> Result<Option<Source>, StoreError> {
        dispatch!(self, source(programme_id, id))
    }

    /// The names the detector must always find in a programme's sources: its participants'
    /// pseudonyms and every user's name.
    pub async fn known_names(&self, programme_id: i64) -> Result<Vec<String>, StoreError> {
        dispatch!(self, known_names(programme_id))
    }

    /// A page (from 0) of sources matching the filters, newest first, and how many match in all.
    pub async fn sources(&self, filters: &SearchFilters, page: i64) -> Result<(Vec<SourceSummary>, i64), StoreError> {
        match &self.pool {
            crate::Pool::Sqlite(pool) => sqlite::sources(pool, filters, page, "").await,
            crate::Pool::Postgres(pool) => postgres::sources(pool, filters, page, "::date").await,
        }
    }

    /// Records a researcher's decision on a span and rewrites the redacted text (and so the search
    /// index) in the same transaction; audited. `NotFound` for a confirmation or removal of a span
    /// the detector did not find; `Invalid` for a span outside the text.
    pub async fn review_span(
        &self,
        programme_id: i64,
        source_id: i64,
        span: Span,
        decision: ReviewDecision,
        by: i64,
    ) -> Result<Source, StoreError> {
        dispatch!(self, review_span(programme_id, source_id, span, decision, by))
    }

    /// Replaces a source's text with a correction (screened anew), in one transaction: each
    /// redaction review moves with its words or goes with them, the redacted text is made again,
    /// and, if the source is coded, the coded version is kept and its excerpts carried across where
    /// their words are unchanged. Audited. `Invalid` naming `text` for a film, whose lines are cues.
    pub async fn correct_source_text(
        &self,
        programme_id: i64,
        source_id: i64,
        text: &Screened,
        by: i64,
    ) -> Result<Correction, StoreError> {
        dispatch!(self, correct_text(programme_id, source_id, text, by))
    }

    /// Full-text search over redacted text only, ranked, one page (from 0) at a time.
    pub async fn search(
        &self,
        query: &SearchQuery,
        filters: &SearchFilters,
        page: i64,
    ) -> Result<SearchResults, StoreError> {
        match &self.pool {
            crate::Pool::Sqlite(pool) => search_sqlite(pool, query, filters, page).await,
            crate::Pool::Postgres(pool) => search_postgres(pool, query, filters, page).await,
        }
    }
}
