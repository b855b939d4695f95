//! Story forms: versions of a form's definition, and contributors' answers. Submitting a story is
//! one transaction (a participant under a random pseudonym, the consents ticked, the source, and
//! the answer with the receipt's hash), and withdrawing one deletes the source (the search index
//! follows) and records the withdrawal of every consent, so nothing is half-saved or half-gone.

use std::collections::BTreeMap;

use heard_analysis::voice::redaction::Redactor;
use heard_analysis::voice::screening::Screened;
use heard_domain::protection::ErasureReason;
use heard_domain::voice::forms::{AnswerValue, FormDefinition, FormStatus, ReceiptCode, StoryAnswer};
use heard_domain::voice::participants::{ConsentMethod, ConsentPurpose, ParticipantKind};
use heard_domain::voice::sources::SourceKind;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::audit::{AuditConn, AuditEntry};
use crate::protection::Erase;
use crate::voice::sources::NewSource;
use crate::{Store, StoreError, decode, missing_parent, now};

/// A story form at its current version.
#[derive(Debug, Clone, Serialize)]
pub struct StoryForm {
    pub id: i64,
    pub programme_id: i64,
    pub public_id: String,
    pub status: FormStatus,
    /// The version the public form shows.
    pub version: i64,
    #[serde(skip)]
    pub version_id: i64,
    pub definition: FormDefinition,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Stories given through any version and not withdrawn.
    pub answer_count: i64,
}

/// A story to submit through a published form, its text already screened.
#[derive(Debug, Clone)]
pub struct NewStory {
    pub text: Screened,
    pub answer: StoryAnswer,
    /// SHA-256 of the receipt code ([`ReceiptCode::hash`]).
    pub receipt_hash: String,
    /// The day it is given: the consents' date and the source's.
    pub today: Date,
    /// Added to the contributor's random pseudonym: the demo marks its own "(demo)".
    pub pseudonym_suffix: Option<&'static str>,
}

/// What a contributor may see of their story with the receipt code: the redacted text and their
/// answers, as they were asked.
#[derive(Debug, Clone, Serialize)]
pub struct StoryReceipt {
    pub form_title: String,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    pub redacted_text: String,
    /// Question and answer in words, in the order the form asked them.
    pub answers: Vec<(String, String)>,
    pub consents: Vec<ConsentPurpose>,
}

/// One story as the pattern view draws it.
#[derive(Debug, Clone, Serialize)]
pub struct PatternStory {
    pub source_id: i64,
    pub title: String,
    pub participant_kind: Option<ParticipantKind>,
    pub version: i64,
    pub answers: BTreeMap<String, AnswerValue>,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    programme_id: i64,
    public_id: String,
    status: String,
    current_version: i64,
    version_id: i64,
    definition: String,
    published_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    answer_count: i64,
}

const FORM_SELECT: &str = "SELECT f.id, f.programme_id, f.public_id, f.status, f.current_version, v.id AS version_id, \
     v.definition, v.published_at, f.created_at, \
     (SELECT COUNT(*) FROM story_answers a JOIN story_form_versions av ON av.id = a.form_version_id WHERE av.form_id = f.id) \
     AS answer_count \
     FROM story_forms f JOIN story_form_versions v ON v.form_id = f.id AND v.version = f.current_version";

fn corrupt(what: &'static str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into()))
}

fn definition(json: &str) -> Result<FormDefinition, StoreError> {
    FormDefinition::from_json(json).ok_or_else(|| corrupt("story form definition"))
}

fn answers(json: &str) -> Result<BTreeMap<String, AnswerValue>, StoreError> {
    serde_json::from_str(json).map_err(|_| corrupt("story answers"))
}

