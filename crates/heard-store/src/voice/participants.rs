//! A programme's participants under pseudonyms, and the consent each gave per purpose, with
//! its history of withdrawals. Consent given and withdrawn is written to the audit log in the same
//! transaction as the change.

use std::collections::{BTreeMap, HashMap};

use heard_domain::protection::{ErasureReason, WithdrawalScope, withdrawal_erases};
use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ConsentState, ContactDetails, ParticipantKind, Pseudonym, WithdrawalError,
    check_give, check_withdrawal, current_purposes,
};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::audit::{AuditConn, AuditEntry};
use crate::governance::sort_by_name;
use crate::journeys::UserRef;
use crate::protection::Erase;
use crate::{Store, StoreError, decode, decode_count, missing_parent, now, unique};

/// A person whose voice is recorded, under a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Participant {
    pub id: i64,
    pub programme_id: i64,
    pub pseudonym: String,
    pub kind: ParticipantKind,
    pub age_band: Option<AgeBand>,
    pub area: Option<String>,
    /// Personal data. Never serialised from here: the web layer adds it to what it sends only for
    /// roles that may see it.
    #[serde(skip)]
    #[schema(ignore)]
    pub contact_details: Option<ContactDetails>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The purposes consented to now (given and not withdrawn), in vocabulary order.
    pub current_consents: Vec<ConsentPurpose>,
    /// Every consent ever given, oldest first, withdrawn ones included.
    pub consents: Vec<Consent>,
}

/// Consent given for one purpose, and its withdrawal if it was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub id: i64,
    pub purpose: ConsentPurpose,
    pub given_on: Date,
    pub how: ConsentMethod,
    pub note: String,
    pub withdrawn_on: Option<Date>,
    /// Who recorded it; `None` if their account is gone.
    pub recorded_by: Option<UserRef>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

impl ConsentState for Consent {
    fn purpose(&self) -> ConsentPurpose {
        self.purpose
    }

    fn given_on(&self) -> Date {
        self.given_on
    }

    fn withdrawn_on(&self) -> Option<Date> {
        self.withdrawn_on
    }
}

/// A participant to register, or what they become when edited.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub pseudonym: Pseudonym,
    pub kind: ParticipantKind,
    pub age_band: Option<AgeBand>,
    pub area: Option<String>,
    pub contact_details: Option<ContactDetails>,
}

/// Consent to record as given.
#[derive(Debug, Clone)]
pub struct NewConsent {
    pub purpose: ConsentPurpose,
    pub given_on: Date,
    pub how: ConsentMethod,
    pub note: String,
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    id: i64,
    programme_id: i64,
    pseudonym: String,
    kind: String,
    age_band: Option<String>,
    area: Option<String>,
    contact_details: Option<String>,
    created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    id: i64,
    participant_id: i64,
    purpose: String,
    given_on: Date,
    how: String,
    note: String,
    withdrawn_on: Option<Date>,
    recorded_by: Option<i64>,
    recorder_name: Option<String>,
    recorded_at: OffsetDateTime,
}

impl ConsentRow {
    fn into_consent(self) -> Result<Consent, StoreError> {
        Ok(Consent {
            id: self.id,
            purpose: decode(&self.purpose)?,
            given_on: self.given_on,
            how: decode(&self.how)?,
            note: self.note,
            withdrawn_on: self.withdrawn_on,
            recorded_by: match (self.recorded_by, self.recorder_name) {
                (Some(id), Some(display_name)) => Some(UserRef { id, display_name }),
                _ => None,
            },
            recorded_at: self.recorded_at,
        })
    }
}

const PARTICIPANT_COLUMNS: &str = "id, programme_id, pseudonym, kind, age_band, area, contact_details, created_at";
const CONSENT_SELECT: &str = "SELECT c.id, c.participant_id, c.purpose, c.given_on, c.how, c.note, c.withdrawn_on, \
     c.recorded_by, u.display_name AS recorder_name, c.recorded_at \
     FROM consents c JOIN participants p ON p.id = c.participant_id LEFT JOIN users u ON u.id = c.recorded_by";

