//! `/api/v1` for voice: a programme's participants and the consent each gave per purpose.
//! `contact_details` appears only in single-participant answers, and only to researchers and
//! administrators; a list never carries it, so every read of contact details is one audited read.

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::dates;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym, area, consent_note,
};
use heard_store::{NewConsent, NewParticipant, Participant, Programme};
use serde::{Deserialize, Deserializer, Serialize};

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::routes::Route;
use crate::voice::contact_details_for;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/api/v1/programmes/{slug}/participants";
    const ONE: &str = "/api/v1/programmes/{slug}/participants/{id}";
    vec![
        Route::get(LIST, Action::ViewParticipants, list_participants),
        Route::post(LIST, Action::ManageParticipants, create_participant),
        Route::get(ONE, Action::ViewParticipants, get_participant),
        Route::patch(ONE, Action::ManageParticipants, update_participant),
        Route::post("/api/v1/programmes/{slug}/participants/{id}/consents", Action::ManageParticipants, give_consent),
        Route::post(
            "/api/v1/programmes/{slug}/participants/{id}/consents/{purpose}/withdraw",
            Action::ManageParticipants,
            withdraw_consent,
        ),
    ]
}

async fn programme_at(state: &AppState, slug: &str) -> Result<Programme, ApiError> {
    state.store.programme(slug).await?.ok_or_else(ApiError::not_found)
}

async fn participant_at(state: &AppState, programme: &Programme, id: i64) -> Result<Participant, ApiError> {
    state.store.participant(programme.id, id).await?.ok_or_else(ApiError::not_found)
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Tells a field left out (`None`) from one sent as `null` (`Some(None)`), for PATCH bodies.
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A participant as the caller's role may see them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantBody {
    #[serde(flatten)]
    pub participant: Participant,
    /// Personal data: present only for researchers and administrators, only when kept, and only
    /// when one participant is asked for. Each answer that carries it is audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_details: Option<String>,
}

async fn body_for(state: &AppState, user: &CurrentUser, participant: Participant) -> Result<ParticipantBody, ApiError> {
    let contact_details = contact_details_for(&state.store, user, &participant).await?;
    Ok(ParticipantBody { participant, contact_details })
}

/// A programme's participants with their consents, by pseudonym. Never carries contact details.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/participants", tag = "voice",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = Vec<ParticipantBody>), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list_participants(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<Vec<ParticipantBody>>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let participants = state.store.participants(programme.id).await?;
    Ok(ApiJson(
        participants.into_iter().map(|participant| ParticipantBody { participant, contact_details: None }).collect(),
    ))
}

/// A participant to register.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewParticipantRequest {
    /// Unique within the programme, ignoring case; at most 60 characters.
    pub pseudonym: String,
    pub kind: ParticipantKind,
    #[serde(default)]
    pub age_band: Option<AgeBand>,
    /// At most 80 characters.
    #[serde(default)]
    pub area: Option<String>,
    /// Personal data, at most 500 characters; kept only if you may see it.
    #[serde(default)]
    pub contact_details: Option<String>,
}

/// Registers a participant under a pseudonym.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/participants", tag = "voice", request_body = NewParticipantRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = ParticipantBody), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The pseudonym is already in use in this programme"),
        (status = 422, body = ApiErrorBody)))]
pub async fn create_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<NewParticipantRequest>,
) -> Result<(StatusCode, ApiJson<ParticipantBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let mut errors = Collector::new();
    let pseudonym = errors.take(Pseudonym::parse("pseudonym", &body.pseudonym));
    let area = errors.take(area("area", body.area.as_deref().unwrap_or_default()));
    let contact_details = may_see_contact(&user)
        .then(|| {
            errors.take(ContactDetails::parse("contact_details", body.contact_details.as_deref().unwrap_or_default()))
        })
        .flatten()
        .flatten();
    let new = errors.finish(|| {
        pseudonym.map(|pseudonym| NewParticipant {
            pseudonym,
            kind: body.kind,
            age_band: body.age_band,
            area: area.flatten(),
            contact_details,
        })
    })?;
    let new = new.ok_or_else(|| ApiError::internal("a parsed participant field was missing"))?;
    let participant = state.store.create_participant(programme.id, &new).await?;
    Ok((StatusCode::CREATED, ApiJson(body_for(&state, &user, participant).await?)))
}

fn may_see_contact(user: &CurrentUser) -> bool {
    heard_domain::governance::permits(Some(user.role), Action::ViewContactDetails)
}

/// One participant with their consent history; `contact_details` only for roles that may see them.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/participants/{id}", tag = "voice",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The participant's id")),
    responses((status = 200, body = ParticipantBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<ParticipantBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let participant = participant_at(&state, &programme, id).await?;
    Ok(ApiJson(body_for(&state, &user, participant).await?))
}

/// What to change about a participant; fields left out stay as they are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ParticipantChangeRequest {
    #[serde(default)]
    pub pseudonym: Option<String>,
    #[serde(default)]
    pub kind: Option<ParticipantKind>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AgeBand>)]
    pub age_band: Option<Option<AgeBand>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub area: Option<Option<String>>,
    /// `null` or `""` removes them.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub contact_details: Option<Option<String>>,
}

