//! `/api/v1` for cause maps: maps, factors, arrows, evidence, the analysis, Kumu import and DOT
//! or Kumu export. Edits carry the `version` the client read; a change by someone else since is
//! refused with 409 `edit_conflict` and nothing is saved.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use heard_domain::causes::dot;
use heard_domain::causes::kumu::Blueprint;
use heard_domain::causes::map::{FactorInput, MapInput};
use heard_domain::governance::Action;
use heard_store::Programme;
use heard_store::causes::{CauseMap, CauseMapSummary, EvidenceRef, LinkedInsight};
use serde::{Deserialize, Serialize};

use super::Drawn;
use super::exchange::parts_of;
use crate::AppState;
use crate::auth::ApiUser;
use crate::coding::insights::reads_every_quote;
use crate::error::{ApiError, ApiErrorBody, ApiJson, ApiPath, ApiQuery};
use crate::journeys::api::programme_at;
use crate::routes::Route;

pub fn routes() -> Vec<Route> {
    const MAPS: &str = "/api/v1/programmes/{slug}/cause-maps";
    const MAP: &str = "/api/v1/programmes/{slug}/cause-maps/{id}";
    const FACTOR: &str = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}";
    const EVIDENCE: &str = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence";
    vec![
        Route::get(MAPS, Action::ViewCauseMaps, list),
        Route::post(MAPS, Action::EditCauseMaps, create),
        Route::post("/api/v1/programmes/{slug}/cause-maps/import", Action::EditCauseMaps, import),
        Route::get(MAP, Action::ViewCauseMaps, get),
        Route::put(MAP, Action::EditCauseMaps, edit),
        Route::delete(MAP, Action::EditCauseMaps, delete),
        Route::get("/api/v1/programmes/{slug}/cause-maps/{id}/export", Action::ViewCauseMaps, export),
        Route::post("/api/v1/programmes/{slug}/cause-maps/{id}/factors", Action::EditCauseMaps, add_factor),
        Route::put(FACTOR, Action::EditCauseMaps, edit_factor),
        Route::delete(FACTOR, Action::EditCauseMaps, delete_factor),
        Route::put("/api/v1/programmes/{slug}/cause-maps/{id}/positions", Action::EditCauseMaps, positions),
        Route::post("/api/v1/programmes/{slug}/cause-maps/{id}/arrows", Action::EditCauseMaps, add_arrow),
        Route::delete("/api/v1/programmes/{slug}/cause-maps/{id}/arrows/{arrow}", Action::EditCauseMaps, remove_arrow),
        Route::get(EVIDENCE, Action::ViewCauseMaps, evidence),
        Route::post(EVIDENCE, Action::EditCauseMaps, link),
        Route::delete(EVIDENCE, Action::EditCauseMaps, unlink),
    ]
}

async fn map_at(state: &AppState, programme: &Programme, id: i64) -> Result<CauseMap, ApiError> {
    state.store.cause_map(programme.id, id).await?.ok_or_else(ApiError::not_found)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CauseMapsBody {
    pub maps: Vec<CauseMapSummary>,
}

/// A programme's cause maps, by title.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/cause-maps", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 200, body = CauseMapsBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<ApiJson<CauseMapsBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    Ok(ApiJson(CauseMapsBody { maps: state.store.cause_maps(programme.id).await? }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MapRequest {
    /// Left out or blank, the central event's words.
    #[serde(default)]
    pub title: Option<String>,
    /// The central event: the problem the map explains.
    pub central: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedBody {
    pub id: i64,
}

/// Makes a cause map with its central event.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/cause-maps", tag = "causes", request_body = MapRequest,
    params(("slug" = String, Path, description = "The programme's slug")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<MapRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let input = MapInput::parse(body.title.as_deref().unwrap_or_default(), &body.central)?;
    let id = state.store.create_cause_map(programme.id, &input, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The map's title; left out, the central event's words.
    #[serde(default)]
    pub title: Option<String>,
    /// The central event's label; left out, the element of type "Central event", else the one
    /// element with no outgoing connection.
    #[serde(default)]
    pub central: Option<String>,
}

/// Imports a Kumu JSON blueprint (the request body, at most 2 MB) as a new map: all of it or, on any problem,
/// none, with the element or connection at fault named.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/cause-maps/import", tag = "causes",
    request_body(content = String, content_type = "application/json", description = "A Kumu JSON blueprint"),
    params(("slug" = String, Path, description = "The programme's slug"), ImportParams),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let parts = parts_of(&body, params.central.as_deref().unwrap_or_default())?;
    let title = params.title.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let id = state.store.import_cause_map(programme.id, title, &parts, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id })))
}

/// A factor's way to the central event, by factor id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReachBody {
    pub factor_id: i64,
    pub paths: usize,
    /// True when counting stopped at its bound: there are at least `paths`.
    pub more_paths: bool,
    pub between: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeverageBody {
    pub factor_id: i64,
    /// 0 to 1: the mean of its betweenness and its reach, each as a share of the map's largest.
    pub score: f64,
    pub betweenness: f64,
}