fn assemble(rows: Vec<ParticipantRow>, consents: Vec<ConsentRow>) -> Result<Vec<Participant>, StoreError> {
    let mut by_participant: HashMap<i64, Vec<Consent>> = HashMap::new();
    for row in consents {
        by_participant.entry(row.participant_id).or_default().push(row.into_consent()?);
    }
    let mut participants = rows
        .into_iter()
        .map(|row| {
            let mut consents = by_participant.remove(&row.id).unwrap_or_default();
            consents.sort_by_key(|c| (c.given_on, c.id));
            Ok(Participant {
                id: row.id,
                programme_id: row.programme_id,
                pseudonym: row.pseudonym,
                kind: decode(&row.kind)?,
                age_band: row.age_band.as_deref().map(decode).transpose()?,
                area: row.area,
                contact_details: row.contact_details.map(ContactDetails::from_stored),
                created_at: row.created_at,
                current_consents: current_purposes(&consents),
                consents,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    sort_by_name(&mut participants, |p| &p.pseudonym, |p| p.id);
    Ok(participants)
}

/// The audit subject for a participant's consent: ids and a code, never the pseudonym.
fn consent_subject(participant_id: i64, purpose: ConsentPurpose) -> String {
    format!("participant {participant_id}, consent to {}", purpose.code())
}

per_backend! {
    async fn load_participants(
        conn: &mut Conn,
        programme_id: i64,
        id: Option<i64>,
    ) -> Result<Vec<Participant>, StoreError> {
        let (rows, consents) = match id {
            Some(id) => (
                sqlx::query_as::<_, ParticipantRow>(&format!(
                    "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE programme_id = $1 AND id = $2"
                ))
                .bind(programme_id)
                .bind(id)
                .fetch_all(&mut *conn)
                .await?,
                sqlx::query_as::<_, ConsentRow>(&format!("{CONSENT_SELECT} WHERE p.programme_id = $1 AND p.id = $2"))
                    .bind(programme_id)
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?,
            ),
            None => (
                sqlx::query_as::<_, ParticipantRow>(&format!(
                    "SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE programme_id = $1"
                ))
                .bind(programme_id)
                .fetch_all(&mut *conn)
                .await?,
                sqlx::query_as::<_, ConsentRow>(&format!("{CONSENT_SELECT} WHERE p.programme_id = $1"))
                    .bind(programme_id)
                    .fetch_all(&mut *conn)
                    .await?,
            ),
        };
        assemble(rows, consents)
    }

    async fn load_participant(conn: &mut Conn, programme_id: i64, id: i64) -> Result<Participant, StoreError> {
        load_participants(conn, programme_id, Some(id)).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    async fn audit(conn: &mut Conn, actor_id: i64, action: &str, subject: &str) -> Result<(), StoreError> {
        conn.append_audit(&AuditEntry::of_action(action, subject).by(actor_id)).await?;
        Ok(())
    }

    pub(super) async fn create_participant(
        pool: &DbPool,
        programme_id: i64,
        new: &NewParticipant,
    ) -> Result<Participant, StoreError> {
        let mut tx = begin(pool).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO participants (programme_id, pseudonym, pseudonym_key, kind, age_band, area, contact_details, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(programme_id)
        .bind(new.pseudonym.as_str())
        .bind(new.pseudonym.key())
        .bind(new.kind.code())
        .bind(new.age_band.map(AgeBand::code))
        .bind(new.area.as_deref())
        .bind(new.contact_details.as_ref().map(ContactDetails::expose))
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => missing_parent(e),
            _ => unique("pseudonym")(e),
        })?;
        let participant = load_participant(&mut tx, programme_id, id).await?;
        tx.commit().await?;
        Ok(participant)
    }

    pub(super) async fn participants(pool: &DbPool, programme_id: i64) -> Result<Vec<Participant>, StoreError> {
        let mut conn = pool.acquire().await?;
        load_participants(&mut conn, programme_id, None).await
    }

    pub(super) async fn participant(pool: &DbPool, programme_id: i64, id: i64) -> Result<Option<Participant>, StoreError> {
        let mut conn = pool.acquire().await?;
        Ok(load_participants(&mut conn, programme_id, Some(id)).await?.into_iter().next())
    }

    pub(super) async fn update_participant(
        pool: &DbPool,
        programme_id: i64,
        id: i64,
        change: &NewParticipant,
    ) -> Result<Participant, StoreError> {
        let mut tx = begin(pool).await?;
        let done = sqlx::query(
            "UPDATE participants SET pseudonym = $1, pseudonym_key = $2, kind = $3, age_band = $4, area = $5,
             contact_details = $6 WHERE programme_id = $7 AND id = $8",
        )
        .bind(change.pseudonym.as_str())
        .bind(change.pseudonym.key())
        .bind(change.kind.code())
        .bind(change.age_band.map(AgeBand::code))
        .bind(change.area.as_deref())
        .bind(change.contact_details.as_ref().map(ContactDetails::expose))
        .bind(programme_id)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(unique("pseudonym"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let participant = load_participant(&mut tx, programme_id, id).await?;
        tx.commit().await?;
        Ok(participant)
    }

    pub(super) async fn record_consent(
        pool: &DbPool,
        programme_id: i64,
        participant_id: i64,
        consent: &NewConsent,
        recorded_by: i64,
        today: Date,
    ) -> Result<Participant, StoreError> {
        let mut tx = begin(pool).await?;
        let participant = load_participant(&mut tx, programme_id, participant_id).await?;
        check_give(&participant.consents, consent.purpose, consent.given_on, today)?;
        sqlx::query(
            "INSERT INTO consents (participant_id, purpose, given_on, how, note, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(participant_id)
        .bind(consent.purpose.code())
        .bind(consent.given_on)
        .bind(consent.how.code())
        .bind(&consent.note)
        .bind(recorded_by)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(missing_parent)?;
        audit(&mut tx, recorded_by, "consent.given", &consent_subject(participant_id, consent.purpose)).await?;
        let participant = load_participant(&mut tx, programme_id, participant_id).await?;
        tx.commit().await?;
        Ok(participant)
    }

    pub(super) async fn withdraw_consent(
        pool: &DbPool,
        programme_id: i64,
        participant_id: i64,
        purpose: ConsentPurpose,
        withdrawn_on: Date,
        recorded_by: i64,
        today: Date,
    ) -> Result<Participant, StoreError> {
        let mut tx = begin(pool).await?;
        let participant = load_participant(&mut tx, programme_id, participant_id).await?;
        let current = match check_withdrawal(&participant.consents, purpose, withdrawn_on, today) {
            Ok(current) => current,
            Err(WithdrawalError::NotGiven) => return Err(StoreError::NotFound),
            Err(WithdrawalError::Invalid(invalid)) => return Err(StoreError::Invalid(invalid)),
        };
        sqlx::query("UPDATE consents SET withdrawn_on = $1 WHERE id = $2 AND withdrawn_on IS NULL")
            .bind(withdrawn_on)
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, recorded_by, "consent.withdrawn", &consent_subject(participant_id, purpose)).await?;
        // What the consent allowed goes in the same transaction as its withdrawal.
        tx.erase_for_withdrawal(programme_id, participant_id, purpose, ErasureReason::Withdrawal, Some(recorded_by)).await?;
        let participant = load_participant(&mut tx, programme_id, participant_id).await?;
        tx.commit().await?;
        Ok(participant)
    }

    pub(super) async fn participant_counts(
        pool: &DbPool,
        programme_id: i64,
    ) -> Result<BTreeMap<ParticipantKind, u32>, StoreError> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT kind, COUNT(*) FROM participants WHERE programme_id = $1 GROUP BY kind")
                .bind(programme_id)
                .fetch_all(pool)
                .await?;
        rows.into_iter().map(|(kind, n)| Ok((decode(&kind)?, decode_count(n)?))).collect()
    }
}

impl Store {
    /// Registers a participant in a programme. `Duplicate { field: "pseudonym" }` if the programme
    /// has one by that pseudonym in any case; `NotFound` if there is no such programme.
    pub async fn create_participant(&self, programme_id: i64, new: &NewParticipant) -> Result<Participant, StoreError> {
        dispatch!(self, create_participant(programme_id, new))
    }

    /// A programme's participants with their consents, by pseudonym.
    pub async fn participants(&self, programme_id: i64) -> Result<Vec<Participant>, StoreError> {
        dispatch!(self, participants(programme_id))
    }

    /// One participant of a programme, with their consent history.
    pub async fn participant(&self, programme_id: i64, id: i64) -> Result<Option<Participant>, StoreError> {
        dispatch!(self, participant(programme_id, id))
    }

    /// Replaces a participant's pseudonym, kind, attributes and contact details; same checks as
    /// [`Store::create_participant`].
    pub async fn update_participant(
        &self,
        programme_id: i64,
        id: i64,
        change: &NewParticipant,
    ) -> Result<Participant, StoreError> {
        dispatch!(self, update_participant(programme_id, id, change))
    }

    /// Records consent given, under `heard_domain::voice::participants::check_give` (`Invalid`
    /// naming `purpose` or `given_on`), and audits it as `consent.given`.
    pub async fn record_consent(
        &self,
        programme_id: i64,
        participant_id: i64,
        consent: &NewConsent,
        recorded_by: i64,
        today: Date,
    ) -> Result<Participant, StoreError> {
        dispatch!(self, record_consent(programme_id, participant_id, consent, recorded_by, today))
    }

    /// Records the withdrawal of the current consent for `purpose`, and audits it as
    /// `consent.withdrawn`; in the same transaction erases what the consent allowed
    /// (`heard_domain::protection::withdrawal_erases`: research the sources they are heard in,
    /// filming the recordings) and records the erasure; then scrubs the database. Queued media
    /// files go with `protection::finish_erasures`. `NotFound` if there is no current consent for
    /// it; `Invalid` (field `withdrawn_on`) for a date in the future or before the consent was given.
    pub async fn withdraw_consent(
        &self,
        programme_id: i64,
        participant_id: i64,
        purpose: ConsentPurpose,
        withdrawn_on: Date,
        recorded_by: i64,
        today: Date,
    ) -> Result<Participant, StoreError> {
        let participant =
            dispatch!(self, withdraw_consent(programme_id, participant_id, purpose, withdrawn_on, recorded_by, today))?;
        if withdrawal_erases(purpose) != WithdrawalScope::Nothing {
            self.scrub_after_erasure().await;
        }
        Ok(participant)
    }

    /// How many participants of each kind a programme has; kinds with none are left out.
    pub async fn participant_counts(&self, programme_id: i64) -> Result<BTreeMap<ParticipantKind, u32>, StoreError> {
        dispatch!(self, participant_counts(programme_id))
    }
}
