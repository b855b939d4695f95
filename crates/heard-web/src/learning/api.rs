//! `/api/v1` for the learning log: a programme's reflections (all or of one kind), one reflection,
//! writing one, and changing or deleting one's own (anyone else's is 403); and the programme's
//! story of transformation as one timeline.

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::Invalid;
use heard_domain::dates::{DateParts, parse_iso};
use heard_domain::error::Collector;
use heard_domain::governance::Action;
use heard_domain::learning::{ReflectionFields, ReflectionInput};
use heard_store::Programme;
use heard_store::learning::{Reflection, ReflectionFilter};
use serde::{Deserialize, Serialize};

use super::story::StoryBody;
use crate::AppState;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, ApiQuery};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const LIST: &str = "/api/v1/programmes/{slug}/reflections";
    const ONE: &str = "/api/v1/programmes/{slug}/reflections/{id}";
    vec![
        Route::get(LIST, Action::ViewLearning, list),
        Route::post(LIST, Action::WriteReflections, create),
        Route::get(ONE, Action::ViewLearning, get),
        // Only the writer may change or delete a reflection; the handlers check who that is.
        Route::put(ONE, Action::WriteReflections, edit),
        Route::delete(ONE, Action::WriteReflections, delete),
        Route::get("/api/v1/programmes/{slug}/story", Action::ViewLearning, story),
    ]
}

/// The programme's story of transformation: stages started and ended, activities, Deliberation
/// Days, decisions and reflections on one timeline, earliest first (on one day a stage starts
/// first, then what was done, deliberated and decided, then reflections, and a stage ends last).
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/story", tag = "learning",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = StoryBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn story(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<StoryBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let entries = super::story::entries(&state.store, &programme).await?;
    Ok(ApiJson(StoryBody { programme: programme.slug, entries }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ReflectionsQuery {
    /// `up`, `down`, `surprise` or `lesson`; absent is every kind.
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReflectionsBody {
    /// Latest first.
    pub reflections: Vec<Reflection>,
}

/// A programme's learning log, latest first: every reflection or those of one kind.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/reflections", tag = "learning",
    params(("slug" = String, Path, description = "The programme's slug"), ReflectionsQuery),
    responses((status = 200, body = ReflectionsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<ReflectionsQuery>,
) -> Result<ApiJson<ReflectionsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let kind = match query.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(heard_domain::vocabulary::parse_code("kind", "a kind of reflection", code)?),
    };
    let filter = ReflectionFilter { kind, ..Default::default() };
    Ok(ApiJson(ReflectionsBody { reflections: state.store.reflections(programme.id, filter).await? }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReflectionBody {
    pub reflection: Reflection,
}

/// One reflection with who wrote it and what it is about.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/reflections/{id}", tag = "learning",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The reflection's id")),
    responses((status = 200, body = ReflectionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<ReflectionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let reflection = state.store.reflection(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(ReflectionBody { reflection }))
}

/// A reflection to write, or what it becomes when changed.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReflectionRequest {
    /// `up`, `down`, `surprise` or `lesson`.
    pub kind: String,
    pub text: String,
    /// `YYYY-MM-DD`, today or earlier.
    pub written_on: String,
    #[serde(default)]
    pub stage_id: Option<i64>,
    #[serde(default)]
    pub activity_id: Option<i64>,
    #[serde(default)]
    pub decision_id: Option<i64>,
}

impl ReflectionRequest {
    fn input(&self) -> Result<ReflectionInput, Invalid> {
        let mut errors = Collector::new();
        let written_on = errors.take(parse_iso("written_on", &self.written_on));
        let id = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
        let fields = ReflectionFields {
            kind: self.kind.clone(),
            text: self.text.clone(),
            // A date that did not parse is checked as missing below, so it is named once.
            written_on: DateParts::from_date(written_on),
            stage: id(self.stage_id),
            activity: id(self.activity_id),
            decision: id(self.decision_id),
        };
        match ReflectionInput::parse(&fields, super::pages::today()) {
            Ok(input) => errors.finish(|| input),
            Err(Invalid(found)) => {
                for e in found {
                    if !(e.field == "written_on" && written_on.is_none()) {
                        errors.push(e.field, e.message);
                    }
                }
                Err(errors.finish(|| ()).err().unwrap_or_else(|| Invalid::one("text", "Check the reflection")))
            }
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Writes a reflection in the programme's learning log, as the token's user.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/reflections", tag = "learning", request_body = ReflectionRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<ReflectionRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let id = state.store.create_reflection(programme.id, &body.input()?, user.id).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

/// The reflection, if `user` wrote it: 404 if it is not the programme's, 403 if someone else's.
async fn own(state: &AppState, programme: &Programme, id: i64, user: &CurrentUser) -> Result<Reflection, ApiError> {
    let reflection = state.store.reflection(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    if reflection.written_by.as_ref().map(|u| u.id) != Some(user.id) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only the person who wrote a reflection may change it",
        ));
    }
    Ok(reflection)
}

/// Changes one's own reflection.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/reflections/{id}", tag = "learning", request_body = ReflectionRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The reflection's id")),
    responses((status = 200, body = ReflectionBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ReflectionRequest>,
) -> Result<ApiJson<ReflectionBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    own(&state, &programme, id, &user).await?;
    state.store.edit_reflection(programme.id, id, &body.input()?).await?;
    let reflection = state.store.reflection(programme.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(ApiJson(ReflectionBody { reflection }))
}

/// Deletes one's own reflection.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/reflections/{id}", tag = "learning",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The reflection's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    own(&state, &programme, id, &user).await?;
    state.store.delete_reflection(programme.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