/// The analysis, every factor named by id.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnalysisBody {
    pub root_causes: Vec<i64>,
    pub reach: Vec<ReachBody>,
    /// Shortest first, each in arrow order.
    pub loops: Vec<Vec<i64>>,
    /// True when the search stopped at its bound (500 loops, or its step budget).
    pub more_loops: bool,
    pub clusters: Vec<Vec<i64>>,
    pub communities: Vec<Vec<i64>>,
    /// Best first.
    pub leverage: Vec<LeverageBody>,
    pub disconnected: Vec<i64>,
}

impl AnalysisBody {
    fn of(map: &CauseMap) -> AnalysisBody {
        let analysis = Drawn::of(map).analysis;
        let id = |i: usize| map.factors.get(i).map_or(0, |f| f.id);
        let ids = |group: &Vec<usize>| group.iter().map(|&i| id(i)).collect::<Vec<_>>();
        AnalysisBody {
            root_causes: ids(&analysis.root_causes),
            reach: analysis
                .reach
                .iter()
                .map(|r| ReachBody {
                    factor_id: id(r.factor),
                    paths: r.paths,
                    more_paths: r.more_paths,
                    between: r.between,
                })
                .collect(),
            loops: analysis.loops.iter().map(ids).collect(),
            more_loops: analysis.more_loops,
            clusters: analysis.clusters.iter().map(ids).collect(),
            communities: analysis.communities.iter().map(ids).collect(),
            leverage: analysis
                .leverage
                .iter()
                .map(|l| LeverageBody { factor_id: id(l.factor), score: l.score, betweenness: l.betweenness })
                .collect(),
            disconnected: ids(&analysis.disconnected),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CauseMapBody {
    pub map: CauseMap,
    pub analysis: AnalysisBody,
}

/// One map: its factors (with versions and evidence counts), arrows and analysis.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/cause-maps/{id}", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 200, body = CauseMapBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<ApiJson<CauseMapBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let map = map_at(&state, &programme, id).await?;
    let analysis = AnalysisBody::of(&map);
    Ok(ApiJson(CauseMapBody { map, analysis }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EditMapRequest {
    pub title: String,
    pub central: String,
    /// The map's `version` as read.
    pub version: i64,
}

/// Renames a map or its central event.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/cause-maps/{id}", tag = "causes", request_body = EditMapRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<EditMapRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let input = MapInput::parse(&body.title, &body.central)?;
    state.store.edit_cause_map(programme.id, id, body.version, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a map with its factors, arrows and evidence links (the insights and excerpts stay).
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/cause-maps/{id}", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.delete_cause_map(programme.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `dot` (Graphviz) or `kumu` (a Kumu JSON blueprint).
    pub format: String,
}

/// The map as Graphviz DOT or a Kumu JSON blueprint.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/cause-maps/{id}/export", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"), ExportParams),
    responses((status = 200, content_type = "text/vnd.graphviz", body = String), (status = 401, body = ApiErrorBody),
        (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let map = map_at(&state, &programme, id).await?;
    let parts = map.parts();
    let (content_type, text) = match params.format.as_str() {
        "dot" => ("text/vnd.graphviz; charset=utf-8", dot::write(&map.title, &parts)),
        "kumu" => ("application/json", Blueprint::from_parts(&parts).to_json()),
        _ => return Err(heard_domain::Invalid::one("format", "Choose dot or kumu").into()),
    };
    Ok(([(axum::http::header::CONTENT_TYPE, content_type)], text).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FactorRequest {
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Required when editing: the factor's `version` as read.
    #[serde(default)]
    pub version: Option<i64>,
    /// When adding: a factor of the map it contributes to, drawn in the same transaction.
    #[serde(default)]
    pub contributes_to: Option<i64>,
}

impl FactorRequest {
    fn input(&self) -> Result<FactorInput, heard_domain::Invalid> {
        let tags = self.tags.iter().map(|t| t.replace(',', " ")).collect::<Vec<_>>().join(",");
        FactorInput::parse(&self.label, self.description.as_deref().unwrap_or_default(), &tags)
    }
}

/// Adds a factor.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors", tag = "causes", request_body = FactorRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_factor(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<FactorRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let factor = state.store.add_factor(programme.id, id, &body.input()?, body.contributes_to, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id: factor })))
}

/// Rewrites a factor's words, description and tags; `version` is required.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}", tag = "causes", request_body = FactorRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("factor" = i64, Path, description = "The factor's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn edit_factor(
    State(state): State<AppState>,
    ApiPath((slug, id, factor)): ApiPath<(String, i64, i64)>,
    ApiJson(body): ApiJson<FactorRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let input = body.input()?;
    let version =
        body.version.ok_or_else(|| heard_domain::Invalid::one("version", "Send the factor's version as read"))?;
    state.store.edit_factor(programme.id, id, factor, version, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionParams {
    /// The factor's `version` as read.
    pub version: i64,
}

/// Deletes a factor and its arrows (not the central event).
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("factor" = i64, Path, description = "The factor's id"), VersionParams),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn delete_factor(
    State(state): State<AppState>,
    ApiPath((slug, id, factor)): ApiPath<(String, i64, i64)>,
    ApiQuery(params): ApiQuery<VersionParams>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.delete_factor(programme.id, id, factor, params.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Position {
    pub factor_id: i64,
    pub position: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PositionsRequest {
    /// Factors' places in the order of their column in the picture, smallest first.
    pub positions: Vec<Position>,
}

/// Sets factors' places in the order of their columns.
#[utoipa::path(put, path = "/api/v1/programmes/{slug}/cause-maps/{id}/positions", tag = "causes", request_body = PositionsRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn positions(
    State(state): State<AppState>,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<PositionsRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let positions: Vec<(i64, i64)> = body.positions.iter().map(|p| (p.factor_id, p.position)).collect();
    state.store.set_factor_positions(programme.id, id, &positions).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ArrowRequest {
    /// The factor that contributes.
    pub from: i64,
    /// The factor it contributes to.
    pub to: i64,
}

/// Draws an arrow. Refused (422 naming `from` or `to`): a factor of another map, an arrow from a
/// factor to itself, or one already drawn.
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/cause-maps/{id}/arrows", tag = "causes", request_body = ArrowRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id")),
    responses((status = 201, body = CreatedBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn add_arrow(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ArrowRequest>,
) -> Result<(StatusCode, ApiJson<CreatedBody>), ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let arrow = state.store.add_arrow(programme.id, id, body.from, body.to, Some(user.id)).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedBody { id: arrow })))
}

/// Removes an arrow.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/cause-maps/{id}/arrows/{arrow}", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("arrow" = i64, Path, description = "The arrow's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn remove_arrow(
    State(state): State<AppState>,
    ApiPath((slug, id, arrow)): ApiPath<(String, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.remove_arrow(programme.id, id, arrow).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An excerpt behind a factor; the quote is `null` for a commissioner unless everyone heard in
/// its source consents to anonymous quotation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExcerptBody {
    pub id: i64,
    pub quote: Option<String>,
    pub quotable: bool,
    pub source_id: i64,
    pub source_title: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FactorEvidenceBody)]
pub struct EvidenceBody {
    pub insights: Vec<LinkedInsight>,
    pub excerpts: Vec<ExcerptBody>,
}

/// The insights and excerpts behind a factor.
#[utoipa::path(get, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("factor" = i64, Path, description = "The factor's id")),
    responses((status = 200, body = EvidenceBody), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody)))]
pub async fn evidence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id, factor)): ApiPath<(String, i64, i64)>,
) -> Result<ApiJson<EvidenceBody>, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    let evidence = state.store.factor_evidence(programme.id, id, factor).await?;
    let every_quote = reads_every_quote(user.role);
    Ok(ApiJson(EvidenceBody {
        insights: evidence.insights,
        excerpts: evidence
            .excerpts
            .into_iter()
            .map(|e| ExcerptBody {
                id: e.id,
                quote: (e.quotable || every_quote).then_some(e.quote),
                quotable: e.quotable,
                source_id: e.source_id,
                source_title: e.source_title,
            })
            .collect(),
    }))
}