impl FormRow {
    fn into_form(self) -> Result<StoryForm, StoreError> {
        Ok(StoryForm {
            id: self.id,
            programme_id: self.programme_id,
            public_id: self.public_id,
            status: decode(&self.status)?,
            version: self.current_version,
            version_id: self.version_id,
            definition: definition(&self.definition)?,
            published_at: self.published_at,
            created_at: self.created_at,
            answer_count: self.answer_count,
        })
    }
}

/// Adds a source inside the caller's transaction, on whichever backend the connection is.
trait SourceInsert {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource) -> Result<i64, StoreError>;
}

impl SourceInsert for sqlx::SqliteConnection {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource) -> Result<i64, StoreError> {
        crate::voice::sources::insert_source_sqlite(self, programme_id, new, None).await
    }
}

impl SourceInsert for sqlx::PgConnection {
    async fn insert_source(&mut self, programme_id: i64, new: &NewSource) -> Result<i64, StoreError> {
        crate::voice::sources::insert_source_postgres(self, programme_id, new, None).await
    }
}

/// The audit subject for a story: ids only, never words or pseudonyms.
fn story_subject(source_id: i64, participant_id: Option<i64>) -> String {
    match participant_id {
        Some(p) => format!("source {source_id}, participant {p}"),
        None => format!("source {source_id}"),
    }
}

