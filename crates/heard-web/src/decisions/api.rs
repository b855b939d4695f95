//! `/api/v1` for decisions: the programme's decisions, one decision with its propositions and
//! departures, recording one or changing it (every field error and every missing departure reason
//! by field, 422, nothing saved; a change names the version it started from, 409 when stale),
//! deleting one (409 while its outcomes have measurements), and a decision's evidence trail (only
//! consented quotes, people by kind).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::dates::{DateParts, parse_iso};
use heard_domain::decisions::DecisionFields;
use heard_domain::governance::Action;
use heard_domain::{FieldError, Invalid};
use heard_store::StoreError;
use heard_store::decisions::{Decision, DecisionSummary, Trail};
use serde::{Deserialize, Serialize};

use super::trail::with_quotes;
use super::{Refused, assess, change, record};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/api/v1/programmes/{slug}/decisions";
    vec![
        Route::get(LIST, Action::ViewDecisions, list),
        Route::post(LIST, Action::RecordDecisions, create),
        Route::get("/api/v1/programmes/{slug}/decisions/{id}", Action::ViewDecisions, get),
        Route::put("/api/v1/programmes/{slug}/decisions/{id}", Action::RecordDecisions, update),
        Route::delete("/api/v1/programmes/{slug}/decisions/{id}", Action::RecordDecisions, delete),
        Route::get("/api/v1/programmes/{slug}/decisions/{id}/trail", Action::ViewDecisions, trail),
    ]
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionsBody {
    /// The latest first.
    pub decisions: Vec<DecisionSummary>,
}

/// A programme's decisions.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/decisions", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = DecisionsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<DecisionsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(DecisionsBody { decisions: state.store.decisions(programme.id).await? }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionBody {
    pub decision: Decision,
}

/// One decision: what it changes, budget and period, who decided and when, why, the propositions
/// it takes up, and its departures from the Deliberation Day with their reasons.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/decisions/{id}", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, body = DecisionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<DecisionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let decision = state.store.decision(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(DecisionBody { decision }))
}

/// A decision to record. A field left out is read as blank, so it is named among the errors.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionRequest {
    pub title: String,
    /// The change to what is commissioned or how.
    pub service_change: String,
    /// In pounds, as typed ("£250,000"); absent for none.
    pub budget: Option<String>,
    /// ISO 8601 dates.
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    /// `person`, `board` or `committee`.
    pub decided_by_kind: String,
    pub decided_by: String,
    pub decided_on: String,
    /// Why the decision was made.
    pub rationale: String,
    /// The ids of the propositions it takes up.
    pub propositions: Vec<i64>,
    /// The reason for each departure from what the Deliberation Day favoured, by proposition id;
    /// a departure without one is refused naming `reason-{id}`.
    pub reasons: BTreeMap<String, String>,
    /// When changing a decision (PUT), the version it was read at: a stale one is 409 and nothing
    /// is saved. Not needed to record one.
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Records a decision. Each departure from what the latest Deliberation Day favoured needs its
/// reason: a 422 names `reason-{id}` for each one missing, with every other field error.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/decisions", tag = "decisions", request_body = DecisionRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let (fields, reasons, errors) = read_request(&body);
    let assessed = assessed(assess(&state, &programme, &fields, &reasons, None).await, errors)?;
    match record(&state, &programme, &assessed, user.id).await {
        Ok(id) => Ok((StatusCode::CREATED, ApiJson(CreatedBody { id }))),
        Err(Refused::Invalid(invalid)) => Err(invalid.into()),
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// A request as the form's fields, the reasons by proposition, and the errors found reading it.
fn read_request(body: &DecisionRequest) -> (DecisionFields, BTreeMap<i64, String>, Vec<FieldError>) {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut date = |field: &str, raw: Option<&str>| -> DateParts {
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => DateParts::default(),
            Some(raw) => match parse_iso(field, raw) {
                Ok(d) => DateParts::from_date(Some(d)),
                Err(Invalid(e)) => {
                    errors.extend(e);
                    // A stand-in so the other fields are still checked; this one is already named.
                    DateParts { day: "1".into(), month: "1".into(), year: "2000".into() }
                }
            },
        }
    };
    let fields = DecisionFields {
        title: body.title.clone(),
        service_change: body.service_change.clone(),
        budget: body.budget.clone().unwrap_or_default(),
        period_start: date("period_start", body.period_start.as_deref()),
        period_end: date("period_end", body.period_end.as_deref()),
        decided_on: date("decided_on", Some(&body.decided_on)),
        decided_by_kind: body.decided_by_kind.clone(),
        decided_by: body.decided_by.clone(),
        rationale: body.rationale.clone(),
        propositions: body.propositions.iter().map(i64::to_string).collect(),
    };
    let mut reasons = BTreeMap::new();
    for (key, reason) in &body.reasons {
        match key.trim_start_matches("reason-").parse::<i64>() {
            Ok(id) => {
                reasons.insert(id, reason.clone());
            }
            Err(_) => errors.push(FieldError {
                field: "reasons".into(),
                message: "Name each reason by its proposition's id".into(),
            }),
        }
    }
    (fields, reasons, errors)
}

