//! `/api/v1` for propositions: the list with evidence counts and breadth, one proposition with its
//! evidence, breadth, shapers, history, versions and lineage, writing one, editing it (with the
//! `version` read: a change by someone else since is 409 `edit_conflict`, nothing saved), moving
//! its status (with the status read; decisions need a commissioner), and linking or unlinking an
//! insight, factor or signal.

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::governance::{Action, permits};
use heard_domain::propositions::{EvidenceRef, PropositionInput, StatusChange};
use heard_store::propositions::{Proposition, PropositionSummary};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/api/v1/programmes/{slug}/propositions";
    const ONE: &str = "/api/v1/programmes/{slug}/propositions/{id}";
    const EVIDENCE: &str = "/api/v1/programmes/{slug}/propositions/{id}/evidence";
    vec![
        Route::get(LIST, Action::ViewPropositions, list),
        Route::post(LIST, Action::EditPropositions, create),
        Route::get(ONE, Action::ViewPropositions, get),
        Route::put(ONE, Action::EditPropositions, edit),
        // Moves that decide need DecidePropositions too; the handler checks which move it is.
        Route::put("/api/v1/programmes/{slug}/propositions/{id}/status", Action::EditPropositions, status),
        Route::post(EVIDENCE, Action::EditPropositions, link),
        Route::delete(EVIDENCE, Action::EditPropositions, unlink),
    ]
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PropositionsBody {
    /// Most recently changed first.
    pub propositions: Vec<PropositionSummary>,
}

/// A programme's propositions with their status, evidence counts, shapers and breadth.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/propositions", tag = "propositions",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = PropositionsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<PropositionsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(PropositionsBody { propositions: state.store.propositions(programme.id).await? }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PropositionBody {
    pub proposition: Proposition,
}

/// One proposition: its words, status, the evidence it stands on with the breadth of who is heard
/// in it (`no_citizen_evidence` when no citizen is), shapers, status history, versions and lineage.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/propositions/{id}", tag = "propositions",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The proposition's id")),
    responses((status = 200, body = PropositionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<PropositionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let proposition = state.store.proposition(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(PropositionBody { proposition }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PropositionRequest {
    pub title: String,
    /// The change it proposes to what is commissioned or how.
    pub change: String,
    /// On an edit, what changed (kept with the version).
    #[serde(default)]
    pub note: Option<String>,
    /// On an edit, the version read; required there, ignored on create.
    #[serde(default)]
    pub version: Option<i64>,
}

impl PropositionRequest {
    fn input(&self) -> Result<PropositionInput, Invalid> {
        PropositionInput::parse(&self.title, &self.change, self.note.as_deref().unwrap_or_default())
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Writes a proposition as a draft, version 1.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/propositions", tag = "propositions", request_body = PropositionRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<PropositionRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let id = state.store.create_proposition(programme.id, &body.input()?, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionBody {
    /// The version the edit made.
    pub version: i64,
}

/// Rewrites a proposition's title and change as a new version; `version` (the one read) is required.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/propositions/{id}", tag = "propositions", request_body = PropositionRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The proposition's id")),
    responses((status = 200, body = VersionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<PropositionRequest>,
) -> Result<ApiJson<VersionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let input = body.input()?;
    let seen = body.version.ok_or_else(|| Invalid::one("version", "Send the proposition's version as read"))?;
    let version = state.store.edit_proposition(programme.id, id, seen, &input, Some(user.id)).await?;
    Ok(ApiJson(VersionBody { version }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PropositionStatusRequest)]
pub struct StatusRequest {
    /// The status to move to: `draft`, `open_for_deliberation`, `recommended`, `commissioned`,
    /// `declined` or `withdrawn`.
    pub status: String,
    /// The status read; if it has moved since, 409 `edit_conflict`.
    pub from: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Moves a proposition's status, kept in its history. Recommending, commissioning or declining
/// it, or moving it on from one of those, needs a commissioner.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/propositions/{id}/status", tag = "propositions", request_body = StatusRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The proposition's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let change = StatusChange::parse(&body.status, &body.from, body.note.as_deref().unwrap_or_default())?;
    if change.from.move_needs_decision(change.to) && !permits(Some(user.role), Action::DecidePropositions) {
        return Err(ApiError::forbidden());
    }
    state.store.change_proposition_status(programme.id, id, &change, Some(user.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One piece of evidence: exactly one of the three ids.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = PropositionEvidenceRequest)]
pub struct EvidenceRequest {
    #[serde(default)]
    pub insight_id: Option<i64>,
    #[serde(default)]
    pub factor_id: Option<i64>,
    #[serde(default)]
    pub signal_id: Option<i64>,
}

impl EvidenceRequest {
    fn reference(&self) -> Result<EvidenceRef, Invalid> {
        match (self.insight_id, self.factor_id, self.signal_id) {
            (Some(id), None, None) => Ok(EvidenceRef::Insight(id)),
            (None, Some(id), None) => Ok(EvidenceRef::Factor(id)),
            (None, None, Some(id)) => Ok(EvidenceRef::Signal(id)),
            _ => Err(Invalid::one("insight_id", "Send exactly one of insight_id, factor_id and signal_id")),
        }
    }
}

/// Links an insight, a cause-map factor or a signal of the programme to the proposition (once).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/propositions/{id}/evidence", tag = "propositions",
    request_body = EvidenceRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The proposition's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<EvidenceRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let evidence = body.reference()?;
    state.store.link_proposition_evidence(programme.id, id, evidence, Some(user.id)).await.map_err(|e| {
        // The store names the form's field; the API's is the id field.
        match e {
            heard_store::StoreError::Invalid(Invalid(mut fields)) => {
                for f in &mut fields {
                    f.field = format!("{}_id", f.field);
                }
                ApiError::from(Invalid(fields))
            }
            other => other.into(),
        }
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks a piece of evidence from the proposition.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/propositions/{id}/evidence", tag = "propositions",
    request_body = EvidenceRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The proposition's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn unlink(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<EvidenceRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.unlink_proposition_evidence(programme.id, id, body.reference()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
