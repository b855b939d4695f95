//! `/api/v1` for setting up and running Deliberation Days: a programme's deliberations, their
//! setup, statements (written, or seeded from insights and propositions) with their vote counts,
//! moderation, and open or close. Counts only: never who voted what.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::dates::{DateParts, parse_iso};
use heard_domain::deliberation::days::{DeliberationFields, DeliberationStatus, StatementState, statement_text};
use heard_domain::error::FieldError;
use heard_domain::governance::Action;
use heard_store::Programme;
use heard_store::StoreError;
use heard_store::deliberation::{Deliberation, DeliberationSummary, NewOrigin, Participation, Statement};
use serde::{Deserialize, Serialize};

use super::setup::{Setup, create_with_propositions, edit_with_propositions, read_setup, seed_statements};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/api/v1/programmes/{slug}/deliberations";
    const ONE: &str = "/api/v1/programmes/{slug}/deliberations/{id}";
    vec![
        Route::get(LIST, Action::ViewDeliberations, list),
        Route::post(LIST, Action::RunDeliberations, create),
        Route::get(ONE, Action::ViewDeliberations, get),
        Route::put(ONE, Action::RunDeliberations, edit),
        Route::delete(ONE, Action::RunDeliberations, delete),
        Route::post("/api/v1/programmes/{slug}/deliberations/{id}/status", Action::RunDeliberations, status),
        Route::post(
            "/api/v1/programmes/{slug}/deliberations/{id}/statements",
            Action::RunDeliberations,
            add_statements,
        ),
        Route::post("/api/v1/programmes/{slug}/deliberations/{id}/moderation", Action::RunDeliberations, moderate),
    ]
}

/// The deliberation `id` of this programme; another programme's is 404.
async fn deliberation_at(state: &AppState, programme: &Programme, id: i64) -> Result<Deliberation, ApiError> {
    match state.store.deliberation(id).await? {
        Some(d) if d.programme_id == programme.id => Ok(d),
        _ => Err(ApiError::not_found()),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliberationsBody {
    pub deliberations: Vec<DeliberationSummary>,
}

/// A programme's Deliberation Days, latest first, with how many attended and voted.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/deliberations", tag = "deliberation",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = DeliberationsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<DeliberationsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(DeliberationsBody { deliberations: state.store.deliberations(programme.id).await? }))
}

/// A Deliberation Day's setup as JSON.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeliberationRequest {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub venue: Option<String>,
    /// May attendees add statements (each then waits for moderation)?
    pub attendee_statements: bool,
    /// `none` (the default), `pairwise` or `dots`.
    pub prioritisation: Option<String>,
    /// Dots each attendee has, 1 to 20: needed for `dots`.
    pub dots: Option<u32>,
    /// The programme's propositions to prioritise, in order.
    pub proposition_ids: Vec<i64>,
    /// The questionnaire before and after, at most 10 statements.
    pub questions: Vec<String>,
}

impl DeliberationRequest {
    async fn setup(self, state: &AppState, programme: &Programme) -> Result<Setup, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let held_on = if self.held_on.trim().is_empty() {
            DateParts::default()
        } else {
            match parse_iso("held_on", &self.held_on) {
                Ok(date) => DateParts::from_date(Some(date)),
                Err(Invalid(mut found)) => {
                    errors.append(&mut found);
                    DateParts::default()
                }
            }
        };
        let fields = DeliberationFields {
            title: self.title,
            held_on,
            venue: self.venue.unwrap_or_default(),
            attendee_statements: self.attendee_statements,
            prioritisation: self.prioritisation.unwrap_or_default(),
            dots: self.dots.map(|n| n.to_string()).unwrap_or_default(),
        };
        let known: BTreeSet<i64> = state.store.propositions(programme.id).await?.into_iter().map(|p| p.id).collect();
        if self.questions.iter().any(|q| q.contains('\n')) {
            errors.push(FieldError { field: "questions".into(), message: "Give each question on one line".into() });
        }
        let chosen: Vec<String> = self.proposition_ids.iter().map(i64::to_string).collect();
        let read = read_setup(&fields, &self.questions.join("\n"), &chosen, &known);
        match read {
            Ok(setup) if errors.is_empty() => Ok(setup),
            Ok(_) => Err(Invalid(errors).into()),
            Err(Invalid(mut found)) => {
                // A date that did not parse is reported once, as the parser said.
                if errors.iter().any(|e| e.field == "held_on") {
                    found.retain(|e| e.field != "held_on");
                }
                errors.append(&mut found);
                Err(Invalid(errors).into())
            }
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DeliberationCreatedBody)]
pub struct CreatedBody {
    pub id: i64,
    /// The code attendees join with, as shown: `ABC-DEF`.
    pub join_code: String,
}

/// Sets up a Deliberation Day (being set up, with a fresh join code).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/deliberations", tag = "deliberation",
    request_body = DeliberationRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<DeliberationRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let setup = body.setup(&state, &programme).await?;
    let id = create_with_propositions(&state, programme.id, &setup, Some(user.id)).await?;
    let created = deliberation_at(&state, &programme, id).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id, join_code: created.join_code_shown() })))
}