/// One piece of evidence: an insight or an excerpt of the programme (exactly one).
#[derive(Debug, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[schema(as = FactorEvidenceRequest)]
pub struct EvidenceRequest {
    #[serde(default)]
    pub insight_id: Option<i64>,
    #[serde(default)]
    pub excerpt_id: Option<i64>,
}

impl EvidenceRequest {
    fn reference(&self) -> Result<EvidenceRef, heard_domain::Invalid> {
        match (self.insight_id, self.excerpt_id) {
            (Some(id), None) => Ok(EvidenceRef::Insight(id)),
            (None, Some(id)) => Ok(EvidenceRef::Excerpt(id)),
            _ => Err(heard_domain::Invalid::one("insight_id", "Send exactly one of insight_id and excerpt_id")),
        }
    }
}

/// Links an insight or excerpt to a factor as its evidence (linking twice changes nothing).
#[utoipa::path(post, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence", tag = "causes",
    request_body = EvidenceRequest,
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("factor" = i64, Path, description = "The factor's id")),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((slug, id, factor)): ApiPath<(String, i64, i64)>,
    ApiJson(body): ApiJson<EvidenceRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.link_factor_evidence(programme.id, id, factor, body.reference()?, Some(user.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlinks an insight or excerpt from a factor.
#[utoipa::path(delete, path = "/api/v1/programmes/{slug}/cause-maps/{id}/factors/{factor}/evidence", tag = "causes",
    params(("slug" = String, Path, description = "The programme's slug"), ("id" = i64, Path, description = "The map's id"),
        ("factor" = i64, Path, description = "The factor's id"), EvidenceRequest),
    responses((status = 204), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
        (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn unlink(
    State(state): State<AppState>,
    ApiPath((slug, id, factor)): ApiPath<(String, i64, i64)>,
    ApiQuery(params): ApiQuery<EvidenceRequest>,
) -> Result<StatusCode, ApiError> {
    let programme = programme_at(&state, &slug).await?;
    state.store.unlink_factor_evidence(programme.id, id, factor, params.reference()?).await?;
    Ok(StatusCode::NO_CONTENT)
}
