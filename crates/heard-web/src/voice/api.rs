//! `/api/v1` for voice: a programme's participants and the consent each gave per purpose, its
//! sources, and search. `contact_details` appears only in single-participant answers, and only to
//! researchers and administrators; a list never carries it, so every read of contact details is one
//! audited read. The same holds for a source's `original_text`: researchers only, one source at a
//! time, only while everyone heard in it consents to research.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::dates;
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::voice::participants::{
    AgeBand, ConsentMethod, ConsentPurpose, ContactDetails, ParticipantKind, Pseudonym, area, consent_note,
};
use heard_domain::voice::sources::{SearchQuery, SourceKind, source_text, source_title};
use heard_store::{
    NewConsent, NewParticipant, NewSource, Participant, Programme, SearchFilters, SearchResults, Source, SourceSummary,
};
use serde::{Deserialize, Deserializer, Serialize};

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, ApiQuery};
use crate::journeys::api::programme_at;
use crate::routes::Route;
use crate::voice::{contact_details_for, screen};

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
        Route::get("/api/v1/programmes/{slug}/sources", Action::ViewSources, list_sources),
        Route::post("/api/v1/programmes/{slug}/sources", Action::ManageSources, create_source),
        Route::get("/api/v1/programmes/{slug}/sources/{id}", Action::ViewSources, get_source),
        Route::post("/api/v1/search", Action::ViewSources, search),
    ]
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

/// Records the withdrawal of the current consent for a purpose (the consent stays in the history)
/// and erases at once what it allowed: research, the sources they are heard in and all made of them;
/// filming, their recordings (docs/security.md).
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
    crate::protection::finish(&state).await;
    Ok(ApiJson(body_for(&state, &user, participant).await?))
}

/// A page of a programme's sources, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourcePage {
    pub sources: Vec<SourceSummary>,
    /// How many match in all.
    pub total: i64,
    pub page: i64,
}

/// Which page of sources, and what they are narrowed to.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SourceListQuery {
    /// From 1.
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub kind: Option<SourceKind>,
    #[serde(default)]
    pub participant_kind: Option<ParticipantKind>,
    #[serde(default)]
    pub activity_id: Option<i64>,
}

/// A programme's sources, newest first, twenty a page; redacted previews only.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/sources", tag = "voice",
    params(("slug" = String, Path, description = "The programme's slug"), SourceListQuery),
    responses((status = 200, body = SourcePage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list_sources(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<SourceListQuery>,
) -> Result<ApiJson<SourcePage>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let page = query.page.unwrap_or(1).max(1);
    let filters = SearchFilters {
        programme_id: Some(programme.id),
        kind: query.kind,
        participant_kind: query.participant_kind,
        activity_id: query.activity_id,
        ..SearchFilters::default()
    };
    let (sources, total) = state.store.sources(&filters, page - 1).await?;
    Ok(ApiJson(SourcePage { sources, total, page }))
}

/// A source as the caller may read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SourceBody {
    #[serde(flatten)]
    pub source: Source,
    /// Personal data: present only for researchers, only for one source at a time, and only while
    /// everyone heard in it consents to research. Each answer that carries it is audited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_text: Option<String>,
}

/// A source to add. Its text is screened for personal data before it is stored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewSourceRequest {
    pub kind: SourceKind,
    /// At most 120 characters; left out, the kind and date make one.
    #[serde(default)]
    pub title: Option<String>,
    /// At most 100,000 characters.
    pub text: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub collected_on: Option<String>,
    #[serde(default)]
    pub activity_id: Option<i64>,
    #[serde(default)]
    pub participant_ids: Vec<i64>,
    /// Anything else worth keeping, as text.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Adds a typed source (not film: that needs its recording, uploaded from the film page).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/sources", tag = "voice", request_body = NewSourceRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = SourceBody), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_source(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<NewSourceRequest>,
) -> Result<(StatusCode, ApiJson<SourceBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let mut errors = Collector::new();
    if body.kind == SourceKind::Film {
        errors.push("kind", "A film needs its recording: upload it from the film page");
    }
    let title = errors.take(source_title("title", body.title.as_deref().unwrap_or_default()));
    let text = errors.take(source_text("text", &body.text));
    let collected_on = match body.collected_on.as_deref() {
        None | Some("") => Some(None),
        Some(raw) => errors.take(dates::parse_iso("collected_on", raw).map(Some)),
    };
    if body.attributes.len() > 50
        || body.attributes.iter().any(|(k, v)| k.chars().count() > 80 || v.chars().count() > 2000)
    {
        errors.push("attributes", "Keep to 50 attributes, names of 80 characters and values of 2,000 or fewer");
    }
    errors.finish(|| ())?;
    let (Some(title), Some(text), Some(collected_on)) = (title, text, collected_on) else {
        return Err(Invalid::one("text", "Enter the text of the source").into());
    };
    let new = NewSource {
        kind: body.kind,
        title,
        text: screen(&state, programme.id, text).await?,
        collected_on,
        activity_id: body.activity_id,
        participant_ids: body.participant_ids,
        attributes: body.attributes,
        media: None,
        cue_timings: None,
    };
    let source = state.store.add_source(programme.id, &new, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(SourceBody { source, original_text: None })))
}

