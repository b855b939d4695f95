//! `/api/v1` for coding: a programme's codebook, adding a code, a source's excerpts with their
//! codings, and coding a span by character offsets. A span that does not fit the source's
//! redacted text is refused (422 naming `end`) and nothing is stored.

use axum::extract::State;
use axum::http::StatusCode;
use heard_domain::coding::codebook::CodeInput;
use heard_domain::governance::Action;
use heard_store::coding::{Code, Excerpt};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const CODEBOOK: &str = "/api/v1/programmes/{slug}/codebook";
    const CODINGS: &str = "/api/v1/programmes/{slug}/sources/{id}/codings";
    vec![
        Route::get(CODEBOOK, Action::ViewCoding, codebook),
        Route::post(CODEBOOK, Action::Code, create_code),
        Route::get(CODINGS, Action::ViewCoding, codings),
        Route::post(CODINGS, Action::Code, code_span),
    ]
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodebookBody {
    /// Live codes in tree order, each with its depth.
    pub codes: Vec<Code>,
}

/// The programme's codebook: its own codes and the organisation's, in tree order.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/codebook", tag = "coding",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = CodebookBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn codebook(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<CodebookBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(CodebookBody { codes: state.store.codebook(Some(programme.id)).await? }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewCodeRequest {
    /// At most 80 characters, unique (ignoring case) among its parent's codes.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `#rrggbb`; left out, the next colour of the palette.
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// True: the organisation's codebook, shared by every programme.
    #[serde(default)]
    pub shared: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Adds a code to the programme's codebook (or, with `shared`, the organisation's).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/codebook", tag = "coding", request_body = NewCodeRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create_code(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<NewCodeRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let parent = body.parent_id.map(|p| p.to_string()).unwrap_or_default();
    let input = CodeInput::parse(
        &body.name,
        body.description.as_deref().unwrap_or_default(),
        body.colour.as_deref().unwrap_or_default(),
        &parent,
    )?;
    let owner = if body.shared { None } else { Some(programme.id) };
    let id = state.store.add_code(owner, &input, user.id).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodingsBody {
    /// In text order. Offsets count Unicode scalar values of the source's redacted text.
    pub excerpts: Vec<Excerpt>,
}

/// A source's excerpts with every coder's codings.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/sources/{id}/codings", tag = "coding",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The source's id")),
    responses((status = 200, body = CodingsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn codings(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<CodingsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(CodingsBody { excerpts: state.store.source_excerpts(programme.id, id).await? }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CodeSpanRequest {
    /// The first character, counting Unicode scalar values of the redacted text from 0.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The codes to apply, at least one.
    pub codes: Vec<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodedBody {
    pub excerpt: Excerpt,
}

/// Applies codes to a span of a source's redacted text as the caller.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/sources/{id}/codings", tag = "coding", request_body = CodeSpanRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The source's id")),
    responses((status = 201, body = CodedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn code_span(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<CodeSpanRequest>,
) -> Result<(StatusCode, ApiJson<CodedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let excerpt_id = state.store.code_span(programme.id, id, (body.start, body.end), &body.codes, user.id).await?;
    let excerpt = state.store.excerpt(programme.id, excerpt_id).await?.excerpt;
    Ok((StatusCode::CREATED, ApiJson(CodedBody { excerpt })))
}