/// The assessed decision, or every error: those found reading the request and the rule's.
fn assessed(
    result: Result<super::Assessed, Refused>,
    mut errors: Vec<FieldError>,
) -> Result<super::Assessed, ApiError> {
    match result {
        Ok(assessed) if errors.is_empty() => Ok(assessed),
        Ok(_) => Err(Invalid(errors).into()),
        Err(Refused::Invalid(Invalid(more))) => {
            let more: Vec<FieldError> = more.into_iter().filter(|e| !errors_named(&errors, &e.field)).collect();
            errors.extend(more);
            Err(Invalid(errors).into())
        }
        Err(Refused::Store(error)) => Err(error.into()),
    }
}

/// Changes a decision: the same body as recording one, with the `version` it was read at. The
/// departure rule runs again against the Deliberation Day it was compared with, ranked as it
/// stands now: each departure needs its reason again (422 naming `reason-{id}`). A stale
/// version is 409 (`edit_conflict`) and nothing is saved. Propositions it no longer takes up go
/// back to the status they had unless another decision takes them up; those it now takes up are
/// commissioned.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/decisions/{id}", tag = "decisions", request_body = DecisionRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, body = DecisionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<ApiJson<DecisionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let decision = state.store.decision(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    let (fields, reasons, mut errors) = read_request(&body);
    if body.version.is_none() {
        errors
            .push(FieldError { field: "version".into(), message: "Send the version of the decision you read".into() });
    }
    let assessed = assessed(assess(&state, &programme, &fields, &reasons, Some(&decision)).await, errors)?;
    let seen = body.version.unwrap_or_default();
    match change(&state, &programme, id, seen, &assessed, user.id).await {
        Ok(_) => {}
        Err(Refused::Invalid(invalid)) => return Err(invalid.into()),
        Err(Refused::Store(error)) => return Err(error.into()),
    }
    let decision = state.store.decision(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(DecisionBody { decision }))
}

/// Deletes a decision with its outcomes and their review dates; the propositions it took up go
/// back to the status they had unless another decision takes them up, and the public page no
/// longer lists it. Refused (409, `decision_measured`) while any of its outcomes has a
/// measurement: delete those first if they were recorded in error.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/decisions/{id}", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    match state.store.delete_decision(programme.id, id, Some(user.id)).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::Invalid(invalid)) => {
            let message = invalid.0.into_iter().next().map(|e| e.message).unwrap_or_default();
            Err(ApiError::new(StatusCode::CONFLICT, "decision_measured", message))
        }
        Err(error) => Err(error.into()),
    }
}

fn errors_named(errors: &[FieldError], field: &str) -> bool {
    errors.iter().any(|e| e.field == field)
}

/// A decision's evidence trail: its propositions, their insights, factors and signals, the
/// excerpts and sources behind them (a quote only where everyone heard consents to anonymous
/// quotation; otherwise its words are empty), people by kind, activities, the room's ranking and
/// the gaps. No one is named.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/decisions/{id}/trail", tag = "decisions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The decision's id")),
    responses((status = 200, body = Trail), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn trail(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<Trail>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let trail = state.store.decision_trail(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(with_quotes(trail, false)))
}