/// One source: redacted text for everyone; `original_text` for researchers where consent allows.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/sources/{id}", tag = "voice",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The source's id")),
    responses((status = 200, body = SourceBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get_source(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<SourceBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let source = state.store.source(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    let original_text = if heard_domain::governance::permits(Some(user.role), Action::ViewOriginalText)
        && source.consented_to(ConsentPurpose::Research)
    {
        state.store.record_audit(Some(user.id), "source.original_viewed", &format!("source {}", source.id)).await?;
        Some(source.text.original().to_owned())
    } else {
        None
    };
    Ok(ApiJson(SourceBody { source, original_text }))
}

/// What to search for, and the filters; every filter may be left out.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SearchRequest {
    /// Words, all of which must appear; "double quotes" for a phrase. At most 200 characters.
    pub q: String,
    #[serde(default)]
    pub programme: Option<String>,
    #[serde(default)]
    pub kind: Option<SourceKind>,
    #[serde(default)]
    pub participant_kind: Option<ParticipantKind>,
    #[serde(default)]
    pub activity_id: Option<i64>,
    /// `YYYY-MM-DD`: collected on or after.
    #[serde(default)]
    pub from: Option<String>,
    /// `YYYY-MM-DD`: collected on or before.
    #[serde(default)]
    pub to: Option<String>,
    /// An attribute (imported column or story form question) and the value it must have.
    #[serde(default)]
    pub attribute: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    /// From 1.
    #[serde(default)]
    pub page: Option<i64>,
}

/// Full-text search over redacted text, ranked. Snippets mark matches with U+E001 and U+E002.
/// A POST so that what is searched for never appears in a URL.
#[utoipa::path(post, path = "/api/v1/search", tag = "voice", request_body = SearchRequest,
    responses((status = 200, body = SearchResults), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody, description = "No such programme"),
        (status = 422, body = ApiErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SearchRequest>,
) -> Result<ApiJson<SearchResults>, ApiError> {
    let mut errors = Collector::new();
    let query = errors.take(SearchQuery::parse("q", &body.q));
    let date = |errors: &mut Collector, field: &str, raw: &Option<String>| match raw.as_deref() {
        None | Some("") => None,
        Some(raw) => errors.take(dates::parse_iso(field, raw)),
    };
    let from = date(&mut errors, "from", &body.from);
    let to = date(&mut errors, "to", &body.to);
    let attribute = match (body.attribute, body.value) {
        (Some(name), Some(value)) => Some((name, value)),
        (None, None) => None,
        _ => {
            errors.push("attribute", "Give both attribute and value, or neither");
            None
        }
    };
    errors.finish(|| ())?;
    let Some(query) = query else { return Err(Invalid::one("q", "Enter what to search for").into()) };
    let programme_id = match body.programme.as_deref() {
        Some(slug) => Some(programme_at(&state, slug).await?.id),
        None => None,
    };
    let filters = SearchFilters {
        programme_id,
        kind: body.kind,
        participant_kind: body.participant_kind,
        activity_id: body.activity_id,
        from,
        to,
        attribute,
    };
    let page = body.page.unwrap_or(1).max(1);
    Ok(ApiJson(state.store.search(&query, &filters, page - 1).await?))
}