/// A Deliberation Day with its statements and their counts, and how many took part.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliberationBody {
    pub deliberation: Deliberation,
    /// The join code as shown: `ABC-DEF`.
    pub join_code_shown: String,
    /// Every statement in the order added, attendees' waiting ones and rejected ones included.
    pub statements: Vec<Statement>,
    pub participation: Participation,
}

/// A Deliberation Day: setup, statements with their vote counts, participation.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/deliberations/{id}", tag = "deliberation",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 200, body = DeliberationBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<DeliberationBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let deliberation = deliberation_at(&state, &programme, id).await?;
    let statements = state.store.statements(id).await?;
    let participation = state.store.participation(id).await?;
    let join_code_shown = deliberation.join_code_shown();
    Ok(ApiJson(DeliberationBody { deliberation, join_code_shown, statements, participation }))
}

/// Changes a Deliberation Day's setup. How attendees prioritise and the propositions change only
/// while it is being set up, and the questions only until someone has answered them (422 naming
/// the field; nothing saved).
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/deliberations/{id}", tag = "deliberation",
    request_body = DeliberationRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<DeliberationRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let deliberation = deliberation_at(&state, &programme, id).await?;
    let setup = body.setup(&state, &programme).await?;
    edit_with_propositions(&state, &deliberation, &setup).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a Deliberation Day with everything attendees gave to it.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/deliberations/{id}", tag = "deliberation",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    deliberation_at(&state, &programme, id).await?;
    state.store.delete_deliberation(id).await?;
    state.live.changed(id);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = DeliberationStatusRequest)]
pub struct StatusRequest {
    /// `open`, `closed` or `draft` (back to being set up, only before anyone has joined).
    pub status: String,
}

/// Opens, closes, reopens, or takes back to being set up. A move not allowed is 422 with the reason.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/deliberations/{id}/status", tag = "deliberation",
    request_body = StatusRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    deliberation_at(&state, &programme, id).await?;
    let to = body
        .status
        .trim()
        .parse::<DeliberationStatus>()
        .map_err(|_| Invalid::one("status", "Give the status as open, closed or draft"))?;
    state.store.move_deliberation(id, to).await?;
    state.live.changed(id);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StatementsRequest {
    /// Statements written fresh, each one line of at most 280 characters.
    pub texts: Vec<String>,
    /// The programme's insights whose statements to add.
    pub insight_ids: Vec<i64>,
    /// The programme's propositions whose titles to add.
    pub proposition_ids: Vec<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AddedBody {
    /// The new statements' ids.
    pub added: Vec<i64>,
    /// Statements left out because the same words were there already.
    pub already_there: u32,
    /// Insights or proposition titles left out for being longer than a statement may be.
    pub too_long: u32,
}

/// Adds statements: written fresh, or seeded from insights and propositions. Every text is checked
/// before any is added (422 naming `texts[N]`); one whose words are there already is left out and
/// counted.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/deliberations/{id}/statements", tag = "deliberation",
    request_body = StatementsRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 201, body = AddedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_statements(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<StatementsRequest>,
) -> Result<(StatusCode, ApiJson<AddedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let deliberation = deliberation_at(&state, &programme, id).await?;
    let mut errors = Vec::new();
    let mut texts = Vec::new();
    for (n, raw) in body.texts.iter().enumerate() {
        match statement_text(&format!("texts[{n}]"), raw) {
            Ok(text) => texts.push(text),
            Err(Invalid(mut found)) => errors.append(&mut found),
        }
    }
    if body.texts.is_empty() && body.insight_ids.is_empty() && body.proposition_ids.is_empty() {
        errors.push(FieldError {
            field: "texts".into(),
            message: "Give at least one statement, insight or proposition".into(),
        });
    }
    if deliberation.status == DeliberationStatus::Closed {
        errors.push(FieldError {
            field: "texts".into(),
            message: "This Deliberation Day is closed: nothing more can be added to it".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Invalid(errors).into());
    }
    let by = Some(user.id);
    let mut seeded = seed_statements(&state, &programme, id, &body.insight_ids, &body.proposition_ids, by).await?;
    for text in texts {
        match state.store.add_statement(id, &text, NewOrigin::Written, by).await {
            Ok(added) => seeded.added.push(added),
            Err(StoreError::Duplicate { .. }) => seeded.already += 1,
            Err(other) => return Err(other.into()),
        }
    }
    state.live.changed(id);
    Ok((
        StatusCode::CREATED,
        ApiJson(AddedBody { added: seeded.added, already_there: seeded.already, too_long: seeded.too_long }),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ModerationRequest {
    pub statement_id: i64,
    /// `accepted` or `rejected`.
    pub state: String,
}

/// Accepts or rejects a statement of this deliberation (an attendee's, waiting, or any other).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/deliberations/{id}/moderation", tag = "deliberation",
    request_body = ModerationRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The deliberation's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn moderate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ModerationRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    deliberation_at(&state, &programme, id).await?;
    let decision = match body.state.trim() {
        "accepted" => StatementState::Accepted,
        "rejected" => StatementState::Rejected,
        _ => return Err(Invalid::one("state", "Give the state as accepted or rejected").into()),
    };
    state.store.moderate_statement(id, body.statement_id, decision, Some(user.id)).await?;
    state.live.changed(id);
    Ok(StatusCode::NO_CONTENT)
}