per_backend! {
    async fn load_form(conn: &mut Conn, condition: &str, key: &str, programme_id: Option<i64>) -> Result<Option<StoryForm>, StoreError> {
        let row = sqlx::query_as::<_, FormRow>(&format!("{FORM_SELECT} WHERE {condition} AND ($2 IS NULL OR f.programme_id = $2)"))
            .bind(key)
            .bind(programme_id)
            .fetch_optional(&mut *conn)
            .await?;
        row.map(FormRow::into_form).transpose()
    }

    async fn audit(conn: &mut Conn, actor_id: Option<i64>, action: &str, subject: &str) -> Result<(), StoreError> {
        conn.append_audit(&AuditEntry::of_action(action, subject).by(actor_id)).await?;
        Ok(())
    }

    pub(super) async fn create_story_form(
        pool: &DbPool,
        programme_id: i64,
        definition: &FormDefinition,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        let mut tx = begin(pool).await?;
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO story_forms (programme_id, public_id, status, current_version, created_by, created_at)
             VALUES ($1, $2, 'draft', 1, $3, $4) RETURNING id",
        )
        .bind(programme_id)
        .bind(heard_domain::voice::forms::public_id())
        .bind(by)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(missing_parent)?;
        sqlx::query(
            "INSERT INTO story_form_versions (form_id, version, definition, created_by, created_at) VALUES ($1, 1, $2, $3, $4)",
        )
        .bind(id)
        .bind(definition.to_json())
        .bind(by)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(form)
    }

    pub(super) async fn story_forms(pool: &DbPool, programme_id: i64) -> Result<Vec<StoryForm>, StoreError> {
        let rows = sqlx::query_as::<_, FormRow>(&format!("{FORM_SELECT} WHERE f.programme_id = $1 ORDER BY f.created_at DESC, f.id DESC"))
            .bind(programme_id)
            .fetch_all(pool)
            .await?;
        rows.into_iter().map(FormRow::into_form).collect()
    }

    pub(super) async fn story_form(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<StoryForm>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_form(&mut conn, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await
    }

    pub(super) async fn story_form_by_public_id(pool: &DbPool, public_id: &str) -> Result<Option<StoryForm>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_form(&mut conn, "f.public_id = $1", public_id, None).await
    }

    pub(super) async fn update_story_form(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        definition: &FormDefinition,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        let mut tx = begin(pool).await?;
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await?.ok_or(StoreError::NotFound)?;
        let answered: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM story_answers WHERE form_version_id = $1")
            .bind(form.version_id)
            .fetch_one(&mut *tx)
            .await?;
        if form.status == FormStatus::Draft && answered == 0 {
            sqlx::query("UPDATE story_form_versions SET definition = $1 WHERE id = $2")
                .bind(definition.to_json())
                .bind(form.version_id)
                .execute(&mut *tx)
                .await?;
        } else {
            // Published (or answered): a new version, so every answer keeps the one it was given under.
            let version = form.version + 1;
            let at = now();
            sqlx::query(
                "INSERT INTO story_form_versions (form_id, version, definition, published_at, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(version)
            .bind(definition.to_json())
            .bind((form.status != FormStatus::Draft).then_some(at))
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE story_forms SET current_version = $1 WHERE id = $2")
                .bind(version)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(form)
    }

    pub(super) async fn set_story_form_status(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        status: FormStatus,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        let mut tx = begin(pool).await?;
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await?.ok_or(StoreError::NotFound)?;
        sqlx::query("UPDATE story_forms SET status = $1 WHERE id = $2").bind(status.code()).bind(id).execute(&mut *tx).await?;
        if status == FormStatus::Published && form.published_at.is_none() {
            sqlx::query("UPDATE story_form_versions SET published_at = $1 WHERE id = $2")
                .bind(now())
                .bind(form.version_id)
                .execute(&mut *tx)
                .await?;
        }
        audit(&mut tx, Some(by), &format!("story_form.{}", status.code()), &format!("story form {id}")).await?;
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &id.to_string(), Some(programme_id)).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(form)
    }

    pub(super) async fn submit_story(pool: &DbPool, form_id: i64, version_id: i64, new: &NewStory) -> Result<i64, StoreError> {
        let mut tx = begin(pool).await?;
        let form = load_form(&mut tx, "f.id = CAST($1 AS BIGINT)", &form_id.to_string(), None).await?.ok_or(StoreError::NotFound)?;
        if form.status != FormStatus::Published {
            return Err(StoreError::Invalid(heard_domain::Invalid::one("story", "This form is closed")));
        }
        if form.version_id != version_id {
            return Err(StoreError::Invalid(heard_domain::Invalid::one(
                "story",
                "The form changed while you were filling it in: check your answers and send them again",
            )));
        }
        let programme_id = form.programme_id;
        let mut pseudonym = None;
        for _ in 0..16 {
            let mut candidate = heard_domain::voice::forms::contributor_pseudonym()?;
            if let Some(suffix) = new.pseudonym_suffix {
                candidate = heard_domain::voice::participants::Pseudonym::parse(
                    "pseudonym",
                    &format!("{candidate} {suffix}"),
                )?;
            }
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM participants WHERE programme_id = $1 AND pseudonym_key = $2")
                .bind(programme_id)
                .bind(candidate.key())
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_none() {
                pseudonym = Some(candidate);
                break;
            }
        }
        let pseudonym = pseudonym.ok_or_else(|| corrupt("no free contributor pseudonym"))?;
        let at = now();
        let participant_id: i64 = sqlx::query_scalar(
            "INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(programme_id)
        .bind(pseudonym.as_str())
        .bind(pseudonym.key())
        .bind(new.answer.participant_kind.code())
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        for purpose in &new.answer.consents {
            sqlx::query(
                "INSERT INTO consents (participant_id, purpose, given_on, how, note, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(participant_id)
            .bind(purpose.code())
            .bind(new.today)
            .bind(ConsentMethod::OnlineForm.code())
            .bind(format!("Ticked on story form {form_id}, version {}", form.version))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            audit(&mut tx, None, "consent.given", &format!("participant {participant_id}, consent to {}", purpose.code())).await?;
        }
        let mut attributes = form.definition.attributes(&new.answer.answers);
        attributes.insert("Story form".to_owned(), form.definition.title.clone());
        attributes.insert("Story form version".to_owned(), form.version.to_string());
        let source = NewSource {
            kind: SourceKind::Story,
            title: None,
            text: new.text.clone(),
            collected_on: Some(new.today),
            activity_id: None,
            participant_ids: vec![participant_id],
            attributes,
            media: None,
            cue_timings: None,
        };
        let source_id = <Conn as SourceInsert>::insert_source(&mut tx, programme_id, &source).await?;
        sqlx::query(
            "INSERT INTO story_answers (form_version_id, source_id, participant_id, receipt_hash, answers, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(version_id)
        .bind(source_id)
        .bind(participant_id)
        .bind(&new.receipt_hash)
        .bind(serde_json::to_string(&new.answer.answers).map_err(|_| corrupt("story answers"))?)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(crate::unique("receipt"))?;
        audit(&mut tx, None, "story.submitted", &story_subject(source_id, Some(participant_id))).await?;
        tx.commit().await?;
        Ok(source_id)
    }

    pub(super) async fn story_by_receipt(pool: &DbPool, receipt_hash: &str) -> Result<Option<StoryReceipt>, StoreError> {
        let row: Option<(String, i64, OffsetDateTime, String, String, Option<i64>)> = sqlx::query_as(
            "SELECT v.definition, v.version, a.submitted_at, s.redacted_text, a.answers, a.participant_id
             FROM story_answers a JOIN story_form_versions v ON v.id = a.form_version_id JOIN sources s ON s.id = a.source_id
             WHERE a.receipt_hash = $1",
        )
        .bind(receipt_hash)
        .fetch_optional(pool)
        .await?;
        let Some((def, version, submitted_at, redacted_text, answered, participant_id)) = row else {
            return Ok(None);
        };
        let def = definition(&def)?;
        let answered = answers(&answered)?;
        let consents: Vec<String> = sqlx::query_scalar("SELECT purpose FROM consents WHERE participant_id = $1 AND withdrawn_on IS NULL")
            .bind(participant_id)
            .fetch_all(pool)
            .await?;
        let mut consents = consents.iter().map(|c| decode::<ConsentPurpose>(c)).collect::<Result<Vec<_>, _>>()?;
        consents.sort();
        let answers = def
            .signifiers
            .iter()
            .filter_map(|s| answered.get(&s.key).map(|value| (s.question.clone(), s.describe(value))))
            .collect();
        Ok(Some(StoryReceipt { form_title: def.title, version, submitted_at, redacted_text, answers, consents }))
    }

    pub(super) async fn withdraw_story(pool: &DbPool, receipt_hash: &str, today: Date) -> Result<(), StoreError> {
        let mut tx = begin(pool).await?;
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT a.source_id, s.programme_id, a.participant_id FROM story_answers a JOIN sources s ON s.id = a.source_id
             WHERE a.receipt_hash = $1",
        )
        .bind(receipt_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((source_id, programme_id, participant_id)) = row else {
            return Err(StoreError::NotFound);
        };
        if let Some(participant_id) = participant_id {
            let purposes: Vec<String> = sqlx::query_scalar(
                "UPDATE consents SET withdrawn_on = CASE WHEN given_on > $1 THEN given_on ELSE $1 END
                 WHERE participant_id = $2 AND withdrawn_on IS NULL RETURNING purpose",
            )
            .bind(today)
            .bind(participant_id)
            .fetch_all(&mut *tx)
            .await?;
            for purpose in purposes {
                audit(&mut tx, None, "consent.withdrawn", &format!("participant {participant_id}, consent to {purpose}")).await?;
            }
            // Everything the contributor gave goes, as when a researcher records their withdrawal of
            // consent to research: the source (its answer and search entry with it) and what was made of it.
            tx.erase_for_withdrawal(programme_id, participant_id, ConsentPurpose::Research, ErasureReason::Receipt, None).await?;
        } else {
            let counts = tx.erase_sources(&[source_id]).await?;
            tx.record_erasure(Some(programme_id), ErasureReason::Receipt, &counts, None).await?;
        }
        audit(&mut tx, None, "story.withdrawn", &story_subject(source_id, participant_id)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn story_pattern(
        pool: &DbPool,
        programme_id: i64,
        form_id: i64,
        kind: Option<&str>,
    ) -> Result<Vec<PatternStory>, StoreError> {
        let rows: Vec<(i64, String, Option<String>, i64, String)> = sqlx::query_as(
            "SELECT s.id, s.title, p.kind, v.version, a.answers
             FROM story_answers a JOIN story_form_versions v ON v.id = a.form_version_id
             JOIN story_forms f ON f.id = v.form_id JOIN sources s ON s.id = a.source_id
             LEFT JOIN participants p ON p.id = a.participant_id
             WHERE f.id = $1 AND f.programme_id = $2 AND ($3 IS NULL OR p.kind = $3)
             ORDER BY s.id",
        )
        .bind(form_id)
        .bind(programme_id)
        .bind(kind)
        .fetch_all(pool)
        .await?;
        rows.into_iter()
            .map(|(source_id, title, kind, version, answered)| {
                Ok(PatternStory {
                    source_id,
                    title,
                    participant_kind: kind.as_deref().map(decode).transpose()?,
                    version,
                    answers: answers(&answered)?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Creates a draft story form (version 1) with a random public id. `NotFound` if there is no
    /// such programme.
    pub async fn create_story_form(
        &self,
        programme_id: i64,
        definition: &FormDefinition,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        dispatch!(self, create_story_form(programme_id, definition, by))
    }

    /// A programme's story forms at their current versions, newest first.
    pub async fn story_forms(&self, programme_id: i64) -> Result<Vec<StoryForm>, StoreError> {
        dispatch!(self, story_forms(programme_id))
    }

    pub async fn story_form(&self, programme_id: i64, id: i64) -> Result<Option<StoryForm>, StoreError> {
        dispatch!(self, story_form(programme_id, id))
    }

    /// The form behind a public URL, whatever its status.
    pub async fn story_form_by_public_id(&self, public_id: &str) -> Result<Option<StoryForm>, StoreError> {
        dispatch!(self, story_form_by_public_id(public_id))
    }

    /// Changes a form's definition: in place while it is an unanswered draft, otherwise as a new
    /// version that the public form shows from now on (answers keep theirs).
    pub async fn update_story_form(
        &self,
        programme_id: i64,
        id: i64,
        definition: &FormDefinition,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        dispatch!(self, update_story_form(programme_id, id, definition, by))
    }

    /// Publishes, closes or reopens a form; audited.
    pub async fn set_story_form_status(
        &self,
        programme_id: i64,
        id: i64,
        status: FormStatus,
        by: i64,
    ) -> Result<StoryForm, StoreError> {
        dispatch!(self, set_story_form_status(programme_id, id, status, by))
    }

    /// Submits a contributor's story under the form's version `version_id`, in one transaction:
    /// a participant under a random "Contributor XXXX" pseudonym, a consent per statement ticked,
    /// the source (kind story, answers as attributes), and the answer with the receipt's hash.
    /// Returns the source's id. `Invalid` naming `story` if the form is not published or has
    /// changed version since it was read.
    pub async fn submit_story(&self, form_id: i64, version_id: i64, new: &NewStory) -> Result<i64, StoreError> {
        dispatch!(self, submit_story(form_id, version_id, new))
    }

    /// The story a receipt code's hash unlocks, if it has not been withdrawn.
    pub async fn story_by_receipt(&self, receipt: &ReceiptCode) -> Result<Option<StoryReceipt>, StoreError> {
        dispatch!(self, story_by_receipt(&receipt.hash()))
    }

    /// Withdraws the story a receipt code unlocks: records the withdrawal of the contributor's
    /// consents and erases everything they gave (`protection`: the source, its answer and search
    /// entry, what was coded and quoted of it), in one transaction, then scrubs the database.
    /// `NotFound` if there is none.
    pub async fn withdraw_story(&self, receipt: &ReceiptCode, today: Date) -> Result<(), StoreError> {
        dispatch!(self, withdraw_story(&receipt.hash(), today))?;
        self.scrub_after_erasure().await;
        Ok(())
    }

    /// Every story given through a form (any version), for the pattern view, optionally only
    /// those from one kind of participant.
    pub async fn story_pattern(
        &self,
        programme_id: i64,
        form_id: i64,
        kind: Option<ParticipantKind>,
    ) -> Result<Vec<PatternStory>, StoreError> {
        dispatch!(self, story_pattern(programme_id, form_id, kind.map(ParticipantKind::code)))
    }
}

/// The demo's published story form for a programme, with a triad, a slider and a choice, and a
/// dozen synthetic answers marked "(demo)".
pub async fn demo_story_form(store: &Store, programme_id: i64, by: i64) -> Result<(), StoreError> {
    let fields: BTreeMap<&str, &str> = [
        ("title", "Getting help in the early years (demo)"),
        ("prompt", "Tell us about a time when you looked for help with a young child. What happened?"),
        ("signifiers[0].kind", "triad"),
        ("signifiers[0].question", "In your story, where did help come from?"),
        ("signifiers[0].labels", "Family and friends\nProfessionals\nCommunity groups"),
        ("signifiers[1].kind", "slider"),
        ("signifiers[1].question", "How did it feel?"),
        ("signifiers[1].labels", "On my own\nWell supported"),
        ("signifiers[2].kind", "single_choice"),
        ("signifiers[2].question", "How long did it take to get help?"),
        ("signifiers[2].labels", "Days\nWeeks\nMonths\nI did not get help"),
        ("consents.research.ask", "required"),
        ("consents.anonymous_quotation.ask", "optional"),
    ]
    .into_iter()
    .collect();
    let definition = FormDefinition::parse(&|name: &str| fields.get(name).copied().unwrap_or_default().to_owned())?;
    let form = store.create_story_form(programme_id, &definition, by).await?;
    let form = store.set_story_form_status(programme_id, form.id, FormStatus::Published, by).await?;
    let redactor = Redactor::new().with_known_names(store.known_names(programme_id).await?.iter().map(String::as_str));
    // Within the demo's Listen stage, as its other consents are.
    let today = time::macros::date!(2014 - 11 - 20);
    let kinds = [ParticipantKind::Parent, ParticipantKind::Carer, ParticipantKind::Practitioner];
    let times = ["Days", "Weeks", "Months", "I did not get help"];
    for i in 0..12_u8 {
        let family = (i * 7) % 60 + 10;
        let professionals = (i * 13) % (90 - family);
        let weights = [family, professionals, 100 - family - professionals];
        let mut answers = BTreeMap::new();
        answers.insert("s1".to_owned(), AnswerValue::Triad(weights));
        answers.insert("s2".to_owned(), AnswerValue::Slider((i * 9) % 101));
        answers.insert("s3".to_owned(), AnswerValue::Choices(vec![times[usize::from(i) % times.len()].to_owned()]));
        let text = format!(
            "(demo) Synthetic story {}: when our toddler stopped sleeping we asked around for weeks before a \
             drop-in group pointed us to the health visiting team. (demo)",
            i + 1
        );
        let answer = StoryAnswer {
            text: text.clone(),
            participant_kind: kinds[usize::from(i) % kinds.len()],
            answers,
            consents: if i % 3 == 0 {
                vec![ConsentPurpose::Research]
            } else {
                vec![ConsentPurpose::Research, ConsentPurpose::AnonymousQuotation]
            },
        };
        let new = NewStory {
            text: Screened::new(&redactor, text),
            answer,
            receipt_hash: ReceiptCode::generate().hash(),
            today,
            pseudonym_suffix: Some("(demo)"),
        };
        store.submit_story(form.id, form.version_id, &new).await?;
    }
    Ok(())
}