/// Changes a participant's pseudonym, kind, attributes or contact details.
#[utoipa::path(patch, path = "/api/v1/programmes/{slug}/participants/{id}", tag = "voice", request_body = ParticipantChangeRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The participant's id")),
    responses((status = 200, body = ParticipantBody), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody),
        (status = 409, body = ApiErrorBody, description = "The pseudonym is already in use in this programme"),
        (status = 422, body = ApiErrorBody)))]
pub async fn update_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ParticipantChangeRequest>,
) -> Result<ApiJson<ParticipantBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let current = participant_at(&state, &programme, id).await?;
    let mut errors = Collector::new();
    let pseudonym = errors.take(Pseudonym::parse("pseudonym", body.pseudonym.as_deref().unwrap_or(&current.pseudonym)));
    let area = match &body.area {
        None => Some(current.area.clone()),
        Some(raw) => errors.take(area("area", raw.as_deref().unwrap_or_default())),
    };
    let contact_details = match &body.contact_details {
        Some(raw) if may_see_contact(&user) => {
            errors.take(ContactDetails::parse("contact_details", raw.as_deref().unwrap_or_default()))
        }
        _ => Some(current.contact_details.clone()),
    };
    let change = errors.finish(|| match (pseudonym, area, contact_details) {
        (Some(pseudonym), Some(area), Some(contact_details)) => Some(NewParticipant {
            pseudonym,
            kind: body.kind.unwrap_or(current.kind),
            age_band: body.age_band.unwrap_or(current.age_band),
            area,
            contact_details,
        }),
        _ => None,
    })?;
    let change = change.ok_or_else(|| ApiError::internal("a parsed participant field was missing"))?;
    let participant = state.store.update_participant(programme.id, id, &change).await?;
    Ok(ApiJson(body_for(&state, &user, participant).await?))
}

/// Consent given for one purpose.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConsentRequest {
    pub purpose: ConsentPurpose,
    /// `YYYY-MM-DD`; today or earlier, and not before consent for this purpose was last withdrawn.
    #[schema(format = Date)]
    pub given_on: String,
    pub how: ConsentMethod,
    /// At most 500 characters; keep personal data out of it.
    #[serde(default)]
    pub note: Option<String>,
}

/// Records consent given. Consent already current for the purpose must be withdrawn first.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/participants/{id}/consents", tag = "voice", request_body = ConsentRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The participant's id")),
    responses((status = 201, body = ParticipantBody), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn give_consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ConsentRequest>,
) -> Result<(StatusCode, ApiJson<ParticipantBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let mut errors = Collector::new();
    let given_on = errors.take(dates::parse_iso("given_on", &body.given_on));
    let note = errors.take(consent_note("note", body.note.as_deref().unwrap_or_default()));
    let consent = errors.finish(|| {
        given_on.map(|given_on| NewConsent {
            purpose: body.purpose,
            given_on,
            how: body.how,
            note: note.unwrap_or_default(),
        })
    })?;
    let consent = consent.ok_or_else(|| Invalid::one("given_on", "Enter a date in the form YYYY-MM-DD"))?;
    let participant = state.store.record_consent(programme.id, id, &consent, user.id, today()).await?;
    Ok((StatusCode::CREATED, ApiJson(body_for(&state, &user, participant).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WithdrawalRequest {
    /// `YYYY-MM-DD`; today or earlier, and not before the consent was given.
    #[schema(format = Date)]
    pub withdrawn_on: String,
}

/// Records the withdrawal of the current consent for a purpose; the consent stays in the history.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/participants/{id}/consents/{purpose}/withdraw", tag = "voice",
    request_body = WithdrawalRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The participant's id"),
        ("purpose" = ConsentPurpose, Path, description = "What the consent was for")),
    responses((status = 200, body = ParticipantBody), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody, description = "No such participant, or no current consent for the purpose"),
        (status = 422, body = ApiErrorBody)))]
pub async fn withdraw_consent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id, purpose)): ApiPath<(String, i64, String)>,
    ApiJson(body): ApiJson<WithdrawalRequest>,
) -> Result<ApiJson<ParticipantBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let purpose: ConsentPurpose = purpose.parse().map_err(|_| ApiError::not_found())?;
    let withdrawn_on = dates::parse_iso("withdrawn_on", &body.withdrawn_on)?;
    let participant = state.store.withdraw_consent(programme.id, id, purpose, withdrawn_on, user.id, today()).await?;
    Ok(ApiJson(body_for(&state, &user, participant).await?))
}
